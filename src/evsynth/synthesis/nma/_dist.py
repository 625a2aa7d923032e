"""Normal, t and chi-square tail functions as plain ufuncs.

``scipy.stats`` distribution methods validate their arguments on every call (tens of
microseconds each); a network fit needs about a hundred tail probabilities, so the
``scipy.special`` ufuncs behind them are called directly. The values are identical.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special


def z_quantile(level: float) -> float:
    """Two-sided standard normal critical value for ``level``."""
    return float(special.ndtri(0.5 + level / 2))


def t_quantile(level: float, df: float) -> float:
    """Two-sided Student t critical value for ``level`` on ``df`` degrees of freedom."""
    return float(special.stdtrit(df, 0.5 + level / 2))


def normal_cdf(x: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Standard normal distribution function."""
    return np.asarray(special.ndtr(x), dtype=np.float64)


def two_sided_p(z: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Two-sided p-value of a standard normal statistic."""
    return np.asarray(
        2.0 * special.ndtr(-np.abs(np.asarray(z, dtype=np.float64))), dtype=np.float64
    )


def chi2_pvalue(q: float, df: int) -> float:
    """Upper-tail chi-square p-value; NaN for ``df < 1``."""
    return float(special.chdtrc(df, q)) if df >= 1 else float("nan")


def chi2_pvalues(q: npt.ArrayLike, df: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Upper-tail chi-square p-values, elementwise; NaN where ``df < 1`` or missing."""
    q = np.asarray(q, dtype=np.float64)
    df = np.asarray(df, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        ok = df >= 1
    return np.asarray(
        np.where(ok, special.chdtrc(np.where(ok, df, 1.0), q), np.nan), dtype=np.float64
    )
