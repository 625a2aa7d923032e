"""Mixture-of-normals summaries: quantiles, pairwise probabilities, SUCRA, rank sampling."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, special

from evsynth.synthesis.nma.bayes import BayesNmaResult
from evsynth.synthesis.nma.bayes.mixture import (
    beats,
    mixture_cdf,
    mixture_moments,
    mixture_quantile,
    rank_probabilities,
    sample_mixture,
    stratified_components,
    sucra,
)


def _random_mixture(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(30))
    mu = rng.normal(0, 2, (30, 5))
    sd = rng.uniform(0.05, 1.5, (30, 5))
    return weights, mu, sd


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("prob", [0.001, 0.025, 0.5, 0.975, 0.999])
def test_mixture_quantile_matches_brentq(seed: int, prob: float) -> None:
    weights, mu, sd = _random_mixture(seed)
    got = mixture_quantile(prob, weights, mu, sd)
    for q in range(mu.shape[1]):

        def f(x: float, q: int = q) -> float:
            return float(weights @ special.ndtr((x - mu[:, q]) / sd[:, q])) - prob

        expected = optimize.brentq(f, -50, 50, xtol=1e-14)
        assert got[q] == pytest.approx(expected, abs=1e-10)
    np.testing.assert_allclose(mixture_cdf(got, weights, mu, sd), prob, atol=1e-12)


def test_mixture_moments_match_sampling() -> None:
    weights, mu, sd = _random_mixture(4)
    rng = np.random.default_rng(0)
    comp = rng.choice(len(weights), size=400_000, p=weights)
    draws = mu[comp] + sd[comp] * rng.standard_normal((400_000, 5))
    mean, spread = mixture_moments(weights, mu, sd)
    assert np.all(np.abs(mean - draws.mean(axis=0)) <= 4 * spread / np.sqrt(400_000))
    np.testing.assert_allclose(spread, draws.std(axis=0), rtol=5e-3)


def test_beats_is_a_probability_matrix(parkinsons_re: BayesNmaResult) -> None:
    p = parkinsons_re.prob_beats
    assert np.all(np.diag(p) == 0)
    off = ~np.eye(len(p), dtype=bool)
    np.testing.assert_allclose((p + p.T)[off], 1.0, atol=1e-14)


def test_sucra_and_mean_rank_identity(parkinsons_re: BayesNmaResult) -> None:
    n = len(parkinsons_re.treatments)
    s, mean_rank = sucra(parkinsons_re.prob_beats)
    np.testing.assert_allclose(s, (n - mean_rank) / (n - 1))
    assert mean_rank.sum() == pytest.approx(n * (n + 1) / 2)


def test_direction_reverses_the_ranking(parkinsons_re: BayesNmaResult) -> None:
    from evsynth.synthesis.nma.bayes.mixture import full_parameters

    mean, cov = full_parameters(parkinsons_re.mixture_mean, parkinsons_re.mixture_cov)
    lower = beats(parkinsons_re.weights, mean, cov, higher_is_better=False)
    higher = beats(parkinsons_re.weights, mean, cov, higher_is_better=True)
    np.testing.assert_allclose(lower, higher.T, atol=1e-14)


def test_exact_sucra_agrees_with_monte_carlo(parkinsons_re: BayesNmaResult) -> None:
    ranks = parkinsons_re.ranks(n_draws=200_000, rng=11)
    np.testing.assert_allclose(ranks.probabilities.sum(axis=1), 1.0)
    np.testing.assert_allclose(ranks.probabilities.sum(axis=0), 1.0)
    # SUCRA from 200,000 draws: Monte Carlo SE below 0.001.
    np.testing.assert_allclose(ranks.sucra_mc, ranks.sucra, atol=4e-3)
    assert ranks.mcse.max() <= 0.5 / np.sqrt(200_000) + 1e-12


def test_stratified_components_follow_the_weights() -> None:
    weights = np.array([0.1, 0.0, 0.6, 0.3])
    idx = stratified_components(weights, 1000, np.random.default_rng(3))
    counts = np.bincount(idx, minlength=4)
    # Systematic sampling: each count within one of n * weight.
    assert np.all(np.abs(counts - 1000 * weights) <= 1)


def test_sampling_the_mixture_reproduces_its_moments(parkinsons_re: BayesNmaResult) -> None:
    fit = parkinsons_re
    draws, _ = sample_mixture(
        fit.weights, fit.mixture_mean, fit.mixture_cov, 200_000, np.random.default_rng(5)
    )
    exact_mean = fit.pairwise.mean[1:, 0]
    exact_sd = fit.pairwise.sd[1:, 0]
    assert np.all(np.abs(draws.mean(axis=0) - exact_mean) <= 4 * exact_sd / np.sqrt(2e5))
    np.testing.assert_allclose(draws.std(axis=0), exact_sd, rtol=1e-2)


def test_rank_probabilities_count_orders() -> None:
    draws = np.array([[0.0, 1.0, 2.0], [0.0, 2.0, 1.0]])
    probs = rank_probabilities(draws, higher_is_better=True)
    np.testing.assert_allclose(probs, [[0, 0, 1], [0.5, 0.5, 0], [0.5, 0.5, 0]])
