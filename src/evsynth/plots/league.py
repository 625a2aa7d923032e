"""League tables of a network meta-analysis drawn as a heat map, after netmeta's ``netleague()``.

Layout, as in netmeta: treatment names run down the diagonal, and cell ``(i, j)`` holds the
estimate of the row treatment ``i`` versus the column treatment ``j`` with its confidence
interval. A full matrix of network estimates gives the usual table, whose two triangles mirror
each other; to show network estimates in one triangle and direct estimates in the other, as
``netleague()`` does, build the matrix that way and leave cells without an estimate as NaN.

Colour follows the estimate on the analysis scale (log ratios for OR, RR and HR), on a diverging
colour map centred on the null value, so that ratios of 1/2 and 2 are equally strong. The map's
high end marks results that favour the row treatment, taking ``higher_is_better`` into account;
the default ``"RdBu"`` (ColorBrewer, Harrower & Brewer 2003, doi:10.1179/000870403235002042) is
safe for the common colour-vision deficiencies. Cells whose interval excludes the null are
emphasised: full colour and bold text; the others are faded halfway to white. Text in each cell
is black or white, whichever has the higher contrast with the cell (WCAG 2.1).

Drawn artists carry labels starting with ``_league_`` (``_league_cell``, ``_league_diagonal``,
``_league_name``, ``_league_text``, ``_league_note``) so that tests and callers can find them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.typing import ColorType
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import DataError, EvsynthError, InputLocation
from evsynth.plots import _scale
from evsynth.plots._palette import text_color_on
from evsynth.plots._style import STYLE, TextMeasure, font, new_figure, root_figure
from evsynth.plots._validate import as_labels, as_scalar, check_level

__all__ = ["league_heatmap"]

_FADE = 0.5  # share of white mixed into the colour of a non-significant cell
_DIAGONAL = "#E8E8E8"
_MISSING_TEXT = "\N{EN DASH}"
_CELL_PAD_X_PT = 6.0
_CELL_PAD_Y_PT = 5.0
_LINE_HEIGHT = 1.25  # in units of the font size
_NOTE_GAP_PT = 6.0
_MARGIN_PT = 6.0


def league_heatmap(
    treatments: Sequence[str],
    estimate: ArrayLike,
    ci_low: ArrayLike,
    ci_high: ArrayLike,
    *,
    ax: Axes | None = None,
    higher_is_better: bool = True,
    transform: _scale.Transform | None = None,
    null_value: float = 0.0,
    digits: int = 2,
    level: float = 0.95,
    direction: str | None = None,
    title: str | None = None,
    cmap: str | Colormap = "RdBu",
) -> Figure:
    """Draw a league table as a heat map (netmeta's ``netleague()``).

    Parameters
    ----------
    treatments : sequence of str
        Treatment names, in the order of the matrix rows and columns.
    estimate : array_like
        ``(n, n)`` matrix on the analysis scale (e.g. log odds ratios): ``estimate[i, j]`` is
        treatment ``i`` versus treatment ``j``. The diagonal is ignored; NaN marks a cell
        without an estimate, drawn empty.
    ci_low, ci_high : array_like
        ``(n, n)`` confidence limits, NaN exactly where ``estimate`` is.
    ax : matplotlib.axes.Axes, optional
        Axes to draw in; its figure is returned. The table fills the axes, and the note on the
        direction is written under it, so leave room. Without ``ax`` a new figure is sized so
        that every cell's text fits.
    higher_is_better : bool, optional
        Whether larger values of the outcome are better (response) or worse (mortality, HbA1c).
        With True an estimate above the null favours the row treatment.
    transform : callable, optional
        Element-wise function from the analysis scale to the printed one, e.g. ``np.exp``.
        Colours stay on the analysis scale.
    null_value : float, optional
        Estimate of no difference on the analysis scale (0 for differences and log ratios).
    digits : int, optional
        Decimals printed.
    level : float, optional
        Confidence level of the intervals given, used in the note only.
    direction : str, optional
        First sentence of the note under the table, replacing the default
        ``"Row versus column: values above 0 favour the row treatment."``.
    title : str, optional
        Axes title.
    cmap : str or matplotlib.colors.Colormap, optional
        Diverging colour map; its high end marks results favouring the row treatment.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in (that of ``ax`` when given).

    Raises
    ------
    evsynth.DataError
        If the matrices are not ``(n, n)``, a treatment is repeated, a value is infinite, NaN
        cells disagree, or an interval is reversed or excludes its estimate.
    evsynth.EvsynthError
        If ``cmap`` is not a known colour map or ``transform`` is not element-wise.

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array([[0.0, 0.4], [-0.4, 0.0]])
    >>> fig = league_heatmap(["A", "B"], d, d - 0.2, d + 0.2)
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_label() == "_league_name")
    ['A', 'B']
    """
    names = _names(treatments)
    n = len(names)
    est, low, high = _matrices(estimate, ci_low, ci_high, names)
    null = as_scalar(null_value, "null_value")
    level = check_level(level)
    if int(digits) != digits or digits < 0:
        raise EvsynthError(f"digits={digits!r} must be a whole number >= 0", hint="2 suits most")
    colour_map = _colour_map(cmap)

    off = ~np.eye(n, dtype=bool) & np.isfinite(est)
    sign = 1.0 if higher_is_better else -1.0
    significant = off & ((low > null) | (high < null))
    faces = _face_colours(est, off, significant, null, sign, colour_map)
    texts = _cell_texts(est, low, high, off, transform, int(digits))
    null_shown = float(_scale.apply(transform, np.array([null]), "null_value")[0])
    note = _note(direction, higher_is_better, null_shown, level)

    small, bold_small = (
        font(size=STYLE.small_font_size),
        font(size=STYLE.small_font_size, weight="bold"),
    )
    if ax is None:
        fig, ax = _sized_figure(names, texts, note, title)
    fig = root_figure(ax)
    for i in range(n):
        for j in range(n):
            face: ColorType
            if i == j:
                face, text, properties, tag = _DIAGONAL, names[i], bold_small, "diagonal"
            else:
                face, text = faces[i][j], texts[i][j]
                properties = bold_small if significant[i, j] else small
                tag = "cell"
            ax.add_patch(
                Rectangle(
                    (j, i),
                    1.0,
                    1.0,
                    facecolor=face,
                    edgecolor="white",
                    linewidth=1.5,
                    label=f"_league_{tag}",
                )
            )
            ax.text(
                j + 0.5,
                i + 0.5,
                text,
                ha="center",
                va="center",
                multialignment="center",
                linespacing=1.1,
                fontproperties=properties,
                color=text_color_on(face),
                label="_league_name" if i == j else "_league_text",
            )
    ax.set_xlim(0.0, n)
    ax.set_ylim(n, 0.0)  # the first treatment in the top row
    ax.set_axis_off()
    ax.annotate(
        note,
        xy=(0.0, 0.0),
        xycoords="axes fraction",
        xytext=(0.0, -_NOTE_GAP_PT),
        textcoords="offset points",
        ha="left",
        va="top",
        fontproperties=small,
        color=STYLE.ink,
        annotation_clip=False,
        label="_league_note",
    )
    if title:
        ax.set_title(
            title, loc="left", fontproperties=font(size=STYLE.title_font_size, weight="bold")
        )
    return fig


def _names(treatments: Sequence[str]) -> list[str]:
    names = as_labels(treatments, "treatments")
    if len(names) < 2:
        raise DataError(
            f"a league table needs at least two treatments (got {len(names)})",
            hint="Pass every treatment in the network",
        )
    for row, name in enumerate(names):
        if name in names[:row]:
            raise DataError(
                f"treatment {name!r} is given twice",
                location=InputLocation(row=row + 1, field="treatments"),
                hint="Give each treatment once",
            )
    return names


def _matrix(values: ArrayLike, name: str, names: list[str]) -> NDArray[np.float64]:
    n = len(names)
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(
            f"{name} must contain only numbers (NaN where there is no estimate)",
            hint=f"Convert the {name} values to numbers before plotting",
        ) from exc
    if array.shape != (n, n):
        raise DataError(
            f"{name} must be a {n} x {n} matrix, one row and column per treatment "
            f"(got shape {array.shape})",
            hint="Order the rows and columns as treatments",
        )
    np.fill_diagonal(array, np.nan)  # the diagonal holds the names
    infinite = np.argwhere(np.isinf(array))
    if infinite.size:
        i, j = (int(v) for v in infinite[0])
        raise DataError(
            f"{name} of {names[i]} versus {names[j]} is {float(array[i, j])!r}, "
            "not a finite number",
            location=InputLocation(row=i + 1, field=name),
            hint="Use NaN for a comparison without an estimate",
        )
    return array


def _matrices(
    estimate: ArrayLike, ci_low: ArrayLike, ci_high: ArrayLike, names: list[str]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The three matrices, checked for shape, matching NaN cells and ordered intervals."""
    est = _matrix(estimate, "estimate", names)
    low = _matrix(ci_low, "ci_low", names)
    high = _matrix(ci_high, "ci_high", names)
    for other, name in ((low, "ci_low"), (high, "ci_high")):
        mismatch = np.argwhere(np.isnan(est) != np.isnan(other))
        if mismatch.size:
            i, j = (int(v) for v in mismatch[0])
            raise DataError(
                f"estimate and {name} disagree on whether {names[i]} versus {names[j]} has an "
                "estimate (one is NaN)",
                location=InputLocation(row=i + 1, field=name),
                hint="Give each estimate its interval, and NaN in all three where there is none",
            )
    finite = np.isfinite(est)
    slack = 1e-9 * np.maximum(1.0, np.abs(np.where(finite, est, 0.0)))
    reversed_ = np.argwhere(finite & (low > high))
    outside = np.argwhere(finite & ((est < low - slack) | (est > high + slack)))
    for cells, problem in (
        (reversed_, "has ci_low above ci_high"),
        (outside, "lies outside its interval"),
    ):
        if cells.size:
            i, j = (int(v) for v in cells[0])
            raise DataError(
                f"the estimate of {names[i]} versus {names[j]} ({est[i, j]:g}) {problem} "
                f"[{low[i, j]:g}, {high[i, j]:g}]",
                location=InputLocation(row=i + 1, field="estimate"),
                hint="Check that the limits are not swapped and all three are on the same scale",
            )
    return est, low, high


