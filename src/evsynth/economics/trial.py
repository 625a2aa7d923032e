"""A within-trial cost-utility analysis from patient-level SF-36/SF-12 responses and costs.

:func:`within_trial_evaluation` runs the steps a trial-based evaluation takes (Ramsey et al.'s
ISPOR good-practice report describes them; each step is one evsynth function):

1. SF-6D utilities at every assessment (:func:`evsynth.economics.api.sf6d`);
2. QALYs per patient by area under the curve, discounted (:func:`~evsynth.economics.api.qaly_auc`);
3. complete cases: patients with a utility at every assessment and a cost (the count left out
   is reported; nothing is imputed);
4. incremental QALYs adjusted for baseline utility (Manca, Hawkins & Sculpher 2005);
5. the incremental analysis of mean costs and (adjusted) mean QALYs per arm
   (:func:`~evsynth.economics.api.icers`);
6. the stratified, paired bootstrap and the CE plane, CEAC, CEAF and EVPI
   (:func:`~evsynth.economics.api.bootstrap_trial`).

Costs are taken as given (per-patient totals over follow-up, already discounted where
follow-up runs past a year).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from evsynth._core.errors import DataError, InputLocation, choice_error
from evsynth._core.provenance import Manifest, make_manifest
from evsynth._core.rng import RNGLike
from evsynth._core.summary import Summary
from evsynth.economics._checks import frame_of, labels, manifest_seed, numbers, require
from evsynth.economics.api import adjust_for_baseline, icers, qaly_auc, sf6d
from evsynth.economics.cea import CEAResult, bootstrap_trial
from evsynth.economics.nmb import DEFAULT_THRESHOLDS
from evsynth.economics.result import BaselineAdjustment, IcerResult, SF6DResult

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


@dataclass(frozen=True, slots=True)
class TrialEvaluation:
    """A within-trial cost-utility analysis: utilities, QALYs, ICERs and their uncertainty.

    ``patients`` has one row per patient (index: patient id) with ``arm, cost, qaly,
    baseline_utility, included``; ``mean_effect`` holds each arm's mean QALYs (adjusted for
    baseline utility when ``adjusted``), the effects used by ``icers`` and ``cea``.
    """

    arms: tuple[str, ...]
    reference: str
    instrument: str
    utilities: SF6DResult
    patients: pd.DataFrame
    mean_cost: np.ndarray
    mean_effect: np.ndarray
    mean_effect_unadjusted: np.ndarray
    adjustment: BaselineAdjustment | None
    icers: IcerResult
    cea: CEAResult
    discount_rate: float
    discounting: str
    times: tuple[float, ...]
    time_unit: str
    notes: tuple[str, ...] = ()
    manifest: Manifest | None = None

    @property
    def adjusted(self) -> bool:
        return self.adjustment is not None

    @property
    def n_included(self) -> int:
        return int(self.patients["included"].sum())

    def arm_sizes(self) -> list[int]:
        """Patients analysed (complete cases) in each arm, in ``arms`` order."""
        included = self.patients[self.patients["included"]]
        return [int((included["arm"] == a).sum()) for a in self.arms]

    def toframe_of(self) -> pd.DataFrame:
        """One row per arm: ``arm, n, mean_cost, mean_qaly, mean_qaly_adjusted``."""
        return pd.DataFrame(
            {
                "arm": list(self.arms),
                "n": self.arm_sizes(),
                "mean_cost": self.mean_cost,
                "mean_qaly": self.mean_effect_unadjusted,
                "mean_qaly_adjusted": self.mean_effect if self.adjusted else np.nan,
            }
        )

    def summary(self) -> Summary:
        """Arm means, then the increments, ICER and probability of cost-effectiveness."""
        counts = self.arm_sizes()
        adjusted = self.mean_effect if self.adjusted else np.full(len(self.arms), np.nan)
        rows: list[list[object]] = [
            [arm, float(n), float(c), float(q), float(qa)]
            for arm, n, c, q, qa in zip(
                self.arms,
                counts,
                self.mean_cost,
                self.mean_effect_unadjusted,
                adjusted,
                strict=True,
            )
        ]
        cea = self.cea
        notes = []
        for m, comp in enumerate(cea.comparators):
            icer = cea.icer[m]
            shown = f"{icer:,.0f} per QALY" if np.isfinite(icer) else cea.quadrants[m]
            probs = "; ".join(
                f"P(cost-effective at {k:,.0f}) = {cea.ceac[m, t]:.3f}"
                for t, k in enumerate(cea.thresholds)
            )
            notes.append(
                f"{self.reference} vs {comp}: incremental cost {cea.inc_cost[m]:,.2f}, "
                f"incremental QALYs {cea.inc_effect[m]:.4f}, ICER {shown}; {probs}"
            )
        notes.extend(self.notes)
        return Summary(
            "Within-trial cost-utility analysis",
            ["arm", "n", "mean_cost", "mean_qaly", "mean_qaly_adjusted"],
            rows,
            notes,
        )

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Figure:
        """The cost-effectiveness plane of the bootstrap replicates."""
        return self.cea.plot_plane(ax=ax, **kwargs)

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _arm_of_patient(frame: pd.DataFrame, patient: str, arm: str) -> pd.Series:
    ids = frame[patient].astype(str).to_numpy()
    arms = pd.Series(labels(frame, arm), index=frame.index)
    first = arms.groupby(ids, sort=False).transform("first")
    differs = np.flatnonzero((arms != first).to_numpy())
    if differs.size:
        row = int(differs[0])
        raise DataError(
            f"patient {ids[row]} is in more than one arm ({first.iloc[row]} and {arms.iloc[row]})",
            location=InputLocation(row=row + 1, field=arm),
            hint="Each patient belongs to one randomised arm",
        )
    return arms.groupby(ids, sort=False).first()


@contextmanager
def _in(source: str) -> Iterator[None]:
    """Say which input (``responses`` or ``costs``) a DataError's row and column belong to."""
    try:
        yield
    except DataError as exc:
        loc = exc.location or InputLocation()
        if loc.file:
            raise
        where = InputLocation(file=source, line=loc.line, row=loc.row, field=loc.field)
        raise DataError(exc.message, location=where, hint=exc.hint) from None


