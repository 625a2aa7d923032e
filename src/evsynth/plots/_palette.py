"""Colours for many series and readable text on coloured cells, shared by the NMA figures.

Series colours are the Okabe–Ito palette (Okabe & Ito 2008, *Color Universal Design*) less its
yellow, which is too light for lines and markers on white. Beyond seven series the colours
repeat with dashed lines, and every series also has its own marker, so that series stay apart in
greyscale print and for readers who cannot tell the colours apart.

Text colour on a coloured cell is chosen by the WCAG 2.1 contrast ratio (success criterion 1.4.3,
https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio), computed from relative luminance.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.colors import to_rgb
from matplotlib.typing import ColorType

from evsynth.plots._style import STYLE

OKABE_ITO = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
)
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h", "p", "*")
_DASHED = (0, (4.0, 2.0))


@dataclass(frozen=True, slots=True)
class SeriesStyle:
    """Colour, marker and line style of one series."""

    color: str
    marker: str
    linestyle: str | tuple[float, tuple[float, float]]


def series_style(index: int) -> SeriesStyle:
    """The style of series ``index`` (0-based); the first 84 are all distinct."""
    color = OKABE_ITO[index % len(OKABE_ITO)]
    marker = _MARKERS[index % len(_MARKERS)]
    linestyle = "-" if (index // len(OKABE_ITO)) % 2 == 0 else _DASHED
    return SeriesStyle(color, marker, linestyle)


def relative_luminance(color: ColorType) -> float:
    """WCAG relative luminance of a matplotlib colour, 0 (black) to 1 (white).

    .. math::

        L = 0.2126 R + 0.7152 G + 0.0722 B, \\quad
        C = c / 12.92 \\text{ if } c \\le 0.04045 \\text{ else } ((c + 0.055) / 1.055)^{2.4}
    """
    channels = []
    for c in to_rgb(color):
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: ColorType, second: ColorType) -> float:
    """WCAG contrast ratio of two colours, from 1 (none) to 21 (black on white).

    .. math::

        \\frac{L_\\text{lighter} + 0.05}{L_\\text{darker} + 0.05}
    """
    a, b = relative_luminance(first), relative_luminance(second)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def text_color_on(background: ColorType) -> str:
    """Black or white, whichever contrasts more with ``background`` (always at least 4.58:1)."""
    if contrast_ratio(STYLE.ink, background) >= contrast_ratio("#FFFFFF", background):
        return STYLE.ink
    return "#FFFFFF"
