"""``evsynth nma`` through the real entry point: the ``--json`` contract and its numbers.

Numbers are checked against netmeta 3.3-1 on the smoking-cessation network (Hasselblad 1998):
tests/data/netmeta/nma_frequentist.json, cases ``smoking_netmeta_DL`` and
``smoking_netmeta_REML``, fitted to tests/data/netmeta/nma_input_smoking_pairwise.csv
(provenance in tests/data/netmeta/README.md). netmeta's P-scores use its default
``small.values = "desirable"``, which is ``--lower-is-better``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evsynth.cli.app import main
from tests.conftest import DATA, load_json
from tests.tolerances import NMA, REML
from tests.validation._assert import close

REF = load_json("netmeta/nma_frequentist.json")
SMOKING = DATA / "netmeta" / "nma_input_smoking_pairwise.csv"
TREATMENT_KEYS = {
    "treatment",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "pvalue",
    "pi_low",
    "pi_high",
    "pscore",
    "k_direct",
}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        main([str(a) for a in argv])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize(("method", "tol"), [("DL", NMA), ("REML", REML)])
def test_json_matches_netmeta_smoking(
    method: str, tol: dict[str, float], capsys: pytest.CaptureFixture[str]
) -> None:
    ref = REF[f"smoking_netmeta_{method}"]
    payload = _json(
        ["nma", SMOKING, "--model", "random", "--method", method, "--reference", "no_contact",
         "--lower-is-better", "--json"],
        capsys,
    )  # fmt: skip
    for key in ("tau2", "q", "q_heterogeneity", "q_inconsistency", "treatments", "league"):
        assert key in payload, key
    for key in ("q", "q_heterogeneity", "q_inconsistency"):
        assert set(payload[key]) == {"q", "df", "pvalue"}, key
    # Heterogeneity and the decomposition of Q (netmeta: tau2, Q, df_Q, pval_Q, Q_heterogeneity,
    # Q_inconsistency with their df and p-value); Q itself does not depend on tau^2.
    close(payload["tau2"], ref["tau2"], tol, "tau2")
    close(payload["q"]["q"], ref["Q"], NMA, "Q")
    assert payload["q"]["df"] == ref["df_Q"]
    close(payload["q"]["pvalue"], ref["pval_Q"], NMA, "p of Q")
    close(payload["q_heterogeneity"]["q"], ref["Q_heterogeneity"], NMA, "Q within designs")
    assert payload["q_heterogeneity"]["df"] == ref["df_Q_heterogeneity"]
    close(payload["q_inconsistency"]["q"], ref["Q_inconsistency"], NMA, "Q between designs")
    assert payload["q_inconsistency"]["df"] == ref["df_Q_inconsistency"]
    close(payload["q_inconsistency"]["pvalue"], ref["pval_Q_inconsistency"], NMA, "p of Q_inc")
    # Each treatment versus no_contact: netmeta's random TE, seTE, lower, upper, the prediction
    # interval and P-scores, in netmeta's treatment order (trts).
    rows = {t["treatment"]: t for t in payload["treatments"]}
    assert [t["treatment"] for t in payload["treatments"]] == ref["trts"]
    for row in payload["treatments"]:
        assert set(row) == TREATMENT_KEYS
    others = [i for i, t in enumerate(ref["trts"]) if t != "no_contact"]
    random = ref["random"]
    for field, key in (("estimate", "TE"), ("se", "seTE"), ("ci_low", "lower"),
                       ("ci_high", "upper"), ("pi_low", "lower_predict"),
                       ("pi_high", "upper_predict")):  # fmt: skip
        got = [rows[ref["trts"][i]][field] for i in others]
        close(got, [random[key][i] for i in others], tol, f"random {key}")
    close([rows[t]["pscore"] for t in ref["trts"]], random["Pscore"], tol, "P-scores")
    assert rows["no_contact"]["estimate"] == 0.0 and rows["no_contact"]["se"] is None
    # The league table: every ordered pair, netmeta's TE_matrix (row versus column).
    assert len(payload["league"]) == len(ref["trts"]) * (len(ref["trts"]) - 1)
    te = random["TE_matrix"]
    row_of = {t: i for i, t in enumerate(te["rownames"])}
    col_of = {t: j for j, t in enumerate(te["colnames"])}
    got = [row["estimate"] for row in payload["league"]]
    expected = [
        te["values"][row_of[row["treatment"]]][col_of[row["comparator"]]]
        for row in payload["league"]
    ]
    close(got, expected, tol, "league estimates (TE_matrix)")


def test_common_model_matches_netmeta_and_has_no_prediction_interval(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ref = REF["smoking_netmeta_DL"]
    payload = _json(
        ["nma", SMOKING, "--model", "common", "--method", "DL", "--reference", "no_contact",
         "--higher-is-better", "--json"],
        capsys,
    )  # fmt: skip
    assert payload["model"] == "common" and payload["higher_is_better"] is True
    rows = {t["treatment"]: t for t in payload["treatments"]}
    for i, name in enumerate(ref["trts"]):
        if name == "no_contact":
            continue
        close(rows[name]["estimate"], ref["common"]["TE"][i], NMA, f"common TE {name}")
        close(rows[name]["se"], ref["common"]["seTE"][i], NMA, f"common seTE {name}")
        assert rows[name]["pi_low"] is None and rows[name]["pi_high"] is None
    # --higher-is-better gives 1 - netmeta's default P-scores (README of the reference).
    close(
        [rows[t]["pscore"] for t in ref["trts"]],
        1 - np.array(ref["common"]["Pscore"]),
        NMA,
        "P-scores, higher is better",
    )


def test_without_direction_no_pscores_and_a_notice(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["nma", SMOKING, "--reference", "no_contact", "--json"], capsys)
    assert code == 0
    assert all(t["pscore"] is None for t in json.loads(out)["treatments"])
    assert "--higher-is-better" in err


def test_table_and_csv_outputs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(["nma", SMOKING, "--reference", "no_contact", "--lower-is-better"], capsys)
    assert code == 0 and "Network meta-analysis" in out and "Design-by-treatment" in out
    code, out, _ = _run(
        ["nma", SMOKING, "--reference", "no_contact", "--lower-is-better", "--csv"], capsys
    )
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame["treatment"]) == ["grp_counseling", "ind_counseling", "self_help"]
    assert {"estimate", "pi_low", "pscore"} <= set(frame.columns)


def test_arm_level_input_with_measure(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # The arm-level smoking data of NICE DSU TSD2 (tests/data/netmeta/smoking_tsd_arms.csv):
    # netmeta's pairwise(sm = "OR") gives the contrast file checked above, so the random
    # effects agree with smoking_netmeta_DL.
    arms = pd.read_csv(DATA / "netmeta" / "smoking_tsd_arms.csv")
    names = {1: "no_contact", 2: "self_help", 3: "ind_counseling", 4: "grp_counseling"}
    path = tmp_path / "arms.csv"
    pd.DataFrame(
        {
            "study": arms["studyn"],
            "treatment": arms["trtn"].map(names),
            "events": arms["r"],
            "n": arms["n"],
        }
    ).to_csv(path, index=False)
    payload = _json(
        ["nma", path, "--measure", "OR", "--reference", "no_contact", "--lower-is-better",
         "--json"],
        capsys,
    )  # fmt: skip
    ref = REF["smoking_netmeta_DL"]
    assert payload["measure"] == "OR" and payload["k"] == ref["k"]
    close(payload["tau2"], ref["tau2"], NMA, "tau2 from arm-level data")


def test_grid_json_and_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    smoking = pd.read_csv(SMOKING)
    both = pd.concat(
        [smoking.assign(outcome="cessation", timepoint="6 months"),
         smoking.assign(outcome="cessation", timepoint="12 months").iloc[:3]],
    )  # fmt: skip
    path = tmp_path / "grid.csv"
    both.to_csv(path, index=False)
    payload = _json(
        ["nma", path, "--grid", "--reference", "no_contact", "--lower-is-better", "--json"],
        capsys,
    )
    assert {"cells", "rows", "warnings", "reference"} <= set(payload)
    assert [c["timepoint"] for c in payload["cells"]] == ["6 months", "12 months"]
    first = payload["cells"][0]
    assert first["error"] is None and first["k"] == 24
    close(first["tau2"], REF["smoking_netmeta_DL"]["tau2"], NMA, "grid tau2")
    assert len([r for r in payload["rows"] if r["timepoint"] == "6 months"]) == 3
    code, out, err = _run(
        ["nma", path, "--grid", "--reference", "no_contact", "--lower-is-better", "--csv"], capsys
    )
    assert code == 0, err
    assert out.splitlines()[0].startswith("outcome,timepoint,treatment,reference,estimate")