def _costs(
    cost_frame: pd.DataFrame, patient: str, arm: str, cost: str, arms_by_patient: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Each patient's cost (``nan`` where blank), checked: one row per patient, same arm."""
    cost_ids = cost_frame[patient].astype(str)
    dup = np.flatnonzero(cost_ids.duplicated().to_numpy())
    if dup.size:
        raise DataError(
            f"patient {cost_ids.iloc[int(dup[0])]} has two cost rows",
            location=InputLocation(row=int(dup[0]) + 1, field=patient),
            hint="Give one total cost per patient",
        )
    cost_values = pd.Series(
        numbers(cost_frame, cost, allow_missing=True), index=cost_ids.to_numpy()
    )
    if arm in cost_frame.columns:
        cost_arms = pd.Series(labels(cost_frame, arm), index=cost_ids.to_numpy())
        known = cost_arms.index.intersection(arms_by_patient.index)
        differs = known[cost_arms[known].to_numpy() != arms_by_patient[known].to_numpy()]
        if len(differs):
            row = int(np.flatnonzero(cost_ids.to_numpy() == differs[0])[0])
            raise DataError(
                f"patient {differs[0]} is in arm {cost_arms[differs[0]]} in the costs but "
                f"{arms_by_patient[differs[0]]} in the responses",
                location=InputLocation(row=row + 1, field=arm),
            )
    return cost_values, cost_ids


def within_trial_evaluation(
    responses: pd.DataFrame,
    costs: pd.DataFrame,
    *,
    reference: str,
    instrument: str = "sf36",
    version: int = 1,
    sf12_most_vitality: int = 4,
    patient: str = "patient",
    arm: str = "arm",
    time: str = "time",
    time_unit: str = "months",
    cost: str = "cost",
    discount_rate: float = 0.035,
    discounting: str = "annual",
    adjust_baseline: bool = True,
    n_boot: int = 10000,
    rng: RNGLike = None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    grid: Sequence[float] | None = None,
    currency: str = "£",
) -> TrialEvaluation:
    """SF-6D, QALYs, baseline adjustment, ICERs and bootstrap CEA of a trial, in one call.

    Parameters
    ----------
    responses : DataFrame
        Long form, one row per patient and assessment: ``patient``, ``arm``, ``time`` (from
        randomisation, in ``time_unit``) and the item columns of ``instrument`` (see
        :func:`evsynth.economics.api.sf6d`).
    costs : DataFrame
        One row per patient: ``patient`` and ``cost`` (total over follow-up); an ``arm`` column,
        if present, must agree with the responses.
    reference : str
        The arm evaluated (e.g. the intervention); increments are reference minus comparator.
    adjust_baseline : bool
        Adjust incremental QALYs for baseline utility (Manca et al. 2005); default True.
    n_boot, rng
        Bootstrap replicates and seed.

    Other parameters are those of :func:`~evsynth.economics.api.sf6d`,
    :func:`~evsynth.economics.api.qaly_auc` and :func:`~evsynth.economics.api.bootstrap_trial`.
    """
    with _in("responses"):
        resp = frame_of(responses, "responses")
        require(resp, [patient, arm, time], "trial responses")
        arms_by_patient = _arm_of_patient(resp, patient, arm)
    with _in("costs"):
        cost_frame = frame_of(costs, "costs")
        require(cost_frame, [patient, cost], "trial costs")
    arms = tuple(dict.fromkeys(arms_by_patient.tolist()))
    if reference not in arms:
        raise choice_error("reference", reference, arms)
    with _in("responses"):
        utilities = sf6d(resp, instrument, version=version, sf12_most_vitality=sf12_most_vitality)
    # The responses' own column names, so that an error names the user's column and row.
    long = pd.DataFrame(
        {
            patient: resp[patient].astype(str).to_numpy(),
            time: resp[time].to_numpy(),
            "sf6d_utility": utilities.utility,
        }
    )
    with _in("responses"):
        qalys = qaly_auc(
            long,
            patient=patient,
            time=time,
            utility="sf6d_utility",
            time_unit=time_unit,
            discount_rate=discount_rate,
            discounting=discounting,
        )
    with _in("costs"):
        cost_values, cost_ids = _costs(cost_frame, patient, arm, cost, arms_by_patient)

    patients = pd.DataFrame(
        {
            "arm": arms_by_patient.reindex(qalys.index).to_numpy(),
            "cost": cost_values.reindex(qalys.index).to_numpy(dtype=np.float64),
            "qaly": qalys["qaly"].to_numpy(),
            "baseline_utility": qalys["baseline_utility"].to_numpy(),
        },
        index=qalys.index,
    )
    values = patients[["cost", "qaly", "baseline_utility"]].to_numpy(dtype=np.float64)
    patients["included"] = np.isfinite(values).all(axis=1)
    notes: list[str] = []
    missing_qaly = int((~np.isfinite(patients["qaly"])).sum())
    missing_cost = int((~np.isfinite(patients["cost"])).sum())
    excluded = int((~patients["included"]).sum())
    if excluded:
        notes.append(
            f"Complete-case analysis: {excluded} of {len(patients)} patients left out "
            f"({missing_qaly} without a utility at every assessment, {missing_cost} without a "
            "cost); nothing was imputed."
        )
    extra = sorted(set(cost_ids) - set(qalys.index))
    if extra:
        notes.append(
            f"{len(extra)} patient(s) in the costs have no responses and are left out "
            f"(first: {extra[0]})."
        )
    complete = patients[patients["included"]].reset_index()
    for name in arms:
        if int((complete["arm"] == name).sum()) < 2:
            raise DataError(
                f"arm {name} has fewer than two complete patients",
                location=InputLocation(field=arm),
                hint="Check the responses and costs of that arm",
            )
    codes = np.array([arms.index(a) for a in complete["arm"]], dtype=np.intp)
    q = complete["qaly"].to_numpy(dtype=np.float64)
    mean_unadjusted = np.array([q[codes == a].mean() for a in range(len(arms))])
    adjustment = (
        adjust_for_baseline(complete, reference=reference, arm="arm") if adjust_baseline else None
    )
    cea = bootstrap_trial(
        complete,
        reference=reference,
        arm="arm",
        cost="cost",
        effect="qaly",
        baseline="baseline_utility" if adjust_baseline else None,
        n_boot=n_boot,
        rng=rng,
        thresholds=thresholds,
        grid=grid,
        currency=currency,
    )
    # The point estimates are the sample's (adjusted) arm means, as the bootstrap reports them.
    order = [cea.strategies.index(a) for a in arms]
    mean_cost, mean_effect = cea.mean_cost[order], cea.mean_effect[order]
    summary_icers = icers(
        pd.DataFrame({"strategy": list(arms), "cost": mean_cost, "effect": mean_effect})
    )
    options = {
        "reference": reference,
        "instrument": instrument,
        "version": version,
        "sf12_most_vitality": sf12_most_vitality,
        "time_unit": time_unit,
        "discount_rate": discount_rate,
        "discounting": discounting,
        "adjust_baseline": adjust_baseline,
        "n_boot": int(n_boot),
        "thresholds": [float(k) for k in thresholds],
    }
    return TrialEvaluation(
        arms=arms,
        reference=reference,
        instrument=instrument,
        utilities=utilities,
        patients=patients,
        mean_cost=mean_cost,
        mean_effect=np.asarray(mean_effect, dtype=np.float64),
        mean_effect_unadjusted=mean_unadjusted,
        adjustment=adjustment,
        icers=summary_icers,
        cea=cea,
        discount_rate=discount_rate,
        discounting=discounting,
        times=tuple(float(t) for t in np.unique(long[time].to_numpy(dtype=np.float64))),
        time_unit=time_unit,
        notes=tuple(notes) + utilities.notes,
        manifest=make_manifest(
            "evsynth.economics.within_trial_evaluation", options, seed=manifest_seed(rng)
        ),
    )
