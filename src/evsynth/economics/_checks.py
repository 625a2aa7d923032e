"""Input checks shared by the economics entry points: each failure names the row and column.

Rows are counted from 1 as the data's rows are; the CLI turns a row into a file line.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from evsynth._core.errors import DataError, EvsynthError, InputLocation
from evsynth._core.rng import RNGLike

FloatArray = NDArray[np.float64]


def frame_of(data: object, what: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise EvsynthError(f"{what} must be a pandas DataFrame")
    if len(data) == 0:
        raise DataError(f"the {what} have no rows", hint="Give at least one row")
    return data


def require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{what} need column(s) {', '.join(missing)}",
            location=InputLocation(field=missing[0]),
            hint=f"Columns present: {', '.join(map(str, frame.columns))}",
        )


def numbers(frame: pd.DataFrame, column: str, *, allow_missing: bool = False) -> FloatArray:
    """A column as floats; text, or a blank where a number is required, names its row."""
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    text = np.flatnonzero(np.isnan(values) & raw.notna().to_numpy())
    if text.size:
        row = int(text[0])
        raise DataError(
            f"{raw.iloc[row]!r} is not a number",
            location=InputLocation(row=row + 1, field=column),
            hint="Give a number (or leave the cell empty where a missing value is allowed)",
        )
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size and not allow_missing:
        raise DataError(
            "value is missing or not a finite number",
            location=InputLocation(row=int(bad[0]) + 1, field=column),
        )
    return values


def labels(frame: pd.DataFrame, column: str) -> list[str]:
    raw = frame[column]
    blank = np.flatnonzero(raw.isna().to_numpy() | (raw.astype(str).str.strip() == ""))
    if blank.size:
        raise DataError(
            "the name is missing",
            location=InputLocation(row=int(blank[0]) + 1, field=column),
        )
    return [str(v).strip() for v in raw]


def thresholds_of(values: Sequence[float] | FloatArray) -> FloatArray:
    k = np.asarray(list(values), dtype=np.float64)
    if k.size == 0 or not np.isfinite(k).all() or (k < 0).any():
        raise EvsynthError(
            f"thresholds {list(values)!r} must be one or more finite numbers of at least 0",
            hint="For NICE's range pass 20000, 30000",
        )
    return k


def manifest_seed(rng: RNGLike) -> int | None:
    return int(rng) if isinstance(rng, int | np.integer) else None


def draws_to_arrays(
    draws: pd.DataFrame,
    *,
    draw: str = "draw",
    strategy: str = "strategy",
    cost: str = "cost",
    effect: str = "effect",
) -> tuple[FloatArray, FloatArray, tuple[str, ...]]:
    """Long-form draws (one row per draw and strategy) as (S, J) cost and effect arrays."""
    frame = frame_of(draws, "draws")
    require(frame, [draw, strategy, cost, effect], "draws")
    names = labels(frame, strategy)
    c = numbers(frame, cost)
    e = numbers(frame, effect)
    draw_ids = frame[draw].astype(str).to_numpy()
    strategies = tuple(dict.fromkeys(names))
    if len(strategies) < 2:
        raise DataError(
            f"the draws hold one strategy ({strategies[0]}); a comparison needs two or more",
            location=InputLocation(field=strategy),
        )
    keys = pd.Series(list(zip(draw_ids, names, strict=True)))
    duplicate = np.flatnonzero(keys.duplicated().to_numpy())
    if duplicate.size:
        row = int(duplicate[0])
        raise DataError(
            f"draw {draw_ids[row]} has two rows for strategy {names[row]}",
            location=InputLocation(row=row + 1, field=draw),
            hint="Give one row per draw and strategy",
        )
    order = tuple(dict.fromkeys(draw_ids))
    draw_index = {d: i for i, d in enumerate(order)}
    strat_index = {s: j for j, s in enumerate(strategies)}
    rows = np.array([draw_index[d] for d in draw_ids])
    cols = np.array([strat_index[s] for s in names])
    cost_arr = np.full((len(order), len(strategies)), np.nan)
    effect_arr = np.full_like(cost_arr, np.nan)
    cost_arr[rows, cols] = c
    effect_arr[rows, cols] = e
    gaps = np.argwhere(np.isnan(cost_arr))
    if gaps.size:
        d, j = (int(v) for v in gaps[0])
        raise DataError(
            f"draw {order[d]} has no row for strategy {strategies[j]}",
            location=InputLocation(field=strategy),
            hint=f"Every draw needs one row for each of {', '.join(strategies)}",
        )
    return cost_arr, effect_arr, strategies
