"""Excel workbooks (``.xlsx``): the first sheet, header in its first non-empty row.

openpyxl reads the cells directly (pandas would do the same through it) so that each
record keeps its spreadsheet row number, as the user sees it in Excel. Numbers become text
(``2019.0`` → ``"2019"``) because every field of a record is text until normalised.
Warnings openpyxl gives about the workbook are passed on in the result.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from evsynth._core.errors import DataError, InputLocation
from evsynth.records.readers.columns import table_records
from evsynth.records.registry import Parsed, Reader, SniffInput, Source


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def read(source: Source) -> Parsed:
    """Read the first sheet of an Excel workbook."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            workbook = load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
            raise DataError(
                f"cannot be opened as an Excel workbook ({exc})",
                location=InputLocation(file=source.name),
                hint="Open it in Excel and save it again as .xlsx, or save it as CSV",
            ) from None
        try:
            sheet = workbook.worksheets[0]
            table = [[_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    notes = [f"{source.name}: {w.message}" for w in caught]
    header_index = next((i for i, row in enumerate(table) if any(c.strip() for c in row)), None)
    if header_index is None:
        raise DataError(
            "the first sheet is empty",
            location=InputLocation(file=source.name),
            hint="Put the records on the first sheet, with a header row",
        )
    header = [c.strip() for c in table[header_index]]
    while header and not header[-1]:
        header.pop()  # trailing empty header cells are formatting, not columns

    def rows() -> Iterator[tuple[InputLocation, list[str]]]:
        for index in range(header_index + 1, len(table)):
            cells = table[index]
            # Formatting can stretch rows past the header; empty cells there carry nothing.
            extra = cells[len(header) :]
            if not any(c.strip() for c in extra):
                cells = cells[: len(header)] + [""] * (len(header) - len(cells))
            yield InputLocation(file=source.name, row=index + 1), cells

    parsed = table_records(header, rows(), name=source.name, caller_db=source.source_database)
    return Parsed(parsed.records, parsed.problems, notes + parsed.warnings)


def sniff(sample: SniffInput) -> bool:
    """An .xlsx file is a ZIP container holding ``xl/`` parts."""
    return sample.head.startswith(b"PK\x03\x04") and b"xl/" in sample.head


READER = Reader(
    name="xlsx",
    label="Excel workbook (.xlsx)",
    extensions=(".xlsx",),
    sniff=sniff,
    read=read,
    binary=True,
)
