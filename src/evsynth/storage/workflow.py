"""Project-level workflow shared by the CLI and the web app: load, call the library, save.

Each function opens its own transaction(s); the library functions it calls are pure.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from evsynth._core.errors import EvsynthError, InputLocation
from evsynth.screening import KappaResult, PrismaCounts, cohen_kappa, conflicts, prisma_counts
from evsynth.screening.rules import Conflict
from evsynth.storage.models import (
    DecisionRow,
    EventLogRow,
    ImportRow,
    RecordRow,
    ReportEventRow,
    ReportRow,
    ReportStudyRow,
    StudyRow,
)
from evsynth.storage.project import Project
from evsynth.storage.records_repo import current_links
from evsynth.storage.screening_repo import (
    add_decisions,
    decisions_from_frame,
    double_screened_map,
    load_events,
    register_sources,
    source_records,
)

STAGES = ("title_abstract", "full_text")


def _check_stage(stage: str) -> str:
    if stage not in STAGES:
        raise EvsynthError(f"stage={stage!r} is not known; choose one of {', '.join(STAGES)}")
    return stage


def import_event_log(
    project: Project,
    frame: pd.DataFrame,
    raw: bytes,
    *,
    file: str,
    stage: str | None,
    allow_repeat: bool = False,
) -> int:
    """Store a table of decision events (a screening history) once, all or nothing."""
    sha = hashlib.sha256(raw).hexdigest()
    with project.sessions() as session:
        # A quick answer before the file's decisions are parsed; add_decisions checks again
        # under the write lock, which is what keeps two processes from both storing the log.
        seen = session.scalars(select(EventLogRow).where(EventLogRow.sha256 == sha)).first()
        if seen is not None and not allow_repeat:
            raise EvsynthError(
                f"{file} was already imported ({seen.n_events} decisions, "
                f"{seen.imported_at:%Y-%m-%d %H:%M})",
                hint="Nothing was added; pass --allow-repeat to add the same decisions again",
            )
        decisions = decisions_from_frame(frame, session, stage=stage, file=file)
    # The log's record is stored with its decisions, in one transaction: a process killed
    # in between can never leave decisions whose log would be imported again.
    log = EventLogRow(
        file_name=file,
        sha256=sha,
        stage=stage,
        n_events=len(decisions),
        imported_at=datetime.now(UTC),
    )
    return add_decisions(
        project.sessions,
        project.protocol(),
        decisions,
        also=[log],
        allow_repeat_log=allow_repeat,
        # Data rows start on line 2 of the file (line 1 holds the column names).
        locations=[InputLocation(file=file, line=i + 2) for i in range(len(decisions))],
    )


def _not_retrieved(session: Session) -> set[str]:
    latest = (
        select(ReportEventRow.record_id, func.max(ReportEventRow.id).label("last"))
        .group_by(ReportEventRow.record_id)
        .subquery()
    )
    stmt = (
        select(ReportEventRow.record_id)
        .join(latest, ReportEventRow.id == latest.c.last)
        .where(ReportEventRow.status == "not_retrieved")
    )
    return {str(r) for r in session.scalars(stmt).all()}


def _study_of(session: Session) -> dict[str, str]:
    stmt = select(ReportStudyRow.record_id, StudyRow.label).join(
        StudyRow, ReportStudyRow.study_id == StudyRow.id
    )
    return {str(r): label for r, label in session.execute(stmt).all()}


def project_prisma(project: Project) -> PrismaCounts:
    """PRISMA 2020 counts computed from the project's records, links and events."""
    with project.sessions() as session:
        database, other = source_records(session)
        registers = register_sources(session)
        events = load_events(session)
        not_retrieved = _not_retrieved(session)
        study_of = _study_of(session)
    return prisma_counts(
        database,
        events,
        not_retrieved=not_retrieved,
        study_of=study_of or None,
        other_records=other,
        registers=sorted(registers),
        protocol=project.protocol(),
        double_screened=double_screened_map(events, project.protocol()),
    )


def project_agreement(
    project: Project, stage: str = "title_abstract", reviewers: tuple[str, str] | None = None
) -> KappaResult:
    """Cohen's kappa between two screeners on the records both decided at ``stage``."""
    _check_stage(stage)
    with project.sessions() as session:
        events = [e for e in load_events(session, stage) if e.role == "screener"]
    latest: dict[tuple[str, str], str] = {}
    for e in events:
        latest[(e.reviewer, e.record_id)] = e.decision
    counts = Counter(reviewer for reviewer, _ in latest)
    if reviewers is None:
        pair = [name for name, _ in counts.most_common(2)]
        if len(pair) < 2:
            raise EvsynthError(f"agreement needs two screeners at {stage}; found {len(pair)}")
        reviewers = (pair[0], pair[1])
    a = {rid: d for (who, rid), d in latest.items() if who == reviewers[0]}
    b = {rid: d for (who, rid), d in latest.items() if who == reviewers[1]}
    if not a or not b:
        raise EvsynthError(f"{reviewers[0] if not a else reviewers[1]} has no decisions at {stage}")
    return cohen_kappa(a, b, reviewers=reviewers)


