"""Incremental analysis edge cases: equal effects, identical strategies, negative increments.

Every expected status and ICER is worked by hand beside its case (ICER = incremental cost over
incremental effect against the previous frontier strategy; Drummond et al. 2015, ch. 4).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth.economics import IcerResult, icers
from evsynth.economics.icer import pairwise_icer, quadrant
from tests.tolerances import EXACT
from tests.validation._assert import close


def _run(rows: list[tuple[str, float, float]]) -> IcerResult:
    return icers(pd.DataFrame(rows, columns=["strategy", "cost", "effect"]))


def test_equal_effects_the_dearer_is_dominated() -> None:
    result = _run([("A", 100, 1.0), ("B", 200, 1.0), ("C", 400, 2.0)])
    assert result.status == ("ND", "D", "ND")
    assert any("equal effects" in n for n in result.notes)
    close(result.icer[2], 300.0, EXACT, "C vs A")


def test_identical_strategies_one_stays() -> None:
    result = _run([("A", 100, 1.0), ("A2", 100, 1.0), ("B", 300, 2.0)])
    assert result.status == ("ND", "D", "ND")
    assert any("same cost and effect" in n for n in result.notes)


def test_cheaper_and_less_effective_sits_lower_on_the_frontier() -> None:
    # New is cheaper and less effective than usual care (negative increments against it), so
    # usual care's ICER is against New: (1000 - 400) / (1.0 - 0.9) = 6,000.
    result = _run([("Usual care", 1000, 1.0), ("New", 400, 0.9)])
    assert result.status == ("ND", "ND")
    assert result.frontier == ("New", "Usual care")
    close(result.icer[0], 6000.0, EXACT, "usual care vs new")
    assert quadrant(-600.0, -0.1) == "SW"
    close(pairwise_icer(-600.0, -0.1), 6000.0, EXACT, "SW ratio")


@pytest.mark.parametrize(
    ("inc_cost", "inc_effect", "label"),
    [
        (100.0, 0.1, "NE"),
        (-100.0, 0.1, "dominant"),
        (0.0, 0.1, "dominant"),
        (100.0, -0.1, "dominated"),
        (0.0, -0.1, "dominated"),
        (-100.0, -0.1, "SW"),
        (-100.0, 0.0, "dominant"),
        (100.0, 0.0, "dominated"),
        (0.0, 0.0, "identical"),
    ],
)
def test_quadrants_both_ways(inc_cost: float, inc_effect: float, label: str) -> None:
    assert quadrant(inc_cost, inc_effect) == label
    if label in ("NE", "SW"):
        close(pairwise_icer(inc_cost, inc_effect), inc_cost / inc_effect, EXACT, label)
    else:
        assert np.isnan(pairwise_icer(inc_cost, inc_effect))


def test_dominant_strategy_dominates_all() -> None:
    result = _run([("A", 500, 1.0), ("B", 400, 1.2), ("C", 900, 1.1)])
    assert result.status == ("D", "ND", "D")
    assert result.frontier == ("B",)


def test_points_on_a_line_are_kept() -> None:
    # B lies on the segment A-C: equal ICERs (100 each), so not extendedly dominated.
    result = _run([("A", 0, 0.0), ("B", 100, 1.0), ("C", 200, 2.0)])
    assert result.status == ("ND", "ND", "ND")


def test_repeated_extended_dominance() -> None:
    # B (ICER 300) > C's 100 -> B ED; then C vs A: 400/2 = 200 > D's (500-400)/(4-2)=50 -> C ED.
    result = _run([("A", 0, 0.0), ("B", 300, 1.0), ("C", 400, 2.0), ("D", 500, 4.0)])
    assert result.status == ("ND", "ED", "ED", "ND")
    close(result.icer[3], 125.0, EXACT, "D vs A")


def test_single_strategy_and_net_benefit() -> None:
    assert _run([("Only", 10, 1.0)]).status == ("ND",)
    result = _run([("A", 1000, 1.0), ("B", 21000, 2.0)])
    nb = result.net_benefit([20000, 30000]).set_index(["threshold", "strategy"])
    # NMB = k E - C: A 19,000 and 29,000; B 19,000 and 39,000; INB of B over A 0 and 10,000.
    close(nb.loc[(20000.0, "B"), "nmb"], 19000.0, EXACT, "NMB")
    close(nb.loc[(30000.0, "B"), "inb"], 10000.0, EXACT, "INB")
    assert bool(nb.loc[(30000.0, "B"), "optimal"])
    with pytest.raises(EvsynthError, match="not a strategy"):
        result.net_benefit(reference="Z")


def test_input_errors_name_the_row() -> None:
    with pytest.raises(DataError, match="appears twice"):
        _run([("A", 1, 1.0), ("A", 2, 2.0)])
    with pytest.raises(DataError, match="row 2, column 'cost'"):
        icers(pd.DataFrame({"strategy": ["A", "B"], "cost": [1, "x"], "effect": [1, 2]}))
    with pytest.raises(DataError, match="need column"):
        icers(pd.DataFrame({"strategy": ["A"], "cost": [1]}))


def test_outputs() -> None:
    result = _run([("A", 1000, 1.0), ("B", 21000, 2.0)])
    payload = result.to_dict()
    assert payload["frontier"] == ["A", "B"]
    assert list(payload["strategies"][0]) == [
        "strategy", "cost", "effect", "inc_cost", "inc_effect", "icer", "status",
    ]  # fmt: skip
    assert payload["strategies"][0]["icer"] is None
    assert "20,000.00" in result.summary().as_text()
    assert result.plot().axes
