r"""Summaries of the exact posterior: a finite mixture of multivariate normals over the tau grid.

With quadrature nodes :math:`\tau_g` and posterior weights :math:`w_g`, the posterior of any
linear combination :math:`c^\top d` (a basic parameter, or a contrast :math:`d_k - d_j`) is

.. math::

    p(c^\top d \mid y) = \sum_g w_g\, N\big(c^\top m_g,\ c^\top C_g c\big),

so its mean and variance are exact sums, its distribution function
:math:`F(x) = \sum_g w_g \Phi\big((x - \mu_g)/\sigma_g\big)`, and its quantiles roots of
:math:`F(x) = p`, found by safeguarded Newton steps on all combinations at once.

Ranking
-------
Let :math:`s = +1` when higher values are better and :math:`-1` otherwise. The probability that
treatment :math:`k` beats :math:`j` is :math:`\pi_{kj} = P\big(s(d_k - d_j) > 0\big)`, a mixture
CDF; hence, exactly (Salanti, Ades & Ioannidis 2011, J Clin Epidemiol 64:163-171,
doi:10.1016/j.jclinepi.2010.03.016),

.. math::

    E[\operatorname{rank}_k] = 1 + \sum_{j \ne k} \pi_{jk}, \qquad
    \mathrm{SUCRA}_k = \frac{T - E[\operatorname{rank}_k]}{T - 1}
        = \frac{1}{T - 1}\sum_{j \ne k} \pi_{kj}.

The full rank distribution needs a :math:`T`-dimensional integral and is estimated by Monte Carlo
from the mixture: draws are allocated to the nodes by systematic (stratified) sampling of the
weights, so each rank probability's Monte Carlo standard error is at most
:math:`\sqrt{\hat p(1 - \hat p)/n}` (0.0016 for :math:`n` = 100,000).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def full_parameters(mean: FloatArray, cov: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Add the reference (effect 0, no variance) as column 0: (G, T) and (G, T, T)."""
    g, p = mean.shape
    m = np.zeros((g, p + 1))
    m[:, 1:] = mean
    c = np.zeros((g, p + 1, p + 1))
    c[:, 1:, 1:] = cov
    return m, c


def pair_moments(
    mean: FloatArray, cov: FloatArray, pairs: list[tuple[int, int]]
) -> tuple[FloatArray, FloatArray]:
    """Component means and sds of :math:`d_k - d_j` for each pair ``(j, k)``: (G, Q) each."""
    j = np.array([a for a, _ in pairs], dtype=np.intp)
    k = np.array([b for _, b in pairs], dtype=np.intp)
    mu = mean[:, k] - mean[:, j]
    var = cov[:, k, k] + cov[:, j, j] - 2 * cov[:, j, k]
    return np.asarray(mu), np.asarray(np.sqrt(np.maximum(var, 0.0)))


def mixture_cdf(x: FloatArray, weights: FloatArray, mu: FloatArray, sd: FloatArray) -> FloatArray:
    r""":math:`F_q(x_q) = \sum_g w_g \Phi((x_q - \mu_{gq})/\sigma_{gq})` for each column q."""
    z = (np.asarray(x)[None, :] - mu) / sd
    return np.asarray(weights @ special.ndtr(z), dtype=np.float64)


