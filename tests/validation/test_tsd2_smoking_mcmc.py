"""NICE DSU TSD2's smoking cessation example: both MCMC samplers against JAGS 4.3.1.

Each test runs twice: with NUTS (NumPyro) and with the independence Metropolis-Hastings sampler
and its nested Laplace proposal (:mod:`evsynth.synthesis.nma.bayes.laplace_imh`, the default
for binomial models).

Sources (pinned in ``tests/data/bayes/``, provenance in ``README_mcmc.md`` there):

- ``bayes_jags.json`` (``smoking_binom_RE``, ``smoking_binom_FE``): the project's reference run
  of TSD2's binomial-logit model (random and fixed effects) in JAGS 4.3.1, 3 chains x 50,000
  after 10,000 burn-in; d ~ N(0, 100^2), mu ~ N(0, 100^2), sd ~ U(0, 5); with its ESS, rank
  probabilities, SUCRA, residual deviance, pD and DIC with both plug-ins, and the published
  TSD values (``published_TSD4``: Dias et al. 2011/2014, NICE DSU TSD2/TSD4; Med Decis Making
  2013 33:607-617, doi:10.1177/0272989X12458724).
- ``smoking_tsd.csv``: the arm-level data (Hasselblad 1998; TSD2's smoking example).

Both sides carry Monte Carlo error, so each posterior summary must agree within 0.02 or three
combined Monte Carlo SEs (evsynth's from its own ESS, Vehtari et al. 2021; JAGS's from the ESS
its JSON records), whichever is larger; residual deviance within 0.5, DIC within 1 (TSD's
plug-in, the posterior mean of the linear predictor), SUCRA and rank probabilities within 0.02.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evsynth.synthesis.nma.bayes.mcmc import bayes_nma_mcmc
from evsynth.synthesis.nma.bayes.mcmc_diagnostics import mcse_mean
from evsynth.synthesis.nma.bayes.mcmc_result import McmcNmaResult
from tests.conftest import DATA, load_json

MCMC_SUMMARY = 0.02  # posterior mean, sd, median, 2.5% and 97.5% quantiles
MCMC_SE_MULTIPLE = 3.0  # or this many combined Monte Carlo SEs
MCMC_DEVIANCE = 0.5  # posterior mean residual deviance
MCMC_DIC = 1.0
MCMC_PROBABILITY = 0.02  # SUCRA, rank probabilities
PUBLISHED_ROUNDING = 0.005 + 0.02  # two decimals plus WinBUGS' Monte Carlo error
# Settings: NUTS, 4 chains x 1,000 draws after 500 warm-up give ESS above 2,500 for every d and
# sd; the IMH draws are cheaper (about 20 ms per 1,000), 4 x 4,000 give ESS above 6,000.
SETTINGS = {
    "nuts": {"chains": 4, "warmup": 500, "samples": 1000},
    "imh": {"chains": 4, "warmup": 500, "samples": 4000},
}
STATS = {"mean": "mean", "sd": "sd", "median": "median", "q2.5": "q025", "q97.5": "q975"}
PROBS = {"q2.5": 0.025, "median": 0.5, "q97.5": 0.975}


def fit_smoking(model: str, sampler: str, seed: int = 2024) -> McmcNmaResult:
    data = pd.read_csv(DATA / "bayes" / "smoking_tsd.csv")
    # Treatments 1-4: no contact, self-help, individual and group counselling (TSD2).
    return bayes_nma_mcmc(
        data,
        study="studyn",
        treatment="trtn",
        events="r",
        n="n",
        reference="1",
        model=model,  # type: ignore[arg-type]
        higher_is_better=True,
        rng=seed,
        sampler=sampler,  # type: ignore[arg-type]
        **SETTINGS[sampler],
    )


@pytest.fixture(scope="module", params=["imh", "nuts"])
def fits(request: pytest.FixtureRequest) -> dict[str, McmcNmaResult]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ConvergenceWarning fails the validation
        out = {
            "RE": fit_smoking("random", request.param),
            "FE": fit_smoking("fixed", request.param),
        }
    assert all(f.sampler.algorithm == request.param for f in out.values())
    return out


@pytest.fixture(scope="module")
def ref() -> dict[str, object]:
    return load_json("bayes/bayes_jags.json")


def _jags_mcse(stat: str, summary: dict[str, float], ess: float) -> float:
    """JAGS's Monte Carlo SE of a summary from its ESS (normal approximation for quantiles)."""
    sd = summary["sd"]
    if stat == "mean":
        return sd / math.sqrt(ess)
    if stat == "sd":
        return sd / math.sqrt(2 * ess)
    p = PROBS[stat]
    density = stats.norm.pdf(stats.norm.ppf(p)) / sd
    return math.sqrt(p * (1 - p) / ess) / density


