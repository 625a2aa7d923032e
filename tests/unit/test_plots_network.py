"""Tests for evsynth.plots.network_graph: nodes, edges, sizes, labels, layout and bad input.

The example network has the ten treatments of Senn et al. (2013, doi:10.1177/0962280211432220),
the diabetes network shipped with netmeta as ``Senn2013``; the edges and sizes are illustrative,
not the published counts. Drawn coordinates are closed-form functions of the inputs (points on
the unit circle, areas and widths proportional to the inputs), so they are compared with a tight
relative tolerance.
"""

from __future__ import annotations

import doctest
import itertools
import xml.etree.ElementTree as ET

import matplotlib
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

import evsynth.plots.network
from evsynth._core.errors import DataError, EvsynthError
from evsynth.plots import figure_to_png_bytes, figure_to_svg, network_graph

matplotlib.use("Agg")


def assert_close(actual: object, desired: object) -> None:
    """Compare coordinates; they are closed-form functions of the inputs."""
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(desired, dtype=float), rtol=1e-12, atol=1e-12
    )


TREATMENTS = [
    "Acarbose",
    "Benfluorex",
    "Metformin",
    "Miglitol",
    "Pioglitazone",
    "Placebo",
    "Rosiglitazone",
    "Sitagliptin",
    "Sulfonylurea",
    "Vildagliptin",
]
EDGES = [
    ("Acarbose", "Metformin"),
    ("Acarbose", "Placebo"),
    ("Acarbose", "Sulfonylurea"),
    ("Benfluorex", "Placebo"),
    ("Metformin", "Pioglitazone"),
    ("Metformin", "Placebo"),
    ("Metformin", "Rosiglitazone"),
    ("Metformin", "Sulfonylurea"),
    ("Miglitol", "Placebo"),
    ("Pioglitazone", "Placebo"),
    ("Pioglitazone", "Rosiglitazone"),
    ("Placebo", "Rosiglitazone"),
    ("Placebo", "Sitagliptin"),
    ("Placebo", "Vildagliptin"),
    ("Rosiglitazone", "Sulfonylurea"),
]
STUDIES = [1, 3, 1, 2, 1, 4, 2, 1, 2, 1, 1, 6, 1, 1, 3]
PARTICIPANTS = [400, 300, 2800, 320, 900, 6000, 3800, 400, 1500, 350]
MULTIARM = [("Acarbose", "Metformin", "Placebo")]


def _example(**kwargs: object) -> Figure:
    arguments: dict[str, object] = {
        "node_size": PARTICIPANTS,
        "edge_width": STUDIES,
        "edge_labels": STUDIES,
        "multiarm": MULTIARM,
    }
    arguments.update(kwargs)
    return network_graph(TREATMENTS, EDGES, **arguments)  # type: ignore[arg-type]


def _axes(fig: Figure) -> Axes:
    (ax,) = fig.axes
    return ax


def _nodes(ax: Axes) -> PathCollection:
    (nodes,) = [c for c in ax.collections if c.get_label() == "_network_nodes"]
    assert isinstance(nodes, PathCollection)
    return nodes


def _edges(ax: Axes) -> LineCollection:
    (edges,) = [c for c in ax.collections if c.get_label() == "_network_edges"]
    assert isinstance(edges, LineCollection)
    return edges


def _texts(ax: Axes, tag: str) -> list[Text]:
    return [t for t in ax.texts if t.get_label() == f"_network_{tag}"]


def _circle(n: int) -> np.ndarray:
    theta = 2.0 * np.pi * np.arange(n) / n
    return np.column_stack([np.sin(theta), np.cos(theta)])


# --- what is drawn -------------------------------------------------------------------------


def test_one_node_per_treatment_on_the_unit_circle_clockwise_from_the_top() -> None:
    fig = _example()
    assert isinstance(fig, Figure)
    offsets = np.asarray(_nodes(_axes(fig)).get_offsets())
    assert offsets.shape == (10, 2)
    assert_close(offsets, _circle(10))
    assert_close(offsets[0], [0.0, 1.0])  # the first treatment at the top
    assert offsets[1, 0] > 0.0  # the second to its right: clockwise


def test_one_line_per_edge_joining_its_two_nodes() -> None:
    ax = _axes(_example())
    segments = _edges(ax).get_segments()
    assert len(segments) == len(EDGES)
    positions = dict(zip(TREATMENTS, _circle(10), strict=True))
    for segment, (first, second) in zip(segments, EDGES, strict=True):
        assert_close(segment, [positions[first], positions[second]])


