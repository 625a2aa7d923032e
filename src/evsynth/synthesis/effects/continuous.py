"""Kernels for two-group continuous outcomes: mean difference and standardised mean difference.

NumPy arrays in, NumPy arrays out. Inputs are assumed valid (finite, ``n >= 2``, ``sd >= 0``);
:func:`evsynth.synthesis.effects.effect_sizes` checks them and says which row is wrong.

References
----------
Hedges LV (1981). Distribution theory for Glass's estimator of effect size and related
estimators. Journal of Educational Statistics 6(2):107-128. doi:10.3102/10769986006002107
Hedges LV (1983). A random effects model for effect sizes. Psychological Bulletin
93(2):388-395. doi:10.1037/0033-2909.93.2.388
Hedges LV, Olkin I (1985). Statistical Methods for Meta-Analysis. Academic Press.
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. Journal of
Statistical Software 36(3):1-48. doi:10.18637/jss.v036.i03
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln

from evsynth._core.errors import choice_error

FloatArray = npt.NDArray[np.float64]

SMD_VTYPES: tuple[str, ...] = ("LS", "UB")
MD_VTYPES: tuple[str, ...] = ("LS", "UB", "HO")


def _as_float(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def hedges_correction(df: npt.ArrayLike) -> FloatArray:
    r"""Exact small-sample bias correction factor ``J`` for Cohen's d (Hedges, 1981).

    .. math::

        J(m) = \frac{\Gamma(m/2)}{\sqrt{m/2}\;\Gamma\big((m-1)/2\big)},
        \qquad m = n_1 + n_2 - 2

    Computed on the log scale with :func:`scipy.special.gammaln`, so it stays exact for
    large ``m`` where the gamma functions overflow. This is the factor metafor uses
    (``.cmicalc``); the common approximation :math:`1 - 3/(4m - 1)` differs from it by less
    than 1e-3 for ``m >= 10`` but is not used here.

    Parameters
    ----------
    df : array_like
        Degrees of freedom ``m = n1 + n2 - 2`` (must be > 1).

    Returns
    -------
    numpy.ndarray
        ``J``, between 0 and 1.
    """
    m = _as_float(df)
    log_j = gammaln(m / 2.0) - 0.5 * np.log(m / 2.0) - gammaln((m - 1.0) / 2.0)
    return np.asarray(np.exp(log_j), dtype=np.float64)


def pooled_sd(
    sd1: npt.ArrayLike, n1: npt.ArrayLike, sd2: npt.ArrayLike, n2: npt.ArrayLike
) -> FloatArray:
    r"""Pooled within-group standard deviation of two groups.

    .. math::

        s_p = \sqrt{\frac{(n_1 - 1)\,s_1^2 + (n_2 - 1)\,s_2^2}{n_1 + n_2 - 2}}
    """
    s1, s2, a, b = _as_float(sd1), _as_float(sd2), _as_float(n1), _as_float(n2)
    return np.sqrt(((a - 1.0) * s1**2 + (b - 1.0) * s2**2) / (a + b - 2.0))


def smd_variance(
    effect: npt.ArrayLike,
    n1: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    vtype: Literal["LS", "UB"] | str = "LS",
) -> FloatArray:
    r"""Sampling variance of Hedges' g, as metafor's ``escalc(measure="SMD", vtype=...)``.

    ``vtype="LS"`` (default): large-sample approximation (Hedges & Olkin, 1985, as
    implemented in metafor):

    .. math::

        v = \frac{1}{n_1} + \frac{1}{n_2} + \frac{g^2}{2(n_1 + n_2)}

    ``vtype="UB"``: unbiased estimator (Hedges, 1983), with ``m = n1 + n2 - 2`` and ``J``
    from :func:`hedges_correction`:

    .. math::

        v = \frac{1}{n_1} + \frac{1}{n_2}
            + \left(1 - \frac{m - 2}{m\,J(m)^2}\right) g^2

    Parameters
    ----------
    effect : array_like
        Hedges' g (already bias-corrected).
    n1, n2 : array_like
        Group sizes.
    vtype : {"LS", "UB"}, optional
        Variance estimator.

    Returns
    -------
    numpy.ndarray
        Sampling variances.
    """
    g, a, b = _as_float(effect), _as_float(n1), _as_float(n2)
    if vtype == "LS":
        return 1.0 / a + 1.0 / b + g**2 / (2.0 * (a + b))
    if vtype == "UB":
        m = a + b - 2.0
        j = hedges_correction(m)
        return 1.0 / a + 1.0 / b + (1.0 - (m - 2.0) / (m * j**2)) * g**2
    raise choice_error("vtype", vtype, SMD_VTYPES)


def standardized_mean_difference(
    mean1: npt.ArrayLike,
    sd1: npt.ArrayLike,
    n1: npt.ArrayLike,
    mean2: npt.ArrayLike,
    sd2: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    vtype: Literal["LS", "UB"] | str = "LS",
) -> tuple[FloatArray, FloatArray]:
    r"""Hedges' g (bias-corrected SMD) and its variance, as metafor's ``measure="SMD"``.

    Cohen's d uses the pooled SD (:func:`pooled_sd`); Hedges' g multiplies it by the exact
    correction ``J`` (Hedges, 1981; :func:`hedges_correction`):

    .. math::

        d = \frac{\bar x_1 - \bar x_2}{s_p}, \qquad g = J(n_1 + n_2 - 2)\, d

    The variance is :func:`smd_variance` with ``vtype`` "LS" (Hedges & Olkin, 1985; the
    default, as metafor) or "UB" (Hedges, 1983).

    Parameters
    ----------
    mean1, sd1, n1 : array_like
        Mean, standard deviation and size of the first (treatment) group.
    mean2, sd2, n2 : array_like
        The same for the second (control) group.
    vtype : {"LS", "UB"}, optional
        Variance estimator.

    Returns
    -------
    effect, variance : numpy.ndarray
        Hedges' g and its sampling variance.
    """
    if vtype not in SMD_VTYPES:
        raise choice_error("vtype", vtype, SMD_VTYPES)
    a, b = _as_float(n1), _as_float(n2)
    d = (_as_float(mean1) - _as_float(mean2)) / pooled_sd(sd1, a, sd2, b)
    g = hedges_correction(a + b - 2.0) * d
    return g, smd_variance(g, a, b, vtype=vtype)


def mean_difference(
    mean1: npt.ArrayLike,
    sd1: npt.ArrayLike,
    n1: npt.ArrayLike,
    mean2: npt.ArrayLike,
    sd2: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    vtype: Literal["LS", "UB", "HO"] | str = "LS",
) -> tuple[FloatArray, FloatArray]:
    r"""Raw mean difference and its variance, as metafor's ``measure="MD"``.

    .. math::

        \mathrm{MD} = \bar x_1 - \bar x_2

    ``vtype="LS"`` (default) or ``"UB"``: the variance without assuming equal group variances
    (metafor's default; both codes give the same estimator, which is unbiased):

    .. math::

        v = \frac{s_1^2}{n_1} + \frac{s_2^2}{n_2}

    ``vtype="HO"``: assuming equal variances, with the pooled SD :math:`s_p`
    (:func:`pooled_sd`):

    .. math::

        v = s_p^2 \left(\frac{1}{n_1} + \frac{1}{n_2}\right)

    Parameters
    ----------
    mean1, sd1, n1 : array_like
        Mean, standard deviation and size of the first (treatment) group.
    mean2, sd2, n2 : array_like
        The same for the second (control) group.
    vtype : {"LS", "UB", "HO"}, optional
        Variance estimator.

    Returns
    -------
    effect, variance : numpy.ndarray
        Mean differences and their sampling variances.
    """
    a, b = _as_float(n1), _as_float(n2)
    s1, s2 = _as_float(sd1), _as_float(sd2)
    effect = _as_float(mean1) - _as_float(mean2)
    if vtype in ("LS", "UB"):
        variance = s1**2 / a + s2**2 / b
    elif vtype == "HO":
        variance = pooled_sd(s1, a, s2, b) ** 2 * (1.0 / a + 1.0 / b)
    else:
        raise choice_error("vtype", vtype, MD_VTYPES)
    return effect, variance
