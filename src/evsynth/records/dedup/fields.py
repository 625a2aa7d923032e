"""Find the bibliographic columns of an input frame and normalise them into arrays.

Database exports name the same field differently (``author``/``authors``, ``number``/``issue``,
``journal``/``booktitle``); :func:`resolve_columns` maps them to one set of field names, and
:func:`prepare` turns the frame into a :class:`PreparedRecords` whose arrays the blocking and
comparison steps index by row position.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from evsynth._core.errors import DataError, InputLocation
from evsynth.records.dedup import normalise as nz

MISSING = -1
"""Sentinel for an absent year, volume or page in the integer arrays."""

RecordId: TypeAlias = str | int
"""A record id as the input holds it: text from an export, or an integer database key."""

# Accepted column names per field, first match wins; matching ignores case.
FIELD_ALIASES: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "record_id"),
    "title": ("title", "primary_title", "ti"),
    "author": ("author", "authors", "au"),
    "year": ("year", "publication_year", "py"),
    # Not "source": exports use it for the database a record came from.
    "journal": ("journal", "journal_name", "secondary_title", "container_title", "t2", "jo"),
    "booktitle": ("booktitle", "proceedings", "conference"),
    "volume": ("volume", "vl"),
    "number": ("number", "issue", "is"),
    "pages": ("pages", "page", "pagination", "sp"),
    "doi": ("doi",),
    "pmid": ("pmid", "pubmed_id", "pubmedid"),
    "abstract": ("abstract", "ab"),
    "entrytype": ("entrytype", "type", "entry_type", "ty"),
}

# Which fields count towards a record's completeness when choosing the record to keep.
COMPLETENESS_FIELDS = (
    "title",
    "author",
    "year",
    "journal",
    "volume",
    "number",
    "pages",
    "doi",
    "pmid",
    "abstract",
)

# Entry types grouped by what kind of publication they are. Two records of different groups
# (a conference paper and its later journal version) are different reports.
_ENTRY_GROUPS = {
    "article": "article",
    "jour": "article",
    "journal": "article",
    "journal article": "article",
    "inproceedings": "conference",
    "conference": "conference",
    "proceedings": "conference",
    "conf": "conference",
    "cpaper": "conference",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "thes": "thesis",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "chap": "chapter",
    "techreport": "report",
    "rprt": "report",
}


def resolve_columns(frame: pd.DataFrame, id_column: str | None) -> dict[str, str]:
    """Map field names (``title``, ``author``, ...) to the frame's column names.

    Raises
    ------
    DataError
        When ``id_column`` is given but absent, or the frame has no title column.
    """
    lower: dict[str, str] = {}
    for column in frame.columns:
        lower.setdefault(str(column).strip().lower(), str(column))
    found: dict[str, str] = {}
    for field, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            if alias in lower:
                found[field] = lower[alias]
                break
    if id_column is not None:
        if id_column not in frame.columns:
            raise DataError(
                f"id_column={id_column!r} is not a column of the records",
                location=InputLocation(field=id_column),
                hint=f"Choose one of {', '.join(map(str, frame.columns))}, "
                "or leave id_column=None to use an 'id'/'ID' column or the index",
            )
        found["id"] = id_column
    if "title" not in found:
        raise DataError(
            "the records have no title column, which duplicate detection needs",
            location=InputLocation(field="title"),
            hint=f"Columns found: {', '.join(map(str, frame.columns)) or 'none'}. "
            "Rename the column holding titles to 'title'",
        )
    return found


@dataclass(frozen=True, slots=True)
class PreparedRecords:
    """Normalised fields, one entry per input row, aligned by position."""

    ids: list[RecordId]
    title: list[str]
    title_numbers: list[tuple[int, ...]]
    kind: list[str]
    cited_notices: list[tuple[tuple[str, int, int | None, int], ...]]
    """Errata and retraction notices the title's MEDLINE note cites: (kind, volume, issue, page)."""
    authors: list[str]
    first_author: list[str]
    n_authors: npt.NDArray[np.int64]
    year: npt.NDArray[np.int64]
    journal: list[str]
    volume: npt.NDArray[np.int64]
    issue: npt.NDArray[np.int64]
    page_first: npt.NDArray[np.int64]
    page_last: npt.NDArray[np.int64]
    doi: list[str]
    pmid: list[str]
    abstract: list[str]
    entry_group: list[str]
    completeness: npt.NDArray[np.int64]
    meeting_abstract: npt.NDArray[np.bool_]
    """Placed like a meeting abstract (supplement, Embase conference journal, supplement page)."""
    thesis: npt.NDArray[np.bool_]
    dissertation_abstract: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.ids)


