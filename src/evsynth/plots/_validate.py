"""Input checks shared by the plot functions: each failure names the argument, row and remedy."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import DataError, EvsynthError, InputLocation


def as_vector(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """``values`` as a 1-D float array of finite numbers, or a :class:`DataError` naming the row."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{name} must contain only numbers",
            hint=f"Convert the {name} values to numbers before plotting",
        ) from exc
    if array.ndim != 1:
        raise DataError(
            f"{name} must be one-dimensional, one value per study (got shape {array.shape})"
        )
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        row = int(bad[0])
        raise DataError(
            f"{name} is {float(array[row])!r}, not a finite number",
            location=InputLocation(row=row + 1, field=name),
            hint="Remove the study from the plot or supply its value",
        )
    return array


def as_scalar(value: float, name: str) -> float:
    """``value`` as one finite float, or an :class:`EvsynthError` naming the argument."""
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise EvsynthError(f"{name}={value!r} is not a number") from exc
    if not np.isfinite(number):
        raise EvsynthError(
            f"{name}={number!r} is not a finite number", hint=f"Pass {name} as a finite number"
        )
    return number


def as_labels(values: Sequence[object], name: str) -> list[str]:
    """``values`` as a list of strings (one per study)."""
    if isinstance(values, str | bytes):
        raise DataError(f"{name} must be a sequence of strings, one per study, not one string")
    return [str(v) for v in values]


def check_lengths(**lengths: int) -> int:
    """The common length of the named inputs; a :class:`DataError` lists them if they differ."""
    distinct = set(lengths.values())
    if len(distinct) > 1:
        listed = ", ".join(f"{name}={n}" for name, n in lengths.items())
        raise DataError(
            f"{', '.join(lengths)} must have the same length (got {listed})",
            hint="Give one value per study in each",
        )
    (n,) = distinct
    if n == 0:
        raise DataError("there are no studies to plot", hint="Pass at least one study")
    return n


def check_interval(
    estimate: NDArray[np.float64],
    low: NDArray[np.float64],
    high: NDArray[np.float64],
    *,
    names: tuple[str, str, str] = ("effect", "ci_low", "ci_high"),
) -> None:
    """Require ``low <= estimate <= high`` row by row."""
    est_name, low_name, high_name = names
    swapped = np.flatnonzero(low > high)
    if swapped.size:
        row = int(swapped[0])
        raise DataError(
            f"{low_name} ({low[row]:g}) is above {high_name} ({high[row]:g})",
            location=InputLocation(row=row + 1, field=low_name),
            hint=f"Check that the {low_name} and {high_name} columns are not swapped",
        )
    # A relative slack keeps intervals that were rounded for publication, e.g. 1.00 [1.00, 1.52].
    slack = 1e-9 * np.maximum(1.0, np.abs(estimate))
    outside = np.flatnonzero((estimate < low - slack) | (estimate > high + slack))
    if outside.size:
        row = int(outside[0])
        raise DataError(
            f"{est_name} ({estimate[row]:g}) lies outside its interval "
            f"[{low[row]:g}, {high[row]:g}]",
            location=InputLocation(row=row + 1, field=est_name),
            hint="Check that the estimate and its interval are on the same scale",
        )


def check_level(level: float, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1."""
    if not 0.0 < float(level) < 1.0:
        raise EvsynthError(
            f"{name}={level!r} must lie strictly between 0 and 1",
            hint="For a 95% interval pass 0.95",
        )
    return float(level)


def normal_quantile(level: float) -> float:
    """Two-sided standard normal critical value, e.g. 1.959964 for ``level=0.95``."""
    return NormalDist().inv_cdf(0.5 + level / 2.0)
