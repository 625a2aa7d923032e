"""Input checks for :func:`~evsynth.synthesis.effects.effect_sizes`: columns, numbers, ranges.

Every problem raises :class:`~evsynth._core.errors.DataError` with an
:class:`~evsynth._core.errors.InputLocation` whose ``row`` is the 1-based data row (DataFrame
position + 1) and whose ``field`` is the column; the CLI adds the file name and header offset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from evsynth._core.errors import DataError, EvsynthError, InputLocation

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Column roles in full words, and metafor's column name used when a role is not mapped.
ROLE_DEFAULTS: dict[str, str] = {
    "mean_treatment": "m1i",
    "sd_treatment": "sd1i",
    "n_treatment": "n1i",
    "mean_control": "m2i",
    "sd_control": "sd2i",
    "n_control": "n2i",
    "events_treatment": "ai",
    "non_events_treatment": "bi",
    "events_control": "ci",
    "non_events_control": "di",
    "effect": "yi",
    "variance": "vi",
    "se": "sei",
}

CONTINUOUS_ROLES = (
    "mean_treatment",
    "sd_treatment",
    "n_treatment",
    "mean_control",
    "sd_control",
    "n_control",
)
BINARY_ROLES = (
    "events_treatment",
    "non_events_treatment",
    "n_treatment",
    "events_control",
    "non_events_control",
    "n_control",
)
GENERIC_ROLES = ("effect", "variance", "se")

MEASURE_ROLES: dict[str, tuple[str, ...]] = {
    "SMD": CONTINUOUS_ROLES,
    "MD": CONTINUOUS_ROLES,
    "OR": BINARY_ROLES,
    "RR": BINARY_ROLES,
    "RD": BINARY_ROLES,
    "GEN": GENERIC_ROLES,
}


def check_mapping(measure: str, columns: Mapping[str, object]) -> dict[str, str]:
    """Check the caller's ``role=column`` keywords; return them with metafor's defaults filled."""
    allowed = MEASURE_ROLES[measure]
    for role, name in columns.items():
        if role not in ROLE_DEFAULTS:
            raise EvsynthError(
                f"effect_sizes() got an unknown keyword {role}={name!r}",
                hint=f"Map columns with one of {', '.join(ROLE_DEFAULTS)}",
            )
        if role not in allowed:
            raise EvsynthError(
                f"column mapping {role}={name!r} does not apply to measure {measure!r}",
                hint=f"For {measure} map one of {', '.join(allowed)}",
            )
        if not isinstance(name, str):
            raise EvsynthError(
                f"column mapping {role}={name!r} must be a column name (a string)",
                hint=f"For example {role}='my_column'",
            )
    return {role: str(columns.get(role, ROLE_DEFAULTS[role])) for role in allowed}


def missing_columns_error(
    measure: str,
    needed: Sequence[str],
    data: pd.DataFrame,
    alternatives: str = "",
    missing: Sequence[str] | None = None,
) -> DataError:
    """A DataError naming the columns a measure needs, those missing and those present.

    ``missing`` defaults to the ``needed`` columns absent from ``data``; give it when a
    column has an alternative (e.g. ``"di or n2i"``).
    """
    present = [str(c) for c in data.columns]
    if missing is None:
        missing = [c for c in needed if c not in data.columns]
    also = f" ({alternatives})" if alternatives else ""
    return DataError(
        f"measure {measure!r} needs columns {', '.join(needed)}{also}; missing: "
        f"{', '.join(missing)}; the data have: {', '.join(present) or 'no columns'}",
        location=InputLocation(field=missing[0].split(" or ")[0] if missing else None),
        hint="Rename the columns, or map them by role, e.g. "
        "effect_sizes(data, 'SMD', mean_treatment='mean_t')",
    )


def _is_blank(value: object) -> bool:
    """A missing cell: None, NaN, NA, NaT or a string of spaces."""
    if isinstance(value, str):
        return value.strip() == ""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and np.isnan(value))
    )


def numeric_column(data: pd.DataFrame, column: str) -> FloatArray:
    """The column as float64; text, missing and infinite values raise a located DataError."""
    series = data[column]
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    for position, (raw, number) in enumerate(zip(series.tolist(), values, strict=True)):
        if np.isfinite(number):
            continue
        where = InputLocation(row=position + 1, field=column)
        if _is_blank(raw):
            raise DataError(
                "the value is missing",
                location=where,
                hint="Fill it in, or remove the study from the data",
            )
        if np.isnan(number):
            raise DataError(
                f"{raw!r} is not a number",
                location=where,
                hint="Enter a number (with a point as the decimal separator), without units "
                "or notes",
            )
        raise DataError(f"{raw!r} is not a finite number", location=where, hint="Enter a number")
    return values


def require(
    ok: npt.ArrayLike, column: str, message: str, hint: str, values: FloatArray | None = None
) -> None:
    """Raise a DataError at the first row where ``ok`` is False.

    ``message`` may contain ``{value}``, filled with that row's value from ``values``.
    """
    bad = np.flatnonzero(~np.asarray(ok, dtype=np.bool_))
    if bad.size == 0:
        return
    position = int(bad[0])
    text = message
    if values is not None:
        text = message.format(value=_format(float(values[position])))
    raise DataError(text, location=InputLocation(row=position + 1, field=column), hint=hint)


def _format(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def study_labels(data: pd.DataFrame, study: str | None) -> list[str]:
    """Study labels from the ``study`` column, or ``"Study 1", "Study 2", ...``.

    The default column name ``"study"`` may be absent; a column named by the caller must
    exist. A missing label becomes ``"Study <row>"``.
    """
    n = len(data)
    if study is None or (study == "study" and study not in data.columns):
        return [f"Study {i + 1}" for i in range(n)]
    if study not in data.columns:
        raise DataError(
            f"the study column {study!r} is not in the data; the data have: "
            f"{', '.join(str(c) for c in data.columns)}",
            location=InputLocation(field=study),
            hint="Name the column that labels studies, or pass study=None for 'Study 1', ...",
        )
    return [
        f"Study {i + 1}" if _is_blank(value) else str(value)
        for i, value in enumerate(data[study].tolist())
    ]
