"""Public entry points of the economic evaluation: DataFrames in, labelled results out.

* :func:`sf6d`: SF-6D states and utilities from SF-36 or SF-12 item responses;
* :func:`qaly_auc`: QALYs per patient by area under the curve, discounted;
* :func:`adjust_for_baseline`: incremental QALYs adjusted for baseline utility (Manca 2005);
* :func:`icers`: dominance, the efficient frontier and ICERs of several strategies;
* :func:`cost_effectiveness`: ICER, INB, CEAC, CEAF, EVPI from PSA or bootstrap draws, and
  :func:`bootstrap_trial`: the stratified, paired bootstrap of a trial's patients, then the same
  analysis of the replicates (both defined in :mod:`evsynth.economics.cea`, beside their
  result, and re-exported here).

Every error a user can cause is a :class:`evsynth._core.errors.DataError` that names the row
(1-based, as the data's rows are counted) and column, or an :class:`EvsynthError` that lists
the valid choices.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from evsynth._core.errors import DataError, EvsynthError, InputLocation, choice_error
from evsynth._core.provenance import make_manifest
from evsynth.economics._checks import draws_to_arrays, frame_of, labels, numbers, require
from evsynth.economics.cea import CEAResult, bootstrap_trial, cost_effectiveness
from evsynth.economics.icer import efficient_frontier
from evsynth.economics.qaly import (
    DISCOUNTING,
    auc_qalys,
    baseline_regression,
    discount_factors,
)
from evsynth.economics.result import BaselineAdjustment, IcerResult, SF6DResult
from evsynth.economics.sf6d import (
    INSTRUMENTS,
    ITEM_RANGES,
    SF12_FROM_SF36,
    SF12_ITEMS,
    SF36_ITEMS,
    VALUE_SETS,
    VERSIONS,
    sf6d_utility,
    sf12_levels,
    sf36_levels,
)

FloatArray = NDArray[np.float64]

# The entry points for draws live beside their result (evsynth.economics.cea); re-exported here
# so that every public function can be imported from one module.
__all__ = [
    "CEAResult",
    "adjust_for_baseline",
    "bootstrap_trial",
    "cost_effectiveness",
    "draws_to_arrays",
    "icers",
    "item_columns",
    "qaly_auc",
    "sf6d",
    "sf12_items_from_sf36",
]

TIME_UNITS: dict[str, float] = {
    "years": 1.0,
    "months": 1.0 / 12.0,
    "weeks": 7.0 / 365.25,
    "days": 1.0 / 365.25,
}


# -- SF-6D --------------------------------------------------------------------------------


def _item_key(name: object) -> str:
    """``"Q3a"``, ``"q_3A"``, ``"3a"`` -> ``"3a"``: item numbers as the questionnaires print them."""
    key = re.sub(r"[\s_.\-]", "", str(name).strip().lower())
    return key[1:] if key.startswith("q") and len(key) > 1 else key


def item_columns(
    frame: pd.DataFrame, needed: tuple[str, ...], items: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The column holding each needed item: ``items[item]`` if given, else the column whose
    name is the item number (``3a``, ``Q3a``, ``q_3A``); a missing one is a DataError."""
    explicit = dict(items or {})
    by_key: dict[str, str] = {}
    for name in frame.columns:
        by_key.setdefault(_item_key(name), str(name))
    found: dict[str, str] = {}
    for item in needed:
        column = explicit[item] if item in explicit else by_key.get(item)
        if column is not None and column in frame.columns:
            found[item] = column
    missing = [i for i in needed if i not in found]
    if missing:
        raise DataError(
            f"item column(s) {', '.join(missing)} are missing (the SF-6D needs items "
            f"{', '.join(needed)})",
            location=InputLocation(field=missing[0]),
            hint=f"Name the columns by item number (e.g. '3a' or 'Q3a'); columns present: "
            f"{', '.join(map(str, frame.columns))}",
        )
    return found


