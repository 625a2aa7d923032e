"""The forest plot's content: inputs checked, values transformed, rows laid out, text formatted.

Nothing here draws; :mod:`evsynth.plots.forest` turns a :class:`ForestTable` into artists. Rows
are numbered from the header row (0) downwards: subgroup headings, studies, summary rows, the
prediction interval and free-text notes each take one row, and a blank row separates the
studies from the overall summaries as in metafor.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import DataError, InputLocation
from evsynth.plots import _scale
from evsynth.plots._validate import (
    as_labels,
    as_vector,
    check_interval,
    check_lengths,
    check_level,
)

_REQUIRED_KEYS = ("label", "estimate", "ci_low", "ci_high")
_OPTIONAL_KEYS = ("subgroup",)


@dataclass(frozen=True, slots=True)
class PooledRow:
    """One summary (diamond) row, on the analysis scale."""

    label: str
    estimate: float
    ci_low: float
    ci_high: float
    subgroup: str | None


@dataclass(frozen=True, slots=True)
class Rows:
    """Row positions (header at 0, increasing downwards)."""

    study: NDArray[np.float64]
    headings: list[tuple[float, str]]
    pooled: list[float]
    prediction: float | None
    notes: list[float]
    last_data: float
    last: float


def _finite_number(value: object) -> float | None:
    """``value`` as a float if it is a finite real number (not a bool or a string), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def read_pooled(pooled: Sequence[Mapping[str, object]] | None) -> list[PooledRow]:
    """Check the ``pooled`` mappings: known keys only, finite numbers, ordered intervals."""
    if pooled is None:
        return []
    rows: list[PooledRow] = []
    for j, row in enumerate(pooled):
        where = InputLocation(row=j + 1, field="pooled")
        missing = [k for k in _REQUIRED_KEYS if k not in row]
        unknown = [k for k in row if k not in _REQUIRED_KEYS + _OPTIONAL_KEYS]
        if missing or unknown:
            problem = "lacks" if missing else "has unknown"
            keys = ", ".join(repr(k) for k in missing or unknown)
            raise DataError(
                f"summary row {problem} key(s) {keys}",
                location=where,
                hint=f"Give the keys {', '.join(_REQUIRED_KEYS)} and optionally 'subgroup'",
            )
        values = []
        for key in _REQUIRED_KEYS[1:]:
            number = _finite_number(row[key])
            if number is None:
                raise DataError(
                    f"summary row {key}={row[key]!r} is not a finite number",
                    location=where,
                    hint="Give estimate, ci_low and ci_high as numbers on the analysis scale",
                )
            values.append(number)
        check_interval(
            np.array(values[:1]),
            np.array(values[1:2]),
            np.array(values[2:]),
            names=("pooled estimate", "pooled ci_low", "pooled ci_high"),
        )
        subgroup = row.get("subgroup")
        rows.append(
            PooledRow(
                str(row["label"]),
                values[0],
                values[1],
                values[2],
                None if subgroup is None else str(subgroup),
            )
        )
    return rows


def layout_rows(
    n_studies: int,
    subgroups: list[str] | None,
    pooled: list[PooledRow],
    has_prediction: bool,
    n_notes: int,
) -> Rows:
    """Give every study, heading, summary, prediction and note its row."""
    study = np.zeros(n_studies)
    pooled_y = [0.0] * len(pooled)
    headings: list[tuple[float, str]] = []
    y = 1.0
    if subgroups is None:
        for j, row in enumerate(pooled):
            if row.subgroup is not None:
                raise DataError(
                    f"summary row names subgroup {row.subgroup!r} but no subgroups were given",
                    location=InputLocation(row=j + 1, field="pooled"),
                    hint="Pass subgroups=, one name per study, or drop the 'subgroup' key",
                )
        study[:] = np.arange(1.0, n_studies + 1.0)
        y = n_studies + 1.0
        if pooled or has_prediction:
            y += 1.0  # a blank row between the studies and the summaries, as metafor leaves
    else:
        order = list(dict.fromkeys(subgroups))
        for j, row in enumerate(pooled):
            if row.subgroup is not None and row.subgroup not in order:
                raise DataError(
                    f"summary row names subgroup {row.subgroup!r}, which no study belongs to",
                    location=InputLocation(row=j + 1, field="pooled"),
                    hint=f"Choose one of {', '.join(order)}",
                )
        for group in order:
            headings.append((y, group))
            y += 1.0
            for i, name in enumerate(subgroups):
                if name == group:
                    study[i] = y
                    y += 1.0
            for j, row in enumerate(pooled):
                if row.subgroup == group:
                    pooled_y[j] = y
                    y += 1.0
            y += 1.0
    for j, row in enumerate(pooled):
        if row.subgroup is None:
            pooled_y[j] = y
            y += 1.0
    prediction = None
    if has_prediction:
        prediction = y
        y += 1.0
    last_data = y - 1.0
    notes = [y + k for k in range(n_notes)]
    return Rows(study, headings, pooled_y, prediction, notes, last_data, y + n_notes - 1.0)