def project_conflicts(project: Project, stage: str) -> list[Conflict]:
    _check_stage(stage)
    with project.sessions() as session:
        return conflicts(load_events(session, stage), stage)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Status:
    counts: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.counts)


def project_status(project: Project) -> Status:
    """Where the review stands: imports, records, duplicates, decisions, conflicts."""
    with project.sessions() as session:
        n_records = session.scalar(select(func.count(RecordRow.id))) or 0
        imports = session.execute(
            select(
                ImportRow.id, ImportRow.file_name, ImportRow.source_database, ImportRow.n_records
            )
        ).all()
        links = current_links(session)
        n_dup = sum(1 for v in links.values() if v is not None)
        by_stage: dict[str, dict[str, int]] = {}
        for stage, reviewer, n in session.execute(
            select(
                DecisionRow.stage,
                DecisionRow.reviewer,
                func.count(func.distinct(DecisionRow.record_id)),
            ).group_by(DecisionRow.stage, DecisionRow.reviewer)
        ).all():
            by_stage.setdefault(stage, {})[reviewer] = n
    status: dict[str, Any] = {
        "title": project.config.project.title,
        "database": project.url,
        "imports": [
            {"import_id": i, "file": f, "source_database": s, "n_records": n}
            for i, f, s, n in imports
        ],
        "records": n_records,
        "duplicates": n_dup,
        "unique_records": n_records - n_dup,
        "decisions_by_stage_and_reviewer": by_stage,
    }
    if n_records:
        counts = project_prisma(project)
        status["conflicts"] = {s: len(project_conflicts(project, s)) for s in STAGES}
        status["prisma"] = counts.to_dict()
    return Status(status)


def attach_full_text(
    project: Project,
    record_id: int,
    *,
    by: str,
    pdf: Path | None = None,
    url: str | None = None,
    not_retrieved: bool = False,
    study: str | None = None,
) -> None:
    """Attach a PDF or link to a record, mark it not retrievable, or link it to a study."""
    with project.sessions.begin() as session:
        if session.get(RecordRow, record_id) is None:
            raise EvsynthError(f"record {record_id} does not exist in this project")
        stamp = datetime.now(UTC)
        if pdf is not None:
            if not pdf.is_file():
                raise EvsynthError(f"{pdf}: no such file")
            project.files.mkdir(exist_ok=True)
            target = project.files / f"record-{record_id}-{pdf.name}"
            target.write_bytes(pdf.read_bytes())
            session.add(
                ReportRow(
                    record_id=record_id,
                    path=str(target.relative_to(project.folder)),
                    url=None,
                    created_at=stamp,
                )
            )
            session.add(
                ReportEventRow(record_id=record_id, status="retrieved", by=by, created_at=stamp)
            )
        if url is not None:
            session.add(ReportRow(record_id=record_id, path=None, url=url, created_at=stamp))
            session.add(
                ReportEventRow(record_id=record_id, status="retrieved", by=by, created_at=stamp)
            )
        if not_retrieved:
            session.add(
                ReportEventRow(record_id=record_id, status="not_retrieved", by=by, created_at=stamp)
            )
        if study is not None:
            row = session.scalars(select(StudyRow).where(StudyRow.label == study)).first()
            if row is None:
                row = StudyRow(label=study)
                session.add(row)
                session.flush()
            exists = session.scalars(
                select(ReportStudyRow).where(
                    ReportStudyRow.record_id == record_id, ReportStudyRow.study_id == row.id
                )
            ).first()
            if exists is None:
                session.add(ReportStudyRow(record_id=record_id, study_id=row.id, created_at=stamp))


def export_archive(project: Project, target: Path) -> Path:
    """One portable zip: evsynth.toml, a consistent copy of the database, and files/."""
    import sqlite3

    if not project.url.startswith("sqlite"):
        raise EvsynthError("export of a PostgreSQL project is done with pg_dump")
    db_path = Path(project.url.removeprefix("sqlite:///"))
    buffer = io.BytesIO()
    src = sqlite3.connect(db_path)
    try:
        snapshot = sqlite3.connect(":memory:")
        src.backup(snapshot)  # a consistent copy even while reviewers are writing
        data = snapshot.serialize()
        snapshot.close()
    finally:
        src.close()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(project.folder / "evsynth.toml", "evsynth.toml")
        zf.writestr("evsynth.db", data)
        if project.files.is_dir():
            for path in sorted(project.files.rglob("*")):
                if path.is_file():
                    zf.write(path, str(path.relative_to(project.folder)))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(target)
    return target
