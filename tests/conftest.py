"""Shared test fixtures: reference files and a headless plotting backend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib
import pytest

matplotlib.use("Agg")

DATA = Path(__file__).parent / "data"


def load_json(relative: str) -> Any:
    return json.loads((DATA / relative).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
