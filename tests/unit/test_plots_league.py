"""Tests for evsynth.plots.league_heatmap: cells, text, colours centred on the null, bad input.

The numbers are small hand-made examples: a consistent network of three treatments whose
relative effects are differences of treatment effects, so that ``estimate[j, i] ==
-estimate[i, j]``. Colours are closed-form functions of the estimates, compared exactly.
"""

from __future__ import annotations

import doctest
import xml.etree.ElementTree as ET

import matplotlib
import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

import evsynth.plots.league
from evsynth._core.errors import DataError, EvsynthError
from evsynth.plots import figure_to_png_bytes, figure_to_svg, league_heatmap
from evsynth.plots._palette import contrast_ratio

matplotlib.use("Agg")

MINUS = "\N{MINUS SIGN}"
TREATMENTS = ["Placebo", "Metformin", "Sulfonylurea"]
EFFECT = np.array([0.0, -1.0, -0.5])  # versus placebo, e.g. HbA1c mean differences
ESTIMATE = EFFECT[:, None] - EFFECT[None, :]
HALF_WIDTH = np.array([[0.0, 0.4, 0.3], [0.4, 0.0, 0.6], [0.3, 0.6, 0.0]])
CI_LOW = ESTIMATE - HALF_WIDTH
CI_HIGH = ESTIMATE + HALF_WIDTH
# Significant: Placebo v Metformin (±1.0 ± 0.4) and Placebo v Sulfonylurea (±0.5 ± 0.3);
# not significant: Metformin v Sulfonylurea (∓0.5 ± 0.6).
SIGNIFICANT = np.array([[False, True, True], [True, False, False], [True, False, False]])
RDBU = colormaps["RdBu"]


def _example(**kwargs: object) -> Figure:
    return league_heatmap(TREATMENTS, ESTIMATE, CI_LOW, CI_HIGH, **kwargs)  # type: ignore[arg-type]


def _axes(fig: Figure) -> Axes:
    (ax,) = fig.axes
    return ax


def _cells(ax: Axes, tag: str = "cell") -> dict[tuple[int, int], Rectangle]:
    """Cell patches by (row, column)."""
    found: dict[tuple[int, int], Rectangle] = {}
    for patch in ax.patches:
        if patch.get_label() == f"_league_{tag}":
            assert isinstance(patch, Rectangle)
            x, y = patch.get_xy()
            found[(int(y), int(x))] = patch
    return found


def _texts(ax: Axes, tag: str) -> dict[tuple[int, int], Text]:
    found: dict[tuple[int, int], Text] = {}
    for text in ax.texts:
        if text.get_label() == f"_league_{tag}":
            x, y = text.get_position()
            found[(int(y), int(x))] = text
    return found


def _face(patch: Rectangle) -> np.ndarray:
    return np.asarray(patch.get_facecolor(), dtype=float)


def _faded(rgba: tuple[float, float, float, float]) -> np.ndarray:
    return 0.5 * np.asarray(rgba) + 0.5 * np.ones(4)


def test_one_cell_and_one_text_per_pair_and_names_on_the_diagonal() -> None:
    fig = _example()
    assert isinstance(fig, Figure)
    ax = _axes(fig)
    assert sorted(_cells(ax)) == [(i, j) for i in range(3) for j in range(3) if i != j]
    assert sorted(_cells(ax, "diagonal")) == [(0, 0), (1, 1), (2, 2)]
    names = _texts(ax, "name")
    assert [names[(k, k)].get_text() for k in range(3)] == TREATMENTS
    assert len(_texts(ax, "text")) == 6
    assert ax.get_ylim() == (3.0, 0.0)  # the first treatment in the top row


def test_cell_text_is_row_versus_column_with_its_interval() -> None:
    texts = _texts(_axes(_example()), "text")
    assert texts[(0, 1)].get_text() == "1.00\n[0.60, 1.40]"  # Placebo v Metformin
    assert texts[(1, 0)].get_text() == f"{MINUS}1.00\n[{MINUS}1.40, {MINUS}0.60]"
    assert texts[(1, 2)].get_text() == f"{MINUS}0.50\n[{MINUS}1.10, 0.10]"


