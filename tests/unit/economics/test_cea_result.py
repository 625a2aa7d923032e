"""The cost-effectiveness result from long-form draws: outputs, several strategies, bad input.

Draws are small hand-made tables; the numbers they give are worked by hand beside each case
(INB = k dE - dC; CEAC = share of draws with positive INB).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from evsynth._core.errors import DataError, EvsynthError
from evsynth.economics import cost_effectiveness
from tests.tolerances import EXACT
from tests.validation._assert import close


def _long(cost: np.ndarray, effect: np.ndarray, names: list[str]) -> pd.DataFrame:
    s, j = cost.shape
    return pd.DataFrame(
        {
            "draw": np.repeat(np.arange(1, s + 1), j),
            "strategy": names * s,
            "cost": cost.ravel(),
            "effect": effect.ravel(),
        }
    )


def test_two_strategies_by_hand() -> None:
    # Draws of (A, B): B costs 100, 300 more and gains 0.01 QALY each time.
    cost = np.array([[0.0, 100.0], [0.0, 300.0]])
    effect = np.array([[1.0, 1.01], [1.0, 1.01]])
    result = cost_effectiveness(_long(cost, effect, ["A", "B"]), reference="B", thresholds=[20000])
    close(result.icer, [20000.0], EXACT, "ICER = 200 / 0.01")
    close(result.inb[0], [0.0], EXACT, "INB at the ICER")
    assert result.ceac[0].tolist() == [0.5]
    frame = result.to_frame()
    assert list(frame.columns) == [
        "threshold", "comparator", "inc_cost", "inc_effect", "icer", "quadrant", "inb", "ceac",
        "p_optimal_reference", "optimal", "evpi",
    ]  # fmt: skip
    payload = result.to_dict()
    assert payload["reference"] == "B" and payload["n_draws"] == 2
    assert payload["thresholds"][0]["ceac"] == {"A": 0.5}
    assert set(result.curves_frame().columns) >= {"threshold", "p_A", "p_B", "ceaf", "evpi"}
    assert result.grid[0] == 0.0 and result.grid[-1] == 50000.0 and result.grid.size == 501
    text = result.summary().as_text()
    assert "20,000" in text and "B against each comparator" in text
    intervals = result.conf_int()
    assert set(intervals["quantity"]) == {"inc_cost", "inc_effect", "inb_20000"}


def test_several_strategies_and_labels() -> None:
    rng = np.random.default_rng(2)
    cost = rng.normal([1000, 1500, 900], 50, (300, 3))
    effect = rng.normal([1.0, 1.05, 0.95], 0.01, (300, 3))
    result = cost_effectiveness(
        _long(cost, effect, ["UC", "New", "Cheap"]), reference="New", thresholds=[20000, 30000]
    )
    assert result.comparators == ("UC", "Cheap")
    assert result.p_optimal.shape == (3, 2)
    close(result.p_optimal.sum(axis=0), [1.0, 1.0], EXACT, "P(optimal) sums")
    assert "P(highest net benefit)" in result.summary().as_text()
    for plot in (result.plot, result.plot_plane, result.plot_ceac, result.plot_evpi):
        assert isinstance(plot(), Figure)


def test_dominated_reference_has_no_icer() -> None:
    cost = np.array([[0.0, 100.0], [0.0, 120.0]])
    effect = np.array([[1.0, 0.9], [1.0, 0.95]])
    result = cost_effectiveness(_long(cost, effect, ["A", "B"]), reference="B")
    assert result.quadrants == ("dominated",) and np.isnan(result.icer[0])
    assert "dominated" in result.summary().as_text()


def test_bad_draws_are_named() -> None:
    cost = np.array([[0.0, 100.0], [0.0, 300.0]])
    good = _long(cost, np.ones_like(cost), ["A", "B"])
    with pytest.raises(EvsynthError, match="choose one of A, B"):
        cost_effectiveness(good, reference="C")
    with pytest.raises(DataError, match="draw 1 has two rows for strategy A"):
        cost_effectiveness(pd.concat([good, good.iloc[:1]], ignore_index=True), reference="B")
    with pytest.raises(DataError, match="draw 2 has no row for strategy B"):
        cost_effectiveness(good.iloc[:3], reference="B")
    with pytest.raises(DataError, match="one strategy"):
        cost_effectiveness(good[good.strategy == "A"], reference="A")
    with pytest.raises(DataError, match="row 2, column 'effect'"):
        cost_effectiveness(good.assign(effect=[1, "x", 1, 1]), reference="B")
    with pytest.raises(EvsynthError, match="thresholds"):
        cost_effectiveness(good, reference="B", thresholds=[-1])
