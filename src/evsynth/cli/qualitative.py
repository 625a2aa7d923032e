"""``evsynth appraisal``, ``appraise``, ``checklists``, ``themes``, ``cerqual``, ``qdpx``.

Each command loads the project's qualitative files and appraisal events (storage), calls the
library and renders the result; errors are one line and exit status 2 (see ``cli/app.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer

from evsynth._core.errors import EvsynthError
from evsynth.cli.output import CsvOption, JsonOption, print_csv, print_json, print_summary, stderr
from evsynth.cli.records_cmds import ProjectOption

if TYPE_CHECKING:
    from evsynth.appraisal import AppraisalResult
    from evsynth.report.qualitative_section import QualitativeSection
    from evsynth.storage.project import Project
    from evsynth.storage.qualitative_repo import QualitativeProject


def _open(project: Path | None) -> Project:
    from evsynth.storage.project import open_project

    if project is None:
        raise EvsynthError("this command needs --project DIR")
    return open_project(project)


def _load(project: Path | None) -> tuple[Project, QualitativeProject]:
    from evsynth.storage.qualitative_repo import project_qualitative

    proj = _open(project)
    return proj, project_qualitative(proj)


def section_from(data: QualitativeProject) -> QualitativeSection:
    """The report section for a loaded project (used by ``evsynth run``)."""
    from evsynth.report.qualitative_section import QualitativeSection

    return QualitativeSection(
        title=data.title,
        studies=data.studies,
        tables=data.tables,
        results=data.results,
        framework=data.framework,
        synthesis=data.synthesis,
        groups=data.groups,
        assessments=data.assessments,
        note=data.note,
        findings_note=data.findings_note,
        notes=data.notes,
    )


def qualitative_section(project: Path) -> QualitativeSection:
    """Load a project's qualitative stage and build its report section."""
    return section_from(_load(project)[1])


