"""The labelled shell: a DataFrame of study data in, an :class:`EffectTable` out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from evsynth._core.errors import EvsynthError, choice_error
from evsynth.synthesis.effects.binary import (
    ZERO_CELL_RULES,
    has_zero_cell,
    is_double_zero,
    log_odds_ratio,
    log_risk_ratio,
    risk_difference,
)
from evsynth.synthesis.effects.continuous import mean_difference, standardized_mean_difference
from evsynth.synthesis.effects.conversions import align_direction
from evsynth.synthesis.effects.table import MEASURE_LABELS, EffectTable
from evsynth.synthesis.effects.validation import (
    check_mapping,
    missing_columns_error,
    numeric_column,
    require,
    study_labels,
)

FloatArray = npt.NDArray[np.float64]

MEASURES: tuple[str, ...] = ("SMD", "MD", "OR", "RR", "RD", "GEN")
VTYPES: dict[str, tuple[str, ...]] = {
    "SMD": ("LS", "UB"),
    "MD": ("LS", "UB", "HO"),
    "OR": ("LS",),
    "RR": ("LS",),
    "RD": ("LS", "UB"),
    "GEN": ("LS",),
}

BinaryKernel = Callable[..., tuple[FloatArray, FloatArray]]
BINARY_KERNELS: dict[str, BinaryKernel] = {
    "OR": log_odds_ratio,
    "RR": log_risk_ratio,
    "RD": risk_difference,
}


def effect_sizes(
    data: pd.DataFrame,
    measure: str,
    *,
    vtype: str = "LS",
    lower_is_better: bool = False,
    study: str | None = "study",
    add: float = 0.5,
    to: str = "only0",
    drop_double_zero: bool = True,
    **columns: str,
) -> EffectTable:
    """Effect sizes and sampling variances, one per study, as metafor's ``escalc``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per study.
    measure : {"SMD", "MD", "OR", "RR", "RD", "GEN"}
        Effect measure, with metafor's codes:

        - ``"SMD"``: Hedges' g with the exact correction (Hedges, 1981); see
          :func:`standardized_mean_difference`;
        - ``"MD"``: raw mean difference; :func:`mean_difference`;
        - ``"OR"``, ``"RR"``: log odds ratio (Woolf, 1955), log risk ratio (Katz et al.,
          1978); :func:`log_odds_ratio`, :func:`log_risk_ratio`;
        - ``"RD"``: risk difference; :func:`risk_difference`;
        - ``"GEN"``: an effect with its variance or standard error, computed elsewhere.
    vtype : str, optional
        Variance estimator, as metafor: ``"LS"`` (default, every measure), ``"UB"`` (SMD:
        Hedges, 1983; MD; RD) or ``"HO"`` (MD with a pooled SD).
    lower_is_better : bool, optional
        Multiply every effect by -1 so that a positive value favours the treatment (first)
        group, e.g. for pain or mortality. For OR and RR this inverts the ratio (control
        over treatment); see :func:`align_direction`.
    study : str or None, optional
        Column of study labels. The default ``"study"`` may be absent; then, as with
        ``None``, studies are labelled ``"Study 1"``, ``"Study 2"``, ... by row.
    add : float, optional
        Added to the cells of 2x2 tables as ``to`` says (metafor's ``add``, default 1/2;
        Haldane, 1956). ``add=0`` gives uncorrected values.
    to : {"only0", "all", "if0all", "none"}, optional
        Which tables get ``add`` (metafor's ``to``); ``"only0"``: those with a zero cell.
    drop_double_zero : bool, optional
        Leave out 2x2 tables with no events in either group or only events in both, with a
        note (metafor's ``drop00``; True here, whereas ``escalc`` defaults to False).
    **columns : str
        Column names, by role, for columns that do not carry metafor's names:

        - SMD, MD: ``mean_treatment`` (m1i), ``sd_treatment`` (sd1i), ``n_treatment``
          (n1i), ``mean_control`` (m2i), ``sd_control`` (sd2i), ``n_control`` (n2i);
        - OR, RR, RD: ``events_treatment`` (ai), ``non_events_treatment`` (bi) or
          ``n_treatment`` (n1i), ``events_control`` (ci), ``non_events_control`` (di) or
          ``n_control`` (n2i);
        - GEN: ``effect`` (yi) and ``variance`` (vi) or ``se`` (sei).

    Returns
    -------
    EffectTable
        Included studies' effects and variances, with the studies left out and notes.

    Raises
    ------
    EvsynthError
        An unknown ``measure``, ``vtype``, ``to`` or column role.
    DataError
        A missing column, text or a missing value in a number column, a negative SD or
        variance, too small a group, more events than participants; the location gives the
        1-based row and the column.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"study": ["A"], "ai": [4], "n1i": [50], "ci": [8], "n2i": [50]})
    >>> round(float(effect_sizes(data, "RR").effect[0]), 6)
    -0.693147
    """
    if not isinstance(data, pd.DataFrame):
        raise EvsynthError(
            f"data must be a pandas DataFrame, not {type(data).__name__}",
            hint="Read the file with evsynth or pandas first",
        )
    if measure not in MEASURES:
        raise choice_error("measure", measure, MEASURES)
    if vtype not in VTYPES[measure]:
        raise EvsynthError(
            f"vtype={vtype!r} is not available for measure {measure}; "
            f"choose one of {', '.join(VTYPES[measure])}"
        )
    if to not in ZERO_CELL_RULES:
        raise choice_error("to", to, ZERO_CELL_RULES)
    roles = check_mapping(measure, columns)
    labels = study_labels(data, study)
    notes: list[str] = []
    keep = np.ones(len(data), dtype=np.bool_)

    if measure in ("SMD", "MD"):
        effect, variance = _continuous(data, measure, roles, vtype)
    elif measure == "GEN":
        effect, variance = _generic(data, roles)
    else:
        effect, variance = _binary(
            data, measure, roles, labels, notes, keep, vtype, add, to, drop_double_zero
        )

    usable = np.isfinite(effect) & np.isfinite(variance) & (variance > 0)
    for position in np.flatnonzero(keep & ~usable):
        # Only 2x2 tables get here: a zero cell left uncorrected (add=0 or to="none") makes a
        # log ratio infinite, and an uncorrected double-zero table a risk difference of 0 +/- 0.
        notes.append(
            f"Study {labels[position]!r} (row {position + 1}) has a zero cell left uncorrected "
            f"(add={add}, to={to!r}), so its {MEASURE_LABELS[measure]} or its variance is "
            "not usable; it is left out"
        )
    keep &= usable
    if lower_is_better:
        effect = align_direction(effect, lower_is_better=True)
        notes.append(_direction_note(measure))

    positions = np.flatnonzero(keep)
    return EffectTable(
        measure=measure,
        study=tuple(labels[i] for i in positions),
        effect=effect[positions],
        variance=variance[positions],
        dropped=tuple(labels[i] for i in np.flatnonzero(~keep)),
        notes=tuple(notes),
        vtype=vtype,
        lower_is_better=lower_is_better,
        rows=tuple(int(i) + 1 for i in positions),
        index=tuple(data.index[positions].tolist()),
    )


def _direction_note(measure: str) -> str:
    base = "Effects multiplied by -1 (lower_is_better=True), so positive values favour the "
    if measure in ("OR", "RR"):
        return base + "treatment; the ratios are control over treatment"
    return base + "treatment"


def _continuous(
    data: pd.DataFrame, measure: str, roles: dict[str, str], vtype: str
) -> tuple[FloatArray, FloatArray]:
    needed = [roles[r] for r in ("mean_treatment", "sd_treatment", "n_treatment")] + [
        roles[r] for r in ("mean_control", "sd_control", "n_control")
    ]
    if any(c not in data.columns for c in needed):
        raise missing_columns_error(measure, needed, data)
    values = {role: numeric_column(data, roles[role]) for role in roles}
    for arm in ("treatment", "control"):
        n, sd = values[f"n_{arm}"], values[f"sd_{arm}"]
        require(
            n >= 2,
            roles[f"n_{arm}"],
            "the group size is {value}, below 2",
            "A continuous outcome needs at least 2 participants per group; check the count",
            n,
        )
        require(
            sd >= 0,
            roles[f"sd_{arm}"],
            "the standard deviation is negative ({value})",
            "Standard deviations are >= 0; check the sign",
            sd,
        )
    both_zero = (values["sd_treatment"] == 0) & (values["sd_control"] == 0)
    require(
        ~both_zero,
        roles["sd_treatment"],
        "both standard deviations are 0, so the study has no within-group variation",
        "Check the SDs; a study with no variance cannot be weighted",
    )
    kernel = standardized_mean_difference if measure == "SMD" else mean_difference
    return kernel(
        values["mean_treatment"],
        values["sd_treatment"],
        values["n_treatment"],
        values["mean_control"],
        values["sd_control"],
        values["n_control"],
        vtype=vtype,
    )


def _generic(data: pd.DataFrame, roles: dict[str, str]) -> tuple[FloatArray, FloatArray]:
    effect_col, variance_col, se_col = roles["effect"], roles["variance"], roles["se"]
    if effect_col not in data.columns or (
        variance_col not in data.columns and se_col not in data.columns
    ):
        needed = [effect_col, variance_col] if variance_col not in data.columns else [effect_col]
        raise missing_columns_error("GEN", needed, data, alternatives=f"or {effect_col}, {se_col}")
    effect = numeric_column(data, effect_col)
    # With both columns present the variance is used and the SE ignored.
    if variance_col in data.columns:
        variance = numeric_column(data, variance_col)
        require(
            variance > 0,
            variance_col,
            "the variance is {value}; it must be positive",
            "Check the value; an SE goes in the se column, not the variance column",
            variance,
        )
        return effect, variance
    se = numeric_column(data, se_col)
    require(
        se > 0,
        se_col,
        "the standard error is {value}; it must be positive",
        "Check the value and its sign",
        se,
    )
    return effect, se**2


def _binary(
    data: pd.DataFrame,
    measure: str,
    roles: dict[str, str],
    labels: list[str],
    notes: list[str],
    keep: npt.NDArray[np.bool_],
    vtype: str,
    add: float,
    to: str,
    drop_double_zero: bool,
) -> tuple[FloatArray, FloatArray]:
    missing: list[str] = []
    for arm in ("treatment", "control"):
        if roles[f"events_{arm}"] not in data.columns:
            missing.append(roles[f"events_{arm}"])
        non_col, n_col = roles[f"non_events_{arm}"], roles[f"n_{arm}"]
        if non_col not in data.columns and n_col not in data.columns:
            missing.append(f"{non_col} or {n_col}")
    if missing:
        ev_t, ev_c = roles["events_treatment"], roles["events_control"]
        raise missing_columns_error(
            measure,
            [ev_t, roles["non_events_treatment"], ev_c, roles["non_events_control"]],
            data,
            alternatives=f"or {ev_t}, {roles['n_treatment']}, {ev_c}, {roles['n_control']}",
            missing=missing,
        )
    cells: dict[str, FloatArray] = {}
    for arm, event_cell, other_cell in (("treatment", "a", "b"), ("control", "c", "d")):
        events_col = roles[f"events_{arm}"]
        non_col, n_col = roles[f"non_events_{arm}"], roles[f"n_{arm}"]
        has_non, has_n = non_col in data.columns, n_col in data.columns
        events = numeric_column(data, events_col)
        require(
            events >= 0,
            events_col,
            "the number of events is negative ({value})",
            "Counts are >= 0",
            events,
        )
        if has_n:
            n = numeric_column(data, n_col)
            require(
                n >= 1,
                n_col,
                "the group size is {value}, below 1",
                "Give the number of participants in the group",
                n,
            )
            require(
                events <= n,
                events_col,
                "the number of events ({value}) is larger than the group size",
                f"Check the events and {n_col}; events cannot exceed participants",
                events,
            )
        if has_non:
            non_events = numeric_column(data, non_col)
            require(
                non_events >= 0,
                non_col,
                "the number of non-events is negative ({value})",
                "Counts are >= 0",
                non_events,
            )
            if has_n:
                require(
                    events + non_events == n,
                    non_col,
                    f"events + non-events ({{value}}) differs from {n_col}",
                    "Correct the counts, or remove one of the two columns",
                    events + non_events,
                )
            require(
                events + non_events >= 1,
                non_col,
                "the group has no participants (events + non-events = 0)",
                "Give the number of participants in the group",
            )
        else:
            non_events = n - events
        cells[event_cell], cells[other_cell] = events, non_events

    a, b, c, d = cells["a"], cells["b"], cells["c"], cells["d"]
    _zero_cell_notes(a, b, c, d, labels, notes, keep, add, to, drop_double_zero)
    kernel = BINARY_KERNELS[measure]
    options: dict[str, object] = {"add": add, "to": to, "drop_double_zero": drop_double_zero}
    if measure == "RD":
        options["vtype"] = vtype
    return kernel(a, b, c, d, **options)


def _zero_cell_notes(
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
    d: FloatArray,
    labels: list[str],
    notes: list[str],
    keep: npt.NDArray[np.bool_],
    add: float,
    to: str,
    drop_double_zero: bool,
) -> None:
    """Record double-zero studies (left out or kept) and zero-cell corrections in ``notes``."""
    double = is_double_zero(a, b, c, d)
    zero = has_zero_cell(a, b, c, d)
    rule = f"add={add}, to={to!r}"
    for position in np.flatnonzero(double):
        what = "no events in either group" if a[position] == 0 else "only events in both groups"
        name = f"Study {labels[position]!r} (row {position + 1})"
        if drop_double_zero:
            keep[position] = False
            notes.append(f"{name} has {what} and is left out (metafor's drop00)")
        else:
            notes.append(f"{name} has {what}; kept because drop_double_zero=False")
    corrected = zero & ~double if drop_double_zero else zero
    if add == 0 or to == "none":
        return
    if to == "all" or (to == "if0all" and bool(zero.any())):
        notes.append(f"{add} added to every cell of every table ({rule})")
        return
    if to == "only0":
        for position in np.flatnonzero(corrected):
            notes.append(
                f"Study {labels[position]!r} (row {position + 1}) has a zero cell; {add} added "
                f"to each of its four cells ({rule}, metafor's default)"
            )
