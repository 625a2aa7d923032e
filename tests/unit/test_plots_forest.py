"""Tests for evsynth.plots.forest_plot: what is drawn, the text columns, layout and bad input.

The numbers are small hand-made examples; drawn coordinates are the inputs (or their exp), so
they are compared with a tight relative tolerance rather than a published reference.
"""

from __future__ import annotations

import doctest
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import matplotlib
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.text import Text

import evsynth.plots.forest
from evsynth._core.errors import DataError, EvsynthError
from evsynth.plots import figure_to_png_bytes, forest_plot

matplotlib.use("Agg")


def assert_close(actual: object, desired: object) -> None:
    """Compare coordinates; drawn coordinates are the inputs themselves."""
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(desired, dtype=float), rtol=1e-12, atol=1e-12
    )


MINUS = "\N{MINUS SIGN}"

LABELS = ["Adams 2001", "Baker 2005", "Clark 2010"]
EFFECT = [0.5, -0.25, 1.0]
CI_LOW = [0.1, -0.6, 0.6]
CI_HIGH = [0.9, 0.1, 1.4]
WEIGHTS = [1.0, 1.0, 2.0]
POOLED = [{"label": "Random effects (REML)", "estimate": 0.4, "ci_low": 0.2, "ci_high": 0.6}]


def _example(**kwargs: object) -> Figure:
    arguments: dict[str, object] = {"weights": WEIGHTS, "pooled": POOLED}
    arguments.update(kwargs)
    return forest_plot(LABELS, EFFECT, CI_LOW, CI_HIGH, **arguments)  # type: ignore[arg-type]


def _axes(fig: Figure) -> Axes:
    (ax,) = fig.axes
    return ax


def _texts(ax: Axes, tag: str) -> list[str]:
    """Texts with label ``_forest_<tag>``, top row first."""
    found = [t for t in ax.texts if t.get_label() == f"_forest_{tag}"]
    return [t.get_text() for t in sorted(found, key=lambda t: t.get_position()[1])]


def _text_rows(ax: Axes, tag: str) -> list[float]:
    return sorted(t.get_position()[1] for t in ax.texts if t.get_label() == f"_forest_{tag}")


def _studies(ax: Axes) -> PathCollection:
    (markers,) = [c for c in ax.collections if c.get_label() == "_forest_studies"]
    assert isinstance(markers, PathCollection)
    return markers


def _ci_lines(ax: Axes) -> LineCollection:
    (lines,) = [c for c in ax.collections if c.get_label() == "_forest_ci"]
    assert isinstance(lines, LineCollection)
    return lines


def _diamonds(ax: Axes) -> list[Polygon]:
    return [p for p in ax.patches if isinstance(p, Polygon) and p.get_label() == "_forest_pooled"]


# --- what is drawn -------------------------------------------------------------------------


def test_returns_a_figure_with_one_axes() -> None:
    fig = _example()
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1


def test_one_square_and_one_interval_line_per_study() -> None:
    ax = _axes(_example())
    offsets = np.asarray(_studies(ax).get_offsets())
    assert offsets.shape == (3, 2)
    assert_close(offsets[:, 0], EFFECT)
    segments = _ci_lines(ax).get_segments()
    assert len(segments) == 3
    assert_close([s[0][0] for s in segments], CI_LOW)
    assert_close([s[1][0] for s in segments], CI_HIGH)


def test_square_area_is_proportional_to_weight() -> None:
    sizes = _studies(_axes(_example())).get_sizes()  # marker areas in points²
    assert_close(sizes / sizes.max(), np.array(WEIGHTS) / max(WEIGHTS))


def test_squares_are_equal_and_weight_column_absent_without_weights() -> None:
    ax = _axes(forest_plot(LABELS, EFFECT, CI_LOW, CI_HIGH))
    sizes = _studies(ax).get_sizes()
    assert np.ptp(sizes) == 0.0
    assert _texts(ax, "weight") == []
    assert _texts(ax, "header") == ["Study", "Estimate [95% CI]"]


def test_pooled_rows_are_diamonds_spanning_their_interval() -> None:
    pooled = [
        {"label": "Common effect", "estimate": 0.45, "ci_low": 0.3, "ci_high": 0.6},
        *POOLED,
    ]
    ax = _axes(_example(pooled=pooled))
    diamonds = _diamonds(ax)
    assert len(diamonds) == 2
    xs = diamonds[1].get_xy()[:, 0]
    assert_close([xs.min(), xs.max()], [0.2, 0.6])
    assert _texts(ax, "pooled_label") == ["Common effect", "Random effects (REML)"]


