"""``bayes_nma_grid``: one Bayesian NMA per outcome and time point, errors kept per cell.

Each analysed cell must equal a stand-alone ``bayes_nma_normal`` of its studies (TSD2's
Parkinson's data, tests/data/bayes/parkinsons_tsd.csv, whose values against JAGS
tests/validation/test_tsd2_parkinsons.py checks); the cell handling and sparse-network warnings
are ``nma_grid``'s (tests/unit/nma_cli/test_nma_grid.py). The SYNTHETIC seed-shaped grid of the
bundled example (examples/pps-review/data/synthetic_nma_grid_contrasts.csv) has four sparse
cells made on purpose by its generator (examples/pps-review/tools/make_nma_grid.py).
"""

from __future__ import annotations

import doctest
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import EvsynthError
from evsynth.synthesis.nma import grid as frequentist_grid
from evsynth.synthesis.nma.bayes import bayes_nma_normal, engines, rhodes2015_smd_general
from evsynth.synthesis.nma.bayes import grid as grid_module
from evsynth.synthesis.nma.bayes.engines import mcmc_function
from evsynth.synthesis.nma.bayes.grid import (
    FRAME_COLUMNS,
    NO_HETEROGENEITY_BAYES,
    BayesNmaGridResult,
    bayes_nma_grid,
)
from tests.conftest import DATA

SYNTHETIC = (
    Path(__file__).resolve().parents[3]
    / "examples"
    / "pps-review"
    / "data"
    / "synthetic_nma_grid_contrasts.csv"
)
OUTCOMES = ["pain", "fatigue", "anxiety", "depression", "emotional distress",
            "physical functioning", "impact on daily activities", "symptom load"]  # fmt: skip
TIMEPOINTS = ["end of treatment", "<6 months", ">=6 months"]
TSD = {"study": "studyn", "treatment": "trtn", "effect": "diff", "se": "se_diff"}


@pytest.fixture(scope="module")
def parkinsons() -> pd.DataFrame:
    return pd.read_csv(DATA / "bayes" / "parkinsons_tsd.csv")


@pytest.fixture(scope="module")
def tsd_grid(parkinsons: pd.DataFrame) -> BayesNmaGridResult:
    """Four cells: the full network, one study left out, an empty cell, a failing cell."""
    later = parkinsons[parkinsons["studyn"] != 7]
    bad = parkinsons.copy()
    bad.loc[1, "se_diff"] = -1.0  # a negative standard error in one cell only
    frame = pd.concat(
        [
            parkinsons.assign(outcome="off-time", timepoint="end"),
            later.assign(outcome="off-time", timepoint="later"),
            bad.assign(outcome="tremor", timepoint="end"),
        ]
    )
    return bayes_nma_grid(
        frame,
        reference="1",
        higher_is_better=False,
        timepoints=["end", "later"],
        rng=11,
        **TSD,
    )


@pytest.fixture(scope="module")
def synthetic() -> BayesNmaGridResult:
    return bayes_nma_grid(
        pd.read_csv(SYNTHETIC),
        reference="Usual care",
        higher_is_better=True,
        outcomes=OUTCOMES,
        timepoints=TIMEPOINTS,
        rng=2024,
    )


def test_each_cell_equals_a_stand_alone_fit(
    tsd_grid: BayesNmaGridResult, parkinsons: pd.DataFrame
) -> None:
    for timepoint, data in (("end", parkinsons), ("later", parkinsons[parkinsons.studyn != 7])):
        cell = tsd_grid.cell("off-time", timepoint)
        alone = bayes_nma_normal(data, reference="1", higher_is_better=False, rng=11, **TSD)
        pd.testing.assert_frame_equal(cell.result.to_frame(), alone.to_frame(), rtol=1e-12)
        assert cell.result.dic == pytest.approx(alone.dic, rel=1e-12)
        assert cell.k == len(data["studyn"].unique())


