"""EffectTable: the frozen result of the effect-size step.

Source: hand values; Wald intervals effect -/+ z(0.975) * se with z(0.975) = 1.9599639845.
Tolerances: COEF and CI from ``tests/tolerances.py``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import EvsynthError
from evsynth._core.summary import Summary
from evsynth.synthesis.effects import EffectTable
from tests.tolerances import CI, COEF

Z_975 = 1.959963984540054


@pytest.fixture
def table() -> EffectTable:
    return EffectTable(
        measure="OR",
        study=("A", "B"),
        effect=np.array([0.5, -1.0]),
        variance=np.array([0.04, 0.25]),
        dropped=("C",),
        notes=("Study 'C' (row 3) has no events in either group and is left out",),
        rows=(1, 2),
        index=("a", "b"),
    )


def test_fields_and_properties(table: EffectTable) -> None:
    assert table.k == len(table) == 2
    assert table.se == pytest.approx([0.2, 0.5], **COEF)
    assert table.effect.dtype == np.float64
    assert table.vtype == "LS" and table.lower_is_better is False


def test_frozen_and_read_only(table: EffectTable) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.measure = "RR"  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        table.effect[0] = 1.0


def test_arrays_are_copied() -> None:
    effect = np.array([0.1, 0.2])
    table = EffectTable("GEN", ("A", "B"), effect, np.array([1.0, 1.0]))
    effect[0] = 9.0
    assert table.effect[0] == 0.1


def test_conf_int(table: EffectTable) -> None:
    ci = table.conf_int()
    assert list(ci.columns) == ["ci_low", "ci_high"]
    assert list(ci.index) == ["A", "B"]
    # 0.5 -/+ 1.96 * 0.2
    assert ci.loc["A", "ci_low"] == pytest.approx(0.5 - Z_975 * 0.2, **CI)
    assert ci.loc["A", "ci_high"] == pytest.approx(0.5 + Z_975 * 0.2, **CI)
    # 90%: z(0.95) = 1.6448536270
    assert table.conf_int(0.90).loc["B", "ci_low"] == pytest.approx(
        -1.0 - 1.6448536269514722 * 0.5, **CI
    )


@pytest.mark.parametrize("level", [0.0, 1.0, 95])
def test_conf_int_rejects_a_bad_level(table: EffectTable, level: float) -> None:
    with pytest.raises(EvsynthError, match="strictly between 0 and 1"):
        table.conf_int(level)


def test_to_frame_is_tidy_and_keeps_the_index(table: EffectTable) -> None:
    frame = table.to_frame()
    assert list(frame.columns) == ["study", "effect", "variance", "se", "ci_low", "ci_high"]
    assert list(frame.index) == ["a", "b"]
    assert frame["se"].tolist() == pytest.approx([0.2, 0.5], **COEF)


def test_to_frame_without_index_uses_positions() -> None:
    frame = EffectTable("GEN", ("A",), np.array([0.0]), np.array([1.0])).to_frame()
    assert isinstance(frame.index, pd.RangeIndex)


def test_summary(table: EffectTable) -> None:
    summary = table.summary()
    assert isinstance(summary, Summary)
    assert "log odds ratio" in summary.title
    assert list(summary.columns) == ["study", "effect", "se", "ci_low", "ci_high"]
    assert summary.rows[0][0] == "A"
    assert any("left out" in note for note in summary.notes)
    assert "Left out: C." in summary.notes
    assert "<table" in summary.as_html()


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(EvsynthError, match="one effect and one variance per study"):
        EffectTable("GEN", ("A", "B"), np.array([0.1]), np.array([1.0, 1.0]))
    with pytest.raises(EvsynthError, match="rows has 1 entries for 2 studies"):
        EffectTable("GEN", ("A", "B"), np.zeros(2), np.ones(2), rows=(1,))


def test_equality_compares_values(table: EffectTable) -> None:
    same = dataclasses.replace(table)
    assert same == table
    assert dataclasses.replace(table, effect=np.array([0.5, -1.1])) != table