def test_prediction_interval_is_a_bar_under_the_diamond() -> None:
    ax = _axes(_example(prediction=(-0.3, 1.1)))
    (bar,) = [line for line in ax.lines if line.get_label() == "_forest_prediction"]
    assert_close(bar.get_xdata(), [-0.3, 1.1])
    (diamond,) = _diamonds(ax)
    diamond_row = diamond.get_xy()[:, 1].mean()
    assert np.asarray(bar.get_ydata())[0] > diamond_row  # rows increase downwards
    assert _texts(ax, "pi_label") == ["Prediction interval"]


def test_null_line_and_favours_labels() -> None:
    ax = _axes(_example(favours=("Favours A", "Favours B")))
    (null,) = [c for c in ax.collections if c.get_label() == "_forest_null"]
    assert isinstance(null, LineCollection)
    assert null.get_segments()[0][0][0] == 0.0
    assert sorted(_texts(ax, "favours")) == ["Favours A", "Favours B"]
    assert _texts(_axes(_example(favours=None)), "favours") == []


def test_no_null_line_when_null_value_is_none() -> None:
    ax = _axes(_example(null_value=None))
    assert not [c for c in ax.collections if c.get_label() == "_forest_null"]


# --- text columns ----------------------------------------------------------------------------


def test_text_columns_hold_formatted_numbers() -> None:
    ax = _axes(_example(prediction=(-0.3, 1.1)))
    assert _texts(ax, "label") == LABELS
    assert _texts(ax, "estimate") == [
        "0.50 [0.10, 0.90]",
        f"{MINUS}0.25 [{MINUS}0.60, 0.10]",
        "1.00 [0.60, 1.40]",
        "0.40 [0.20, 0.60]",  # the pooled row
        f"[{MINUS}0.30, 1.10]",  # the prediction interval
    ]
    assert _texts(ax, "weight") == ["25.0%", "25.0%", "50.0%"]
    assert _texts(ax, "header") == ["Study", "Estimate [95% CI]", "Weight"]


def test_digits_and_level_change_the_text() -> None:
    ax = _axes(_example(digits=3, level=0.9))
    assert _texts(ax, "estimate")[0] == "0.500 [0.100, 0.900]"
    assert "Estimate [90% CI]" in _texts(ax, "header")


def test_negative_zero_is_printed_as_zero() -> None:
    ax = _axes(forest_plot(["A"], [-0.001], [-0.5], [0.5]))
    assert _texts(ax, "estimate") == [f"0.00 [{MINUS}0.50, 0.50]"]


def test_extra_rows_are_written_under_the_summaries() -> None:
    note = "Heterogeneity: tau² = 0.04; I² = 35%"
    ax = _axes(_example(extra_rows=[note]))
    assert _texts(ax, "note") == [note]
    assert _text_rows(ax, "note")[0] > _text_rows(ax, "pooled_label")[0]


# --- ratio measures ---------------------------------------------------------------------------


def test_exp_transform_draws_ratios_on_a_log_axis() -> None:
    log_or = np.log([2.0, 0.5])
    fig = forest_plot(
        ["A", "B"],
        log_or,
        log_or - np.log(2.0),
        log_or + np.log(2.0),
        transform=np.exp,
        xlabel="Odds ratio",
    )
    ax = _axes(fig)
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "Odds ratio"
    assert_close(np.asarray(_studies(ax).get_offsets())[:, 0], [2.0, 0.5])
    assert _texts(ax, "estimate") == ["2.00 [1.00, 4.00]", "0.50 [0.25, 1.00]"]
    (null,) = [c for c in ax.collections if c.get_label() == "_forest_null"]
    assert isinstance(null, LineCollection)
    assert null.get_segments()[0][0][0] == pytest.approx(1.0)  # exp(0): no difference
    ticks = list(ax.get_xticks())
    assert 1.0 in ticks
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "1" in labels and not any("10^" in label or "$" in label for label in labels)


def test_log_scale_can_be_turned_off() -> None:
    ax = _axes(_example(transform=np.exp, log_scale=False))
    assert ax.get_xscale() == "linear"


