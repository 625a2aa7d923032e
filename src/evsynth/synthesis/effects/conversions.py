r"""Conversions from what papers report to what the effect-size kernels need.

Use these before :func:`~evsynth.synthesis.effects.effect_sizes` when a study reports a
standard error or confidence interval instead of a standard deviation, a t or F statistic
instead of group means, change-from-baseline data, or only an effect with its interval.
Section numbers refer to the Cochrane Handbook, version 6.4, chapter 6 (Higgins, Li & Deeks).

Change-from-baseline data need no conversion when a study reports the mean change and the
SD of the change in each group: give those as the means and SDs. When it reports only the
baseline and follow-up SDs, :func:`sd_change` imputes the SD of the change from a
correlation (section 6.5.2.8), which :func:`correlation_from_sds` estimates from a study
that reports all three SDs.

References
----------
Higgins JPT, Li T, Deeks JJ (2023). Chapter 6: Choosing effect measures and computing
estimates of effect. In: Higgins JPT, Thomas J, et al. (eds). Cochrane Handbook for
Systematic Reviews of Interventions, version 6.4. www.training.cochrane.org/handbook
Hedges LV (1981). Distribution theory for Glass's estimator of effect size and related
estimators. Journal of Educational Statistics 6(2):107-128. doi:10.3102/10769986006002107
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from evsynth._core.errors import DataError, EvsynthError, choice_error
from evsynth.synthesis.effects.continuous import hedges_correction, smd_variance

FloatArray = npt.NDArray[np.float64]

DISTRIBUTIONS: tuple[str, ...] = ("t", "normal")


def _as_float(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _require(ok: npt.NDArray[np.bool_], what: str, hint: str) -> None:
    """Raise a DataError naming the first element (0-based) where ``ok`` is False."""
    bad = np.flatnonzero(~np.asarray(ok, dtype=np.bool_))
    if bad.size:
        raise DataError(f"{what} at position {int(bad[0])}", hint=hint)


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise EvsynthError(
            f"level={level!r} must lie strictly between 0 and 1", hint="For a 95% interval use 0.95"
        )


def variance_from_se(se: npt.ArrayLike) -> FloatArray:
    r"""Variance from a standard error.

    .. math::

        v = \mathrm{SE}^2
    """
    s = _as_float(se)
    _require(s >= 0, "a standard error is negative or missing", "Standard errors must be >= 0")
    return s**2


def sd_from_se(se: npt.ArrayLike, n: npt.ArrayLike) -> FloatArray:
    r"""Standard deviation of a group from the standard error of its mean (section 6.5.2.2).

    .. math::

        \mathrm{SD} = \mathrm{SE} \sqrt{n}

    Parameters
    ----------
    se : array_like
        Standard error of the group mean.
    n : array_like
        Number of participants in the group.

    Examples
    --------
    >>> float(sd_from_se(2.0, 25)[()])
    10.0
    """
    s, size = _as_float(se), _as_float(n)
    _require(s >= 0, "a standard error is negative or missing", "Standard errors must be >= 0")
    _require(size >= 1, "a group size is below 1 or missing", "Give the number in the group")
    return s * np.sqrt(size)


def sd_from_ci(
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    n: npt.ArrayLike,
    *,
    level: float = 0.95,
    distribution: Literal["t", "normal"] | str = "t",
) -> FloatArray:
    r"""Standard deviation of a group from a confidence interval of its mean (section 6.5.2.2).

    .. math::

        \mathrm{SD} = \sqrt{n}\, \frac{\text{upper} - \text{lower}}{2\, q}

    ``distribution="t"`` (default): :math:`q = t_{(1 + \text{level})/2,\; n - 1}`, as the
    Handbook advises for small samples; for large ``n`` it tends to the normal quantile, so it
    is also right for large samples when the interval was computed from the t distribution.
    ``distribution="normal"``: :math:`q = z_{(1 + \text{level})/2}` (1.96 for 95%, i.e. the
    Handbook's divisor 3.92), for intervals known to be computed with the normal quantile.

    Parameters
    ----------
    lower, upper : array_like
        Confidence limits of the group mean.
    n : array_like
        Number of participants in the group.
    level : float, optional
        Confidence level of the reported interval.
    distribution : {"t", "normal"}, optional
        Distribution the interval was computed from.

    Examples
    --------
    Large sample, normal quantile: width 3.92 with ``n = 100`` gives SD 10 (to 1.96 vs 1.95996).

    >>> round(float(sd_from_ci(-1.96, 1.96, 100, distribution="normal")[()]), 3)
    10.0
    """
    _check_level(level)
    lo, hi, size = _as_float(lower), _as_float(upper), _as_float(n)
    _require(hi >= lo, "an upper confidence limit is below the lower one", "Check the limits")
    p = (1.0 + level) / 2.0
    if distribution == "t":
        _require(size >= 2, "a group size is below 2", "The t quantile needs n >= 2")
        q = stats.t.ppf(p, size - 1.0)
    elif distribution == "normal":
        _require(size >= 1, "a group size is below 1", "Give the number in the group")
        q = stats.norm.ppf(p)
    else:
        raise choice_error("distribution", distribution, DISTRIBUTIONS)
    return np.asarray(np.sqrt(size) * (hi - lo) / (2.0 * q), dtype=np.float64)


def se_from_ci(
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    *,
    level: float = 0.95,
    ratio: bool = False,
) -> FloatArray:
    r"""Standard error of an effect from its confidence interval (sections 6.3.1 and 6.3.2).

    .. math::

        \mathrm{SE} = \frac{\text{upper} - \text{lower}}{2\, z_{(1 + \text{level})/2}}

    For ratio measures (``ratio=True``: odds, risk and hazard ratios) the limits are first
    put on the log scale, :math:`\log(\text{upper}) - \log(\text{lower})`, and the result is
    the SE of the log ratio (section 6.3.2). The normal quantile is used, as the Handbook
    does for effect estimates (1.96 for a 95% interval).

    Parameters
    ----------
    lower, upper : array_like
        Confidence limits of the effect (ratios on their natural scale when ``ratio=True``).
    level : float, optional
        Confidence level of the reported interval.
    ratio : bool, optional
        Whether the limits are of a ratio measure.

    Examples
    --------
    >>> round(float(se_from_ci(0.5, 2.0, ratio=True)[()]), 6)
    0.353653
    """
    _check_level(level)
    lo, hi = _as_float(lower), _as_float(upper)
    _require(hi >= lo, "an upper confidence limit is below the lower one", "Check the limits")
    if ratio:
        _require(lo > 0, "a limit of a ratio is not positive", "Ratio limits must be > 0")
        lo, hi = np.log(lo), np.log(hi)
    return np.asarray((hi - lo) / (2.0 * stats.norm.ppf((1.0 + level) / 2.0)), dtype=np.float64)


def smd_from_t(
    t: npt.ArrayLike,
    n1: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    vtype: Literal["LS", "UB"] | str = "LS",
) -> tuple[FloatArray, FloatArray]:
    r"""Hedges' g and its variance from a two-sample t statistic (section 6.5.2.3).

    The t statistic of an independent-samples t test with pooled variance gives Cohen's d,
    which the exact correction ``J`` (Hedges, 1981) turns into Hedges' g:

    .. math::

        d = t \sqrt{\frac1{n_1} + \frac1{n_2}}, \qquad g = J(n_1 + n_2 - 2)\, d

    The sign of ``t`` must be that of mean(treatment) - mean(control). The variance is
    :func:`~evsynth.synthesis.effects.smd_variance` with ``vtype``.

    Parameters
    ----------
    t : array_like
        t statistic (treatment minus control).
    n1, n2 : array_like
        Group sizes (treatment, control).
    vtype : {"LS", "UB"}, optional
        Variance estimator.

    Returns
    -------
    effect, variance : numpy.ndarray
        Hedges' g and its sampling variance.
    """
    a, b = _as_float(n1), _as_float(n2)
    _require((a >= 2) & (b >= 2), "a group size is below 2", "Each group needs n >= 2")
    d = _as_float(t) * np.sqrt(1.0 / a + 1.0 / b)
    g = hedges_correction(a + b - 2.0) * d
    return g, smd_variance(g, a, b, vtype=vtype)


def smd_from_f(
    f: npt.ArrayLike,
    n1: npt.ArrayLike,
    n2: npt.ArrayLike,
    sign: npt.ArrayLike,
    *,
    vtype: Literal["LS", "UB"] | str = "LS",
) -> tuple[FloatArray, FloatArray]:
    r"""Hedges' g and its variance from a two-group F statistic with 1 numerator df.

    With one numerator degree of freedom :math:`F = t^2`, so

    .. math::

        t = \operatorname{sign} \cdot \sqrt{F}

    and then :func:`smd_from_t`. F carries no direction: ``sign`` (+1 when the treatment
    mean is higher, -1 when lower) must come from the paper.

    Parameters
    ----------
    f : array_like
        F statistic with 1 numerator degree of freedom.
    n1, n2 : array_like
        Group sizes (treatment, control).
    sign : array_like
        +1 or -1, the sign of mean(treatment) - mean(control).
    vtype : {"LS", "UB"}, optional
        Variance estimator.
    """
    stat, s = _as_float(f), _as_float(sign)
    _require(stat >= 0, "an F statistic is negative or missing", "F statistics are >= 0")
    _require(
        (s == 1.0) | (s == -1.0),
        "a sign is neither +1 nor -1",
        "Give +1 where the treatment mean is higher, -1 where it is lower",
    )
    return smd_from_t(s * np.sqrt(stat), n1, n2, vtype=vtype)


def sd_change(
    sd_baseline: npt.ArrayLike, sd_final: npt.ArrayLike, correlation: npt.ArrayLike
) -> FloatArray:
    r"""SD of the change from baseline, imputed from a correlation (section 6.5.2.8).

    .. math::

        \mathrm{SD}_\text{change} = \sqrt{\mathrm{SD}_b^2 + \mathrm{SD}_f^2
            - 2\, r\, \mathrm{SD}_b\, \mathrm{SD}_f}

    Parameters
    ----------
    sd_baseline, sd_final : array_like
        SDs at baseline and at follow-up, in the same group.
    correlation : array_like
        Correlation between baseline and follow-up values, often taken from another study
        (:func:`correlation_from_sds`); the Handbook advises a sensitivity analysis over it.

    Examples
    --------
    Equal SDs and ``r = 0.5`` give an SD of change equal to them:

    >>> round(float(sd_change(10.0, 10.0, 0.5)[()]), 12)
    10.0
    """
    sb, sf, r = _as_float(sd_baseline), _as_float(sd_final), _as_float(correlation)
    _require((sb >= 0) & (sf >= 0), "an SD is negative or missing", "SDs must be >= 0")
    _require(np.abs(r) <= 1, "a correlation is outside [-1, 1]", "Correlations lie in [-1, 1]")
    return np.sqrt(np.maximum(sb**2 + sf**2 - 2.0 * r * sb * sf, 0.0))


def correlation_from_sds(
    sd_baseline: npt.ArrayLike, sd_final: npt.ArrayLike, sd_change: npt.ArrayLike
) -> FloatArray:
    r"""Correlation between baseline and follow-up from three SDs (section 6.5.2.8).

    The inverse of :func:`sd_change`, for a study that reports all three SDs:

    .. math::

        r = \frac{\mathrm{SD}_b^2 + \mathrm{SD}_f^2 - \mathrm{SD}_\text{change}^2}
            {2\, \mathrm{SD}_b\, \mathrm{SD}_f}
    """
    sb, sf, sc = _as_float(sd_baseline), _as_float(sd_final), _as_float(sd_change)
    _require((sb > 0) & (sf > 0) & (sc >= 0), "an SD is not positive", "SDs must be > 0")
    return np.asarray((sb**2 + sf**2 - sc**2) / (2.0 * sb * sf), dtype=np.float64)


def align_direction(effect: npt.ArrayLike, lower_is_better: bool) -> FloatArray:
    r"""Flip the sign of effects so that a positive value always favours the treatment.

    .. math::

        y' = \begin{cases} -y & \text{lower is better} \\ y & \text{otherwise} \end{cases}

    For SMD, MD and RD this reverses the difference (control minus treatment). For a log
    odds or log risk ratio it inverts the ratio (control over treatment). For the odds ratio
    that equals counting non-events instead of events; for the risk ratio it does not (the
    risk ratio of non-events is a different measure; Handbook section 6.4.1.2).
    """
    y = _as_float(effect)
    return -y if lower_is_better else y
