"""Cohen's kappa and its Fleiss, Cohen & Everitt (1969) standard error against outside references.

Sources (provenance in tests/data/screening/README.md):

* tests/data/screening/kappa_published.json: published tables with their stated values: the
  Wikipedia "Cohen's kappa" article's three 2x2 examples (kappa 0.4, 0.1304, 0.2593), the R
  package Delta's ``GetKappa`` example (2x2, kappa 0.5, SE 0.09682458) and the SAS/STAT PROC
  FREQ "Agreement Study" (4x4 skin condition data, kappa 0.3449, ASE 0.0724, 95% CI
  0.2030-0.4868).
* tests/data/screening/ref_r_kappa.json: R 4.2.2, vcd 1.4-11 ``Kappa`` and psych 2.2.9
  ``cohen.kappa``, plus the FCE 1969 formula in base R, on the same tables, the seed review's
  simulated 20% sample and a 3x3 table (script: ref_r_kappa.R beside it).
* tests/data/screening/ref_sklearn_kappa.json: scikit-learn 1.9.1 ``cohen_kappa_score`` (point
  estimate only).
"""

from __future__ import annotations

import pytest

from evsynth.screening import cohen_kappa, cohen_kappa_from_table
from tests.conftest import load_json
from tests.tolerances import CI, COEF, SE
from tests.validation._assert import close

PUBLISHED = load_json("screening/kappa_published.json")["tables"]
R_REF = load_json("screening/ref_r_kappa.json")
SKLEARN = load_json("screening/ref_sklearn_kappa.json")["tables"]
R_TABLES = R_REF["tables"]


def _printed(decimals: int) -> dict[str, float]:
    """Half a unit of the last decimal the source prints: the rounding it applied."""
    return {"rel": 0.0, "abs": 0.5 * 10.0**-decimals + 1e-12}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_kappa_matches_published_values(name: str) -> None:
    ref = PUBLISHED[name]
    res = cohen_kappa_from_table(ref["table"])
    tol = _printed(ref["decimals"])
    close(res.kappa, ref["kappa"], tol, f"{name} kappa ({ref['source']})")
    if "observed" in ref:
        close(res.observed_agreement, ref["observed"], tol, f"{name} observed agreement")
        close(res.expected_agreement, ref["expected"], tol, f"{name} expected agreement")
    if "se" in ref:
        close(res.se, ref["se"], tol, f"{name} standard error")
    if "ci_low" in ref:
        close([res.ci_low, res.ci_high], [ref["ci_low"], ref["ci_high"]], tol, f"{name} 95% CI")


def test_two_published_2x2_tables_with_a_known_value_are_covered() -> None:
    two_by_two = [n for n, ref in PUBLISHED.items() if len(ref["table"]) == 2]
    assert len(two_by_two) >= 2
    # The Delta example is the 2x2 table whose source prints the FCE 1969 standard error.
    assert "se" in PUBLISHED["delta_getkappa_example"]


def test_wikipedia_example_from_decision_mappings() -> None:
    # Wikipedia "Cohen's kappa", simple example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
    reader_a = {f"p{i:02d}": "include" if i < 25 else "exclude" for i in range(50)}
    reader_b = {f"p{i:02d}": "include" if i < 20 or 25 <= i < 35 else "exclude" for i in range(50)}
    res = cohen_kappa(reader_a, reader_b)
    close(res.kappa, 0.4, COEF, "Wikipedia simple example kappa (stated 0.4)")
    assert res.table.loc["include", "exclude"] == 5
    assert res.table.loc["exclude", "include"] == 10
    assert len(res.disagreements) == 15


@pytest.mark.parametrize("name", sorted(R_TABLES))
def test_kappa_se_and_ci_match_r(name: str) -> None:
    ref = R_TABLES[name]
    res = cohen_kappa_from_table(ref["table"])
    for package, se_key in (("vcd", "ase"), ("psych", "se"), ("base_r_fce1969", "se")):
        out = ref[package]
        close(res.kappa, out["kappa"], COEF, f"{name} kappa vs {package}")
        close(res.se, out[se_key], SE, f"{name} se vs {package} ({out['call']})")
        close(
            [res.ci_low, res.ci_high],
            [out["ci_low"], out["ci_high"]],
            CI,
            f"{name} CI vs {package}",
        )
    base = ref["base_r_fce1969"]
    close(res.se_null, base["se_null"], SE, f"{name} null se vs base R")
    close(res.statistic, base["z"], COEF, f"{name} z vs base R")
    close(res.pvalue, base["pvalue"], {"rel": 1e-6, "abs": 1e-12}, f"{name} p vs base R")
    close(res.observed_agreement, base["observed"], COEF, f"{name} observed agreement")
    close(res.expected_agreement, base["expected"], COEF, f"{name} expected agreement")
    assert res.n == ref["n"]


@pytest.mark.parametrize("name", sorted(SKLEARN))
def test_kappa_matches_scikit_learn(name: str) -> None:
    res = cohen_kappa_from_table(R_TABLES[name]["table"])
    close(res.kappa, SKLEARN[name]["kappa"], COEF, f"{name} kappa vs sklearn cohen_kappa_score")


def test_reference_grids_are_complete() -> None:
    # The cross-software grid must not quietly shrink: every published table, the seed review's
    # sample and a 3x3 table are checked against R and scikit-learn.
    expected = set(PUBLISHED) | {"seed_review_sample", "three_category_screening"}
    assert set(R_TABLES) == expected
    assert set(SKLEARN) == expected
    assert R_REF["meta"]["packages"]["vcd"] == "1.4.11"
    assert R_REF["meta"]["packages"]["psych"] == "2.2.9"
    for name, ref in PUBLISHED.items():
        assert R_TABLES[name]["table"] == ref["table"], name
