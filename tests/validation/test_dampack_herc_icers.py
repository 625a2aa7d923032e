"""Dominance, extended dominance and ICERs against the HERC six-strategy example.

Source: tests/data/economics/reference_values.json "herc_dampack" (the US VA HERC
cost-effectiveness example as used in the dampack test suite; inputs in
tests/data/economics/README.md): UC, B, D, E non-dominated with ICERs 5,000, 12,500 and
20,000; C extendedly dominated; A dominated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evsynth.economics import icers
from tests.conftest import load_json
from tests.tolerances import EXACT
from tests.validation._assert import close

STATUS, FRONTIER = load_json("economics/reference_values.json")["herc_dampack"]
# README: strategy: cost, effect.
HERC = pd.DataFrame(
    {
        "strategy": ["E", "D", "C", "B", "A", "UC"],
        "cost": [55000, 35000, 25000, 10000, 12000, 5000],
        "effect": [5, 4, 3, 2, 1.5, 1],
    }
)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_statuses_and_icers_whatever_the_row_order(seed: int) -> None:
    data = HERC.sample(frac=1.0, random_state=seed) if seed else HERC
    result = icers(data)
    assert dict(zip(result.strategies, result.status, strict=True)) == STATUS
    frame = result.to_frame().set_index("strategy")
    for name, expected in FRONTIER.items():
        close(frame.loc[name, "inc_cost"], expected["inc_cost"], EXACT, f"{name} inc_cost")
        close(frame.loc[name, "inc_effect"], expected["inc_eff"], EXACT, f"{name} inc_effect")
        close(frame.loc[name, "icer"], expected["icer"], EXACT, f"{name} ICER")
    # The cheapest frontier strategy and the dominated ones have no ICER.
    assert np.isnan(frame.loc[["UC", "A", "C"], "icer"]).all()
    assert result.frontier == ("UC", "B", "D", "E")
    assert frame.loc["D", "comparator"] == "B"
