"""Tests for evsynth.plots.rankogram and pscore_plot: lines, panels, SUCRA, sorting, bad input.

The rank probabilities are a small hand-made matrix. SUCRA follows Salanti, Ades & Ioannidis
(2011, doi:10.1016/j.jclinepi.2010.03.016): the mean of the first ``a - 1`` cumulative rank
probabilities, worked by hand below, so values are compared with a tight tolerance.
"""

from __future__ import annotations

import doctest
import xml.etree.ElementTree as ET

import matplotlib
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

import evsynth.plots.ranking
from evsynth._core.errors import DataError, EvsynthError
from evsynth.plots import figure_to_png_bytes, figure_to_svg, pscore_plot, rankogram

matplotlib.use("Agg")


def assert_close(actual: object, desired: object) -> None:
    """Compare drawn values; they are the inputs or their cumulative sums."""
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(desired, dtype=float), rtol=1e-12, atol=1e-12
    )


TREATMENTS = ["Placebo", "Metformin", "Sulfonylurea"]
PROBABILITIES = np.array(
    [
        [0.1, 0.2, 0.7],  # Placebo, most likely worst
        [0.6, 0.3, 0.1],  # Metformin, most likely best
        [0.3, 0.5, 0.2],
    ]
)
# SUCRA by hand: (p1 + (p1 + p2)) / 2.
SUCRA = [(0.1 + 0.3) / 2, (0.6 + 0.9) / 2, (0.3 + 0.8) / 2]  # 0.20, 0.75, 0.55


def _axes(fig: Figure) -> Axes:
    (ax,) = fig.axes
    return ax


def _lines(ax: Axes) -> list[Line2D]:
    return [line for line in ax.lines if not str(line.get_label()).startswith("_")]


def _legend(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


# --- rankogram, lines -------------------------------------------------------------------------


def test_one_line_per_treatment_over_the_ranks() -> None:
    fig = rankogram(TREATMENTS, PROBABILITIES)
    assert isinstance(fig, Figure)
    ax = _axes(fig)
    lines = _lines(ax)
    assert len(lines) == 3
    for line, row in zip(lines, PROBABILITIES, strict=True):
        assert_close(line.get_xdata(), [1, 2, 3])
        assert_close(line.get_ydata(), row)
    assert _legend(ax) == TREATMENTS  # no SUCRA on the plain rankogram
    assert ax.get_xlabel() == "Rank" and ax.get_ylabel() == "Probability"
    assert ax.get_ylim() == (0.0, 1.0)


def test_cumulative_lines_with_sucra_in_the_legend_best_first() -> None:
    ax = _axes(rankogram(TREATMENTS, PROBABILITIES, cumulative=True))
    by_name = {str(line.get_label()).split(" (")[0]: line for line in _lines(ax)}
    for name, row in zip(TREATMENTS, PROBABILITIES, strict=True):
        assert_close(by_name[name].get_ydata(), np.cumsum(row))
    assert _legend(ax) == [
        "Metformin (SUCRA 0.75)",
        "Sulfonylurea (SUCRA 0.55)",
        "Placebo (SUCRA 0.20)",
    ]
    assert ax.get_ylabel() == "Cumulative probability"


def test_sucra_formula_matches_the_hand_calculation() -> None:
    assert_close(evsynth.plots.ranking._sucra(PROBABILITIES), SUCRA)
    certain = np.eye(4)  # treatment k certainly has rank k + 1
    assert_close(evsynth.plots.ranking._sucra(certain), [1.0, 2 / 3, 1 / 3, 0.0])


def test_given_sucra_values_are_shown_and_false_hides_them() -> None:
    ax = _axes(rankogram(TREATMENTS, PROBABILITIES, sucra=[0.1, 0.9, 0.5]))
    assert _legend(ax)[0] == "Metformin (SUCRA 0.90)"
    ax = _axes(rankogram(TREATMENTS, PROBABILITIES, cumulative=True, sucra=False))
    assert _legend(ax) == TREATMENTS
    ax = _axes(rankogram(TREATMENTS, PROBABILITIES, sucra=True))
    assert _legend(ax)[-1] == "Placebo (SUCRA 0.20)"


def test_many_treatments_get_distinct_line_styles() -> None:
    n = 10
    probabilities = np.full((n, n), 1.0 / n)
    lines = _lines(_axes(rankogram([f"T{k}" for k in range(n)], probabilities)))
    styles = {(line.get_color(), line.get_marker(), str(line.get_linestyle())) for line in lines}
    assert len(styles) == n


def test_line_rankogram_draws_into_the_given_axes() -> None:
    fig = Figure(layout="constrained")
    ax = fig.add_subplot()
    assert rankogram(TREATMENTS, PROBABILITIES, ax=ax, title="Ranks") is fig
    assert fig.axes == [ax]
    assert len(_lines(ax)) == 3
    assert ax.get_title(loc="left") == "Ranks"


# --- rankogram, panels of bars ----------------------------------------------------------------


def _bars(panel: Axes) -> list[Rectangle]:
    return [p for p in panel.patches if isinstance(p, Rectangle)]


def test_bar_rankogram_has_one_panel_of_bars_per_treatment() -> None:
    fig = rankogram(TREATMENTS, PROBABILITIES, kind="bar", cumulative=True, title="Ranks")
    host = _axes(fig)
    assert not host.axison  # the host only holds the panels
    panels = [panel for panel in host.child_axes if isinstance(panel, Axes)]
    assert len(panels) == 3
    for panel, name, row, value in zip(panels, TREATMENTS, PROBABILITIES, SUCRA, strict=True):
        bars = _bars(panel)
        assert_close([b.get_height() for b in bars], np.cumsum(row))
        assert_close([b.get_x() + b.get_width() / 2 for b in bars], [1, 2, 3])
        assert panel.get_title(loc="left") == f"{name} (SUCRA {value:.2f})"
    texts = [t.get_text() for t in host.texts]
    assert {"Rank", "Cumulative probability", "Ranks"} <= set(texts)


def test_bar_panels_do_not_overlap() -> None:
    names = [f"Treatment {k}" for k in range(10)]
    probabilities = np.full((10, 10), 0.1)
    fig = rankogram(names, probabilities, kind="bar", cumulative=True)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [panel.get_tightbbox(renderer) for panel in _axes(fig).child_axes]
    assert len(boxes) == 10
    for k, first in enumerate(boxes):
        assert first is not None
        assert fig.bbox.contains(first.x0, first.y0) and fig.bbox.contains(first.x1, first.y1)
        for second in boxes[k + 1 :]:
            assert second is not None
            assert not first.overlaps(second)


def test_bar_rankogram_draws_inside_the_given_axes() -> None:
    fig = Figure(figsize=(6.0, 5.0))
    ax = fig.add_subplot()
    assert rankogram(TREATMENTS, PROBABILITIES, ax=ax, kind="bar") is fig
    assert fig.axes == [ax]
    assert len(ax.child_axes) == 3


# --- P-scores ---------------------------------------------------------------------------------


def test_pscores_are_bars_sorted_best_first_with_values() -> None:
    fig = pscore_plot(TREATMENTS, SUCRA, label="SUCRA", title="Ranking")
    ax = _axes(fig)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert_close([b.get_width() for b in bars], sorted(SUCRA, reverse=True))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Metformin", "Sulfonylurea", "Placebo"]
    values = [t.get_text() for t in ax.texts if t.get_label() == "_pscore_value"]
    assert values == ["0.75", "0.55", "0.20"]
    assert ax.get_xlabel() == "SUCRA"
    assert ax.get_xlim() == (0.0, 1.0)
    bottom, top = ax.get_ylim()
    assert bottom > top  # the first bar at the top


def test_tied_pscores_keep_the_given_order() -> None:
    ax = _axes(pscore_plot(["A", "B", "C"], [0.5, 0.5, 0.9]))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["C", "A", "B"]


def test_pscore_plot_draws_into_the_given_axes() -> None:
    fig = Figure()
    ax = fig.add_subplot()
    assert pscore_plot(TREATMENTS, SUCRA, ax=ax, digits=3) is fig
    assert fig.axes == [ax]
    assert [t.get_text() for t in ax.texts] == ["0.750", "0.550", "0.200"]


# --- export, docs, bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: rankogram(TREATMENTS, PROBABILITIES),
        lambda: rankogram(TREATMENTS, PROBABILITIES, kind="bar"),
        lambda: pscore_plot(TREATMENTS, SUCRA),
    ],
)
def test_svg_and_png_export(make: object) -> None:
    assert callable(make)
    fig = make()
    assert ET.fromstring(figure_to_svg(fig)).tag == "{http://www.w3.org/2000/svg}svg"
    assert figure_to_png_bytes(fig, dpi=72).startswith(b"\x89PNG\r\n\x1a\n")