def test_errors_stay_in_their_cell(tsd_grid: BayesNmaGridResult) -> None:
    assert [(c.outcome, c.timepoint, c.ok) for c in tsd_grid.cells] == [
        ("off-time", "end", True), ("off-time", "later", True),
        ("tremor", "end", False), ("tremor", "later", False),
    ]  # fmt: skip
    errors = dict(((o, t), m) for o, t, m in tsd_grid.errors)
    assert "not a positive number" in errors[("tremor", "end")]
    assert errors[("tremor", "later")] == "no study reports tremor at later"


def test_tidy_frame(tsd_grid: BayesNmaGridResult) -> None:
    frame = tsd_grid.to_frame()
    assert tuple(frame.columns) == FRAME_COLUMNS
    # 5 treatments in each analysed cell, one row per failed cell.
    assert len(frame) == 5 + 5 + 1 + 1
    end = frame[(frame.outcome == "off-time") & (frame.timepoint == "end")]
    assert end["treatment"].tolist() == ["1", "2", "3", "4", "5"]
    assert (end["reference"] == "1").all() and (end["k"] == 7).all()
    assert end["tau_median"].nunique() == 1 and end["dic"].notna().all()
    failed = frame[frame.error.notna()]
    assert failed["treatment"].isna().all() and failed["mean"].isna().all()
    assert str(frame["k"].dtype) == "Int64"


def test_synthetic_grid_analyses_what_the_frequentist_grid_does(
    synthetic: BayesNmaGridResult,
) -> None:
    freq = frequentist_grid.nma_grid(
        pd.read_csv(SYNTHETIC),
        reference="Usual care",
        higher_is_better=True,
        outcomes=OUTCOMES,
        timepoints=TIMEPOINTS,
    )
    assert [c.ok for c in synthetic.cells] == [c.ok for c in freq.cells]
    assert len(synthetic.cells) - len(synthetic.errors) == 22
    # The deliberately sparse cells (tools/make_nma_grid.py).
    errors = {(o, t): m for o, t, m in synthetic.errors}
    assert errors[("anxiety", ">=6 months")].startswith("no study reports anxiety")
    assert "not in this network" in errors[("emotional distress", ">=6 months")]
    single = synthetic.cell("impact on daily activities", ">=6 months")
    assert single.k == 1 and [w.kind for w in single.warnings] == ["few_studies"]
    assert single.warnings[0].message.endswith("the posterior of tau is its prior")
    disconnected = synthetic.cell("symptom load", "<6 months")
    assert "disconnected" in {w.kind for w in disconnected.warnings}
    # Only the sub-network with usual care is fitted, as in the frequentist grid.
    kept = freq.cell("symptom load", "<6 months").result
    assert set(disconnected.result.treatments) == set(kept.treatments)


def test_no_heterogeneity_df_is_restated_for_bayes(synthetic: BayesNmaGridResult) -> None:
    cell = synthetic.cell("physical functioning", ">=6 months")
    messages = {w.kind: w.message for w in cell.warnings}
    assert messages["no_heterogeneity_df"] == NO_HETEROGENEITY_BAYES


def test_fixed_effect_drops_the_heterogeneity_warning() -> None:
    fixed = bayes_nma_grid(
        pd.read_csv(SYNTHETIC),
        reference="Usual care",
        higher_is_better=True,
        model="fixed",
        rng=1,
    )
    assert "no_heterogeneity_df" not in {w.kind for w in fixed.warnings}
    assert fixed.to_frame()["tau_median"].isna().all()


def test_directions_per_outcome() -> None:
    data = pd.read_csv(SYNTHETIC)
    data = data[data.outcome.isin(["pain", "fatigue"])]
    up = bayes_nma_grid(data, reference="Usual care", higher_is_better=True, rng=1)
    mixed = bayes_nma_grid(
        data, reference="Usual care", higher_is_better={"pain": False, "fatigue": True}, rng=1
    )
    a, b = up.to_frame(), mixed.to_frame()
    pain_a, pain_b = a[a.outcome == "pain"], b[b.outcome == "pain"]
    np.testing.assert_allclose(pain_a["sucra"] + pain_b["sucra"], 1.0, atol=1e-9)
    np.testing.assert_allclose(pain_a["mean"], pain_b["mean"])
    pd.testing.assert_frame_equal(a[a.outcome == "fatigue"], b[b.outcome == "fatigue"])


