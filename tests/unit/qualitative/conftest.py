"""Fixtures for the qualitative tests: the bundled example loaded from its files (no database)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from evsynth.storage.config import QualitativeSpec
from evsynth.storage.qualitative_repo import QualitativeProject, load_qualitative

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "pps-review"


def example_spec() -> QualitativeSpec:
    raw = tomllib.loads((EXAMPLE / "evsynth.toml").read_text(encoding="utf-8"))
    return QualitativeSpec.model_validate(raw["qualitative"])


@pytest.fixture(scope="session")
def example() -> QualitativeProject:
    return load_qualitative(EXAMPLE, example_spec())
