"""Result objects of the economic evaluation: SF-6D utilities, baseline adjustment, ICERs.

Each is a frozen dataclass with ``summary()`` (a display table), ``to_frame()`` (a tidy
DataFrame) and, where there is one, ``plot(ax=None)`` returning a matplotlib figure. The
cost-effectiveness result with draws is :class:`evsynth.economics.cea.CEAResult`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from evsynth._core.errors import EvsynthError
from evsynth._core.provenance import Manifest
from evsynth._core.summary import Summary
from evsynth.economics.icer import STATUSES
from evsynth.economics.nmb import DEFAULT_THRESHOLDS, net_benefit
from evsynth.economics.sf6d import DIMENSIONS, state_codes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FloatArray = NDArray[np.float64]


def plain(value: Any) -> Any:
    """NumPy scalars to Python values, NaN to None (JSON-ready)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def money(value: float) -> str:
    """An amount for display tables: thousands separators, two decimals; empty for NaN."""
    return "" if not math.isfinite(value) else f"{value:,.2f}"


@dataclass(frozen=True, slots=True)
class SF6DResult:
    """SF-6D states and utilities of each respondent (row of the input, index kept).

    ``levels`` holds PF, RL, SF, PAIN, MH, VIT (1 = best) with ``nan`` where the answered items
    do not fix a level; ``utility`` is ``nan`` for an incomplete state (never scored from part
    of a state). ``most`` says whether the MOST term applied.
    """

    instrument: str
    version: int
    value_set: str
    sf12_most_vitality: int
    index: pd.Index
    levels: FloatArray
    utility: FloatArray
    most: NDArray[np.bool_]
    notes: tuple[str, ...] = ()
    manifest: Manifest | None = None

    @property
    def n(self) -> int:
        return int(self.utility.size)

    @property
    def n_complete(self) -> int:
        return int(np.isfinite(self.utility).sum())

    @property
    def states(self) -> list[str | None]:
        """Six-digit state codes, e.g. ``"322432"``; None for an incomplete state."""
        return state_codes(self.levels)

    def to_frame(self) -> pd.DataFrame:
        """One row per respondent: the six levels, ``state``, ``most`` and ``utility``."""
        frame = pd.DataFrame(
            {d: pd.array(self.levels[:, i], dtype="Float64") for i, d in enumerate(DIMENSIONS)},
            index=self.index,
        )
        for d in DIMENSIONS:
            frame[d] = frame[d].astype("Int64")
        frame["state"] = self.states
        frame["most"] = self.most
        frame["utility"] = self.utility
        return frame

    def summary(self) -> Summary:
        """Respondents, complete states and the distribution of utilities."""
        u = self.utility[np.isfinite(self.utility)]
        rows: list[list[object]] = [
            ["Respondents", float(self.n)],
            ["Complete SF-6D states", float(self.n_complete)],
        ]
        if u.size:
            rows += [
                ["Mean utility", float(u.mean())],
                ["SD", float(u.std(ddof=1)) if u.size > 1 else None],
                ["Minimum", float(u.min())],
                ["Maximum", float(u.max())],
                ["MOST term applied", float(self.most.sum())],
            ]
        label = "SF-36" if self.instrument == "sf36" else "SF-12"
        notes = [
            f"{label} version {self.version}; UK value set {self.value_set}"
            + (
                f"; MOST term from vitality level {self.sf12_most_vitality}"
                if self.instrument == "sf12"
                else ""
            ),
            "The SF-6D is licensed by the University of Sheffield.",
            *self.notes,
        ]
        return Summary(f"SF-6D utilities from the {label}", ["", "value"], rows, notes)

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


@dataclass(frozen=True, slots=True)
class BaselineAdjustment:
    """Incremental QALYs adjusted for baseline utility by regression (Manca et al. 2005).

    One entry per comparator: ``estimate`` is the reference arm's mean QALYs minus the
    comparator's at equal baseline utility, with its OLS ``se``, t-based interval and
    p-value; ``unadjusted`` is the plain difference in means and ``slope`` the coefficient of
    baseline utility.
    """

    reference: str
    comparators: tuple[str, ...]
    estimate: FloatArray
    se: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    pvalue: FloatArray
    df: int
    slope: float
    unadjusted: FloatArray
    level: float = 0.95
    manifest: Manifest | None = None

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """t-based interval of each adjusted difference at ``level``."""
        from scipy import stats

        crit = float(stats.t.ppf(0.5 + level / 2.0, self.df))
        return pd.DataFrame(
            {
                "comparator": list(self.comparators),
                "ci_low": self.estimate - crit * self.se,
                "ci_high": self.estimate + crit * self.se,
            }
        )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "reference": self.reference,
                "comparator": list(self.comparators),
                "estimate": self.estimate,
                "se": self.se,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "pvalue": self.pvalue,
                "unadjusted": self.unadjusted,
            }
        )

    def summary(self) -> Summary:
        rows = [
            [f"{self.reference} vs {c}", e, s, lo, hi, p, u]
            for c, e, s, lo, hi, p, u in zip(
                self.comparators,
                self.estimate,
                self.se,
                self.ci_low,
                self.ci_high,
                self.pvalue,
                self.unadjusted,
                strict=True,
            )
        ]
        return Summary(
            "Incremental QALYs adjusted for baseline utility (Manca et al. 2005)",
            ["", "estimate", "se", "ci_low", "ci_high", "pvalue", "unadjusted"],
            rows,
            [
                f"OLS of QALYs on arm and baseline utility; slope of baseline utility "
                f"{self.slope:.4f}; {self.level:.0%} t({self.df}) intervals."
            ],
        )

    def __str__(self) -> str:
        return self.summary().as_text()


