"""The Examples in the prioritised-screening docstrings run as doctests (house style 10)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "evsynth.screening.prioritise.metrics",
    "evsynth.screening.prioritise.query",
    "evsynth.screening.prioritise.simulate",
    "evsynth.screening.prioritise.stopping",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
