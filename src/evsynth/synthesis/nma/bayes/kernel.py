r"""The exact posterior of the treatment effects given :math:`\tau`, batched over many :math:`\tau`.

Model (NICE DSU TSD2, normal likelihood for contrasts with multi-arm trials; Dias S, Welton NJ,
Sutton AJ, Ades AE 2011, TSD2; Dias S, Sutton AJ, Ades AE, Welton NJ 2013, Med Decis Making
33:607-617, doi:10.1177/0272989X12458724):

.. math::

    y_i \mid \delta_i \sim N(\delta_i, V_i), \qquad
    \delta_i \mid d, \tau \sim N(X_i d,\ \tau^2 \Sigma_i), \qquad
    \Sigma_i = \tfrac12 (I + J),

with :math:`J` the matrix of ones (variance :math:`\tau^2`, covariance :math:`\tau^2/2` between
the contrasts of a multi-arm study) and :math:`d \sim N(0, s^2 I)` (TSD2: :math:`s = 100`).
Integrating out :math:`\delta_i` gives :math:`y_i \mid d, \tau \sim N(X_i d, W_i)` with
:math:`W_i = V_i + \tau^2 \Sigma_i`, and the normal prior is conjugate:

.. math::

    P(\tau) = \sum_i X_i^\top W_i^{-1} X_i + s^{-2} I, \qquad
    b(\tau) = \sum_i X_i^\top W_i^{-1} y_i, \qquad
    d \mid y, \tau \sim N\big(P^{-1} b,\ P^{-1}\big).

The marginal likelihood of :math:`\tau` (Woodbury identity and the matrix determinant lemma on
:math:`\operatorname{Var}(y) = W + s^2 X X^\top`) is

.. math::

    \log p(y \mid \tau) = -\tfrac12 \Big[n \log 2\pi + \sum_i \log|W_i| + \log|P|
        + p \log s^2 + \sum_i y_i^\top W_i^{-1} y_i - b^\top P^{-1} b\Big].

Each study contributes :math:`W_i^{-1}` through three fixed arrays (the outer products
:math:`x_{ia} x_{ib}^\top`, :math:`x_{ia} y_{ib}`, :math:`y_{ia} y_{ib}`), so the sums over studies
for all grid values of :math:`\tau` are one matrix product per block of studies with the same
number of arms.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from evsynth.synthesis.nma.bayes.data import StudyBlock

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Conditional:
    r"""The posterior :math:`N(\text{mean}_g, \text{cov}_g)` of :math:`d_2..d_T` at each :math:`\tau_g`."""

    tau: FloatArray  # (G,)
    mean: FloatArray  # (G, p)
    cov: FloatArray  # (G, p, p)
    log_marginal: FloatArray  # (G,) log p(y | tau)


def _sigma(m: int) -> FloatArray:
    return np.asarray(0.5 * (np.eye(m) + np.ones((m, m))), dtype=np.float64)


def _inverse(w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Inverses and log-determinants of a stack of small SPD matrices (..., m, m)."""
    if w.shape[-1] == 1:
        return np.asarray(1.0 / w), np.asarray(np.log(w[..., 0, 0]))
    if w.shape[-1] in (2, 3):
        # Three- and four-arm studies: the adjugate over the determinant, elementwise over the
        # stack, is several times faster than LAPACK's per-matrix calls on such small matrices.
        return _small_inverse(w)
    chol = np.linalg.cholesky(w)
    logdet = 2.0 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)
    return np.asarray(np.linalg.inv(w)), np.asarray(logdet)


