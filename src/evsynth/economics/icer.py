"""Incremental analysis of several strategies: dominance, the efficient frontier and its ICERs.

The algorithm is the textbook one (Drummond et al. 2015, ch. 4; dampack's ``calculate_icers``):

1. order strategies by cost, and by effect (highest first) among equal costs;
2. **strong dominance** (``"D"``): a strategy is dominated when another costs no more and is
   at least as effective, one of the two strictly. Equal costs and equal effects are labelled
   as such: the more costly of two equally effective strategies is dominated, and of two
   identical ones the one listed later is marked dominated with a note;
3. **extended dominance** (``"ED"``; Cantor 1994, Med Decis Making 14(3):259-265,
   doi:10.1177/0272989X9401400308): among the rest, a strategy whose ICER against the previous
   one exceeds the next strategy's ICER is dominated by a mix of its neighbours; repeat until
   the ICERs increase along the frontier. A strategy exactly on the line between its neighbours
   (equal ICERs) is kept, as dampack keeps it;
4. the remaining strategies (``"ND"``) form the efficient frontier; each one's ICER is against
   the previous one on the frontier:

.. math::

    \\mathrm{ICER}_j = \\frac{C_j - C_{j-1}}{E_j - E_{j-1}}

Strategies that cost less and gain less than another (negative incremental effects) sit lower
on the frontier, so every ICER along it is a cost per unit of effect gained.

For one strategy against one comparator, :func:`quadrant` labels the cost-effectiveness plane:
``"NE"`` (more costly, more effective: the ICER is the cost per QALY gained), ``"SW"`` (less
costly, less effective: the ICER is the saving per QALY lost, acceptable when it *exceeds* the
threshold), ``"dominant"`` (no more costly and more effective, or less costly and equally
effective), ``"dominated"`` (no less costly and less effective, or more costly and equally
effective) and ``"identical"``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

STATUSES: dict[str, str] = {
    "ND": "non-dominated (on the efficient frontier)",
    "D": "dominated",
    "ED": "extendedly dominated",
}


@dataclass(frozen=True, slots=True)
class Frontier:
    """Kernel output: status, comparator (index or -1) and increments of each strategy."""

    status: tuple[str, ...]
    comparator: NDArray[np.intp]
    inc_cost: FloatArray
    inc_effect: FloatArray
    icer: FloatArray
    order: NDArray[np.intp]  # strategies by cost, then effect (highest first)
    notes: tuple[str, ...]


def _sorted(cost: FloatArray, effect: FloatArray) -> NDArray[np.intp]:
    # lexsort keys: last is primary. Stable, so equal strategies keep their input order.
    return np.lexsort((np.arange(cost.size), -effect, cost)).astype(np.intp)


def efficient_frontier(
    cost: FloatArray, effect: FloatArray, names: tuple[str, ...] | None = None
) -> Frontier:
    """Statuses (ND, D, ED) and ICERs along the efficient frontier.

    Parameters
    ----------
    cost, effect : array, shape (J,)
        Mean cost and mean effect (e.g. QALYs) of each strategy.
    names : tuple of str, optional
        Strategy names, used in notes.

    Returns
    -------
    Frontier
        For each strategy (input order): status, the frontier strategy it is compared with
        (-1 for the first frontier strategy and for dominated ones), incremental cost and effect
        and the ICER (``nan`` where there is none).

    Examples
    --------
    >>> f = efficient_frontier(np.array([0.0, 10.0, 30.0]), np.array([0.0, 1.0, 1.5]))
    >>> f.status, f.icer.tolist()
    (('ND', 'ND', 'ND'), [nan, 10.0, 40.0])
    """
    c = np.asarray(cost, dtype=np.float64)
    e = np.asarray(effect, dtype=np.float64)
    labels = names or tuple(str(i) for i in range(c.size))
    order = _sorted(c, e)
    status = ["ND"] * c.size
    notes: list[str] = []
    best = -np.inf
    best_index = -1
    for i in order:
        if e[i] <= best:
            status[i] = "D"
            if e[i] == best and c[i] == c[best_index]:
                notes.append(
                    f"{labels[i]} has the same cost and effect as {labels[best_index]}; it is "
                    f"listed as dominated so that the frontier holds one of them"
                )
            elif e[i] == best:
                notes.append(
                    f"{labels[i]} is as effective as {labels[best_index]} and costs more "
                    f"(equal effects): dominated"
                )
        else:
            best, best_index = float(e[i]), int(i)
    frontier = [int(i) for i in order if status[i] == "ND"]
    while len(frontier) > 2:
        fc, fe = c[frontier], e[frontier]
        ratios = np.diff(fc) / np.diff(fe)
        # ratios[k] is the ICER of frontier[k + 1] against frontier[k].
        extended = [k + 1 for k in range(len(ratios) - 1) if ratios[k] > ratios[k + 1]]
        if not extended:
            break
        for k in extended:
            status[frontier[k]] = "ED"
        frontier = [s for s in frontier if status[s] == "ND"]
    comparator = np.full(c.size, -1, dtype=np.intp)
    inc_cost = np.full(c.size, np.nan)
    inc_effect = np.full(c.size, np.nan)
    icer = np.full(c.size, np.nan)
    for previous, current in itertools.pairwise(frontier):
        comparator[current] = previous
        inc_cost[current] = c[current] - c[previous]
        inc_effect[current] = e[current] - e[previous]
        icer[current] = inc_cost[current] / inc_effect[current]
    return Frontier(tuple(status), comparator, inc_cost, inc_effect, icer, order, tuple(notes))


def quadrant(inc_cost: float, inc_effect: float) -> str:
    """Where one strategy lies against one comparator on the cost-effectiveness plane.

    Returns ``"NE"``, ``"SW"``, ``"dominant"``, ``"dominated"`` or ``"identical"`` (see the
    module docstring).
    """
    if inc_effect > 0:
        return "NE" if inc_cost > 0 else "dominant"
    if inc_effect < 0:
        return "SW" if inc_cost < 0 else "dominated"
    if inc_cost < 0:
        return "dominant"
    if inc_cost > 0:
        return "dominated"
    return "identical"


QUADRANT_LABELS: dict[str, str] = {
    "NE": "more costly and more effective",
    "SW": "less costly and less effective (the ICER is the saving per unit of effect lost)",
    "dominant": "dominant (no more costly and more effective, or cheaper and equally effective)",
    "dominated": "dominated (no cheaper and less effective, or dearer and equally effective)",
    "identical": "identical costs and effects",
}


def pairwise_icer(inc_cost: float, inc_effect: float) -> float:
    """The ICER of one comparison: the ratio in the NE and SW quadrants, else ``nan``.

    .. math::

        \\mathrm{ICER} = \\frac{\\Delta C}{\\Delta E}

    A negative ratio (dominance) is not an ICER, so it is not reported as one.
    """
    if quadrant(inc_cost, inc_effect) in ("NE", "SW"):
        return inc_cost / inc_effect
    return float("nan")
