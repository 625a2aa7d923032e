"""Weighted least squares pieces shared by every tau^2 estimator and the final fit.

All functions work on one meta-analysis: ``y`` (k,), ``v`` (k,), ``X`` (k, p).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class WeightedFit:
    """Generalised least squares for given weights ``w``.

    ``P`` is the residual-maker of the weighted model, used by the Q-statistic family:

    .. math::

        P = W - W X (X^\\top W X)^{-1} X^\\top W, \\qquad
        \\hat\\beta = (X^\\top W X)^{-1} X^\\top W y, \\qquad
        \\mathrm{RSS} = y^\\top P y = \\sum_i w_i (y_i - x_i^\\top \\hat\\beta)^2
    """

    w: FloatArray
    beta: FloatArray
    xwx_inv: FloatArray
    P: FloatArray
    rss: float


def weighted_fit(y: FloatArray, X: FloatArray, w: FloatArray) -> WeightedFit:
    """Fit ``y ~ X`` with weights ``w`` and return coefficients, (X'WX)^-1, P and RSS."""
    xw = X.T * w
    xwx_inv: FloatArray = np.asarray(np.linalg.inv(xw @ X), dtype=np.float64)
    beta = xwx_inv @ (xw @ y)
    resid = y - X @ beta
    rss = float(np.sum(w * resid**2))
    # P = W - W X (X'WX)^-1 X'W, written without forming diag(w) twice.
    wx = X * w[:, None]
    P = np.diag(w) - wx @ xwx_inv @ wx.T
    return WeightedFit(w=w, beta=beta, xwx_inv=xwx_inv, P=P, rss=rss)


def generalised_q(tau2: float, y: FloatArray, v: FloatArray, X: FloatArray) -> float:
    """Generalised Q statistic at ``tau2`` (Viechtbauer 2007; DerSimonian & Kacker 2007).

    .. math::

        Q(\\tau^2) = \\sum_i \\frac{(y_i - x_i^\\top \\hat\\beta(\\tau^2))^2}{v_i + \\tau^2}
    """
    w = 1.0 / (v + tau2)
    xw = X.T * w
    beta = np.linalg.solve(xw @ X, xw @ y)
    return float(np.sum(w * (y - X @ beta) ** 2))
