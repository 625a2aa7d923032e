"""The PRISMA 2020 flow diagram for a new systematic review, drawn with matplotlib.

The layout is the PRISMA 2020 statement's template for new reviews that searched databases and
registers (Page MJ et al. 2021, BMJ 372:n71, doi:10.1136/bmj.n71, figure 1): the phases
Identification, Screening and Included as blue side labels; a main column of records identified,
screened, reports sought, reports assessed and studies included, each with an arrow down; a side
column of records removed before screening, records excluded, reports not retrieved and reports
excluded with their reasons, each reached by an arrow across. When records came from other
methods (websites, organisations, citation searching), the template's second pathway is drawn
to the right, its assessed reports joining the included studies.

The figure is sized to its text: box heights follow the number of wrapped lines, so long lists
of sources or exclusion reasons never overflow. It is drawn on its own Agg-backed figure, outside
pyplot; use :func:`evsynth.plots.figure_to_svg` or :func:`evsynth.plots.figure_to_png_bytes`
(or :func:`prisma_svg`) to export it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from evsynth.plots import figure_to_svg
from evsynth.screening.prisma import PrismaCounts

FONT = "DejaVu Sans"
FONT_SIZE = 8.5
LINE = FONT_SIZE * 1.3
PAD = 6.0
CHAR_WIDTH = FONT_SIZE * 0.56  # DejaVu Sans averages about 0.55 em per character of prose
HEADER_YELLOW = "#FFD966"
HEADER_GREY = "#D9D9D9"
PHASE_BLUE = "#9DC3E6"
INK = "#000000"

MAIN_WIDTH = 230.0
SIDE_WIDTH = 230.0
OTHER_WIDTH = 200.0
PHASE_WIDTH = 24.0
GAP_PHASE = 10.0
GAP_ACROSS = 36.0
GAP_PATHWAYS = 28.0
GAP_DOWN = 22.0
HEADER_HEIGHT = 26.0
MARGIN = 8.0
MIN_HEIGHT = 36.0


@dataclass(frozen=True, slots=True)
class _Box:
    column: int
    row: int
    lines: tuple[str, ...]


def _n(value: int) -> str:
    # No-break spaces keep "(n = 1,234)" on one line when a long label wraps.
    return f"(n\u00a0=\u00a0{value:,})"


def _wrap(lines: Sequence[str], width: float) -> tuple[str, ...]:
    chars = max(12, int((width - 2 * PAD) / CHAR_WIDTH))
    out: list[str] = []
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        out.extend(
            textwrap.wrap(
                line.strip(),
                chars,
                initial_indent=" " * indent,
                subsequent_indent=" " * (indent + 2),
            )
            or [""]
        )
    return tuple(out)


def _listing(
    title: str, items: dict[str, int], total: int | None = None, indent: int = 2
) -> list[str]:
    lines = [title + (f" {_n(total)}" if total is not None else "")]
    lines += [" " * indent + f"{name} {_n(n)}" for name, n in items.items()]
    return lines


def _boxes(counts: PrismaCounts) -> list[_Box]:
    databases = {s: n for s, n in counts.identified_by_source.items() if s not in counts.registers}
    registers = {s: n for s, n in counts.identified_by_source.items() if s in counts.registers}
    identified = ["Records identified from:"]
    identified += _listing("  Databases", databases, counts.identified_databases, indent=4)
    identified += _listing("  Registers", registers, counts.identified_registers, indent=4)
    reasons = ["Reports excluded:"] + [
        f"  {reason} {_n(n)}" for reason, n in counts.reports_excluded_by_reason.items()
    ]
    if not counts.reports_excluded_by_reason:
        reasons = ["Reports excluded", _n(0)]
    boxes = [
        _Box(0, 0, tuple(identified)),
        _Box(
            1,
            0,
            (
                "Records removed before screening:",
                f"  Duplicate records removed {_n(counts.duplicates_removed)}",
                f"  Records marked as ineligible by automation tools {_n(0)}",
                f"  Records removed for other reasons {_n(0)}",
            ),
        ),
        _Box(0, 1, ("Records screened", _n(counts.records_screened))),
        _Box(1, 1, ("Records excluded", _n(counts.records_excluded))),
        _Box(0, 2, ("Reports sought for retrieval", _n(counts.reports_sought))),
        _Box(1, 2, ("Reports not retrieved", _n(counts.reports_not_retrieved))),
        _Box(0, 3, ("Reports assessed for eligibility", _n(counts.reports_assessed))),
        _Box(1, 3, tuple(reasons)),
        _Box(
            0,
            4,
            (
                "Studies included in review",
                _n(counts.studies_included),
                "Reports of included studies",
                _n(counts.reports_included),
            ),
        ),
    ]
    if counts.has_other_methods:
        methods = {
            "Websites": counts.other_identified_by_method.get("websites", 0),
            "Organisations": counts.other_identified_by_method.get("organisations", 0),
            "Citation searching": counts.other_identified_by_method.get("citation_searching", 0),
        }
        other_reasons = ["Reports excluded:"] + [
            f"  {reason} {_n(n)}" for reason, n in counts.other_reports_excluded_by_reason.items()
        ]
        if not counts.other_reports_excluded_by_reason:
            other_reasons = ["Reports excluded", _n(0)]
        boxes += [
            _Box(2, 0, tuple(_listing("Records identified from:", methods))),
            _Box(2, 2, ("Reports sought for retrieval", _n(counts.other_reports_sought))),
            _Box(3, 2, ("Reports not retrieved", _n(counts.other_reports_not_retrieved))),
            _Box(2, 3, ("Reports assessed for eligibility", _n(counts.other_reports_assessed))),
            _Box(3, 3, tuple(other_reasons)),
        ]
    return boxes


def _columns(other: bool) -> list[tuple[float, float]]:
    """(left, width) of each column, in points from the left edge."""
    left = MARGIN + PHASE_WIDTH + GAP_PHASE
    columns = [(left, MAIN_WIDTH), (left + MAIN_WIDTH + GAP_ACROSS, SIDE_WIDTH)]
    if other:
        start = columns[1][0] + SIDE_WIDTH + GAP_PATHWAYS
        columns += [(start, OTHER_WIDTH), (start + OTHER_WIDTH + GAP_ACROSS, OTHER_WIDTH)]
    return columns


def _rect(ax: Axes, x: float, y: float, w: float, h: float, face: str, rounded: bool) -> None:
    style = "round,pad=0,rounding_size=6" if rounded else "square,pad=0"
    ax.add_patch(
        FancyBboxPatch(
            (x, y), w, h, boxstyle=style, facecolor=face, edgecolor=INK, linewidth=0.8, zorder=2
        )
    )


def _arrow(ax: Axes, points: Sequence[tuple[float, float]]) -> None:
    """A line through ``points`` with an arrow head at the last one."""
    if len(points) > 2:
        xs, ys = zip(*points[:-1], strict=True)
        ax.plot(xs, ys, color=INK, linewidth=0.9, solid_capstyle="butt", zorder=1)
    ax.annotate(
        "",
        xy=points[-1],
        xytext=points[-2],
        arrowprops={
            "arrowstyle": "-|>,head_length=0.5,head_width=0.25",
            "color": INK,
            "linewidth": 0.9,
            "shrinkA": 0,
            "shrinkB": 0,
        },
        zorder=1,
    )


def prisma_diagram(counts: PrismaCounts, *, title: str | None = None) -> Figure:
    """Draw the PRISMA 2020 flow diagram of a new review from its counts.

    Parameters
    ----------
    counts : PrismaCounts
        From :func:`~evsynth.screening.prisma_counts`; call :meth:`PrismaCounts.check` first
        to refuse a flow that does not add up (the diagram draws what it is given, and notes
        records still pending).
    title : str, optional
        A title above the diagram.

    Returns
    -------
    matplotlib.figure.Figure
        The diagram, sized to its content (about 6.5 inches wide, 9.5 with other methods).
    """
    other = counts.has_other_methods
    columns = _columns(other)
    boxes = [_Box(b.column, b.row, _wrap(b.lines, columns[b.column][1])) for b in _boxes(counts)]
    heights = [
        max([MIN_HEIGHT] + [len(b.lines) * LINE + 2 * PAD for b in boxes if b.row == row])
        for row in range(5)
    ]
    top = MARGIN + (FONT_SIZE * 2.2 if title else 0.0)
    header_top = top
    tops: list[float] = []
    y = header_top + HEADER_HEIGHT + GAP_DOWN
    for height in heights:
        tops.append(y)
        y += height + GAP_DOWN
    bottom = y - GAP_DOWN
    notes = _notes(counts)
    total_height = bottom + MARGIN + len(notes) * LINE + (FONT_SIZE * 2.6)
    right = columns[-1][0] + columns[-1][1] + MARGIN
    fig = Figure(figsize=(right / 72.0, total_height / 72.0))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0.0, right)
    ax.set_ylim(total_height, 0.0)
    ax.set_axis_off()
    text: dict[str, Any] = {"fontfamily": FONT, "fontsize": FONT_SIZE, "color": INK, "zorder": 3}

    if title:
        ax.text(right / 2, MARGIN, title, ha="center", va="top", fontweight="bold", **text)
    # Headers of the two pathways.
    span = columns[1][0] + columns[1][1] - columns[0][0]
    _rect(ax, columns[0][0], header_top, span, HEADER_HEIGHT, HEADER_YELLOW, True)
    ax.text(
        columns[0][0] + span / 2,
        header_top + HEADER_HEIGHT / 2,
        "Identification of new studies via databases and registers",
        ha="center",
        va="center",
        fontweight="bold",
        **text,
    )
    if other:
        span_other = columns[3][0] + columns[3][1] - columns[2][0]
        _rect(ax, columns[2][0], header_top, span_other, HEADER_HEIGHT, HEADER_GREY, True)
        ax.text(
            columns[2][0] + span_other / 2,
            header_top + HEADER_HEIGHT / 2,
            "Identification of new studies via other methods",
            ha="center",
            va="center",
            fontweight="bold",
            **text,
        )
    # Phase labels at the left: Identification (row 0), Screening (rows 1-3), Included (row 4).
    for label, first, last in (("Identification", 0, 0), ("Screening", 1, 3), ("Included", 4, 4)):
        y0 = tops[first]
        y1 = tops[last] + heights[last]
        _rect(ax, MARGIN, y0, PHASE_WIDTH, y1 - y0, PHASE_BLUE, True)
        ax.text(
            MARGIN + PHASE_WIDTH / 2,
            (y0 + y1) / 2,
            label,
            rotation=90,
            ha="center",
            va="center",
            fontweight="bold",
            **text,
        )
    # Boxes: every box in a row takes the row's height, as in the PRISMA template.
    for box in boxes:
        x, width = columns[box.column]
        _rect(ax, x, tops[box.row], width, heights[box.row], "#FFFFFF", False)
        ax.text(
            x + PAD,
            tops[box.row] + PAD,
            "\n".join(box.lines),
            ha="left",
            va="top",
            linespacing=1.3,
            **text,
        )
    _connect(ax, columns, tops, heights, other)
    note_y = bottom + MARGIN
    for line in notes:
        ax.text(columns[0][0], note_y, line, ha="left", va="top", **text)
        note_y += LINE
    ax.text(
        columns[0][0],
        note_y + FONT_SIZE * 0.6,
        "After the PRISMA 2020 flow diagram: Page MJ, et al. BMJ 2021;372:n71. doi:10.1136/bmj.n71",
        ha="left",
        va="top",
        fontfamily=FONT,
        fontsize=FONT_SIZE - 1.5,
        color="#444444",
    )
    return fig


def _notes(counts: PrismaCounts) -> list[str]:
    notes = []
    if counts.records_pending:
        notes.append(
            f"Screening not finished: {counts.records_pending:,} record(s) pending or in conflict "
            "at title/abstract."
        )
    pending = counts.reports_pending + counts.other_reports_pending
    if pending:
        notes.append(
            f"Screening not finished: {pending:,} report(s) pending or in conflict at full text."
        )
    return notes


def _connect(
    ax: Axes,
    columns: Sequence[tuple[float, float]],
    tops: Sequence[float],
    heights: Sequence[float],
    other: bool,
) -> None:
    def centre_x(column: int) -> float:
        return columns[column][0] + columns[column][1] / 2

    def mid_y(row: int) -> float:
        return tops[row] + heights[row] / 2

    for row in range(4):
        _arrow(ax, [(centre_x(0), tops[row] + heights[row]), (centre_x(0), tops[row + 1])])
        _arrow(ax, [(columns[0][0] + columns[0][1], mid_y(row)), (columns[1][0], mid_y(row))])
    if not other:
        return
    _arrow(ax, [(centre_x(2), tops[0] + heights[0]), (centre_x(2), tops[2])])
    _arrow(ax, [(centre_x(2), tops[2] + heights[2]), (centre_x(2), tops[3])])
    for row in (2, 3):
        _arrow(ax, [(columns[2][0] + columns[2][1], mid_y(row)), (columns[3][0], mid_y(row))])
    # Other methods join the included studies: down from the assessed box, then left.
    _arrow(
        ax,
        [
            (centre_x(2), tops[3] + heights[3]),
            (centre_x(2), mid_y(4)),
            (columns[0][0] + columns[0][1], mid_y(4)),
        ],
    )


def prisma_svg(counts: PrismaCounts, *, title: str | None = None) -> str:
    """The diagram of :func:`prisma_diagram` as inline SVG text (``<svg ...>``)."""
    return figure_to_svg(prisma_diagram(counts, title=title))
