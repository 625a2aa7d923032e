r"""Arm-level data to contrasts: netmeta's ``pairwise()``, through evsynth's effect-size kernels.

Each study gives one row per arm (``study``, ``treatment`` and ``events``/``n`` for OR, RR, RD
or ``mean``/``sd``/``n`` for MD, SMD); every pair of arms of a study becomes one contrast,
"earlier arm minus later arm" in the order the arms are given, computed by
:mod:`evsynth.synthesis.effects` (log odds ratio: Woolf 1955; log risk ratio: Katz et al. 1978;
risk difference; mean difference; Hedges' g). The result has netmeta's column names
(``studlab, treat1, treat2, TE, seTE``) and can be passed to
:func:`~evsynth.synthesis.nma.network_meta_analysis`.

Policy
------
Zero cells (OR, RR, RD)
    ``to="only0"`` (default): ``add`` (1/2) is added to the events and non-events of *every arm*
    of a study with a zero cell in any arm, as netmeta's ``pairwise()`` does, so that the
    contrasts of a multi-arm study stay consistent. ``to="all"`` adds it to every study,
    ``to="none"`` to none. A study without events in any arm (or with only events) carries no
    information on a ratio and is left out with a note (``drop_double_zero=True``).
The same treatment in two arms of a study
    The arms are pooled with a note: events and sizes are added; means and SDs are combined
    as one group (Cochrane Handbook, section 6.5.2.10, Table 6.5.a).
Direction
    ``lower_is_better=True`` multiplies every effect by -1
    (:func:`~evsynth.synthesis.effects.align_direction`), so that positive values favour the
    first treatment of each contrast.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from evsynth._core.errors import DataError, EvsynthError, InputLocation, choice_error
from evsynth.synthesis.effects import (
    align_direction,
    log_odds_ratio,
    log_risk_ratio,
    mean_difference,
    risk_difference,
    standardized_mean_difference,
)
from evsynth.synthesis.effects.validation import numeric_column, require
from evsynth.synthesis.nma.graph import FloatArray

ARM_MEASURES: tuple[str, ...] = ("OR", "RR", "RD", "MD", "SMD")
BINARY = ("OR", "RR", "RD")
ZERO_RULES: tuple[str, ...] = ("only0", "all", "none")
ROLES: dict[str, str] = {
    "study": "study",
    "treatment": "treatment",
    "events": "events",
    "n": "n",
    "mean": "mean",
    "sd": "sd",
}


def _roles(measure: str, columns: Mapping[str, str] | None) -> dict[str, str]:
    given = dict(columns or {})
    unknown = sorted(set(given) - set(ROLES))
    if unknown:
        raise EvsynthError(
            f"unknown column role(s) {', '.join(unknown)}",
            hint=f"Map columns with the roles {', '.join(ROLES)}",
        )
    names = {**ROLES, **given}
    needed = ["study", "treatment", "n"] + (["events"] if measure in BINARY else ["mean", "sd"])
    return {role: names[role] for role in needed}


def _pool_duplicates(frame: pd.DataFrame, measure: str, notes: list[str]) -> pd.DataFrame:
    dup = frame.duplicated(["study", "treatment"], keep=False)
    if not dup.any():
        return frame
    for (study, treatment), group in frame[dup].groupby(["study", "treatment"], sort=False):
        notes.append(
            f"Study {study!r} has {len(group)} arms of {treatment!r} (rows "
            f"{', '.join(str(r) for r in group['row'])}); they are pooled into one arm"
        )

    records = []
    for (study, treatment), group in frame.groupby(["study", "treatment"], sort=False):
        rec: dict[str, object] = {
            "row": int(group["row"].iloc[0]),
            "study": study,
            "treatment": treatment,
            "n": float(group["n"].sum()),
        }
        if measure in BINARY:
            rec["events"] = float(group["events"].sum())
        else:
            # Combining groups (Cochrane Handbook Table 6.5.a), two at a time.
            n1, m1, s1 = (float(group[c].iloc[0]) for c in ("n", "mean", "sd"))
            for n2, m2, s2 in group[["n", "mean", "sd"]].iloc[1:].itertuples(index=False):
                nn = n1 + n2
                mm = (n1 * m1 + n2 * m2) / nn
                var = ((n1 - 1) * s1**2 + (n2 - 1) * s2**2 + n1 * n2 / nn * (m1 - m2) ** 2) / (
                    nn - 1
                )
                n1, m1, s1 = nn, mm, float(np.sqrt(var))
            rec["mean"], rec["sd"] = m1, s1
        records.append(rec)
    return pd.DataFrame(records).sort_values("row", kind="stable").reset_index(drop=True)


def _binary_cells(
    frame: pd.DataFrame, add: float, to: str, drop_double_zero: bool, notes: list[str]
) -> tuple[pd.DataFrame, FloatArray, FloatArray]:
    events = frame["events"].to_numpy(dtype=np.float64)
    n = frame["n"].to_numpy(dtype=np.float64)
    study = frame["study"].to_numpy()
    zero = (events == 0) | (events == n)
    all_none = pd.Series(events == 0).groupby(study, sort=False).transform("all").to_numpy()
    all_full = pd.Series(events == n).groupby(study, sort=False).transform("all").to_numpy()
    double = all_none | all_full
    if drop_double_zero and double.any():
        for s in dict.fromkeys(study[double]):
            notes.append(
                f"Study {s!r} has no events in any arm (or only events), so it carries no "
                "information on the effect; it is left out"
            )
        keep = ~double
        frame, events, n, study, zero = (
            frame[keep].reset_index(drop=True),
            events[keep],
            n[keep],
            study[keep],
            zero[keep],
        )
    if to == "all":
        target = np.ones_like(zero)
    elif to == "only0":
        target = pd.Series(zero).groupby(study, sort=False).transform("any").to_numpy()
    else:
        target = np.zeros_like(zero)
    if add > 0 and target.any():
        which = ", ".join(repr(s) for s in dict.fromkeys(study[target]))
        scope = "every study" if to == "all" else "studies with a zero cell"
        notes.append(f"{add:g} added to every cell of {scope} ({which})")
    a = events + np.where(target, add, 0.0)
    b = n - events + np.where(target, add, 0.0)
    return frame, a, b


def pairwise(
    data: pd.DataFrame,
    measure: str,
    *,
    columns: Mapping[str, str] | None = None,
    add: float = 0.5,
    to: str = "only0",
    drop_double_zero: bool = True,
    vtype: str = "LS",
    lower_is_better: bool = False,
) -> pd.DataFrame:
    """All pairwise contrasts of each study's arms, with netmeta's column names.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per arm.
    measure : {"OR", "RR", "RD", "MD", "SMD"}
        Effect measure (metafor's codes; log scale for OR and RR).
    columns : mapping, optional
        Column names by role when they differ from the defaults ``study``, ``treatment``,
        ``events``, ``n``, ``mean``, ``sd``.
    add, to, drop_double_zero
        Zero-cell handling for OR, RR and RD (see the module docstring).
    vtype : str, optional
        Variance estimator passed to the kernel (``"LS"`` default; ``"UB"`` for SMD and RD,
        ``"HO"`` for MD).
    lower_is_better : bool, optional
        Multiply every effect by -1.

    Returns
    -------
    pandas.DataFrame
        Columns ``studlab, treat1, treat2, TE, seTE`` and the arm data of both treatments
        (``n1, n2`` and ``event1, event2`` or ``mean1, sd1, mean2, sd2``);
        ``attrs["measure"]`` and ``attrs["notes"]`` record the measure and what was done.

    Examples
    --------
    >>> import pandas as pd
    >>> arms = pd.DataFrame({
    ...     "study": ["s1", "s1", "s2", "s2", "s2"],
    ...     "treatment": ["A", "B", "A", "B", "C"],
    ...     "events": [12, 20, 8, 15, 11],
    ...     "n": [100, 100, 80, 80, 80],
    ... })
    >>> pairwise(arms, "OR")[["studlab", "treat1", "treat2", "TE", "seTE"]].round(4)
      studlab treat1 treat2      TE    seTE
    0      s1      A      B -0.6061  0.3965
    1      s2      A      B -0.7309  0.4700
    2      s2      A      C -0.3610  0.4943
    3      s2      B      C  0.3699  0.4330
    """
    if not isinstance(data, pd.DataFrame):
        raise EvsynthError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if measure not in ARM_MEASURES:
        raise choice_error("measure", measure, ARM_MEASURES)
    if to not in ZERO_RULES:
        raise choice_error("to", to, ZERO_RULES)
    if not np.isfinite(add) or add < 0:
        raise EvsynthError(f"add={add!r} must be a number >= 0 (netmeta's default is 0.5)")
    roles = _roles(measure, columns)
    missing = [c for c in roles.values() if c not in data.columns]
    if missing:
        raise DataError(
            f"arm-level data for {measure} need columns {', '.join(roles.values())}; missing: "
            f"{', '.join(missing)}; the data have: {', '.join(map(str, data.columns))}",
            location=InputLocation(field=missing[0]),
            hint="Rename the columns or map them, e.g. columns={'study': 'trial'}",
        )
    frame = pd.DataFrame(
        {
            "row": np.arange(1, len(data) + 1),
            "study": [str(s) for s in data[roles["study"]]],
            "treatment": [str(t) for t in data[roles["treatment"]]],
        }
    )
    for role in roles:
        if role not in ("study", "treatment"):
            frame[role] = numeric_column(data.reset_index(drop=True), roles[role])
    n = frame["n"].to_numpy()
    require(
        n >= 1, roles["n"], "the arm size {value} is below 1", "Check the number of participants", n
    )
    if measure in BINARY:
        ev = frame["events"].to_numpy()
        require(ev >= 0, roles["events"], "{value} events is negative", "Check the counts", ev)
        require(
            ev <= n, roles["events"], "{value} events exceed the arm size", "Check the counts", ev
        )
    else:
        sd = frame["sd"].to_numpy()
        require(sd >= 0, roles["sd"], "the SD {value} is negative", "Check the SD", sd)
        require(
            n >= 2,
            roles["n"],
            "the arm size {value} is below 2",
            "An SD needs two or more participants",
            n,
        )

    notes: list[str] = []
    frame = _pool_duplicates(frame, measure, notes)
    arms_per_study = frame.groupby("study", sort=False)["treatment"].transform("size")
    if (arms_per_study < 2).any():
        single = list(dict.fromkeys(frame.loc[arms_per_study < 2, "study"]))
        notes.append(f"Studies with a single arm are left out: {', '.join(map(repr, single))}")
        frame = frame[arms_per_study >= 2].reset_index(drop=True)
    if measure in BINARY:
        frame, a, b = _binary_cells(frame, add, to, drop_double_zero, notes)
    if frame.empty:
        raise DataError("no study has two or more usable arms", hint="Check the arm-level data")

    first, second = _pairs(frame["study"].to_numpy())
    out = {
        "studlab": frame["study"].to_numpy()[first],
        "treat1": frame["treatment"].to_numpy()[first],
        "treat2": frame["treatment"].to_numpy()[second],
    }
    if measure in BINARY:
        kernel = {"OR": log_odds_ratio, "RR": log_risk_ratio, "RD": risk_difference}[measure]
        extra = {"vtype": vtype} if measure == "RD" else {}
        effect, variance = kernel(
            a[first],
            b[first],
            a[second],
            b[second],
            add=0.0,
            to="none",
            drop_double_zero=False,
            **extra,
        )
        out.update(
            event1=frame["events"].to_numpy()[first],
            n1=frame["n"].to_numpy()[first],
            event2=frame["events"].to_numpy()[second],
            n2=frame["n"].to_numpy()[second],
        )
    else:
        m, s, size = (frame[c].to_numpy() for c in ("mean", "sd", "n"))
        kernel_c = mean_difference if measure == "MD" else standardized_mean_difference
        effect, variance = kernel_c(
            m[first], s[first], size[first], m[second], s[second], size[second], vtype=vtype
        )
        out.update(
            mean1=m[first],
            sd1=s[first],
            n1=size[first],
            mean2=m[second],
            sd2=s[second],
            n2=size[second],
        )
    if lower_is_better:
        effect = align_direction(effect, lower_is_better=True)
        notes.append("Effects multiplied by -1 (lower_is_better=True)")
    result = pd.DataFrame(out)
    result.insert(3, "TE", effect)
    result.insert(4, "seTE", np.sqrt(variance))
    result.attrs["measure"] = measure
    result.attrs["notes"] = tuple(notes)
    return result


def _pairs(study: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of every pair of arms within a study, arms in their given order."""
    first: list[int] = []
    second: list[int] = []
    codes, starts = np.unique(study, return_index=True)
    del codes
    for start in sorted(starts.tolist()):
        s = study[start]
        rows = np.flatnonzero(study == s)
        for i in range(rows.size):
            for j in range(i + 1, rows.size):
                first.append(int(rows[i]))
                second.append(int(rows[j]))
    return np.array(first, dtype=np.intp), np.array(second, dtype=np.intp)
