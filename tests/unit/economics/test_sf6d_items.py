"""SF-6D from item responses: the item rules by hand, both versions, missing items, bad input.

Item rules: Brazier, Roberts & Deverill (2002) Table 1 (SF-36) and Brazier & Roberts (2004)
Table 1 (SF-12), as documented in evsynth.economics.sf6d; expected states are worked by hand
beside each case, and utilities come from the pinned tables (tests/data/economics/
sf6d_tables.json), summed by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth.economics import sf6d, sf12_items_from_sf36
from tests.tolerances import SF6D
from tests.validation._assert import close

FULL_HEALTH_V1 = {"3a": 3, "3b": 3, "3j": 3, "4c": 2, "5b": 2, "10": 5, "7": 1, "8": 1,
                  "9b": 6, "9f": 6, "9e": 1}  # fmt: skip
FULL_HEALTH_V2 = {**FULL_HEALTH_V1, "4c": 5, "5b": 5, "9b": 5, "9f": 5}


def _one(row: dict[str, object], instrument: str = "sf36", **kwargs: object) -> pd.DataFrame:
    return sf6d(pd.DataFrame([row]), instrument, **kwargs).to_frame()  # type: ignore[arg-type]


@pytest.mark.parametrize("version, row", [(1, FULL_HEALTH_V1), (2, FULL_HEALTH_V2)])
def test_full_health_is_111111_and_one(version: int, row: dict[str, int]) -> None:
    frame = _one(row, version=version)
    assert frame["state"].iloc[0] == "111111"
    close(frame["utility"].iloc[0], 1.0, SF6D, "full health")


@pytest.mark.parametrize(
    ("changes", "dimension", "level"),
    [
        ({"3a": 2}, "PF", 2),  # vigorous limited a little
        ({"3a": 1}, "PF", 2),  # vigorous limited a lot: still level 2 (no level of its own)
        ({"3b": 2}, "PF", 3),  # moderate limited a little
        ({"3b": 1}, "PF", 4),
        ({"3j": 2}, "PF", 5),  # bathing and dressing limited a little
        ({"3j": 1, "3b": 3}, "PF", 6),
        ({"4c": 4}, "RL", 2),  # v2: limited "a little of the time" counts as limited
        ({"5b": 1}, "RL", 3),
        ({"4c": 1, "5b": 3}, "RL", 4),
        ({"10": 1}, "SF", 5),  # all of the time
        ({"7": 2, "8": 1}, "PAIN", 2),  # pain that does not interfere
        ({"7": 6, "8": 5}, "PAIN", 6),
        ({"9b": 3, "9f": 5}, "MH", 3),  # worse of the two: some of the time
        ({"9f": 1}, "MH", 5),
        ({"9e": 5}, "VIT", 5),  # a lot of energy none of the time
        ({"9e": 3}, "VIT", 3),
    ],
)
def test_sf36_version2_item_rules(changes: dict[str, int], dimension: str, level: int) -> None:
    frame = _one({**FULL_HEALTH_V2, **changes}, version=2)
    assert frame[dimension].iloc[0] == level


def test_sf36_version1_six_option_items() -> None:
    # Version 1: "a good bit of the time" (3) is coded as "most of the time".
    frame = _one({**FULL_HEALTH_V1, "9b": 3, "9e": 3, "4c": 1}, version=1)
    assert frame["state"].iloc[0] == "121142"
    assert (frame["MH"].iloc[0], frame["VIT"].iloc[0], frame["RL"].iloc[0]) == (4, 2, 2)
    # State 121142: 1 - 0.053 (RL2) - 0.109 (MH4) - 0.086 (VIT2) - 0.070 (MOST: MH4) = 0.682.
    close(frame["utility"].iloc[0], 1 - 0.053 - 0.109 - 0.086 - 0.070, SF6D, "v1 state")


def test_sf12_items_and_hand_utility() -> None:
    # SF-12 v2: 2a limited a lot -> PF3; 3b all of the time -> RL2 (physical only); 7 some of
    # the time -> SF3; 5 moderately -> PAIN3; 6c most of the time -> MH4; 6b a little -> VIT4.
    row = {"2a": 1, "3b": 1, "4a": 5, "5": 3, "6b": 4, "6c": 2, "7": 3}
    frame = _one(row, "sf12", version=2)
    assert frame["state"].iloc[0] == "323344"
    expected = 1 - (0.045 + 0.063 + 0.066 + 0.042 + 0.113 + 0.078) - 0.077
    close(frame["utility"].iloc[0], expected, SF6D, "sf12 hand")


def test_sf12_from_sf36_items() -> None:
    row = {**FULL_HEALTH_V2, "3b": 2, "8": 3, "7": 3, "9f": 2, "extra": "kept"}
    sf12 = sf12_items_from_sf36(pd.DataFrame([row]))
    assert {"2a", "3b", "4a", "5", "6b", "6c", "7", "extra"} <= set(sf12.columns)
    assert (sf12["2a"].iloc[0], sf12["5"].iloc[0], sf12["6c"].iloc[0]) == (2, 3, 2)
    frame = sf6d(sf12, "sf12", version=2).to_frame()
    assert frame["state"].iloc[0] == "211341"


def test_missing_items_policy() -> None:
    rows = [
        {**FULL_HEALTH_V2, "8": None, "7": 1},  # no pain fixes PAIN = 1 whatever item 8 says
        {**FULL_HEALTH_V2, "8": None, "7": 3},  # pain present: level unknown
        {**FULL_HEALTH_V2, "9b": None, "9f": 1},  # MH worst level fixed by one item
        {**FULL_HEALTH_V2, "9b": None, "9f": 3},  # MH unknown
        {**FULL_HEALTH_V2, "3j": None},  # PF unknown (bathing could be limited)
        {**FULL_HEALTH_V2, "3a": None, "3j": 1},  # PF 6 fixed by bathing alone
    ]
    result = sf6d(pd.DataFrame(rows), "sf36", version=2)
    frame = result.to_frame()
    assert frame["PAIN"].isna().tolist() == [False, True, False, False, False, False]
    assert frame["MH"].isna().tolist() == [False, False, False, True, False, False]
    assert frame["PF"].isna().tolist() == [False, False, False, False, True, False]
    assert result.states == ["111111", None, "111151", None, None, "611111"]
    assert np.isnan(result.utility[[1, 3, 4]]).all()
    assert result.n_complete == 3
    assert any("missing items" in n for n in result.notes)
    assert "Complete SF-6D states" in result.summary().as_text()


def test_index_is_kept_and_columns_match_loosely() -> None:
    data = pd.DataFrame([{f"Q{k.upper()}": v for k, v in FULL_HEALTH_V1.items()}], index=["r7"])
    result = sf6d(data, "sf36")
    assert list(result.to_frame().index) == ["r7"]
    renamed = pd.DataFrame([{**FULL_HEALTH_V1, "PF01": 3}]).drop(columns="3a")
    assert sf6d(renamed, "sf36", items={"3a": "PF01"}).states == ["111111"]


def test_vectorised_over_many_respondents() -> None:
    rng = np.random.default_rng(7)
    n = 2000
    data = pd.DataFrame(
        {item: rng.integers(1, high + 1, n) for item, high in
         {"3a": 3, "3b": 3, "3j": 3, "4c": 5, "5b": 5, "10": 5, "7": 6, "8": 5, "9b": 5,
          "9f": 5, "9e": 5}.items()}
    )  # fmt: skip
    many = sf6d(data, "sf36", version=2).utility
    one_by_one = [sf6d(data.iloc[[i]], "sf36", version=2).utility[0] for i in range(0, n, 97)]
    close(many[::97], one_by_one, SF6D, "row by row")
    assert (many >= 0.296 - 1e-12).all() and (many <= 1.0).all()


def test_out_of_range_names_row_column_and_version_hint() -> None:
    data = pd.DataFrame([FULL_HEALTH_V1, {**FULL_HEALTH_V1, "4c": 4}])
    with pytest.raises(DataError) as info:
        sf6d(data, "sf36", version=1)
    text = str(info.value)
    assert "row 2" in text and "column '4c'" in text and "version=2" in text
    with pytest.raises(DataError, match="row 1, column '7'"):
        sf6d(pd.DataFrame([{**FULL_HEALTH_V1, "7": 7}]), "sf36")
    with pytest.raises(DataError, match="not a number"):
        sf6d(pd.DataFrame([{**FULL_HEALTH_V1, "10": "often"}]), "sf36")
    with pytest.raises(DataError, match="item column"):
        sf6d(pd.DataFrame([FULL_HEALTH_V1]).drop(columns="9e"), "sf36")


def test_bad_options_list_the_choices() -> None:
    data = pd.DataFrame([FULL_HEALTH_V1])
    with pytest.raises(EvsynthError, match="choose one of sf36, sf12"):
        sf6d(data, "eq5d")
    with pytest.raises(EvsynthError, match="version"):
        sf6d(data, "sf36", version=3)
    with pytest.raises(EvsynthError, match="sf12_most_vitality"):
        sf6d(data, "sf36", sf12_most_vitality=3)