def mixture_moments(
    weights: FloatArray, mu: FloatArray, sd: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Exact mean and standard deviation of each mixture column."""
    mean = weights @ mu
    second = weights @ (sd * sd + mu * mu)
    return np.asarray(mean), np.asarray(np.sqrt(np.maximum(second - mean * mean, 0.0)))


def mixture_quantile(
    prob: float, weights: FloatArray, mu: FloatArray, sd: FloatArray, tol: float = 1e-12
) -> FloatArray:
    """Quantile ``prob`` of each mixture column by Newton steps kept inside a bracket."""
    mean, spread = mixture_moments(weights, mu, sd)
    low = np.min(mu - 40 * sd, axis=0)
    high = np.max(mu + 40 * sd, axis=0)
    x = np.clip(mean + float(special.ndtri(prob)) * spread, low, high)
    for _ in range(100):
        z = (x[None, :] - mu) / sd
        f = weights @ special.ndtr(z) - prob
        dens = weights @ (np.exp(-0.5 * z * z) / (np.sqrt(2 * np.pi) * sd))
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(dens > 0, f / dens, np.inf)
        if np.all(np.abs(step) <= tol * (1 + np.abs(x))):
            return np.asarray(x - step, dtype=np.float64)
        low = np.where(f < 0, x, low)
        high = np.where(f > 0, x, high)
        new = x - step
        # A Newton step that leaves the bracket is replaced by bisection.
        x = np.where((new > low) & (new < high), new, 0.5 * (low + high))
    return np.asarray(x, dtype=np.float64)


def summarise(
    weights: FloatArray, mu: FloatArray, sd: FloatArray, level: float
) -> dict[str, FloatArray]:
    """Mean, sd, median and the central ``level`` interval of each mixture column."""
    mean, spread = mixture_moments(weights, mu, sd)
    tail = (1 - level) / 2
    return {
        "mean": mean,
        "sd": spread,
        "median": mixture_quantile(0.5, weights, mu, sd),
        "low": mixture_quantile(tail, weights, mu, sd),
        "high": mixture_quantile(1 - tail, weights, mu, sd),
    }


def beats(
    weights: FloatArray, mean: FloatArray, cov: FloatArray, higher_is_better: bool
) -> FloatArray:
    r"""(T, T) matrix of :math:`\pi_{kj} = P(k \text{ better than } j)`, zero on the diagonal."""
    n = mean.shape[1]
    pairs = [(j, k) for j in range(n) for k in range(j + 1, n)]
    mu, sd = pair_moments(mean, cov, pairs)
    # P(d_k - d_j > 0) = 1 - F(0)
    k_above_j = 1.0 - mixture_cdf(np.zeros(len(pairs)), weights, mu, sd)
    out = np.zeros((n, n))
    for (j, k), p in zip(pairs, k_above_j, strict=True):
        kj = p if higher_is_better else 1.0 - p
        out[k, j], out[j, k] = kj, 1.0 - kj
    return out


def sucra(prob_beats: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Exact SUCRA and mean rank from the pairwise probabilities."""
    n = prob_beats.shape[0]
    mean_rank = 1.0 + prob_beats.sum(axis=0)
    return np.asarray((n - mean_rank) / (n - 1)), np.asarray(mean_rank)


def stratified_components(weights: FloatArray, n: int, rng: np.random.Generator) -> IntArray:
    """Component index of each of ``n`` draws by systematic sampling (sorted)."""
    positions = (rng.random() + np.arange(n)) / n
    cum = np.cumsum(weights)
    cum[-1] = 1.0
    return np.asarray(np.searchsorted(cum, positions, side="right"), dtype=np.intp)


def sample_mixture(
    weights: FloatArray, mean: FloatArray, cov: FloatArray, n: int, rng: np.random.Generator
) -> tuple[FloatArray, IntArray]:
    """``n`` draws of the basic parameters from the mixture, and their component indices."""
    idx = stratified_components(weights, n, rng)
    p = mean.shape[1]
    out = np.empty((n, p))
    chol = np.linalg.cholesky(cov)
    counts = np.bincount(idx, minlength=len(weights))
    start = 0
    for g in np.flatnonzero(counts):
        c = int(counts[g])
        z = rng.standard_normal((c, p))
        out[start : start + c] = mean[g] + z @ chol[g].T
        start += c
    order = rng.permutation(n)
    return out[order], idx[order]


def rank_probabilities(draws_full: FloatArray, higher_is_better: bool) -> FloatArray:
    """(T, T) matrix: entry (k, r) the share of draws in which treatment k has rank r + 1."""
    n, t = draws_full.shape
    signed = draws_full if higher_is_better else -draws_full
    order = np.argsort(-signed, axis=1, kind="stable")  # order[:, r] = treatment ranked r + 1
    out = np.zeros((t, t))
    for r in range(t):
        out[:, r] = np.bincount(order[:, r], minlength=t) / n
    return out
