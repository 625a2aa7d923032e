"""Tests for evsynth.plots.figure_to_svg and figure_to_png_bytes (self-contained report output)."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from evsynth._core.errors import EvsynthError
from evsynth.plots import figure_to_png_bytes, figure_to_svg, forest_plot, funnel_plot

matplotlib.use("Agg")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _forest() -> Figure:
    return forest_plot(
        ["A", "B"],
        [0.2, -0.1],
        [0.0, -0.4],
        [0.4, 0.2],
        weights=[1.0, 2.0],
        pooled=[{"label": "Pooled", "estimate": 0.0, "ci_low": -0.15, "ci_high": 0.15}],
        prediction=(-0.5, 0.5),
        transform=np.exp,
    )


def _funnel() -> Figure:
    return funnel_plot([0.2, -0.1, 0.3], [0.1, 0.2, 0.3], estimate=0.1, contour=True)


def _png_size(data: bytes) -> tuple[int, int]:
    # IHDR is the first chunk: 8-byte signature, 4-byte length, 4-byte type, then width, height.
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("make", [_forest, _funnel])
def test_svg_is_an_inline_svg_element_that_parses_as_xml(make: object) -> None:
    assert callable(make)
    svg = figure_to_svg(make())
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(list(root.iter())) > 50  # paths for glyphs, markers and lines
    assert "<dc:date>" not in svg  # no timestamp, so output is reproducible


@pytest.mark.parametrize("make", [_forest, _funnel])
def test_png_bytes_are_a_png_file(make: object) -> None:
    assert callable(make)
    data = figure_to_png_bytes(make())
    assert data.startswith(PNG_SIGNATURE)
    width, height = _png_size(data)
    assert width > 100 and height > 100


def test_png_dpi_scales_the_image() -> None:
    fig = _forest()
    low, high = _png_size(figure_to_png_bytes(fig, dpi=50)), _png_size(figure_to_png_bytes(fig))
    assert high[0] == pytest.approx(3 * low[0], rel=0.05)


def test_export_keeps_text_drawn_outside_a_given_axes() -> None:
    # Without room reserved, the forest's label and estimate columns fall outside the axes;
    # the tight bounding box keeps them, so the image is wider than the figure itself.
    fig = Figure(figsize=(3.0, 2.0), dpi=100)
    forest_plot(["A long study label 2001"], [0.1], [0.0], [0.2], ax=fig.add_subplot())
    width, _ = _png_size(figure_to_png_bytes(fig, dpi=100))
    assert width > 300


@pytest.mark.parametrize("dpi", [0, -10])
def test_non_positive_dpi_is_refused(dpi: int) -> None:
    with pytest.raises(EvsynthError, match=r"dpi=.* must be a positive number"):
        figure_to_png_bytes(_funnel(), dpi=dpi)
