"""The random-effects (meta-regression) model fit: one kernel for intercept-only and moderators.

.. math::

    y_i = x_i^\\top \\beta + u_i + e_i, \\qquad u_i \\sim N(0, \\tau^2), \\quad e_i \\sim N(0, v_i)

Given :math:`\\hat\\tau^2`, coefficients are estimated by weighted least squares with
:math:`w_i = 1/(v_i + \\hat\\tau^2)` and :math:`\\operatorname{Var}(\\hat\\beta) = (X^\\top W X)^{-1}`.

Tests
-----
z
    Wald-type tests and intervals with standard normal quantiles.
knha
    Knapp & Hartung (2003), Statistics in Medicine 22:2693-2710, doi:10.1002/sim.1482 (Hartung &
    Knapp 2001; Sidik & Jonkman 2002): the variance is scaled by
    :math:`s^2 = \\sum_i w_i (y_i - x_i^\\top\\hat\\beta)^2/(k-p)` (not truncated at 1, as metafor's
    default) and t-quantiles with k - p degrees of freedom are used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from evsynth._core.errors import EvsynthError, choice_error
from evsynth.synthesis.meta._wls import FloatArray, weighted_fit
from evsynth.synthesis.meta.tau2 import TAU2_METHODS, estimate_tau2

TESTS: tuple[str, ...] = ("z", "knha")


@dataclass(frozen=True, slots=True)
class RmaFit:
    """Everything a fit produces, as plain NumPy values (the result objects wrap this)."""

    method: str
    test: str
    level: float
    k: int
    p: int
    beta: FloatArray
    vcov: FloatArray
    se: FloatArray
    statistic: FloatArray
    pvalue: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    df: int | None
    tau2: float
    se_tau2: float | None
    iterations: int
    converged: bool
    weights: FloatArray
    qe: float
    qe_df: int
    qe_pvalue: float
    i2: float
    h2: float
    typical_variance: float
    qm: float
    qm_df: tuple[int, int | None]
    qm_pvalue: float
    log_lik_ml: float
    log_lik_reml: float
    s2w: float

    @property
    def log_lik(self) -> float:
        """metafor's ``logLik``: restricted for REML fits, full likelihood otherwise."""
        return self.log_lik_reml if self.method == "REML" else self.log_lik_ml

    def critical(self, level: float | None = None) -> float:
        """Two-sided critical value for the fit's test at ``level`` (default: the fit's)."""
        level = self.level if level is None else level
        if self.df is None:
            return float(stats.norm.ppf(0.5 + level / 2))
        return float(stats.t.ppf(0.5 + level / 2, self.df))


def check_inputs(y: FloatArray, v: FloatArray, X: FloatArray) -> None:
    """Refuse inputs no estimator can use, with a message that says what to do."""
    k, p = X.shape
    if y.shape != (k,) or v.shape != (k,):
        raise EvsynthError("effects, variances and moderators must have the same number of rows")
    if k == 0:
        raise EvsynthError("no studies to pool", hint="Check that the input has at least one row")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))):
        raise EvsynthError("effects and variances must be finite numbers")
    if np.any(v <= 0):
        raise EvsynthError(
            "every sampling variance must be positive",
            hint="A zero or negative variance usually means a data-entry error",
        )
    if k < p:
        raise EvsynthError(f"{k} studies cannot estimate {p} coefficients")
    if np.linalg.matrix_rank(X) < p:
        raise EvsynthError(
            "the moderators are collinear (the design matrix is not of full rank)",
            hint="Drop a redundant moderator or a level with no studies",
        )


