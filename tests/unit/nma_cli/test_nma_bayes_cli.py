"""``evsynth nma --bayes`` through the real entry point: the ``--json`` contract and its numbers.

Sources (pinned in tests/data/bayes/, provenance in its README):

- ``parkinsons_tsd.csv``: NICE DSU TSD2's Parkinson's data (multinma's ``parkinsons``), read in
  TSD's contrast layout (``studyn, trtn, diff, se_diff``). The outcome is the change in
  off-time, so lower is better.
- ``bayes_jags.json`` (``parkinsons_normal_contrast_RE``): TSD2's normal-likelihood model in
  JAGS 4.3.1, 3 chains x 50,000; ``ref_jags_parkinsons.json``: the same model rerun with Monte
  Carlo SEs, SUCRA and the fixed-effect model (``ref_jags_parkinsons.R``).
- The López-López et al. (2019) network as the bundled example ships it
  (examples/pps-review/data/lopez2019_nma_pairwise.csv; netmeta's contrast layout) and in
  TSD's contrast layout (``lopez2019_contrasts_for_bayes.csv``, treatments coded 1-7).

The exact engine has no Monte Carlo error, so each difference from JAGS is JAGS's: the
tolerances of tests/validation/test_tsd2_parkinsons.py (0.02 or 3 Monte Carlo SEs for
posterior summaries, 0.5 for residual deviance and pD, 1 for DIC, 0.02 for SUCRA).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from evsynth.cli.app import main
from evsynth.synthesis.nma.bayes import bayes_nma_normal, engines
from evsynth.synthesis.nma.bayes.engines import mcmc_function
from tests.conftest import DATA, load_json

PARKINSONS = DATA / "bayes" / "parkinsons_tsd.csv"
LOPEZ = Path(__file__).resolve().parents[3] / "examples" / "pps-review" / "data"
LOPEZ_PAIRWISE = LOPEZ / "lopez2019_nma_pairwise.csv"
SMOKING = DATA / "bayes" / "smoking_tsd.csv"

MCMC_SUMMARY = 0.02
MCMC_SE_MULTIPLE = 3.0
MCMC_DEVIANCE = 0.5
MCMC_DIC = 1.0
MCMC_PROBABILITY = 0.02
STATS = {"mean": "mean", "sd": "sd", "median": "median", "q2.5": "q025", "q97.5": "q975"}

TOP_KEYS = {"sd", "resdev", "pd", "dic", "treatments", "prior", "diagnostics"}
TREATMENT_KEYS = {
    "treatment",
    "mean",
    "sd",
    "median",
    "q025",
    "q975",
    "sucra",
    "p_better_than_reference",
}


def _run(argv: list[object], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        main([str(a) for a in argv])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _json(argv: list[object], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    payload: dict[str, Any] = json.loads(out)
    return payload


def _fail(argv: list[object], capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = _run(argv, capsys)
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err and out == ""
    return lines[0]


def _parkinsons(model: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return _json(
        ["nma", PARKINSONS, "--bayes", "--model", model, "--reference", "1",
         "--lower-is-better", "--seed", 20240, "--json"],
        capsys,
    )  # fmt: skip


def _check(actual: float, expected: float, mcse: float, what: str) -> None:
    tol = max(MCMC_SUMMARY, MCMC_SE_MULTIPLE * mcse)
    assert abs(actual - expected) <= tol, f"{what}: evsynth {actual:.5f} vs JAGS {expected:.5f}"


# --- the contract ------------------------------------------------------------------------------


def test_json_keys_are_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    payload = _parkinsons("random", capsys)
    assert TOP_KEYS <= set(payload)
    assert set(payload["sd"]) >= {"mean", "median", "q025", "q975"}
    assert [t["treatment"] for t in payload["treatments"]] == ["1", "2", "3", "4", "5"]
    for row in payload["treatments"]:
        assert set(row) == TREATMENT_KEYS
    reference = payload["treatments"][0]
    assert reference["mean"] == 0.0 and reference["p_better_than_reference"] is None
    assert payload["engine"] == "exact" and payload["diagnostics"] is None
    assert payload["likelihood"] == "normal" and payload["model"] == "random"
    assert payload["seed"] == 20240 and payload["higher_is_better"] is False
    # The prior used is stated: TSD2's d ~ N(0, 100^2), sd ~ U(0, 5).
    assert payload["prior"]["d"] == {"family": "normal", "mean": 0.0, "sd": 100.0}
    assert payload["prior"]["sd"]["family"] == "uniform"
    assert payload["prior"]["sd"]["upper"] == 5.0
    assert payload["prior"]["text"] == "d ~ Normal(0, 100^2); tau ~ Uniform(0, 5)"
    assert "TSD2" in payload["dic_plugin"]
    assert len(payload["contrasts"]) == 10  # every pair of 5 treatments


def test_parkinsons_random_effects_match_jags(capsys: pytest.CaptureFixture[str]) -> None:
    payload = _parkinsons("random", capsys)
    jags = load_json("bayes/bayes_jags.json")["parkinsons_normal_contrast_RE"]
    rerun = load_json("bayes/ref_jags_parkinsons.json")["parkinsons_normal_contrast_RE"]
    rows = {t["treatment"]: t for t in payload["treatments"]}
    compared = 0
    for name, summary in jags["posterior"].items():
        for stat, expected in summary.items():
            if name == "sd":
                actual = payload["sd"][STATS[stat]]
            else:
                actual = rows[name[1:]][STATS[stat]]  # d2 is treatment 2 versus 1
            _check(actual, expected, rerun["mcse"][name][stat], f"{name} {stat}")
            compared += 1
    assert compared == 25  # 4 d's and sd, 5 statistics each
    # TSD plug-in: resdev 6.613, pD 5.436, DIC 12.049 in bayes_jags.json.
    assert abs(payload["resdev"] - jags["totresdev_mean"]) <= MCMC_DEVIANCE
    assert abs(payload["pd"] - jags["pD_tsd"]) <= MCMC_DEVIANCE
    assert abs(payload["dic"] - jags["DIC_tsd"]) <= MCMC_DIC
    sucra = [t["sucra"] for t in payload["treatments"]]
    np.testing.assert_allclose(sucra, rerun["sucra"], atol=MCMC_PROBABILITY, rtol=0)


@pytest.mark.parametrize("word", ["fixed", "common"])
def test_parkinsons_fixed_effect_matches_jags(
    word: str, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = _parkinsons(word, capsys)
    run = load_json("bayes/ref_jags_parkinsons.json")["parkinsons_normal_contrast_FE"]
    assert payload["model"] == "fixed" and payload["sd"] is None
    assert payload["prior"]["sd"] is None
    rows = {t["treatment"]: t for t in payload["treatments"]}
    for name, summary in run["posterior"].items():
        for stat, expected in summary.items():
            actual = rows[name[1:]][STATS[stat]]
            _check(actual, expected, run["mcse"][name][stat], f"FE {name} {stat}")
    assert abs(payload["resdev"] - run["totresdev_mean"]) <= MCMC_DEVIANCE
    assert abs(payload["dic"] - run["DIC_tsd"]) <= MCMC_DIC
    np.testing.assert_allclose(
        [t["sucra"] for t in payload["treatments"]], run["sucra"], atol=MCMC_PROBABILITY
    )


def test_lopez_example_matches_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    payload = _json(
        ["nma", LOPEZ_PAIRWISE, "--bayes", "--reference", "TAU", "--lower-is-better",
         "--seed", 2019, "--json"],
        capsys,
    )  # fmt: skip
    fit = bayes_nma_normal(
        pd.read_csv(LOPEZ_PAIRWISE), reference="TAU", higher_is_better=False, rng=2019
    )
    frame = fit.to_frame().set_index("treatment")
    rows = {t["treatment"]: t for t in payload["treatments"]}
    assert set(rows) == set(frame.index)
    for name in frame.index[1:]:
        for key in ("mean", "sd", "median", "q025", "q975", "sucra", "p_better_than_reference"):
            assert rows[name][key] == pytest.approx(frame.loc[name, key], rel=1e-12)
    assert (payload["k"], payload["n"], payload["n_datapoints"]) == (73, 7, 77)
    assert payload["dic"] == pytest.approx(fit.dic, rel=1e-12)
    # Lower SMDs are better: face-to-face CBT ranks first, wait list last.
    best = max(payload["treatments"], key=lambda t: t["sucra"])
    worst = min(payload["treatments"], key=lambda t: t["sucra"])
    assert (best["treatment"], worst["treatment"]) == ("F2F CBT", "Wait list")


def test_lopez_tsd_layout_agrees_with_netmeta_layout(capsys: pytest.CaptureFixture[str]) -> None:
    # Treatment 1 of the TSD file is TAU and 5 face-to-face CBT (test_bayes_lopez2019.py).
    tsd = _json(
        ["nma", DATA / "bayes" / "lopez2019_contrasts_for_bayes.csv", "--bayes",
         "--reference", "1", "--lower-is-better", "--json"],
        capsys,
    )  # fmt: skip
    netmeta = _json(
        ["nma", LOPEZ_PAIRWISE, "--bayes", "--reference", "TAU", "--lower-is-better", "--json"],
        capsys,
    )
    f2f_tsd = next(t for t in tsd["treatments"] if t["treatment"] == "5")
    f2f = next(t for t in netmeta["treatments"] if t["treatment"] == "F2F CBT")
    # The netmeta file gives each contrast's se, the TSD file the arms' (rounded) ses: the
    # multi-arm covariances differ in the fourth decimal, so the fits agree to about 0.01.
    assert f2f_tsd["mean"] == pytest.approx(f2f["mean"], abs=0.02)
    assert tsd["sd"]["median"] == pytest.approx(netmeta["sd"]["median"], abs=0.02)


def test_no_direction_takes_lower_as_better_and_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(["nma", PARKINSONS, "--bayes", "--reference", "1", "--json"], capsys)
    assert code == 0
    payload = json.loads(out)
    assert payload["higher_is_better"] is False and payload["direction_given"] is False
    assert "--higher-is-better" in err


def test_csv_and_table_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        ["nma", PARKINSONS, "--bayes", "--reference", "1", "--lower-is-better", "--csv"], capsys
    )
    assert code == 0
    assert out.splitlines()[0] == (
        "treatment,mean,sd,median,q025,q975,sucra,p_better_than_reference"
    )
    code, out, _ = _run(["nma", PARKINSONS, "--bayes", "--reference", "1"], capsys)
    assert code == 0 and "Bayesian NMA (normal likelihood, random effects)" in out


def test_seed_is_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    first = _parkinsons("random", capsys)
    second = _parkinsons("random", capsys)
    assert first["treatments"] == second["treatments"] and first["seed"] == second["seed"]


def test_frequentist_contract_is_unchanged_and_accepts_fixed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["nma", LOPEZ_PAIRWISE, "--reference", "TAU", "--lower-is-better", "--json"]
    common = _json([*argv, "--model", "common"], capsys)
    fixed = _json([*argv, "--model", "fixed"], capsys)
    assert common == fixed and common["model"] == "common"
    assert "pscore" in common["treatments"][0]


def test_grid_with_bayes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = pd.read_csv(PARKINSONS)
    later = data[data["studyn"] != 7].assign(timepoint="later")
    grid = pd.concat([data.assign(timepoint="end"), later]).assign(outcome="off-time")
    path = tmp_path / "grid.csv"
    grid.to_csv(path, index=False)
    payload = _json(
        ["nma", path, "--bayes", "--grid", "--reference", "1", "--lower-is-better",
         "--seed", 5, "--json"],
        capsys,
    )  # fmt: skip
    assert payload["timepoints"] == ["end", "later"]
    assert [c["k"] for c in payload["cells"]] == [7, 6]
    single = _parkinsons("random", capsys)
    end = [r for r in payload["rows"] if r["timepoint"] == "end"]
    for row, expected in zip(end, single["treatments"], strict=True):
        assert row["treatment"] == expected["treatment"]
        assert row["sucra"] == pytest.approx(expected["sucra"], rel=1e-12)
    assert end[0]["tau_median"] == pytest.approx(single["sd"]["median"], rel=1e-12)


# --- binomial ---------------------------------------------------------------------------------


# MCMC against MCMC: the run here (4 chains x 1,000 draws, bulk ESS about 3,500) and JAGS's
# (3 x 50,000) each have Monte Carlo error; 0.05 is about 4 of the two combined for the d's.
BINOMIAL_SUMMARY = 0.05
BINOMIAL_PROBABILITY = 0.03
BINOMIAL_DEVIANCE = 1.0


@pytest.mark.slow
@pytest.mark.skipif(mcmc_function() is None, reason="the MCMC engine (NumPyro) is not installed")
def test_binomial_smoking_matches_jags(capsys: pytest.CaptureFixture[str]) -> None:
    # TSD2's smoking-cessation data (Hasselblad 1998), tests/data/bayes/smoking_tsd.csv, arm
    # level (studyn, trtn, r, n); quitting is good, so higher is better. Reference values:
    # bayes_jags.json, smoking_binom_RE (JAGS 4.3.1, 3 chains x 50,000).
    payload = _json(
        ["nma", SMOKING, "--bayes", "--reference", "1", "--higher-is-better", "--seed", 1,
         "--json"],
        capsys,
    )  # fmt: skip
    jags = load_json("bayes/bayes_jags.json")["smoking_binom_RE"]
    assert payload["engine"] == "mcmc" and payload["likelihood"] == "binomial"
    diagnostics = payload["diagnostics"]
    assert diagnostics["sampler"] == "imh"  # the default for binomial data
    assert diagnostics["converged"] is True and diagnostics["rhat"] < 1.01
    assert diagnostics["ess_bulk"] > 400 and diagnostics["ess_tail"] > 400
    assert (payload["k"], payload["n_datapoints"]) == (24, 50)
    rows = {t["treatment"]: t for t in payload["treatments"]}
    for name, summary in jags["posterior"].items():
        for stat, expected in summary.items():
            actual = payload["sd"][STATS[stat]] if name == "sd" else rows[name[1:]][STATS[stat]]
            assert abs(actual - expected) <= BINOMIAL_SUMMARY, f"{name} {stat}"
    np.testing.assert_allclose(
        [t["sucra"] for t in payload["treatments"]], jags["sucra"], atol=BINOMIAL_PROBABILITY
    )
    assert abs(payload["resdev"] - jags["totresdev_mean"]) <= BINOMIAL_DEVIANCE


@pytest.mark.skipif(mcmc_function() is None, reason="the MCMC engine (NumPyro) is not installed")
def test_binomial_sampler_choice(capsys: pytest.CaptureFixture[str]) -> None:
    # TSD2's smoking data, fixed effect: NUTS on request gives the same answer as the IMH
    # (bayes_jags.json smoking_binom_FE: d2 0.224, d3 0.765, d4 0.840).
    means = {}
    for sampler in ("imh", "nuts"):
        payload = _json(
            ["nma", SMOKING, "--bayes", "--reference", "1", "--higher-is-better", "--seed", 2,
             "--model", "fixed", "--sampler", sampler, "--json"],
            capsys,
        )  # fmt: skip
        assert payload["diagnostics"]["sampler"] == sampler
        means[sampler] = [t["mean"] for t in payload["treatments"][1:]]
    jags = load_json("bayes/bayes_jags.json")["smoking_binom_FE"]["posterior"]
    for sampler, values in means.items():
        expected = [jags[f"d{k}"]["mean"] for k in (2, 3, 4)]
        np.testing.assert_allclose(values, expected, atol=BINOMIAL_SUMMARY, err_msg=sampler)


def test_sampler_on_normal_data_or_without_bayes_is_one_clear_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A sampler has no meaning for the exact normal engine, nor for the frequentist analysis.
    for args, words in (
        (["nma", SMOKING, "--reference", "1", "--sampler", "nuts"], "add --bayes"),
        (
            ["nma", LOPEZ_PAIRWISE, "--bayes", "--reference", "TAU", "--sampler", "imh"],
            "applies to the binomial likelihood",
        ),
    ):
        assert words in _fail(args, capsys)


def test_binomial_without_the_mcmc_engine_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As where NumPyro (or the MCMC module) is missing: the import of the engine fails.
    monkeypatch.setattr(engines, "MCMC_MODULE", "evsynth.synthesis.nma.bayes.not_installed")
    line = _fail(["nma", SMOKING, "--bayes", "--reference", "1", "--json"], capsys)
    assert line.startswith("error: binomial likelihood needs the MCMC engine")


# --- bad input ----------------------------------------------------------------------------------


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_reference_lists_the_treatments(capsys: pytest.CaptureFixture[str]) -> None:
    line = _fail(["nma", PARKINSONS, "--bayes", "--reference", "9"], capsys)
    assert "reference='9'" in line and "1, 2, 3, 4, 5" in line


def test_columns_that_fit_no_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _fail(
        ["nma", _csv(tmp_path, "trial,arm,effect\ns1,A,0.5\n"), "--bayes", "--reference", "A"],
        capsys,
    )
    assert "studlab, treat1, treat2, TE, seTE" in line and "the file has: trial, arm" in line


def test_binomial_asked_of_contrasts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _fail(
        ["nma", LOPEZ_PAIRWISE, "--bayes", "--likelihood", "binomial", "--reference", "TAU"],
        capsys,
    )
    assert "r (or events) and n" in line


def test_text_in_a_number_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "studlab,treat1,treat2,TE,seTE\ns1,A,B,0.5,abc\ns2,A,C,0.8,0.25\n")
    line = _fail(["nma", path, "--bayes", "--reference", "A"], capsys)
    assert "'abc' is not a number" in line and "line 2" in line and "seTE" in line


def test_non_positive_standard_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "studlab,treat1,treat2,TE,seTE\ns1,A,B,0.5,0\ns2,A,C,0.8,0.25\n")
    line = _fail(["nma", path, "--bayes", "--reference", "A"], capsys)
    assert "not a positive number" in line


def test_disconnected_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "studlab,treat1,treat2,TE,seTE\ns1,A,B,0.5,0.2\ns2,C,D,0.8,0.25\n")
    line = _fail(["nma", path, "--bayes", "--reference", "A"], capsys)
    assert "disconnected" in line and "{A, B}" in line


def test_smd_arms_need_contrasts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "study,treatment,mean,sd,n\ns1,A,1,2,30\ns1,B,2,2,30\n")
    line = _fail(["nma", path, "--bayes", "--reference", "A", "--measure", "SMD"], capsys)
    assert "--measure MD" in line


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--seed", "-1"], "must be a non-negative integer"),
        (["--model", "bogus"], "Invalid value for '--model'"),
        (["--likelihood", "poisson"], "Invalid value for '--likelihood'"),
        (["--level", "0.9"], "--bayes gives 95% intervals"),
    ],
)
def test_bad_options(extra: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    line = _fail(["nma", PARKINSONS, "--bayes", "--reference", "1", *extra], capsys)
    assert words in line


def test_bayes_options_without_bayes(capsys: pytest.CaptureFixture[str]) -> None:
    line = _fail(["nma", LOPEZ_PAIRWISE, "--reference", "TAU", "--seed", "1"], capsys)
    assert "add --bayes" in line


def test_arm_means_with_md(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Two arms, mean difference 1 with se sqrt(2^2/30 + 2^2/30); fixed effect, vague prior.
    path = _csv(tmp_path, "study,treatment,mean,sd,n\ns1,A,1,2,30\ns1,B,2,2,30\n")
    payload = _json(
        ["nma", path, "--bayes", "--measure", "MD", "--model", "fixed", "--reference", "A",
         "--higher-is-better", "--json"],
        capsys,
    )  # fmt: skip
    b = payload["treatments"][1]
    assert b["mean"] == pytest.approx(1.0, abs=1e-3)
    assert b["sd"] == pytest.approx(np.sqrt(8 / 30), rel=1e-3)


def test_config_takes_bayes_and_a_non_negative_seed() -> None:
    from pydantic import ValidationError

    from evsynth.storage.config import NmaSpec

    base = {"name": "n", "title": "t", "data": "d.csv", "reference": "A", "higher_is_better": True}
    assert NmaSpec.model_validate(base).bayes is False
    spec = NmaSpec.model_validate({**base, "bayes": True, "seed": 7})
    assert spec.bayes and spec.seed == 7
    with pytest.raises(ValidationError):
        NmaSpec.model_validate({**base, "bayes": True, "seed": -1})
