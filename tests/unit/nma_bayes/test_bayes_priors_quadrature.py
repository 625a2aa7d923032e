"""Priors on tau and the quadrature over tau: densities, normalisation, accuracy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from evsynth._core.errors import EvsynthError
from evsynth.synthesis.nma.bayes import (
    BayesNmaResult,
    HalfNormalTau,
    LogNormalTau2,
    LogTTau2,
    Quadrature,
    TauPrior,
    UniformTau,
    bayes_nma_normal,
    rhodes2015_smd_general,
    turner2015_general,
)
from evsynth.synthesis.nma.bayes.kernel import condition

PRIORS: list[TauPrior] = [
    UniformTau(5.0),
    HalfNormalTau(0.5),
    LogNormalTau2(-2.56, 1.74),
    LogTTau2(-3.44, 2.59, 5.0),
]


@pytest.mark.parametrize("prior", PRIORS, ids=str)
def test_prior_density_of_tau_matches_scipy(prior: TauPrior) -> None:
    tau = np.array([0.01, 0.2, 0.9, 3.0])
    if isinstance(prior, UniformTau):
        expected = stats.uniform(0, prior.upper).logpdf(tau)
    elif isinstance(prior, HalfNormalTau):
        expected = stats.halfnorm(scale=prior.scale).logpdf(tau)
    elif isinstance(prior, LogNormalTau2):
        # tau^2 ~ lognormal; p(tau) = p(tau^2) 2 tau
        expected = stats.lognorm(prior.sd, scale=np.exp(prior.mean)).logpdf(tau**2)
        expected += np.log(2 * tau)
    else:
        assert isinstance(prior, LogTTau2)
        # log tau^2 ~ t; p(tau) = p_t(log tau^2) 2 / tau
        t = stats.t(prior.df, loc=prior.location, scale=prior.scale)
        expected = t.logpdf(np.log(tau**2)) + np.log(2 / tau)
    np.testing.assert_allclose(prior.log_density_tau(tau), expected, rtol=1e-12)


@pytest.mark.parametrize("prior", PRIORS, ids=str)
def test_prior_integrates_to_one_over_its_bounds(prior: TauPrior) -> None:
    low, high = prior.bounds()
    total, _ = integrate.quad(
        lambda u: float(np.exp(prior.log_density(np.array([u])))[0]), low, high, limit=400
    )
    # TAIL (1e-12) is left out, and for the log-t prior the clipping to |log tau^2| <= 200,
    # which leaves out 3.5e-9 of Rhodes's t_5(-3.44, 2.59) in each tail.
    assert total == pytest.approx(1.0, abs=1e-8)


def test_published_priors() -> None:
    # Rhodes et al. 2015 general setting for SMDs; Turner et al. 2015 general setting (log OR).
    assert rhodes2015_smd_general() == LogTTau2(-3.44, 2.59, 5.0)
    assert turner2015_general() == LogNormalTau2(-2.56, 1.74)
    assert "t_5(-3.44, 2.59)" in rhodes2015_smd_general().describe()


@pytest.mark.parametrize(
    "make",
    [
        lambda: UniformTau(0.0),
        lambda: HalfNormalTau(-1.0),
        lambda: LogNormalTau2(float("nan"), 1.0),
        lambda: LogTTau2(0.0, 1.0, df=0.0),
        lambda: Quadrature(nodes=2),
    ],
)
def test_invalid_settings_are_refused(make: object) -> None:
    with pytest.raises(EvsynthError):
        make()


def _log_post(fit: BayesNmaResult, u: float) -> float:
    prior = fit.prior_tau
    assert prior is not None
    uu = np.array([u])
    cond = condition(fit.network.blocks, len(fit.treatments) - 1, prior.to_tau(uu), 100.0)
    return float(prior.log_density(uu)[0] + cond.log_marginal[0])


def test_tau_quantiles_invert_an_independent_cdf(parkinsons_re: BayesNmaResult) -> None:
    """P(tau <= q_p) by scipy's adaptive quadrature of the unnormalised posterior equals p."""
    fit = parkinsons_re
    assert fit.sd is not None
    top = _log_post(fit, 0.3)

    def density(u: float) -> float:
        return math.exp(_log_post(fit, u) - top)

    total, _ = integrate.quad(density, 0, 5, epsabs=0, epsrel=1e-12, limit=200)
    for prob, q in [(0.025, fit.sd.q025), (0.5, fit.sd.median), (0.975, fit.sd.q975)]:
        below, _ = integrate.quad(density, 0, q, epsabs=0, epsrel=1e-12, limit=200)
        assert below / total == pytest.approx(prob, abs=1e-9)
    mean, _ = integrate.quad(lambda u: u * density(u), 0, 5, epsabs=0, epsrel=1e-12, limit=200)
    assert fit.sd.mean == pytest.approx(mean / total, rel=1e-9)
    # log p(y) = log of the integral of prior x likelihood (the prior density 1/5 is in top)
    assert fit.log_marginal_likelihood == pytest.approx(top + math.log(total), rel=1e-9)


@pytest.mark.parametrize("prior", PRIORS, ids=str)
def test_summaries_do_not_move_when_the_grid_is_refined(
    parkinsons: pd.DataFrame, prior: TauPrior
) -> None:
    kwargs = dict(
        study="studyn",
        treatment="trtn",
        effect="diff",
        se="se_diff",
        reference="1",
        higher_is_better=False,
        prior_tau=prior,
    )
    coarse = bayes_nma_normal(parkinsons, **kwargs)
    fine = bayes_nma_normal(
        parkinsons,
        grid=Quadrature(panels=96, nodes=16, zoom_points=513, tol=1e-12),
        **kwargs,
    )
    assert coarse.sd is not None and fine.sd is not None
    for name in ("mean", "sd", "median", "q025", "q975"):
        assert getattr(coarse.sd, name) == pytest.approx(getattr(fine.sd, name), abs=1e-8)
        np.testing.assert_allclose(
            getattr(coarse.pairwise, name), getattr(fine.pairwise, name), atol=1e-8
        )
    assert coarse.resdev == pytest.approx(fine.resdev, abs=1e-8)
    assert coarse.pd == pytest.approx(fine.pd, abs=1e-8)
    np.testing.assert_allclose(coarse.sucra, fine.sucra, atol=1e-8)


def test_tau_density_integrates_to_one(parkinsons_re: BayesNmaResult) -> None:
    frame = parkinsons_re.tau_density(n=2000)
    assert np.trapezoid(frame["density"], frame["tau"]) == pytest.approx(1.0, abs=2e-3)
    assert (frame["density"] >= -1e-9).all()


def test_half_normal_prior_pulls_tau_down(parkinsons: pd.DataFrame) -> None:
    kwargs = dict(
        study="studyn",
        treatment="trtn",
        effect="diff",
        se="se_diff",
        reference="1",
        higher_is_better=False,
    )
    wide = bayes_nma_normal(parkinsons, **kwargs)
    tight = bayes_nma_normal(
        parkinsons,
        prior_tau=HalfNormalTau(0.1),
        **kwargs,
    )
    assert tight.sd is not None and wide.sd is not None
    assert tight.sd.mean < wide.sd.mean
    assert tight.pairwise.sd[1, 0] < wide.pairwise.sd[1, 0]
    assert "half-Normal(0, 0.1^2)" in tight.summary().as_text()