def fit_rma(
    y: FloatArray,
    v: FloatArray,
    X: FloatArray | None = None,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    tau2: float | None = None,
    intercept_in_x: bool = True,
) -> RmaFit:
    """Fit a random-effects model (or common-effect, ``method="FE"``) by the given tau^2 method.

    Parameters
    ----------
    y, v : ndarray
        Effects and their sampling variances, shape (k,).
    X : ndarray, optional
        Design matrix (k, p) including the intercept column; None for intercept-only.
    method : {"FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM"}
        tau^2 estimator; see :mod:`evsynth.synthesis.meta.tau2` for the papers.
    test : {"z", "knha"}
        Wald z or Knapp-Hartung t tests.
    level : float
        Confidence level, 0.95 by default as HTA reports use.
    tau2 : float, optional
        Fix tau^2 instead of estimating it (used by leave-one-out and Q-profile checks).
    intercept_in_x : bool
        Whether the first column of ``X`` is the intercept (QM then leaves it out).
    """
    y = np.asarray(y, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    X = np.ones((y.shape[0], 1)) if X is None else np.asarray(X, dtype=np.float64)
    if method not in TAU2_METHODS:
        raise choice_error("method", method, TAU2_METHODS)
    if test not in TESTS:
        raise choice_error("test", test, TESTS)
    if not 0 < level < 1:
        raise EvsynthError(f"level={level} must lie between 0 and 1, e.g. 0.95")
    check_inputs(y, v, X)
    k, p = X.shape

    if tau2 is None:
        est = estimate_tau2(y, v, X, method)
        tau2_hat, se_tau2, iterations, converged = est.tau2, est.se, est.iterations, est.converged
    else:
        tau2_hat, se_tau2, iterations, converged = float(tau2), None, 0, True

    fe = weighted_fit(y, X, 1.0 / v)
    qe = fe.rss
    qe_df = k - p
    qe_pvalue = float(stats.chi2.sf(qe, qe_df)) if qe_df > 0 else float("nan")
    tr_p = float(np.trace(fe.P))
    # metafor's "typical" within-study variance: (k - p) / tr(P) with P from 1/v_i weights
    # (Higgins & Thompson 2002 for the intercept-only case); I^2 and H^2 follow from it.
    typical = qe_df / tr_p if qe_df > 0 else float("nan")
    if method == "FE":
        # A common-effect fit has no tau^2; metafor then reports the Q-based I^2 and H^2.
        i2 = 100.0 * max(0.0, (qe - qe_df) / qe) if qe > 0 else 0.0
        h2 = qe / qe_df if qe_df > 0 else float("nan")
    else:
        i2 = 100.0 * tau2_hat / (typical + tau2_hat)
        h2 = tau2_hat / typical + 1.0

    re = weighted_fit(y, X, 1.0 / (v + tau2_hat))
    vcov = re.xwx_inv
    s2w = re.rss / (k - p) if k > p else float("nan")
    df: int | None = None
    if test == "knha":
        if k <= p:
            raise EvsynthError("the Knapp-Hartung test needs more studies than coefficients")
        vcov = vcov * s2w
        df = k - p
    se = np.sqrt(np.diag(vcov))
    statistic = re.beta / se
    if df is None:
        pvalue = 2 * stats.norm.sf(np.abs(statistic))
        crit = float(stats.norm.ppf(0.5 + level / 2))
    else:
        pvalue = 2 * stats.t.sf(np.abs(statistic), df)
        crit = float(stats.t.ppf(0.5 + level / 2, df))

    # Omnibus test of the moderators (QM), leaving out the intercept.
    idx = np.arange(1, p) if intercept_in_x else np.arange(p)
    m = len(idx)
    if m > 0:
        b = re.beta[idx]
        qm = float(b @ np.linalg.solve(vcov[np.ix_(idx, idx)], b))
        if df is None:
            qm_df: tuple[int, int | None] = (m, None)
            qm_pvalue = float(stats.chi2.sf(qm, m))
        else:
            qm = qm / m
            qm_df = (m, df)
            qm_pvalue = float(stats.f.sf(qm, m, df))
    else:
        qm, qm_df, qm_pvalue = float("nan"), (0, None), float("nan")

    # Log-likelihoods as metafor's fit statistics (REMLf=TRUE keeps the log|X'X| term).
    log_det_v = float(np.sum(np.log(v + tau2_hat)))
    ll_ml = -0.5 * k * np.log(2 * np.pi) - 0.5 * log_det_v - 0.5 * re.rss
    _, logdet_xx = np.linalg.slogdet(X.T @ X)
    _, logdet_xwx = np.linalg.slogdet((X.T * re.w) @ X)
    ll_reml = (
        -0.5 * (k - p) * np.log(2 * np.pi)
        + 0.5 * logdet_xx
        - 0.5 * log_det_v
        - 0.5 * logdet_xwx
        - 0.5 * re.rss
    )

    return RmaFit(
        method=method,
        test=test,
        level=level,
        k=k,
        p=p,
        beta=re.beta,
        vcov=vcov,
        se=se,
        statistic=statistic,
        pvalue=pvalue,
        ci_low=re.beta - crit * se,
        ci_high=re.beta + crit * se,
        df=df,
        tau2=tau2_hat,
        se_tau2=se_tau2,
        iterations=iterations,
        converged=converged,
        weights=re.w,
        qe=qe,
        qe_df=qe_df,
        qe_pvalue=qe_pvalue,
        i2=i2,
        h2=h2,
        typical_variance=typical,
        qm=qm,
        qm_df=qm_df,
        qm_pvalue=qm_pvalue,
        log_lik_ml=float(ll_ml),
        log_lik_reml=float(ll_reml),
        s2w=s2w,
    )


def prediction_interval(
    fit: RmaFit, x: FloatArray, *, kind: str = "metafor", level: float | None = None
) -> tuple[float, float, float, float]:
    """Prediction at moderator row ``x``: (estimate, se, pi_low, pi_high).

    kind="metafor"
        As metafor's ``predict``: :math:`\\hat\\mu \\pm c \\sqrt{\\mathrm{SE}^2 + \\hat\\tau^2}` with
        ``c`` the fit's critical value (z, or t(k-p) with knha).
    kind="hts"
        Higgins, Thompson & Spiegelhalter (2009), JRSS A 172:137-159,
        doi:10.1111/j.1467-985X.2008.00552.x: ``c`` from t with k - 2 degrees of freedom
        (k - p - 1 with moderators).
    """
    level = fit.level if level is None else level
    est = float(x @ fit.beta)
    se = float(np.sqrt(x @ fit.vcov @ x))
    if kind == "metafor":
        crit = fit.critical(level)
    elif kind == "hts":
        dfh = fit.k - fit.p - 1
        if dfh < 1:
            return est, se, float("nan"), float("nan")
        crit = float(stats.t.ppf(0.5 + level / 2, dfh))
    else:
        raise choice_error("prediction", kind, ("metafor", "hts"))
    half = crit * np.sqrt(se**2 + fit.tau2)
    return est, se, est - half, est + half
