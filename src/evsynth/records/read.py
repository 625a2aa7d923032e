"""Read one export file into records: :func:`read_records`."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path
from typing import Literal

from evsynth._core.errors import DataError, InputLocation, choice_error
from evsynth.records.encoding import binary_kind, decode, head_text
from evsynth.records.model import ReadResult
from evsynth.records.normalise import normalise_database
from evsynth.records.registry import (
    Parsed,
    Reader,
    Source,
    detect_reader,
    get_reader,
    recognise,
    sniff_input,
)

OnError = Literal["raise", "skip"]
_ON_ERROR = ("raise", "skip")


def _load(path_or_bytes: str | os.PathLike[str] | bytes, name: str | None) -> tuple[bytes, str]:
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        return bytes(path_or_bytes), name or "<bytes>"
    path = Path(path_or_bytes)
    label = name or path.name
    try:
        return path.read_bytes(), label
    except FileNotFoundError:
        raise DataError(
            "file not found",
            location=InputLocation(file=str(path)),
            hint="Check the path and the working directory",
        ) from None
    except IsADirectoryError:
        raise DataError(
            "is a folder, not a file",
            location=InputLocation(file=str(path)),
            hint="Pass one export file at a time",
        ) from None


def _choose(format: str | None, data: bytes, name: str) -> tuple[Reader, list[str]]:
    if format is None:
        return detect_reader(name, data)
    reader = get_reader(format)
    sample = sniff_input(name, data)
    if not reader.sniff(sample):
        other = recognise(sample)
        if other is not None and other is not reader:
            raise DataError(
                f"format={format!r} was asked for, but the content is {other.label}",
                location=InputLocation(file=name),
                hint=f"Pass format={other.name!r}, or leave format unset to detect it",
            )
    return reader, []


def _apply_policy(parsed: Parsed, on_error: OnError) -> list[str]:
    """Raise for bad records unless skipping; return the messages for skipped ones."""
    problems = parsed.problems
    if not problems:
        return []
    n_good = len(parsed.records)
    if on_error == "raise" or n_good == 0:
        head = problems[0]
        more = f" (and {len(problems) - 1} more unreadable records)" if len(problems) > 1 else ""
        fix = head.hint or "Fix the record or export the file again"
        if n_good == 0:
            hint = f"Nothing was imported: no record could be read. {fix}"
        else:
            hint = (
                f"Nothing was imported. {fix}; or pass on_error='skip' to import the "
                f"{n_good} readable records and list the others"
            )
        raise DataError(head.message + more, location=head.location, hint=hint)
    return [f"skipped unreadable record: {problem}" for problem in problems]


def read_records(
    path_or_bytes: str | os.PathLike[str] | bytes,
    *,
    format: str | None = None,
    source_database: str | None = None,
    on_error: OnError = "raise",
    name: str | None = None,
) -> ReadResult:
    """Read the bibliographic records of one database export.

    Parameters
    ----------
    path_or_bytes : str, path-like or bytes
        The export file, or its bytes (for an upload).
    format : {None, "ris", "wos", "nbib", "endnote", "bibtex", "csv", "xlsx"}, optional
        The reader to use (plug-ins add names). ``None`` detects it from the content and the
        file extension; a given format whose reader does not recognise content that another
        reader does is refused rather than misread.
    source_database : str, optional
        The database searched, e.g. ``"Embase"``; wins over what is detected from the file
        (RIS ``DB``/``DP`` tags, PubMed, Web of Science).
    on_error : {"raise", "skip"}
        ``"raise"`` (default): a file with any unreadable record raises :class:`DataError`
        and nothing is imported. ``"skip"``: unreadable records are left out, counted in
        ``n_skipped`` and described in ``warnings``.
    name : str, optional
        File name for messages and extension-based detection; defaults to the path's name,
        or ``"<bytes>"`` for bytes.

    Returns
    -------
    ReadResult

    Raises
    ------
    DataError
        The file is missing, empty, binary, of an unknown or different format, has no
        records, or (with ``on_error="raise"``) has an unreadable record. The message names
        the file, the line and what to do.

    Examples
    --------
    >>> ris = b"TY  - JOUR\\nTI  - A trial\\nDO  - https://doi.org/10.1000/ABC\\nER  - \\n"
    >>> result = read_records(ris, name="search.ris")
    >>> result.format, result.records[0].doi
    ('ris', '10.1000/abc')
    """
    if on_error not in _ON_ERROR:
        raise choice_error("on_error", on_error, _ON_ERROR)
    data, label = _load(path_or_bytes, name)
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip() or (binary_kind(data) is None and not (head_text(data) or "").strip()):
        raise DataError(
            "the file is empty",
            location=InputLocation(file=label),
            hint="Export the records again; the export or the download may have failed",
        )
    reader, notes = _choose(format, data, label)
    encoding: str | None = None
    text = ""
    if not reader.binary:
        decoded = decode(data, label)
        encoding, text = decoded.encoding, decoded.text
        notes.extend(decoded.warnings)
    parsed = reader.read(
        Source(
            name=label,
            data=data,
            text=text,
            encoding=encoding,
            source_database=source_database,
        )
    )
    if not parsed.records and not parsed.problems:
        raise DataError(
            f"no records found in this {reader.label} file",
            location=InputLocation(file=label),
            hint="Check that the export contains records (a CSV needs rows below its header)",
        )
    skipped = _apply_policy(parsed, on_error)
    if source_database is not None:
        database: str | None = normalise_database(source_database)
    else:
        detected = Counter(r.source_database for r in parsed.records if r.source_database)
        database = detected.most_common(1)[0][0] if detected else None
    return ReadResult(
        records=tuple(parsed.records),
        format=reader.name,
        source_database=database,
        file=label,
        sha256=digest,
        n_skipped=len(skipped),
        warnings=tuple(notes + skipped + parsed.warnings),
        encoding=encoding,
    )
