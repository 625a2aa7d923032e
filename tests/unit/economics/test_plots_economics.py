"""The CE plane, frontier, CEAC and EVPI figures: what is drawn, ax=, bad input, doctests.

Drawn positions are the inputs themselves (threshold lines have slope k through the origin),
so they are compared exactly.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from matplotlib.figure import Figure

import evsynth.plots.ce_plane
import evsynth.plots.ceac
from evsynth._core.errors import DataError
from evsynth.plots import ce_frontier_plot, ce_plane_plot, ceac_plot, evpi_plot, figure_to_svg
from evsynth.plots._style import new_figure


def test_ce_plane_draws_points_lines_and_mean() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(0.02, 0.01, (300, 2)), rng.normal(400, 100, (300, 2))
    fig = ce_plane_plot(x, y, labels=["A vs C", "B vs C"], point=([0.02, 0.03], [400, 350]),
                        thresholds=(20000,), max_points=100)  # fmt: skip
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["A vs C", "B vs C", "£20,000 per QALY", "Mean"]
    (line,) = [ln for ln in ax.lines if ln.get_label() == "£20,000 per QALY"]
    xs, ys = line.get_data()
    np.testing.assert_allclose(np.asarray(ys), 20000.0 * np.asarray(xs))
    clouds = [c for c in ax.collections if c.get_label() in ("A vs C", "B vs C")]
    assert all(len(c.get_offsets()) == 100 for c in clouds)
    assert ax.get_xlim()[0] < 0 < ax.get_xlim()[1]  # the origin is always shown
    assert "<svg" in figure_to_svg(fig)


def test_ce_plane_into_given_axes_and_errors() -> None:
    fig = new_figure(4, 3)
    ax = fig.add_subplot()
    assert ce_plane_plot([0.1, 0.2], [10, 20], ax=ax) is fig
    with pytest.raises(DataError, match="same shape"):
        ce_plane_plot([0.1, 0.2], [10.0])
    with pytest.raises(DataError, match="finite"):
        ce_plane_plot([0.1, np.nan], [10, 20])


def test_frontier_plot() -> None:
    fig = ce_frontier_plot(["A", "B", "C", "D"], [0, 10, 12, 30], [0, 1, 0.5, 1.5],
                           ["ND", "ND", "D", "ED"])  # fmt: skip
    ax = fig.axes[0]
    (frontier,) = [ln for ln in ax.lines if ln.get_label() == "Efficient frontier"]
    assert list(frontier.get_xdata()) == [0, 1]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Efficient frontier", "Dominated", "Extendedly dominated"]
    with pytest.raises(DataError, match="status"):
        ce_frontier_plot(["A"], [0], [0], ["X"])


def test_ceac_and_evpi() -> None:
    k = np.linspace(0, 50000, 11)
    p = np.vstack([1 - k / 50000, k / 50000])
    fig = ceac_plot(k, p, labels=["UC", "CBT"], frontier=p.max(axis=0))
    ax = fig.axes[0]
    assert ax.get_ylim() == (0.0, 1.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Acceptability frontier", "UC", "CBT",
    ]  # fmt: skip
    assert sum(1 for ln in ax.lines if ln.get_label() == "_ceac_threshold") == 2
    with pytest.raises(DataError, match="between 0 and 1"):
        ceac_plot(k, p * 2)
    with pytest.raises(DataError, match="one column per threshold"):
        ceac_plot(k[:-1], p)
    fig = evpi_plot(k, np.linspace(0, 10, 11))
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_ylabel() == "EVPI per patient (£)"
    with pytest.raises(DataError, match="one value per threshold"):
        evpi_plot(k, [1.0])


@pytest.mark.parametrize("module", [evsynth.plots.ce_plane, evsynth.plots.ceac])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)  # type: ignore[arg-type]
    assert result.failed == 0 and result.attempted > 0
