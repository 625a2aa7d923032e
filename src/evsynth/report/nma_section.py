"""A report section for one network meta-analysis, or a grid of them by outcome and time point.

Each network is shown as netmeta users expect: the network graph (nodes by participants when
arm sizes are known, else by number of studies; lines by number of studies), a forest plot of
every treatment versus the reference with confidence and prediction intervals, the league table
as a heat map, P-scores, heterogeneity and inconsistency (decomposition of Q, the design-by-
treatment interaction model, node-splitting) and the sparse-network warnings of
:func:`evsynth.synthesis.nma.grid.network_warnings`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from evsynth.plots import (
    figure_to_svg,
    forest_plot,
    league_heatmap,
    network_graph,
    pscore_plot,
)
from evsynth.report import nma_bayes_view
from evsynth.synthesis.nma import NmaResult
from evsynth.synthesis.nma.grid import NmaGridResult, network_warnings
from evsynth.synthesis.nma.result import METHOD_LABELS, RATIO_MEASURES

_PI_COLOUR = "#BBBBBB"  # grey: prediction intervals behind the confidence intervals
_PI_WIDTH_PT = 5.0


def _fmt(x: float, digits: int = 2) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def _p(x: float) -> str:
    if x is None or not math.isfinite(x):
        return "—"
    return "<0.001" if x < 0.001 else f"{x:.3f}"


def _q(q: float, df: int | float, p: float) -> str:
    if not math.isfinite(df) or df < 1:
        return f"{_fmt(q)} (df = 0; not testable)"
    shown = _p(p)
    relation = f"< {shown[1:]}" if shown.startswith("<") else f"= {shown}"
    return f"{_fmt(q)} (df = {int(df)}, p {relation})"


@dataclass(frozen=True, slots=True)
class NetworkView:
    """One network as the report shows it; ``full`` adds the league table and P-score plot."""

    anchor: str
    heading: str | None
    result: NmaResult
    model: str
    effect_label: str
    participants: pd.Series | None
    warnings: tuple[str, ...]
    full: bool = True
    bayes: Any = None  # the Bayesian fit of the same network (bayes = true), shown beside

    # -- numbers shown on the report's scale (ratios for OR, RR, HR) -----------------------
    @property
    def ratio(self) -> bool:
        return self.result.measure in RATIO_MEASURES

    def _show(self, x: float) -> float:
        return math.exp(x) if self.ratio and math.isfinite(x) else x

    def _interval(self, low: float, high: float) -> str:
        if not (math.isfinite(low) and math.isfinite(high)):
            return "—"
        return f"{_fmt(self._show(low))} to {_fmt(self._show(high))}"

    @property
    def direction(self) -> bool | None:
        return self.result.higher_is_better

    def favours(self) -> tuple[str, str]:
        ref = self.result.reference
        if self.direction is False:
            return ("Favours treatment", f"Favours {ref}")
        return (f"Favours {ref}", "Favours treatment")

    def node_sizes(self) -> pd.Series | None:
        """Participants per treatment when every arm size is known, else None."""
        p = self.participants
        if p is None or p.isna().any():
            return None
        return p

    def studies_per_treatment(self) -> np.ndarray:
        net = self.result.network
        count = np.zeros(net.n)
        for arms in net.arms:
            count[list(arms)] += 1
        return count

    # -- figures ------------------------------------------------------------------------
    def graph_svg(self) -> str:
        r = self.result
        k = r.common.direct.k
        pairs = [(int(a), int(b)) for a, b in zip(*np.nonzero(np.triu(k > 0, 1)), strict=True)]
        participants = self.node_sizes()
        sizes = (
            participants.to_numpy(dtype=float)
            if participants is not None
            else self.studies_per_treatment()
        )
        multiarm = sorted(
            {tuple(r.treatments[t] for t in arms) for arms in r.network.arms if len(arms) > 2}
        )
        fig = network_graph(
            list(r.treatments),
            [(r.treatments[a], r.treatments[b]) for a, b in pairs],
            node_size=sizes,
            edge_width=[k[a, b] for a, b in pairs],
            edge_labels=[int(k[a, b]) for a, b in pairs],
            multiarm=multiarm or None,
        )
        return figure_to_svg(fig)

    def node_note(self) -> str:
        return "participants randomised" if self.node_sizes() is not None else "number of studies"

    def forest_figure(self) -> Figure:
        """Each treatment versus the reference: CI as a line, prediction interval as a grey bar."""
        r = self.result
        frame = r.to_frame(self.model)
        transform = np.exp if self.ratio else None
        values = frame[["estimate", "ci_low", "ci_high", "pi_low", "pi_high"]].to_numpy()
        shown = np.exp(values) if self.ratio else values
        finite = shown[np.isfinite(shown)]
        null = 1.0 if self.ratio else 0.0
        low, high = min(finite.min(), null), max(finite.max(), null)
        if self.ratio:
            xlim = (low / 1.15, high * 1.15)
        else:
            pad = 0.06 * (high - low or 1.0)
            xlim = (low - pad, high + pad)
        has_pi = bool(np.isfinite(frame["pi_low"]).any())
        note = (
            [
                f"Lines: {r.level:.0%} confidence intervals; grey bars: {r.level:.0%} prediction intervals"
            ]
            if has_pi
            else None
        )
        fig = forest_plot(
            frame["treatment"].tolist(),
            frame["estimate"].to_numpy(),
            frame["ci_low"].to_numpy(),
            frame["ci_high"].to_numpy(),
            xlabel=f"{self.effect_label} vs {r.reference}",
            transform=transform,
            favours=self.favours(),
            xlim=xlim,
            extra_rows=note,
            level=r.level,
        )
        if has_pi:
            ax = fig.axes[0]
            marks = next(c for c in ax.collections if c.get_label() == "_forest_studies")
            rows = np.asarray(marks.get_offsets())[:, 1]
            pi = (
                np.exp(frame[["pi_low", "pi_high"]].to_numpy())
                if self.ratio
                else frame[["pi_low", "pi_high"]].to_numpy()
            )
            keep = np.isfinite(pi).all(axis=1)
            ax.hlines(
                rows[keep],
                pi[keep, 0],
                pi[keep, 1],
                colors=_PI_COLOUR,
                linewidths=_PI_WIDTH_PT,
                zorder=1,
                label="_forest_prediction_bars",
            )
        return fig

    def forest_svg(self) -> str:
        return figure_to_svg(self.forest_figure())

    def _order(self) -> list[int]:
        """Treatments best first by P-score when a direction is known, else network order."""
        if self.direction is None:
            return list(range(self.result.n))
        scores = self.result.pscores(model=self.model).to_numpy()
        return [int(i) for i in np.argsort(-scores, kind="stable")]

    def league_svg(self) -> str:
        r = self.result
        est = r.estimates(self.model)
        low, high = est.conf_int()
        order = self._order()
        idx = np.ix_(order, order)
        fig = league_heatmap(
            [r.treatments[i] for i in order],
            est.estimate[idx],
            low[idx],
            high[idx],
            higher_is_better=self.direction is not False,
            transform=np.exp if self.ratio else None,
            level=r.level,
        )
        return figure_to_svg(fig)

    def pscore_svg(self) -> str | None:
        if self.direction is None:
            return None
        scores = self.result.pscores(model=self.model)
        better = "higher" if self.direction else "lower"
        fig = pscore_plot(
            list(scores.index), scores.to_numpy(), label=f"P-score ({better} effects better)"
        )
        return figure_to_svg(fig)

    # -- tables -------------------------------------------------------------------------
    def headline(self) -> list[tuple[str, str]]:
        r = self.result
        rows = [
            (
                "Network",
                f"{r.k} studies, {r.n} treatments, {r.d} designs, {r.m} pairwise contrasts",
            ),
        ]
        participants = self.node_sizes()
        if participants is not None:
            rows.append(("Participants", f"{participants.sum():,.0f}"))
        label = "Random effects" if self.model == "random" else "Common effect"
        rows += [
            ("Model", f"{label}; tau² by {METHOD_LABELS.get(r.method, r.method)}"),
            ("tau² (tau)", f"{r.tau2:.3g} ({r.tau:.3g})"),
            (
                "I² (95% CI)",
                f"{100 * r.i2:.1f}% ({100 * r.i2_ci_low:.1f}% to {100 * r.i2_ci_high:.1f}%)"
                if math.isfinite(r.i2)
                else "—",
            ),
            ("Q, total", _q(r.q, r.q_df, r.q_pvalue)),
            (
                "Q within designs (heterogeneity)",
                _q(r.q_heterogeneity, r.q_heterogeneity_df, r.q_heterogeneity_pvalue),
            ),
            (
                "Q between designs (inconsistency)",
                _q(r.q_inconsistency, r.q_inconsistency_df, r.q_inconsistency_pvalue),
            ),
            (
                "Design-by-treatment interaction (random effects)",
                _q(r.design.q_between_random, r.design.df_between, r.design.pvalue_between_random)
                + f"; tau² within designs {r.design.tau2_within:.3g}",
            ),
        ]
        return rows

    def estimates_table(self) -> list[list[str]]:
        r = self.result
        frame = r.to_frame(self.model)
        ref = r.treatments.index(r.reference)
        k = r.common.direct.k[:, ref]
        scores = r.pscores(model=self.model) if self.direction is not None else None
        est, lo, hi, plo, phi, p = (
            _column(frame, c)
            for c in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high", "pvalue")
        )
        out = []
        for i, name in enumerate(str(t) for t in frame["treatment"]):
            out.append(
                [
                    name,
                    f"{_fmt(self._show(est[i]))} ({self._interval(lo[i], hi[i])})",
                    self._interval(plo[i], phi[i]),
                    _p(p[i]),
                    _fmt(float(scores[name])) if scores is not None else "—",
                    str(int(k[r.treatments.index(name)])),
                ]
            )
        if scores is not None:
            out.append(
                [f"{r.reference} (reference)", "—", "—", "—", _fmt(float(scores[r.reference])), "—"]
            )
        return out

    def bayes_table(self) -> list[list[str]]:
        """Frequentist and Bayesian estimates per treatment, side by side (nma_bayes_view)."""
        if self.bayes is None:
            return []
        return nma_bayes_view.side_by_side_rows(self.result, self.model, self.bayes, self.ratio)

    def bayes_fit_table(self) -> list[list[str]]:
        """tau, fit (Q; residual deviance, pD, DIC), priors and engine, side by side."""
        if self.bayes is None:
            return []
        return nma_bayes_view.fit_rows(self.result, self.model, self.bayes)

    def decomposition_table(self) -> list[list[str]]:
        frame = self.result.design.to_frame()
        q, df, p = (_column(frame, c) for c in ("q", "df", "pvalue"))
        return [
            [str(part), _fmt(q[i]), str(int(df[i])), _p(p[i])]
            for i, part in enumerate(frame["part"])
        ]

    def designs_table(self) -> list[list[str]]:
        frame = self.result.design.designs_frame()
        q, df, p, dq, ddf, dp, studies = (
            _column(frame, c)
            for c in ("q", "df", "pvalue", "detach_q", "detach_df", "detach_pvalue", "studies")
        )
        out = []
        for i, design in enumerate(frame["design"]):
            detach = (
                _q(dq[i], ddf[i], dp[i])
                if math.isfinite(dq[i])
                else "— (removing it disconnects the network)"
            )
            within = _q(q[i], df[i], p[i]) if df[i] > 0 else "—"
            out.append([str(design), str(int(studies[i])), within, detach])
        return out

    def netsplit_table(self) -> list[list[str]]:
        frame = self.result.netsplit.to_frame(self.model)
        frame = frame[np.isfinite(frame["difference"])]
        c = {name: _column(frame, name) for name in _SPLIT_COLUMNS}
        out = []
        for i, comparison in enumerate(frame["comparison"]):
            direct = self._interval(c["direct_ci_low"][i], c["direct_ci_high"][i])
            indirect = self._interval(c["indirect_ci_low"][i], c["indirect_ci_high"][i])
            out.append(
                [
                    str(comparison).replace(":", " vs "),
                    str(int(c["k"][i])),
                    f"{c['prop_direct'][i]:.2f}",
                    _fmt(self._show(c["network"][i])),
                    f"{_fmt(self._show(c['direct'][i]))} ({direct})",
                    f"{_fmt(self._show(c['indirect'][i]))} ({indirect})",
                    _fmt(c["difference"][i]),
                    _p(c["pvalue"][i]),
                ]
            )
        return out


_SPLIT_COLUMNS = (
    "k",
    "prop_direct",
    "network",
    "direct",
    "direct_ci_low",
    "direct_ci_high",
    "indirect",
    "indirect_ci_low",
    "indirect_ci_high",
    "difference",
    "pvalue",
)


def _column(frame: pd.DataFrame, name: str) -> list[float]:
    """A numeric column as Python floats (NaN where missing)."""
    return [float(v) for v in pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)]


@dataclass(frozen=True, slots=True)
class NmaSection:
    """Everything the report shows for one ``[[analyses.nma]]`` entry (computed beforehand).

    Exactly one of ``result`` (one network) and ``grid`` (one network per outcome and time
    point) is given. ``arms`` holds participants per study and treatment of the one network,
    when known (:func:`evsynth.synthesis.nma.grid.arm_sizes`); a grid's cells carry their own.
    """

    name: str
    title: str
    source: str | None
    outcome: str | None
    effect_label: str
    model: str
    result: NmaResult | None = None
    grid: NmaGridResult | None = None
    arms: pd.DataFrame | None = None
    # bayes = true: the Bayesian fit of ``result``, or the Bayesian grid beside ``grid``.
    bayes: Any = None
    bayes_grid: Any = None

    def __post_init__(self) -> None:
        if (self.result is None) == (self.grid is None):
            raise ValueError("NmaSection needs exactly one of result and grid")

    @property
    def is_grid(self) -> bool:
        return self.grid is not None

    def views(self) -> list[NetworkView]:
        if self.result is not None:
            r = self.result
            warnings = tuple(m for _, m in network_warnings(r, arms=self.arms))
            participants = None
            if self.arms is not None:
                used = self.arms[self.arms["study"].isin(r.studies)]
                participants = used.groupby("treatment")["n"].sum(min_count=1)
                participants = participants.reindex(list(r.treatments))
            return [
                NetworkView(
                    self.name,
                    None,
                    r,
                    self.model,
                    self.effect_label,
                    participants,
                    warnings,
                    bayes=self.bayes,
                )
            ]
        assert self.grid is not None
        views = []
        for i, cell in enumerate(self.grid.cells):
            if cell.result is None:
                continue
            views.append(
                NetworkView(
                    f"{self.name}-{i + 1}",
                    f"{cell.outcome}, {cell.timepoint}",
                    cell.result,
                    self.model,
                    self.effect_label,
                    cell.participants,
                    tuple(w.message for w in cell.warnings),
                    full=False,
                    bayes=self._bayes_cell(cell.outcome, cell.timepoint),
                )
            )
        return views

    def _bayes_cell(self, outcome: str, timepoint: str) -> Any:
        if self.bayes_grid is None:
            return None
        return self.bayes_grid.cell(outcome, timepoint).result

    def bayes_results(self) -> list[Any]:
        """Every Bayesian fit in the section (one, or one per analysed cell)."""
        if self.bayes is not None:
            return [self.bayes]
        if self.bayes_grid is not None:
            return [c.result for c in self.bayes_grid.cells if c.result is not None]
        return []

    def bayes_grid_table(self) -> list[list[str]]:
        """One row per cell, frequentist and Bayesian (:func:`nma_bayes_view.grid_rows`)."""
        if self.grid is None or self.bayes_grid is None:
            return []
        return nma_bayes_view.grid_rows(self.grid, self.bayes_grid, self.model)

    def grid_table(self) -> list[list[str]]:
        """One row per cell: studies, treatments, tau², I², inconsistency p, best, warnings."""
        if self.grid is None:
            return []
        rows = []
        for cell in self.grid.cells:
            r = cell.result
            if r is None:
                rows.append(
                    [
                        cell.outcome,
                        cell.timepoint,
                        "—",
                        "—",
                        "—",
                        "—",
                        "—",
                        "—",
                        f"not analysed: {cell.error}",
                    ]
                )
                continue
            scores = r.pscores(model=self.model) if r.higher_is_better is not None else None
            best = str(scores.idxmax()) if scores is not None and r.n > 1 else "—"
            p = r.q_inconsistency_pvalue if r.q_inconsistency_df > 0 else math.nan
            rows.append(
                [
                    cell.outcome,
                    cell.timepoint,
                    str(r.k),
                    str(r.n),
                    f"{r.tau2:.3g}",
                    f"{100 * r.i2:.0f}%" if math.isfinite(r.i2) else "—",
                    _p(p),
                    best,
                    str(len(cell.warnings)) if cell.warnings else "",
                ]
            )
        return rows

    def method_keys(self) -> list[str]:
        results = (
            [self.result]
            if self.result is not None
            else [c.result for c in self.grid.cells if c.result is not None]
            if self.grid is not None
            else []
        )
        keys = ["netmeta", "rucker2012"]
        if any(r.network.multiarm for r in results):
            keys.append("rucker2014")
        methods = {r.method for r in results}
        if "DL" in methods:
            keys.append("jackson2012")
        if "REML" in methods:
            keys.append("REML")
        keys += ["i2", "hts", "krahn2013", "higgins2012", "dias2010", "konig2013"]
        if any(r.higher_is_better is not None for r in results):
            keys.append("rucker2015")
        keys += nma_bayes_view.method_keys(self.bayes_results())
        return keys

    def methods_text(self) -> str:
        first = self.result if self.result is not None else None
        if first is None and self.grid is not None:
            first = next((c.result for c in self.grid.cells if c.result is not None), None)
        if first is None:
            return "No network could be analysed."
        model = "random-effects" if self.model == "random" else "common-effect"
        tau = (
            "netmeta's generalised DerSimonian-Laird estimator"
            if first.method == "DL"
            else "restricted maximum likelihood in the contrast-based model (as metafor's rma.mv)"
        )
        parts = []
        if self.grid is not None:
            parts.append(
                f"A separate network meta-analysis was run for each of {len(self.grid.outcomes)} "
                f"outcomes at each of {len(self.grid.timepoints)} time points, each against "
                f"{self.grid.reference}; a network that could not be analysed is reported as "
                "such, and a disconnected network was restricted to the sub-network containing "
                "the reference."
            )
        parts += [
            f"Treatments were compared in a frequentist {model} network meta-analysis by the "
            "graph-theoretical method (multi-arm studies by the reduction of weights), with a "
            f"common heterogeneity variance tau² estimated by {tau}, as netmeta does; "
            f"confidence intervals are Wald intervals at the {first.level:.0%} level and "
            "prediction intervals use a t distribution on the degrees of freedom of Q.",
            "Heterogeneity is summarised by tau², I² with its interval and Q, which is "
            "decomposed into within-design heterogeneity and between-design inconsistency, with "
            "the design-by-treatment interaction model under random effects; local "
            "inconsistency was assessed by node-splitting through back-calculation of the "
            "indirect evidence.",
        ]
        if first.higher_is_better is not None:
            better = "higher" if first.higher_is_better else "lower"
            parts.append(
                f"Treatments were ranked by P-scores, with {better} effects taken as better."
            )
        parts.append(
            "Networks are flagged as sparse when they have fewer than two studies, a comparison "
            "rests on a single (small) study, a treatment is connected by one study only, or Q "
            "has no degrees of freedom for heterogeneity or inconsistency."
        )
        bayes = nma_bayes_view.methods_text(
            self.bayes_results(), self.model, grid=self.grid is not None
        )
        if bayes:
            parts.append(bayes)
        return " ".join(parts)

    def notes(self) -> list[str]:
        if self.result is not None:
            return list(self.result.notes)
        return list(self.grid.notes) if self.grid is not None else []
