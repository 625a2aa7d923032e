"""Net monetary benefit and incremental net benefit at willingness-to-pay thresholds (kernels).

Net monetary benefit turns costs and effects into one money scale at a threshold :math:`k`
(Stinnett & Mullahy 1998, Med Decis Making 18(2 Suppl):S68-S80,
doi:10.1177/0272989X98018002S09); the strategy with the highest expected net benefit is the
cost-effective one (Claxton 1999, the decision rule behind :mod:`evsynth.economics.psa`).
NICE's thresholds, 20,000 and 30,000 pounds per QALY, are the defaults.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

DEFAULT_THRESHOLDS: tuple[float, ...] = (20000.0, 30000.0)


def net_benefit(cost: ArrayLike, effect: ArrayLike, thresholds: ArrayLike) -> FloatArray:
    """Net monetary benefit of each strategy at each threshold.

    .. math::

        \\mathrm{NMB}_j(k) = k\\,E_j - C_j

    Parameters
    ----------
    cost, effect : array_like, shape (..., J)
        Costs and effects (means, or draws with a leading axis).
    thresholds : array_like, shape (K,)
        Willingness to pay per unit of effect.

    Returns
    -------
    array, shape (..., J, K)

    Examples
    --------
    >>> net_benefit([100.0, 300.0], [1.0, 1.01], [20000.0]).ravel().tolist()
    [19900.0, 19900.0]
    """
    c = np.asarray(cost, dtype=np.float64)
    e = np.asarray(effect, dtype=np.float64)
    k = np.asarray(thresholds, dtype=np.float64)
    return np.asarray(e[..., None] * k - c[..., None], dtype=np.float64)


def incremental_net_benefit(
    inc_cost: ArrayLike, inc_effect: ArrayLike, thresholds: ArrayLike
) -> FloatArray:
    """Incremental net monetary benefit of one strategy over a comparator.

    .. math::

        \\mathrm{INB}(k) = k\\,\\Delta E - \\Delta C

    Positive where the strategy is cost-effective against the comparator at :math:`k`; it is
    zero at the ICER (in the NE and SW quadrants).

    Returns
    -------
    array, shape (..., K)
    """
    dc = np.asarray(inc_cost, dtype=np.float64)
    de = np.asarray(inc_effect, dtype=np.float64)
    k = np.asarray(thresholds, dtype=np.float64)
    return np.asarray(de[..., None] * k - dc[..., None], dtype=np.float64)
