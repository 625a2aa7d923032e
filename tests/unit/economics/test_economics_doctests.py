"""The Examples in the economics docstrings run as doctests (house style 10)."""

from __future__ import annotations

import doctest
import importlib

import pytest

# By name: the package's ``sf6d`` attribute is the function, the kernels are the module.
MODULES = ["api", "bootstrap", "icer", "nmb", "psa", "qaly", "sf6d"]


@pytest.mark.parametrize("name", MODULES)
def test_module_examples(name: str) -> None:
    module = importlib.import_module(f"evsynth.economics.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0
