"""Confidence intervals for tau^2, tau, I^2 and H^2 by the Q-profile method.

Viechtbauer (2007), Statistics in Medicine 26:37-52, doi:10.1002/sim.2514. The generalised Q
statistic :math:`Q(\\tau^2)` (see :func:`evsynth.synthesis.meta._wls.generalised_q`) decreases in
:math:`\\tau^2` and follows :math:`\\chi^2_{k-p}` at the true value, so the interval is

.. math::

    \\{\\tau^2 \\ge 0 : \\chi^2_{k-p,\\,\\alpha/2} \\le Q(\\tau^2) \\le \\chi^2_{k-p,\\,1-\\alpha/2}\\}

with a bound set to zero when :math:`Q(0)` already lies below the quantile (metafor's rule).
I^2 and H^2 bounds map the tau^2 bounds through the typical within-study variance
:math:`\\tilde v`: :math:`I^2 = 100\\,\\tau^2/(\\tilde v + \\tau^2)`, :math:`H^2 = \\tau^2/\\tilde v + 1`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from evsynth.synthesis.meta._roots import zeroin
from evsynth.synthesis.meta._wls import FloatArray, generalised_q


@dataclass(frozen=True, slots=True)
class HeterogeneityInterval:
    """Q-profile bounds of the heterogeneity statistics (estimate, low, high for each).

    ``high_truncated`` is True when the upper bound lies beyond the search limit ``upper`` and
    the limit is reported instead (metafor prints such a bound as ``>limit``).
    """

    level: float
    tau2: tuple[float, float, float]
    tau: tuple[float, float, float]
    i2: tuple[float, float, float]
    h2: tuple[float, float, float]
    high_truncated: bool = False


def q_profile(
    y: FloatArray,
    v: FloatArray,
    X: FloatArray,
    *,
    tau2: float,
    typical_variance: float,
    level: float = 0.95,
    tol: float = 1e-12,
    upper: float | None = None,
) -> HeterogeneityInterval:
    """Q-profile confidence interval for tau^2 and the statistics derived from it.

    Parameters
    ----------
    tol : float
        Root tolerance on the tau^2 scale. The default finds the bounds to machine precision;
        ``tol=R_UNIROOT_TOL`` with ``upper=max(100, 10 * tau2)`` reproduces metafor's
        ``confint()`` (whose bounds are only that accurate: about 1e-4 on the tau^2 scale).
    upper : float, optional
        Search limit for the bounds; by default the search widens until the root is bracketed,
        so no bound is ever truncated.
    """
    k, p = X.shape
    df = k - p

    def q(t: float) -> float:
        return generalised_q(t, y, v, X)

    crit_upper = float(stats.chi2.ppf(0.5 + level / 2, df))  # gives the lower tau^2 bound
    crit_lower = float(stats.chi2.ppf(0.5 - level / 2, df))  # gives the upper tau^2 bound
    limit = upper
    if limit is None:
        limit = max(100.0, 10.0 * tau2)
        while q(limit) > crit_lower and limit < 1e15:
            limit *= 10.0
    q0, q_limit = q(0.0), q(limit)

    truncated = False
    if q0 < crit_lower:
        low = high = 0.0
    else:
        if q_limit > crit_lower:
            high, truncated = limit, True
        else:
            high = zeroin(lambda t: q(t) - crit_lower, 0.0, limit, tol=tol)
        if q_limit > crit_upper:
            low = limit
        elif q0 < crit_upper:
            low = 0.0
        else:
            low = zeroin(lambda t: q(t) - crit_upper, 0.0, limit, tol=tol)

    def i2(t: float) -> float:
        return 100.0 * t / (typical_variance + t)

    def h2(t: float) -> float:
        return t / typical_variance + 1.0

    return HeterogeneityInterval(
        level=level,
        tau2=(tau2, low, high),
        tau=(float(np.sqrt(tau2)), float(np.sqrt(low)), float(np.sqrt(high))),
        i2=(i2(tau2), i2(low), i2(high)),
        h2=(h2(tau2), h2(low), h2(high)),
        high_truncated=truncated,
    )