def _colour_map(cmap: str | Colormap) -> Colormap:
    if isinstance(cmap, Colormap):
        return cmap
    try:
        return colormaps[str(cmap)]
    except KeyError as exc:
        raise EvsynthError(
            f"cmap={cmap!r} is not a matplotlib colour map",
            hint="Pass a diverging map such as 'RdBu', 'PuOr' or 'BrBG'",
        ) from exc


def _face_colours(
    est: NDArray[np.float64],
    off: NDArray[np.bool_],
    significant: NDArray[np.bool_],
    null: float,
    sign: float,
    colour_map: Colormap,
) -> list[list[tuple[float, float, float, float]]]:
    """Cell colours: the colour map at the signed distance from the null, centred at 0.5.

    .. math::

        c_{ij} = \\operatorname{cmap}\\left(\\tfrac12 + \\tfrac12 \\, s \\,
        \\frac{\\hat\\theta_{ij} - \\theta_0}{\\max_{kl} |\\hat\\theta_{kl} - \\theta_0|}\\right),
        \\quad s = \\pm 1 \\text{ by } \\texttt{higher\\_is\\_better}

    The scale is symmetric about the null, so equal distances either side get equally strong
    colours; non-significant cells are then mixed halfway with white.
    """
    n = est.shape[0]
    distance = np.where(off, est - null, 0.0)
    reach = float(np.abs(distance).max())
    if reach == 0.0:
        reach = 1.0
    position = 0.5 + 0.5 * sign * distance / reach
    white = np.ones(4)
    faces: list[list[tuple[float, float, float, float]]] = []
    for i in range(n):
        row = []
        for j in range(n):
            if not off[i, j]:
                rgba = np.asarray(to_rgba("white"))
            else:
                rgba = np.asarray(colour_map(float(position[i, j])), dtype=np.float64)
                if not significant[i, j]:
                    rgba = (1.0 - _FADE) * rgba + _FADE * white
            r, g, b, a = (float(v) for v in rgba)
            row.append((r, g, b, a))
        faces.append(row)
    return faces