def _check_items(
    frame: pd.DataFrame, columns: dict[str, str], instrument: str, version: int
) -> dict[str, FloatArray]:
    ranges = ITEM_RANGES[(instrument, version)]
    other = 2 if version == 1 else 1
    label = "SF-36" if instrument == "sf36" else "SF-12"
    out: dict[str, FloatArray] = {}
    for item, column in columns.items():
        values = numbers(frame, column, allow_missing=True)
        low, high = ranges[item]
        known = np.isfinite(values)
        bad = np.flatnonzero(
            known & ((values != np.round(values)) | (values < low) | (values > high))
        )
        if bad.size:
            row = int(bad[0])
            alt_low, alt_high = ITEM_RANGES[(instrument, other)][item]
            fits_other = alt_low <= values[row] <= alt_high and values[row] == round(values[row])
            raise DataError(
                f"item {item} is {values[row]:g}; {label} version {version} codes it "
                f"{low} to {high}",
                location=InputLocation(row=row + 1, field=column),
                hint=(
                    f"This looks like {label} version {other} data: pass version={other}"
                    if fits_other
                    else "Check the coding: responses are numbered from 1 as printed on the form"
                ),
            )
        out[item] = values
    return out


def sf12_items_from_sf36(data: pd.DataFrame) -> pd.DataFrame:
    """The SF-12 items embedded in SF-36 responses, named by SF-12 number (2a, 3b, ...).

    The SF-12's items are SF-36 items (same wording and options within a version), so the SF-12
    SF-6D (Brazier & Roberts 2004) can be scored from an SF-36, e.g. as a sensitivity analysis.
    Other columns are kept; the SF-36 item columns are replaced.
    """
    frame = frame_of(data, "responses")
    columns = item_columns(frame, tuple(SF12_FROM_SF36.values()), None)
    out = frame.drop(columns=list(columns.values()))
    for sf12, sf36 in SF12_FROM_SF36.items():
        out[sf12] = frame[columns[sf36]].to_numpy()
    return out


def sf6d(
    data: pd.DataFrame,
    instrument: str = "sf36",
    *,
    version: int = 1,
    sf12_most_vitality: int = 4,
    items: Mapping[str, str] | None = None,
) -> SF6DResult:
    """SF-6D states and UK utilities of each row of item responses.

    Parameters
    ----------
    data : DataFrame
        One row per respondent (and visit); item columns named by item number: for the SF-36
        ``3a, 3b, 3j, 4c, 5b, 10, 7, 8, 9b, 9f, 9e``, for the SF-12 ``2a, 3b, 4a, 5, 6b, 6c,
        7`` (``Q3a``, ``q_3a`` and ``3A`` also match). Codes are the numbers printed on the
        form, from 1; an empty cell is a missing answer. Other columns are ignored.
    instrument : {"sf36", "sf12"}
        SF-36 (Brazier, Roberts & Deverill 2002) or SF-12 (Brazier & Roberts 2004).
    version : {1, 2}
        Questionnaire version: 1 (role items yes/no, six-option mental-health items; the
        default, as Brazier et al. 2002) or 2 (five options each). A code out of range for
        version 1 that fits version 2 is refused with a hint to pass ``version=2``.
    sf12_most_vitality : {4, 5}
        SF-12 only: the lowest vitality level that triggers the MOST term, 4 (the default; the
        SOEP syntax and the SF-36 rule) or 5 (the R package SF6Dvalues); published
        implementations differ.
    items : mapping, optional
        Item number to column name, for columns named otherwise (``{"3a": "PF01"}``).

    Returns
    -------
    SF6DResult
        Levels, state codes, MOST flags and utilities, with the input's index.

    Notes
    -----
    **Missing items.** A level is kept when the answered items fix it whatever the missing ones
    say (no pain on item 7 fixes PAIN at 1); otherwise it is missing, and a state with a
    missing level has no utility. Nothing is imputed; a respondent with an incomplete state
    drops out of complete-case analyses unless the caller imputes (e.g. multiple imputation of
    the items or utilities).

    The SF-6D is licensed by the University of Sheffield; see :mod:`evsynth.economics.sf6d`.

    Examples
    --------
    >>> row = {"3a": 1, "3b": 2, "3j": 3, "4c": 1, "5b": 2, "10": 4, "7": 4, "8": 3,
    ...        "9b": 5, "9f": 4, "9e": 3}
    >>> result = sf6d(pd.DataFrame([row]), "sf36", version=1)
    >>> result.states, round(float(result.utility[0]), 3)
    (['322432'], 0.697)
    """
    if instrument not in INSTRUMENTS:
        raise choice_error("instrument", instrument, INSTRUMENTS)
    if version not in VERSIONS:
        raise choice_error("version", version, [str(v) for v in VERSIONS])
    if sf12_most_vitality not in (4, 5):
        raise choice_error("sf12_most_vitality", sf12_most_vitality, ["4", "5"])
    frame = frame_of(data, "responses")
    needed = SF36_ITEMS if instrument == "sf36" else SF12_ITEMS
    columns = item_columns(frame, needed, items)
    values = _check_items(frame, columns, instrument, version)
    levels = sf36_levels(values, version) if instrument == "sf36" else sf12_levels(values, version)
    utility, most = sf6d_utility(levels, instrument, sf12_most_vitality=sf12_most_vitality)
    incomplete = int((~np.isfinite(utility)).sum())
    notes = (
        (
            f"{incomplete} of {utility.size} rows have missing items that leave the SF-6D state "
            "incomplete; their utility is missing (nothing is imputed).",
        )
        if incomplete
        else ()
    )
    options = {
        "instrument": instrument,
        "version": version,
        "sf12_most_vitality": sf12_most_vitality,
    }
    return SF6DResult(
        instrument=instrument,
        version=version,
        value_set=VALUE_SETS[instrument].name,
        sf12_most_vitality=sf12_most_vitality,
        index=frame.index,
        levels=levels,
        utility=utility,
        most=most,
        notes=notes,
        manifest=make_manifest("evsynth.economics.sf6d", options),
    )