def test_xlim_clips_intervals_with_arrowheads() -> None:
    ax = _axes(_example(xlim=(0.0, 1.2)))
    assert ax.get_xlim() == (0.0, 1.2)
    arrows = [line for line in ax.lines if line.get_label() == "_forest_arrow"]
    assert sorted(str(a.get_marker()) for a in arrows) == ["<", ">"]


# --- subgroups --------------------------------------------------------------------------------


def test_subgroups_get_headings_and_their_own_summaries() -> None:
    pooled = [
        {"label": "Subtotal", "estimate": 0.2, "ci_low": -0.1, "ci_high": 0.5, "subgroup": "Low"},
        {"label": "Overall", "estimate": 0.4, "ci_low": 0.2, "ci_high": 0.6},
    ]
    ax = _axes(_example(pooled=pooled, subgroups=["High", "Low", "High"]))
    assert _texts(ax, "heading") == ["High", "Low"]
    assert _texts(ax, "label") == ["Adams 2001", "Clark 2010", "Baker 2005"]
    rows = dict(zip(_texts(ax, "label"), _text_rows(ax, "label"), strict=True))
    subtotal_row, overall_row = _text_rows(ax, "pooled_label")
    low_heading_row = _text_rows(ax, "heading")[1]
    assert low_heading_row < rows["Baker 2005"] < subtotal_row < overall_row


# --- layout -----------------------------------------------------------------------------------


def test_figure_height_grows_with_the_number_of_studies() -> None:
    def height(n: int) -> float:
        effect = np.zeros(n)
        fig = forest_plot([f"Study {i}" for i in range(n)], effect, effect - 1, effect + 1)
        return fig.get_figheight()

    assert height(3) < height(10) < height(30)
    assert height(30) - height(10) == pytest.approx(20 * 15.0 / 72.0)  # 15 pt per row


def test_text_columns_sit_beside_the_plot_inside_the_figure() -> None:
    fig = _example(prediction=(-0.3, 1.1), title="A title", extra_rows=["A note"])
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ax = _axes(fig)
    plot_box = ax.get_window_extent(renderer)
    fig_box = fig.bbox
    for text in ax.texts + fig.texts:
        box = text.get_window_extent(renderer)
        assert fig_box.x0 <= box.x0 and box.x1 <= fig_box.x1, text.get_text()
        assert fig_box.y0 <= box.y0 and box.y1 <= fig_box.y1, text.get_text()
        tag = text.get_label()
        if tag in ("_forest_label", "_forest_pooled_label", "_forest_pi_label"):
            assert box.x1 < plot_box.x0, text.get_text()
        if tag in ("_forest_estimate", "_forest_weight"):
            assert box.x0 > plot_box.x1, text.get_text()
    estimates = [t for t in ax.texts if t.get_label() == "_forest_estimate"]
    weights = [t for t in ax.texts if t.get_label() == "_forest_weight"]
    assert max(t.get_window_extent(renderer).x1 for t in estimates) < min(
        t.get_window_extent(renderer).x0 for t in weights
    )


def test_draws_into_the_given_axes() -> None:
    fig = Figure(figsize=(9, 4), layout="constrained")
    ax = fig.add_subplot()
    returned = forest_plot(LABELS, EFFECT, CI_LOW, CI_HIGH, weights=WEIGHTS, ax=ax, title="T")
    assert returned is fig
    assert fig.axes == [ax]
    assert np.asarray(_studies(ax).get_offsets()).shape == (3, 2)
    assert ax.get_title(loc="left") == "T"


def test_axes_in_a_subfigure_returns_the_top_level_figure() -> None:
    fig = Figure(figsize=(9, 4))
    sub = fig.add_subfigure(fig.add_gridspec(1, 2)[0])
    ax = sub.add_subplot()
    assert forest_plot(LABELS, EFFECT, CI_LOW, CI_HIGH, ax=ax) is fig


