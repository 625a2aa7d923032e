"""ICER, INB, CEAC, EVPI and break-even on BCEA's Vaccine PSA example.

Source: tests/data/economics/vaccine_eff_cost.csv (1,000 PSA draws) and reference_values.json
("vaccine_icer", "vaccine_inb_at_25000"), with the README's figures (EIB 1.228428, CEAC 0.529
and EVPI 2.414467 at 25,000; CEAC 0.457 at 20,000; break-even 20,100 on the grid 0..50,000 by
100; the mean costs and effects). Vaccination is the reference, Status Quo the comparator.
The JSON's ICER and INB differ from the CSV's exact means by < 1e-6 relative; see
tests/data/economics/README.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evsynth.economics import CEAResult, cost_effectiveness
from tests.conftest import DATA, load_json
from tests.tolerances import DECIMALS_2, DECIMALS_6, DECIMALS_9, PUBLISHED_ECON
from tests.validation._assert import close

REF = load_json("economics/reference_values.json")
GRID = np.arange(0.0, 50001.0, 100.0)  # README: willingness-to-pay grid 0..50000 step 100


def vaccine_draws() -> pd.DataFrame:
    """The wide CSV as long-form draws (draw, strategy, cost, effect)."""
    wide = pd.read_csv(DATA / "economics" / "vaccine_eff_cost.csv")
    parts = [
        pd.DataFrame(
            {
                "draw": wide["sim"],
                "strategy": name,
                "cost": wide[f"cost.{column}"],
                "effect": wide[f"eff.{column}"],
            }
        )
        for name, column in (("Status Quo", "Status.Quo"), ("Vaccination", "Vaccination"))
    ]
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def result() -> CEAResult:
    return cost_effectiveness(
        vaccine_draws(), reference="Vaccination", thresholds=[20000, 25000], grid=GRID
    )


def test_icer_and_inb(result: CEAResult) -> None:
    close(result.icer[0], REF["vaccine_icer"], PUBLISHED_ECON, "ICER (JSON)")
    close(result.icer[0], 20097.59, DECIMALS_2, "ICER (README, 2 decimals)")
    close(result.inb[0, 1], REF["vaccine_inb_at_25000"], PUBLISHED_ECON, "INB at 25000 (JSON)")
    close(result.inb[0, 1], 1.228428, DECIMALS_6, "EIB at 25000 (README)")
    assert result.quadrants == ("NE",)


def test_means(result: CEAResult) -> None:
    # README: mean costs 14.691446 (Vaccination) and 9.655464 (Status Quo); mean effects
    # -0.000805370 and -0.001055946 (printed to 6 decimals and 9 decimals).
    order = [result.strategies.index("Vaccination"), result.strategies.index("Status Quo")]
    close(result.mean_cost[order], [14.691446, 9.655464], DECIMALS_6, "mean costs")
    close(
        result.mean_effect[order],
        [-0.000805370, -0.001055946],
        DECIMALS_9,
        "mean effects",
    )


def test_ceac_and_evpi(result: CEAResult) -> None:
    # README: CEAC 0.457 at 20,000 and 0.529 at 25,000 (shares of 1,000 draws: exact).
    assert result.ceac[0].tolist() == [0.457, 0.529]
    ref = result.strategies.index("Vaccination")
    assert result.p_optimal[ref].tolist() == [0.457, 0.529]
    close(result.evpi[1], 2.414467, DECIMALS_6, "EVPI at 25000 (README)")
    assert result.optimal == ("Status Quo", "Vaccination")


def test_break_even_on_the_grid(result: CEAResult) -> None:
    # README: the break-even k on the 100-step grid is 20,100 (BCEA's kstar).
    assert result.break_even == ((20100.0, "Status Quo", "Vaccination"),)
    k = int(np.flatnonzero(result.grid == 25000.0)[0])
    close(result.grid_evpi[k], 2.414467, DECIMALS_6, "EVPI on the grid")
    assert result.grid_ceac[0, k] == 0.529