def _small_inverse(w: FloatArray) -> tuple[FloatArray, FloatArray]:
    r"""Inverse and log-determinant of SPD 2x2 or 3x3 matrices: :math:`W^{-1} = \operatorname{adj}(W)/|W|`."""
    if w.shape[-1] == 2:
        a, b, d = w[..., 0, 0], w[..., 0, 1], w[..., 1, 1]
        det = a * d - b * b
        adj = np.stack([np.stack([d, -b], -1), np.stack([-b, a], -1)], -2)
    else:
        a, b, c = w[..., 0, 0], w[..., 0, 1], w[..., 0, 2]
        e, f, i = w[..., 1, 1], w[..., 1, 2], w[..., 2, 2]
        c00, c01, c02 = e * i - f * f, c * f - b * i, b * f - c * e
        c11, c12, c22 = a * i - c * c, b * c - a * f, a * e - b * b
        det = a * c00 + b * c01 + c * c02
        adj = np.stack(
            [
                np.stack([c00, c01, c02], -1),
                np.stack([c01, c11, c12], -1),
                np.stack([c02, c12, c22], -1),
            ],
            -2,
        )
    return np.asarray(adj / det[..., None, None]), np.asarray(np.log(det))


def _within(block: StudyBlock, tau: FloatArray) -> FloatArray:
    """:math:`W_i = V_i + \\tau^2 \\Sigma_i` for every tau and study: (G, S, m, m)."""
    tau2 = (tau * tau)[:, None, None, None]
    return np.asarray(block.v[None] + tau2 * _sigma(block.m), dtype=np.float64)


def condition(
    blocks: Sequence[StudyBlock], p: int, tau: FloatArray, prior_sd: float
) -> Conditional:
    """The exact conditional posterior of the basic parameters at each value of ``tau``."""
    tau = np.atleast_1d(np.asarray(tau, dtype=np.float64))
    g = tau.shape[0]
    a = np.zeros((g, p * p))
    b = np.zeros((g, p))
    c = np.zeros(g)
    logdet_w = np.zeros(g)
    n = 0
    for block in blocks:
        s, m = block.y.shape
        n += s * m
        winv, logdet = _inverse(_within(block, tau))
        flat = winv.reshape(g, s * m * m)
        a += flat @ block.xx
        b += flat @ block.xy
        c += flat @ block.yy
        logdet_w += logdet.sum(axis=1)
    precision = a.reshape(g, p, p) + np.eye(p) / prior_sd**2
    chol = np.linalg.cholesky(precision)
    logdet_p = 2.0 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)
    cov = np.linalg.inv(precision)
    cov = 0.5 * (cov + np.swapaxes(cov, -1, -2))
    mean = np.einsum("gpq,gq->gp", cov, b)
    log_marginal = -0.5 * (
        n * math.log(2 * math.pi)
        + logdet_w
        + logdet_p
        + p * math.log(prior_sd**2)
        + c
        - np.einsum("gp,gp->g", b, mean)
    )
    return Conditional(
        tau,
        np.asarray(mean, dtype=np.float64),
        np.asarray(cov, dtype=np.float64),
        np.asarray(log_marginal, dtype=np.float64),
    )


@dataclass(frozen=True, slots=True)
class DevianceTerms:
    """Posterior means of each study's residual deviance and linear predictor."""

    resdev: FloatArray  # (n_studies,) posterior mean residual deviance
    deviance_at_mean: FloatArray  # (n_studies,) deviance at the posterior mean of delta
    delta_mean: tuple[FloatArray, ...]  # per study, (m,) posterior mean of delta_i


