"""The PRISMA 2020 flow diagram: boxes, counts, reasons, arrows, other methods, export."""

from __future__ import annotations

import dataclasses

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from evsynth.plots import figure_to_png_bytes
from evsynth.screening import PrismaCounts, prisma_diagram, prisma_svg

NBSP = "\u00a0"


def _counts() -> PrismaCounts:
    return PrismaCounts(
        identified_by_source={"MEDLINE": 610, "Embase": 702, "ClinicalTrials.gov": 40},
        registers=("ClinicalTrials.gov",),
        identified=1352,
        duplicates_removed=300,
        records_screened=1052,
        records_excluded=1000,
        reports_sought=52,
        reports_not_retrieved=2,
        reports_assessed=50,
        reports_excluded=40,
        reports_excluded_by_reason={
            "not a behavioural intervention": 25,
            "no qualitative evidence": 15,
        },
        studies_included=8,
        reports_included=10,
    ).check()


def _text(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.axes[0].texts).replace(NBSP, " ")


def _n(value: str) -> str:
    return f"(n = {value})"


def test_diagram_shows_every_box_with_its_count() -> None:
    fig = prisma_diagram(_counts())
    text = _text(fig)
    for label, n in [
        ("Databases", "1,312"),
        ("MEDLINE", "610"),
        ("Registers", "40"),
        ("Duplicate records removed", "300"),
        ("Records screened", "1,052"),
        ("Records excluded", "1,000"),
        ("Reports sought for retrieval", "52"),
        ("Reports not retrieved", "2"),
        ("Reports assessed for eligibility", "50"),
        ("not a behavioural intervention", "25"),
        ("no qualitative evidence", "15"),
        ("Studies included in review", "8"),
        ("Reports of included studies", "10"),
    ]:
        assert label in text
        assert _n(n) in text, (label, n)
    for phase in ("Identification", "Screening", "Included"):
        assert phase in text
    assert "Identification of new studies via databases and registers" in text
    assert "other methods" not in text
    assert "bmj.n71" in text


def test_diagram_draws_boxes_and_arrows() -> None:
    ax = prisma_diagram(_counts()).axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    # 9 boxes, 1 header, 3 phase labels.
    assert len(boxes) == 13
    # 4 arrows down the main column and 4 across to the side column.
    assert len(ax.texts) >= 8
    arrows = [t for t in ax.texts if t.get_text() == "" and getattr(t, "arrow_patch", None)]
    assert len(arrows) == 8


def test_other_methods_add_the_second_pathway() -> None:
    counts = dataclasses.replace(
        _counts(),
        other_identified_by_method={"citation_searching": 7},
        other_reports_sought=5,
        other_reports_not_retrieved=1,
        other_reports_assessed=4,
        other_reports_excluded=3,
        other_reports_excluded_by_reason={"no qualitative evidence": 3},
        reports_included=11,
    ).check()
    fig = prisma_diagram(counts, title="A review")
    text = _text(fig)
    assert "Identification of new studies via other methods" in text
    assert "Citation searching (n = 7)" in text
    assert "A review" in text
    arrows = [
        t for t in fig.axes[0].texts if t.get_text() == "" and getattr(t, "arrow_patch", None)
    ]
    assert len(arrows) == 8 + 5
    assert _assert_text_fits_boxes(fig) == 13 + 5 + 1  # five boxes and a header more
    assert fig.get_size_inches()[0] > prisma_diagram(_counts()).get_size_inches()[0]


def _assert_text_fits_boxes(fig: Figure) -> int:
    """Every text drawn inside a box lies within that box as rendered; returns how many."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    checked = 0
    for text in ax.texts:
        if not text.get_text():
            continue
        x, y = ax.transData.transform(text.get_position())
        holders = [b for b in boxes if b.get_window_extent(renderer).contains(x, y)]
        if not holders:
            continue  # the title and the notes below the diagram
        box = min(holders, key=lambda b: b.get_window_extent(renderer).width)
        outer = box.get_window_extent(renderer)
        inner = text.get_window_extent(renderer)
        assert outer.x0 <= inner.x0 and inner.x1 <= outer.x1, text.get_text()
        assert outer.y0 <= inner.y0 and inner.y1 <= outer.y1, text.get_text()
        checked += 1
    return checked


def test_text_stays_inside_its_box() -> None:
    assert _assert_text_fits_boxes(prisma_diagram(_counts())) == 13


def test_long_labels_wrap_inside_their_box_and_the_box_grows() -> None:
    short = prisma_diagram(_counts())
    reasons = {f"reason number {i} with a rather long description of why": 1 for i in range(12)}
    sources = {f"A database with a very long name indeed, number {i}": 10 for i in range(5)}
    long = dataclasses.replace(
        _counts(),
        identified_by_source={**sources, "ClinicalTrials.gov": 1302},
        reports_excluded_by_reason={**reasons, "design": 28},
    ).check()
    fig = prisma_diagram(long)
    assert fig.get_size_inches()[1] > short.get_size_inches()[1]
    assert _assert_text_fits_boxes(fig) == 13


def test_pending_screening_is_noted() -> None:
    counts = dataclasses.replace(_counts(), records_pending=3)
    assert "3 record(s) pending" in _text(prisma_diagram(counts))


def test_exports_to_svg_and_png() -> None:
    svg = prisma_svg(_counts())
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    png = figure_to_png_bytes(prisma_diagram(_counts()), dpi=72)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
