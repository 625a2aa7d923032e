"""The shared look of evsynth figures: fonts, colours, line widths, and figure creation.

Colours come from the Okabe–Ito palette (Okabe & Ito 2008, *Color Universal Design*), which stays
distinguishable under the common colour-vision deficiencies; shading uses greys only, so every
figure also survives greyscale printing. Text is DejaVu Sans, which ships with matplotlib, so a
figure renders the same on every machine (a precondition for image golden tests).

The style is passed explicitly to each drawing call, never through ``rcParams`` or
``rc_context``: both change matplotlib's process-wide state, which is neither headless-safe for a
caller's own figures nor thread-safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text


@dataclass(frozen=True, slots=True)
class PlotStyle:
    """Fonts, colours and sizes shared by the forest and funnel plots."""

    font_family: str = "DejaVu Sans"
    font_size: float = 9.0
    small_font_size: float = 8.0
    title_font_size: float = 10.5
    ink: str = "#000000"
    reference: str = "#555555"
    study: str = "#0072B2"  # Okabe–Ito blue
    pooled: str = "#000000"
    prediction: str = "#D55E00"  # Okabe–Ito vermillion
    regression: str = "#CC79A7"  # Okabe–Ito reddish purple
    line_width: float = 1.0
    row_height_pt: float = 15.0
    margin_pt: float = 6.0
    column_gap_pt: float = 12.0


STYLE = PlotStyle()


def font(*, size: float | None = None, weight: str = "normal") -> FontProperties:
    """Font properties in the house font; ``size`` defaults to the body size."""
    return FontProperties(
        family=STYLE.font_family,
        size=STYLE.font_size if size is None else size,
        weight=weight,
    )


class TextMeasure:
    """Widths of text as the Agg renderer draws it, in points.

    Agg at 72 dpi gives the widest extents of the renderers (its hinting widens text by up to 5%
    over the outline metrics used for SVG and PDF), so a layout sized with it never clips. Make
    one per figure: a private renderer keeps measuring thread-safe.
    """

    def __init__(self) -> None:
        self._figure = Figure(figsize=(1.0, 1.0), dpi=72.0)
        FigureCanvasAgg(self._figure)

    def width_pt(self, texts: Iterable[str], properties: FontProperties) -> float:
        """Width of the widest of ``texts`` in points (0 when there are none or all are empty)."""
        widest = 0.0
        for text in texts:
            if text:
                artist = Text(0.0, 0.0, text, fontproperties=properties)
                artist.set_figure(self._figure)
                widest = max(widest, float(artist.get_window_extent().width))
        return widest


def new_figure(
    width_in: float,
    height_in: float,
    *,
    layout: Literal["constrained", "compressed", "tight"] | None = None,
) -> Figure:
    """A figure bound to the Agg canvas, outside pyplot, so nothing is registered globally."""
    fig = Figure(figsize=(width_in, height_in), layout=layout)
    FigureCanvasAgg(fig)
    return fig


def root_figure(ax: Axes) -> Figure:
    """The top-level figure holding ``ax``, also when ``ax`` sits in a sub-figure."""
    parent = ax.figure
    while isinstance(parent, SubFigure):
        parent = parent.figure
    if not isinstance(parent, Figure):
        raise TypeError("ax is not attached to a matplotlib Figure")
    return parent


def plain_axes(ax: Axes) -> None:
    """Keep only the bottom spine, as metafor's forest and funnel plots do."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(
        labelsize=STYLE.font_size,
        labelfontfamily=STYLE.font_family,
        color=STYLE.ink,
        labelcolor=STYLE.ink,
    )
