"""Funnel plots of effect against standard error, modelled on metafor's ``funnel()``.

Conventions, as in metafor:

* the y axis is the standard error, inverted so that the most precise studies (SE 0) are at the
  top and the axis runs down to the largest SE in the data (Sterne & Egger 2001,
  doi:10.1016/S0895-4356(01)00377-8, recommend SE over sample size or precision);
* a solid vertical line marks the pooled ``estimate`` and dashed lines the pseudo-confidence
  region ``estimate ± z * se``, inside which about ``level`` of the studies would fall in the
  absence of heterogeneity and small-study effects;
* ``contour=True`` adds contour-enhanced shading (Peters et al. 2008,
  doi:10.1016/j.jclinepi.2007.11.010) centred on the null value, not the estimate: bands of
  two-sided significance ``p > 0.10``, ``0.05 < p ≤ 0.10``, ``0.01 < p ≤ 0.05`` and
  ``p ≤ 0.01``, darker where more significant, so that missing studies can be judged against
  where non-significant studies would lie;
* ``egger_line`` draws a fitted small-study regression line, such as Egger's test rearranged as
  effect against SE, over the whole SE axis.

Ratio measures are passed on the log scale with ``transform=np.exp`` and drawn on a log axis.
Artists shown in the legend carry their legend text as label (``"Studies"``, ``"Pooled
estimate"``, ...); the others carry labels starting with ``_funnel_`` (``_funnel_contour``,
``_funnel_null``, ``_funnel_label``) so that tests and callers can find them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import DataError, EvsynthError, InputLocation
from evsynth.plots import _scale
from evsynth.plots._style import STYLE, font, new_figure, plain_axes, root_figure
from evsynth.plots._validate import (
    as_labels,
    as_scalar,
    as_vector,
    check_lengths,
    check_level,
    normal_quantile,
)

__all__ = ["funnel_plot"]

_CONTOUR_LEVELS = (0.90, 0.95, 0.99)
_SE_HEADROOM = 1.05  # the SE axis runs a little past the least precise study
_LINE_POINTS = 101  # samples along the SE axis for the regression line
_FIGSIZE_IN = (6.6, 4.4)


def _shades(n: int) -> list[str]:
    """Greys for ``n`` significance bands beyond the innermost (white), lightest first."""
    return [str(round(float(g), 3)) for g in np.linspace(0.9, 0.7, n)]


def _contour_levels(contour: bool | Sequence[float]) -> tuple[float, ...]:
    if contour is False:
        return ()
    if contour is True:
        return _CONTOUR_LEVELS
    levels = tuple(sorted({check_level(float(v), "contour level") for v in contour}))
    if not levels:
        raise EvsynthError("contour has no levels", hint="Pass True or e.g. (0.90, 0.95, 0.99)")
    return levels


def _p_value(alpha: float) -> str:
    """Two decimals (0.05, 0.10) unless that would round the level away (0.001)."""
    text = f"{alpha:.2f}"
    return text if abs(float(text) - alpha) < 1e-9 else f"{alpha:g}"


def _p_label(low: float | None, high: float | None) -> str:
    """Legend text for the band ``low < p <= high``; None leaves a side open."""
    if low is None and high is not None:
        return f"p ≤ {_p_value(high)}"
    if high is None and low is not None:
        return f"p > {_p_value(low)}"
    return f"{_p_value(low or 0.0)} < p ≤ {_p_value(high or 0.0)}"


def _region(
    centre: float, z: float, se_max: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Vertices of the triangle ``centre ± z * se`` for ``0 <= se <= se_max`` (analysis scale)."""
    x = np.array([centre - z * se_max, centre, centre + z * se_max])
    y = np.array([se_max, 0.0, se_max])
    return x, y