def _check(
    fit: McmcNmaResult, k: int, j: int, stat: str, expected: dict[str, float], ess: float, what: str
) -> None:
    actual = float(getattr(fit.pairwise, STATS[stat])[k, j])
    mcse = float(getattr(fit.pairwise_mcse, STATS[stat])[k, j])
    tol = max(MCMC_SUMMARY, MCMC_SE_MULTIPLE * math.hypot(mcse, _jags_mcse(stat, expected, ess)))
    assert abs(actual - expected[stat]) <= tol, (
        f"{what} {stat}: evsynth {actual:.4f} vs JAGS {expected[stat]:.4f} (tol {tol:.4f})"
    )


@pytest.mark.parametrize("model", ["RE", "FE"])
def test_basic_parameters(
    fits: dict[str, McmcNmaResult], ref: dict[str, object], model: str
) -> None:
    # bayes_jags.json smoking_binom_{RE,FE}.posterior: d2..d4 (treatment k versus 1).
    r = ref[f"smoking_binom_{model}"]
    assert isinstance(r, dict)
    for k in (2, 3, 4):
        for stat in STATS:
            _check(
                fits[model],
                k - 1,
                0,
                stat,
                r["posterior"][f"d{k}"],
                r["ess"][f"d[{k}]"],
                f"{model} d{k}",
            )


def test_every_pairwise_contrast(fits: dict[str, McmcNmaResult], ref: dict[str, object]) -> None:
    # bayes_jags.json smoking_binom_RE.all_pairwise_logOR: d_ab = d_b - d_a; JAGS's ESS of a
    # contrast is not recorded, the smallest of the d's stands in.
    r = ref["smoking_binom_RE"]
    assert isinstance(r, dict)
    ess = min(r["ess"][f"d[{k}]"] for k in (2, 3, 4))
    for name, summary in r["all_pairwise_logOR"].items():
        a, b = int(name[1]), int(name[2])
        for stat in STATS:
            _check(fits["RE"], b - 1, a - 1, stat, summary, ess, f"RE {name}")


def test_between_study_sd(fits: dict[str, McmcNmaResult], ref: dict[str, object]) -> None:
    # bayes_jags.json smoking_binom_RE.posterior.sd: median 0.814 (0.545, 1.282).
    r = ref["smoking_binom_RE"]
    assert isinstance(r, dict)
    expected, ess = r["posterior"]["sd"], r["ess"]["sd"]
    fit = fits["RE"]
    assert fit.sd is not None and fit.sd_mcse is not None
    for stat, field in STATS.items():
        actual, mcse = getattr(fit.sd, field), getattr(fit.sd_mcse, field)
        tol = max(
            MCMC_SUMMARY, MCMC_SE_MULTIPLE * math.hypot(mcse, _jags_mcse(stat, expected, ess))
        )
        assert abs(actual - expected[stat]) <= tol, (
            f"sd {stat}: {actual:.4f} vs {expected[stat]:.4f}"
        )