def test_node_area_is_proportional_to_node_size() -> None:
    sizes = _nodes(_axes(_example())).get_sizes()  # marker areas in points²
    assert_close(sizes / sizes.max(), np.array(PARTICIPANTS) / max(PARTICIPANTS))


def test_edge_width_is_proportional_to_edge_width() -> None:
    widths = np.asarray(_edges(_axes(_example())).get_linewidth())
    assert widths.shape == (len(EDGES),)
    assert_close(widths / widths.max(), np.array(STUDIES) / max(STUDIES))


def test_sizes_are_equal_without_node_size_or_edge_width() -> None:
    ax = _axes(network_graph(TREATMENTS, EDGES))
    assert np.ptp(_nodes(ax).get_sizes()) == 0.0
    assert np.ptp(np.asarray(_edges(ax).get_linewidth())) == 0.0
    assert _texts(ax, "edge_label") == []
    assert [p for p in ax.patches if p.get_label() == "_network_multiarm"] == []


def test_tiny_nodes_are_held_at_a_visible_size() -> None:
    sizes = _nodes(_axes(network_graph(["A", "B"], [("A", "B")], node_size=[0, 1000]))).get_sizes()
    assert sizes.min() > 0.0


def test_edge_labels_are_written_once_per_edge_without_trailing_zeros() -> None:
    ax = _axes(_example(edge_labels=[float(s) for s in STUDIES]))
    assert sorted(t.get_text() for t in _texts(ax, "edge_label")) == sorted(map(str, STUDIES))


def test_treatment_labels_are_outside_the_circle() -> None:
    ax = _axes(_example())
    labels = _texts(ax, "label")
    assert [t.get_text() for t in labels] == TREATMENTS
    for label in labels:
        assert isinstance(label, Annotation)
        node = np.asarray(label.xy)  # the label is anchored at its node ...
        offset = np.asarray(label.xyann)  # ... and pushed away from the centre, in points
        assert_close(node[0] * offset[1] - node[1] * offset[0], 0.0)  # parallel
        assert np.dot(node, offset) > 0.0


def test_multiarm_study_is_a_polygon_through_its_arms() -> None:
    ax = _axes(_example())
    (polygon,) = [p for p in ax.patches if p.get_label() == "_network_multiarm"]
    assert isinstance(polygon, Polygon)
    corners = {tuple(np.round(v, 12)) for v in polygon.get_xy()}
    positions = dict(zip(TREATMENTS, _circle(10), strict=True))
    assert corners == {tuple(np.round(positions[t], 12)) for t in MULTIARM[0]}


def test_explicit_layout_is_centred_and_scaled_to_unit_reach() -> None:
    layout = [[0.0, 0.0], [2.0, 0.0], [1.0, 3.0]]
    ax = _axes(network_graph(["A", "B", "C"], [("A", "B"), ("B", "C")], layout=layout))
    expected = np.array(layout) - [1.0, 1.0]
    expected /= np.hypot(expected[:, 0], expected[:, 1]).max()
    assert_close(_nodes(ax).get_offsets(), expected)


# --- layout: nothing overlaps --------------------------------------------------------------


