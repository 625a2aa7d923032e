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
    ScaledTranslation,
    Transform,
    blended_transform_factory,
)
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import DataError, InputLocation
from evsynth.plots import _scale
from evsynth.plots._style import (
    STYLE,
    font,
    max_width_pt,
    new_figure,
    plain_axes,
    root_figure,
)
from evsynth.plots._validate import (
    as_labels,
    as_vector,
    check_interval,
    check_lengths,
    check_level,
)

__all__ = ["forest_plot"]

_REQUIRED_KEYS = ("label", "estimate", "ci_low", "ci_high")
_OPTIONAL_KEYS = ("subgroup",)
_PREDICTION_LABEL = "Prediction interval"
_MAX_SQUARE_PT = 11.0  # side of the heaviest study's square
_MIN_SQUARE_PT = 2.5  # smaller squares would vanish in print
_EQUAL_SQUARE_PT = 6.0  # side used when no weights are given
_DIAMOND_HALF_HEIGHT = 0.3  # in rows
_PLOT_WIDTH_PT = 216.0  # 3 inches of plotting area
_AXIS_BELOW_PT = 56.0  # tick labels, "favours" labels and the axis title
_FAVOURS_OFFSET_PT = 21.0  # below the axis line, clear of the tick labels


@dataclass(frozen=True, slots=True)
class _Pooled:
    label: str
    estimate: float
    ci_low: float
    ci_high: float
    subgroup: str | None


@dataclass(frozen=True, slots=True)
class _Rows:
    """Row positions (header at 0, increasing downwards)."""

    study: NDArray[np.float64]
    headings: list[tuple[float, str]]
    pooled: list[float]
    prediction: float | None
    notes: list[float]
    last_data: float
    last: float


def _read_pooled(pooled: Sequence[Mapping[str, object]] | None) -> list[_Pooled]:
    if pooled is None:
        return []
    rows: list[_Pooled] = []
    for j, row in enumerate(pooled):
        where = InputLocation(row=j + 1, field="pooled")
        missing = [k for k in _REQUIRED_KEYS if k not in row]
        unknown = [k for k in row if k not in _REQUIRED_KEYS + _OPTIONAL_KEYS]
        if missing or unknown:
            problem = f"missing {missing}" if missing else f"unknown keys {unknown}"
            raise DataError(
                f"summary row {problem}",
                location=where,
                hint=f"give the keys {', '.join(_REQUIRED_KEYS)} and optionally 'subgroup'",
            )
        values = []
        for key in _REQUIRED_KEYS[1:]:
            value = row[key]
            if not isinstance(value, int | float | np.number) or not np.isfinite(float(value)):
                raise DataError(
                    f"summary row {key}={value!r} is not a finite number",
                    location=where,
                )
            values.append(float(value))
        check_interval(
            np.array(values[:1]),
            np.array(values[1:2]),
            np.array(values[2:]),
            names=("pooled estimate", "pooled ci_low", "pooled ci_high"),
        )
        subgroup = row.get("subgroup")
        rows.append(
            _Pooled(
                str(row["label"]),
                values[0],
                values[1],
                values[2],
                None if subgroup is None else str(subgroup),
            )
        )
    return rows


