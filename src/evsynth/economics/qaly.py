"""QALYs by area under the utility curve, discounting, and baseline-utility adjustment (kernels).

* :func:`auc_qalys`: the trapezium rule between assessment times, each utility discounted to
  the start (Drummond et al., *Methods for the Economic Evaluation of Health Care Programmes*,
  4th ed., 2015, ch. 5);
* :func:`discount_factors`: ``"annual"`` (whole years completed, so the first year is not
  discounted, as the NICE reference case's 3.5% per year is applied) or ``"continuous"``;
* :func:`baseline_regression`: the mean QALY difference adjusted for baseline utility by
  ordinary least squares, Manca, Hawkins & Sculpher (2005), Health Econ 14(5):487-496,
  doi:10.1002/hec.944;
* :func:`ancova_means`: the same adjustment for many bootstrap replicates at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

FloatArray = NDArray[np.float64]

DISCOUNTING: tuple[str, ...] = ("annual", "continuous")


def discount_factors(times: FloatArray, rate: float, discounting: str = "annual") -> FloatArray:
    """Discount factor of each assessment time (in years from the start).

    .. math::

        d(t) = (1 + r)^{-\\lceil t \\rceil + 1}\\ (t > 0) \\text{ ("annual")},\\qquad
        d(t) = (1 + r)^{-t} \\text{ ("continuous")}

    ``"annual"`` discounts by the whole years completed before the assessment: assessments in
    the first year (up to and including month 12) are not discounted, those in the second year
    once, and so on, as a trial analysis discounting at 3.5% a year "from the second year"
    does. ``"continuous"`` discounts every time point by its exact time.
    """
    t = np.asarray(times, dtype=np.float64)
    if discounting == "continuous":
        exponent = t
    else:
        exponent = np.maximum(np.ceil(t) - 1.0, 0.0)
    return np.asarray((1.0 + rate) ** (-exponent), dtype=np.float64)


def auc_qalys(
    utilities: FloatArray, times: FloatArray, factors: FloatArray | None = None
) -> FloatArray:
    """QALYs of each row: area under its utility curve by the trapezium rule.

    .. math::

        Q_i = \\sum_{j=1}^{T-1} (t_{j+1} - t_j)\\,\\frac{d_j u_{ij} + d_{j+1} u_{i,j+1}}{2}

    Parameters
    ----------
    utilities : array, shape (n, T)
        Utility of each patient at each assessment; ``nan`` makes that patient's QALYs ``nan``.
    times : array, shape (T,)
        Assessment times in years, increasing.
    factors : array, shape (T,), optional
        Discount factor of each time (:func:`discount_factors`); none means undiscounted.

    Examples
    --------
    >>> auc_qalys(np.array([[0.6, 0.8]]), np.array([0.0, 1.0]))
    array([0.7])
    """
    u = np.atleast_2d(np.asarray(utilities, dtype=np.float64))
    t = np.asarray(times, dtype=np.float64)
    d = np.ones_like(t) if factors is None else np.asarray(factors, dtype=np.float64)
    weighted = u * d
    widths = np.diff(t)
    return np.asarray(((weighted[:, :-1] + weighted[:, 1:]) / 2.0) @ widths, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class RegressionFit:
    """OLS coefficients with classical standard errors (the kernel's output)."""

    names: tuple[str, ...]
    coef: FloatArray
    se: FloatArray
    df: int
    sigma2: float


def ols(design: FloatArray, outcome: FloatArray, names: tuple[str, ...]) -> RegressionFit:
    """Ordinary least squares with the classical covariance :math:`\\hat\\sigma^2 (X'X)^{-1}`.

    .. math::

        \\hat\\beta = (X'X)^{-1} X'y,\\qquad
        \\hat\\sigma^2 = \\frac{\\lVert y - X\\hat\\beta \\rVert^2}{n - p}
    """
    x = np.asarray(design, dtype=np.float64)
    y = np.asarray(outcome, dtype=np.float64)
    n, p = x.shape
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    df = n - p
    sigma2 = float(resid @ resid / df) if df > 0 else float("nan")
    cov = sigma2 * np.linalg.pinv(x.T @ x)
    se = np.sqrt(np.diag(cov)).astype(np.float64)
    return RegressionFit(names, np.asarray(coef, dtype=np.float64), se, df, sigma2)


def baseline_regression(
    qalys: FloatArray,
    baseline: FloatArray,
    arm: NDArray[np.intp],
    reference: int,
    *,
    level: float = 0.95,
) -> list[dict[str, float]]:
    """Incremental QALYs adjusted for baseline utility, Manca, Hawkins & Sculpher (2005).

    .. math::

        Q_i = \\sum_a \\alpha_a\\,\\mathbb{1}[A_i = a] + \\gamma\\,u_{i0} + \\varepsilon_i

    With two arms this is the paper's :math:`Q_i = \\alpha + \\beta T_i + \\gamma u_{i0}`:
    :math:`\\hat\\alpha_r - \\hat\\alpha_c` is the mean QALY difference between arm ``r`` and
    arm ``c`` at equal baseline utility. Standard errors and t(n - p) intervals are the
    classical OLS ones.

    Parameters
    ----------
    qalys, baseline : array, shape (n,)
        Each patient's QALYs and baseline utility.
    arm : int array, shape (n,)
        Arm code of each patient, 0 to n_arms - 1.
    reference : int
        The arm whose differences from every other arm are returned.

    Returns
    -------
    list of dict
        One per other arm, in code order: ``comparator`` (its code), ``estimate, se, ci_low,
        ci_high, pvalue, df``, ``slope`` (:math:`\\hat\\gamma`) and ``unadjusted`` (the
        difference in mean QALYs).
    """
    q = np.asarray(qalys, dtype=np.float64)
    u0 = np.asarray(baseline, dtype=np.float64)
    codes = np.asarray(arm, dtype=np.intp)
    n_arms = int(codes.max()) + 1
    design = np.column_stack([(codes == a).astype(np.float64) for a in range(n_arms)] + [u0])
    names = (*(f"arm{a}" for a in range(n_arms)), "baseline")
    fit = ols(design, q, names)
    cov = fit.sigma2 * np.linalg.pinv(design.T @ design)
    crit = float(stats.t.ppf(0.5 + level / 2.0, fit.df)) if fit.df > 0 else float("nan")
    out: list[dict[str, float]] = []
    for comparator in range(n_arms):
        if comparator == reference:
            continue
        contrast = np.zeros(len(names))
        contrast[reference], contrast[comparator] = 1.0, -1.0
        estimate = float(contrast @ fit.coef)
        se = float(np.sqrt(contrast @ cov @ contrast))
        statistic = estimate / se if se > 0 else float("nan")
        pvalue = float(2.0 * stats.t.sf(abs(statistic), fit.df)) if fit.df > 0 else float("nan")
        out.append(
            {
                "comparator": float(comparator),
                "estimate": estimate,
                "se": se,
                "ci_low": estimate - crit * se,
                "ci_high": estimate + crit * se,
                "pvalue": pvalue,
                "df": float(fit.df),
                "slope": float(fit.coef[-1]),
                "unadjusted": float(q[codes == reference].mean() - q[codes == comparator].mean()),
            }
        )
    return out


def ancova_means(qalys: list[FloatArray], baseline: list[FloatArray]) -> FloatArray:
    """Baseline-adjusted mean QALYs of each arm in each replicate (ANCOVA least-squares means).

    The regression of Manca et al. (2005) with one indicator per arm and a common slope
    :math:`\\gamma` on baseline utility, fitted to every replicate at once: with arm means
    :math:`\\bar Q_{ab}, \\bar u_{ab}` of replicate :math:`b` and the pooled within-arm slope

    .. math::

        \\hat\\gamma_b = \\frac{\\sum_a \\sum_{i \\in a} (u_{i0} - \\bar u_{ab})(Q_i - \\bar Q_{ab})}
                              {\\sum_a \\sum_{i \\in a} (u_{i0} - \\bar u_{ab})^2},\\qquad
        \\tilde Q_{ab} = \\bar Q_{ab} - \\hat\\gamma_b\\,(\\bar u_{ab} - \\bar u_{b})

    the adjusted mean of arm :math:`a` at the overall mean baseline :math:`\\bar u_b`.
    Differences of :math:`\\tilde Q_{ab}` equal the regression's treatment coefficients.

    Parameters
    ----------
    qalys, baseline : list of arrays, shape (B, n_a) each
        One array per arm: the QALYs and baseline utilities of the resampled patients.

    Returns
    -------
    array, shape (B, n_arms)
    """
    means_q = np.column_stack([q.mean(axis=1) for q in qalys])
    means_u = np.column_stack([u.mean(axis=1) for u in baseline])
    sxy = np.zeros(means_q.shape[0])
    sxx = np.zeros(means_q.shape[0])
    for a, (q, u) in enumerate(zip(qalys, baseline, strict=True)):
        du = u - means_u[:, a, None]
        sxy += np.einsum("ij,ij->i", du, q - means_q[:, a, None])
        sxx += np.einsum("ij,ij->i", du, du)
    sizes = np.array([q.shape[1] for q in qalys], dtype=np.float64)
    overall = means_u @ sizes / sizes.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(sxx > 0, sxy / sxx, 0.0)
    return np.asarray(means_q - slope[:, None] * (means_u - overall[:, None]), dtype=np.float64)
