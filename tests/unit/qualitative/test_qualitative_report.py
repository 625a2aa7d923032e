"""The report's qualitative section and the DOCX export, from the example's files."""

from __future__ import annotations

import io

import pytest

from evsynth.cli.qualitative import section_from
from evsynth.report.html import ReviewReport, render_html
from evsynth.storage.qualitative_repo import QualitativeProject


def test_the_report_shows_the_qualitative_stage(example: QualitativeProject) -> None:
    section = section_from(example)
    report = ReviewReport(
        title="Example",
        registration=None,
        description=None,
        meta_sections=(),
        manifest={"versions": {"evsynth": "test"}, "created": "today"},
        qualitative=section,
    )
    html = render_html(report)
    assert '<section id="qualitative"' in html and 'href="#qualitative"' in html
    assert "Summary of the included studies and their sample and study characteristics" in html
    assert "Morton et al. (2016) (review team): recorded Moderate, but the rule gives Low" in html
    assert "Lack of confidence in their own skills and abilities to deal with PPS" in html
    assert "Summary of qualitative findings" in html and "Evidence profile" in html
    # Cited methods: the seed, CASP, thematic synthesis, GRADE-CERQual.
    for ref in (
        "Scope A, Leaviss J",
        "CASP Qualitative Studies Checklist",
        "Thomas J, Harden A",
        "GRADE-CERQual",
    ):
        assert ref in html


def test_the_cerqual_tables_as_docx(example: QualitativeProject) -> None:
    docx = pytest.importorskip("docx")
    from evsynth.report.docx import tables_docx
    from evsynth.report.qualitative_section import section_tables

    tables = list(section_tables(section_from(example)))
    data = tables_docx(tables, title="GRADE-CERQual", notes=["A note."])
    document = docx.Document(io.BytesIO(data))
    assert len(document.tables) == 2
    soqf = document.tables[0]
    assert [c.text for c in soqf.rows[0].cells] == list(tables[0][1].columns)
    assert len(soqf.rows) == 1 + len(example.assessments)
    assert soqf.rows[1].cells[2].text == "High confidence"
    assert document.paragraphs[-1].text == "A note."