def appraisal(
    project: ProjectOption = None,
    checklist: Annotated[
        str | None, typer.Option(help="Only appraisals with this checklist id.")
    ] = None,
    reviewer: Annotated[str | None, typer.Option(help="Only this reviewer's appraisals.")] = None,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Per study and checklist: the answers, the rule's rating, the recorded rating, disagreement."""
    from evsynth.appraisal import reviewer_disagreements

    _, data = _load(project)
    results = [
        r
        for r in data.results
        if (checklist is None or r.checklist.id == checklist)
        and (reviewer is None or r.appraisal.reviewer == reviewer)
    ]
    if checklist is not None and not results and checklist not in data.checklists:
        raise EvsynthError(
            f"checklist {checklist!r} is not known; choose one of {', '.join(data.checklists)}"
        )
    between = reviewer_disagreements(results)
    if json_:
        print_json(
            {
                "appraisals": [
                    {"label": data.studies.label(r.appraisal.study, r.appraisal.reports)}
                    | r.to_dict()
                    for r in results
                ],
                "n_disagree": sum(r.disagrees for r in results),
                "reviewer_disagreements": [d.to_dict() for d in between],
            }
        )
        return
    if csv_:
        rows = []
        for r in results:
            a = r.appraisal
            row: dict[str, Any] = {
                "study": a.study,
                "label": data.studies.label(a.study, a.reports),
                "reports": ";".join(a.reports),
                "checklist": a.checklist,
                "reviewer": a.reviewer,
                "role": a.role,
            }
            for q in r.checklist.questions:
                row[f"q{q.id}"] = a.answers[q.id].answer if q.id in a.answers else ""
            row |= {
                "rule_rating": r.rule_rating or "",
                "recorded_rating": r.recorded_rating or "",
                "disagrees": r.disagrees,
            }
            rows.append(row)
        print_csv(pd.DataFrame(rows))
        return
    if not results:
        stderr.print("no appraisals recorded")
        return
    for line in _appraisal_lines(results, data.studies.label):
        typer.echo(line)
    for d in between:
        qs = ", ".join(f"{q} ({x or '-'} / {y or '-'})" for q, x, y in d.questions)
        typer.echo(
            f"Reviewers {d.reviewers[0]} and {d.reviewers[1]} disagree on {d.study}"
            f"{' (' + ', '.join(d.reports) + ')' if d.reports else ''}: "
            f"{qs or 'ratings only'}; ratings {d.ratings[0]} / {d.ratings[1]}"
            f"{' (resolved by consensus)' if d.resolved else ''}"
        )


def _abbreviations(options: Sequence[str]) -> dict[str, str]:
    """Short forms of answer options (Yes Y, Can't tell CT), or the options when they clash."""
    short = {o: "".join(w[0] for w in o.split()).upper() for o in options}
    return short if len(set(short.values())) == len(short) else {o: o for o in options}


def _appraisal_lines(
    results: Sequence[AppraisalResult], label: Callable[[str, tuple[str, ...]], str]
) -> list[str]:
    """Plain-text table per checklist: study, reviewer, answers, the two ratings, the flag."""
    lines: list[str] = []
    for checklist_id in dict.fromkeys(r.checklist.id for r in results):
        group = [r for r in results if r.checklist.id == checklist_id]
        checklist = group[0].checklist
        options = list(dict.fromkeys(o for q in checklist.questions for o in q.options))
        short = _abbreviations(options)
        rows = [
            (
                label(r.appraisal.study, r.appraisal.reports),
                r.appraisal.reviewer,
                " ".join(
                    short.get(r.appraisal.answers[q.id].answer, r.appraisal.answers[q.id].answer)
                    if q.id in r.appraisal.answers
                    else "-"
                    for q in checklist.questions
                    if not q.free_text
                ),
                r.rule_rating or "-",
                r.recorded_rating or "-",
                "DISAGREES" if r.disagrees else "",
            )
            for r in group
        ]
        head = ("Study", "Reviewer", "Answers", "Rule", "Recorded", "")
        widths = [max(len(x[i]) for x in (head, *rows)) for i in range(len(head))]
        legend = ", ".join(f"{v} {k}" for k, v in short.items() if v != k)
        lines.append(f"{checklist.name} [{checklist.id}]")
        lines.append(
            f"Answers to questions {', '.join(q.id for q in checklist.questions if not q.free_text)}"
            + (f" ({legend})" if legend else "")
        )
        for row in (head, *rows):
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        for r in group:
            if r.disagrees:
                lines.append(f"{label(r.appraisal.study, r.appraisal.reports)}: {r.flag()}")
        lines.append("")
    return lines


def _pairs(values: Sequence[str], what: str) -> dict[str, str]:
    out = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise EvsynthError(f"{what} {value!r} must look like QUESTION=TEXT, e.g. 3=No")
        out[key.strip()] = text.strip()
    return out


def appraise(
    project: ProjectOption = None,
    study: Annotated[str | None, typer.Option(help="The included study's id.")] = None,
    reviewer: Annotated[str | None, typer.Option(help="Who is appraising.")] = None,
    checklist: Annotated[
        str, typer.Option(help="Checklist id (see `evsynth checklists`).")
    ] = "casp-qualitative-scope2021",
    answer: Annotated[
        list[str] | None, typer.Option(help="QUESTION=ANSWER, once per question (e.g. 3=No).")
    ] = None,
    comment: Annotated[
        list[str] | None, typer.Option(help="QUESTION=TEXT: the reviewer's comment on an answer.")
    ] = None,
    rating: Annotated[str | None, typer.Option(help="The reviewer's own overall rating.")] = None,
    domain: Annotated[
        list[str] | None, typer.Option(help="DOMAIN=RATING: a recorded domain judgement (RoB 2).")
    ] = None,
    report: Annotated[
        list[str] | None, typer.Option(help="A report of the study, when appraising it apart.")
    ] = None,
    consensus: Annotated[
        bool, typer.Option(help="Record the team's agreed appraisal after independent ones.")
    ] = False,
    note: Annotated[str | None, typer.Option(help="A note kept with the appraisal.")] = None,
    json_: JsonOption = False,
) -> None:
    """Record one reviewer's appraisal of one study as an append-only event."""
    from evsynth.appraisal import Answer, Appraisal, appraise, load_checklist
    from evsynth.storage.qualitative_repo import (
        add_appraisals,
        project_checklists,
        qualitative_spec,
    )

    proj = _open(project)
    if study is None or reviewer is None:
        raise EvsynthError("say which study and who appraises with --study ID --reviewer NAME")
    if not answer:
        raise EvsynthError("give the answers with --answer QUESTION=ANSWER (one per question)")
    answers = _pairs(answer, "--answer")
    comments = _pairs(comment or [], "--comment")
    stray = sorted(set(comments) - set(answers))
    if stray:
        raise EvsynthError(f"--comment on question(s) {', '.join(stray)}, which have no --answer")
    event = Appraisal(
        study=study,
        checklist=checklist,
        reviewer=reviewer,
        answers={q: Answer(a, comments.get(q)) for q, a in answers.items()},
        rating=rating,
        domain_ratings=_pairs(domain or [], "--domain"),
        reports=tuple(report or ()),
        role="consensus" if consensus else "appraiser",
        timestamp=datetime.now(UTC),
        note=note,
    )
    add_appraisals(proj, [event])
    checklists = project_checklists(proj.folder, qualitative_spec(proj))
    result = appraise(event, load_checklist(checklist, checklists))
    if json_:
        print_json({"stored": 1} | result.to_dict())
        return
    stderr.print(
        f"stored {reviewer}'s appraisal of {study} ({checklist}): rule {result.rule_rating or '-'}"
        f", recorded {result.recorded_rating or '-'}"
        + (" — they disagree" if result.disagrees else "")
    )


def checklists(
    project: ProjectOption = None,
    show: Annotated[str | None, typer.Option(help="Print one checklist's questions.")] = None,
    json_: JsonOption = False,
) -> None:
    """List the built-in checklists (and the project's own), or show one."""
    from evsynth.appraisal import builtin_checklists, load_checklist

    known = dict(builtin_checklists())
    if project is not None:
        from evsynth.storage.config import load_config
        from evsynth.storage.qualitative_repo import project_checklists

        spec = load_config(project).qualitative
        if spec is not None:
            known = project_checklists(project, spec)
    if show is not None:
        c = load_checklist(show, known)
        if json_:
            print_json(
                {
                    "id": c.id,
                    "name": c.name,
                    "citation": c.citation,
                    "ratings": list(c.ratings),
                    "rule": c.describe_rule(),
                    "questions": c.to_frame().to_dict(orient="records"),
                }
            )
        else:
            print_summary(c.summary())
        return
    rows = [
        {
            "id": c.id,
            "name": c.name,
            "questions": len(c.questions),
            "ratings": " / ".join(c.ratings),
        }
        for c in known.values()
    ]
    if json_:
        print_json({"checklists": rows})
    else:
        for r in rows:
            typer.echo(f"{r['id']}\t{r['questions']} questions\t{r['ratings']}\t{r['name']}")


def themes(
    project: ProjectOption = None,
    matrix: Annotated[
        str | None,
        typer.Option(help="Print a matrix instead: 'codes' (code by study) or 'key-findings'."),
    ] = None,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """Analytical themes with their sub-themes and supporting excerpts; or a matrix."""
    _, data = _load(project)
    synthesis = data.synthesis
    if synthesis is None:
        raise EvsynthError(
            "the project has no thematic synthesis",
            hint="list excerpts and coding in [qualitative] of evsynth.toml",
        )
    if matrix is not None:
        if matrix not in ("codes", "key-findings"):
            raise EvsynthError(f"--matrix {matrix!r} is not known; choose codes or key-findings")
        perspectives = [p.id for p in data.framework.perspectives] if data.framework else None
        frame = (
            synthesis.code_by_study(data.studies.ids)
            if matrix == "codes"
            else synthesis.key_findings(data.groups or None, perspectives).map("; ".join)
        )
        frame = frame.reset_index()
        if json_:
            print_json({"matrix": matrix, "rows": frame.to_dict(orient="records")})
        else:
            print_csv(frame) if csv_ else typer.echo(frame.to_string(index=False))
        return
    rows = []
    for t in synthesis.themes:
        rows.append(
            {
                "id": t.id,
                "label": t.label,
                "perspective": t.perspective,
                "group": t.group,
                "sub_themes": [synthesis.sub_theme(s).label for s in t.sub_themes],
                "excerpts": [
                    {
                        "excerpt": s.excerpt.id,
                        "study": s.excerpt.study,
                        "report": s.excerpt.report,
                        "page": s.excerpt.page,
                        "code": s.code.label,
                        "text": s.text,
                    }
                    for s in synthesis.supporting_excerpts(t.id)
                ],
            }
        )
    if json_:
        print_json({"themes": rows})
    elif csv_:
        print_csv(synthesis.to_frame())
    else:
        print_summary(synthesis.summary())


def cerqual(
    project: ProjectOption = None,
    table: Annotated[
        str, typer.Option(help="'summary' (Summary of Qualitative Findings) or 'profile'.")
    ] = "summary",
    docx: Annotated[
        Path | None, typer.Option(help="Also write both tables to this Word file.")
    ] = None,
    html: Annotated[
        Path | None, typer.Option(help="Also write both tables to this HTML file.")
    ] = None,
    json_: JsonOption = False,
    csv_: CsvOption = False,
) -> None:
    """GRADE-CERQual: the Summary of Qualitative Findings or the Evidence Profile."""
    from evsynth.report.qualitative_section import frame_html
    from evsynth.synthesis.qualitative import evidence_profile, summary_of_findings

    if table not in ("summary", "profile"):
        raise EvsynthError(f"--table {table!r} is not known; choose summary or profile")
    _, data = _load(project)
    if not data.assessments:
        raise EvsynthError(
            "the project has no review findings", hint="list findings in [qualitative]"
        )
    soqf = summary_of_findings(data.assessments, data.studies)
    profile = evidence_profile(data.assessments, data.studies)
    notes = [n for n in (data.findings_note,) if n]
    if docx is not None:
        from evsynth.report.docx import tables_docx

        payload = tables_docx(
            [("Summary of qualitative findings", soqf), ("Evidence profile", profile)],
            title=f"{data.title}: GRADE-CERQual",
            notes=notes,
        )
        _write(docx, payload)
        stderr.print(f"wrote {docx}")
    if html is not None:
        page = (
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{data.title}"
            "</title></head><body><h1>GRADE-CERQual</h1><h2>Summary of qualitative findings</h2>"
            f"{frame_html(soqf)}<h2>Evidence profile</h2>{frame_html(profile)}"
            + "".join(f"<p>{n}</p>" for n in notes)
            + "</body></html>"
        )
        _write(html, page.encode("utf-8"))
        stderr.print(f"wrote {html}")
    chosen = soqf if table == "summary" else profile
    if json_:
        print_json(
            {
                "findings": [a.to_dict() for a in data.assessments],
                "note": data.findings_note,
            }
        )
    elif csv_:
        print_csv(chosen)
    elif docx is None and html is None:
        for row in chosen.to_dict(orient="records"):
            typer.echo(" | ".join(str(v) for v in row.values()))


def _write(target: Path, payload: bytes) -> None:
    """Write atomically: a failed write never leaves half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(payload)
    tmp.replace(target)


qdpx_app = typer.Typer(
    name="qdpx",
    help="Exchange coded excerpts with NVivo, ATLAS.ti and other programs (REFI-QDA .qdpx).",
    no_args_is_help=True,
)


@qdpx_app.command("export")
def qdpx_export(
    project: ProjectOption = None,
    out: Annotated[
        Path | None, typer.Option(help="The .qdpx file (default PROJECT/exports/qualitative.qdpx).")
    ] = None,
) -> None:
    """Write the excerpts, codes, codings, sub-themes and themes as a REFI-QDA project."""
    from evsynth.synthesis.qualitative import to_qdpx

    proj, data = _load(project)
    if data.synthesis is None:
        raise EvsynthError("the project has no excerpts to export")
    target = out if out is not None else proj.exports / "qualitative.qdpx"
    _write(target, to_qdpx(data.synthesis, name=data.title, studies=data.studies))
    s = data.synthesis
    stderr.print(
        f"wrote {target}: {len(s.excerpts)} excerpts, {len(s.codes)} codes, "
        f"{len(s.codings)} codings, {len(s.sub_themes)} sub-themes, {len(s.themes)} themes"
    )


@qdpx_app.command("import")
def qdpx_import(
    file: Annotated[Path, typer.Argument(help="A REFI-QDA project file (.qdpx).")],
    project: ProjectOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder for excerpts.csv and coding.toml (default PROJECT/qualitative/imported)."
        ),
    ] = None,
) -> None:
    """Read a REFI-QDA project into excerpts.csv and coding.toml, checked against the project."""
    from evsynth.extraction import check_excerpts
    from evsynth.storage.qualitative_files import coding_toml, excerpts_csv
    from evsynth.synthesis.qualitative import from_qdpx

    proj, data = _load(project)
    if not file.is_file():
        raise EvsynthError(f"{file}: no such file")
    synthesis = from_qdpx(file.read_bytes(), file=str(file))
    if data.framework is not None:
        try:
            check_excerpts(synthesis.excerpts, data.framework, data.studies)
        except EvsynthError as exc:
            raise EvsynthError(f"{file}: {exc}") from None
    folder = out if out is not None else proj.folder / "qualitative" / "imported"
    targets = [folder / "excerpts.csv", folder / "coding.toml"]
    taken = [str(t) for t in targets if t.exists()]
    if taken:
        raise EvsynthError(
            f"{', '.join(taken)} already exist; nothing was written",
            hint="choose another folder with --out",
        )
    folder.mkdir(parents=True, exist_ok=True)
    _write(targets[0], excerpts_csv(synthesis.excerpts).encode("utf-8"))
    _write(targets[1], coding_toml(synthesis).encode("utf-8"))
    stderr.print(
        f"wrote {targets[0]} ({len(synthesis.excerpts)} excerpts) and {targets[1]} "
        f"({len(synthesis.codes)} codes, {len(synthesis.codings)} codings, "
        f"{len(synthesis.sub_themes)} sub-themes, {len(synthesis.themes)} themes); point "
        "[qualitative] excerpts and coding at them to use them"
    )
