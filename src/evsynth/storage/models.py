"""Database tables (SQLAlchemy 2 typed ORM). Judgements are append-only: rows are never updated.

- ``imports``: one row per imported file (source database, search date, SHA-256).
- ``records``: one row per record as imported, with every original field kept as JSON.
- ``duplicate_links``: link/unlink events that make a record a duplicate of a kept record.
- ``decisions``: screening decision events (reviewer, stage, decision, reason, time).
- ``reveals``: when the lead revealed blinded decisions for a stage.
- ``reports``, ``report_events``, ``report_studies``: full-text reports of records, their
  retrieval status events and their links to studies (a study can have several reports).
- ``appraisal_events``: reviewers' appraisals of included studies with a checklist (0002).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Dialect, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Times are stored as naive UTC, whatever the database server's time zone.

    A time-zone-aware value is converted to UTC before it is written. Without this, PostgreSQL
    would convert an aware value into its session's time zone for a ``timestamp without time
    zone`` column, so the same event would be stored at different clock times by servers set
    to different zones (SQLite drops the offset instead). Values read back are naive UTC.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


class ImportRow(Base):
    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(40))
    source_database: Mapped[str | None] = mapped_column(String(200))
    search_date: Mapped[str | None] = mapped_column(String(40))
    imported_at: Mapped[datetime]
    imported_by: Mapped[str | None] = mapped_column(String(200))
    n_records: Mapped[int]
    n_skipped: Mapped[int] = mapped_column(default=0)
    method: Mapped[str] = mapped_column(String(40), default="database")


class RecordRow(Base):
    __tablename__ = "records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"), index=True)
    position: Mapped[int]
    # The record's identifier in its export (PMID, accession number, WoS UT, RIS ID, ...).
    source_key: Mapped[str | None] = mapped_column(String(200), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    abstract: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None]
    journal: Mapped[str | None] = mapped_column(Text)
    volume: Mapped[str | None] = mapped_column(String(100))
    issue: Mapped[str | None] = mapped_column(String(100))
    pages: Mapped[str | None] = mapped_column(String(100))
    doi: Mapped[str | None] = mapped_column(String(300), index=True)
    pmid: Mapped[str | None] = mapped_column(String(40), index=True)
    source_database: Mapped[str | None] = mapped_column(String(200))
    line: Mapped[int | None]
    original: Mapped[str] = mapped_column(Text)


class DuplicateLinkRow(Base):
    __tablename__ = "duplicate_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    action: Mapped[str] = mapped_column(String(10))  # "link" or "unlink"
    rule: Mapped[str | None] = mapped_column(String(100))
    score: Mapped[float | None]
    decided_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)


class EventLogRow(Base):
    """A file of decision events imported at once (e.g. a screening history), by hash."""

    __tablename__ = "event_logs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    stage: Mapped[str | None] = mapped_column(String(20))
    n_events: Mapped[int]
    imported_at: Mapped[datetime]


class ReviewerRow(Base):
    __tablename__ = "reviewers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(300))


class DecisionRow(Base):
    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_stage_record", "stage", "record_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    stage: Mapped[str] = mapped_column(String(20))
    reviewer: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20), default="screener")
    created_at: Mapped[datetime]


class RevealRow(Base):
    __tablename__ = "reveals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage: Mapped[str] = mapped_column(String(20))
    revealed_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class ReportRow(Base):
    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    path: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class ReportEventRow(Base):
    __tablename__ = "report_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # "sought", "retrieved", "not_retrieved"
    by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)


class StudyRow(Base):
    __tablename__ = "studies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(300), unique=True)


class ReportStudyRow(Base):
    __tablename__ = "report_studies"
    __table_args__ = (UniqueConstraint("record_id", "study_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id"))
    created_at: Mapped[datetime]


class AppraisalEventRow(Base):
    """One reviewer's appraisal of a study with a checklist: an append-only event (0002).

    ``answers`` is JSON: question id to ``[answer, comment]``; ``reports`` the ids of the
    study's reports the appraisal covers (empty: the whole study), comma-separated.
    """

    __tablename__ = "appraisal_events"
    __table_args__ = (Index("ix_appraisal_events_study", "study", "checklist"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    study: Mapped[str] = mapped_column(String(300))
    reports: Mapped[str] = mapped_column(Text, default="")
    checklist: Mapped[str] = mapped_column(String(200))
    reviewer: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="appraiser")
    answers: Mapped[str] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(100))
    domain_ratings: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