def _layout(
    n_studies: int,
    subgroups: list[str] | None,
    pooled: list[_Pooled],
    has_prediction: bool,
    n_notes: int,
) -> _Rows:
    study = np.zeros(n_studies)
    pooled_y = [0.0] * len(pooled)
    headings: list[tuple[float, str]] = []
    y = 1.0
    if subgroups is None:
        for j, row in enumerate(pooled):
            if row.subgroup is not None:
                raise DataError(
                    f"summary row names subgroup {row.subgroup!r} but no subgroups were given",
                    location=InputLocation(row=j + 1, field="pooled"),
                    hint="pass subgroups=, one name per study, or drop the 'subgroup' key",
                )
        study[:] = np.arange(1.0, n_studies + 1.0)
        y = n_studies + 1.0
        if pooled or has_prediction:
            y += 1.0  # a blank row between the studies and the summaries, as metafor leaves
    else:
        order = list(dict.fromkeys(subgroups))
        for j, row in enumerate(pooled):
            if row.subgroup is not None and row.subgroup not in order:
                raise DataError(
                    f"summary row names subgroup {row.subgroup!r}, which no study belongs to",
                    location=InputLocation(row=j + 1, field="pooled"),
                    hint=f"choose one of {', '.join(order)}",
                )
        for group in order:
            headings.append((y, group))
            y += 1.0
            for i, name in enumerate(subgroups):
                if name == group:
                    study[i] = y
                    y += 1.0
            for j, row in enumerate(pooled):
                if row.subgroup == group:
                    pooled_y[j] = y
                    y += 1.0
            y += 1.0
    for j, row in enumerate(pooled):
        if row.subgroup is None:
            pooled_y[j] = y
            y += 1.0
    prediction = None
    if has_prediction:
        prediction = y
        y += 1.0
    last_data = y - 1.0
    notes = [y + k for k in range(n_notes)]
    return _Rows(study, headings, pooled_y, prediction, notes, last_data, y + n_notes - 1.0)


def _edge_transform(ax: Axes, edge: float) -> Transform:
    """x in points from the axes' left (``edge=0``) or right (``edge=1``) side; y in data units.

    Offsets in points rather than axes fractions keep the text columns the same distance from
    the plot whatever the figure size or output resolution.
    """
    fig = root_figure(ax)
    x_transform = (
        Affine2D().scale(1.0 / 72.0)
        + fig.dpi_scale_trans
        + ScaledTranslation(edge, 0.0, ax.transAxes)
    )
    return blended_transform_factory(x_transform, ax.transData)


def _text(
    ax: Axes,
    transform: Transform,
    x: float,
    y: float,
    text: str,
    properties: FontProperties,
    *,
    ha: str,
    tag: str,
) -> None:
    ax.text(
        x,
        y,
        text,
        transform=transform,
        ha=ha,
        va="center",
        fontproperties=properties,
        color=STYLE.ink,
        clip_on=False,
        label=f"_forest_{tag}",
    )


def _square_sizes(weights: NDArray[np.float64] | None, n: int) -> NDArray[np.float64]:
    """Marker areas in points²: proportional to weight, floored at a visible minimum."""
    if weights is None:
        return np.full(n, _EQUAL_SQUARE_PT**2)
    areas = _MAX_SQUARE_PT**2 * weights / weights.max()
    return np.maximum(areas, _MIN_SQUARE_PT**2)


