"""Treatment rankings of a network meta-analysis: rankograms and P-score or SUCRA bar charts.

* :func:`rankogram` draws the probability of each rank for each treatment, as netmeta's
  ``plot(rankogram())`` does: one line per treatment in one panel (``kind="line"``) or one
  panel of bars per treatment (``kind="bar"``). ``cumulative=True`` draws the probability of
  being among the best ``r`` treatments, whose area gives SUCRA (Salanti, Ades & Ioannidis
  2011, doi:10.1016/j.jclinepi.2010.03.016); SUCRA then appears in the legend or panel titles.
* :func:`pscore_plot` draws P-scores (Rücker & Schwarzer 2015, doi:10.1186/s12874-015-0060-8) or
  SUCRA values as horizontal bars, best at the top.

Rank 1 is the best rank. Lines of different treatments differ in colour, marker and, beyond seven
treatments, dash pattern, so that they stay apart in greyscale. Drawn artists carry labels
starting with ``_rankogram_`` or ``_pscore_`` where they are not legend entries.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import DataError, InputLocation, choice_error
from evsynth.plots._palette import series_style
from evsynth.plots._style import STYLE, TextMeasure, font, new_figure, plain_axes, root_figure
from evsynth.plots._validate import as_labels, as_vector

__all__ = ["pscore_plot", "rankogram"]

_SUM_TOLERANCE = 0.02  # rows of published tables, rounded to two decimals, still pass
_PANEL_W_PT = 118.0
_PANEL_H_PT = 72.0
_PANEL_GAP_X_PT = 12.0
_PANEL_GAP_Y_PT = 36.0  # x tick labels of one row and the title of the next
_PANEL_LEFT_PT = 44.0  # y tick labels and the shared y-axis title
_PANEL_BOTTOM_PT = 34.0  # x tick labels and the shared x-axis title
_PANEL_TOP_PT = 18.0  # the first row's titles
_ROW_HEIGHT_PT = 18.0


def _sucra(probabilities: NDArray[np.float64]) -> NDArray[np.float64]:
    """Surface under the cumulative ranking curve of each treatment (Salanti et al. 2011).

    .. math::

        \\mathrm{SUCRA}_k = \\frac{1}{a - 1} \\sum_{r=1}^{a-1} \\sum_{s=1}^{r} p_{ks}

    where :math:`p_{ks}` is the probability that treatment :math:`k` has rank :math:`s` (1 the
    best) among :math:`a` ranks: 1 for a treatment certain to be best, 0 for one certain to be
    worst.
    """
    cumulative = np.cumsum(probabilities, axis=1)
    values: NDArray[np.float64] = cumulative[:, :-1].sum(axis=1) / (probabilities.shape[1] - 1)
    return values


def rankogram(
    treatments: Sequence[str],
    rank_probabilities: ArrayLike,
    *,
    ax: Axes | None = None,
    cumulative: bool = False,
    sucra: ArrayLike | bool | None = None,
    kind: Literal["line", "bar"] = "line",
    title: str | None = None,
) -> Figure:
    """Draw the probability of each rank for each treatment (a rankogram).

    Parameters
    ----------
    treatments : sequence of str
        Treatment names, one per row of ``rank_probabilities``.
    rank_probabilities : array_like
        ``(n_treatments, n_ranks)`` matrix: entry ``(k, r)`` is the probability that treatment
        ``k`` has rank ``r + 1`` (rank 1 the best), e.g. the share of posterior draws or
        bootstrap samples. Each row sums to 1 (within 0.02, for published rounded tables).
    ax : matplotlib.axes.Axes, optional
        Axes to draw in; its figure is returned. With ``kind="bar"`` the panels are drawn as
        inset axes filling ``ax``, whose own frame is hidden. Without ``ax`` a new figure is made.
    cumulative : bool, optional
        Draw the cumulative probability of rank ``r`` or better (Salanti et al. 2011).
    sucra : array_like or bool, optional
        SUCRA (or P-score) of each treatment, shown in the legend (``kind="line"``) or panel
        titles (``kind="bar"``). None (the default) shows SUCRA computed from
        ``rank_probabilities`` on cumulative plots only; True always shows it; False never.
    kind : {"line", "bar"}, optional
        One line per treatment in one panel (netmeta's ``type = "line"``), or one panel of bars
        per treatment (netmeta's ``type = "bar"``).
    title : str, optional
        Title over the plot.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in (that of ``ax`` when given).

    Raises
    ------
    evsynth.DataError
        If the matrix is not one row per treatment, a probability lies outside [0, 1], or a row
        does not sum to 1.
    evsynth.EvsynthError
        If ``kind`` is not known.

    Examples
    --------
    >>> fig = rankogram(["A", "B"], [[0.7, 0.3], [0.3, 0.7]], cumulative=True)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['A (SUCRA 0.70)', 'B (SUCRA 0.30)']
    """
    names = _names(treatments)
    probabilities = _probabilities(rank_probabilities, names)
    if kind not in ("line", "bar"):
        raise choice_error("kind", kind, ["line", "bar"])
    shown_sucra = _sucra_values(sucra, probabilities, names, cumulative)
    values = np.cumsum(probabilities, axis=1) if cumulative else probabilities
    ylabel = "Cumulative probability" if cumulative else "Probability"
    if kind == "line":
        return _lines(names, values, shown_sucra, ax=ax, ylabel=ylabel, title=title)
    return _panels(names, values, shown_sucra, ax=ax, ylabel=ylabel, title=title)


def pscore_plot(
    treatments: Sequence[str],
    scores: ArrayLike,
    *,
    ax: Axes | None = None,
    label: str = "P-score",
    digits: int = 2,
    title: str | None = None,
) -> Figure:
    """Draw ranking scores as horizontal bars, sorted with the best treatment at the top.

    Parameters
    ----------
    treatments : sequence of str
        Treatment names.
    scores : array_like
        One score in [0, 1] per treatment, higher meaning better: P-scores (Rücker & Schwarzer
        2015) or SUCRA (Salanti et al. 2011).
    ax : matplotlib.axes.Axes, optional
        Axes to draw in; its figure is returned. Without ``ax`` a new figure is made whose
        height grows with the number of treatments.
    label : str, optional
        Title of the score axis, e.g. ``"SUCRA"``.
    digits : int, optional
        Decimals of the score written beside each bar.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in (that of ``ax`` when given).

    Raises
    ------
    evsynth.DataError
        If the lengths differ or a score lies outside [0, 1].

    Examples
    --------
    >>> fig = pscore_plot(["A", "B", "C"], [0.2, 0.9, 0.4])
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['B', 'C', 'A']
    """
    names = _names(treatments)
    values = _unit_scores(scores, "scores", len(names))
    order = np.argsort(-values, kind="stable")
    fig: Figure
    if ax is None:
        width = TextMeasure().width_pt(names, font()) + 300.0
        height = _ROW_HEIGHT_PT * len(names) + 60.0 + (20.0 if title else 0.0)
        fig = new_figure(width / 72.0, height / 72.0, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = root_figure(ax)
    rows = np.arange(len(names))
    ax.barh(
        rows, values[order], height=0.65, color=STYLE.study, linewidth=0.0, label="_pscore_bars"
    )
    for row, value in zip(rows, values[order], strict=True):
        ax.annotate(
            f"{value:.{int(digits)}f}",
            xy=(float(value), float(row)),
            xytext=(3.0, 0.0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontproperties=font(size=STYLE.small_font_size),
            color=STYLE.ink,
            annotation_clip=False,
            label="_pscore_value",
        )
    ax.set_yticks(rows, [names[k] for k in order])
    ax.set_ylim(len(names) - 0.5, -0.5)  # best at the top
    ax.set_xlim(0.0, 1.0)
    ax.set_xticks(np.linspace(0.0, 1.0, 6))
    plain_axes(ax)
    ax.tick_params(axis="y", length=0.0)
    ax.set_xlabel(label, fontproperties=font())
    if title:
        ax.set_title(
            title, loc="left", fontproperties=font(size=STYLE.title_font_size, weight="bold")
        )
    return fig


def _names(treatments: Sequence[str]) -> list[str]:
    names = as_labels(treatments, "treatments")
    if not names:
        raise DataError("there are no treatments to plot", hint="Pass at least one treatment")
    return names


def _probabilities(values: ArrayLike, names: list[str]) -> NDArray[np.float64]:
    """The rank-probability matrix, checked: one row per treatment, rows summing to 1."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(
            "rank_probabilities must contain only numbers",
            hint="Pass an (n_treatments, n_ranks) matrix of probabilities",
        ) from exc
    if array.ndim != 2 or array.shape[1] < 2 or array.shape[0] != len(names):
        raise DataError(
            f"rank_probabilities must be a ({len(names)}, n_ranks) matrix with at least two ranks "
            f"(got shape {array.shape})",
            hint="Give one row per treatment and one column per rank, rank 1 first",
        )
    for check, problem in (
        (~np.isfinite(array), "is not a finite number"),
        ((array < 0.0) | (array > 1.0), "is not a probability between 0 and 1"),
    ):
        cells = np.argwhere(check)
        if cells.size:
            k, r = (int(v) for v in cells[0])
            raise DataError(
                f"rank_probabilities[{k}, {r}] ({array[k, r]!r}) {problem}",
                location=InputLocation(row=k + 1, field=f"rank {r + 1}"),
                hint="Pass probabilities, not percentages or counts",
            )
    totals = array.sum(axis=1)
    off = np.flatnonzero(np.abs(totals - 1.0) > _SUM_TOLERANCE)
    if off.size:
        k = int(off[0])
        raise DataError(
            f"the rank probabilities of row {k + 1} ({names[k]}) sum to {totals[k]:g}, not 1",
            location=InputLocation(row=k + 1, field="rank_probabilities"),
            hint="Each row is one treatment's distribution over all ranks",
        )
    return array


def _unit_scores(values: ArrayLike, name: str, n: int) -> NDArray[np.float64]:
    scores = as_vector(values, name)
    if scores.size != n:
        raise DataError(
            f"treatments, {name} must have the same length (got treatments={n}, "
            f"{name}={scores.size})",
            hint="Give one score per treatment",
        )
    outside = np.flatnonzero((scores < 0.0) | (scores > 1.0))
    if outside.size:
        row = int(outside[0])
        raise DataError(
            f"{name} is {scores[row]:g}; scores must lie between 0 and 1",
            location=InputLocation(row=row + 1, field=name),
            hint="Pass P-scores or SUCRA as fractions, not percentages",
        )
    return scores


def _sucra_values(
    given: ArrayLike | bool | None,
    probabilities: NDArray[np.float64],
    names: list[str],
    cumulative: bool,
) -> NDArray[np.float64] | None:
    if given is None:
        return _sucra(probabilities) if cumulative else None
    if isinstance(given, bool | np.bool_):
        return _sucra(probabilities) if given else None
    return _unit_scores(given, "sucra", len(names))


def _legend_text(name: str, value: float | None) -> str:
    return name if value is None else f"{name} (SUCRA {value:.2f})"


def _finish(ax: Axes, n_ranks: int, ylabel: str, *, labels: bool = True) -> None:
    ax.set_xlim(0.5, n_ranks + 0.5)
    ax.set_ylim(0.0, 1.0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
    ax.set_yticks([0.0, 0.5, 1.0])
    plain_axes(ax)
    if labels:
        ax.set_xlabel("Rank", fontproperties=font())
        ax.set_ylabel(ylabel, fontproperties=font())


def _title(ax: Axes, title: str | None) -> None:
    if title:
        ax.set_title(
            title, loc="left", fontproperties=font(size=STYLE.title_font_size, weight="bold")
        )


def _lines(
    names: list[str],
    values: NDArray[np.float64],
    shown_sucra: NDArray[np.float64] | None,
    *,
    ax: Axes | None,
    ylabel: str,
    title: str | None,
) -> Figure:
    """One line per treatment; the legend lists treatments by SUCRA, best first, when shown."""
    fig: Figure
    if ax is None:
        fig = new_figure(7.0, 4.2, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = root_figure(ax)
    ranks = np.arange(1, values.shape[1] + 1)
    order = range(len(names)) if shown_sucra is None else np.argsort(-shown_sucra, kind="stable")
    for k in order:
        style = series_style(int(k))
        ax.plot(
            ranks,
            values[k],
            color=style.color,
            marker=style.marker,
            markersize=5.0,
            linestyle=style.linestyle,
            linewidth=1.3,
            clip_on=False,
            label=_legend_text(names[k], None if shown_sucra is None else float(shown_sucra[k])),
        )
    _finish(ax, values.shape[1], ylabel)
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        frameon=False,
        prop=font(size=STYLE.small_font_size),
    )
    _title(ax, title)
    return fig


def _panels(
    names: list[str],
    values: NDArray[np.float64],
    shown_sucra: NDArray[np.float64] | None,
    *,
    ax: Axes | None,
    ylabel: str,
    title: str | None,
) -> Figure:
    """One small panel of bars per treatment, laid out as inset axes of one host axes."""
    n = len(names)
    columns = math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    small = font(size=STYLE.small_font_size)
    titles = [
        _legend_text(name, None if shown_sucra is None else float(shown_sucra[k]))
        for k, name in enumerate(names)
    ]
    top = _PANEL_TOP_PT + (2.0 * STYLE.title_font_size if title else 0.0)
    if ax is None:
        panel_w = max(_PANEL_W_PT, TextMeasure().width_pt(titles, small) + 4.0)
        width = _PANEL_LEFT_PT + columns * panel_w + (columns - 1) * _PANEL_GAP_X_PT + 8.0
        height = _PANEL_BOTTOM_PT + rows * _PANEL_H_PT + (rows - 1) * _PANEL_GAP_Y_PT + top
        fig = new_figure(width / 72.0, height / 72.0)
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    fig = root_figure(ax)
    ax.set_axis_off()
    width, height = np.array([ax.bbox.width, ax.bbox.height]) * 72.0 / fig.dpi
    inner_w = max(width - _PANEL_LEFT_PT - 8.0 - (columns - 1) * _PANEL_GAP_X_PT, columns)
    inner_h = max(height - _PANEL_BOTTOM_PT - top - (rows - 1) * _PANEL_GAP_Y_PT, rows)
    panel_w, panel_h = inner_w / columns, inner_h / rows
    ranks = np.arange(1, values.shape[1] + 1)
    for k, name_title in enumerate(titles):
        row, column = divmod(k, columns)
        x0 = _PANEL_LEFT_PT + column * (panel_w + _PANEL_GAP_X_PT)
        y0 = height - top - (row + 1) * panel_h - row * _PANEL_GAP_Y_PT
        panel = ax.inset_axes((x0 / width, y0 / height, panel_w / width, panel_h / height))
        panel.bar(ranks, values[k], width=0.75, color=STYLE.study, label="_rankogram_bars")
        _finish(panel, values.shape[1], ylabel, labels=False)
        panel.tick_params(labelsize=STYLE.small_font_size)
        if column > 0:
            panel.tick_params(labelleft=False)
        panel.set_title(name_title, loc="left", fontproperties=small, pad=3.0)
    for text, xy, rotation in (
        ("Rank", (0.5 * (_PANEL_LEFT_PT + width - 8.0) / width, 0.0), 0.0),
        (ylabel, (0.0, 0.5 * (_PANEL_BOTTOM_PT + height - top) / height), 90.0),
    ):
        ax.annotate(
            text,
            xy=xy,
            xycoords="axes fraction",
            xytext=(0.0, 4.0) if rotation == 0.0 else (4.0, 0.0),
            textcoords="offset points",
            ha="center" if rotation == 0.0 else "left",
            va="bottom" if rotation == 0.0 else "center",
            rotation=rotation,
            fontproperties=font(),
            color=STYLE.ink,
            annotation_clip=False,
            label="_rankogram_axis_title",
        )
    if title:
        ax.annotate(
            title,
            xy=(0.0, 1.0),
            xycoords="axes fraction",
            xytext=(4.0, -4.0),
            textcoords="offset points",
            ha="left",
            va="top",
            fontproperties=font(size=STYLE.title_font_size, weight="bold"),
            color=STYLE.ink,
            annotation_clip=False,
            label="_rankogram_title",
        )
    return fig
