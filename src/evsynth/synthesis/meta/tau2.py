"""Estimators of the between-study variance tau^2, as metafor's ``rma.uni`` computes them.

Every estimator works for a meta-regression design matrix ``X`` (k, p); the intercept-only
model is ``X = ones((k, 1))``. Negative estimates are truncated at zero. Iterative estimators
(ML, REML, EB) follow metafor's Fisher scoring exactly (start at the HE estimate truncated at
zero, step halving to stay non-negative, stop when the change is below ``threshold``), so that
results agree with metafor to far more digits than the statistical uncertainty needs.

Methods
-------
FE
    No heterogeneity: tau^2 = 0 (common-effect model).
DL
    DerSimonian & Laird (1986), Controlled Clinical Trials 7:177-188, doi:10.1016/0197-2456(86)90046-2.
HE
    Hedges (1983), Psychological Bulletin 93:388-395, doi:10.1037/0033-2909.93.2.388 (Hedges & Olkin
    1985); the unweighted method-of-moments estimator.
HS
    Hunter & Schmidt (2004), Methods of Meta-Analysis, 2nd ed., Sage (Viechtbauer 2005's form).
SJ
    Sidik & Jonkman (2005), Journal of Biopharmaceutical Statistics 15:823-838,
    doi:10.1081/BIP-200067915.
ML
    Maximum likelihood; Hardy & Thompson (1996), Statistics in Medicine 15:619-629,
    doi:10.1002/(SICI)1097-0258(19960330)15:6<619::AID-SIM188>3.0.CO;2-A.
REML
    Restricted maximum likelihood; Viechtbauer (2005), Journal of Educational and Behavioral
    Statistics 30:261-293, doi:10.3102/10769986030003261.
EB
    Empirical Bayes; Morris (1983), JASA 78:47-55, doi:10.1080/01621459.1983.10477920
    (Berkey et al. 1995).
PM
    Paule & Mandel (1982), Journal of Research of the NBS 87:377-385, doi:10.6028/jres.087.022.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evsynth._core.errors import choice_error
from evsynth.synthesis.meta._roots import R_UNIROOT_TOL, zeroin
from evsynth.synthesis.meta._wls import FloatArray, generalised_q, weighted_fit

TAU2_METHODS: tuple[str, ...] = ("FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")


@dataclass(frozen=True, slots=True)
class Tau2Estimate:
    """A tau^2 estimate with its standard error and the iterations it took."""

    tau2: float
    se: float | None
    iterations: int
    converged: bool


def _ols_residual_maker(X: FloatArray) -> FloatArray:
    k = X.shape[0]
    return np.eye(k) - X @ np.linalg.solve(X.T @ X, X.T)


def tau2_he(y: FloatArray, v: FloatArray, X: FloatArray) -> Tau2Estimate:
    """Hedges' unweighted method-of-moments estimator.

    .. math::

        P_{\\mathrm{OLS}} = I - X (X^\\top X)^{-1} X^\\top, \\qquad
        \\hat\\tau^2 = \\frac{y^\\top P_{\\mathrm{OLS}} y - \\operatorname{tr}(P_{\\mathrm{OLS}} V)}{k - p}
    """
    k, p = X.shape
    P = _ols_residual_maker(X)
    rss = float(y @ P @ y)
    PV = P * v[None, :]
    tr_pv = float(np.trace(PV))
    raw = (rss - tr_pv) / (k - p)
    tau2 = max(0.0, raw)
    se = float(
        np.sqrt((2 * np.sum(PV * PV.T) + 4 * tau2 * tr_pv + 2 * tau2**2 * (k - p)) / (k - p) ** 2)
    )
    return Tau2Estimate(raw, se, 0, True)


def tau2_dl(y: FloatArray, v: FloatArray, X: FloatArray) -> Tau2Estimate:
    """DerSimonian-Laird estimator.

    .. math::

        \\hat\\tau^2 = \\max\\left(0, \\frac{Q - (k - p)}{\\operatorname{tr}(P)}\\right),
        \\quad P \\text{ with } w_i = 1/v_i
    """
    k, p = X.shape
    fit = weighted_fit(y, X, 1.0 / v)
    tr_p = float(np.trace(fit.P))
    raw = (fit.rss - (k - p)) / tr_p
    tau2 = max(0.0, raw)
    se = float(
        np.sqrt((2 * (k - p) + 4 * tau2 * tr_p + 2 * tau2**2 * np.sum(fit.P * fit.P)) / tr_p**2)
    )
    return Tau2Estimate(raw, se, 0, True)


def tau2_hs(y: FloatArray, v: FloatArray, X: FloatArray) -> Tau2Estimate:
    """Hunter-Schmidt-type estimator.

    .. math::

        \\hat\\tau^2 = \\max\\left(0, \\frac{Q - k}{\\sum_i w_i}\\right), \\quad w_i = 1/v_i
    """
    k, p = X.shape
    w = 1.0 / v
    fit = weighted_fit(y, X, w)
    raw = (fit.rss - k) / float(np.sum(w))
    tau2 = max(0.0, raw)
    se = float(
        np.sqrt(
            (2 * (k - p) + 4 * tau2 * np.trace(fit.P) + 2 * tau2**2 * np.sum(fit.P * fit.P))
            / np.sum(w) ** 2
        )
    )
    return Tau2Estimate(raw, se, 0, True)


def tau2_sj(y: FloatArray, v: FloatArray, X: FloatArray) -> Tau2Estimate:
    """Sidik-Jonkman estimator, started (as metafor) at the population variance of ``y``.

    .. math::

        \\tau_0^2 = \\frac{1}{k}\\sum_i (y_i - \\bar y)^2, \\qquad
        \\hat\\tau^2 = \\frac{\\tau_0^2\\, y^\\top P(\\tau_0^2)\\, y}{k - p}
    """
    k, p = X.shape
    tau2_0 = float(np.mean((y - y.mean()) ** 2))
    fit = weighted_fit(y, X, 1.0 / (v + tau2_0))
    tau2 = tau2_0 * fit.rss / (k - p)
    PV = fit.P * v[None, :]
    t = max(tau2, 0.0)
    se = float(
        np.sqrt(
            tau2_0**2
            / (k - p) ** 2
            * (
                2 * np.sum(PV * PV.T)
                + 4 * t * np.sum(PV * fit.P)
                + 2 * t**2 * np.sum(fit.P * fit.P)
            )
        )
    )
    return Tau2Estimate(tau2, se, 0, True)


def tau2_fisher_scoring(
    y: FloatArray,
    v: FloatArray,
    X: FloatArray,
    method: str,
    *,
    threshold: float = 1e-5,
    max_iter: int = 100,
    start: float | None = None,
) -> Tau2Estimate:
    """ML, REML or EB estimate by Fisher scoring, step for step as metafor.

    With :math:`w_i = 1/(v_i + \\tau^2)` and :math:`P` as in :func:`weighted_fit`, each step adds

    .. math::

        \\Delta_{\\mathrm{ML}} = \\frac{y^\\top P P y - \\sum w_i}{\\sum w_i^2}, \\quad
        \\Delta_{\\mathrm{REML}} = \\frac{y^\\top P P y - \\operatorname{tr}(P)}{\\operatorname{tr}(PP)}, \\quad
        \\Delta_{\\mathrm{EB}} = \\frac{y^\\top P y\\, k/(k-p) - k}{\\sum w_i}

    halved until :math:`\\tau^2 + \\Delta \\ge 0`; iteration stops when :math:`|\\Delta| \\le`
    ``threshold`` (metafor's default 1e-5).
    """
    k, p = X.shape
    tau2 = max(0.0, tau2_he(y, v, X).tau2) if start is None else start
    change = np.inf
    iterations = 0
    converged = True
    while change > threshold:
        iterations += 1
        old = tau2
        fit = weighted_fit(y, X, 1.0 / (v + tau2))
        P = fit.P
        if method == "ML":
            Py = P @ y
            adj = (float(Py @ Py) - float(np.sum(fit.w))) / float(np.sum(fit.w**2))
        elif method == "REML":
            Py = P @ y
            adj = (float(Py @ Py) - float(np.trace(P))) / float(np.sum(P * P))
        else:  # EB
            adj = (fit.rss * k / (k - p) - k) / float(np.sum(fit.w))
        while tau2 + adj < 0.0:
            adj /= 2.0
        tau2 = tau2 + adj
        change = abs(old - tau2)
        if iterations > max_iter:
            converged = False
            break
    w = 1.0 / (v + tau2)
    if method == "ML":
        se = float(np.sqrt(2.0 / np.sum(w**2)))
    elif method == "REML":
        P = weighted_fit(y, X, w).P
        se = float(np.sqrt(2.0 / np.sum(P * P)))
    else:
        se = float(np.sqrt(2.0 * k**2 / (k - p) / np.sum(w) ** 2))
    return Tau2Estimate(tau2, se, iterations, converged)


def _r_mad(y: FloatArray) -> float:
    """R's ``mad``: 1.4826 times the median absolute deviation from the median."""
    return 1.4826 * float(np.median(np.abs(y - np.median(y))))


def tau2_pm(
    y: FloatArray, v: FloatArray, X: FloatArray, *, tol: float = R_UNIROOT_TOL
) -> Tau2Estimate:
    """Paule-Mandel estimator: the root of the generalised Q statistic at its expectation.

    .. math::

        Q(\\hat\\tau^2) = k - p, \\qquad \\hat\\tau^2 = 0 \\text{ if } Q(0) < k - p

    The root is searched in [0, max(100, 10 mad(y)^2)] with Brent's method and R's ``uniroot``
    tolerance, as metafor does, so the estimate agrees with metafor's; pass a smaller ``tol``
    for the exact root (the two differ by less than ``tol``).
    """
    k, p = X.shape
    target = float(k - p)
    if generalised_q(0.0, y, v, X) < target:
        tau2 = 0.0
    else:
        upper = max(100.0, 10.0 * _r_mad(y) ** 2)
        while generalised_q(upper, y, v, X) > target:
            upper *= 10.0
        tau2 = zeroin(lambda t: generalised_q(t, y, v, X) - target, 0.0, upper, tol=tol)
    w = 1.0 / (v + tau2)
    se = float(np.sqrt(2.0 * k**2 / (k - p) / np.sum(w) ** 2))
    return Tau2Estimate(tau2, se, 0, True)


def estimate_tau2(y: FloatArray, v: FloatArray, X: FloatArray, method: str) -> Tau2Estimate:
    """Estimate tau^2 by ``method`` (see the module docstring for the papers); never negative."""
    if method == "FE":
        return Tau2Estimate(0.0, None, 0, True)
    if method in ("ML", "REML", "EB"):
        est = tau2_fisher_scoring(y, v, X, method)
    elif method == "DL":
        est = tau2_dl(y, v, X)
    elif method == "HE":
        est = tau2_he(y, v, X)
    elif method == "HS":
        est = tau2_hs(y, v, X)
    elif method == "SJ":
        est = tau2_sj(y, v, X)
    elif method == "PM":
        est = tau2_pm(y, v, X)
    else:
        raise choice_error("method", method, TAU2_METHODS)
    return Tau2Estimate(max(0.0, est.tau2), est.se, est.iterations, est.converged)