def _read_weights(weights: ArrayLike | None, n: int) -> NDArray[np.float64] | None:
    if weights is None:
        return None
    w = as_vector(weights, "weights")
    check_lengths(effect=n, weights=w.size)
    negative = np.flatnonzero(w < 0.0)
    if negative.size:
        row = int(negative[0])
        raise DataError(
            f"weights has a negative value ({w[row]:g})",
            location=InputLocation(row=row + 1, field="weights"),
            hint="weights are inverse variances or percentages and cannot be negative",
        )
    if not w.sum() > 0.0:
        raise DataError("weights are all zero", hint="pass weights=None for equal-size squares")
    return w


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
    names = as_labels(labels, "labels")
    est = as_vector(effect, "effect")
    low = as_vector(ci_low, "ci_low")
    high = as_vector(ci_high, "ci_high")
    n = check_lengths(labels=len(names), effect=est.size, ci_low=low.size, ci_high=high.size)
    check_interval(est, low, high)
    w = _read_weights(weights, n)
    summaries = _read_pooled(pooled)
    groups = None
    if subgroups is not None:
        groups = as_labels(subgroups, "subgroups")
        check_lengths(labels=n, subgroups=len(groups))
    pi: NDArray[np.float64] | None = None
    if prediction is not None:
        pi = as_vector(prediction, "prediction")
        if pi.size != 2 or pi[0] > pi[1]:
            raise DataError(
                f"prediction must be (low, high) with low <= high (got {tuple(pi.tolist())})"
            )
    notes = [] if extra_rows is None else as_labels(extra_rows, "extra_rows")
    level = check_level(level)
    rows = _layout(n, groups, summaries, pi is not None, len(notes))

    log = _scale.uses_log_scale(transform, log_scale)
    shown = {
        "effect": _scale.apply(transform, est, "effect"),
        "ci_low": _scale.apply(transform, low, "ci_low"),
        "ci_high": _scale.apply(transform, high, "ci_high"),
    }
    pooled_arrays = np.array([[s.estimate, s.ci_low, s.ci_high] for s in summaries]).reshape(-1, 3)
    pooled_shown = _scale.apply(transform, pooled_arrays, "pooled")
    pi_shown = None if pi is None else _scale.apply(transform, pi, "prediction")
    null_shown = None
    if null_value is not None:
        null_shown = float(_scale.apply(transform, np.array([float(null_value)]), "null_value")[0])
    everything = np.concatenate(
        [
            shown["ci_low"],
            shown["ci_high"],
            pooled_shown.ravel(),
            np.array([] if pi_shown is None else pi_shown),
            np.array([] if null_shown is None else [null_shown]),
        ]
    )
    if log:
        _scale.require_positive(everything, "the drawn values")

    estimate_texts = [
        f"{_scale.format_number(e, digits)} {_scale.format_interval(lo, hi, digits)}"
        for e, lo, hi in zip(shown["effect"], shown["ci_low"], shown["ci_high"], strict=True)
    ]
    pooled_texts = [
        f"{_scale.format_number(e, digits)} {_scale.format_interval(lo, hi, digits)}"
        for e, lo, hi in pooled_shown
    ]
    pi_text = "" if pi_shown is None else _scale.format_interval(*pi_shown, digits)
    weight_texts = [] if w is None else [f"{p:.1f}%" for p in 100.0 * w / w.sum()]
    headers = ("Study", f"Estimate [{100 * level:g}% CI]", "Weight")

    regular, bold, small = font(), font(weight="bold"), font(size=STYLE.small_font_size)
    gap = STYLE.column_gap_pt
    label_width = max(
        max_width_pt(names + ([_PREDICTION_LABEL] if pi is not None else []), regular),
        max_width_pt([headers[0]] + [h for _, h in rows.headings], bold),
        max_width_pt([s.label for s in summaries], bold),
    )
    estimate_width = max(
        max_width_pt(estimate_texts + pooled_texts + [pi_text], regular),
        max_width_pt([headers[1]], bold),
    )
    weight_width = max(max_width_pt(weight_texts, regular), max_width_pt([headers[2]], bold))
    right_width = gap + estimate_width + (gap + weight_width if w is not None else 0.0)

    owned = ax is None
    if ax is None:
        plot_width = max(_PLOT_WIDTH_PT, max_width_pt(notes, small) - label_width - gap)
        left = STYLE.margin_pt + label_width + gap
        top = STYLE.margin_pt + (2.0 * STYLE.title_font_size if title else 0.0)
        bottom = _AXIS_BELOW_PT if favours or xlabel else 24.0
        axes_height = (rows.last + 1.2) * STYLE.row_height_pt
        width = left + plot_width + right_width + STYLE.margin_pt
        height = top + axes_height + bottom
        fig = new_figure(width / 72.0, height / 72.0)
        ax = fig.add_axes(
            (left / width, bottom / height, plot_width / width, axes_height / height)
        )
    fig = root_figure(ax)
    left_edge, right_edge = _edge_transform(ax, 0.0), _edge_transform(ax, 1.0)
    label_x = -(gap + label_width)
    estimate_x = gap + estimate_width
    weight_x = estimate_x + gap + weight_width

    # Header row and the rule under it, spanning all columns.
    _text(ax, left_edge, label_x, 0.0, headers[0], bold, ha="left", tag="header")
    _text(ax, right_edge, estimate_x, 0.0, headers[1], bold, ha="right", tag="header")
    if w is not None:
        _text(ax, right_edge, weight_x, 0.0, headers[2], bold, ha="right", tag="header")
    rule = {"color": STYLE.ink, "linewidth": 0.6, "clip_on": False, "label": "_forest_rule"}
    ax.add_artist(Line2D([label_x, 0.0], [0.5, 0.5], transform=left_edge, **rule))
    ax.add_artist(Line2D([0.0, 1.0], [0.5, 0.5], transform=ax.get_yaxis_transform(), **rule))
    ax.add_artist(Line2D([0.0, right_width], [0.5, 0.5], transform=right_edge, **rule))

    for y, heading in rows.headings:
        _text(ax, left_edge, label_x, y, heading, bold, ha="left", tag="heading")
    for i in range(n):
        y = float(rows.study[i])
        _text(ax, left_edge, label_x, y, names[i], regular, ha="left", tag="label")
        _text(ax, right_edge, estimate_x, y, estimate_texts[i], regular, ha="right", tag="estimate")
        if w is not None:
            _text(ax, right_edge, weight_x, y, weight_texts[i], regular, ha="right", tag="weight")

    ax.hlines(
        rows.study,
        shown["ci_low"],
        shown["ci_high"],
        colors=STYLE.ink,
        linewidths=STYLE.line_width,
        label="_forest_ci",
        zorder=2,
    )
    ax.scatter(
        shown["effect"],
        rows.study,
        s=_square_sizes(w, n),
        marker="s",
        color=STYLE.study,
        linewidths=0.0,
        label="_forest_studies",
        zorder=3,
    )

    for j, summary in enumerate(summaries):
        y = rows.pooled[j]
        e, lo, hi = pooled_shown[j]
        h = _DIAMOND_HALF_HEIGHT
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
        _text(ax, left_edge, label_x, y, summary.label, bold, ha="left", tag="pooled_label")
        _text(ax, right_edge, estimate_x, y, pooled_texts[j], bold, ha="right", tag="estimate")

    if pi_shown is not None and rows.prediction is not None:
        y = rows.prediction
        ax.plot(
            pi_shown,
            [y, y],
            color=STYLE.prediction,
            linewidth=1.6,
            marker="|",
            markersize=7,
            markeredgewidth=1.6,
            label="_forest_prediction",
            zorder=3,
        )
        _text(ax, left_edge, label_x, y, _PREDICTION_LABEL, regular, ha="left", tag="pi_label")
        _text(ax, right_edge, estimate_x, y, pi_text, regular, ha="right", tag="estimate")

    for y, note in zip(rows.notes, notes, strict=True):
        _text(ax, left_edge, label_x, y, note, small, ha="left", tag="note")

    if xlim is None:
        lo_limit, hi_limit = _scale.padded_limits(everything.min(), everything.max(), log=log)
    else:
        lo_limit, hi_limit = (float(v) for v in xlim)
        if not lo_limit < hi_limit or (log and lo_limit <= 0.0):
            raise DataError(f"xlim={xlim!r} must be (low, high) with low < high (and low > 0 on a log axis)")
    _scale.set_effect_axis(ax, lo_limit, hi_limit, log=log)
    ax.set_ylim(rows.last + 0.6, -0.6)
    _draw_clip_arrows(ax, rows.study, shown["ci_low"], shown["ci_high"], lo_limit, hi_limit)

    if null_shown is not None:
        ax.vlines(
            null_shown,
            0.5,
            rows.last_data + 0.5,
            colors=STYLE.reference,
            linewidths=0.8,
            linestyles=(0, (4, 3)),
            label="_forest_null",
            zorder=1,
        )
        if favours is not None and lo_limit < null_shown < hi_limit:
            _draw_favours(ax, null_shown, favours)

    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    plain_axes(ax)
    ax.set_xlabel(xlabel, fontproperties=regular, labelpad=17.0 if favours else 4.0)
    if title:
        if owned:
            fig.text(
                STYLE.margin_pt / (fig.get_figwidth() * 72.0),
                1.0 - STYLE.margin_pt / (fig.get_figheight() * 72.0),
                title,
                ha="left",
                va="top",
                fontproperties=font(size=STYLE.title_font_size, weight="bold"),
            )
        else:
            ax.set_title(title, loc="left", fontproperties=font(size=STYLE.title_font_size, weight="bold"))
    return fig


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
