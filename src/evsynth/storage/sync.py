"""Bring a project's database in line with its evsynth.toml: import listed searches and
recorded history that are not in the database yet. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select

from evsynth._core.errors import InputLocation
from evsynth.records import read_records
from evsynth.storage.dedupe_service import DedupeOutcome, dedupe_project, set_link
from evsynth.storage.models import DuplicateLinkRow, EventLogRow
from evsynth.storage.project import Project
from evsynth.storage.records_repo import find_import_by_hash, store_import
from evsynth.storage.screening_repo import key_index
from evsynth.storage.workflow import attach_full_text, import_event_log


@dataclass
class SyncReport:
    imported: list[str] = field(default_factory=list)
    dedupe: DedupeOutcome | None = None
    manual_links: int = 0
    decision_logs: list[str] = field(default_factory=list)
    study_links: int = 0


def sync_project(project: Project) -> SyncReport:
    report = SyncReport()
    config = project.config
    for spec in config.searches:
        path = project.folder / spec.file
        result = read_records(path, format=spec.format, source_database=spec.database)
        with project.sessions() as session:
            if find_import_by_hash(session, result.sha256) is not None:
                continue
        store_import(
            project.sessions,
            result,
            source_database=spec.database,
            search_date=spec.date,
            imported_by=None,
            method=spec.method,
        )
        report.imported.append(spec.file)
    if report.imported:
        report.dedupe = dedupe_project(project.sessions)
    history = config.history
    if history.duplicates:
        report.manual_links = _apply_duplicate_reviews(project, history.duplicates)
    for log in history.decisions:
        path = project.folder / log.file
        raw = path.read_bytes()
        import hashlib

        with project.sessions() as session:
            done = session.scalars(
                select(EventLogRow).where(EventLogRow.sha256 == hashlib.sha256(raw).hexdigest())
            ).first()
        if done is not None:
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        import_event_log(project, frame, raw, file=log.file, stage=log.stage)
        report.decision_logs.append(log.file)
    if history.studies:
        report.study_links = _apply_studies(project, history.studies)
    return report


def _apply_duplicate_reviews(project: Project, file: str) -> int:
    path = project.folder / file
    frame = pd.read_csv(path, dtype=str).astype(object).where(lambda f: f.notna(), None)
    n = 0
    with project.sessions() as session:
        index = key_index(session)
        plain = type(index)(index.by_key, index.by_key_only, {})
        manual = {
            (r.record_id, r.duplicate_of)
            for r in session.scalars(
                select(DuplicateLinkRow).where(DuplicateLinkRow.rule == "manual")
            )
        }
    for i, row in enumerate(frame.to_dict(orient="records")):
        where = InputLocation(file=file, line=i + 2)
        a = plain.resolve(str(row["record_key"]), _text(row.get("database")), where)
        b = index.resolve(
            str(row["duplicate_of_key"]), _text(row.get("duplicate_of_database")), where
        )
        if (a, b) in manual:
            continue
        set_link(
            project.sessions,
            a,
            b,
            by=str(row.get("reviewer") or "lead"),
            note=_text(row.get("note")) or "duplicate pair reviewed",
        )
        n += 1
    return n


def _apply_studies(project: Project, file: str) -> int:
    path = project.folder / file
    frame = pd.read_csv(path, dtype=str)
    with project.sessions() as session:
        index = key_index(session)
    for i, row in enumerate(frame.to_dict(orient="records")):
        where = InputLocation(file=file, line=i + 2)
        rid = index.resolve(str(row["report_key"]), _text(row.get("database")), where)
        attach_full_text(project, rid, by="lead", study=_text(row.get("study_id")))
    return len(frame)


def _text(value: object) -> str | None:
    """A CSV cell as text, or None when empty."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None
