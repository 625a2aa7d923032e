"""The bibliographic record and the result of reading one export file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from evsynth._core.errors import InputLocation
from evsynth._core.summary import Summary

#: Columns of :func:`records_to_frame`, in order.
FRAME_COLUMNS: tuple[str, ...] = (
    "title",
    "abstract",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "source_database",
)


@dataclass(frozen=True, slots=True)
class Record:
    """One bibliographic record with normalised fields and every original field.

    Parameters
    ----------
    title, abstract : str, optional
        Whitespace collapsed to single spaces; ``None`` when absent or empty.
    authors : tuple of str
        ``"Surname, Given"`` strings in the order of the source; corporate authors as written.
    year : int, optional
        Publication year; ``None`` when the source gives none or none that can be read.
    journal, volume, issue, pages : str, optional
        Container title and its locators as written (pages as ``"start-end"``).
    doi : str, optional
        Lower case, without a resolver prefix such as ``https://doi.org/``.
    pmid : str, optional
        PubMed identifier (digits).
    issn : str, optional
        The first ISSN, as ``"NNNN-NNNC"``.
    keywords : tuple of str
        Author keywords and index terms, as written.
    language, type, url : str, optional
        As written in the source (``type`` is e.g. ``"JOUR"`` in RIS, ``"article"`` in BibTeX).
    source_database : str, optional
        The bibliographic database, e.g. ``"Embase"``; detected from the file or given by the
        caller of :func:`~evsynth.records.read_records`.
    original : dict
        Every field of the source as parsed, keyed by the source's own tag or column name: a
        ``str`` for a field that occurred once, a ``list`` of ``str`` for a repeated field (and
        for the tags that RIS defines as repeatable). Treat it as read-only.
    location : InputLocation
        File and first line (text formats) or row (spreadsheets) of the record, for messages;
        EndNote XML, written on one line, adds the record's position as ``row``.
    """

    title: str | None = None
    abstract: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    issn: str | None = None
    keywords: tuple[str, ...] = ()
    language: str | None = None
    type: str | None = None
    url: str | None = None
    source_database: str | None = None
    # A dict is not hashable; records hash on their normalised fields only.
    original: dict[str, list[str] | str] = field(default_factory=dict, hash=False)
    # Where a record came from does not change what it is.
    location: InputLocation = field(default_factory=InputLocation, compare=False)


def records_to_frame(records: Iterable[Record]) -> pd.DataFrame:
    """Tabulate records, one row each, with the columns of :data:`FRAME_COLUMNS`.

    ``authors`` is joined by ``"; "``; ``year`` is a nullable integer column.

    Examples
    --------
    >>> frame = records_to_frame([Record(title="A trial", authors=("Smith, J", "Lee, K"))])
    >>> frame.loc[0, "authors"]
    'Smith, J; Lee, K'
    """
    rows = list(records)
    text_columns = [name for name in FRAME_COLUMNS if name not in ("authors", "year")]
    data: dict[str, object] = {
        name: [getattr(record, name) for record in rows] for name in text_columns
    }
    data["authors"] = ["; ".join(r.authors) if r.authors else None for r in rows]
    years: list[int | None] = [record.year for record in rows]
    data["year"] = pd.array(years, dtype="Int64")
    return pd.DataFrame(data, columns=list(FRAME_COLUMNS))


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The records read from one export file, with what is needed to audit the import.

    Parameters
    ----------
    records : tuple of Record
        The records, in file order.
    format : str
        Name of the reader used, e.g. ``"ris"``, ``"nbib"``, ``"wos"``.
    source_database : str, optional
        The caller's value, else the database detected for most records, else ``None``.
    file : str
        File name (no folders), or ``"<bytes>"`` when bytes were passed without a name.
    sha256 : str
        Hex digest of the file's bytes, to record exactly what was imported.
    n_skipped : int
        Records skipped as unreadable (only with ``on_error="skip"``); each is described in
        ``warnings``.
    warnings : tuple of str
        Everything the user should check: skipped records, unreadable years, ignored lines,
        the encoding used when the file was not UTF-8.
    encoding : str, optional
        Text encoding the file was decoded with (``None`` for spreadsheets).
    """

    records: tuple[Record, ...]
    format: str
    source_database: str | None
    file: str
    sha256: str
    n_skipped: int = 0
    warnings: tuple[str, ...] = ()
    encoding: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The records as a data frame (see :func:`records_to_frame`)."""
        return records_to_frame(self.records)

    def summary(self) -> Summary:
        """How many records were read, and how many carry each key field."""
        n = len(self.records)
        counts: Counter[str] = Counter()
        for record in self.records:
            for name in ("title", "abstract", "doi", "pmid", "year"):
                if getattr(record, name) is not None:
                    counts[name] += 1
            if record.authors:
                counts["authors"] += 1
        rows = [("records", n)] + [
            (f"with {name}", counts[name])
            for name in ("title", "abstract", "authors", "year", "doi", "pmid")
        ]
        notes = [
            f"Format: {self.format}; encoding: {self.encoding or 'n/a'}; "
            f"source database: {self.source_database or 'unknown'}",
            f"SHA-256: {self.sha256}",
        ]
        if self.n_skipped:
            notes.append(f"Skipped {self.n_skipped} unreadable records.")
        notes.extend(f"Warning: {w}" for w in self.warnings)
        return Summary(
            title=f"Records read from {self.file}", columns=("", "n"), rows=rows, notes=notes
        )
