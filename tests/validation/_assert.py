"""Comparison helper for validation tests: relative tolerance with an absolute floor near zero."""

from __future__ import annotations

from typing import Any

import numpy as np


def close(actual: Any, expected: Any, tol: dict[str, float], what: str) -> None:
    """Assert ``actual`` equals ``expected`` within ``tol`` (rel, abs) and say what differed."""
    a = np.atleast_1d(np.asarray(actual, dtype=float))
    e = np.atleast_1d(np.asarray(expected, dtype=float))
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    ok = np.abs(a - e) <= np.maximum(tol["rel"] * np.abs(e), tol["abs"])
    assert ok.all(), f"{what}: evsynth {a[~ok]} vs reference {e[~ok]}"