def test_a_prior_applies_to_every_cell() -> None:
    data = pd.read_csv(SYNTHETIC)
    data = data[data.outcome == "pain"]
    grid = bayes_nma_grid(
        data,
        reference="Usual care",
        higher_is_better=True,
        prior_tau=rhodes2015_smd_general(),
        rng=1,
    )
    assert "t_5(-3.44, 2.59)" in grid.prior
    assert all(c.result.prior_tau == rhodes2015_smd_general() for c in grid.cells if c.ok)


def test_summary_and_warnings_frame(synthetic: BayesNmaGridResult) -> None:
    text = synthetic.summary().as_text()
    assert "22 of 24 networks analysed" in text and "best = highest SUCRA" in text
    assert "Not analysed: anxiety, >=6 months" in text
    frame = synthetic.warnings_frame()
    assert list(frame.columns) == ["outcome", "timepoint", "kind", "message"]
    assert len(frame) == len(synthetic.warnings) > 0


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"likelihood": "poisson"}, "likelihood='poisson' is not known"),
        ({"model": "common"}, "model='common' is not known"),
        ({"rng": -1}, "non-negative integer seed"),
        ({"outcome": "endpoint"}, "needs a outcome column 'endpoint'"),
    ],
)
def test_call_errors_raise(kwargs: dict[str, object], words: str) -> None:
    data = pd.read_csv(SYNTHETIC)
    with pytest.raises(EvsynthError, match=words):
        bayes_nma_grid(data, reference="Usual care", higher_is_better=True, **kwargs)  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.skipif(mcmc_function() is None, reason="the MCMC engine (NumPyro) is not installed")
def test_binomial_cells_equal_stand_alone_mcmc_fits() -> None:
    # TSD2's smoking-cessation data (tests/data/bayes/smoking_tsd.csv), whole and without
    # studies 21-24; short chains suffice, the comparison is with the same seed and settings.
    from evsynth.synthesis.nma.bayes.mcmc import bayes_nma_mcmc
    from evsynth.synthesis.nma.bayes.mcmc_diagnostics import ConvergenceWarning

    data = pd.read_csv(DATA / "bayes" / "smoking_tsd.csv")
    short = {"chains": 2, "warmup": 200, "samples": 250}
    frame = pd.concat(
        [
            data.assign(outcome="quit", timepoint="6m"),
            data[data.studyn <= 20].assign(outcome="quit", timepoint="12m"),
        ]
    )
    grid = bayes_nma_grid(
        frame, reference="1", higher_is_better=True, likelihood="binomial",
        study="studyn", treatment="trtn", rng=3, mcmc=short,
    )  # fmt: skip
    assert [c.k for c in grid.cells] == [24, 20] and not grid.errors
    with warnings.catch_warnings():
        # Chains this short fail the ESS check; the grid records that as a cell warning.
        warnings.simplefilter("ignore", ConvergenceWarning)
        alone = bayes_nma_mcmc(
            data[data.studyn <= 20], likelihood="binomial", study="studyn", treatment="trtn",
            events="r", reference="1", higher_is_better=True, rng=3, **short,
        )  # fmt: skip
    cell = grid.cell("quit", "12m")
    pd.testing.assert_frame_equal(cell.result.to_frame(), alone.to_frame())
    assert grid.to_frame()["tau_median"].notna().all()
    kinds = [w.kind for w in cell.warnings]
    assert ("not_converged" in kinds) == (not alone.converged)


def test_binomial_without_mcmc_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "MCMC_MODULE", "evsynth.synthesis.nma.bayes.not_installed")
    data = pd.read_csv(DATA / "bayes" / "smoking_tsd.csv").assign(outcome="quit", timepoint="1y")
    with pytest.raises(EvsynthError, match="binomial likelihood needs the MCMC engine"):
        bayes_nma_grid(
            data, reference="1", higher_is_better=True, likelihood="binomial",
            study="studyn", treatment="trtn",
        )  # fmt: skip


def test_docstring_example() -> None:
    result = doctest.testmod(grid_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