def read_weights(weights: ArrayLike | None, n: int) -> NDArray[np.float64] | None:
    """Non-negative weights, one per study, not all zero."""
    if weights is None:
        return None
    w = as_vector(weights, "weights")
    check_lengths(effect=n, weights=w.size)
    negative = np.flatnonzero(w < 0.0)
    if negative.size:
        row = int(negative[0])
        raise DataError(
            f"weights has a negative value ({w[row]:g})",
            location=InputLocation(row=row + 1, field="weights"),
            hint="Weights are inverse variances or percentages and cannot be negative",
        )
    if not w.sum() > 0.0:
        raise DataError("weights are all zero", hint="Pass weights=None for equal-size squares")
    return w


def read_prediction(prediction: tuple[float, float] | None) -> NDArray[np.float64] | None:
    """``(low, high)`` with ``low <= high``."""
    if prediction is None:
        return None
    pi = as_vector(prediction, "prediction")
    if pi.size != 2 or pi[0] > pi[1]:
        raise DataError(
            f"prediction must be (low, high) with low <= high (got {tuple(pi.tolist())})",
            hint="Pass the prediction interval's limits on the analysis scale",
        )
    return pi


@dataclass(frozen=True, slots=True)
class ForestTable:
    """Everything the forest plot shows, on the displayed scale, with its text."""

    names: list[str]
    studies: NDArray[np.float64]  # columns: estimate, ci_low, ci_high
    weights: NDArray[np.float64] | None
    pooled: list[PooledRow]
    pooled_shown: NDArray[np.float64]  # columns: estimate, ci_low, ci_high
    prediction: NDArray[np.float64] | None
    null: float | None
    notes: list[str]
    rows: Rows
    headers: tuple[str, str, str]
    study_texts: list[str]
    pooled_texts: list[str]
    prediction_text: str
    weight_texts: list[str]

    def extent(self) -> NDArray[np.float64]:
        """All drawn values, to set the axis limits."""
        parts = [self.studies[:, 1:].ravel(), self.pooled_shown[:, 1:].ravel()]
        if self.prediction is not None:
            parts.append(self.prediction)
        if self.null is not None:
            parts.append(np.array([self.null]))
        return np.concatenate(parts)


def prepare(
    labels: Sequence[str],
    effect: ArrayLike,
    ci_low: ArrayLike,
    ci_high: ArrayLike,
    *,
    weights: ArrayLike | None,
    pooled: Sequence[Mapping[str, object]] | None,
    prediction: tuple[float, float] | None,
    subgroups: Sequence[str] | None,
    extra_rows: Sequence[str] | None,
    transform: _scale.Transform | None,
    null_value: float | None,
    digits: int,
    level: float,
) -> ForestTable:
    """Check the forest plot's inputs and lay out what it shows (see :func:`forest_plot`)."""
    names = as_labels(labels, "labels")
    est = as_vector(effect, "effect")
    low = as_vector(ci_low, "ci_low")
    high = as_vector(ci_high, "ci_high")
    n = check_lengths(labels=len(names), effect=est.size, ci_low=low.size, ci_high=high.size)
    check_interval(est, low, high)
    groups = None
    if subgroups is not None:
        groups = as_labels(subgroups, "subgroups")
        check_lengths(labels=n, subgroups=len(groups))
    w = read_weights(weights, n)
    rows = read_pooled(pooled)
    pi = read_prediction(prediction)
    notes = [] if extra_rows is None else as_labels(extra_rows, "extra_rows")
    header = f"Estimate [{100 * check_level(level):g}% CI]"

    studies = _scale.apply(transform, np.stack([est, low, high], axis=1), "effect")
    raw = np.array([[r.estimate, r.ci_low, r.ci_high] for r in rows]).reshape(-1, 3)
    pooled_shown = _scale.apply(transform, raw, "pooled")
    pi_shown = None if pi is None else _scale.apply(transform, pi, "prediction")
    null = None
    if null_value is not None:
        null = float(_scale.apply(transform, np.array([float(null_value)]), "null_value")[0])

    def estimate_text(row: NDArray[np.float64]) -> str:
        interval = _scale.format_interval(row[1], row[2], digits)
        return f"{_scale.format_number(row[0], digits)} {interval}"

    return ForestTable(
        names=names,
        studies=studies,
        weights=w,
        pooled=rows,
        pooled_shown=pooled_shown,
        prediction=pi_shown,
        null=null,
        notes=notes,
        rows=layout_rows(n, groups, rows, pi is not None, len(notes)),
        headers=("Study", header, "Weight"),
        study_texts=[estimate_text(r) for r in studies],
        pooled_texts=[estimate_text(r) for r in pooled_shown],
        prediction_text=""
        if pi_shown is None
        else _scale.format_interval(pi_shown[0], pi_shown[1], digits),
        weight_texts=[] if w is None else [f"{p:.1f}%" for p in 100.0 * w / w.sum()],
    )
