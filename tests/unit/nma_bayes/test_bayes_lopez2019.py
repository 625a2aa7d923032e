"""Smoke test on Lopez 2019 (CBT variants for depression; standardised outcome, heterogeneous).

Inputs (tests/data/bayes/, copied from /work/shared/reference/netmeta/): the TSD contrast
layout with treatment codes (``lopez2019_contrasts_for_bayes.csv``) and the arm-level layout
with names (``lopez2019_merged_arms.csv``). There are no reference values: the fit must run, be
finite and fast, and the two layouts of the same data must agree.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from evsynth.synthesis.nma.bayes import (
    BayesNmaResult,
    bayes_nma_normal,
    rhodes2015_smd_general,
)
from tests.conftest import DATA

# Treatment codes of the contrast file, matched to the arm file's names by study, baseline
# standard error and contrast value.
CODES = {
    "1": "TAU",
    "2": "No treatment",
    "3": "Wait list",
    "4": "Placebo",
    "5": "F2F CBT",
    "6": "Hybrid CBT",
    "7": "Multimedia CBT",
}


@pytest.fixture(scope="module")
def arms() -> pd.DataFrame:
    return pd.read_csv(DATA / "bayes" / "lopez2019_merged_arms.csv")


@pytest.fixture(scope="module")
def contrasts() -> pd.DataFrame:
    return pd.read_csv(DATA / "bayes" / "lopez2019_contrasts_for_bayes.csv")


def _fit_arms(arms: pd.DataFrame, **kwargs: object) -> BayesNmaResult:
    # Depression scores: lower is better.
    return bayes_nma_normal(
        arms,
        effect="diff",
        reference="Wait list",
        higher_is_better=False,
        rng=2019,
        **kwargs,
    )


def _finite(fit: BayesNmaResult) -> None:
    frame = fit.to_frame()
    assert np.isfinite(frame.drop(columns=["treatment", "p_better_than_reference"])).all().all()
    assert np.isfinite(fit.relative_effects().drop(columns=["treatment", "comparator"])).all().all()
    assert np.isfinite([fit.resdev, fit.pd, fit.dic, fit.log_marginal_likelihood]).all()
    assert fit.n_datapoints == 77  # 69 two-arm and 4 three-arm studies


@pytest.mark.parametrize("model", ["random", "fixed"])
def test_lopez2019_runs_and_is_finite(arms: pd.DataFrame, model: str) -> None:
    fit = _fit_arms(arms, model=model)
    _finite(fit)
    assert fit.treatments[0] == "Wait list"
    if model == "random":
        assert fit.sd is not None
        assert 0.5 < fit.sd.median < 3  # a very heterogeneous network


def test_lopez2019_with_the_rhodes_prior(arms: pd.DataFrame) -> None:
    fit = _fit_arms(arms, prior_tau=rhodes2015_smd_general())
    _finite(fit)
    assert "t_5(-3.44, 2.59)" in fit.summary().as_text()


def test_both_layouts_agree(arms: pd.DataFrame, contrasts: pd.DataFrame) -> None:
    by_arm = _fit_arms(arms)
    by_contrast = bayes_nma_normal(
        contrasts.assign(trt=contrasts.trt.astype(str).map(CODES)),
        treatment="trt",
        se="se_diff",
        reference="Wait list",
        higher_is_better=False,
        rng=2019,
    )
    assert by_contrast.network.layout == "contrast"
    assert set(by_arm.treatments) == set(by_contrast.treatments)
    order = [by_contrast.treatments.index(t) for t in by_arm.treatments]
    # The contrast file's se_diff are rounded from the arms' standard errors: agreement to 1e-5.
    np.testing.assert_allclose(
        by_contrast.pairwise.mean[np.ix_(order, order)], by_arm.pairwise.mean, atol=1e-5
    )
    np.testing.assert_allclose(by_contrast.sucra[order], by_arm.sucra, atol=1e-5)
    assert by_contrast.resdev == pytest.approx(by_arm.resdev, abs=1e-4)


def test_lopez2019_is_fast(arms: pd.DataFrame) -> None:
    _fit_arms(arms)
    best = min(_timed(arms) for _ in range(5))
    # Milliseconds (about 5-15 ms here); a generous bound that only catches a regression to
    # MCMC-like times on a loaded CI machine.
    assert best < 0.5


def _timed(arms: pd.DataFrame) -> float:
    start = time.perf_counter()
    _fit_arms(arms)
    return time.perf_counter() - start
