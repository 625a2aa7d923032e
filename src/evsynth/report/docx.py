"""Tables as a Word document (DOCX), for the GRADE-CERQual tables and other exports.

Uses python-docx (imported when called, so the rest of evsynth works without it). Each table
gets a heading, a header row in bold and its notes below; the bytes are returned, and the
caller writes them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd

from evsynth._core.errors import EvsynthError


def tables_docx(
    tables: Sequence[tuple[str, pd.DataFrame]],
    *,
    title: str,
    notes: Sequence[str] = (),
) -> bytes:
    """A DOCX document with a title, one headed table per ``(heading, frame)`` and notes.

    Parameters
    ----------
    tables : sequence of (str, DataFrame)
        The tables, in order; cells are written as text (missing values as empty cells).
    title : str
        The document's title.
    notes : sequence of str, optional
        Paragraphs after the tables.
    """
    try:
        from docx import Document
        from docx.enum.section import WD_ORIENT
        from docx.shared import Pt
    except ImportError:
        raise EvsynthError(
            "writing DOCX needs the python-docx package",
            hint="install it with: pip install 'python-docx>=1.1'",
        ) from None
    document = Document()
    section = document.sections[0]
    # The evidence profile has nine columns: landscape pages keep them readable.
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(title, level=1)
    for heading, frame in tables:
        document.add_heading(heading, level=2)
        cells = frame.astype(object).where(frame.notna(), "")
        table = document.add_table(rows=1, cols=len(cells.columns))
        table.style = "Table Grid"
        for i, column in enumerate(cells.columns):
            run = table.rows[0].cells[i].paragraphs[0].add_run(str(column))
            run.bold = True
            run.font.size = Pt(9)
        for row in cells.itertuples(index=False):
            out = table.add_row().cells
            for i, value in enumerate(row):
                out[i].paragraphs[0].add_run(str(value)).font.size = Pt(9)
    for note in notes:
        document.add_paragraph(note)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