@dataclass(frozen=True, slots=True)
class IcerResult:
    """An incremental analysis: statuses (ND, D, ED) and ICERs along the efficient frontier.

    Arrays follow ``strategies`` (input order). ``comparator`` is the previous frontier
    strategy each ICER is against (None for the first frontier strategy and for dominated
    ones); ``inc_cost``, ``inc_effect`` and ``icer`` are ``nan`` where there is no comparison.
    """

    strategies: tuple[str, ...]
    cost: FloatArray
    effect: FloatArray
    status: tuple[str, ...]
    comparator: tuple[str | None, ...]
    inc_cost: FloatArray
    inc_effect: FloatArray
    icer: FloatArray
    order: tuple[int, ...]
    notes: tuple[str, ...] = ()
    manifest: Manifest | None = None
    effect_label: str = "QALYs"

    @property
    def frontier(self) -> tuple[str, ...]:
        """Non-dominated strategies, cheapest first."""
        return tuple(self.strategies[i] for i in self.order if self.status[i] == "ND")

    def to_frame(self) -> pd.DataFrame:
        """One row per strategy, cheapest first: ``strategy, cost, effect, inc_cost,
        inc_effect, icer, status, comparator``."""
        rows = list(self.order)
        return pd.DataFrame(
            {
                "strategy": [self.strategies[i] for i in rows],
                "cost": self.cost[rows],
                "effect": self.effect[rows],
                "inc_cost": self.inc_cost[rows],
                "inc_effect": self.inc_effect[rows],
                "icer": self.icer[rows],
                "status": [self.status[i] for i in rows],
                "comparator": [self.comparator[i] for i in rows],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """What ``evsynth icers --json`` prints."""
        columns = ["strategy", "cost", "effect", "inc_cost", "inc_effect", "icer", "status"]
        frame = self.to_frame()
        out: dict[str, Any] = plain(
            {
                "strategies": [
                    {c: row[c] for c in columns} for row in frame.to_dict(orient="records")
                ],
                "frontier": list(self.frontier),
                "comparators": {
                    s: c for s, c in zip(frame["strategy"], frame["comparator"], strict=True)
                },
                "statuses": dict(STATUSES),
                "notes": list(self.notes),
            }
        )
        return out

    def net_benefit(
        self,
        thresholds: tuple[float, ...] | list[float] = DEFAULT_THRESHOLDS,
        *,
        reference: str | None = None,
    ) -> pd.DataFrame:
        """Net monetary benefit of every strategy at each threshold, and the optimal one.

        .. math::

            \\mathrm{NMB}_j(k) = k E_j - C_j,\\qquad
            \\mathrm{INB}_j(k) = \\mathrm{NMB}_j(k) - \\mathrm{NMB}_{ref}(k)

        ``reference`` defaults to the cheapest non-dominated strategy. Returns one row per
        threshold and strategy: ``threshold, strategy, nmb, inb, optimal``.
        """
        ref = reference if reference is not None else self.frontier[0]
        if ref not in self.strategies:
            raise EvsynthError(
                f"reference={ref!r} is not a strategy; choose one of {', '.join(self.strategies)}"
            )
        k = np.asarray(list(thresholds), dtype=np.float64)
        nmb = net_benefit(self.cost, self.effect, k)  # (J, K)
        inb = nmb - nmb[self.strategies.index(ref)]
        best = nmb.argmax(axis=0)
        rows = [
            {
                "threshold": float(k[t]),
                "strategy": self.strategies[j],
                "nmb": float(nmb[j, t]),
                "inb": float(inb[j, t]),
                "optimal": bool(best[t] == j),
            }
            for t in range(k.size)
            for j in self.order
        ]
        return pd.DataFrame(rows)

    def summary(self) -> Summary:
        rows: list[list[object]] = [
            [
                self.strategies[i],
                money(float(self.cost[i])),
                f"{self.effect[i]:.4f}",
                money(float(self.inc_cost[i])),
                "" if np.isnan(self.inc_effect[i]) else f"{self.inc_effect[i]:.4f}",
                money(float(self.icer[i])),
                self.status[i],
            ]
            for i in self.order
        ]
        notes = [
            "Status: ND non-dominated (efficient frontier), D dominated, ED extendedly "
            "dominated; each ICER is against the previous strategy on the frontier.",
            *self.notes,
        ]
        return Summary(
            "Incremental cost-effectiveness",
            ["strategy", "cost", "effect", "inc_cost", "inc_effect", "icer", "status"],
            rows,
            notes,
        )

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Figure:
        """Strategies on the cost-effectiveness plane with the efficient frontier."""
        from evsynth.plots.ce_plane import ce_frontier_plot

        kwargs.setdefault("effect_label", self.effect_label)
        return ce_frontier_plot(
            list(self.strategies), self.cost, self.effect, list(self.status), ax=ax, **kwargs
        )

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()
