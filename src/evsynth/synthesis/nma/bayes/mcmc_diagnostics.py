r"""Diagnostics of MCMC fits: convergence (split R-hat, bulk and tail ESS, MCSE) and deviance.

NumPy only. The convergence functions take draws as an array ``(chains, draws)`` of one scalar
quantity; the deviance functions (end of the module) give TSD2's residual deviance, and the
deviance at the plug-ins of pD and DIC, from a fit's draws.

The convergence methods are those of Vehtari A, Gelman A, Simpson D, Carpenter B, Bürkner P-C (2021),
"Rank-normalization, folding, and localization: an improved R-hat for assessing convergence of
MCMC", Bayesian Analysis 16:667-718, doi:10.1214/20-BA1221, computed as the R package
``posterior`` 1.4.0 computes them (``tests/data/bayes/ref_posterior_diagnostics.json`` holds its
values on pinned draws, and the unit tests compare to 1e-8).

Definitions
-----------
Split chains
    Each chain is cut into its first and second halves (the middle draw of an odd length is
    dropped), so that a trend within a chain shows as disagreement between chains.
Rank normalisation
    :math:`z = \Phi^{-1}\big((r - 3/8)/(S + 1/4)\big)`, with :math:`r` the rank of a draw among
    all :math:`S` draws (ties averaged; Blom 1958).
R-hat
    With :math:`M` chains of :math:`N` draws, between-chain variance :math:`B` and mean
    within-chain variance :math:`W`,

    .. math::

        \hat R = \sqrt{\frac{\frac{N - 1}{N} W + \frac{1}{N} B}{W}};

    reported as the larger of the bulk R-hat (on the rank-normalised split chains) and the tail
    R-hat (the same on the folded draws :math:`|x - \operatorname{median}(x)|`).
Effective sample size
    :math:`\text{ESS} = MN / \hat\tau`, :math:`\hat\tau = -1 + 2\sum_{t=0}^{K}\hat\rho_t + \hat
    \rho_{K+1}`, with the multi-chain autocorrelations :math:`\hat\rho_t = 1 - (W - \bar
    \gamma_t)/\widehat{\operatorname{var}}^+` truncated by Geyer's (1992) initial positive
    sequence and made monotone (Geyer's initial monotone sequence); :math:`\hat\tau` is
    bounded below by :math:`1/\log_{10}(MN)`. Bulk ESS applies it to the rank-normalised split
    chains, tail ESS is the smaller of the ESS of the indicators :math:`I(x \le q_{0.05})` and
    :math:`I(x \le q_{0.95})`.
Monte Carlo standard errors
    Of the mean: :math:`\operatorname{sd}(x)/\sqrt{\text{ESS}_{\text{mean}}}` (ESS of the split
    chains, no rank normalisation). Of a quantile :math:`q_p` (Vehtari et al. 2021, section
    4.3): half the distance between the draws at the 15.9% and 84.1% quantiles of
    :math:`\text{Beta}(\text{ESS}_p\,p + 1, \text{ESS}_p(1 - p) + 1)`, with :math:`\text{ESS}_p`
    the ESS of :math:`I(x \le q_p)`. Of the standard deviation: the delta method on the
    variance, :math:`\sqrt{(\overline{c^4} - \overline{c^2}^2)/(4\,\text{ESS}(c^2)\,
    \overline{c^2})}` with :math:`c = x - \bar x` (posterior 1.4.0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas import DataFrame
from scipy import special, stats

from evsynth.synthesis.nma.bayes.mcmc_data import Arrays

FloatArray = npt.NDArray[np.float64]

# One-sd probabilities of the standard normal, as posterior's .mcse_quantile uses them.
_ONE_SD = (0.1586553, 0.8413447)


def _as_chains(x: npt.ArrayLike) -> FloatArray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"draws must be (chains, draws), not shape {arr.shape}")
    return arr


def split_chains(x: npt.ArrayLike) -> FloatArray:
    """Cut each chain into two halves: (M, N) -> (2M, N // 2), dropping an odd middle draw."""
    arr = _as_chains(x)
    n = arr.shape[1]
    if n < 2:
        return arr
    half = n // 2
    return np.concatenate([arr[:, :half], arr[:, n - half :]], axis=0)


def rank_normalise(x: npt.ArrayLike) -> FloatArray:
    r"""Blom's normal scores of the pooled ranks: :math:`\Phi^{-1}((r - 3/8)/(S + 1/4))`."""
    arr = _as_chains(x)
    ranks = stats.rankdata(arr, method="average").reshape(arr.shape)
    return np.asarray(special.ndtri((ranks - 0.375) / (arr.size + 0.25)), dtype=np.float64)


def autocovariance(x: FloatArray) -> FloatArray:
    """Autocovariance of each row by FFT, normalised as posterior's ``autocovariance``."""
    n = x.shape[-1]
    centred = x - x.mean(axis=-1, keepdims=True)
    size = 2 * _next_fast_len(n)
    spectrum = np.fft.rfft(centred, n=size, axis=-1)
    acov = np.fft.irfft(np.abs(spectrum) ** 2, n=size, axis=-1)[..., :n]
    # Scaled so that lag 0 is the variance with divisor n (biased), as posterior does.
    var = centred.var(axis=-1, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = acov / acov[..., :1] * (var * (n - 1) / n)[..., None]
    return np.asarray(np.where(var[..., None] > 0, out, 0.0), dtype=np.float64)


def _next_fast_len(n: int) -> int:
    # R's nextn(): the smallest integer >= n with prime factors 2, 3 and 5 only.
    m = n
    while True:
        k = m
        for p in (2, 3, 5):
            while k % p == 0:
                k //= p
        if k == 1:
            return m
        m += 1


def ess_basic(x: npt.ArrayLike) -> float:
    """Multi-chain ESS of ``x`` as given (no splitting or normalisation): posterior's ``.ess``."""
    arr = _as_chains(x)
    m, n = arr.shape
    if n < 3 or not np.all(np.isfinite(arr)) or np.ptp(arr) == 0:
        return math.nan
    acov = autocovariance(arr)
    acov_means = acov.mean(axis=0)
    mean_var = acov_means[0] * n / (n - 1)
    var_plus = mean_var * (n - 1) / n
    if m > 1:
        var_plus += float(arr.mean(axis=1).var(ddof=1))
    rho = np.zeros(n)
    rho[0] = 1.0
    even, odd = 1.0, 1.0 - (mean_var - acov_means[1]) / var_plus
    rho[1] = odd
    t = 0
    # Geyer's initial positive sequence: sums of adjacent pairs of autocorrelations.
    while t < n - 5 and not math.isnan(even + odd) and even + odd > 0:
        t += 2
        even = 1.0 - (mean_var - acov_means[t]) / var_plus
        odd = 1.0 - (mean_var - acov_means[t + 1]) / var_plus
        if even + odd >= 0:
            rho[t], rho[t + 1] = even, odd
    max_t = t
    if even > 0:
        rho[max_t] = even
    # Geyer's initial monotone sequence.
    t = 0
    while t <= max_t - 4:
        t += 2
        if rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]:
            rho[t] = rho[t + 1] = (rho[t - 2] + rho[t - 1]) / 2
    total = m * n
    # R's rho[1:max_t] is rho[1] alone when max_t = 0.
    head = float(rho[:max_t].sum()) if max_t > 0 else float(rho[0])
    tau = -1.0 + 2.0 * head + float(rho[max_t])
    tau = max(tau, 1.0 / math.log10(total))
    return float(total / tau)


def ess_bulk(x: npt.ArrayLike) -> float:
    """Bulk ESS: the ESS of the rank-normalised split chains (Vehtari et al. 2021)."""
    return ess_basic(rank_normalise(split_chains(x)))


def ess_quantile(x: npt.ArrayLike, prob: float) -> float:
    """ESS of the indicator :math:`I(x \\le q_p)` on the split chains."""
    arr = _as_chains(x)
    if prob == 1:
        prob = (arr.size - 0.5) / arr.size
    indicator = (arr <= np.quantile(arr, prob)).astype(np.float64)
    return ess_basic(split_chains(indicator))


def ess_tail(x: npt.ArrayLike) -> float:
    """Tail ESS: the smaller ESS of the 5% and 95% quantile indicators."""
    return min(ess_quantile(x, 0.05), ess_quantile(x, 0.95))


def ess_mean(x: npt.ArrayLike) -> float:
    """ESS for the mean: the split chains without rank normalisation."""
    return ess_basic(split_chains(x))


def _rhat_basic(x: FloatArray) -> float:
    m, n = x.shape
    if n < 2 or not np.all(np.isfinite(x)):
        return math.nan
    chain_mean = x.mean(axis=1)
    within = float(x.var(axis=1, ddof=1).mean())
    if within == 0:
        return math.nan
    between = n * float(chain_mean.var(ddof=1)) if m > 1 else 0.0
    return math.sqrt((between / within + n - 1) / n)


def rhat(x: npt.ArrayLike) -> float:
    """Rank-normalised split R-hat: the larger of the bulk and the folded (tail) R-hat."""
    arr = _as_chains(x)
    bulk = _rhat_basic(rank_normalise(split_chains(arr)))
    folded = np.abs(arr - np.median(arr))
    tail = _rhat_basic(rank_normalise(split_chains(folded)))
    return max(bulk, tail)


def mcse_mean(x: npt.ArrayLike) -> float:
    """Monte Carlo standard error of the posterior mean."""
    arr = _as_chains(x)
    return float(arr.std(ddof=1)) / math.sqrt(ess_mean(arr))


def mcse_sd(x: npt.ArrayLike) -> float:
    """Monte Carlo standard error of the posterior standard deviation (delta method)."""
    arr = _as_chains(x)
    centred = arr - arr.mean()
    second = float(np.mean(centred**2))
    ess = ess_mean(centred**2)
    varvar = (float(np.mean(centred**4)) - second**2) / ess
    if not (math.isfinite(varvar) and varvar >= 0 and second > 0):
        return math.nan  # chains that do not move (or too few draws): no estimate
    return math.sqrt(varvar / second / 4)


def mcse_quantile(x: npt.ArrayLike, prob: float) -> float:
    """Monte Carlo standard error of the ``prob`` quantile (Vehtari et al. 2021, section 4.3)."""
    arr = _as_chains(x)
    ess = ess_quantile(arr, prob)
    if not math.isfinite(ess):
        return math.nan
    low, high = stats.beta.ppf(_ONE_SD, ess * prob + 1, ess * (1 - prob) + 1)
    ordered = np.sort(arr, axis=None)
    size = ordered.size
    th1 = ordered[max(math.floor(low * size), 1) - 1]
    th2 = ordered[min(math.ceil(high * size), size) - 1]
    return float(th2 - th1) / 2


# Thresholds of Vehtari et al. (2021), section 4: R-hat below 1.01 and bulk and tail ESS above
# 100 per chain (400 for four chains) before trusting the summaries.
RHAT_MAX = 1.01
ESS_MIN = 400.0
# E-BFMI below 0.3 signals a poorly explored energy distribution (Betancourt 2016,
# arXiv:1604.00695).
BFMI_MIN = 0.3


class ConvergenceWarning(UserWarning):
    """MCMC draws that fail the convergence checks; the result also carries the same note."""


def bfmi(energy: npt.ArrayLike) -> FloatArray:
    r"""Energy Bayesian fraction of missing information of each chain (Betancourt 2016).

    .. math::

        \text{E-BFMI} = \frac{\sum_t (E_t - E_{t-1})^2}{\sum_t (E_t - \bar E)^2}
    """
    e = _as_chains(energy)
    num = np.sum(np.diff(e, axis=1) ** 2, axis=1)
    den = np.sum((e - e.mean(axis=1, keepdims=True)) ** 2, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(num / den, dtype=np.float64)


def convergence_problems(
    names: tuple[str, ...],
    rhat_values: FloatArray,
    bulk: FloatArray,
    tail: FloatArray,
    divergences: int,
    bfmi_values: FloatArray,
) -> list[str]:
    """Plain-language notes on every failed check (empty when the draws pass them all)."""
    out: list[str] = []
    bad = [n for n, r in zip(names, rhat_values, strict=True) if not r <= RHAT_MAX]
    if bad:
        worst = float(np.nanmax(rhat_values))
        out.append(
            f"R-hat above {RHAT_MAX} for {', '.join(bad)} (largest {worst:.3f}): the chains "
            "disagree; run longer (more warmup and samples) before using these results."
        )
    low = [
        n for n, b, t in zip(names, bulk, tail, strict=True) if not (b >= ESS_MIN and t >= ESS_MIN)
    ]
    if low:
        smallest = float(np.nanmin(np.minimum(bulk, tail)))
        out.append(
            f"Bulk or tail ESS below {ESS_MIN:.0f} for {', '.join(low)} (smallest {smallest:.0f}): "
            "too few effective draws for reliable intervals; increase samples."
        )
    if divergences:
        out.append(
            f"{divergences} divergent transitions after warm-up: the posterior may be biased; "
            "raise target_accept (e.g. 0.95)."
        )
    if np.any(np.asarray(bfmi_values) < BFMI_MIN):
        out.append(
            f"E-BFMI below {BFMI_MIN} in some chain (min {float(np.nanmin(bfmi_values)):.2f}): "
            "the sampler explores the tails poorly."
        )
    return out


@dataclass(frozen=True, slots=True)
class ParameterDiagnostics:
    """R-hat, bulk and tail ESS and the MCSE of the mean of each monitored parameter."""

    names: tuple[str, ...]
    rhat: FloatArray
    ess_bulk: FloatArray
    ess_tail: FloatArray
    mcse_mean: FloatArray

    @classmethod
    def from_draws(cls, columns: dict[str, FloatArray]) -> ParameterDiagnostics:
        values = list(columns.values())
        return cls(
            tuple(columns),
            np.array([rhat(x) for x in values]),
            np.array([ess_bulk(x) for x in values]),
            np.array([ess_tail(x) for x in values]),
            np.array([mcse_mean(x) for x in values]),
        )

    def to_frame(self) -> DataFrame:
        return pd.DataFrame(
            {
                "parameter": list(self.names),
                "rhat": self.rhat,
                "ess_bulk": self.ess_bulk,
                "ess_tail": self.ess_tail,
                "mcse_mean": self.mcse_mean,
            }
        )


@dataclass(frozen=True, slots=True)
class SamplerReport:
    """How the draws were made: the sampler's settings, its statistics, and the time spent.

        ``algorithm`` is ``"nuts"`` (NumPyro) or ``"imh"`` (independence Metropolis-Hastings with
        the nested Laplace proposal, :mod:`.laplace_imh`). The NUTS fields (step size, tree depth,
        divergences, E-BFMI) are empty or zero for the IMH, whose own are ``acceptance`` (share of
        proposals accepted, per chain), ``proposal_efficiency`` (Kish's effective sample size of
        the importance weights over the number of proposals), ``thin`` (proposals per kept draw)
        ``cells`` (grid cells over the between-study sd) and ``setup_s`` (building the proposal,
    included in ``run_s``). ``mean_steps`` counts gradient
        evaluations per draw for NUTS and proposals per draw for the IMH.
    """

    chains: int
    warmup: int
    samples: int
    chain_method: str
    dense_mass: bool
    target_accept: float
    max_tree_depth: int
    divergences: int
    tree_depth_hits: int
    step_size: FloatArray
    bfmi: FloatArray
    mean_steps: float
    warmup_steps: int
    sampling_steps: int
    trace_s: float
    compile_s: float
    run_s: float
    cached: bool
    reference_tau: float | None
    algorithm: str = "nuts"
    acceptance: FloatArray | None = None
    proposal_efficiency: float | None = None
    thin: int = 1
    cells: int | None = None
    setup_s: float = 0.0

    def describe(self, seed: int) -> str:
        """How the draws were made, in a few words, for summaries and reports."""
        if self.algorithm == "imh":
            accept = ""
            if self.acceptance is not None and len(self.acceptance):
                low, high = float(np.min(self.acceptance)), float(np.max(self.acceptance))
                accept = f", acceptance {low:.2f}-{high:.2f}"
            return (
                "independence Metropolis-Hastings with a nested Laplace proposal, "
                f"{self.chains} chains x {self.samples} draws, every {self.thin}th of the "
                f"proposals after {self.warmup}{accept}, seed {seed}"
            )
        return (
            f"NumPyro NUTS, {self.chains} chains x {self.samples} draws after {self.warmup} "
            f"warm-up, seed {seed}"
        )

    def to_dict(self) -> dict[str, Any]:
        if self.algorithm == "imh":
            return {
                "algorithm": self.algorithm,
                "chains": self.chains,
                "warmup": self.warmup,
                "samples": self.samples,
                "thin": self.thin,
                "cells": self.cells,
                "acceptance": [float(a) for a in self.acceptance]
                if self.acceptance is not None
                else None,
                "proposal_efficiency": self.proposal_efficiency,
                "setup_s": self.setup_s,
                "run_s": self.run_s,
            }
        return {
            "algorithm": self.algorithm,
            "chains": self.chains,
            "warmup": self.warmup,
            "samples": self.samples,
            "chain_method": self.chain_method,
            "dense_mass": self.dense_mass,
            "target_accept": self.target_accept,
            "max_tree_depth": self.max_tree_depth,
            "divergences": self.divergences,
            "tree_depth_hits": self.tree_depth_hits,
            "step_size": [float(s) for s in self.step_size],
            "bfmi": [float(b) for b in self.bfmi],
            "mean_steps": self.mean_steps,
            "trace_s": self.trace_s,
            "compile_s": self.compile_s,
            "run_s": self.run_s,
            "cached": self.cached,
        }


# -------------------- model fit: residual deviance, pD, DIC --------------------


def _log_sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(-np.logaddexp(0.0, -x), dtype=np.float64)


def binomial_deviance(
    events: FloatArray, sizes: FloatArray, log_p: FloatArray, log_q: FloatArray
) -> FloatArray:
    r"""Residual deviance of each arm (TSD2):

    .. math::

        D = 2\Big[r \log\frac{r}{\hat r} + (n - r)\log\frac{n - r}{n - \hat r}\Big],
        \qquad \hat r = n p,

    from :math:`\log p` and :math:`\log(1 - p)` (stable for extreme linear predictors), with
    :math:`0 \log 0 = 0`.
    """
    rest = sizes - events
    log_n = np.log(sizes)
    term1 = special.xlogy(events, events) - events * (log_n + log_p)
    term2 = special.xlogy(rest, rest) - rest * (log_n + log_q)
    return np.asarray(2.0 * (term1 + term2), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Deviance:
    """Posterior mean residual deviance and the two plug-in deviances, per data point."""

    mean: FloatArray  # posterior mean residual deviance of each data point (or unit)
    at_linear_predictor: FloatArray  # deviance at the posterior mean of the linear predictor
    at_fitted: FloatArray  # deviance at the posterior mean of the fitted values
    draws: FloatArray  # (chains, draws) total residual deviance


def binomial_deviances(arrays: Arrays, lp: FloatArray) -> Deviance:
    """Deviances from the linear predictor draws ``lp`` (chains, draws, arms); unused arms 0."""
    r, n, used = arrays["events"], arrays["sizes"], arrays["weight"]
    dev = binomial_deviance(r, n, _log_sigmoid(lp), _log_sigmoid(-lp)) * used
    lp_bar = lp.mean(axis=(0, 1))
    at_lp = binomial_deviance(r, n, _log_sigmoid(lp_bar), _log_sigmoid(-lp_bar)) * used
    p_bar = special.expit(lp).mean(axis=(0, 1))
    q_bar = special.expit(-lp).mean(axis=(0, 1))
    at_fitted = binomial_deviance(r, n, np.log(p_bar), np.log(q_bar)) * used
    return Deviance(dev.mean(axis=(0, 1)), at_lp, at_fitted, dev.sum(axis=-1))


def gaussian_deviances(
    arrays: Arrays, extra: Arrays, theta: FloatArray, tau: FloatArray
) -> Deviance:
    r"""Deviances of the normal model, the latent effects integrated exactly (Rao-Blackwell).

    Given :math:`\theta` and :math:`\tau`, with :math:`r_i = y_i - X_i\theta` and
    :math:`W_i = W_{0i} + \tau^2 Q_i`, the fitted values :math:`f_i` (arm means or contrasts)
    satisfy :math:`y_i - f_i \mid y, \theta, \tau \sim N(V_i W_i^{-1} r_i,\ V_i - V_i W_i^{-1}
    V_i)`, so the residual deviance :math:`D_i = (y_i - f_i)^\top V_i^{-1} (y_i - f_i)` (TSD2)
    has conditional mean

    .. math::

        E[D_i \mid y, \theta, \tau] = r_i^\top W_i^{-1} V_i W_i^{-1} r_i + m_i
            - \operatorname{tr}(W_i^{-1} V_i),

    averaged over the draws. The plug-in uses the posterior mean of the fitted values,
    :math:`\bar f_i = y_i - \overline{V_i W_i^{-1} r_i}`; for the identity link that is also
    the posterior mean of the linear predictor, so both plug-ins agree.
    """
    # With W^-1 = U diag(1 / (1 + tau^2 lambda)) U' (see _gaussian_arrays), z = U'r and
    # s = z / (1 + tau^2 lambda): W^-1 r = U s, r'W^-1 V W^-1 r = s'(U'VU)s and
    # tr(W^-1 V) = sum_j (U'VU)_jj / (1 + tau^2 lambda_j); no solve per draw.
    y, v, ut = extra["y"], extra["v"], extra["ut"]
    shape = theta.shape[:2]
    th = theta.reshape(-1, theta.shape[-1])
    scale = 1.0 + (tau.reshape(-1) ** 2)[:, None, None] * arrays["eig"][None]  # (D, S, K)
    s = (arrays["uy"][None] - np.einsum("skp,dp->dsk", arrays["ux"], th)) / scale
    b = np.einsum("sjk,skl,sml->sjm", ut, v, ut)  # U'VU
    quad = np.einsum("dsj,sjm,dsm->ds", s, b, s)
    trace = np.sum(np.diagonal(b, axis1=1, axis2=2)[None] / scale, axis=-1)
    dev = quad + y.shape[1] - trace  # padded entries contribute 1 - 1 = 0
    # Posterior mean of y - f = V W^-1 r = V U s, linear in s.
    resid_bar = np.einsum("skl,sml,sm->sk", v, ut, s.mean(axis=0))
    at_mean = np.einsum("sk,sk->s", resid_bar, np.linalg.solve(v, resid_bar[..., None])[..., 0])
    return Deviance(dev.mean(axis=0), at_mean, at_mean, dev.sum(axis=1).reshape(shape))