def _cell_texts(
    est: NDArray[np.float64],
    low: NDArray[np.float64],
    high: NDArray[np.float64],
    off: NDArray[np.bool_],
    transform: _scale.Transform | None,
    digits: int,
) -> list[list[str]]:
    """``"estimate\\n[low, high]"`` on the printed scale; an en dash where there is none."""
    n = est.shape[0]
    filled = np.where(off, est, 0.0), np.where(off, low, 0.0), np.where(off, high, 0.0)
    shown_est, shown_low, shown_high = (
        _scale.apply(transform, values, name)
        for values, name in zip(filled, ("estimate", "ci_low", "ci_high"), strict=True)
    )
    texts: list[list[str]] = []
    for i in range(n):
        row = []
        for j in range(n):
            if i == j:
                row.append("")
            elif not off[i, j]:
                row.append(_MISSING_TEXT)
            else:
                number = _scale.format_number(float(shown_est[i, j]), digits)
                interval = _scale.format_interval(
                    float(shown_low[i, j]), float(shown_high[i, j]), digits
                )
                row.append(f"{number}\n{interval}")
        texts.append(row)
    return texts


def _note(direction: str | None, higher_is_better: bool, null_shown: float, level: float) -> str:
    null_text = f"{null_shown:g}".replace("-", "\N{MINUS SIGN}")
    if direction is None:
        side = "above" if higher_is_better else "below"
        direction = f"Row versus column: values {side} {null_text} favour the row treatment."
    return (
        f"{direction}\nBold, in full colour: the {100 * level:g}% confidence interval excludes "
        f"{null_text}."
    )