def test_docstring_examples_run() -> None:
    result = doctest.testmod(evsynth.plots.ranking, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"treatments": []}, DataError, "there are no treatments"),
        ({"rank_probabilities": PROBABILITIES[:2]}, DataError, r"\(3, n_ranks\) matrix.*\(2, 3\)"),
        ({"rank_probabilities": [0.5, 0.5, 0.0]}, DataError, "must be a .* matrix"),
        ({"rank_probabilities": [[1.0]] * 3}, DataError, "at least two ranks"),
        (
            {"rank_probabilities": [[0.5, 0.6, -0.1], [0.3, 0.3, 0.4], [0.2, 0.1, 0.7]]},
            DataError,
            r"row 1, column 'rank 3'.*not a probability",
        ),
        (
            {"rank_probabilities": [[0.5, 0.2, 0.1], [0.3, 0.3, 0.4], [0.2, 0.1, 0.7]]},
            DataError,
            r"row 1 \(Placebo\) sum to 0.8, not 1",
        ),
        (
            {"rank_probabilities": [[50, 30, 20], [30, 30, 40], [20, 40, 40]]},
            DataError,
            "not percentages",
        ),
        ({"rank_probabilities": [["a"] * 3] * 3}, DataError, "must contain only numbers"),
        ({"kind": "pie"}, EvsynthError, "kind='pie' is not known; choose one of line, bar"),
        ({"sucra": [0.5, 0.5]}, DataError, "treatments, sucra must have the same length"),
        ({"sucra": [0.5, 1.5, 0.2]}, DataError, r"row 2, column 'sucra'.*between 0 and 1"),
    ],
)
def test_bad_rankogram_input_raises_a_clear_error(
    kwargs: dict[str, object], error: type[Exception], pattern: str
) -> None:
    arguments: dict[str, object] = {
        "treatments": TREATMENTS,
        "rank_probabilities": PROBABILITIES,
    }
    arguments.update(kwargs)
    with pytest.raises(error, match=pattern):
        rankogram(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("scores", "pattern"),
    [
        ([0.5, 0.2], "treatments, scores must have the same length"),
        ([0.5, 0.2, 87.0], r"row 3, column 'scores'.*not percentages"),
        ([0.5, np.nan, 0.1], "not a finite number"),
    ],
)
def test_bad_scores_raise_a_clear_error(scores: list[float], pattern: str) -> None:
    with pytest.raises(DataError, match=pattern):
        pscore_plot(TREATMENTS, scores)