# -- QALYs --------------------------------------------------------------------------------


def qaly_auc(
    data: pd.DataFrame,
    *,
    patient: str = "patient",
    time: str = "time",
    utility: str = "utility",
    time_unit: str = "months",
    discount_rate: float = 0.035,
    discounting: str = "annual",
) -> pd.DataFrame:
    """QALYs of each patient by area under the utility curve, discounted.

    Parameters
    ----------
    data : DataFrame
        Long form, one row per patient and assessment: ``patient``, ``time`` (from the start,
        in ``time_unit``) and ``utility`` (empty where unknown).
    time_unit : {"months", "years", "weeks", "days"}
    discount_rate : float
        Per year; 0.035 (NICE's reference case) by default, 0 for none.
    discounting : {"annual", "continuous"}
        Whole years completed (the first year undiscounted; default) or exact time; see
        :func:`evsynth.economics.qaly.discount_factors`.

    Returns
    -------
    DataFrame
        Indexed by patient (first-appearance order): ``qaly``, ``baseline_utility`` (at the
        earliest assessment time) and ``n_assessments``. Every patient is integrated over the
        union of assessment times; a patient without a utility at one of them gets ``nan``
        QALYs (complete case; nothing is interpolated or imputed).
    """
    if time_unit not in TIME_UNITS:
        raise choice_error("time_unit", time_unit, tuple(TIME_UNITS))
    if discounting not in DISCOUNTING:
        raise choice_error("discounting", discounting, DISCOUNTING)
    if not (np.isfinite(discount_rate) and 0.0 <= discount_rate < 1.0):
        raise EvsynthError(
            f"discount_rate={discount_rate!r} must be a yearly rate between 0 and 1",
            hint="NICE's reference case is 0.035",
        )
    frame = frame_of(data, "utilities")
    require(frame, [patient, time, utility], "QALYs by area under the curve")
    times = numbers(frame, time)
    negative = np.flatnonzero(times < 0)
    if negative.size:
        raise DataError(
            "time is negative",
            location=InputLocation(row=int(negative[0]) + 1, field=time),
            hint="Give times from the start of follow-up (baseline = 0)",
        )
    values = numbers(frame, utility, allow_missing=True)
    ids = frame[patient].astype(str).to_numpy()
    duplicate = np.flatnonzero(pd.Series(list(zip(ids, times, strict=True))).duplicated())
    if duplicate.size:
        row = int(duplicate[0])
        raise DataError(
            f"patient {ids[row]} has two rows at time {times[row]:g}",
            location=InputLocation(row=row + 1, field=time),
            hint="Give one utility per patient and assessment",
        )
    grid = np.unique(times)
    if grid.size < 2:
        raise DataError(
            "QALYs need at least two assessment times",
            location=InputLocation(field=time),
        )
    wide = (
        pd.DataFrame({"patient": ids, "time": times, "utility": values})
        .pivot(index="patient", columns="time", values="utility")
        .reindex(index=pd.unique(ids), columns=grid)
    )
    years = grid * TIME_UNITS[time_unit]
    factors = discount_factors(years, discount_rate, discounting)
    u = wide.to_numpy(dtype=np.float64)
    out = pd.DataFrame(
        {
            "qaly": auc_qalys(u, years, factors),
            "baseline_utility": u[:, 0],
            "n_assessments": np.isfinite(u).sum(axis=1),
        },
        index=wide.index,
    )
    out.index.name = patient
    return out


