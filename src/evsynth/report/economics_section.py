"""A report section for one economic evaluation: a within-trial analysis or PSA draws.

It shows what a health technology assessment report shows for a cost-utility analysis: arm
means (trial), the incremental analysis with dominance (ND/D/ED) and ICERs, the increments
with their 95% intervals, incremental net benefit, the probability of cost-effectiveness and
the EVPI at each decision threshold, the cost-effectiveness plane, the acceptability curves
with their frontier and the EVPI curve, a sensitivity analysis where one was run, and a methods
paragraph that cites each method used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from evsynth.economics import CEAResult, IcerResult, TrialEvaluation
from evsynth.plots import figure_to_svg


def _money(value: float, currency: str) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    sign = "-" if value < 0 else ""
    # Whole amounts of 100 or more; pence below that (a PSA of small costs stays readable).
    digits = 0 if abs(value) >= 100 or float(value).is_integer() else 2
    return f"{sign}{currency}{abs(value):,.{digits}f}"


def _number(value: float, digits: int = 4) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _interval(low: float, high: float, fmt: Any) -> str:
    return f"{fmt(low)} to {fmt(high)}"


@dataclass(frozen=True, slots=True)
class EconomicsSection:
    """Everything the report shows for one economic evaluation (computed before rendering).

    ``trial`` is set for a within-trial analysis (``cea`` is then its bootstrap); for PSA
    draws only ``cea`` and ``icers`` are. ``sensitivity`` is the same trial scored another way
    (the SF-12 items within the SF-36), described by ``sensitivity_label``.
    """

    name: str
    title: str
    source: str | None
    cea: CEAResult
    icers: IcerResult
    trial: TrialEvaluation | None = None
    sensitivity: TrialEvaluation | None = None
    sensitivity_label: str | None = None
    description: str | None = None

    @property
    def currency(self) -> str:
        return self.cea.currency

    def money(self, value: float) -> str:
        return _money(value, self.currency)

    # -- tables ----------------------------------------------------------------------------
    def arms_table(self) -> list[list[str]]:
        """Trial arms: n, mean cost, mean QALYs, and adjusted mean QALYs."""
        trial = self.trial
        if trial is None:
            return []
        adjusted = trial.mean_effect if trial.adjusted else np.full(len(trial.arms), np.nan)
        return [
            [arm, str(n), self.money(float(c)), _number(float(q)), _number(float(qa))]
            for arm, n, c, q, qa in zip(
                trial.arms,
                trial.arm_sizes(),
                trial.mean_cost,
                trial.mean_effect_unadjusted,
                adjusted,
                strict=True,
            )
        ]

    def icer_table(self) -> list[list[str]]:
        """The incremental analysis: strategy, cost, QALYs, increments, ICER, status."""
        status = {"ND": "non-dominated", "D": "dominated", "ED": "extendedly dominated"}
        r = self.icers
        return [
            [
                r.strategies[i],
                self.money(float(r.cost[i])),
                _number(float(r.effect[i])),
                self.money(float(r.inc_cost[i])),
                _number(float(r.inc_effect[i])),
                self.money(float(r.icer[i])),
                status.get(r.status[i], r.status[i]),
            ]
            for i in r.order
        ]

    def _intervals(self) -> dict[tuple[str, str], tuple[float, float]]:
        """95% percentile intervals by (comparator, quantity), from :meth:`CEAResult.conf_int`."""
        records = self.cea.conf_int(0.95).to_dict(orient="records")
        return {
            (str(r["comparator"]), str(r["quantity"])): (float(r["ci_low"]), float(r["ci_high"]))
            for r in records
        }

    def increments_table(self) -> list[list[str]]:
        """Reference vs each comparator: incremental cost and QALYs with 95% intervals."""
        cea = self.cea
        ci = self._intervals()
        rows = []
        for m, comp in enumerate(cea.comparators):
            dc = ci[(comp, "inc_cost")]
            de = ci[(comp, "inc_effect")]
            icer = cea.icer[m]
            rows.append(
                [
                    f"{cea.reference} vs {comp}",
                    f"{self.money(cea.inc_cost[m])} ({_interval(*dc, self.money)})",
                    f"{_number(cea.inc_effect[m])} ({_interval(*de, _number)})",
                    self.money(icer) if math.isfinite(icer) else cea.quadrants[m],
                ]
            )
        return rows

    def thresholds_table(self) -> list[list[str]]:
        """At each threshold and comparator: INB (95% interval), P(cost-effective), EVPI."""
        cea = self.cea
        ci = self._intervals()
        rows = []
        for t, k in enumerate(cea.thresholds):
            for m, comp in enumerate(cea.comparators):
                inb = ci[(comp, f"inb_{k:g}")]
                rows.append(
                    [
                        self.money(float(k)),
                        comp,
                        f"{self.money(cea.inb[m, t])} ({_interval(*inb, self.money)})",
                        f"{cea.ceac[m, t]:.3f}",
                        cea.optimal[t],
                        self.money(cea.evpi[t]),
                    ]
                )
        return rows

    def sensitivity_table(self) -> list[list[str]]:
        """The main and the sensitivity analysis side by side, per comparator and threshold."""
        if self.sensitivity is None or self.trial is None:
            return []
        rows = []
        for label, evaluation in (
            ("Main analysis", self.trial),
            (self.sensitivity_label or "Sensitivity analysis", self.sensitivity),
        ):
            cea = evaluation.cea
            for m, comp in enumerate(cea.comparators):
                icer = cea.icer[m]
                probs = "; ".join(
                    f"{self.money(float(k))}: {cea.ceac[m, t]:.3f}"
                    for t, k in enumerate(cea.thresholds)
                )
                rows.append(
                    [
                        label,
                        f"{cea.reference} vs {comp}",
                        self.money(cea.inc_cost[m]),
                        _number(cea.inc_effect[m]),
                        self.money(icer) if math.isfinite(icer) else cea.quadrants[m],
                        probs,
                    ]
                )
        return rows

    def notes(self) -> list[str]:
        out = list(self.trial.notes) if self.trial is not None else []
        out += list(self.icers.notes)
        for m, comp in enumerate(self.cea.comparators):
            quadrant = self.cea.quadrants[m]
            if quadrant == "SW":
                out.append(
                    f"{self.cea.reference} costs less and gains fewer QALYs than {comp}: its ICER "
                    "is the saving per QALY lost, and it is cost-effective where that saving "
                    "exceeds the threshold."
                )
            elif quadrant in ("dominant", "dominated", "identical"):
                out.append(f"Against {comp}, {self.cea.reference} is {quadrant}: no ICER applies.")
        for k, a, b in self.cea.break_even:
            out.append(
                f"On the grid of thresholds the decision changes from {a} to {b} at "
                f"{self.money(k)} per QALY."
            )
        return out

    # -- figures ---------------------------------------------------------------------------
    def ce_plane_svg(self) -> str:
        return figure_to_svg(self.cea.plot_plane())

    def ceac_svg(self) -> str:
        return figure_to_svg(self.cea.plot_ceac())

    def evpi_svg(self) -> str:
        return figure_to_svg(self.cea.plot_evpi())

    def frontier_svg(self) -> str | None:
        """The strategies and the efficient frontier, when there are more than two."""
        if len(self.icers.strategies) <= 2:
            return None
        return figure_to_svg(self.icers.plot(currency=self.currency))

    # -- methods ---------------------------------------------------------------------------
    def _instruments(self) -> set[str]:
        used = set()
        for evaluation in (self.trial, self.sensitivity):
            if evaluation is not None:
                used.add(evaluation.instrument)
        return used

    def method_keys(self) -> list[str]:
        keys = []
        used = self._instruments()
        if "sf36" in used:
            keys.append("brazier2002")
        if "sf12" in used:
            keys.append("brazier2004")
        if self.trial is not None and self.trial.adjusted:
            keys.append("manca2005")
        if len(self.icers.strategies) > 2:
            keys.append("cantor1994")
        if self.cea.source == "bootstrap":
            keys.append("briggs1997")
        keys += ["vanhout1994", "fenwick2001", "claxton1999"]
        return keys

    def methods_parts(self) -> list[tuple[str, list[str]]]:
        """Methods sentences, each with the citation keys it rests on."""
        cea = self.cea
        parts: list[tuple[str, list[str]]] = []
        trial = self.trial
        if trial is not None:
            label = "SF-36" if trial.instrument == "sf36" else "SF-12"
            key = "brazier2002" if trial.instrument == "sf36" else "brazier2004"
            version = trial.utilities.version
            parts.append(
                (
                    f"Utilities were derived from {label} (version {version}) responses at each "
                    "assessment with the SF-6D and its UK value set (the SF-6D is licensed by "
                    "the University of Sheffield); a state left incomplete by missing items was "
                    "not scored.",
                    [key],
                )
            )
            times = ", ".join(f"{t:g}" for t in trial.times)
            discount = (
                f"discounted at {trial.discount_rate:.1%} a year"
                + (" from the second year" if trial.discounting == "annual" else " continuously")
                if trial.discount_rate > 0
                else "undiscounted"
            )
            parts.append(
                (
                    f"QALYs were the area under each patient's utility curve between assessments "
                    f"({times} {trial.time_unit}), {discount}; the analysis used complete cases "
                    f"({trial.n_included} of {len(trial.patients)} patients).",
                    [],
                )
            )
            if trial.adjusted:
                parts.append(
                    (
                        "Differences in mean QALYs were adjusted for baseline utility by "
                        "regression of QALYs on arm and baseline utility.",
                        ["manca2005"],
                    )
                )
        if len(self.icers.strategies) > 2:
            parts.append(
                (
                    "Strategies were ranked by cost; dominated and extendedly dominated "
                    "strategies were removed and ICERs computed along the efficient frontier.",
                    ["cantor1994"],
                )
            )
        if cea.source == "bootstrap":
            parts.append(
                (
                    f"Uncertainty was characterised by a non-parametric bootstrap ({cea.n_draws:,} "
                    "replicates, patients resampled within each arm with their costs and QALYs "
                    "kept together, seeded), giving percentile intervals and the "
                    "cost-effectiveness plane.",
                    ["briggs1997"],
                )
            )
        else:
            parts.append(
                (
                    f"Uncertainty was characterised by {cea.n_draws:,} probabilistic sensitivity "
                    "analysis draws.",
                    [],
                )
            )
        thresholds = " and ".join(self.money(float(k)) for k in cea.thresholds)
        parts.append(
            (
                f"Incremental net monetary benefit and the probability of cost-effectiveness were "
                f"computed at {thresholds} per QALY, with cost-effectiveness acceptability curves "
                "and their frontier over thresholds from "
                f"{self.money(float(cea.grid[0]))} to {self.money(float(cea.grid[-1]))}.",
                ["vanhout1994", "fenwick2001"],
            )
        )
        parts.append(
            (
                "The expected value of perfect information per patient was the mean of the "
                "maximum net benefit over draws minus the maximum expected net benefit.",
                ["claxton1999"],
            )
        )
        if self.sensitivity is not None:
            parts.append(
                (
                    f"Sensitivity analysis: {self.sensitivity_label or 'an alternative scoring'}.",
                    ["brazier2004"] if self.sensitivity.instrument == "sf12" else [],
                )
            )
        return parts

    def methods_text(self) -> str:
        return " ".join(text for text, _ in self.methods_parts())

    def to_json(self) -> dict[str, Any]:
        """Headline numbers for ``evsynth run --json``."""
        cea = self.cea.to_dict()
        out: dict[str, Any] = {
            "name": self.name,
            "icers": self.icers.to_dict()["strategies"],
            "reference": cea["reference"],
            "comparisons": cea["comparisons"],
            "thresholds": cea["thresholds"],
            "n_draws": cea["n_draws"],
            "source": cea["source"],
        }
        if self.trial is not None:
            out["n_patients"] = len(self.trial.patients)
            out["n_included"] = self.trial.n_included
            if self.trial.adjustment is not None:
                out["adjusted_inc_qaly"] = float(np.asarray(self.trial.adjustment.estimate)[0])
        if self.sensitivity is not None:
            out["sensitivity"] = {
                "label": self.sensitivity_label,
                "comparisons": self.sensitivity.cea.to_dict()["comparisons"],
                "thresholds": self.sensitivity.cea.to_dict()["thresholds"],
            }
        return out
