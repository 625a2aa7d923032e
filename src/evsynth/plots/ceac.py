"""Acceptability curves, the acceptability frontier, and the value of perfect information.

* :func:`ceac_plot` draws, over a willingness-to-pay grid, the probability that each strategy
  is cost-effective (the CEACs; van Hout et al. 1994, Fenwick, Claxton & Sculpher 2001) and,
  when given, the cost-effectiveness acceptability frontier (CEAF: the probability of the
  strategy with the highest expected net benefit) as a wide grey band behind the curves;
* :func:`evpi_plot` draws the expected value of perfect information per patient over the grid
  (Claxton 1999).

Decision thresholds (NICE's 20,000 and 30,000 pounds per QALY by default) are marked with
dotted vertical lines. Artists that are not legend entries carry labels starting with
``_ceac_`` or ``_evpi_``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import DataError
from evsynth.plots._palette import series_style
from evsynth.plots._style import STYLE, font, new_figure, plain_axes, root_figure
from evsynth.plots._validate import as_labels, as_vector
from evsynth.plots.ce_plane import money

__all__ = ["ceac_plot", "evpi_plot"]

_FIGSIZE_IN = (6.4, 3.8)
_FRONTIER_COLOUR = "#BBBBBB"
_FRONTIER_WIDTH_PT = 7.0


def _axes(ax: Axes | None) -> tuple[Figure, Axes]:
    if ax is None:
        fig = new_figure(*_FIGSIZE_IN, layout="constrained")
        return fig, fig.add_subplot()
    return root_figure(ax), ax


def _decisions(ax: Axes, thresholds: Sequence[float]) -> None:
    for k in thresholds:
        ax.axvline(
            float(k),
            color=STYLE.reference,
            linestyle=":",
            linewidth=STYLE.line_width,
            label="_ceac_threshold",
        )


def _title(ax: Axes, title: str | None) -> None:
    if title:
        ax.set_title(
            title, loc="left", fontproperties=font(size=STYLE.title_font_size, weight="bold")
        )


def ceac_plot(
    thresholds: ArrayLike,
    probabilities: ArrayLike,
    *,
    labels: Sequence[str] | None = None,
    frontier: ArrayLike | None = None,
    decision_thresholds: Sequence[float] = (20000.0, 30000.0),
    currency: str = "£",
    ax: Axes | None = None,
    xlabel: str | None = None,
    ylabel: str = "Probability cost-effective",
    title: str | None = None,
) -> Figure:
    """Draw cost-effectiveness acceptability curves (and the frontier).

    Parameters
    ----------
    thresholds : array_like, shape (K,)
        The willingness-to-pay grid.
    probabilities : array_like, shape (J, K) or (K,)
        Probability that each of J strategies is cost-effective at each threshold.
    labels : sequence of str, optional
        Strategy names (J).
    frontier : array_like, shape (K,), optional
        The CEAF: the probability of the strategy with the highest expected net benefit.
    decision_thresholds : sequence of float
        Marked with dotted vertical lines.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> k = np.linspace(0, 50000, 11)
    >>> p = np.clip(k / 50000, 0, 1)
    >>> fig = ceac_plot(k, [1 - p, p], labels=["Usual care", "CBT"], frontier=np.maximum(p, 1 - p))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['Acceptability frontier', 'Usual care', 'CBT']
    """
    k = as_vector(thresholds, "thresholds")
    try:
        p = np.atleast_2d(np.asarray(probabilities, dtype=np.float64))
    except (TypeError, ValueError) as exc:
        raise DataError("probabilities must contain only numbers") from exc
    if p.shape[1] != k.size:
        raise DataError(
            f"probabilities must have one column per threshold ({k.size}); got shape {p.shape}"
        )
    if not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
        raise DataError("probabilities must lie between 0 and 1")
    names = (
        as_labels(labels, "labels")
        if labels is not None
        else [f"Strategy {j + 1}" for j in range(p.shape[0])]
    )
    if len(names) != p.shape[0]:
        raise DataError(f"labels has {len(names)} entries for {p.shape[0]} curves")
    fig, ax = _axes(ax)
    if frontier is not None:
        f = as_vector(frontier, "frontier")
        if f.size != k.size:
            raise DataError(f"frontier must have one value per threshold ({k.size})")
        ax.plot(
            k,
            f,
            color=_FRONTIER_COLOUR,
            linewidth=_FRONTIER_WIDTH_PT,
            solid_capstyle="butt",
            label="Acceptability frontier",
            zorder=1,
        )
    for j, name in enumerate(names):
        style = series_style(j)
        ax.plot(
            k,
            p[j],
            color=style.color,
            linestyle=style.linestyle,
            linewidth=1.5,
            label=name,
            zorder=2,
        )
    _decisions(ax, decision_thresholds)
    ax.set_xlim(float(k.min()), float(k.max()))
    ax.set_ylim(0.0, 1.0)
    ax.set_yticks(np.linspace(0.0, 1.0, 6))
    ax.xaxis.set_major_formatter(money(currency))
    plain_axes(ax)
    ax.set_xlabel(xlabel or f"Willingness to pay per QALY ({currency})", fontproperties=font())
    ax.set_ylabel(ylabel, fontproperties=font())
    ax.legend(prop=font(size=STYLE.small_font_size), frameon=False, loc="best")
    _title(ax, title)
    return fig


def evpi_plot(
    thresholds: ArrayLike,
    evpi: ArrayLike,
    *,
    decision_thresholds: Sequence[float] = (20000.0, 30000.0),
    currency: str = "£",
    ax: Axes | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the expected value of perfect information per patient over the grid.

    Examples
    --------
    >>> fig = evpi_plot([0, 10000, 20000], [0.0, 12.5, 3.0])
    >>> fig.axes[0].get_ylabel()
    'EVPI per patient (£)'
    """
    k = as_vector(thresholds, "thresholds")
    values: NDArray[np.float64] = as_vector(evpi, "evpi")
    if values.size != k.size:
        raise DataError(f"evpi must have one value per threshold ({k.size}); got {values.size}")
    fig, ax = _axes(ax)
    ax.plot(k, values, color=STYLE.study, linewidth=1.5, label="EVPI")
    _decisions(ax, decision_thresholds)
    ax.set_xlim(float(k.min()), float(k.max()))
    ax.set_ylim(0.0, max(float(values.max()) * 1.1, 1e-9))
    ax.xaxis.set_major_formatter(money(currency))
    ax.yaxis.set_major_formatter(money(currency))
    plain_axes(ax)
    ax.set_xlabel(xlabel or f"Willingness to pay per QALY ({currency})", fontproperties=font())
    ax.set_ylabel(ylabel or f"EVPI per patient ({currency})", fontproperties=font())
    _title(ax, title)
    return fig
