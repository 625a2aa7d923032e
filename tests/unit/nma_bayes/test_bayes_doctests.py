"""The Examples in the exact Bayesian NMA docstrings run as doctests (house style 10)."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from evsynth.synthesis.nma.bayes import api, priors


@pytest.mark.parametrize("module", [api, priors], ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
