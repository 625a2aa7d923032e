"""The independence Metropolis-Hastings sampler and its nested Laplace proposal.

Its agreement with JAGS is validated in ``tests/validation/test_tsd2_smoking_mcmc.py`` (TSD2's
smoking network, random and fixed effects) and ``test_gemtc_nodesplit.py``-style tests run the
UME and node-splitting models through it; here are the pieces whose mistakes would bias it
silently: a proposal density that does not match its draws, a wrong mode, and the fallback.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from evsynth._core.errors import EvsynthError
from evsynth.synthesis.nma.bayes import laplace_imh, mcmc_fit
from evsynth.synthesis.nma.bayes.mcmc import bayes_nma_mcmc, read_data
from evsynth.synthesis.nma.bayes.mcmc_data import consistency_plan, model_arrays
from evsynth.synthesis.nma.bayes.mcmc_diagnostics import ConvergenceWarning
from evsynth.synthesis.nma.bayes.priors import HalfNormalTau, UniformTau
from tests.conftest import DATA

IS_TOLERANCE = 0.01  # relative error of an importance-sampling identity at 400,000 draws
# TSD2's smoking data: arm rows, treatments 1-4, 1 = no contact (the reference).
SMOKING = {"study": "studyn", "treatment": "trtn", "events": "r", "n": "n", "reference": "1"}


def smoking() -> pd.DataFrame:
    return pd.read_csv(DATA / "bayes" / "smoking_tsd.csv")


def smoking_model(random: bool) -> laplace_imh.LinearModel:
    net = read_data(
        smoking(), likelihood="binomial", effect="diff", se="se", layout="auto", **SMOKING
    )
    arrays, _ = model_arrays(
        net,
        consistency_plan(net),
        prior_d_sd=100.0,
        prior_baseline_sd=100.0,
        prior_tau=np.zeros(3),
        tau_ref=None,
    )
    return laplace_imh.linear_model(
        arrays, random=random, prior_d_sd=100.0, prior_baseline_sd=100.0
    )


def test_log_linear_draws_match_their_density() -> None:
    # E_q[p/q] = integral of p for any density p: fails if the draws do not follow log_q.
    nodes = np.linspace(0.0, 4.0, 33)
    h = nodes[1] - nodes[0]

    def log_p(u: np.ndarray) -> np.ndarray:
        return -((u - 1.3) ** 2) / 0.4 + 0.3 * np.sin(3 * u)

    ell = log_p(nodes)
    gen = np.random.default_rng(7)
    cell, a, log_q = laplace_imh._log_linear_draws(ell - ell.max(), h, 0.05, 400_000, gen)
    u = nodes[cell] + h * a
    assert np.all((u >= 0.0) & (u < 4.0))
    total, _ = integrate.quad(lambda v: math.exp(log_p(np.array(v))), 0.0, 4.0, limit=200)
    estimate = float(np.mean(np.exp(log_p(u) - log_q)))
    assert abs(estimate / total - 1) < IS_TOLERANCE
    # The density integrates to one: E_q[1{u in A} / q] = |A| for A = [0, 4).
    assert abs(float(np.mean(np.exp(-log_q))) / 4.0 - 1) < IS_TOLERANCE


def test_gaussian_draws_log_density() -> None:
    gen = np.random.default_rng(3)
    m = gen.standard_normal((5, 5))
    precision = m @ m.T + 5 * np.eye(5)
    chol = np.linalg.cholesky(precision)
    centre = gen.standard_normal((1000, 5))
    x, log_q = laplace_imh._gaussian_draws(chol, centre, gen)
    cov = np.linalg.inv(precision)
    expected = [stats.multivariate_normal(c, cov).logpdf(v) for c, v in zip(centre, x, strict=True)]
    np.testing.assert_allclose(log_q, expected, rtol=1e-10)
    # and the draws have that covariance
    np.testing.assert_allclose(np.cov((x - centre).T), cov, atol=0.03)


def test_mode_is_a_stationary_point() -> None:
    model = smoking_model(random=True)
    tau = np.array([0.0, 0.4, 1.2])
    fit = laplace_imh.modes(model, tau)
    for g, t in enumerate(tau):
        x = fit.x[g]
        eta = model.a0 @ x + t * (model.az @ x)
        p = 1 / (1 + np.exp(-eta))
        grad = (model.a0 + t * model.az).T @ (
            model.weight * (model.events - model.sizes * p)
        ) - model.precision * x
        assert np.max(np.abs(grad)) < 1e-6
        # the Cholesky factor is of the negative Hessian at the mode
        precision = fit.chol[g] @ fit.chol[g].T
        step = 1e-5
        e = np.zeros(model.k)
        e[0] = step
        up = model.a0 @ (x + e) + t * (model.az @ (x + e))
        p_up = 1 / (1 + np.exp(-up))
        grad_up = (model.a0 + t * model.az).T @ (
            model.weight * (model.events - model.sizes * p_up)
        ) - model.precision * (x + e)
        np.testing.assert_allclose(-(grad_up - grad) / step, precision[:, 0], atol=1e-3)


def test_seeded_and_reproducible() -> None:
    model = smoking_model(random=True)
    kwargs = {"prior": UniformTau(5.0), "chains": 2, "warmup": 50, "samples": 200}
    a = laplace_imh.run_imh(model, seed=11, **kwargs)
    b = laplace_imh.run_imh(model, seed=11, **kwargs)
    c = laplace_imh.run_imh(model, seed=12, **kwargs)
    np.testing.assert_array_equal(a.draws["d"], b.draws["d"])
    assert not np.array_equal(a.draws["d"], c.draws["d"])
    assert a.draws["d"].shape == (2, 200, 3) and a.draws["sd"].shape == (2, 200)
    assert a.draws["lp"].shape == (2, 200, 50)


def test_other_tau_priors_run() -> None:
    # A half-normal prior on tau: the posterior median moves down from U(0, 5)'s 0.81.
    fit = bayes_nma_mcmc(
        smoking(),
        prior_tau=HalfNormalTau(0.5),
        higher_is_better=True,
        rng=5,
        sampler="imh",
        **SMOKING,
    )
    assert fit.sampler.algorithm == "imh" and fit.converged
    assert fit.sd is not None and 0.4 < fit.sd.median < 0.8
    assert fit.to_dict()["sampler"]["algorithm"] == "imh"
    # Summaries and the report name the sampler that ran, not NUTS.
    text = fit.summary().as_text()
    assert "independence Metropolis-Hastings" in text and "NUTS" not in text
    from evsynth.report.nma_bayes_view import engine_statement

    statement = engine_statement(fit)
    assert statement.startswith("MCMC (independence Metropolis-Hastings")
    assert "divergent" not in statement


def test_imh_is_for_binomial_models_only() -> None:
    data = pd.DataFrame(
        {
            "study": ["a", "a", "b", "b"],
            "treatment": ["A", "B", "A", "B"],
            "diff": [np.nan, 0.5, np.nan, 0.3],
            "se": [0.1, 0.2, 0.1, 0.2],
        }
    )
    with pytest.raises(EvsynthError, match="binomial likelihood only"):
        bayes_nma_mcmc(
            data, likelihood="normal", reference="A", higher_is_better=True, sampler="imh"
        )
    with pytest.raises(EvsynthError, match="sampler"):
        bayes_nma_mcmc(smoking(), reference="1", higher_is_better=True, sampler="gibbs")  # type: ignore[arg-type]


def test_auto_falls_back_to_nuts_when_the_imh_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    real = mcmc_fit._imh_sampler

    def stuck(*args: object, **kwargs: object) -> object:
        draws, report = real(*args, **kwargs)  # type: ignore[arg-type]
        # Chains that never move: R-hat undefined, ESS tiny; the checks must catch it.
        return {k: np.repeat(v[:, :1], v.shape[1], axis=1) for k, v in draws.items()}, report

    monkeypatch.setattr(mcmc_fit, "_imh_sampler", stuck)
    kwargs = {
        **SMOKING,
        "model": "fixed",
        "higher_is_better": True,
        "chains": 2,
        "warmup": 200,
        "samples": 400,
        "rng": 3,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        forced = bayes_nma_mcmc(smoking(), sampler="imh", **kwargs)  # type: ignore[arg-type]
        auto = bayes_nma_mcmc(smoking(), **kwargs)  # type: ignore[arg-type]
    assert forced.sampler.algorithm == "imh" and not forced.converged
    assert auto.sampler.algorithm == "nuts"
    assert any("Independence Metropolis-Hastings failed" in note for note in auto.notes)


def test_without_numpyro_the_imh_draws_stand_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    real_sampler = mcmc_fit._imh_sampler

    def stuck(*args: object, **kwargs: object) -> object:
        draws, report = real_sampler(*args, **kwargs)  # type: ignore[arg-type]
        return {k: np.repeat(v[:, :1], v.shape[1], axis=1) for k, v in draws.items()}, report

    real_find_spec = mcmc_fit.importlib.util.find_spec

    def no_numpyro(name: str, *args: object) -> object:
        return None if name == "numpyro" else real_find_spec(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(mcmc_fit, "_imh_sampler", stuck)
    monkeypatch.setattr(mcmc_fit.importlib.util, "find_spec", no_numpyro)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = bayes_nma_mcmc(
            smoking(), model="fixed", higher_is_better=True, rng=3, samples=200, **SMOKING
        )
    assert fit.sampler.algorithm == "imh" and not fit.converged
    assert any("NUTS is not installed" in note for note in fit.notes)