def _column(frame: pd.DataFrame, columns: Mapping[str, str], field: str) -> list[object]:
    if field not in columns:
        return [None] * len(frame)
    return frame[columns[field]].tolist()


def _ints(values: list[int | None]) -> npt.NDArray[np.int64]:
    return np.array([MISSING if v is None else v for v in values], dtype=np.int64)


def record_ids(frame: pd.DataFrame, columns: Mapping[str, str]) -> list[RecordId]:
    """Record ids from the id column, or the frame's index when there is none; must be unique."""
    ids: list[RecordId] = (
        list(frame[columns["id"]].tolist()) if "id" in columns else list(frame.index)
    )
    where = columns.get("id", "index")
    seen: dict[RecordId, int] = {}
    for row, value in enumerate(ids):
        if nz.is_missing(value):
            raise DataError(
                "a record has no id",
                location=InputLocation(row=row, field=where),
                hint="Give every record an id; duplicates are reported as links between ids",
            )
        if value in seen:
            raise DataError(
                f"id {value!r} is used by rows {seen[value]} and {row}",
                location=InputLocation(row=row, field=where),
                hint="Ids must be unique so that each duplicate link names one record",
            )
        seen[value] = row
    return ids


def prepare(frame: pd.DataFrame, columns: Mapping[str, str]) -> PreparedRecords:
    """Normalise every field the comparison uses; see :mod:`.normalise` for the rules."""
    ids = record_ids(frame, columns)
    raw_titles = _column(frame, columns, "title")
    titles = [nz.normalise_title(t) for t in raw_titles]
    surnames = [nz.author_surnames(a) for a in _column(frame, columns, "author")]
    venue = [
        journal if not nz.is_missing(journal) else book
        for journal, book in zip(
            _column(frame, columns, "journal"), _column(frame, columns, "booktitle"), strict=True
        )
    ]
    raw_volume = _column(frame, columns, "volume")
    raw_number = _column(frame, columns, "number")
    raw_pages = _column(frame, columns, "pages")
    pages = [nz.parse_pages(p) for p in raw_pages]
    groups = [
        _ENTRY_GROUPS.get(nz.text(e).lower(), "") for e in _column(frame, columns, "entrytype")
    ]
    marks = [
        nz.placement_marks(*placement)
        for placement in zip(venue, raw_volume, raw_number, raw_pages, strict=True)
    ]
    completeness = np.zeros(len(frame), dtype=np.int64)
    for field in COMPLETENESS_FIELDS:
        if field in columns:
            completeness += np.fromiter(
                (not nz.is_missing(v) for v in frame[columns[field]].tolist()),
                dtype=np.int64,
                count=len(frame),
            )
    return PreparedRecords(
        ids=ids,
        title=titles,
        title_numbers=[nz.title_numbers(t) for t in titles],
        kind=[nz.record_kind(t) for t in raw_titles],
        cited_notices=[nz.cited_notices(t) for t in raw_titles],
        authors=[" ".join(s) for s in surnames],
        first_author=[nz.first_surname_key(s) for s in surnames],
        n_authors=np.array([len(s) for s in surnames], dtype=np.int64),
        year=_ints([nz.parse_year(y) for y in _column(frame, columns, "year")]),
        journal=[nz.normalise_journal(j) for j in venue],
        volume=_ints([nz.parse_volume(v) for v in raw_volume]),
        issue=_ints([nz.parse_volume(v) for v in raw_number]),
        page_first=_ints([p[0] for p in pages]),
        page_last=_ints([p[1] for p in pages]),
        doi=[nz.normalise_doi(d) for d in _column(frame, columns, "doi")],
        pmid=[nz.normalise_pmid(p) for p in _column(frame, columns, "pmid")],
        abstract=[nz.normalise_abstract(a) for a in _column(frame, columns, "abstract")],
        entry_group=groups,
        completeness=completeness,
        meeting_abstract=np.array([m[0] for m in marks], dtype=bool),
        thesis=np.array(
            [
                thesis or group == "thesis"
                for (_, thesis, _), group in zip(marks, groups, strict=True)
            ],
            dtype=bool,
        ),
        dissertation_abstract=np.array([m[2] for m in marks], dtype=bool),
    )
