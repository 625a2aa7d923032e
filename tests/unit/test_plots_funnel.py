"""Tests for evsynth.plots.funnel_plot: points, funnel lines, contours, regression line, input.

The numbers are small hand-made examples; drawn coordinates follow from the inputs by
``estimate ± z * se`` with z from the standard normal, so they are compared with a tight relative
tolerance rather than a published reference.
"""

from __future__ import annotations

import doctest
from statistics import NormalDist

import matplotlib
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

import evsynth.plots.funnel
from evsynth._core.errors import DataError, EvsynthError
from evsynth.plots import funnel_plot

matplotlib.use("Agg")


def assert_close(actual: object, desired: object) -> None:
    """Compare coordinates; coordinates are closed-form functions of the inputs."""
    np.testing.assert_allclose(
        np.asarray(actual, dtype=float), np.asarray(desired, dtype=float), rtol=1e-12, atol=1e-12
    )


Z95 = NormalDist().inv_cdf(0.975)

EFFECT = [0.1, -0.3, 0.4, 0.2, -0.1]
SE = [0.1, 0.2, 0.3, 0.15, 0.25]
ESTIMATE = 0.05
SE_MAX = 0.3 * 1.05  # the SE axis runs 5% past the least precise study


def _axes(fig: Figure) -> Axes:
    (ax,) = fig.axes
    return ax


def _points(ax: Axes) -> PathCollection:
    (points,) = [c for c in ax.collections if c.get_label() == "Studies"]
    assert isinstance(points, PathCollection)
    return points


def _line(ax: Axes, label: str) -> Line2D:
    (line,) = [line for line in ax.lines if line.get_label() == label]
    return line


def _legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def test_one_point_per_study_at_effect_and_se() -> None:
    fig = funnel_plot(EFFECT, SE, estimate=ESTIMATE)
    assert isinstance(fig, Figure)
    offsets = np.asarray(_points(_axes(fig)).get_offsets())
    assert offsets.shape == (5, 2)
    assert_close(offsets[:, 0], EFFECT)
    assert_close(offsets[:, 1], SE)


def test_se_axis_is_inverted_with_zero_at_the_top() -> None:
    bottom, top = _axes(funnel_plot(EFFECT, SE, estimate=ESTIMATE)).get_ylim()
    assert top == 0.0
    assert bottom == pytest.approx(SE_MAX)
    assert _axes(funnel_plot(EFFECT, SE, estimate=ESTIMATE)).get_ylabel() == "Standard error"


@pytest.mark.parametrize("level", [0.95, 0.90])
def test_pseudo_confidence_region_is_estimate_plus_minus_z_se(level: float) -> None:
    ax = _axes(funnel_plot(EFFECT, SE, estimate=ESTIMATE, level=level))
    z = NormalDist().inv_cdf(0.5 + level / 2)
    region = _line(ax, f"{100 * level:g}% pseudo-confidence region")
    assert_close(region.get_xdata(), [ESTIMATE - z * SE_MAX, ESTIMATE, ESTIMATE + z * SE_MAX])
    assert_close(region.get_ydata(), [SE_MAX, 0.0, SE_MAX])
    assert_close(_line(ax, "Pooled estimate").get_xdata(), [ESTIMATE] * 2)


def test_contours_are_centred_on_the_null_value() -> None:
    ax = _axes(funnel_plot(EFFECT, SE, estimate=ESTIMATE, contour=True, null_value=0.0))
    bands = [p for p in ax.patches if p.get_label() == "_funnel_contour"]
    assert len(bands) == 3
    polygons = [band for band in bands if isinstance(band, Polygon)]
    assert len(polygons) == 3
    widest = polygons[0].get_xy()[:, 0]  # the 99% band is painted first
    z99 = NormalDist().inv_cdf(0.995)
    assert_close([widest.min(), widest.max()], [-z99 * SE_MAX, z99 * SE_MAX])
    assert _legend_texts(ax)[-4:] == ["p > 0.10", "0.05 < p ≤ 0.10", "0.01 < p ≤ 0.05", "p ≤ 0.01"]


