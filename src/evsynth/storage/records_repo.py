"""Storing imports, records and duplicate links; every write is one transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from evsynth._core.errors import EvsynthError
from evsynth.records import ReadResult, Record
from evsynth.storage.db import lock_for_write
from evsynth.storage.models import DuplicateLinkRow, ImportRow, RecordRow


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What one import added."""

    import_id: int
    file: str
    format: str
    source_database: str | None
    sha256: str
    n_records: int
    n_skipped: int
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "import_id": self.import_id,
            "file": self.file,
            "format": self.format,
            "source_database": self.source_database,
            "sha256": self.sha256,
            "n_records": self.n_records,
            "n_skipped": self.n_skipped,
            "warnings": list(self.warnings),
        }


def find_import_by_hash(session: Session, sha256: str) -> ImportRow | None:
    return session.scalars(select(ImportRow).where(ImportRow.sha256 == sha256)).first()


# Fields that identify a record within its export, by format, most specific first.
KEY_FIELDS = ("PMID", "UT", "AN", "ID", "accession-num", "rec-number", "ID", "id", "key")


def source_key(record: Record) -> str | None:
    """The record's own identifier in its export file (PMID, WoS UT, accession number, ...)."""
    for name in KEY_FIELDS:
        value = record.original.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value:
            return str(value).strip()
    return None


def _record_row(import_id: int, position: int, record: Record) -> RecordRow:
    return RecordRow(
        import_id=import_id,
        position=position,
        source_key=source_key(record),
        title=record.title,
        abstract=record.abstract,
        authors="; ".join(record.authors) if record.authors else None,
        year=record.year,
        journal=record.journal,
        volume=record.volume,
        issue=record.issue,
        pages=record.pages,
        doi=record.doi,
        pmid=record.pmid,
        source_database=record.source_database,
        # Text formats give a line, spreadsheets a row; either locates the record for messages.
        line=(record.location.line or record.location.row) if record.location else None,
        original=json.dumps(record.original, ensure_ascii=False, sort_keys=True),
    )


def store_import(
    factory: sessionmaker[Session],
    result: ReadResult,
    *,
    source_database: str | None,
    search_date: str | None,
    imported_by: str | None,
    method: str = "database",
    allow_repeat: bool = False,
) -> ImportSummary:
    """Store one read file and its records atomically; refuse a file imported before."""
    with factory.begin() as session:
        lock_for_write(session)
        earlier = find_import_by_hash(session, result.sha256)
        if earlier is not None and not allow_repeat:
            raise EvsynthError(
                f"{result.file} was already imported (import #{earlier.id}, "
                f"{earlier.imported_at:%Y-%m-%d %H:%M}, {earlier.n_records} records)",
                hint="Nothing was added; pass --allow-repeat to import the same file again",
            )
        database = source_database or result.source_database
        row = ImportRow(
            file_name=result.file,
            sha256=result.sha256,
            format=result.format,
            source_database=database,
            search_date=search_date,
            imported_at=now(),
            imported_by=imported_by,
            n_records=len(result.records),
            n_skipped=result.n_skipped,
            method=method,
        )
        session.add(row)
        session.flush()
        rows = [_record_row(row.id, i, rec) for i, rec in enumerate(result.records)]
        for r in rows:
            if r.source_database is None:
                r.source_database = database
        session.add_all(rows)
        return ImportSummary(
            row.id,
            result.file,
            result.format,
            database,
            result.sha256,
            len(rows),
            result.n_skipped,
            result.warnings,
        )


def records_frame(session: Session) -> pd.DataFrame:
    """All records with their import's source database, in import order."""
    stmt = select(
        RecordRow.id,
        RecordRow.import_id,
        RecordRow.title,
        RecordRow.abstract,
        RecordRow.authors,
        RecordRow.year,
        RecordRow.journal,
        RecordRow.volume,
        RecordRow.issue,
        RecordRow.pages,
        RecordRow.doi,
        RecordRow.pmid,
        RecordRow.source_database,
    ).order_by(RecordRow.id)
    return pd.DataFrame(
        session.execute(stmt).all(),
        columns=[
            "id",
            "import_id",
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
        ],
    )


def current_links(session: Session) -> dict[int, int | None]:
    """The latest link event per record: record id -> kept record id (None when unlinked)."""
    latest = (
        select(DuplicateLinkRow.record_id, func.max(DuplicateLinkRow.id).label("last"))
        .group_by(DuplicateLinkRow.record_id)
        .subquery()
    )
    stmt = select(
        DuplicateLinkRow.record_id, DuplicateLinkRow.action, DuplicateLinkRow.duplicate_of
    ).join(latest, DuplicateLinkRow.id == latest.c.last)
    return {
        rid: (dup if action == "link" else None) for rid, action, dup in session.execute(stmt).all()
    }


def add_link_events(factory: sessionmaker[Session], events: Sequence[DuplicateLinkRow]) -> int:
    with factory.begin() as session:
        session.add_all(list(events))
    return len(events)
