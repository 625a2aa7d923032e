"""CSV and other delimited text exports (asreview, Embase CSV, spreadsheets saved as CSV).

The delimiter is the one of ``,``, ``;`` and tab that occurs most often, outside quotes, in
the header line (European spreadsheets save ``;``-separated CSV); ties go to ``,``.

The standard library's ``csv`` module reads the rows rather than pandas, because it reports
the line on which each row starts (quoted values may span lines), which messages need, and
lets one malformed row be reported instead of failing the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from evsynth._core.errors import DataError, InputLocation
from evsynth.records.readers.columns import looks_like_header, table_records
from evsynth.records.registry import Parsed, Reader, SniffInput, Source

_DELIMITERS = (",", ";", "\t")


def _first_line(text: str) -> str:
    return next((line for line in text.split("\n") if line.strip()), "")


def delimiter(header_line: str) -> str:
    """The delimiter of a header line: the most frequent of ``,``, ``;``, tab outside quotes."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])  # max keeps the first of equals: ","
    return best


def _rows(text: str, separator: str, name: str) -> Iterator[tuple[InputLocation, list[str]]]:
    """Rows with the line each starts on (quoted values may span lines)."""
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    previous_end = 0  # csv's line_num counts the lines read so far: where a row ends
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(
                f"CSV cannot be read: {exc}",
                location=InputLocation(file=name, line=reader.line_num),
                hint="Check the quotes around this line, or save the file again as CSV",
            ) from None
        yield InputLocation(file=name, line=previous_end + 1), cells
        previous_end = reader.line_num


def read(source: Source) -> Parsed:
    """Read a delimited text file whose first non-blank line is a header."""
    text = source.text
    header_line = _first_line(text)
    if not header_line:
        raise DataError(
            "the file has no header line",
            location=InputLocation(file=source.name),
            hint="The first line must name the columns (title, abstract, ...)",
        )
    rows = _rows(text, delimiter(header_line), source.name)
    header: list[str] | None = None
    for _, cells in rows:
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            break
    if header is None:
        raise DataError("the file has no header line", location=InputLocation(file=source.name))
    return table_records(header, rows, name=source.name, caller_db=source.source_database)


def sniff(sample: SniffInput) -> bool:
    """A CSV export's header line names a title or abstract column."""
    if sample.text is None:
        return False
    line = _first_line(sample.text)
    cells = next(csv.reader([line], delimiter=delimiter(line)), [])
    return looks_like_header(cells)


READER = Reader(
    name="csv",
    label="CSV (comma-, semicolon- or tab-separated)",
    extensions=(".csv", ".tsv", ".txt"),
    sniff=sniff,
    read=read,
)
