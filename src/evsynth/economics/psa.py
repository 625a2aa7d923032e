"""Decision uncertainty from draws of costs and effects: CEAC, CEAF, EVPI, break-even (kernels).

The draws are ``S`` joint samples of each strategy's (mean) cost and effect: probabilistic
sensitivity analysis (PSA) draws from a decision model, or bootstrap replicates of a trial's
arm means (:mod:`evsynth.economics.bootstrap`). At each threshold :math:`k`, with net benefit
:math:`NB_{sj}(k) = k E_{sj} - C_{sj}`:

* **CEAC** of strategy :math:`j`: the probability that it has the highest net benefit (van Hout
  et al. 1994, Health Econ 3(5):309-319, doi:10.1002/hec.4730030505; with several strategies,
  Fenwick, Claxton & Sculpher 2001, Health Econ 10(8):779-787, doi:10.1002/hec.635);
  pairwise against a comparator, the probability that the incremental net benefit is positive;
* **CEAF** (Fenwick, Claxton & Sculpher 2001): the CEAC of the strategy with the highest
  *expected* net benefit, which is the decision, not always the strategy most likely to be
  cost-effective (Fenwick, O'Brien & Briggs 2004, Health Econ 13(5):405-415,
  doi:10.1002/hec.903);
* **EVPI** per patient, the expected value of perfect information (Claxton 1999, J Health Econ
  18(3):341-364, doi:10.1016/S0167-6296(98)00039-3):

.. math::

    \\mathrm{EVPI}(k) = \\frac{1}{S}\\sum_{s=1}^{S} \\max_j NB_{sj}(k)
                       - \\max_j \\frac{1}{S}\\sum_{s=1}^{S} NB_{sj}(k)

* **break-even thresholds** (BCEA's ``kstar``): the grid values at which the strategy with the
  highest expected net benefit changes, each the first grid value of the new decision.

Everything is vectorised over draws, strategies and thresholds, in blocks of thresholds so that
memory stays bounded (10,000 draws x 6 strategies x 501 thresholds in well under a second).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

_BLOCK_CELLS = 2_000_000  # draws x thresholds per block and strategy: 16 MB of float64


@dataclass(frozen=True, slots=True)
class DecisionCurves:
    """Kernel output over a threshold grid (K thresholds, J strategies)."""

    thresholds: FloatArray  # (K,)
    expected_nb: FloatArray  # (J, K) mean net benefit
    p_optimal: FloatArray  # (J, K) probability of the highest net benefit (the CEAC)
    optimal: NDArray[np.intp]  # (K,) strategy with the highest expected net benefit
    ceaf: FloatArray  # (K,) p_optimal of that strategy
    evpi: FloatArray  # (K,)


def decision_curves(cost: ArrayLike, effect: ArrayLike, thresholds: ArrayLike) -> DecisionCurves:
    """CEACs of every strategy, the CEAF and the EVPI at each threshold.

    Parameters
    ----------
    cost, effect : array_like, shape (S, J)
        Draws (rows) of each strategy's cost and effect (columns).
    thresholds : array_like, shape (K,)
        Willingness-to-pay values.

    Returns
    -------
    DecisionCurves

    Notes
    -----
    Ties in net benefit within a draw go to the first strategy (``argmax``); with continuous
    draws they do not occur.

    Examples
    --------
    >>> c = np.array([[0.0, 10.0], [0.0, 30.0]])
    >>> e = np.array([[0.0, 1.0], [0.0, 1.0]])
    >>> curves = decision_curves(c, e, [0.0, 20.0, 40.0])
    >>> curves.p_optimal[1].tolist(), curves.evpi.tolist()
    ([0.0, 0.5, 1.0], [0.0, 5.0, 0.0])
    """
    c = np.asarray(cost, dtype=np.float64)
    e = np.asarray(effect, dtype=np.float64)
    k = np.asarray(thresholds, dtype=np.float64).ravel()
    n_draws, n_strategies = c.shape
    expected_nb = e.mean(axis=0)[:, None] * k[None, :] - c.mean(axis=0)[:, None]
    counts = np.zeros((k.size, n_strategies), dtype=np.int64)
    mean_max = np.empty(k.size)
    # One (thresholds, draws) array per strategy, kept as a running maximum and its index: a
    # few passes over contiguous memory, faster than an argmax over a short last axis.
    cost_t, effect_t = np.ascontiguousarray(c.T), np.ascontiguousarray(e.T)
    block = max(1, _BLOCK_CELLS // max(1, n_draws))
    for start in range(0, k.size, block):
        kb = k[start : start + block]
        best = np.multiply.outer(kb, effect_t[0])
        best -= cost_t[0]
        which = np.zeros(best.shape, dtype=np.intp if n_strategies > 127 else np.int8)
        candidate = np.empty_like(best)
        for j in range(1, n_strategies):
            np.multiply.outer(kb, effect_t[j], out=candidate)
            candidate -= cost_t[j]
            better = candidate > best  # ties stay with the earlier strategy, as argmax
            which[better] = j
            np.maximum(best, candidate, out=best)
        mean_max[start : start + kb.size] = best.mean(axis=1)
        for j in range(n_strategies):
            counts[start : start + kb.size, j] = np.count_nonzero(which == j, axis=1)
    p_optimal = (counts / n_draws).T
    optimal = expected_nb.argmax(axis=0).astype(np.intp)
    ceaf = p_optimal[optimal, np.arange(k.size)]
    evpi = mean_max - expected_nb.max(axis=0)
    return DecisionCurves(k, expected_nb, p_optimal, optimal, ceaf, np.maximum(evpi, 0.0))


def pairwise_ceac(inc_cost: ArrayLike, inc_effect: ArrayLike, thresholds: ArrayLike) -> FloatArray:
    """Probability that the incremental net benefit is positive, at each threshold.

    .. math::

        \\mathrm{CEAC}(k) = \\Pr\\left(k\\,\\Delta E - \\Delta C > 0\\right)
        \\approx \\frac{1}{S} \\sum_s \\mathbb{1}\\left[k\\,\\Delta E_s - \\Delta C_s > 0\\right]

    Parameters
    ----------
    inc_cost, inc_effect : array_like, shape (S, M)
        Draws of the increments of one strategy over M comparators.
    thresholds : array_like, shape (K,)

    Returns
    -------
    array, shape (M, K)
    """
    dc = np.atleast_2d(np.asarray(inc_cost, dtype=np.float64))
    de = np.atleast_2d(np.asarray(inc_effect, dtype=np.float64))
    k = np.asarray(thresholds, dtype=np.float64).ravel()
    n_draws, m = dc.shape
    out = np.empty((m, k.size))
    block = max(1, _BLOCK_CELLS // max(1, n_draws))
    dc_t, de_t = np.ascontiguousarray(dc.T), np.ascontiguousarray(de.T)
    for start in range(0, k.size, block):
        kb = k[start : start + block]
        for i in range(m):
            inb = np.multiply.outer(kb, de_t[i])
            inb -= dc_t[i]
            out[i, start : start + kb.size] = np.count_nonzero(inb > 0.0, axis=1) / n_draws
    return out


def break_even(optimal: NDArray[np.intp], thresholds: ArrayLike) -> list[tuple[float, int, int]]:
    """Where the decision changes along the grid: (threshold, from strategy, to strategy).

    The threshold is the first grid value of the new decision, as BCEA's ``kstar``.
    """
    k = np.asarray(thresholds, dtype=np.float64).ravel()
    best = np.asarray(optimal, dtype=np.intp)
    changes = np.flatnonzero(np.diff(best) != 0)
    return [(float(k[i + 1]), int(best[i]), int(best[i + 1])) for i in changes]