def test_transform_prints_ratios_and_digits_are_respected() -> None:
    texts = _texts(_axes(_example(transform=np.exp, digits=3)), "text")
    low, high = np.exp(CI_LOW[0, 1]), np.exp(CI_HIGH[0, 1])
    assert texts[(0, 1)].get_text() == f"{np.exp(1.0):.3f}\n[{low:.3f}, {high:.3f}]"


def test_colours_are_centred_on_the_null_and_favour_the_row_at_the_high_end() -> None:
    cells = _cells(_axes(_example()))
    reach = 1.0  # the largest distance from the null
    for (i, j), patch in cells.items():
        expected = RDBU(0.5 + 0.5 * ESTIMATE[i, j] / reach)
        if not SIGNIFICANT[i, j]:
            expected = _faded(expected)
        np.testing.assert_allclose(_face(patch), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(_face(cells[(0, 1)]), RDBU(1.0))  # +1.0, the highest
    np.testing.assert_allclose(_face(cells[(1, 0)]), RDBU(0.0))  # -1.0, mirror image


def test_lower_is_better_reverses_the_colours() -> None:
    cells = _cells(_axes(_example(higher_is_better=False)))
    np.testing.assert_allclose(_face(cells[(0, 1)]), RDBU(0.0))
    np.testing.assert_allclose(_face(cells[(1, 0)]), RDBU(1.0))


def test_an_estimate_at_the_null_gets_the_centre_colour() -> None:
    estimate = np.array([[0.0, 0.0], [0.0, 0.0]])
    ax = _axes(league_heatmap(["A", "B"], estimate, estimate - 1.0, estimate + 1.0))
    for patch in _cells(ax).values():
        np.testing.assert_allclose(_face(patch), _faded(RDBU(0.5)))


def test_colours_stay_on_the_analysis_scale_with_a_transform() -> None:
    plain = _cells(_axes(_example()))
    ratio = _cells(_axes(_example(transform=np.exp)))
    for key, patch in plain.items():
        np.testing.assert_array_equal(_face(patch), _face(ratio[key]))


def test_significant_cells_are_bold_and_in_full_colour() -> None:
    ax = _axes(_example())
    for (i, j), text in _texts(ax, "text").items():
        assert (text.get_fontweight() == "bold") == SIGNIFICANT[i, j]


def test_text_contrasts_with_every_cell() -> None:
    ax = _axes(_example(cmap="PuOr"))
    cells = {**_cells(ax), **_cells(ax, "diagonal")}
    texts = {**_texts(ax, "text"), **_texts(ax, "name")}
    for key, patch in cells.items():
        assert contrast_ratio(texts[key].get_color(), patch.get_facecolor()) >= 4.5


def test_missing_estimates_are_empty_cells() -> None:
    estimate, low, high = ESTIMATE.copy(), CI_LOW.copy(), CI_HIGH.copy()
    for matrix in (estimate, low, high):
        matrix[0, 2] = np.nan  # no direct evidence, say
    ax = _axes(league_heatmap(TREATMENTS, estimate, low, high))
    assert _texts(ax, "text")[(0, 2)].get_text() == "\N{EN DASH}"
    np.testing.assert_array_equal(_cells(ax)[(0, 2)].get_facecolor(), (1.0, 1.0, 1.0, 1.0))


def test_the_note_states_the_direction() -> None:
    (note,) = [t for t in _axes(_example()).texts if t.get_label() == "_league_note"]
    assert note.get_text().splitlines() == [
        "Row versus column: values above 0 favour the row treatment.",
        "Bold, in full colour: the 95% confidence interval excludes 0.",
    ]
    ax = _axes(_example(transform=np.exp, higher_is_better=False, level=0.9))
    (note,) = [t for t in ax.texts if t.get_label() == "_league_note"]
    assert note.get_text().startswith("Row versus column: values below 1 favour the row")
    assert "the 90% confidence interval excludes 1" in note.get_text()
    ax = _axes(_example(direction="Mean difference, row minus column."))
    (note,) = [t for t in ax.texts if t.get_label() == "_league_note"]
    assert note.get_text().startswith("Mean difference, row minus column.\n")


def test_draws_into_the_given_axes() -> None:
    fig = Figure(figsize=(6.0, 3.0))
    ax = fig.add_subplot()
    assert _example(ax=ax, title="League table") is fig
    assert fig.axes == [ax]
    assert len(_cells(ax)) == 6
    assert ax.get_title(loc="left") == "League table"


def test_ten_treatments_fit_their_cells() -> None:
    names = [f"Treatment {k}" for k in range(10)]
    effect = np.linspace(-1.2, 0.9, 10)
    estimate = effect[:, None] - effect[None, :]
    fig = league_heatmap(names, estimate, estimate - 0.35, estimate + 0.35)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ax = _axes(fig)
    cells = {**_cells(ax), **_cells(ax, "diagonal")}
    for key, text in {**_texts(ax, "text"), **_texts(ax, "name")}.items():
        box = text.get_window_extent(renderer)
        cell = cells[key].get_window_extent(renderer)
        assert cell.x0 < box.x0 and box.x1 < cell.x1
        assert cell.y0 < box.y0 and box.y1 < cell.y1


def test_svg_and_png_export() -> None:
    fig = _example(title="HbA1c")
    assert ET.fromstring(figure_to_svg(fig)).tag == "{http://www.w3.org/2000/svg}svg"
    assert figure_to_png_bytes(fig, dpi=72).startswith(b"\x89PNG\r\n\x1a\n")


def test_docstring_examples_run() -> None:
    result = doctest.testmod(evsynth.plots.league, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


def _swapped() -> dict[str, object]:
    low = CI_LOW.copy()
    low[1, 2] = 5.0
    return {"ci_low": low}


def _one_nan() -> dict[str, object]:
    estimate = ESTIMATE.copy()
    estimate[2, 0] = np.nan
    return {"estimate": estimate}


def _infinite() -> dict[str, object]:
    high = CI_HIGH.copy()
    high[0, 1] = np.inf
    return {"ci_high": high}


def _outside() -> dict[str, object]:
    estimate = ESTIMATE.copy()
    estimate[0, 1] = 2.0
    return {"estimate": estimate}


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"treatments": ["A"]}, DataError, "at least two treatments"),
        ({"treatments": ["A", "B", "A"]}, DataError, r"row 3.*'A' is given twice"),
        ({"treatments": ["A", "B"]}, DataError, r"estimate must be a 2 x 2 matrix.*\(3, 3\)"),
        ({"estimate": [1.0, 2.0, 3.0]}, DataError, "estimate must be a 3 x 3 matrix"),
        ({"ci_low": [["a"] * 3] * 3}, DataError, "ci_low must contain only numbers"),
        (_swapped(), DataError, r"Metformin versus Sulfonylurea .* has ci_low above ci_high"),
        (_outside(), DataError, "lies outside its interval"),
        (_one_nan(), DataError, r"disagree on whether Sulfonylurea versus Placebo"),
        (_infinite(), DataError, "ci_high of Placebo versus Metformin is inf"),
        ({"cmap": "NoSuchMap"}, EvsynthError, "cmap='NoSuchMap' is not a matplotlib colour map"),
        ({"level": 95}, EvsynthError, "level=95 must lie strictly between 0 and 1"),
        ({"digits": -1}, EvsynthError, "digits=-1 must be a whole number"),
        ({"null_value": np.nan}, EvsynthError, "null_value=nan is not a finite number"),
        ({"transform": lambda x: 1.0}, EvsynthError, "transform did not return"),
    ],
)
def test_bad_input_raises_a_clear_error(
    kwargs: dict[str, object], error: type[Exception], pattern: str
) -> None:
    arguments: dict[str, object] = {
        "treatments": TREATMENTS,
        "estimate": ESTIMATE,
        "ci_low": CI_LOW,
        "ci_high": CI_HIGH,
    }
    arguments.update(kwargs)
    with pytest.raises(error, match=pattern):
        league_heatmap(**arguments)  # type: ignore[arg-type]
