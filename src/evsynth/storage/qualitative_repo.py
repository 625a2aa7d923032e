"""A project's qualitative synthesis: its files and its appraisal events, loaded and checked.

The ``[qualitative]`` table of evsynth.toml names the files (studies, characteristics tables,
checklists, appraisals, excerpts, coding, findings). Appraisals recorded with ``evsynth
appraise`` are append-only rows of ``appraisal_events``; the appraisal files come first, as a
recorded history, then the events in the order they were stored. When the project's screening
links reports to studies, every study of the qualitative files must be one that full-text
screening included.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from evsynth._core.errors import DataError, EvsynthError
from evsynth.appraisal import (
    Answer,
    Appraisal,
    AppraisalResult,
    Checklist,
    appraise,
    builtin_checklists,
    check_appraisal,
    latest_appraisals,
    load_checklist,
    unit_ratings,
)
from evsynth.extraction import Framework, StudySet, StudyTable, check_excerpts, study_table
from evsynth.screening.rules import outcomes
from evsynth.storage.config import QualitativeSpec
from evsynth.storage.models import AppraisalEventRow, ReportStudyRow, StudyRow
from evsynth.storage.project import Project
from evsynth.storage.qualitative_files import (
    read_appraisals,
    read_checklist,
    read_coding,
    read_excerpts,
    read_findings,
    read_framework,
    read_studies,
    read_study_table,
)
from evsynth.storage.screening_repo import double_screened_map, load_events
from evsynth.synthesis.qualitative import (
    CerqualAssessment,
    ThematicSynthesis,
    assess_findings,
    thematic_synthesis,
)


@dataclass(frozen=True)
class QualitativeProject:
    """Everything the qualitative stage has, checked: what the CLI and the report show."""

    title: str
    studies: StudySet
    tables: tuple[StudyTable, ...]
    checklists: Mapping[str, Checklist]
    results: tuple[AppraisalResult, ...]
    framework: Framework | None
    synthesis: ThematicSynthesis | None
    groups: tuple[str, ...]
    assessments: tuple[CerqualAssessment, ...]
    note: str | None = None
    findings_note: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def qualitative_spec(project: Project) -> QualitativeSpec:
    spec = project.config.qualitative
    if spec is None:
        raise EvsynthError(
            f"{project.folder / 'evsynth.toml'} has no [qualitative] table",
            hint="Name the qualitative files there; see examples/pps-review/evsynth.toml",
        )
    return spec


def project_checklists(folder: Path, spec: QualitativeSpec) -> dict[str, Checklist]:
    """The built-in checklists and the project's own (which may not reuse a built-in id)."""
    out = dict(builtin_checklists())
    for name in spec.checklists:
        checklist = read_checklist(folder / name, name)
        if checklist.id in out:
            raise EvsynthError(
                f"{name}: checklist id {checklist.id!r} is already taken",
                hint="give the project's checklist an id of its own",
            )
        out[checklist.id] = checklist
    return out


def included_study_labels(sessions: sessionmaker[Session]) -> frozenset[str] | None:
    """Studies linked to a report included at full-text screening; ``None`` without links."""
    with sessions() as session:
        links = session.execute(
            select(ReportStudyRow.record_id, StudyRow.label).join(
                StudyRow, ReportStudyRow.study_id == StudyRow.id
            )
        ).all()
        if not links:
            return None
        events = load_events(session)
    found = outcomes(events, "full_text", double_screened=double_screened_map(events)["full_text"])
    return frozenset(label for record, label in links if found.get(str(record)) == "include")


def _event(row: AppraisalEventRow) -> Appraisal:
    answers = {q: Answer(a, c) for q, (a, c) in json.loads(row.answers).items()}
    return Appraisal(
        study=row.study,
        checklist=row.checklist,
        reviewer=row.reviewer,
        answers=answers,
        rating=row.rating,
        domain_ratings=json.loads(row.domain_ratings) if row.domain_ratings else {},
        reports=tuple(r for r in row.reports.split(",") if r),
        role=row.role,  # type: ignore[arg-type]  # written by add_appraisals
        timestamp=row.created_at.replace(tzinfo=UTC),
        note=row.note,
        event_id=row.event_id,
    )


def stored_appraisals(sessions: sessionmaker[Session]) -> list[Appraisal]:
    with sessions() as session:
        rows = session.scalars(select(AppraisalEventRow).order_by(AppraisalEventRow.id)).all()
        return [_event(r) for r in rows]


def _check(
    appraisal: Appraisal, checklists: Mapping[str, Checklist], studies: StudySet, where: str
) -> Appraisal:
    try:
        checklist = load_checklist(appraisal.checklist, checklists)
        checked = check_appraisal(appraisal, checklist)
        study = studies.study(appraisal.study, context=f"{appraisal.reviewer}'s appraisal")
        for report in appraisal.reports:
            owner = studies.study_of_report(report, context=f"appraisal of {study.id}")
            if owner.id != study.id:
                raise EvsynthError(
                    f"the appraisal of {study.id} names report {report!r} of study {owner.id}"
                )
    except DataError:
        raise
    except EvsynthError as exc:
        raise EvsynthError(f"{where}: {exc}") from None
    return checked


