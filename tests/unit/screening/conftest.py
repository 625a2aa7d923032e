"""Fixtures for the screening tests: a small protocol, an event factory, and the seed review."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from evsynth.screening import Decision, ScreeningProtocol
from tests.unit.screening._helpers import Clock, small_protocol
from tests.unit.screening._seed import SeedReview, build_seed_review


@pytest.fixture
def protocol() -> ScreeningProtocol:
    return small_protocol()


@pytest.fixture
def event() -> Callable[..., Decision]:
    return Clock()


@pytest.fixture(scope="session")
def seed_review() -> Iterator[SeedReview]:
    yield build_seed_review()
