"""SF-6D states and utilities against the worked values of Brazier et al. (2002) and (2004).

Source: tests/data/economics/reference_values.json and sf6d_tables.json (pinned copies of the
project's outside references; provenance in tests/data/economics/README.md). SF-36 set: Brazier,
Roberts & Deverill (2002), J Health Econ 21:271-292; SF-12 set: Brazier & Roberts (2004), Med
Care 42:851-859. Each reference state is ``[utility, MOST applies]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evsynth.economics import sf6d
from evsynth.economics.sf6d import DIMENSIONS, VALUE_SETS, sf6d_utility
from tests.conftest import load_json
from tests.tolerances import SF6D
from tests.validation._assert import close

REF = load_json("economics/reference_values.json")
TABLES = load_json("economics/sf6d_tables.json")

# Named states: reference key -> (instrument, state code). The codes are the keys' own digits
# (e.g. sf36_pits_645655 is state 645655); full health is 111111; vit4_only is 111114.
STATES = {
    "sf36_full_health": ("sf36", "111111"),
    "sf36_pits_645655": ("sf36", "645655"),
    "sf36_most_example_411111": ("sf36", "411111"),
    "sf12_pits_345555": ("sf12", "345555"),
    "sf12_vit4_only": ("sf12", "111114"),
}


def _levels(code: str) -> np.ndarray:
    return np.array([[float(c) for c in code]])


def test_tables_equal_the_pinned_decrements() -> None:
    for instrument, key in (("sf36", "sf36_uk_2002"), ("sf12", "sf12_uk_2004")):
        value_set, table = VALUE_SETS[instrument], TABLES[key]
        for dimension in DIMENSIONS:
            assert list(value_set.decrements[dimension]) == table[dimension], (key, dimension)
        assert value_set.most == table["MOST"], key


def test_sf36_example_items_give_state_322432_and_0_697() -> None:
    # reference_values.json "sf36_example": SF-36 version 1 item answers (role items yes/no,
    # six-option mental-health items), state PF3 RL2 SF2 PAIN4 MH3 VIT2 = 322432, utility 0.697.
    example = REF["sf36_example"]
    result = sf6d(pd.DataFrame([example["responses"]]), "sf36", version=1)
    frame = result.to_frame()
    for dimension, level in example["state"].items():
        assert frame[dimension].iloc[0] == level, dimension
    assert result.states == [example["code"]]
    utility, most = example["utility"]
    close(result.utility, utility, SF6D, "sf36_example utility")
    assert bool(result.most[0]) is most


@pytest.mark.parametrize("key", sorted(STATES))
def test_named_state_utility_and_most(key: str) -> None:
    instrument, code = STATES[key]
    utility, most = REF[key]
    u, flag = sf6d_utility(_levels(code), instrument)
    close(u, utility, SF6D, f"{key} utility")
    assert bool(flag[0]) is most, key


def test_sf12v2_example_state() -> None:
    # "sf12v2_example": state 222332 (PF2 RL2 SF2 PAIN3 MH3 VIT2), 0.695, no MOST term.
    example = REF["sf12v2_example"]
    code = "".join(str(example["state"][d]) for d in DIMENSIONS)
    u, flag = sf6d_utility(_levels(code), "sf12")
    utility, most = example["utility"]
    close(u, utility, SF6D, "sf12v2_example utility")
    assert bool(flag[0]) is most


def test_sf12_most_trigger_is_an_option() -> None:
    # The unresolved point (README): vitality level 4 triggers MOST by default (0.845, the
    # reference's reading); with sf12_most_vitality=5 the state 111114 loses the term:
    # 1 - 0.078 = 0.922.
    u4, m4 = sf6d_utility(_levels("111114"), "sf12", sf12_most_vitality=4)
    u5, m5 = sf6d_utility(_levels("111114"), "sf12", sf12_most_vitality=5)
    close(u4, REF["sf12_vit4_only"][0], SF6D, "vit4, MOST at 4-5")
    close(u5, 0.922, SF6D, "vit4, MOST at 5 only")
    assert (bool(m4[0]), bool(m5[0])) == (True, False)
    # Vitality 5 triggers it under both readings: 1 - 0.106 - 0.077 = 0.817.
    u, _ = sf6d_utility(_levels("111115"), "sf12", sf12_most_vitality=5)
    close(u, 0.817, SF6D, "vit5")


def test_worst_states_are_the_published_range() -> None:
    # sf6d_tables.json "range": the pits states are the lowest utilities, 0.296 and 0.345.
    close(
        sf6d_utility(_levels("645655"), "sf36")[0],
        TABLES["sf36_uk_2002"]["range"][0],
        SF6D,
        "sf36 pits",
    )
    close(
        sf6d_utility(_levels("345555"), "sf12")[0],
        TABLES["sf12_uk_2004"]["range"][0],
        SF6D,
        "sf12 pits",
    )