def funnel_plot(
    effect: ArrayLike,
    se: ArrayLike,
    *,
    estimate: float,
    ax: Axes | None = None,
    level: float = 0.95,
    contour: bool | Sequence[float] = False,
    xlabel: str = "Effect",
    labels: Sequence[str] | None = None,
    egger_line: Callable[[NDArray[np.float64]], ArrayLike] | None = None,
    null_value: float = 0.0,
    transform: _scale.Transform | None = None,
    log_scale: bool | None = None,
    title: str | None = None,
) -> Figure:
    """Draw a funnel plot: study effects against their standard errors.

    Parameters
    ----------
    effect : array_like
        Study estimates on the analysis scale (e.g. log odds ratios).
    se : array_like
        Their standard errors, all positive.
    estimate : float
        Pooled estimate on the analysis scale; the funnel is centred on it.
    ax : matplotlib.axes.Axes, optional
        Axes to draw in; its figure is returned. The legend is placed beside the axes, so leave
        room for it. Without ``ax`` a new figure is created.
    level : float, optional
        Coverage of the pseudo-confidence region; 0.95 by default.
    contour : bool or sequence of float, optional
        True shades significance contours at the 90%, 95% and 99% levels around
        ``null_value`` (Peters et al. 2008); a sequence gives other levels.
    xlabel : str, optional
        Title of the effect axis, e.g. ``"Log odds ratio"``.
    labels : sequence of str, optional
        Study labels written beside the points.
    egger_line : callable, optional
        Function from standard error (array) to effect on the analysis scale, drawn over the SE
        axis; e.g. from Egger's regression ``effect/se = b0 + b1/se`` (Egger et al. 1997,
        doi:10.1136/bmj.315.7109.629) rearranged as ``lambda s: b1 + b0 * s``.
    null_value : float, optional
        Effect of no difference on the analysis scale, the centre of the contours.
    transform : callable, optional
        Element-wise function from the analysis scale to the displayed one, e.g. ``np.exp``.
    log_scale : bool, optional
        Log effect axis; by default, exactly when ``transform`` is ``np.exp``.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in (that of ``ax`` when given).

    Raises
    ------
    evsynth.DataError
        If the inputs differ in length, are not finite, or a standard error is not positive.

    Examples
    --------
    >>> fig = funnel_plot([0.1, -0.3, 0.4, 0.2], [0.1, 0.2, 0.3, 0.15], estimate=0.08)
    >>> bottom, top = fig.axes[0].get_ylim()
    >>> bool(top == 0.0 and bottom > top)  # inverted: SE 0 at the top
    True
    """
    est = as_vector(effect, "effect")
    errors = as_vector(se, "se")
    names = None if labels is None else as_labels(labels, "labels")
    lengths = {"effect": est.size, "se": errors.size}
    if names is not None:
        lengths["labels"] = len(names)
    check_lengths(**lengths)
    nonpositive = np.flatnonzero(errors <= 0.0)
    if nonpositive.size:
        row = int(nonpositive[0])
        raise DataError(
            f"se is {errors[row]:g}; standard errors must be positive",
            location=InputLocation(row=row + 1, field="se"),
            hint="Check the column holds standard errors, not variances or effects",
        )
    centre = as_scalar(estimate, "estimate")
    null = as_scalar(null_value, "null_value")
    level = check_level(level)
    bands = _contour_levels(contour)
    log = _scale.uses_log_scale(transform, log_scale)

    se_max = float(errors.max()) * _SE_HEADROOM
    z = normal_quantile(level)
    region_x, region_y = _region(centre, z, se_max)
    widest = [region_x]
    if bands:
        widest.append(_region(null, normal_quantile(bands[-1]), se_max)[0])
    shown = _scale.apply(transform, est, "effect")
    edges = _scale.apply(transform, np.concatenate([*widest, [centre, null]]), "funnel")
    if log:
        _scale.require_positive(np.concatenate([shown, edges]), "the drawn values")

    fig: Figure
    if ax is None:
        fig = new_figure(*_FIGSIZE_IN, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = root_figure(ax)

    legend = [] if not bands else _draw_contours(ax, null, bands, se_max, transform)
    ax.plot(
        _scale.apply(transform, region_x, "funnel"),
        region_y,
        color=STYLE.ink,
        linewidth=0.9,
        linestyle=(0, (4, 3)),
        label=f"{100 * level:g}% pseudo-confidence region",
        zorder=2,
    )
    ax.axvline(
        float(_scale.apply(transform, np.array([centre]), "estimate")[0]),
        color=STYLE.ink,
        linewidth=1.0,
        label="Pooled estimate",
        zorder=2,
    )
    if egger_line is not None:
        grid = np.linspace(0.0, se_max, _LINE_POINTS)
        line = as_vector(np.asarray(egger_line(grid), dtype=np.float64).reshape(-1), "egger_line")
        if line.size != grid.size:
            raise EvsynthError(
                "egger_line must return one effect for each standard error it is given",
                hint="Pass an element-wise function such as lambda s: b1 + b0 * s",
            )
        ax.plot(
            _scale.apply(transform, line, "egger_line"),
            grid,
            color=STYLE.regression,
            linewidth=1.4,
            linestyle=(0, (1.5, 1.5)),
            label="Regression line",
            zorder=2,
        )
    ax.scatter(
        shown,
        errors,
        s=28,
        color=STYLE.study,
        edgecolors=STYLE.ink,
        linewidths=0.6,
        label="Studies",
        zorder=3,
    )
    if names is not None:
        for x, y, name in zip(shown, errors, names, strict=True):
            ax.annotate(
                name,
                xy=(x, y),
                xytext=(4.0, 3.0),
                textcoords="offset points",
                fontproperties=font(size=STYLE.small_font_size),
                color=STYLE.ink,
                label="_funnel_label",
            )

    _finish_axes(ax, shown, edges, se_max, log=log, xlabel=xlabel, title=title)
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(
        handles=[*handles, *legend],
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        frameon=False,
        prop=font(size=STYLE.small_font_size),
    )
    return fig


def _draw_contours(
    ax: Axes,
    null: float,
    bands: tuple[float, ...],
    se_max: float,
    transform: _scale.Transform | None,
) -> list[Patch]:
    """Shade significance bands around ``null``; return their legend entries (Peters 2008)."""
    shades = _shades(len(bands))
    alphas = [1.0 - b for b in bands]
    # Widest band first so that each narrower one is painted over it; beyond the widest, the
    # axes background carries the darkest shade (p below the smallest alpha).
    for k in range(len(bands) - 1, -1, -1):
        x, y = _region(null, normal_quantile(bands[k]), se_max)
        ax.fill(
            _scale.apply(transform, x, "funnel"),
            y,
            facecolor="white" if k == 0 else shades[k - 1],
            edgecolor="none",
            label="_funnel_contour",
            zorder=0,
        )
    ax.set_facecolor(shades[-1])
    ax.axvline(
        float(_scale.apply(transform, np.array([null]), "null_value")[0]),
        color=STYLE.reference,
        linewidth=0.8,
        linestyle=":",
        label="_funnel_null",
        zorder=1,
    )
    legend = [Patch(facecolor="white", edgecolor=STYLE.reference, label=_p_label(alphas[0], None))]
    for k in range(1, len(bands)):
        legend.append(Patch(facecolor=shades[k - 1], label=_p_label(alphas[k], alphas[k - 1])))
    legend.append(Patch(facecolor=shades[-1], label=_p_label(None, alphas[-1])))
    return legend


def _finish_axes(
    ax: Axes,
    shown: NDArray[np.float64],
    edges: NDArray[np.float64],
    se_max: float,
    *,
    log: bool,
    xlabel: str,
    title: str | None,
) -> None:
    everything = np.concatenate([shown, edges])
    low, high = _scale.padded_limits(float(everything.min()), float(everything.max()), log=log)
    _scale.set_effect_axis(ax, low, high, log=log)
    ax.set_ylim(se_max, 0.0)  # inverted: the most precise studies at the top
    plain_axes(ax)
    ax.set_xlabel(xlabel, fontproperties=font())
    ax.set_ylabel("Standard error", fontproperties=font())
    if title:
        ax.set_title(
            title, loc="left", fontproperties=font(size=STYLE.title_font_size, weight="bold")
        )
