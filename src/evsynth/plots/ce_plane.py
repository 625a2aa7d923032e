"""The cost-effectiveness plane: draws of incremental effects and costs, and the frontier.

* :func:`ce_plane_plot` scatters draws (PSA or bootstrap) of the incremental effect (x) and cost (y)
  of one strategy against each comparator, marks the mean increments, and draws each
  willingness-to-pay threshold as a line through the origin with slope :math:`k`: draws below a
  line are cost-effective at that threshold (Black 1990, Med Decis Making 10(3):212-214, the
  plane; BCEA's ``ceplane.plot`` is the model);
* :func:`ce_frontier_plot` draws strategies' mean costs (y) against effects (x), joins the efficient
  frontier, and marks dominated and extendedly dominated strategies (dampack's ``plot.icers``).

Clouds of points are drawn rasterised inside the vector figure, so inline SVG stays small with
thousands of draws. Artists that are not legend entries carry labels starting with
``_ce_plane_`` or ``_ce_frontier_``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import DataError
from evsynth.plots._palette import series_style
from evsynth.plots._style import STYLE, font, new_figure, plain_axes, root_figure
from evsynth.plots._validate import as_labels, as_vector

__all__ = ["ce_frontier_plot", "ce_plane_plot"]

_FIGSIZE_IN = (6.4, 4.6)
_DASHES = ("--", ":", "-.", (0, (6.0, 2.0, 1.0, 2.0)))
_MARGIN = 0.08  # fraction of the data range added on each side


def _matrix(values: ArrayLike, name: str) -> NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must contain only numbers") from exc
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] == 0:
        raise DataError(
            f"{name} must be (draws,) or (draws, comparators) (got shape {array.shape})"
        )
    if not np.isfinite(array).all():
        raise DataError(f"{name} holds a value that is not a finite number")
    return array


def money(currency: str) -> FuncFormatter:
    """Tick labels with thousands separators and the currency sign (``£20,000``, ``-£500``)."""

    def fmt(value: float, _pos: int | None = None) -> str:
        sign = "-" if value < 0 else ""
        magnitude = abs(value)
        digits = 0 if float(magnitude).is_integer() else 2
        return f"{sign}{currency}{magnitude:,.{digits}f}"

    return FuncFormatter(fmt)


def _limits(values: NDArray[np.float64]) -> tuple[float, float]:
    low = min(0.0, float(values.min()))
    high = max(0.0, float(values.max()))
    span = high - low or max(abs(high), 1.0)
    return low - _MARGIN * span, high + _MARGIN * span


def _axes(ax: Axes | None) -> tuple[Figure, Axes]:
    if ax is None:
        fig = new_figure(*_FIGSIZE_IN, layout="constrained")
        return fig, fig.add_subplot()
    return root_figure(ax), ax


def ce_plane_plot(
    inc_effect: ArrayLike,
    inc_cost: ArrayLike,
    *,
    labels: Sequence[str] | None = None,
    point: tuple[ArrayLike, ArrayLike] | None = None,
    thresholds: Sequence[float] = (20000.0, 30000.0),
    currency: str = "£",
    ax: Axes | None = None,
    effect_label: str = "Incremental QALYs",
    cost_label: str = "Incremental cost",
    title: str | None = None,
    max_points: int = 5000,
) -> Figure:
    """Draw the cost-effectiveness plane.

    Parameters
    ----------
    inc_effect, inc_cost : array_like, shape (S,) or (S, M)
        Draws of the incremental effect and cost against each of M comparators.
    labels : sequence of str, optional
        One legend entry per comparator, e.g. ``"CBT vs Usual care"``.
    point : pair of array_like, optional
        Mean incremental effects and costs (M each), drawn as larger markers.
    thresholds : sequence of float
        Willingness-to-pay thresholds, each drawn as the line ``cost = k x effect``.
    max_points : int
        At most this many draws per comparator are drawn (evenly spaced), so figures stay
        light; all draws count in every statistic elsewhere.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> fig = ce_plane_plot(rng.normal(0.02, 0.01, 200), rng.normal(400, 150, 200))
    >>> sorted(t.get_text() for t in fig.axes[0].get_legend().get_texts())
    ['Draws', '£20,000 per QALY', '£30,000 per QALY']
    """
    x = _matrix(inc_effect, "inc_effect")
    y = _matrix(inc_cost, "inc_cost")
    if x.shape != y.shape:
        raise DataError(
            f"inc_effect and inc_cost must have the same shape (got {x.shape} and {y.shape})"
        )
    n_draws, m = x.shape
    names = (
        as_labels(labels, "labels")
        if labels is not None
        else (["Draws"] if m == 1 else [f"Comparator {i + 1}" for i in range(m)])
    )
    if len(names) != m:
        raise DataError(f"labels has {len(names)} entries for {m} comparators")
    fig, ax = _axes(ax)
    keep = np.unique(np.linspace(0, n_draws - 1, min(n_draws, max_points)).astype(int))
    for i in range(m):
        style = series_style(i)
        ax.scatter(
            x[keep, i],
            y[keep, i],
            s=5.0,
            color=style.color,
            alpha=0.3,
            linewidths=0.0,
            marker="o",
            rasterized=True,
            label=names[i],
            zorder=2,
        )
    xlim, ylim = _limits(x), _limits(y)
    ax.axhline(0.0, color=STYLE.reference, linewidth=STYLE.line_width, label="_ce_plane_axis")
    ax.axvline(0.0, color=STYLE.reference, linewidth=STYLE.line_width, label="_ce_plane_axis")
    xs = np.array(xlim)
    for j, k in enumerate(thresholds):
        ax.plot(
            xs,
            float(k) * xs,
            color=STYLE.ink,
            linestyle=_DASHES[j % len(_DASHES)],
            linewidth=STYLE.line_width,
            label=f"{currency}{float(k):,.0f} per QALY",
            zorder=3,
        )
    if point is not None:
        px = as_vector(np.atleast_1d(np.asarray(point[0], dtype=np.float64)), "point effect")
        py = as_vector(np.atleast_1d(np.asarray(point[1], dtype=np.float64)), "point cost")
        ax.scatter(
            px,
            py,
            s=42.0,
            color=STYLE.ink,
            edgecolors="#FFFFFF",
            linewidths=1.0,
            marker="D",
            label="Mean",
            zorder=4,
        )
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.yaxis.set_major_formatter(money(currency))
    plain_axes(ax)
    ax.set_xlabel(effect_label, fontproperties=font())
    ax.set_ylabel(cost_label, fontproperties=font())
    legend = ax.legend(prop=font(size=STYLE.small_font_size), frameon=False, loc="best")
    for handle in legend.legend_handles:
        if handle is not None and hasattr(handle, "set_alpha"):
            handle.set_alpha(1.0)
    if title:
        ax.set_title(
            title, loc="left", fontproperties=font(size=STYLE.title_font_size, weight="bold")
        )
    return fig


def ce_frontier_plot(
    strategies: Sequence[str],
    cost: ArrayLike,
    effect: ArrayLike,
    status: Sequence[str],
    *,
    currency: str = "£",
    ax: Axes | None = None,
    effect_label: str = "QALYs",
    cost_label: str | None = None,
    title: str | None = None,
) -> Figure:
    """Draw strategies' mean costs against effects, with the efficient frontier joined.

    Parameters
    ----------
    strategies : sequence of str
        Strategy names.
    cost, effect : array_like
        Mean cost and effect of each strategy.
    status : sequence of {"ND", "D", "ED"}
        From :func:`evsynth.economics.icers`: non-dominated (joined in order of cost),
        dominated, extendedly dominated.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = ce_frontier_plot(["A", "B", "C"], [0, 10, 20], [0, 1, 0.5], ["ND", "ND", "D"])
    >>> sorted(t.get_text() for t in fig.axes[0].get_legend().get_texts())
    ['Dominated', 'Efficient frontier']
    """
    names = as_labels(strategies, "strategies")
    c = as_vector(cost, "cost")
    e = as_vector(effect, "effect")
    states = [str(s) for s in status]
    if not (len(names) == c.size == e.size == len(states)):
        raise DataError("strategies, cost, effect and status must have the same length")
    unknown = sorted(set(states) - {"ND", "D", "ED"})
    if unknown:
        raise DataError(f"status {unknown[0]!r} is not one of ND, D, ED")
    fig, ax = _axes(ax)
    nd = np.array([s == "ND" for s in states])
    order = np.flatnonzero(nd)[np.argsort(c[nd], kind="stable")]
    ax.plot(
        e[order],
        c[order],
        color=STYLE.study,
        linewidth=1.5,
        marker="o",
        markersize=6,
        label="Efficient frontier",
        zorder=3,
    )
    dominated = [i for i, s in enumerate(states) if s == "D"]
    if dominated:
        ax.scatter(
            e[dominated],
            c[dominated],
            s=36.0,
            marker="x",
            color=STYLE.prediction,
            linewidths=1.2,
            label="Dominated",
            zorder=3,
        )
    extended = [i for i, s in enumerate(states) if s == "ED"]
    if extended:
        ax.scatter(
            e[extended],
            c[extended],
            s=36.0,
            marker="o",
            facecolors="none",
            edgecolors=STYLE.prediction,
            linewidths=1.2,
            label="Extendedly dominated",
            zorder=3,
        )
    for name, xv, yv in zip(names, e, c, strict=True):
        ax.annotate(
            name,
            xy=(float(xv), float(yv)),
            xytext=(5.0, 4.0),
            textcoords="offset points",
            fontproperties=font(size=STYLE.small_font_size),
            color=STYLE.ink,
            label="_ce_frontier_label",
        )
    ax.yaxis.set_major_formatter(money(currency))
    plain_axes(ax)
    ax.set_xlabel(effect_label, fontproperties=font())
    ax.set_ylabel(cost_label or f"Cost ({currency})", fontproperties=font())
    ax.legend(prop=font(size=STYLE.small_font_size), frameon=False, loc="best")
    if title:
        ax.set_title(
            title, loc="left", fontproperties=font(size=STYLE.title_font_size, weight="bold")
        )
    return fig