def _sized_figure(
    names: list[str], texts: list[list[str]], note: str, title: str | None
) -> tuple[Figure, Axes]:
    """A new figure whose cells fit the widest text and whose height fits two lines a cell."""
    measure = TextMeasure()
    small, bold_small = (
        font(size=STYLE.small_font_size),
        font(size=STYLE.small_font_size, weight="bold"),
    )
    lines = [line for row in texts for text in row for line in text.split("\n")]
    cell_w = 2.0 * _CELL_PAD_X_PT + max(
        measure.width_pt(lines, bold_small), measure.width_pt(names, bold_small)
    )
    cell_h = 2.0 * _CELL_PAD_Y_PT + 2.0 * _LINE_HEIGHT * STYLE.small_font_size
    n = len(names)
    table_w, table_h = n * cell_w, n * cell_h
    note_w = measure.width_pt(note.split("\n"), small)
    note_h = _NOTE_GAP_PT + 2.0 * _LINE_HEIGHT * STYLE.small_font_size
    top = _MARGIN_PT + (2.0 * STYLE.title_font_size if title else 0.0)
    width = 2.0 * _MARGIN_PT + max(table_w, note_w)
    height = top + table_h + note_h + _MARGIN_PT
    fig = new_figure(width / 72.0, height / 72.0)
    bottom = note_h + _MARGIN_PT
    ax = fig.add_axes((_MARGIN_PT / width, bottom / height, table_w / width, table_h / height))
    return fig, ax
