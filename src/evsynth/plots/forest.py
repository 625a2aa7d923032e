"""Forest plots of study estimates and pooled summaries, modelled on metafor's ``forest()``.

Layout, one row per line from top to bottom:

* a header row naming the columns (``Study``, ``Estimate [95% CI]``, ``Weight``);
* one row per study: a square at the estimate whose **area** is proportional to the study's
  weight (as in RevMan and metafor; the smallest squares are held at a visible minimum size)
  and a horizontal line for its confidence interval; an interval running past the axis limits
  ends in an arrowhead;
* optional subgroup headings, each followed by its studies and its own summary rows;
* summary rows (``pooled``) drawn as diamonds whose width is the confidence interval;
* an optional prediction interval drawn as a capped bar in its own row under the diamonds;
* optional free-text lines (``extra_rows``), e.g. heterogeneity statistics.

Text columns sit outside the plotting area: study labels on the left, and on the right the
estimate with its interval and the weight in percent. The dashed vertical line marks the null
value. Ratio measures are passed on the log scale with ``transform=np.exp``: everything is then
drawn, labelled and printed on the ratio scale, on a log axis.

Drawn artists carry labels starting with ``_forest_`` (``_forest_studies``, ``_forest_ci``,
``_forest_pooled``, ``_forest_estimate``, ...) so that tests and callers can find them; the
leading underscore keeps them out of legends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.transforms import (
    Affine2D,
    BboxTransformTo,
    ScaledTranslation,
    Transform,
    blended_transform_factory,
)
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import EvsynthError
from evsynth.plots import _scale
from evsynth.plots._forest_table import (
    ForestTable,
    prepare,
)
from evsynth.plots._style import (
    STYLE,
    TextMeasure,
    font,
    new_figure,
    plain_axes,
    root_figure,
)

__all__ = ["forest_plot"]

_PREDICTION_LABEL = "Prediction interval"
_MAX_SQUARE_PT = 11.0  # side of the heaviest study's square
_MIN_SQUARE_PT = 2.5  # smaller squares would vanish in print
_EQUAL_SQUARE_PT = 6.0  # side used when no weights are given
_DIAMOND_HALF_HEIGHT = 0.3  # in rows
_PLOT_WIDTH_PT = 216.0  # 3 inches of plotting area
_AXIS_BELOW_PT = 56.0  # tick labels, "favours" labels and the axis title
_FAVOURS_OFFSET_PT = 21.0  # below the axis line, clear of the tick labels


def _edge_transform(ax: Axes, edge: float) -> Transform:
    """x in points from the axes' left (``edge=0``) or right (``edge=1``) side; y in data units.

    Offsets in points rather than axes fractions keep the text columns the same distance from
    the plot whatever the figure size or output resolution.
    """
    fig = root_figure(ax)
    x_transform = (
        Affine2D().scale(1.0 / 72.0)
        + fig.dpi_scale_trans
        + ScaledTranslation(edge, 0.0, BboxTransformTo(ax.bbox))
    )
    return blended_transform_factory(x_transform, ax.transData)


def _square_sizes(weights: NDArray[np.float64] | None, n: int) -> NDArray[np.float64]:
    """Marker areas in points²: proportional to weight, floored at a visible minimum."""
    if weights is None:
        return np.full(n, _EQUAL_SQUARE_PT**2)
    areas: NDArray[np.float64] = np.maximum(
        _MAX_SQUARE_PT**2 * weights / weights.max(), _MIN_SQUARE_PT**2
    )
    return areas


def forest_plot(
    labels: Sequence[str],
    effect: ArrayLike,
    ci_low: ArrayLike,
    ci_high: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    pooled: Sequence[Mapping[str, object]] | None = None,
    prediction: tuple[float, float] | None = None,
    ax: Axes | None = None,
    xlabel: str = "Effect",
    null_value: float | None = 0.0,
    transform: _scale.Transform | None = None,
    favours: tuple[str, str] | None = ("Favours control", "Favours treatment"),
    title: str | None = None,
    extra_rows: Sequence[str] | None = None,
    subgroups: Sequence[str] | None = None,
    log_scale: bool | None = None,
    xlim: tuple[float, float] | None = None,
    digits: int = 2,
    level: float = 0.95,
) -> Figure:
    """Draw a forest plot of study estimates, summary diamonds and a prediction interval.

    All numbers are on the analysis scale (e.g. log odds ratios); ``transform`` maps them to the
    scale that is drawn and printed.

    Parameters
    ----------
    labels : sequence of str
        Study labels, one per study, drawn top to bottom in the order given.
    effect, ci_low, ci_high : array_like
        Study estimates and confidence limits; ``ci_low <= effect <= ci_high`` is required.
    weights : array_like, optional
        Study weights (any positive scale; shown as percentages of their sum). The square's area
        is proportional to the weight. Without weights the squares are equal and the weight
        column is left out.
    pooled : sequence of mapping, optional
        Summary rows drawn as diamonds, each with keys ``label``, ``estimate``, ``ci_low``,
        ``ci_high`` and optionally ``subgroup`` (to draw it under that subgroup's studies), e.g.
        ``[{"label": "Random effects (REML)", "estimate": -0.71, "ci_low": -1.07,
        "ci_high": -0.36}]``.
    prediction : tuple of float, optional
        ``(low, high)`` of the prediction interval, drawn as a bar in a row under the diamonds.
    ax : matplotlib.axes.Axes, optional
        Axes to draw in; its figure is returned. The text columns are drawn outside the axes, so
        leave room for them (``layout="constrained"`` does so automatically). Without ``ax`` a
        new figure is sized to fit: its height grows with the number of rows.
    xlabel : str, optional
        Title of the effect axis, e.g. ``"Odds ratio"``.
    null_value : float or None, optional
        Effect of no difference on the analysis scale (0 for differences and log ratios; with
        ``transform=np.exp`` the line is drawn at 1). None draws no reference line.
    transform : callable, optional
        Element-wise function from the analysis scale to the displayed scale, e.g. ``np.exp``
        for OR, RR and HR entered as log ratios.
    favours : tuple of str or None, optional
        Text under the axis left and right of the null value. None leaves it out.
    title : str, optional
        Figure title.
    extra_rows : sequence of str, optional
        Lines of text under the summaries, e.g. ``"Heterogeneity: tau² = 0.31; I² = 92%"``.
    subgroups : sequence of str, optional
        Subgroup of each study. Studies are grouped under bold headings, in order of first
        appearance, each group followed by the ``pooled`` rows that name it.
    log_scale : bool, optional
        Draw the effect axis on a log scale; by default, exactly when ``transform`` is
        ``np.exp``.
    xlim : tuple of float, optional
        Axis limits on the displayed scale; intervals running past them end in arrowheads.
    digits : int, optional
        Decimals printed in the estimate column.
    level : float, optional
        Confidence level of the intervals given, used for the column header only.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in (that of ``ax`` when given).

    Raises
    ------
    evsynth.DataError
        If the inputs differ in length, are not finite, or an interval is reversed or does not
        contain its estimate.

    Examples
    --------
    >>> import numpy as np
    >>> fig = forest_plot(
    ...     ["Smith 2001", "Jones 2004"], [-0.4, 0.1], [-0.9, -0.3], [0.1, 0.5],
    ...     weights=[2.0, 3.0], transform=np.exp, xlabel="Odds ratio",
    ... )
    >>> fig.axes[0].get_xscale()
    'log'
    """
    if favours is not None and len(favours) != 2:
        raise EvsynthError(
            f"favours must be two texts, for left and right of the null value (got {favours!r})",
            hint="Pass e.g. ('Favours control', 'Favours treatment'), or None",
        )
    table = prepare(
        labels,
        effect,
        ci_low,
        ci_high,
        weights=weights,
        pooled=pooled,
        prediction=prediction,
        subgroups=subgroups,
        extra_rows=extra_rows,
        transform=transform,
        null_value=null_value,
        digits=digits,
        level=level,
    )
    log = _scale.uses_log_scale(transform, log_scale)
    if log:
        _scale.require_positive(table.extent(), "the drawn values")
    limits = _limits(table, xlim, log=log)

    columns = _measure(table)
    owned = ax is None
    if ax is None:
        fig, ax = _sized_figure(table, columns, title=title, has_axis_text=bool(favours or xlabel))
    fig = root_figure(ax)
    _draw_columns(ax, table, columns)
    _draw_marks(ax, table, limits)
    _scale.set_effect_axis(ax, *limits, log=log)
    ax.set_ylim(table.rows.last + 0.6, -0.6)
    if table.null is not None and favours is not None and limits[0] < table.null < limits[1]:
        _draw_favours(ax, table.null, favours)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    plain_axes(ax)
    ax.set_xlabel(xlabel, fontproperties=font(), labelpad=17.0 if favours else 4.0)
    if title:
        title_font = font(size=STYLE.title_font_size, weight="bold")
        if owned:
            fig.text(
                STYLE.margin_pt / (72.0 * fig.get_figwidth()),
                1.0 - STYLE.margin_pt / (72.0 * fig.get_figheight()),
                title,
                ha="left",
                va="top",
                fontproperties=title_font,
            )
        else:
            ax.set_title(title, loc="left", fontproperties=title_font)
    return fig


def _limits(
    table: ForestTable, xlim: tuple[float, float] | None, *, log: bool
) -> tuple[float, float]:
    if xlim is None:
        extent = table.extent()
        return _scale.padded_limits(float(extent.min()), float(extent.max()), log=log)
    low, high = (float(v) for v in xlim)
    if not low < high or (log and low <= 0.0):
        raise EvsynthError(
            f"xlim={xlim!r} must be (low, high) with low < high, and low > 0 on a log axis",
            hint="Give the limits on the displayed scale, e.g. (0.1, 10) for odds ratios",
        )
    return low, high


@dataclass(frozen=True, slots=True)
class _Columns:
    """Widths of the text columns in points."""

    label: float
    estimate: float
    weight: float | None

    @property
    def left(self) -> float:
        """From the start of the label column to the plot."""
        return self.label + STYLE.column_gap_pt

    @property
    def right(self) -> float:
        """From the plot to the end of the last right-hand column."""
        width = STYLE.column_gap_pt + self.estimate
        if self.weight is not None:
            width += STYLE.column_gap_pt + self.weight
        return width


def _measure(table: ForestTable) -> _Columns:
    measure = TextMeasure()
    regular, bold = font(), font(weight="bold")
    plain_labels = table.names + ([_PREDICTION_LABEL] if table.prediction is not None else [])
    bold_labels = [table.headers[0], *(h for _, h in table.rows.headings)]
    label = max(
        measure.width_pt(plain_labels, regular),
        measure.width_pt(bold_labels + [p.label for p in table.pooled], bold),
    )
    estimate = max(
        measure.width_pt([*table.study_texts, table.prediction_text], regular),
        measure.width_pt([table.headers[1], *table.pooled_texts], bold),
    )
    weight = None
    if table.weights is not None:
        weight = max(
            measure.width_pt(table.weight_texts, regular),
            measure.width_pt([table.headers[2]], bold),
        )
    return _Columns(label, estimate, weight)


def _sized_figure(
    table: ForestTable, columns: _Columns, *, title: str | None, has_axis_text: bool
) -> tuple[Figure, Axes]:
    """A new figure whose size fits the text columns and grows with the number of rows."""
    notes_width = TextMeasure().width_pt(table.notes, font(size=STYLE.small_font_size))
    plot = max(_PLOT_WIDTH_PT, notes_width - columns.left)
    left = STYLE.margin_pt + columns.left
    top = STYLE.margin_pt + (2.0 * STYLE.title_font_size if title else 0.0)
    bottom = _AXIS_BELOW_PT if has_axis_text else 24.0
    axes_height = (table.rows.last + 1.2) * STYLE.row_height_pt
    width = left + plot + columns.right + STYLE.margin_pt
    height = top + axes_height + bottom
    fig = new_figure(width / 72.0, height / 72.0)
    ax = fig.add_axes((left / width, bottom / height, plot / width, axes_height / height))
    return fig, ax


def _draw_columns(ax: Axes, table: ForestTable, columns: _Columns) -> None:
    """Header, labels, estimate and weight columns, and the rule under the header."""
    left, right = _edge_transform(ax, 0.0), _edge_transform(ax, 1.0)
    gap = STYLE.column_gap_pt
    label_x = -columns.left
    estimate_x = gap + columns.estimate
    weight_x = None if columns.weight is None else estimate_x + gap + columns.weight
    regular, bold, small = font(), font(weight="bold"), font(size=STYLE.small_font_size)
    rows = table.rows

    # (x, y, text, font, tag): negative x is the left-hand label column, positive the right.
    cells: list[tuple[float | None, float, str, FontProperties, str]] = [
        (label_x, 0.0, table.headers[0], bold, "header"),
        (estimate_x, 0.0, table.headers[1], bold, "header"),
        (weight_x, 0.0, table.headers[2], bold, "header"),
    ]
    cells += [(label_x, y, text, bold, "heading") for y, text in rows.headings]
    for i, y in enumerate(rows.study.tolist()):
        cells.append((label_x, y, table.names[i], regular, "label"))
        cells.append((estimate_x, y, table.study_texts[i], regular, "estimate"))
        if table.weight_texts:
            cells.append((weight_x, y, table.weight_texts[i], regular, "weight"))
    for y, row, text in zip(rows.pooled, table.pooled, table.pooled_texts, strict=True):
        cells.append((label_x, y, row.label, bold, "pooled_label"))
        cells.append((estimate_x, y, text, bold, "estimate"))
    if rows.prediction is not None:
        cells.append((label_x, rows.prediction, _PREDICTION_LABEL, regular, "pi_label"))
        cells.append((estimate_x, rows.prediction, table.prediction_text, regular, "estimate"))
    cells += [
        (label_x, y, text, small, "note") for y, text in zip(rows.notes, table.notes, strict=True)
    ]

    for x, y, text, properties, tag in cells:
        if x is None:
            continue
        ax.text(
            x,
            y,
            text,
            transform=left if x < 0 else right,
            ha="left" if x < 0 else "right",
            va="center",
            fontproperties=properties,
            color=STYLE.ink,
            clip_on=False,
            label=f"_forest_{tag}",
        )
    for x0, x1, transform in (
        (label_x, 0.0, left),
        (0.0, 1.0, ax.get_yaxis_transform()),
        (0.0, columns.right, right),
    ):
        ax.add_artist(
            Line2D(
                (x0, x1),
                (0.5, 0.5),
                transform=transform,
                color=STYLE.ink,
                linewidth=0.6,
                clip_on=False,
                label="_forest_rule",
            )
        )


def _draw_marks(ax: Axes, table: ForestTable, limits: tuple[float, float]) -> None:
    """Squares and interval lines, diamonds, the prediction bar and the null line."""
    rows = table.rows
    effect, low, high = table.studies.T
    ax.hlines(
        rows.study,
        low,
        high,
        colors=STYLE.ink,
        linewidths=STYLE.line_width,
        label="_forest_ci",
        zorder=2,
    )
    ax.scatter(
        effect,
        rows.study,
        s=_square_sizes(table.weights, effect.size),
        marker="s",
        color=STYLE.study,
        linewidths=0.0,
        label="_forest_studies",
        zorder=3,
    )
    _draw_clip_arrows(ax, rows.study, low, high, *limits)
    h = _DIAMOND_HALF_HEIGHT
    for y, (e, lo, hi) in zip(rows.pooled, table.pooled_shown, strict=True):
        ax.add_patch(
            Polygon(
                [(lo, y), (e, y - h), (hi, y), (e, y + h)],
                closed=True,
                facecolor=STYLE.pooled,
                edgecolor=STYLE.pooled,
                linewidth=0.5,
                label="_forest_pooled",
                zorder=3,
            )
        )
    if table.prediction is not None and rows.prediction is not None:
        y = rows.prediction
        ax.plot(
            table.prediction,
            [y, y],
            color=STYLE.prediction,
            linewidth=1.6,
            marker="|",
            markersize=7,
            markeredgewidth=1.6,
            label="_forest_prediction",
            zorder=3,
        )
    if table.null is not None:
        ax.vlines(
            table.null,
            0.5,
            rows.last_data + 0.5,
            colors=STYLE.reference,
            linewidths=0.8,
            linestyles=(0, (4, 3)),
            label="_forest_null",
            zorder=1,
        )


def _draw_clip_arrows(
    ax: Axes,
    ys: NDArray[np.float64],
    low: NDArray[np.float64],
    high: NDArray[np.float64],
    lo_limit: float,
    hi_limit: float,
) -> None:
    """Arrowheads at the axis limits for intervals that run past them (metafor's ``alim``)."""
    for mask, x, marker in ((low < lo_limit, lo_limit, "<"), (high > hi_limit, hi_limit, ">")):
        if mask.any():
            ax.plot(
                np.full(int(mask.sum()), x),
                ys[mask],
                linestyle="none",
                marker=marker,
                markersize=5,
                color=STYLE.ink,
                clip_on=False,
                label="_forest_arrow",
                zorder=3,
            )


def _draw_favours(ax: Axes, null_shown: float, favours: tuple[str, str]) -> None:
    left_text, right_text = favours
    for text, sign, ha in ((left_text, -1.0, "right"), (right_text, 1.0, "left")):
        ax.annotate(
            text,
            xy=(null_shown, 0.0),
            xycoords=ax.get_xaxis_transform(),
            xytext=(sign * 4.0, -_FAVOURS_OFFSET_PT),
            textcoords="offset points",
            ha=ha,
            va="top",
            fontproperties=font(size=STYLE.small_font_size),
            color=STYLE.ink,
            annotation_clip=False,
            label="_forest_favours",
        )
