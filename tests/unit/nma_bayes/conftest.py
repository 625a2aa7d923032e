"""Shared fixtures for the exact Bayesian NMA tests: TSD2's Parkinson's data and a small net."""

from __future__ import annotations

import pandas as pd
import pytest

from evsynth.synthesis.nma.bayes import BayesNmaResult, bayes_nma_normal
from tests.conftest import DATA


@pytest.fixture(scope="session")
def parkinsons() -> pd.DataFrame:
    """TSD2's Parkinson's data (tests/data/bayes/parkinsons_tsd.csv): arm and contrast columns."""
    return pd.read_csv(DATA / "bayes" / "parkinsons_tsd.csv")


@pytest.fixture(scope="session")
def parkinsons_re(parkinsons: pd.DataFrame) -> BayesNmaResult:
    return bayes_nma_normal(
        parkinsons,
        study="studyn",
        treatment="trtn",
        effect="diff",
        se="se_diff",
        reference="1",
        higher_is_better=False,
        rng=7,
    )


@pytest.fixture(scope="session")
def parkinsons_fe(parkinsons: pd.DataFrame) -> BayesNmaResult:
    return bayes_nma_normal(
        parkinsons,
        study="studyn",
        treatment="trtn",
        effect="diff",
        se="se_diff",
        reference="1",
        model="fixed",
        higher_is_better=False,
        rng=7,
    )