def _rendered_boxes(fig: Figure) -> tuple[list[tuple[float, float, float]], list[Bbox], list[Bbox]]:
    """Display-space nodes as (x, y, radius), and boxes of the treatment and edge labels."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ax = _axes(fig)
    nodes = _nodes(ax)
    centres = ax.transData.transform(np.asarray(nodes.get_offsets()))
    radii = np.sqrt(nodes.get_sizes()) / 2.0 * fig.dpi / 72.0
    disks = [(float(x), float(y), float(r)) for (x, y), r in zip(centres, radii, strict=True)]
    labels = [t.get_window_extent(renderer) for t in _texts(ax, "label")]
    edge_labels = [
        t.get_bbox_patch().get_window_extent(renderer)  # type: ignore[union-attr]
        for t in _texts(ax, "edge_label")
    ]
    return disks, labels, edge_labels


def _hits(box: Bbox, disk: tuple[float, float, float]) -> bool:
    """Whether ``box`` overlaps the round node ``disk``: its nearest point lies inside."""
    x, y, radius = disk
    nearest_x = min(max(x, box.x0), box.x1)
    nearest_y = min(max(y, box.y0), box.y1)
    return bool(np.hypot(x - nearest_x, y - nearest_y) < radius)


@pytest.mark.parametrize("names", [TREATMENTS, [f"Treatment {k}" for k in range(24)]])
def test_labels_overlap_neither_nodes_nor_each_other_and_fit_the_figure(names: list[str]) -> None:
    n = len(names)
    edges = [(names[k], names[(k + 1) % n]) for k in range(n)]
    fig = network_graph(names, edges, node_size=np.linspace(1.0, 10.0, n), title="Network")
    nodes, labels, _ = _rendered_boxes(fig)
    for label in labels:
        assert not any(_hits(label, node) for node in nodes)
    for first, second in itertools.combinations(labels, 2):
        assert not first.overlaps(second)
    (title,) = fig.texts
    title_box = title.get_window_extent(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    assert title.get_text() == "Network"
    assert not any(title_box.overlaps(label) for label in labels)
    assert fig.bbox.contains(title_box.x0, title_box.y0)
    assert fig.bbox.contains(title_box.x1, title_box.y1)
    assert all(fig.bbox.contains(*corner) for box in labels for corner in box.corners())


def test_edge_labels_do_not_overlap_each_other_or_nodes() -> None:
    # Five diameters of the ten-node circle share their midpoint, the centre.
    diameters = [(TREATMENTS[k], TREATMENTS[k + 5]) for k in range(5)]
    fig = network_graph(TREATMENTS, [*EDGES, *diameters[1:]], edge_labels=list(range(19)))
    nodes, _, edge_labels = _rendered_boxes(fig)
    for first, second in itertools.combinations(edge_labels, 2):
        assert not first.overlaps(second)
    for box in edge_labels:
        assert not any(_hits(box, node) for node in nodes)


# --- axes, export, docs ----------------------------------------------------------------------


def test_draws_into_the_given_axes() -> None:
    fig = Figure(figsize=(5.0, 5.0), layout="constrained")
    ax = fig.add_subplot()
    assert _example(ax=ax, title="Evidence network") is fig
    assert fig.axes == [ax]
    assert np.asarray(_nodes(ax).get_offsets()).shape == (10, 2)
    assert ax.get_title(loc="left") == "Evidence network"
    low, high = ax.get_xlim()
    assert low < -1.0 and high > 1.0  # room for the labels beyond the circle


def test_svg_and_png_export() -> None:
    fig = _example(title="Senn 2013")
    svg = figure_to_svg(fig)
    assert ET.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"
    png = figure_to_png_bytes(fig, dpi=72)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_docstring_examples_run() -> None:
    result = doctest.testmod(evsynth.plots.network, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"treatments": ["A"]}, DataError, "at least two treatments"),
        ({"treatments": ["A", "B", "A"]}, DataError, r"row 3.*'A' is given twice"),
        ({"edges": [("A", "Z")]}, DataError, r"row 1, column 'edges'.*names 'Z'.*not in treat"),
        ({"edges": [("A", "A")]}, DataError, "joins a treatment to itself"),
        ({"edges": [("A", "B"), ("B", "A")]}, DataError, r"row 2.*repeats edge 1"),
        ({"edges": [("A", "B", "C")]}, DataError, "is not a pair of treatments"),
        ({"edges": "AB"}, DataError, "not one string"),
        ({"node_size": [1, -2, 3]}, DataError, r"row 2, column 'node_size'.*must not be neg"),
        ({"node_size": [1, 2]}, DataError, "node_size has 2 values but there are 3 treatments"),
        ({"node_size": [1, np.nan, 3]}, DataError, "not a finite number"),
        ({"edge_width": [1]}, DataError, "edge_width has 1 values but there are 2 edges"),
        ({"edge_width": [1, -1]}, DataError, "edge_width is -1"),
        ({"edge_labels": [1, 2, 3]}, DataError, "edge_labels has 3 values but there are 2"),
        ({"multiarm": [("A", "B", "Z")]}, DataError, "names 'Z', which is not in treatments"),
        ({"multiarm": [("A", "B")]}, DataError, "at least three different treatments"),
        ({"layout": "spring"}, EvsynthError, "layout='spring' is not known; choose one of"),
        ({"layout": [[0, 0], [1, 1]]}, DataError, r"\(3, 2\) array.*got shape \(2, 2\)"),
        ({"layout": np.zeros((3, 2))}, DataError, "every treatment at the same point"),
    ],
)
def test_bad_input_raises_a_clear_error(
    kwargs: dict[str, object], error: type[Exception], pattern: str
) -> None:
    arguments: dict[str, object] = {
        "treatments": ["A", "B", "C"],
        "edges": [("A", "B"), ("B", "C")],
    }
    arguments.update(kwargs)
    with pytest.raises(error, match=pattern):
        network_graph(**arguments)  # type: ignore[arg-type]
