"""Loading a registry from entry points: built-ins first; broken or clashing plug-ins left out."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from importlib.metadata import EntryPoint

import pytest

from evsynth._core.plugins import load_registry

GROUP = "evsynth.test"


@dataclass(frozen=True)
class Thing:
    name: str


FIRST = Thing("first")
SECOND = Thing("second")
NOT_A_THING = object()


def point(name: str, attr: str) -> EntryPoint:
    return EntryPoint(name, f"{__name__}:{attr}", GROUP)


def test_builtins_then_plugins_in_order() -> None:
    found = load_registry([point("first", "FIRST"), point("second", "SECOND")], 1, Thing, "thing")
    assert list(found) == ["first", "second"] and found["second"] is SECOND
    with pytest.raises(TypeError):
        found["third"] = FIRST  # type: ignore[index]


def test_broken_wrong_type_and_clashing_plugins_are_left_out_with_warnings() -> None:
    points = [
        point("first", "FIRST"),
        EntryPoint("broken", "evsynth_no_such_module:X", GROUP),
        point("odd", "NOT_A_THING"),
        point("again", "FIRST"),
        point("second", "SECOND"),
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = load_registry(points, 1, Thing, "thing")
    assert list(found) == ["first", "second"]
    messages = [str(w.message) for w in caught]
    assert len(messages) == 3
    assert "thing plug-in 'broken'" in messages[0] and "failed to load" in messages[0]
    assert "'odd'" in messages[1] and "is not a Thing" in messages[1]
    assert "'again'" in messages[2] and "repeats a name" in messages[2]
    assert all(w.category is RuntimeWarning for w in caught)


def test_a_builtin_that_fails_to_load_raises() -> None:
    with pytest.raises(ModuleNotFoundError):
        load_registry([EntryPoint("broken", "evsynth_no_such_module:X", GROUP)], 1, Thing, "t")
