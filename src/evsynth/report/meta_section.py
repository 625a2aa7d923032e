"""A report section for one pairwise meta-analysis: numbers, figures, sensitivity and methods."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evsynth.plots import figure_to_svg
from evsynth.synthesis.meta import EggerResult, MetaResult
from evsynth.synthesis.meta.result import METHOD_LABELS, RATIO_MEASURES


@dataclass(frozen=True, slots=True)
class MetaSection:
    """Everything the report shows for one meta-analysis (computed before rendering)."""

    name: str
    title: str
    source: str | None
    outcome: str | None
    result: MetaResult
    leave_one_out: pd.DataFrame
    egger: EggerResult | None
    effect_label: str
    favours: tuple[str, str]

    def forest_svg(self) -> str:
        fig = self.result.plot(xlabel=self.effect_label, favours=self.favours, title=None)
        return figure_to_svg(fig)

    def funnel_svg(self) -> str:
        return figure_to_svg(self.result.funnel(xlabel=self.effect_label))

    def method_keys(self) -> list[str]:
        keys = ["metafor"]
        if self.result.measure == "SMD":
            keys.append("hedges1981")
        if self.result.method != "FE":
            keys.append(self.result.method)
            keys.append("qprofile")
        if self.result.test == "knha":
            keys.append("knha")
        keys += ["i2", "hts"]
        if self.egger is not None:
            keys.append("egger")
        return keys

    def methods_text(self) -> str:
        r = self.result
        model = METHOD_LABELS.get(r.method, r.method).lower()
        parts = [
            f"Effects ({r.measure}) were pooled with a {model} model"
            + (" and Knapp-Hartung adjusted t-tests and intervals" if r.test == "knha" else "")
            + f" at the {r.level:.0%} level."
        ]
        if r.method != "FE":
            parts.append(
                "Heterogeneity is summarised by tau², I² (metafor's definition, from tau² and the "
                "typical within-study variance) and H², with Q-profile confidence intervals; the "
                "prediction interval "
                + (
                    "uses the Higgins-Thompson-Spiegelhalter t(k-2) form."
                    if r.prediction == "hts"
                    else "follows metafor (the test's critical value); the Higgins-Thompson-"
                    "Spiegelhalter t(k-2) interval is given beside it."
                )
            )
        if r.lower_is_better:
            parts.append(
                "Lower scores mean improvement on this outcome, so effects were multiplied by -1: "
                "a positive effect favours the intervention."
            )
        parts.append(
            "Sensitivity was assessed by leaving out one study at a time; small-study effects by "
            "Egger's regression test (metafor's regtest, standard error as predictor)."
        )
        return " ".join(parts)

    def headline(self) -> list[tuple[str, str]]:
        r = self.result
        ratio = r.measure in RATIO_MEASURES

        def show(x: float) -> str:
            if x is None or not math.isfinite(x):
                return "—"
            return f"{math.exp(x):.2f}" if ratio else f"{x:.2f}"

        rows = [
            ("Studies (k)", str(r.k)),
            (
                "Pooled estimate (95% CI)"
                if r.level == 0.95
                else f"Pooled estimate ({r.level:.0%} CI)",
                f"{show(r.estimate)} ({show(r.ci_low)} to {show(r.ci_high)})",
            ),
            ("p-value", f"{r.pvalue:.3g}"),
        ]
        if r.method != "FE":
            rows.append(("Prediction interval", f"{show(r.pi_low)} to {show(r.pi_high)}"))
            rows.append(
                (
                    "HTS prediction interval (t, k-2)",
                    f"{show(r.pi_hts_low)} to {show(r.pi_hts_high)}",
                )
            )
            het = r.heterogeneity_ci
            tau2_ci = f" ({het.tau2[1]:.3g} to {het.tau2[2]:.3g})" if het else ""
            i2_ci = f" ({het.i2[1]:.1f}% to {het.i2[2]:.1f}%)" if het else ""
            rows.append(("tau² (Q-profile 95% CI)", f"{r.tau2:.3g}{tau2_ci}"))
            rows.append(("I² (95% CI)", f"{r.i2:.1f}%{i2_ci}"))
        rows.append(("Q (df, p)", f"{r.q:.2f} ({r.q_df}, {r.q_pvalue:.3g})"))
        if self.egger is not None:
            e = self.egger
            rows.append(("Egger test (statistic, p)", f"{e.statistic:.2f}, {e.pvalue:.3g}"))
        return rows

    def studies_table(self) -> list[list[str]]:
        sf = self.result.studies_frame()
        return [
            [str(s), f"{e:.3f}", f"{lo:.3f} to {hi:.3f}", f"{w:.1f}%"]
            for s, e, lo, hi, w in zip(
                sf["study"], sf["effect"], sf["ci_low"], sf["ci_high"], sf["weight"], strict=True
            )
        ]

    def loo_table(self) -> list[list[str]]:
        frame = self.leave_one_out
        return [
            [
                str(r.study),
                f"{r.estimate:.3f}",
                f"{r.ci_low:.3f} to {r.ci_high:.3f}",
                f"{r.tau2:.3g}",
                f"{r.i2:.1f}%",
            ]
            for r in frame.itertuples()
        ]


def influence_note(section: MetaSection) -> str:
    """One sentence on how much the pooled estimate moves when any single study is left out."""
    loo = section.leave_one_out
    if loo.empty:
        return ""
    shift = np.abs(loo["estimate"].to_numpy() - section.result.estimate)
    i = int(np.argmax(shift))
    return (
        f"Leaving out {loo['study'].iloc[i]} moves the estimate most, to "
        f"{loo['estimate'].iloc[i]:.3f} (a change of {shift[i]:.3f})."
    )
