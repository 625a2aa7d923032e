"""CEACs, CEAF, EVPI and break-even thresholds: vectorised kernels against plain loops.

Each kernel is checked against a direct loop over draws and thresholds written here from the
definitions in evsynth.economics.psa (van Hout et al. 1994; Fenwick, Claxton & Sculpher 2001;
Claxton 1999), on seeded random draws, and on a two-draw case worked by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from evsynth.economics import psa
from evsynth.economics.psa import break_even, decision_curves, pairwise_ceac
from tests.tolerances import EXACT, SUMMATION
from tests.validation._assert import close


def _draws(seed: int = 5, s: int = 400, j: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cost = rng.normal(1000.0, 300.0, (s, j)) + np.arange(j) * 250.0
    effect = rng.normal(1.0, 0.05, (s, j)) + np.arange(j) * 0.012
    return cost, effect


def test_decision_curves_match_a_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    cost, effect = _draws()
    k = np.linspace(0.0, 60000.0, 37)
    s, j = cost.shape
    p_loop = np.zeros((j, k.size))
    evpi_loop = np.zeros(k.size)
    for t, kk in enumerate(k):
        nb = kk * effect - cost
        for row in nb:
            p_loop[int(np.argmax(row)), t] += 1.0 / s
        evpi_loop[t] = nb.max(axis=1).mean() - nb.mean(axis=0).max()
    for cells in (4_000_000, 1000):  # one block, and many small blocks
        monkeypatch.setattr(psa, "_BLOCK_CELLS", cells)
        curves = decision_curves(cost, effect, k)
        close(curves.p_optimal, p_loop, EXACT, "CEACs")
        close(curves.evpi, evpi_loop, SUMMATION, "EVPI")
    close(curves.p_optimal.sum(axis=0), np.ones(k.size), EXACT, "probabilities sum to 1")
    expected_best = (k[None, :] * effect.mean(0)[:, None] - cost.mean(0)[:, None]).argmax(0)
    assert curves.optimal.tolist() == expected_best.tolist()
    close(curves.ceaf, curves.p_optimal[expected_best, np.arange(k.size)], EXACT, "CEAF")
    assert (curves.evpi >= 0).all()


def test_pairwise_ceac_matches_a_loop() -> None:
    cost, effect = _draws()
    dc, de = cost[:, [0]] - cost[:, 1:], effect[:, [0]] - effect[:, 1:]
    k = np.array([0.0, 10000.0, 20000.0, 50000.0])
    loop = np.array([[np.mean(kk * de[:, m] - dc[:, m] > 0) for kk in k] for m in range(3)])
    close(pairwise_ceac(dc, de, k), loop, EXACT, "pairwise CEAC")


def test_two_draws_by_hand() -> None:
    # Draw 1: B costs 10 more for 1 more unit; draw 2: 30 more for 1 more. At k = 20, B wins
    # draw 1 only: P = 0.5; EVPI = mean(10, 0) - max(0, 20 - 20) = 5.
    cost = np.array([[0.0, 10.0], [0.0, 30.0]])
    effect = np.array([[0.0, 1.0], [0.0, 1.0]])
    curves = decision_curves(cost, effect, [0.0, 20.0, 40.0])
    assert curves.p_optimal[1].tolist() == [0.0, 0.5, 1.0]
    close(curves.evpi, [0.0, 5.0, 0.0], EXACT, "EVPI by hand")


def test_break_even_takes_the_first_grid_value_of_the_new_decision() -> None:
    k = np.array([0.0, 100.0, 200.0, 300.0])
    assert break_even(np.array([0, 0, 1, 1]), k) == [(200.0, 0, 1)]
    assert break_even(np.array([0, 1, 0, 0]), k) == [(100.0, 0, 1), (200.0, 1, 0)]
    assert break_even(np.array([2, 2, 2, 2]), k) == []