def test_custom_contour_levels() -> None:
    ax = _axes(funnel_plot(EFFECT, SE, estimate=ESTIMATE, contour=[0.95, 0.999]))
    assert len([p for p in ax.patches if p.get_label() == "_funnel_contour"]) == 2
    assert _legend_texts(ax)[-3:] == ["p > 0.05", "0.001 < p ≤ 0.05", "p ≤ 0.001"]


def test_no_contours_by_default() -> None:
    ax = _axes(funnel_plot(EFFECT, SE, estimate=ESTIMATE))
    assert not [p for p in ax.patches if p.get_label() == "_funnel_contour"]


def test_egger_line_is_drawn_over_the_se_axis() -> None:
    ax = _axes(funnel_plot(EFFECT, SE, estimate=ESTIMATE, egger_line=lambda s: 0.02 + 0.5 * s))
    line = _line(ax, "Regression line")
    y = np.asarray(line.get_ydata())
    assert y.min() == 0.0 and y.max() == pytest.approx(SE_MAX)
    assert_close(line.get_xdata(), 0.02 + 0.5 * y)
    assert "Regression line" in _legend_texts(ax)


def test_labels_are_written_beside_points() -> None:
    names = ["A", "B", "C", "D", "E"]
    ax = _axes(funnel_plot(EFFECT, SE, estimate=ESTIMATE, labels=names))
    assert sorted(t.get_text() for t in ax.texts if t.get_label() == "_funnel_label") == names


def test_exp_transform_uses_a_log_axis() -> None:
    ax = _axes(funnel_plot(EFFECT, SE, estimate=ESTIMATE, transform=np.exp, xlabel="Odds ratio"))
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "Odds ratio"
    offsets = np.asarray(_points(ax).get_offsets())
    assert_close(offsets[:, 0], np.exp(EFFECT))


def test_draws_into_the_given_axes() -> None:
    fig = Figure(layout="constrained")
    ax = fig.add_subplot()
    assert funnel_plot(EFFECT, SE, estimate=ESTIMATE, ax=ax, title="Funnel") is fig
    assert fig.axes == [ax]
    assert np.asarray(_points(ax).get_offsets()).shape == (5, 2)
    assert ax.get_title(loc="left") == "Funnel"


def test_docstring_examples_run() -> None:
    result = doctest.testmod(evsynth.plots.funnel, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"se": SE[:3]}, DataError, r"effect, se must have the same length.*se=3"),
        ({"se": [0.1, 0.0, 0.3, 0.15, 0.25]}, DataError, r"row 2, column 'se'.*must be positive"),
        ({"se": [0.1, -0.2, 0.3, 0.15, 0.25]}, DataError, "standard errors must be positive"),
        ({"effect": [0.1, np.inf, 0.4, 0.2, -0.1]}, DataError, r"row 2.*not a finite number"),
        ({"labels": ["A"]}, DataError, "labels=1"),
        ({"estimate": np.nan}, EvsynthError, "estimate=nan is not a finite number"),
        ({"null_value": "zero"}, EvsynthError, "null_value=.zero. is not a number"),
        ({"level": 1.0}, EvsynthError, "level=1.0 must lie strictly between 0 and 1"),
        ({"contour": [0.9, 1.5]}, EvsynthError, "contour level=1.5"),
        ({"contour": []}, EvsynthError, "contour has no levels"),
        ({"egger_line": lambda s: 1.0}, EvsynthError, "egger_line must return one effect"),
        ({"log_scale": True}, EvsynthError, "log axis cannot show"),
    ],
)
def test_bad_input_raises_a_clear_error(
    kwargs: dict[str, object], error: type[Exception], pattern: str
) -> None:
    arguments: dict[str, object] = {"effect": EFFECT, "se": SE, "estimate": ESTIMATE}
    arguments.update(kwargs)
    with pytest.raises(error, match=pattern):
        funnel_plot(**arguments)  # type: ignore[arg-type]
