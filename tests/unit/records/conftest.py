"""Fixtures for the record readers: the real export files in tests/data/formats/."""

from __future__ import annotations

from pathlib import Path

import pytest

FORMATS = Path(__file__).resolve().parents[2] / "data" / "formats"


@pytest.fixture
def formats() -> Path:
    """Folder of real export files (provenance in tests/data/formats/README.md)."""
    return FORMATS
