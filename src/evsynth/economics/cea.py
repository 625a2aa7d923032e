"""Cost-effectiveness under uncertainty: :func:`cost_effectiveness`, :func:`bootstrap_trial`
and the result object they build from draws of costs and effects.

:func:`cost_effectiveness` reads long-form PSA draws; :func:`bootstrap_trial` makes draws by
resampling a trial's patients (:mod:`evsynth.economics.bootstrap`). Both call
:func:`cea_from_draws`, which takes draws (PSA draws, or bootstrap replicates of a trial's arm means)
as ``(S, J)`` arrays and computes, for one strategy (the ``reference``, BCEA's ``ref``: the
strategy being evaluated) against every other strategy:

* the mean increments :math:`\\Delta C = \\bar C_{ref} - \\bar C_j`, :math:`\\Delta E`, the ICER
  :math:`\\Delta C / \\Delta E` and its quadrant (:func:`evsynth.economics.icer.quadrant`);
* at each decision threshold: the expected incremental net benefit
  :math:`k\\,\\Delta E - \\Delta C`, the probability that the reference is cost-effective
  against that comparator (pairwise CEAC), the probability that each strategy has the highest
  net benefit (multi-strategy CEAC), the optimal strategy and the EVPI
  (:mod:`evsynth.economics.psa`);
* the same curves over a threshold grid (default 0 to 50,000 in steps of 100, BCEA's default
  grid) for the figures, and the break-even thresholds on that grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from evsynth._core.errors import DataError, EvsynthError, InputLocation, choice_error
from evsynth._core.provenance import Manifest, make_manifest
from evsynth._core.rng import RNGLike, as_generator
from evsynth._core.summary import Summary
from evsynth.economics._checks import (
    draws_to_arrays,
    frame_of,
    labels,
    manifest_seed,
    numbers,
    require,
    thresholds_of,
)
from evsynth.economics.bootstrap import bootstrap_arm_means, percentile_interval
from evsynth.economics.icer import pairwise_icer, quadrant
from evsynth.economics.nmb import DEFAULT_THRESHOLDS, incremental_net_benefit
from evsynth.economics.psa import break_even, decision_curves, pairwise_ceac
from evsynth.economics.qaly import ancova_means
from evsynth.economics.result import money, plain

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FloatArray = NDArray[np.float64]

GRID_STEPS = 500  # 501 grid points: 0 to 50,000 in steps of 100 by default


def default_grid(thresholds: FloatArray) -> FloatArray:
    """0 to 50,000 in 500 steps of 100 (BCEA's grid); to twice the largest threshold if that
    exceeds 50,000."""
    largest = float(np.max(thresholds)) if thresholds.size else 0.0
    upper = 50000.0 if largest <= 50000.0 else 2.0 * largest
    return np.linspace(0.0, upper, GRID_STEPS + 1)


@dataclass(frozen=True, slots=True)
class CEAResult:
    """Cost-effectiveness of ``reference`` against each comparator, with its uncertainty.

    Arrays over comparators (M = J - 1) follow ``comparators``; over strategies, ``strategies``;
    over thresholds, ``thresholds`` (the decision thresholds) or ``grid`` (the curves).
    Increments are reference minus comparator. ``source`` is ``"psa"`` or ``"bootstrap"``.
    ``mean_cost`` and ``mean_effect`` are the point estimates: the means of the PSA draws, or
    for a bootstrap the trial sample's (baseline-adjusted) means; the ICER and INB use them,
    the CEACs, CEAF and EVPI use the draws.
    """

    strategies: tuple[str, ...]
    reference: str
    comparators: tuple[str, ...]
    cost_draws: FloatArray  # (S, J)
    effect_draws: FloatArray  # (S, J)
    mean_cost: FloatArray  # (J,)
    mean_effect: FloatArray  # (J,)
    inc_cost: FloatArray  # (M,)
    inc_effect: FloatArray  # (M,)
    icer: FloatArray  # (M,)
    quadrants: tuple[str, ...]  # (M,)
    thresholds: FloatArray  # (T,)
    inb: FloatArray  # (M, T)
    ceac: FloatArray  # (M, T) P(reference cost-effective vs comparator)
    p_optimal: FloatArray  # (J, T)
    optimal: tuple[str, ...]  # (T,)
    evpi: FloatArray  # (T,)
    grid: FloatArray  # (K,)
    grid_ceac: FloatArray  # (M, K)
    grid_p_optimal: FloatArray  # (J, K)
    grid_optimal: NDArray[np.intp]  # (K,)
    grid_ceaf: FloatArray  # (K,)
    grid_evpi: FloatArray  # (K,)
    break_even: tuple[tuple[float, str, str], ...]
    source: str = "psa"
    effect_label: str = "QALYs"
    currency: str = "£"
    notes: tuple[str, ...] = ()
    manifest: Manifest | None = None

    @property
    def n_draws(self) -> int:
        return int(self.cost_draws.shape[0])

    def _index(self, strategy: str) -> int:
        return self.strategies.index(strategy)

    @property
    def inc_cost_draws(self) -> FloatArray:
        """(S, M) draws of reference minus each comparator's cost."""
        ref = self._index(self.reference)
        cols = [self._index(c) for c in self.comparators]
        return np.asarray(self.cost_draws[:, [ref]] - self.cost_draws[:, cols], dtype=np.float64)

    @property
    def inc_effect_draws(self) -> FloatArray:
        ref = self._index(self.reference)
        cols = [self._index(c) for c in self.comparators]
        return np.asarray(
            self.effect_draws[:, [ref]] - self.effect_draws[:, cols], dtype=np.float64
        )

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Percentile intervals of the increments and of the INB at each decision threshold.

        For bootstrap draws these are Briggs, Wonderling & Mooney's (1997) percentile intervals;
        for PSA draws, credible intervals. One row per comparator and quantity.
        """
        dc, de = self.inc_cost_draws, self.inc_effect_draws
        rows: list[dict[str, Any]] = []
        for m, comp in enumerate(self.comparators):
            quantities = {"inc_cost": dc[:, m], "inc_effect": de[:, m]}
            for k in self.thresholds:
                quantities[f"inb_{k:g}"] = k * de[:, m] - dc[:, m]
            for name, values in quantities.items():
                low, high = percentile_interval(values[:, None], level)
                rows.append(
                    {
                        "comparator": comp,
                        "quantity": name,
                        "estimate": float(values.mean()),
                        "ci_low": float(low[0]),
                        "ci_high": float(high[0]),
                    }
                )
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per decision threshold and comparator: ``threshold, comparator, inc_cost,
        inc_effect, icer, quadrant, inb, ceac, p_optimal_reference, optimal, evpi``."""
        ref = self._index(self.reference)
        rows = []
        for t, k in enumerate(self.thresholds):
            for m, comp in enumerate(self.comparators):
                rows.append(
                    {
                        "threshold": float(k),
                        "comparator": comp,
                        "inc_cost": float(self.inc_cost[m]),
                        "inc_effect": float(self.inc_effect[m]),
                        "icer": float(self.icer[m]),
                        "quadrant": self.quadrants[m],
                        "inb": float(self.inb[m, t]),
                        "ceac": float(self.ceac[m, t]),
                        "p_optimal_reference": float(self.p_optimal[ref, t]),
                        "optimal": self.optimal[t],
                        "evpi": float(self.evpi[t]),
                    }
                )
        return pd.DataFrame(rows)

    def curves_frame(self) -> pd.DataFrame:
        """The curves over the grid: ``threshold``, ``p_<strategy>`` (CEACs), ``ceaf``,
        ``optimal``, ``evpi`` and ``ceac_vs_<comparator>``."""
        data: dict[str, Any] = {"threshold": self.grid}
        for j, s in enumerate(self.strategies):
            data[f"p_{s}"] = self.grid_p_optimal[j]
        data["ceaf"] = self.grid_ceaf
        data["optimal"] = [self.strategies[j] for j in self.grid_optimal]
        data["evpi"] = self.grid_evpi
        for m, c in enumerate(self.comparators):
            data[f"ceac_vs_{c}"] = self.grid_ceac[m]
        return pd.DataFrame(data)

    def to_dict(self) -> dict[str, Any]:
        """What ``evsynth cea --json`` prints."""
        out: dict[str, Any] = plain(
            {
                "reference": self.reference,
                "comparators": list(self.comparators),
                "strategies": [
                    {"strategy": s, "mean_cost": float(c), "mean_effect": float(e)}
                    for s, c, e in zip(
                        self.strategies, self.mean_cost, self.mean_effect, strict=True
                    )
                ],
                "n_draws": self.n_draws,
                "source": self.source,
                "comparisons": [
                    {
                        "comparator": c,
                        "inc_cost": float(self.inc_cost[m]),
                        "inc_effect": float(self.inc_effect[m]),
                        "icer": float(self.icer[m]),
                        "quadrant": self.quadrants[m],
                    }
                    for m, c in enumerate(self.comparators)
                ],
                "thresholds": [
                    {
                        "threshold": float(k),
                        "inb": {c: float(self.inb[m, t]) for m, c in enumerate(self.comparators)},
                        "ceac": {c: float(self.ceac[m, t]) for m, c in enumerate(self.comparators)},
                        "p_optimal": {
                            s: float(self.p_optimal[j, t]) for j, s in enumerate(self.strategies)
                        },
                        "optimal": self.optimal[t],
                        "evpi": float(self.evpi[t]),
                    }
                    for t, k in enumerate(self.thresholds)
                ],
                "break_even": [{"threshold": k, "from": a, "to": b} for k, a, b in self.break_even],
                "grid": {
                    "from": float(self.grid[0]),
                    "to": float(self.grid[-1]),
                    "points": int(self.grid.size),
                },
                "notes": list(self.notes),
            }
        )
        return out

    def summary(self) -> Summary:
        """ICER, INB, probability of cost-effectiveness and EVPI at each decision threshold."""
        rows: list[list[object]] = []
        for t, k in enumerate(self.thresholds):
            for m, comp in enumerate(self.comparators):
                rows.append(
                    [
                        f"{k:,.0f}",
                        comp,
                        money(self.icer[m]) if np.isfinite(self.icer[m]) else self.quadrants[m],
                        money(self.inb[m, t]),
                        f"{self.ceac[m, t]:.3f}",
                        money(self.evpi[t]),
                    ]
                )
        notes = [
            f"{self.reference} against each comparator (reference minus comparator); "
            f"{self.n_draws} {'bootstrap replicates' if self.source == 'bootstrap' else 'PSA draws'}.",
        ]
        for s, c, e in zip(self.strategies, self.mean_cost, self.mean_effect, strict=True):
            notes.append(f"{s}: mean cost {c:,.2f}, mean {self.effect_label} {e:.4f}")
        for m, comp in enumerate(self.comparators):
            if self.quadrants[m] != "NE":
                notes.append(f"Against {comp}: {self.reference} is {self.quadrants[m]}.")
        if len(self.strategies) > 2:
            for t, k in enumerate(self.thresholds):
                probs = ", ".join(
                    f"{s} {self.p_optimal[j, t]:.3f}" for j, s in enumerate(self.strategies)
                )
                notes.append(f"P(highest net benefit) at {k:,.0f}: {probs}")
        for k, a, b in self.break_even:
            notes.append(f"Break-even on the grid: from {a} to {b} at {k:,.0f}")
        notes.extend(self.notes)
        return Summary(
            f"Cost-effectiveness of {self.reference}",
            ["threshold", "comparator", "icer", "inb", "ceac", "evpi"],
            rows,
            notes,
        )

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Figure:
        """The cost-effectiveness plane (draws of the increments); see :meth:`plot_plane`."""
        return self.plot_plane(ax=ax, **kwargs)

    def plot_plane(self, ax: Axes | None = None, **kwargs: Any) -> Figure:
        """Draws of the increments against each comparator, with threshold lines."""
        from evsynth.plots.ce_plane import ce_plane_plot

        kwargs.setdefault("thresholds", tuple(float(k) for k in self.thresholds))
        kwargs.setdefault("effect_label", f"Incremental {self.effect_label}")
        kwargs.setdefault("cost_label", f"Incremental cost ({self.currency})")
        kwargs.setdefault("currency", self.currency)
        return ce_plane_plot(
            self.inc_effect_draws,
            self.inc_cost_draws,
            labels=[f"{self.reference} vs {c}" for c in self.comparators],
            point=(self.inc_effect, self.inc_cost),
            ax=ax,
            **kwargs,
        )

    def plot_ceac(self, ax: Axes | None = None, *, frontier: bool = True, **kwargs: Any) -> Figure:
        """Acceptability curves of every strategy over the grid, with the CEAF."""
        from evsynth.plots.ceac import ceac_plot

        kwargs.setdefault("decision_thresholds", tuple(float(k) for k in self.thresholds))
        kwargs.setdefault("currency", self.currency)
        return ceac_plot(
            self.grid,
            self.grid_p_optimal,
            labels=list(self.strategies),
            frontier=self.grid_ceaf if frontier else None,
            ax=ax,
            **kwargs,
        )

    def plot_evpi(self, ax: Axes | None = None, **kwargs: Any) -> Figure:
        """EVPI per patient over the grid."""
        from evsynth.plots.ceac import evpi_plot

        kwargs.setdefault("decision_thresholds", tuple(float(k) for k in self.thresholds))
        kwargs.setdefault("currency", self.currency)
        return evpi_plot(self.grid, self.grid_evpi, ax=ax, **kwargs)

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def cea_from_draws(
    cost: FloatArray,
    effect: FloatArray,
    strategies: tuple[str, ...],
    reference: str,
    thresholds: FloatArray,
    *,
    grid: FloatArray | None = None,
    source: str = "psa",
    effect_label: str = "QALYs",
    currency: str = "£",
    notes: tuple[str, ...] = (),
    manifest: Manifest | None = None,
    point: tuple[FloatArray, FloatArray] | None = None,
) -> CEAResult:
    """Build a :class:`CEAResult` from (S, J) arrays of draws (checked by the caller).

    ``point`` gives the point estimates of each strategy's cost and effect (for a bootstrap,
    the trial sample's means); without it they are the means of the draws (PSA). The ICER and
    INB come from the point estimates; the CEACs, CEAF and EVPI from the draws.
    """
    c = np.asarray(cost, dtype=np.float64)
    e = np.asarray(effect, dtype=np.float64)
    k = np.asarray(thresholds, dtype=np.float64).ravel()
    g = default_grid(k) if grid is None else np.asarray(grid, dtype=np.float64).ravel()
    ref = strategies.index(reference)
    others = [j for j in range(len(strategies)) if j != ref]
    if point is None:
        mean_cost, mean_effect = c.mean(axis=0), e.mean(axis=0)
    else:
        mean_cost = np.asarray(point[0], dtype=np.float64)
        mean_effect = np.asarray(point[1], dtype=np.float64)
    inc_cost = mean_cost[ref] - mean_cost[others]
    inc_effect = mean_effect[ref] - mean_effect[others]
    dc = c[:, [ref]] - c[:, others]
    de = e[:, [ref]] - e[:, others]
    at_k = decision_curves(c, e, k)
    on_grid = decision_curves(c, e, g)
    return CEAResult(
        strategies=strategies,
        reference=reference,
        comparators=tuple(strategies[j] for j in others),
        cost_draws=c,
        effect_draws=e,
        mean_cost=mean_cost,
        mean_effect=mean_effect,
        inc_cost=inc_cost,
        inc_effect=inc_effect,
        icer=np.array([pairwise_icer(a, b) for a, b in zip(inc_cost, inc_effect, strict=True)]),
        quadrants=tuple(quadrant(a, b) for a, b in zip(inc_cost, inc_effect, strict=True)),
        thresholds=k,
        inb=incremental_net_benefit(inc_cost, inc_effect, k),
        ceac=pairwise_ceac(dc, de, k),
        p_optimal=at_k.p_optimal,
        optimal=tuple(strategies[j] for j in at_k.optimal),
        evpi=at_k.evpi,
        grid=g,
        grid_ceac=pairwise_ceac(dc, de, g),
        grid_p_optimal=on_grid.p_optimal,
        grid_optimal=on_grid.optimal,
        grid_ceaf=on_grid.ceaf,
        grid_evpi=on_grid.evpi,
        break_even=tuple(
            (kk, strategies[a], strategies[b]) for kk, a, b in break_even(on_grid.optimal, g)
        ),
        source=source,
        effect_label=effect_label,
        currency=currency,
        notes=notes,
        manifest=manifest,
    )


def cost_effectiveness(
    draws: pd.DataFrame,
    *,
    reference: str,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    grid: Sequence[float] | FloatArray | None = None,
    draw: str = "draw",
    strategy: str = "strategy",
    cost: str = "cost",
    effect: str = "effect",
    effect_label: str = "QALYs",
    currency: str = "£",
) -> CEAResult:
    """ICER, INB, CEAC, CEAF and EVPI of ``reference`` against every other strategy.

    Parameters
    ----------
    draws : DataFrame
        Long form: ``draw, strategy, cost, effect``, one row per draw and strategy (PSA draws
        from a model, or bootstrap replicates of arm means).
    reference : str
        The strategy evaluated (BCEA's ``ref``); increments are reference minus comparator.
    thresholds : sequence of float
        Decision thresholds (willingness to pay per unit of effect); 20,000 and 30,000 by
        default.
    grid : sequence of float, optional
        Thresholds for the curves; default 0 to 50,000 in steps of 100 (BCEA's grid), or to
        twice the largest threshold when that exceeds 50,000, in 500 steps.

    Returns
    -------
    CEAResult
    """
    k = thresholds_of(thresholds)
    g = None if grid is None else thresholds_of(grid)
    c, e, strategies = draws_to_arrays(
        draws, draw=draw, strategy=strategy, cost=cost, effect=effect
    )
    if reference not in strategies:
        raise choice_error("reference", reference, strategies)
    manifest = make_manifest(
        "evsynth.economics.cost_effectiveness",
        {"reference": reference, "thresholds": k.tolist()},
        inputs=pd.util.hash_pandas_object(draws, index=False).to_numpy().tobytes(),
    )
    return cea_from_draws(
        c,
        e,
        strategies,
        reference,
        k,
        grid=g,
        source="psa",
        effect_label=effect_label,
        currency=currency,
        manifest=manifest,
    )


def bootstrap_trial(
    data: pd.DataFrame,
    *,
    reference: str,
    arm: str = "arm",
    cost: str = "cost",
    effect: str = "qaly",
    baseline: str | None = None,
    n_boot: int = 10000,
    rng: RNGLike = None,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    grid: Sequence[float] | FloatArray | None = None,
    effect_label: str = "QALYs",
    currency: str = "£",
) -> CEAResult:
    """Non-parametric bootstrap of a trial's patients, then :func:`cost_effectiveness`.

    Patients are resampled with replacement within each arm (stratified), each keeping their
    cost, QALYs and baseline utility together (paired), ``n_boot`` times (Briggs, Wonderling &
    Mooney 1997). Each replicate's arm means are one draw.

    Parameters
    ----------
    data : DataFrame
        One row per patient: ``arm``, ``cost``, ``effect`` and optionally ``baseline``, all
        complete (drop or impute incomplete patients first).
    reference : str
        The arm evaluated; increments are reference minus comparator.
    baseline : str, optional
        Column of baseline utility: each replicate's QALY means are then adjusted for it by the
        regression of Manca et al. (2005) (the ANCOVA means at the overall mean baseline).
    n_boot : int
        Replicates; 10,000 by default.
    rng : int, numpy.random.Generator or None
        Seed or generator for the resampling; an int is recorded in the manifest.

    Returns
    -------
    CEAResult
        With ``source="bootstrap"``: point estimates (ICER, INB) from the sample's arm means
        (adjusted when ``baseline`` is given), uncertainty (CEAC, CEAF, EVPI, intervals) from
        the replicates.
    """
    if int(n_boot) < 2:
        raise EvsynthError(f"n_boot={n_boot!r} must be at least 2", hint="Use 1,000 or more")
    k = thresholds_of(thresholds)
    g = None if grid is None else thresholds_of(grid)
    frame = frame_of(data, "patients")
    columns = [arm, cost, effect] + ([baseline] if baseline else [])
    require(frame, columns, "the bootstrap")
    arms = labels(frame, arm)
    names = tuple(dict.fromkeys(arms))
    if reference not in names:
        raise choice_error("reference", reference, names)
    if len(names) < 2:
        raise DataError("the bootstrap needs at least two arms", location=InputLocation(field=arm))
    codes = np.array([names.index(a) for a in arms], dtype=np.intp)
    c = numbers(frame, cost)
    e = numbers(frame, effect)
    u0 = numbers(frame, baseline) if baseline else None
    for a, name in enumerate(names):
        if int((codes == a).sum()) < 2:
            raise DataError(
                f"arm {name} has fewer than two patients; the bootstrap cannot resample it",
                location=InputLocation(field=arm),
            )
    generator = as_generator(rng)
    draws = bootstrap_arm_means(c, e, codes, int(n_boot), generator, baseline=u0)
    # Point estimates from the sample itself (Briggs et al. 1997): arm means, with QALYs
    # adjusted for baseline utility by the same ANCOVA as each replicate.
    point_cost = np.array([c[codes == a].mean() for a in range(len(names))])
    point_effect = (
        ancova_means(
            [e[codes == a][None, :] for a in range(len(names))],
            [u0[codes == a][None, :] for a in range(len(names))],
        )[0]
        if u0 is not None
        else np.array([e[codes == a].mean() for a in range(len(names))])
    )
    options: dict[str, Any] = {
        "reference": reference,
        "n_boot": int(n_boot),
        "baseline_adjusted": baseline is not None,
        "thresholds": k.tolist(),
    }
    manifest = make_manifest(
        "evsynth.economics.bootstrap_trial",
        options,
        seed=manifest_seed(rng),
        inputs=pd.util.hash_pandas_object(frame[columns], index=False).to_numpy().tobytes(),
    )
    sizes = ", ".join(f"{n} {int((codes == a).sum())}" for a, n in enumerate(names))
    notes = (
        f"Stratified, paired bootstrap: {int(n_boot)} replicates (patients per arm: {sizes})"
        + ("; QALYs adjusted for baseline utility in each replicate." if baseline else "."),
    )
    return cea_from_draws(
        draws.cost,
        draws.effect,
        names,
        reference,
        k,
        grid=g,
        source="bootstrap",
        effect_label=effect_label,
        currency=currency,
        notes=notes,
        manifest=manifest,
        point=(point_cost, point_effect),
    )
