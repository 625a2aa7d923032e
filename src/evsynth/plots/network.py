"""Network graphs of the evidence in a network meta-analysis, modelled on netmeta's ``netgraph()``.

Conventions, as in netmeta:

* treatments are nodes placed on a circle (netmeta's default ``start.layout = "circle"``), the
  first at the top and the others clockwise in the order given;
* a line joins two treatments compared directly in at least one study; its **width** is
  proportional to ``edge_width`` (netmeta's ``thickness``, e.g. the number of studies);
* a node's **area** is proportional to ``node_size`` (e.g. the number of participants), as in
  netmeta's ``cex.points``; the smallest nodes are held at a visible minimum size;
* ``edge_labels`` are written on the lines (netmeta's ``number.of.studies = TRUE``), moved along
  a line where the midpoints of two lines would coincide;
* ``multiarm`` studies are shaded as transparent polygons joining their arms (netmeta's
  ``multiarm = TRUE``).

Treatment labels sit outside the circle, each pushed out along the line from the centre through
its node, clear of the node's edge. Node sizes and label offsets are in points, so they do not
change with the figure size; the axis limits are chosen so that labels fit inside the axes.

Drawn artists carry labels starting with ``_network_`` (``_network_nodes``, ``_network_edges``,
``_network_edge_label``, ``_network_label``, ``_network_multiarm``) so that tests and callers can
find them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import DataError, InputLocation, choice_error
from evsynth.plots._palette import OKABE_ITO
from evsynth.plots._style import STYLE, TextMeasure, font, new_figure, root_figure
from evsynth.plots._validate import as_labels, as_vector

__all__ = ["network_graph"]

_RADIUS_PER_NODE_PT = 13.0  # the circle grows with the number of treatments ...
_MIN_RADIUS_PT = 110.0
_MAX_RADIUS_PT = 300.0  # ... up to about 8 inches across
_MAX_NODE_AREA_PT2 = 24.0**2  # the largest node is 24 pt across
_MIN_NODE_AREA_PT2 = 5.0**2  # smaller nodes would vanish in print
_EQUAL_NODE_AREA_PT2 = 12.0**2  # used when no node sizes are given
_MAX_EDGE_WIDTH_PT = 8.0
_MIN_EDGE_WIDTH_PT = 0.6
_EQUAL_EDGE_WIDTH_PT = 1.5
_MAX_NODE_SHARE = 0.6  # of the distance between the two closest nodes
_LABEL_GAP_PT = 4.0  # between a node's edge and its label
_LINE_HEIGHT = 1.25  # text height per line, in units of the font size
_MARGIN_PT = 8.0
_EDGE_LABEL_CLEARANCE_PT = 20.0  # between the centres of two edge labels
_EDGE_LABEL_POSITIONS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.25, 0.75)  # fractions along the line
_EDGE_COLOR = "#4D4D4D"
_MULTIARM_ALPHA = 0.2


@dataclass(frozen=True, slots=True)
class _Extent:
    """Boxes whose corners sit at ``R * anchor + offset`` points from the centre of the graph.

    ``R`` is the number of points per data unit, unknown until the axes size is known; each row
    of ``anchor`` is in data units and ``low``/``high`` are the box corners' offsets in points.
    """

    anchor: NDArray[np.float64]  # (k, 2)
    low: NDArray[np.float64]  # (k, 2)
    high: NDArray[np.float64]  # (k, 2)

    def span_pt(self, scale: float) -> NDArray[np.float64]:
        """Width and height in points of everything at ``scale`` points per data unit."""
        lo = (scale * self.anchor + self.low).min(axis=0)
        hi = (scale * self.anchor + self.high).max(axis=0)
        span: NDArray[np.float64] = hi - lo
        return span

    def centre(self, scale: float) -> NDArray[np.float64]:
        """Centre of the bounding box in data units."""
        lo = (scale * self.anchor + self.low).min(axis=0)
        hi = (scale * self.anchor + self.high).max(axis=0)
        mid: NDArray[np.float64] = (lo + hi) / (2.0 * scale)
        return mid


def network_graph(
    treatments: Sequence[str],
    edges: Sequence[tuple[str, str]],
    *,
    node_size: ArrayLike | None = None,
    edge_width: ArrayLike | None = None,
    edge_labels: Sequence[object] | None = None,
    multiarm: Sequence[Sequence[str]] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    layout: str | ArrayLike = "circle",
) -> Figure:
    """Draw the network of treatment comparisons (netmeta's ``netgraph()``).

    Parameters
    ----------
    treatments : sequence of str
        Treatment names, one node each, placed clockwise from the top in this order.
    edges : sequence of tuple of str
        Pairs of treatments compared directly, e.g. ``[("Placebo", "Metformin"), ...]``; each
        unordered pair at most once.
    node_size : array_like, optional
        One non-negative number per treatment, e.g. participants randomised; node **area** is
        proportional to it. Without it all nodes are the same size.
    edge_width : array_like, optional
        One non-negative number per edge, e.g. the number of studies; line width is proportional
        to it. Without it all lines are the same width.
    edge_labels : sequence, optional
        One label per edge written on the line, e.g. the number of studies; numbers are printed
        without trailing zeros.
    multiarm : sequence of sequence of str, optional
        Treatments of each multi-arm study (three or more), shaded as a polygon joining them.
    ax : matplotlib.axes.Axes, optional
        Axes to draw in; its figure is returned. The axis limits are set from the axes' current
        size so that the labels fit. Without ``ax`` a new figure is sized to fit.
    title : str, optional
        Axes title.
    layout : {"circle"} or array_like, optional
        ``"circle"`` (the default), or an ``(n, 2)`` array of node coordinates in any units,
        e.g. from a graph-layout routine; labels then point away from the nodes' centroid.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn in (that of ``ax`` when given).

    Raises
    ------
    evsynth.DataError
        If a treatment is repeated, an edge names an unknown treatment or joins a treatment to
        itself or is repeated, a size is negative or not finite, or the inputs differ in length.
    evsynth.EvsynthError
        If ``layout`` is not known.

    Examples
    --------
    >>> fig = network_graph(
    ...     ["Placebo", "Metformin", "Sulfonylurea"],
    ...     [("Placebo", "Metformin"), ("Metformin", "Sulfonylurea")],
    ...     edge_width=[5, 2], edge_labels=[5, 2], node_size=[1200, 900, 400],
    ... )
    >>> len(fig.axes[0].collections[-1].get_offsets())  # one node per treatment
    3
    """
    names = _treatment_names(treatments)
    n = len(names)
    pairs = _edge_pairs(edges, names)
    areas = _node_areas(node_size, names)
    widths = _edge_widths(edge_width, len(pairs))
    edge_texts = _edge_texts(edge_labels, len(pairs))
    polygons = _multiarm_indices(multiarm, names)
    positions = _positions(layout, n)

    fonts = font()
    measure = TextMeasure()
    text_width = np.array([measure.width_pt([name], fonts) for name in names])
    text_height = np.array(
        [_LINE_HEIGHT * STYLE.font_size * (1 + name.count("\n")) for name in names]
    )
    radii = np.sqrt(areas) / 2.0
    directions = _outward(positions)
    extent = _extent(positions, radii, directions, text_width, text_height)

    owned = ax is None
    if ax is None:
        scale = float(np.clip(_RADIUS_PER_NODE_PT * n, _MIN_RADIUS_PT, _MAX_RADIUS_PT))
        width, height = extent.span_pt(scale) + 2.0 * _MARGIN_PT
        top = 2.0 * STYLE.title_font_size if title else 0.0
        fig = new_figure(width / 72.0, (height + top) / 72.0)
        ax = fig.add_axes((0.0, 0.0, 1.0, height / (height + top)))
    fig = root_figure(ax)
    scale = _fit(ax, extent)
    shrink = _crowding(positions, areas, scale)
    if shrink < 1.0:
        # Nodes and lines drawn at full size would overlap on a small circle: shrink them all
        # alike, which keeps areas and widths proportional to the data, then fit again.
        areas, widths = areas * shrink**2, widths * shrink
        radii = np.sqrt(areas) / 2.0
        extent = _extent(positions, radii, directions, text_width, text_height)
        scale = _fit(ax, extent)

    for k, members in enumerate(polygons):
        ax.add_patch(
            Polygon(
                _convex_order(positions[members]),
                closed=True,
                facecolor=OKABE_ITO[k % len(OKABE_ITO)],
                alpha=_MULTIARM_ALPHA,
                edgecolor="none",
                label="_network_multiarm",
                zorder=1,
            )
        )
    ax.add_collection(
        LineCollection(
            [positions[[i, j]] for i, j in pairs],
            linewidths=widths,
            colors=_EDGE_COLOR,
            capstyle="butt",
            label="_network_edges",
            zorder=2,
        )
    )
    if edge_texts is not None:
        _draw_edge_labels(ax, positions, radii, pairs, edge_texts, scale)
    ax.scatter(
        positions[:, 0],
        positions[:, 1],
        s=areas,
        color=STYLE.study,
        edgecolors=STYLE.ink,
        linewidths=0.6,
        clip_on=False,
        label="_network_nodes",
        zorder=4,
    )
    for k, name in enumerate(names):
        ha, va = _alignment(directions[k])
        offset = (radii[k] + _LABEL_GAP_PT) * directions[k]
        ax.annotate(
            name,
            xy=(float(positions[k, 0]), float(positions[k, 1])),
            xytext=(float(offset[0]), float(offset[1])),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontproperties=fonts,
            color=STYLE.ink,
            annotation_clip=False,
            label="_network_label",
            zorder=5,
        )
    ax.set_axis_off()
    if title:
        title_font = font(size=STYLE.title_font_size, weight="bold")
        if owned:
            # In the figure's corner, clear of the top label, rather than over the axes.
            fig.text(
                _MARGIN_PT / (72.0 * fig.get_figwidth()),
                1.0 - _MARGIN_PT / (72.0 * fig.get_figheight()),
                title,
                ha="left",
                va="top",
                fontproperties=title_font,
                label="_network_title",
            )
        else:
            ax.set_title(title, loc="left", fontproperties=title_font)
    return fig


def _treatment_names(treatments: Sequence[str]) -> list[str]:
    names = as_labels(treatments, "treatments")
    if len(names) < 2:
        raise DataError(
            f"a network needs at least two treatments (got {len(names)})",
            hint="Pass every treatment in the network",
        )
    seen: set[str] = set()
    for row, name in enumerate(names):
        if name in seen:
            raise DataError(
                f"treatment {name!r} is given twice",
                location=InputLocation(row=row + 1, field="treatments"),
                hint="Give each treatment once",
            )
        seen.add(name)
    return names


def _edge_pairs(edges: Sequence[tuple[str, str]], names: list[str]) -> list[tuple[int, int]]:
    """Node indices of each edge; unknown treatments, loops and repeats are refused."""
    if isinstance(edges, str | bytes):
        raise DataError("edges must be a sequence of (treatment, treatment) pairs, not one string")
    index = {name: k for k, name in enumerate(names)}
    pairs: list[tuple[int, int]] = []
    seen: dict[frozenset[int], int] = {}
    for row, edge in enumerate(edges):
        where = InputLocation(row=row + 1, field="edges")
        if isinstance(edge, str | bytes) or len(edge) != 2:
            raise DataError(
                f"edge {edge!r} is not a pair of treatments",
                location=where,
                hint="Give each edge as (treatment, treatment)",
            )
        first, second = (str(t) for t in edge)
        for name in (first, second):
            if name not in index:
                raise DataError(
                    f"edge ({first!r}, {second!r}) names {name!r}, which is not in treatments",
                    location=where,
                    hint=f"Use one of {', '.join(names)}, or add it to treatments",
                )
        if first == second:
            raise DataError(
                f"edge ({first!r}, {second!r}) joins a treatment to itself",
                location=where,
                hint="Each edge compares two different treatments",
            )
        key = frozenset((index[first], index[second]))
        if key in seen:
            raise DataError(
                f"edge ({first!r}, {second!r}) repeats edge {seen[key] + 1}",
                location=where,
                hint="Give each comparison once, with its total number of studies as edge_width",
            )
        seen[key] = row
        pairs.append((index[first], index[second]))
    return pairs


def _non_negative(values: ArrayLike, name: str, expected: int, what: str) -> NDArray[np.float64]:
    array = as_vector(values, name)
    if array.size != expected:
        raise DataError(
            f"{name} has {array.size} values but there are {expected} {what}",
            hint=f"Give one {name} value per {what[:-1] if what.endswith('s') else what}",
        )
    negative = np.flatnonzero(array < 0.0)
    if negative.size:
        row = int(negative[0])
        raise DataError(
            f"{name} is {array[row]:g}; sizes must not be negative",
            location=InputLocation(row=row + 1, field=name),
            hint=f"Pass counts such as participants or studies as {name}",
        )
    return array


def _node_areas(node_size: ArrayLike | None, names: list[str]) -> NDArray[np.float64]:
    """Marker areas in points²: proportional to ``node_size``, floored at a visible minimum."""
    if node_size is None:
        return np.full(len(names), _EQUAL_NODE_AREA_PT2)
    sizes = _non_negative(node_size, "node_size", len(names), "treatments")
    if sizes.max() == 0.0:
        return np.full(len(names), _EQUAL_NODE_AREA_PT2)
    areas: NDArray[np.float64] = np.maximum(
        _MAX_NODE_AREA_PT2 * sizes / sizes.max(), _MIN_NODE_AREA_PT2
    )
    return areas


def _edge_widths(edge_width: ArrayLike | None, n_edges: int) -> NDArray[np.float64]:
    """Line widths in points: proportional to ``edge_width``, floored at a visible minimum."""
    if edge_width is None or n_edges == 0:
        return np.full(n_edges, _EQUAL_EDGE_WIDTH_PT)
    weights = _non_negative(edge_width, "edge_width", n_edges, "edges")
    if weights.max() == 0.0:
        return np.full(n_edges, _EQUAL_EDGE_WIDTH_PT)
    widths: NDArray[np.float64] = np.maximum(
        _MAX_EDGE_WIDTH_PT * weights / weights.max(), _MIN_EDGE_WIDTH_PT
    )
    return widths


def _label_text(value: object) -> str:
    """Numbers without trailing zeros (``3.0`` prints as ``3``); anything else as ``str``."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return f"{float(value):g}"
    return str(value)


def _edge_texts(edge_labels: Sequence[object] | None, n_edges: int) -> list[str] | None:
    if edge_labels is None:
        return None
    if isinstance(edge_labels, str | bytes):
        raise DataError("edge_labels must be a sequence, one label per edge, not one string")
    texts = [_label_text(v) for v in edge_labels]
    if len(texts) != n_edges:
        raise DataError(
            f"edge_labels has {len(texts)} values but there are {n_edges} edges",
            hint="Give one label per edge, in the order of edges",
        )
    return texts


def _multiarm_indices(
    multiarm: Sequence[Sequence[str]] | None, names: list[str]
) -> list[list[int]]:
    if multiarm is None:
        return []
    index = {name: k for k, name in enumerate(names)}
    polygons: list[list[int]] = []
    for row, arms in enumerate(multiarm):
        where = InputLocation(row=row + 1, field="multiarm")
        members = [] if isinstance(arms, str | bytes) else [str(a) for a in arms]
        unknown = [a for a in members if a not in index]
        if unknown:
            raise DataError(
                f"multi-arm study {tuple(members)!r} names {unknown[0]!r}, "
                "which is not in treatments",
                location=where,
                hint=f"Use treatments from {', '.join(names)}",
            )
        if len(set(members)) < 3:
            raise DataError(
                f"multi-arm study {arms!r} needs at least three different treatments",
                location=where,
                hint="Two-arm studies are shown by their edge alone",
            )
        polygons.append([index[a] for a in dict.fromkeys(members)])
    return polygons


def _positions(layout: str | ArrayLike, n: int) -> NDArray[np.float64]:
    """Node coordinates, centred on the origin with the farthest node at distance 1.

    .. math::

        (x_k, y_k) = (\\sin \\theta_k, \\cos \\theta_k), \\quad \\theta_k = 2 \\pi k / n,
        \\quad k = 0, \\ldots, n - 1
    """
    if isinstance(layout, str):
        if layout != "circle":
            raise choice_error("layout", layout, ["circle", "an (n, 2) array of coordinates"])
        theta = 2.0 * np.pi * np.arange(n) / n
        return np.column_stack([np.sin(theta), np.cos(theta)])
    try:
        coordinates = np.asarray(layout, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError("layout must be 'circle' or an (n, 2) array of numbers") from exc
    if coordinates.shape != (n, 2) or not np.all(np.isfinite(coordinates)):
        raise DataError(
            f"layout must be an ({n}, 2) array of finite coordinates, one row per treatment "
            f"(got shape {coordinates.shape})",
            hint="Or pass layout='circle'",
        )
    centred = coordinates - coordinates.mean(axis=0)
    reach = float(np.hypot(centred[:, 0], centred[:, 1]).max())
    if reach == 0.0:
        raise DataError("layout puts every treatment at the same point", hint="Spread the nodes")
    scaled: NDArray[np.float64] = centred / reach
    return scaled


def _outward(positions: NDArray[np.float64]) -> NDArray[np.float64]:
    """Unit vectors from the centre through each node; straight up for a node at the centre."""
    length = np.hypot(positions[:, 0], positions[:, 1])
    directions = np.zeros_like(positions)
    directions[:, 1] = 1.0
    away = length > 1e-9
    directions[away] = positions[away] / length[away, None]
    return directions


def _alignment(direction: NDArray[np.float64]) -> tuple[str, str]:
    """Text alignment that puts a label on the far side of its anchor, away from the node.

    A label whose direction is within about 15 degrees of an axis is centred across it, so that
    labels at the top, bottom and sides sit squarely beyond their nodes.
    """
    dx, dy = float(direction[0]), float(direction[1])
    ha = "left" if dx > 0.25 else "right" if dx < -0.25 else "center"
    va = "bottom" if dy > 0.25 else "top" if dy < -0.25 else "center"
    return ha, va


_HA_SHIFT = {"left": 0.0, "center": 0.5, "right": 1.0}
_VA_SHIFT = {"bottom": 0.0, "center": 0.5, "top": 1.0}


def _extent(
    positions: NDArray[np.float64],
    radii: NDArray[np.float64],
    directions: NDArray[np.float64],
    text_width: NDArray[np.float64],
    text_height: NDArray[np.float64],
) -> _Extent:
    """The nodes and the label boxes as anchored boxes (see :class:`_Extent`)."""
    anchors, lows, highs = [], [], []
    for k in range(positions.shape[0]):
        anchors.append(positions[k])
        lows.append([-radii[k], -radii[k]])
        highs.append([radii[k], radii[k]])
        ha, va = _alignment(directions[k])
        size = np.array([text_width[k], text_height[k]])
        corner = (radii[k] + _LABEL_GAP_PT) * directions[k] - [_HA_SHIFT[ha], _VA_SHIFT[va]] * size
        anchors.append(positions[k])
        lows.append(corner)
        highs.append(corner + size)
    return _Extent(np.array(anchors), np.array(lows), np.array(highs))


def _fit(ax: Axes, extent: _Extent) -> float:
    """Set equal-aspect limits that fit ``extent`` in ``ax``; return points per data unit.

    The largest scale at which everything fits, less a margin, is found by bisection: the span
    grows monotonically with the scale once the scale is positive. Should a layout engine later
    resize the axes, ``adjustable="box"`` keeps the aspect by shrinking the box, not by changing
    the limits.
    """
    fig = root_figure(ax)
    size_pt = np.array([ax.bbox.width, ax.bbox.height]) * 72.0 / fig.dpi
    room = np.maximum(size_pt - 2.0 * _MARGIN_PT, 1.0)
    low, high = 1.0, 4.0 * float(size_pt.max())
    for _ in range(60):
        middle = math.sqrt(low * high)
        if np.all(extent.span_pt(middle) <= room):
            low = middle
        else:
            high = middle
    scale = low
    centre = extent.centre(scale)
    half = size_pt / (2.0 * scale)
    ax.set_xlim(centre[0] - half[0], centre[0] + half[0])
    ax.set_ylim(centre[1] - half[1], centre[1] + half[1])
    ax.set_aspect("equal", adjustable="box")
    return scale


def _crowding(positions: NDArray[np.float64], areas: NDArray[np.float64], scale: float) -> float:
    """Factor (at most 1) on node diameters that keeps the largest node within
    ``_MAX_NODE_SHARE`` of the smallest distance between two nodes."""
    gaps = np.hypot(*(positions[:, None, :] - positions[None, :, :]).transpose(2, 0, 1))
    nearest = float(gaps[~np.eye(positions.shape[0], dtype=bool)].min()) * scale
    widest = math.sqrt(float(areas.max()))
    if widest == 0.0 or nearest == 0.0:
        return 1.0
    return min(1.0, _MAX_NODE_SHARE * nearest / widest)


def _convex_order(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """The points in order of angle about their centroid, a simple polygon for convex sets."""
    centre = points.mean(axis=0)
    angle = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    ordered: NDArray[np.float64] = points[np.argsort(angle)]
    return ordered


def _draw_edge_labels(
    ax: Axes,
    positions: NDArray[np.float64],
    radii: NDArray[np.float64],
    pairs: list[tuple[int, int]],
    texts: list[str],
    scale: float,
) -> None:
    """Write each edge label on its line, at the first spot clear of other labels and nodes.

    Lines through the centre of a circle share their midpoint, so a label moves along its line
    (to 40%, 60%, 30%, ... of the way) until it is ``_EDGE_LABEL_CLEARANCE_PT`` from the labels
    already placed and clear of every node; failing that, it takes the most open spot tried.
    """
    placed: list[NDArray[np.float64]] = []
    node_clearance = (radii + 0.5 * _EDGE_LABEL_CLEARANCE_PT) / scale
    label_clearance = _EDGE_LABEL_CLEARANCE_PT / scale
    for (i, j), text in zip(pairs, texts, strict=True):
        best, best_room = 0.5 * (positions[i] + positions[j]), -math.inf
        for t in _EDGE_LABEL_POSITIONS:
            spot = (1.0 - t) * positions[i] + t * positions[j]
            node_room = np.hypot(*(positions - spot).T) - node_clearance
            room = float(node_room.min())
            if placed:
                label_room = np.hypot(*(np.array(placed) - spot).T) - label_clearance
                room = min(room, float(label_room.min()))
            if room >= 0.0:
                best = spot
                break
            if room > best_room:
                best, best_room = spot, room
        placed.append(best)
        ax.text(
            float(best[0]),
            float(best[1]),
            text,
            ha="center",
            va="center",
            fontproperties=font(size=STYLE.small_font_size),
            color=STYLE.ink,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
            label="_network_edge_label",
            zorder=3,
        )