def test_deviance_and_dic(fits: dict[str, McmcNmaResult], ref: dict[str, object]) -> None:
    re, fe = ref["smoking_binom_RE"], ref["smoking_binom_FE"]
    assert isinstance(re, dict) and isinstance(fe, dict)
    fit = fits["RE"]
    assert fit.n_datapoints == re["n_datapoints"] == 50
    # The posterior mean deviance has a Monte Carlo SE of about 0.25 at 4,000 draws (ESS about
    # 1,700), DIC = 2 Dbar - D(plug-in) twice that: the tolerances widen to three SEs if that
    # is more than 0.5 and 1.
    se = mcse_mean(fit.posterior["resdev"])
    tol_dev, tol_dic = max(MCMC_DEVIANCE, 3 * se), max(MCMC_DIC, 6 * se)
    # totresdev_mean 54.12; TSD's plug-in (posterior mean of the linear predictor): pD 44.98,
    # DIC 99.10; fitted-probability plug-in (gemtc, multinma): pD 43.87, DIC 98.00.
    assert abs(fit.resdev - re["totresdev_mean"]) <= tol_dev
    assert fit.plugin == "linear_predictor"
    assert abs(fit.dic - re["DIC_at_mean_linear_predictor"]) <= tol_dic
    assert abs(fit.pd - re["pD_at_mean_linear_predictor"]) <= tol_dic
    pd_fitted, dic_fitted = fit.plugins["fitted"]
    assert abs(dic_fitted - re["DIC_tsd"]) <= tol_dic
    assert abs(pd_fitted - re["pD_tsd"]) <= tol_dic
    # The two plug-ins differ by about 1.1 in pD (the reference's 44.98 - 43.87).
    assert 0.8 < fit.pd - pd_fitted < 1.4
    # Fixed effect: totresdev_mean 267.29, DIC 294.37 (fitted plug-in, as pD_tsd above).
    fe_fit = fits["FE"]
    se = mcse_mean(fe_fit.posterior["resdev"])
    assert abs(fe_fit.resdev - fe["totresdev_mean"]) <= max(MCMC_DEVIANCE, 3 * se)
    assert abs(fe_fit.plugins["fitted"][1] - fe["DIC_tsd"]) <= max(MCMC_DIC, 6 * se)


def test_published_tsd_values(fits: dict[str, McmcNmaResult], ref: dict[str, object]) -> None:
    # published_TSD4: d_AB 0.49 (-0.29, 1.31), d_AC 0.84 (0.39, 1.34), d_AD 1.10 (0.26, 2.00),
    # sd median 0.82 (0.55, 1.27); residual deviance 54, pD 45, DIC 99 (whole numbers).
    r = ref["smoking_binom_RE"]
    assert isinstance(r, dict)
    pub = r["published_TSD4"]
    fit = fits["RE"]
    for name, (k, j) in {"dAB": (1, 0), "dAC": (2, 0), "dAD": (3, 0), "dCD": (3, 2)}.items():
        tol = PUBLISHED_ROUNDING + MCMC_SE_MULTIPLE * float(fit.pairwise_mcse.q975[k, j])
        assert abs(fit.pairwise.mean[k, j] - pub[name]["mean"]) <= tol, name
        assert abs(fit.pairwise.q025[k, j] - pub[name]["lo"]) <= tol, name
        assert abs(fit.pairwise.q975[k, j] - pub[name]["hi"]) <= tol, name
    assert fit.sd is not None
    assert abs(fit.sd.median - pub["sd"]["median"]) <= PUBLISHED_ROUNDING
    assert abs(fit.resdev - pub["resdev"]) <= 0.5 + MCMC_DEVIANCE
    assert abs(fit.pd - pub["pD"]) <= 0.5 + MCMC_DIC
    assert abs(fit.dic - pub["DIC"]) <= 0.5 + MCMC_DIC


def test_ranks_and_sucra(fits: dict[str, McmcNmaResult], ref: dict[str, object]) -> None:
    # bayes_jags.json smoking_binom_RE.rank_prob (row: treatment 1-4, column: rank 1-4, rank 1
    # best with higher log odds of quitting) and sucra.
    r = ref["smoking_binom_RE"]
    assert isinstance(r, dict)
    fit = fits["RE"]
    np.testing.assert_allclose(fit.rank_probabilities, r["rank_prob"], atol=MCMC_PROBABILITY)
    np.testing.assert_allclose(fit.sucra, r["sucra"], atol=MCMC_PROBABILITY)
    np.testing.assert_allclose(fit.ranks().sucra, r["sucra"], atol=MCMC_PROBABILITY)


def test_converged(fits: dict[str, McmcNmaResult]) -> None:
    for fit in fits.values():
        assert fit.converged, fit.convergence_problems()
        assert fit.sampler.divergences == 0
        if fit.sampler.algorithm == "imh":
            # A proposal this close to the posterior accepts most moves (0.5 RE, 0.7 FE).
            assert fit.sampler.acceptance is not None
            assert float(fit.sampler.acceptance.min()) > 0.3
