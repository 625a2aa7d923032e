"""R-hat, ESS and MCSE against the R package posterior 1.4.0, and the convergence checks.

Reference: ``tests/data/bayes/ref_posterior_diagnostics.json``, written by
``ref_posterior_diagnostics.R`` (posterior 1.4.0, R 4.2.2) from the JAGS smoking draws
(``bayes_smoking_RE_jags_draws.csv``, read as 3 chains x 2,000) and the simulated AR(1) draws of
``ref_diagnostics_ar1.csv`` (4 chains x 1,000). The implementations follow the same algorithm
(Vehtari et al. 2021, doi:10.1214/20-BA1221), so they agree to rounding: 1e-8 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evsynth.synthesis.nma.bayes import mcmc_diagnostics as diag
from tests.conftest import DATA, load_json

REL = 1e-8  # same algorithm in double precision


def _stats(x: np.ndarray) -> dict[str, float]:
    return {
        "rhat": diag.rhat(x),
        "ess_bulk": diag.ess_bulk(x),
        "ess_tail": diag.ess_tail(x),
        "ess_mean": diag.ess_mean(x),
        "ess_q05": diag.ess_quantile(x, 0.05),
        "ess_q95": diag.ess_quantile(x, 0.95),
        "mcse_mean": diag.mcse_mean(x),
        "mcse_sd": diag.mcse_sd(x),
        "mcse_q2.5": diag.mcse_quantile(x, 0.025),
        "mcse_q97.5": diag.mcse_quantile(x, 0.975),
    }


def _compare(actual: dict[str, float], expected: dict[str, float], what: str) -> None:
    for key, value in expected.items():
        assert actual[key] == pytest.approx(value, rel=REL), f"{what} {key}"


@pytest.fixture(scope="module")
def ref() -> dict[str, object]:
    return load_json("bayes/ref_posterior_diagnostics.json")


@pytest.mark.parametrize("column", ["d[2]", "d[3]", "d[4]", "sd"])
def test_jags_draws(ref: dict[str, dict[str, dict[str, float]]], column: str) -> None:
    draws = pd.read_csv(DATA / "bayes" / "bayes_smoking_RE_jags_draws.csv")
    x = draws[column].to_numpy().reshape(3, 2000)  # chains in file order
    _compare(_stats(x), ref["jags"][column], f"jags {column}")


@pytest.mark.parametrize("name", ["ar1", "heavy", "shifted"])
def test_autocorrelated_draws(ref: dict[str, dict[str, float]], name: str) -> None:
    sim = pd.read_csv(DATA / "bayes" / "ref_diagnostics_ar1.csv")
    column = "heavy" if name == "heavy" else "ar1"
    x = sim[column].to_numpy().reshape(4, 1000)
    if name == "shifted":
        x = x.copy()
        x[3] += 1.0
    _compare(_stats(x), ref[name], name)


def test_shifted_chain_fails_rhat(ref: dict[str, dict[str, float]]) -> None:
    # posterior gives R-hat 1.046 for the shifted set and ESS about 250 for rho = 0.9.
    assert ref["shifted"]["rhat"] > diag.RHAT_MAX
    assert ref["ar1"]["ess_bulk"] < diag.ESS_MIN


def test_iid_ess_near_draws() -> None:
    # Independent draws: ESS close to the number of draws, R-hat close to 1.
    x = np.random.default_rng(5).standard_normal((4, 2500))
    assert 0.9 * x.size < diag.ess_bulk(x) < 1.1 * x.size
    assert diag.rhat(x) < 1.005


def test_split_chains_drops_odd_middle() -> None:
    x = np.arange(10.0).reshape(2, 5)
    np.testing.assert_array_equal(diag.split_chains(x), [[0, 1], [5, 6], [3, 4], [8, 9]])


def test_constant_draws_give_nan() -> None:
    assert np.isnan(diag.ess_basic(np.ones((2, 50))))
    assert np.isnan(diag.rhat(np.ones((2, 50))))


def test_bfmi() -> None:
    # A random walk explores energy slowly (small E-BFMI); independent energies give about 2.
    gen = np.random.default_rng(1)
    walk = np.cumsum(gen.standard_normal((2, 1000)), axis=1)
    iid = gen.standard_normal((2, 1000))
    assert np.all(diag.bfmi(walk) < diag.BFMI_MIN)
    assert np.all(np.abs(diag.bfmi(iid) - 2.0) < 0.2)


def test_convergence_problems_words() -> None:
    names = ("d[B]", "sd")
    ok = diag.convergence_problems(
        names,
        np.array([1.0, 1.001]),
        np.array([900.0, 800]),
        np.array([700.0, 600]),
        0,
        np.array([1.0]),
    )
    assert ok == []
    bad = diag.convergence_problems(
        names,
        np.array([1.02, 1.0]),
        np.array([900.0, 100]),
        np.array([700.0, 600]),
        3,
        np.array([0.2]),
    )
    assert len(bad) == 4
    assert "d[B]" in bad[0] and "1.020" in bad[0]
    assert "sd" in bad[1] and "100" in bad[1]
    assert "3 divergent" in bad[2]
    assert "E-BFMI" in bad[3]