def test_no_pyplot_is_imported() -> None:
    code = (
        "import sys, numpy as np; from evsynth.plots import forest_plot, figure_to_svg;"
        "fig = forest_plot(['A'], [0.1], [0.0], [0.2], transform=np.exp); figure_to_svg(fig);"
        "print('matplotlib.pyplot' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_figures_can_be_drawn_in_parallel_threads() -> None:
    def draw(seed: int) -> bytes:
        rng = np.random.default_rng(seed)
        effect = rng.normal(size=8)
        fig = forest_plot([f"S{i}" for i in range(8)], effect, effect - 0.5, effect + 0.5)
        return figure_to_png_bytes(fig, dpi=50)

    with ThreadPoolExecutor(max_workers=4) as pool:
        images = list(pool.map(draw, range(8)))
    assert all(image.startswith(b"\x89PNG") for image in images)


def test_docstring_examples_run() -> None:
    result = doctest.testmod(evsynth.plots.forest, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


# --- bad input ------------------------------------------------------------------------------


def test_mismatched_lengths_are_named() -> None:
    with pytest.raises(DataError, match=r"same length.*labels=3.*ci_high=2"):
        forest_plot(LABELS, EFFECT, CI_LOW, CI_HIGH[:2])


def test_reversed_interval_names_the_row() -> None:
    with pytest.raises(
        DataError, match=r"row 2, column 'ci_low': ci_low \(0.5\) is above ci_high"
    ) as info:
        forest_plot(LABELS, EFFECT, [0.1, 0.5, 0.6], [0.9, 0.1, 1.4])
    assert info.value.location is not None and info.value.location.row == 2
    assert "swapped" in str(info.value)


def test_estimate_outside_its_interval_is_refused() -> None:
    with pytest.raises(DataError, match=r"row 3.*effect \(2\) lies outside its interval"):
        forest_plot(LABELS, [0.5, -0.25, 2.0], CI_LOW, CI_HIGH)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"effect": [0.5, np.nan, 1.0]}, DataError, r"row 2, column 'effect'.*not a finite"),
        ({"effect": ["a", "b", "c"]}, DataError, "effect must contain only numbers"),
        ({"labels": "Adams"}, DataError, "not one string"),
        ({"labels": [], "effect": [], "ci_low": [], "ci_high": []}, DataError, "no studies"),
        ({"weights": [1.0, -1.0, 1.0]}, DataError, r"row 2.*weights has a negative value"),
        ({"weights": [0.0, 0.0, 0.0]}, DataError, "weights are all zero"),
        ({"weights": [1.0, 2.0]}, DataError, "same length"),
        ({"pooled": [{"label": "RE", "estimate": 0.1}]}, DataError, "lacks key.*'ci_low'"),
        (
            {"pooled": [{**POOLED[0], "se": 0.1}]},
            DataError,
            "unknown key.*'se'",
        ),
        ({"pooled": [{**POOLED[0], "ci_low": "x"}]}, DataError, "ci_low='x' is not a finite"),
        ({"pooled": [{**POOLED[0], "ci_low": 0.7}]}, DataError, "pooled ci_low .* is above"),
        ({"pooled": [{**POOLED[0], "subgroup": "X"}]}, DataError, "no subgroups were given"),
        (
            {"pooled": [{**POOLED[0], "subgroup": "X"}], "subgroups": ["A", "A", "B"]},
            DataError,
            "which no study belongs to.*Choose one of A, B",
        ),
        ({"subgroups": ["A"]}, DataError, "same length"),
        ({"prediction": (1.0, -1.0)}, DataError, "prediction must be"),
        ({"level": 95}, EvsynthError, "level=95 must lie strictly between 0 and 1"),
        ({"xlim": (1.0, 0.0)}, EvsynthError, "xlim=.*low < high"),
        ({"favours": ("only one",)}, EvsynthError, "favours must be two texts"),
        ({"log_scale": True}, EvsynthError, "values <= 0, which a log axis cannot show"),
        ({"transform": lambda x: x[:1]}, EvsynthError, "transform did not return"),
    ],
)
def test_bad_input_raises_a_clear_error(
    kwargs: dict[str, object], error: type[Exception], pattern: str
) -> None:
    arguments: dict[str, object] = {
        "labels": LABELS,
        "effect": EFFECT,
        "ci_low": CI_LOW,
        "ci_high": CI_HIGH,
    }
    arguments.update(kwargs)
    with pytest.raises(error, match=pattern):
        forest_plot(**arguments)  # type: ignore[arg-type]


def test_errors_are_evsynth_errors() -> None:
    with pytest.raises(EvsynthError):
        forest_plot(LABELS, EFFECT, CI_LOW, CI_HIGH[:2])


def test_text_objects_are_plain_text() -> None:
    ax = _axes(_example())
    assert all(isinstance(t, Text) for t in ax.texts)
    assert not any("$" in t.get_text() for t in ax.texts)  # no accidental mathtext