def adjust_for_baseline(
    data: pd.DataFrame,
    *,
    reference: str,
    arm: str = "arm",
    qaly: str = "qaly",
    baseline: str = "baseline_utility",
    level: float = 0.95,
) -> BaselineAdjustment:
    """Incremental QALYs adjusted for baseline utility (Manca, Hawkins & Sculpher 2005).

    Fits :math:`Q_i = \\sum_a \\alpha_a [A_i = a] + \\gamma u_{i0} + \\varepsilon_i` by OLS (with
    two arms, the paper's :math:`Q = \\alpha + \\beta T + \\gamma u_0`) and reports
    :math:`\\hat\\alpha_{ref} - \\hat\\alpha_c` for each comparator arm ``c``.

    Parameters
    ----------
    data : DataFrame
        One row per patient with ``arm``, ``qaly`` and ``baseline`` (complete cases).
    reference : str
        The arm evaluated; differences are reference minus comparator.
    """
    frame = frame_of(data, "patients")
    require(frame, [arm, qaly, baseline], "the baseline-utility regression")
    arms = labels(frame, arm)
    names = tuple(dict.fromkeys(arms))
    if reference not in names:
        raise choice_error("reference", reference, names)
    if len(names) < 2:
        raise DataError("the regression needs at least two arms", location=InputLocation(field=arm))
    codes = np.array([names.index(a) for a in arms], dtype=np.intp)
    q = numbers(frame, qaly)
    u0 = numbers(frame, baseline)
    fits = baseline_regression(q, u0, codes, names.index(reference), level=level)
    return BaselineAdjustment(
        reference=reference,
        comparators=tuple(names[int(f["comparator"])] for f in fits),
        estimate=np.array([f["estimate"] for f in fits]),
        se=np.array([f["se"] for f in fits]),
        ci_low=np.array([f["ci_low"] for f in fits]),
        ci_high=np.array([f["ci_high"] for f in fits]),
        pvalue=np.array([f["pvalue"] for f in fits]),
        df=int(fits[0]["df"]),
        slope=float(fits[0]["slope"]),
        unadjusted=np.array([f["unadjusted"] for f in fits]),
        level=level,
        manifest=make_manifest(
            "evsynth.economics.adjust_for_baseline", {"reference": reference, "level": level}
        ),
    )


# -- ICERs --------------------------------------------------------------------------------


def icers(
    data: pd.DataFrame,
    *,
    strategy: str = "strategy",
    cost: str = "cost",
    effect: str = "effect",
    effect_label: str = "QALYs",
) -> IcerResult:
    """Dominance, the efficient frontier and ICERs of several strategies' mean costs and effects.

    Parameters
    ----------
    data : DataFrame
        One row per strategy: ``strategy``, ``cost``, ``effect`` (means).

    Returns
    -------
    IcerResult
        Statuses ND (non-dominated), D (dominated), ED (extendedly dominated) and the ICER of
        each frontier strategy against the previous one; see :mod:`evsynth.economics.icer`.

    Examples
    --------
    >>> herc = pd.DataFrame({"strategy": ["UC", "A", "B", "C", "D", "E"],
    ...     "cost": [5000, 12000, 10000, 25000, 35000, 55000],
    ...     "effect": [1, 1.5, 2, 3, 4, 5]})
    >>> result = icers(herc)
    >>> dict(zip(result.strategies, result.status))
    {'UC': 'ND', 'A': 'D', 'B': 'ND', 'C': 'ED', 'D': 'ND', 'E': 'ND'}
    """
    frame = frame_of(data, "strategies")
    require(frame, [strategy, cost, effect], "ICERs")
    names = labels(frame, strategy)
    seen: dict[str, int] = {}
    for row, name in enumerate(names):
        if name in seen:
            raise DataError(
                f"strategy {name!r} appears twice (rows {seen[name] + 1} and {row + 1})",
                location=InputLocation(row=row + 1, field=strategy),
                hint="Give one row of mean cost and effect per strategy",
            )
        seen[name] = row
    c = numbers(frame, cost)
    e = numbers(frame, effect)
    f = efficient_frontier(c, e, tuple(names))
    return IcerResult(
        strategies=tuple(names),
        cost=c,
        effect=e,
        status=f.status,
        comparator=tuple(names[j] if j >= 0 else None for j in f.comparator),
        inc_cost=f.inc_cost,
        inc_effect=f.inc_effect,
        icer=f.icer,
        order=tuple(int(i) for i in f.order),
        notes=f.notes,
        manifest=make_manifest("evsynth.economics.icers", {}),
        effect_label=effect_label,
    )