def deviance_terms(
    blocks: Sequence[StudyBlock], n_studies: int, cond: Conditional, weights: FloatArray
) -> DevianceTerms:
    r"""Posterior mean residual deviance and TSD2's plug-in deviance, integrated exactly.

    The residual deviance of study :math:`i` given its linear predictor :math:`\delta_i` is
    :math:`D_i = (y_i - \delta_i)^\top V_i^{-1} (y_i - \delta_i)` (TSD2). Given :math:`d` and
    :math:`\tau`, :math:`\operatorname{Cov}(\delta_i, y_i) = G_i = \tau^2\Sigma_i`, so

    .. math::

        y_i - \delta_i \mid d, \tau, y \sim N\big(V_i W_i^{-1} e_i(d),\
            V_i - V_i W_i^{-1} V_i\big), \qquad e_i(d) = y_i - X_i d,

    using :math:`I - G_i W_i^{-1} = V_i W_i^{-1}`. Averaging over
    :math:`d \mid y, \tau \sim N(m, C)` with :math:`e_i = y_i - X_i m` and
    :math:`B_i = W_i^{-1} V_i W_i^{-1}`:

    .. math::

        E[D_i \mid y, \tau] = e_i^\top B_i e_i + \big(m_i - \operatorname{tr}(W_i^{-1} V_i)\big)
            + \operatorname{tr}\big(B_i X_i C X_i^\top\big),

    with :math:`m_i` the number of contrasts; for :math:`\tau = 0` (fixed effect) this is
    :math:`e_i^\top V_i^{-1} e_i + \operatorname{tr}(X_i^\top V_i^{-1} X_i C)`. The posterior
    mean of the linear predictor is :math:`E[\delta_i \mid y, \tau] = y_i - V_i W_i^{-1} e_i`.
    Both are then averaged over :math:`\tau` with the quadrature ``weights``; TSD2's plug-in
    deviance is :math:`D_i` at :math:`\bar\delta_i = E[\delta_i \mid y]` (for the identity link
    the fitted values are the linear predictor, so the two plug-ins of the reference README
    coincide).
    """
    resdev = np.zeros(n_studies)
    at_mean = np.zeros(n_studies)
    delta: list[FloatArray] = [np.zeros(0)] * n_studies
    for block in blocks:
        if block.m == 1:
            _two_arm_terms(block, cond, weights, resdev, at_mean, delta)
            continue
        winv, _ = _inverse(_within(block, cond.tau))  # (G, S, m, m)
        v, x, y = block.v, block.x, block.y
        e = y[None] - np.einsum("sap,gp->gsa", x, cond.mean)
        winv_v = winv @ v[None]  # W^-1 V
        bmat = winv_v @ winv  # W^-1 V W^-1
        t1 = np.einsum("gsa,gsab,gsb->gs", e, bmat, e)
        t2 = block.m - np.trace(winv_v, axis1=-2, axis2=-1)
        xcx = np.einsum("sap,gpq,sbq->gsab", x, cond.cov, x)
        t3 = np.einsum("gsab,gsba->gs", bmat, xcx)
        resdev[block.index] = weights @ (t1 + t2 + t3)
        fitted = y[None] - np.einsum("sab,gsbc,gsc->gsa", v, winv, e)
        dbar = np.einsum("g,gsa->sa", weights, fitted)
        r = y - dbar
        at_mean[block.index] = np.einsum("sa,sa->s", r, np.linalg.solve(v, r[..., None])[..., 0])
        for row, i in enumerate(block.index):
            delta[int(i)] = dbar[row]
    return DevianceTerms(resdev, at_mean, tuple(delta))


def _two_arm_terms(
    block: StudyBlock,
    cond: Conditional,
    weights: FloatArray,
    resdev: FloatArray,
    at_mean: FloatArray,
    delta: list[FloatArray],
) -> None:
    """:func:`deviance_terms` for two-arm studies, where every matrix is a scalar."""
    v = block.v[:, 0, 0]  # (S,)
    x = block.x[:, 0, :]  # (S, p)
    y = block.y[:, 0]
    w = v[None, :] + (cond.tau * cond.tau)[:, None]  # (G, S)
    e = y[None, :] - cond.mean @ x.T
    xcx = np.einsum("gsp,sp->gs", np.matmul(x[None], cond.cov), x)
    vw = v[None, :] / w
    expected = vw * e * e / w + (1.0 - vw) + vw * xcx / w
    resdev[block.index] = weights @ expected
    dbar = y - weights @ (vw * e)
    at_mean[block.index] = (y - dbar) ** 2 / v
    for row, i in enumerate(block.index):
        delta[int(i)] = dbar[row : row + 1]
