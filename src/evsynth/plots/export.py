"""Self-contained figure output for the HTML report: inline SVG text or PNG bytes.

Both functions save with ``bbox_inches="tight"`` so that text columns drawn outside the axes
(the forest plot's labels, a legend beside the funnel) are kept, and neither needs pyplot or a
display. SVG text is written as glyph paths (matplotlib's default ``svg.fonttype``), so the
output shows the same without the font installed; the creation date is omitted so that the same
figure gives the same bytes apart from matplotlib's random clip-path identifiers.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from evsynth._core.errors import EvsynthError

_PAD_INCHES = 0.05


def figure_to_svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element, ready to paste inline into an HTML page.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, e.g. from :func:`evsynth.plots.forest_plot`.

    Returns
    -------
    str
        SVG markup starting at ``<svg``; the XML declaration and DOCTYPE, which HTML does not
        want inside a page, are left out. The text is still a well-formed XML document.
    """
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="svg",
        bbox_inches="tight",
        pad_inches=_PAD_INCHES,
        metadata={"Date": None},
    )
    text = buffer.getvalue().decode("utf-8")
    return text[text.index("<svg") :]


def figure_to_png_bytes(fig: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG bytes, e.g. for a base64 ``data:image/png`` URI.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.
    dpi : int, optional
        Resolution in dots per inch; 150 suits screens, 300 suits print.

    Returns
    -------
    bytes
        The PNG file content.
    """
    if not dpi > 0:
        raise EvsynthError(f"dpi={dpi!r} must be a positive number", hint="150 suits screens")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=_PAD_INCHES)
    return buffer.getvalue()
