"""Reading user tables for the CLI, with errors that name the file, line and column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evsynth._core.errors import DataError, EvsynthError, InputLocation

_BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xd0\xcf\x11\xe0", b"\x7fELF")


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV file of study data; refuse empty, binary or malformed files clearly."""
    if not path.exists():
        raise EvsynthError(f"{path}: no such file", hint="Check the path")
    if path.is_dir():
        raise EvsynthError(f"{path} is a folder, not a CSV file")
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(
            "the file is empty",
            location=InputLocation(file=str(path)),
            hint="Give a CSV file with a header row and one row per study",
        )
    if raw.startswith(_BINARY_MAGIC) or b"\x00" in raw[:4096]:
        raise DataError(
            "this is not a CSV text file (it looks like a binary file such as XLSX or PDF)",
            location=InputLocation(file=str(path)),
            hint="Export the sheet as CSV (comma-separated, UTF-8) and try again",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    from io import StringIO

    try:
        frame = pd.read_csv(StringIO(text), sep=None, engine="python")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(
            f"cannot read the file as CSV ({str(exc).splitlines()[0]})",
            location=InputLocation(file=str(path)),
            hint="Check that every row has the same number of comma-separated fields",
        ) from None
    if frame.empty:
        raise DataError(
            "the file has a header but no data rows", location=InputLocation(file=str(path))
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def locate(error: DataError, path: Path) -> DataError:
    """Add the file name and the file line (header is line 1) to an error about a row."""
    loc = error.location or InputLocation()
    line = loc.row + 1 if loc.row is not None and loc.line is None else loc.line
    new = InputLocation(file=str(path), line=line, row=None, field=loc.field)
    return DataError(error.message, location=new, hint=error.hint)


_LIBRARY_TO_CLI = (
    ("pass on_error='skip'", "pass --on-error skip"),
    ("Pass format=", "Pass --format "),
    ("format=", "--format "),
)


def cli_words(error: EvsynthError) -> EvsynthError:
    """Say the library's advice in command-line words (``--on-error skip``, not ``on_error=``)."""
    text = str(error)
    for old, new in _LIBRARY_TO_CLI:
        text = text.replace(old, new)
    return EvsynthError(text)