def add_appraisals(project: Project, appraisals: Sequence[Appraisal]) -> int:
    """Check appraisals against the checklists and included studies, then store them together.

    Nothing is stored unless every appraisal passes; stored events are never changed.
    """
    spec = qualitative_spec(project)
    checklists = project_checklists(project.folder, spec)
    studies = read_studies(project.folder / spec.studies, spec.studies)
    checked = [_check(a, checklists, studies, "appraisal") for a in appraisals]
    stamp = datetime.now(UTC)
    with project.sessions.begin() as session:
        for a in checked:
            session.add(
                AppraisalEventRow(
                    study=a.study,
                    reports=",".join(a.reports),
                    checklist=a.checklist,
                    reviewer=a.reviewer,
                    role=a.role,
                    answers=json.dumps(
                        {q: [x.answer, x.comment] for q, x in a.answers.items()},
                        ensure_ascii=False,
                    ),
                    rating=a.rating,
                    domain_ratings=json.dumps(dict(a.domain_ratings)) if a.domain_ratings else None,
                    note=a.note,
                    event_id=a.event_id,
                    created_at=(a.timestamp or stamp).astimezone(UTC).replace(tzinfo=None),
                )
            )
    return len(checked)


def load_qualitative(
    folder: Path,
    spec: QualitativeSpec,
    *,
    stored: Sequence[Appraisal] = (),
    included: frozenset[str] | None = None,
) -> QualitativeProject:
    """Read and check every qualitative file of a project folder.

    Parameters
    ----------
    folder : Path
        The project folder.
    spec : QualitativeSpec
        Its ``[qualitative]`` table.
    stored : sequence of Appraisal
        Appraisal events from the database, after the files' appraisals.
    included : frozenset of str, optional
        Study ids the screening included; when given, every study must be one of them.
    """
    studies = read_studies(folder / spec.studies, spec.studies)
    notes: list[str] = []
    if included is not None:
        outside = [s for s in studies.ids if s not in included]
        if outside:
            raise EvsynthError(
                f"{spec.studies}: study {outside[0]!r} is not included at full-text screening; "
                f"the included studies are {', '.join(sorted(included))}",
                hint="Include its reports at full text, or remove the study",
            )
        missing = sorted(included - set(studies.ids))
        if missing:
            notes.append(f"Included at screening but not in {spec.studies}: {', '.join(missing)}.")
    checklists = project_checklists(folder, spec)
    appraisals: list[Appraisal] = []
    for name in spec.appraisals:
        for appraisal, where in read_appraisals(folder / name, name):
            appraisals.append(_check(appraisal, checklists, studies, str(where)))
    appraisals += [_check(a, checklists, studies, "appraisal_events") for a in stored]
    results = tuple(
        appraise(a, load_checklist(a.checklist, checklists)) for a in latest_appraisals(appraisals)
    )
    tables = []
    for t in spec.tables:
        frame = read_study_table(folder / t.file, t.file)
        try:
            tables.append(
                study_table(
                    frame,
                    studies,
                    name=t.name,
                    title=t.title,
                    source=t.source,
                    note=t.note,
                    hidden=t.hidden,
                )
            )
        except DataError:
            raise
        except EvsynthError as exc:
            raise EvsynthError(f"{t.file}: {exc}") from None
    framework = read_framework(spec.framework, folder) if spec.framework else None
    synthesis, groups = None, ()
    if spec.excerpts:
        if framework is None:
            raise EvsynthError(
                "[qualitative] lists excerpts but no framework",
                hint='name one, e.g. framework = "acceptability-scope2021"',
            )
        try:
            excerpts = check_excerpts(
                read_excerpts(folder / spec.excerpts, spec.excerpts), framework, studies
            )
        except DataError:
            raise
        except EvsynthError as exc:
            raise EvsynthError(f"{spec.excerpts}: {exc}") from None
        parts = (
            read_coding(folder / spec.coding, spec.coding, excerpts)
            if spec.coding
            else {"codes": [], "codings": [], "sub_themes": [], "themes": [], "groups": []}
        )
        try:
            synthesis = thematic_synthesis(
                excerpts,
                parts["codes"],
                parts["codings"],
                parts["sub_themes"],
                parts["themes"],
                perspectives=[p.id for p in framework.perspectives],
            )
        except EvsynthError as exc:
            raise EvsynthError(f"{spec.coding}: {exc}") from None
        groups = tuple(parts["groups"])
    assessments: tuple[CerqualAssessment, ...] = ()
    findings_note = None
    if spec.findings:
        findings, findings_note = read_findings(folder / spec.findings, spec.findings, studies)
        supported = None
        if synthesis is not None:
            known = {s.id for s in synthesis.sub_themes}
            for f in findings:
                if f.sub_theme is not None and f.sub_theme not in known:
                    raise EvsynthError(
                        f"{spec.findings}: finding {f.id!r} names sub-theme {f.sub_theme!r}, "
                        f"which {spec.coding or 'the coding'} does not define"
                    )
            supported = {s.id: synthesis.studies_of_sub_theme(s.id) for s in synthesis.sub_themes}
        try:
            assessments = assess_findings(
                findings, studies=studies, ratings=unit_ratings(results), supported_by=supported
            )
        except EvsynthError as exc:
            raise EvsynthError(f"{spec.findings}: {exc}") from None
    return QualitativeProject(
        title=spec.title,
        studies=studies,
        tables=tuple(tables),
        checklists=checklists,
        results=results,
        framework=framework,
        synthesis=synthesis,
        groups=groups,
        assessments=assessments,
        note=spec.note,
        findings_note=findings_note,
        notes=tuple(notes),
    )


def project_qualitative(project: Project) -> QualitativeProject:
    """:func:`load_qualitative` for an open project: its files, its events, its screening."""
    spec = qualitative_spec(project)
    return load_qualitative(
        project.folder,
        spec,
        stored=stored_appraisals(project.sessions),
        included=included_study_labels(project.sessions),
    )
