"""``evsynth screen``, ``conflicts``, ``agreement``, ``prisma``, ``status``, ``export``, ``fulltext``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from evsynth._core.errors import EvsynthError
from evsynth.cli.output import CsvOption, JsonOption, print_json, print_summary, stderr
from evsynth.cli.records_cmds import ProjectOption

StageOption = Annotated[str, typer.Option("--stage", help="title_abstract or full_text.")]


def check_stage(stage: str):  # type: ignore[no-untyped-def]
    """The stage as the screening layer's type; imported here so `evsynth --help` stays fast."""
    from evsynth.screening.protocol import check_stage as check

    return check(stage)


def _project(project: Path | None):  # type: ignore[no-untyped-def]
    from evsynth.storage.project import open_project

    if project is None:
        raise EvsynthError("this command needs --project DIR")
    return open_project(project)


def screen(
    project: ProjectOption = None,
    reviewer: Annotated[
        str | None, typer.Option(help="Who is screening (as in the protocol).")
    ] = None,
    stage: StageOption = "title_abstract",
    record: Annotated[int | None, typer.Option(help="Record id to decide on.")] = None,
    decision: Annotated[str | None, typer.Option(help="include, exclude or maybe.")] = None,
    reason: Annotated[
        str | None, typer.Option(help="Exclusion reason (from the protocol).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note kept with the decision.")] = None,
    arbiter: Annotated[
        bool, typer.Option(help="Decide as the third reviewer resolving a conflict.")
    ] = False,
    from_csv: Annotated[
        Path | None,
        typer.Option(
            help="Table of decisions: record_id (or record_key, database), reviewer, decision, reason, timestamp, role."
        ),
    ] = None,
    reveal: Annotated[
        bool, typer.Option(help="Lead only: reveal blinded decisions of the stage.")
    ] = False,
    mine: Annotated[bool, typer.Option(help="List the decisions this reviewer may see.")] = False,
    sample: Annotated[
        bool,
        typer.Option(
            help="Interactive: only the protocol's double-screening sample (second reviewer)."
        ),
    ] = False,
    order: Annotated[
        str,
        typer.Option(
            help="Interactive: prioritised (likely includes first, once there is an include "
            "and an exclude; import order before) or import."
        ),
    ] = "prioritised",
    json_: JsonOption = False,
) -> None:
    """Record screening decisions (one, a table, or interactively) as append-only events."""
    from evsynth.screening import Decision, visible_decisions
    from evsynth.storage.screening_repo import add_decisions, load_events, revealed_stages
    from evsynth.storage.screening_repo import reveal as do_reveal
    from evsynth.storage.workflow import _check_stage, import_event_log

    proj = _project(project)
    _check_stage(stage)
    protocol = proj.protocol()
    if from_csv is not None:
        from evsynth.cli._io import read_table

        frame = read_table(from_csv).astype(object)
        n = import_event_log(proj, frame, from_csv.read_bytes(), file=str(from_csv), stage=stage)
        stderr.print(f"stored {n} decisions from {from_csv}")
        if json_:
            print_json({"stored": n})
        return
    if reviewer is None:
        raise EvsynthError("say who is screening with --reviewer NAME")
    protocol.reviewer(reviewer)  # refuses names not in the protocol
    if reveal:
        if "lead" not in protocol.reviewer(reviewer).roles:
            raise EvsynthError(f"only a lead may reveal decisions; {reviewer} is not a lead")
        do_reveal(proj.sessions, stage, reviewer)
        stderr.print(f"decisions at {stage} revealed to all reviewers")
        return
    if mine:
        with proj.sessions() as session:
            events = load_events(session, stage)
            revealed = stage in revealed_stages(session)
        shown = visible_decisions(events, reviewer, blind=proj.blind, revealed=revealed)
        rows = [
            {
                "record_id": e.record_id,
                "reviewer": e.reviewer,
                "decision": e.decision,
                "reason": e.reason,
                "timestamp": e.timestamp.isoformat(),
            }
            for e in shown
        ]
        if json_:
            print_json(
                {
                    "stage": stage,
                    "viewer": reviewer,
                    "blind": proj.blind and not revealed,
                    "decisions": rows,
                }
            )
        else:
            for r in rows:
                typer.echo(
                    f"{r['record_id']}\t{r['reviewer']}\t{r['decision']}\t{r['reason'] or ''}"
                )
        return
    if record is not None:
        if decision is None:
            raise EvsynthError("give --decision include, exclude or maybe with --record")
        event = Decision(
            record_id=str(record),
            stage=check_stage(stage),
            reviewer=reviewer,
            decision=decision,  # type: ignore[arg-type]
            reason=reason,
            note=note,
            role="arbiter" if arbiter else "screener",
            timestamp=datetime.now(UTC),
        )
        add_decisions(proj.sessions, protocol, [event])
        if json_:
            print_json({"stored": 1, "record_id": record, "decision": decision})
        else:
            stderr.print(f"record {record}: {decision} ({reviewer}, {stage})")
        return
    _interactive(proj, protocol, reviewer, stage, sample_only=sample, order=order)


def _interactive(  # type: ignore[no-untyped-def]
    proj,
    protocol,
    reviewer: str,
    stage: str,
    *,
    sample_only: bool = False,
    order: str = "prioritised",
) -> None:
    """Show the reviewer's next unscreened record and ask for a decision, until they quit."""
    from evsynth.cli.prioritise import InteractiveOrder

    ordering = InteractiveOrder(proj, stage, reviewer, order)

    from evsynth.screening import Decision, reached_full_text
    from evsynth.storage.models import RecordRow
    from evsynth.storage.screening_repo import (
        add_decisions,
        double_screened_map,
        kept_record_ids,
        load_events,
    )

    reasons = protocol.reasons(stage)
    while True:
        with proj.sessions() as session:
            events = load_events(session)
            pool = kept_record_ids(session)
            if stage == "full_text":
                allowed = reached_full_text(
                    events, double_screened=double_screened_map(events, protocol)["title_abstract"]
                )
                pool = [r for r in pool if r in allowed]
            if sample_only:
                # The sample is drawn over the records to screen with the protocol's seed, so
                # every reviewer and every run see the same records.
                chosen = protocol.double_screened(check_stage(stage), pool)
                pool = [r for r in pool if r in chosen]
            done = {e.record_id for e in events if e.stage == stage and e.reviewer == reviewer}
            todo = [r for r in pool if r not in done]
            if not todo:
                typer.echo("Nothing left to screen at this stage.")
                return
            todo = ordering.arrange(todo, events)
            row = session.get(RecordRow, int(todo[0]))
        typer.echo(f"\n[{len(todo)} left] record {row.id}: {row.title or '(no title)'}")
        if ordering.why(str(row.id)):
            typer.echo(f"(ranked high for: {', '.join(ordering.why(str(row.id)))})")
        typer.echo(f"{row.authors or ''} ({row.year or 'n.d.'}) {row.journal or ''}")
        typer.echo((row.abstract or "(no abstract)")[:1500])
        answer = (
            typer.prompt("include (i), exclude (e), maybe (m), quit (q)", default="q")
            .strip()
            .lower()
        )
        if answer.startswith("q"):
            return
        choice = {"i": "include", "e": "exclude", "m": "maybe"}.get(answer[:1])
        if choice is None:
            typer.echo("Please answer i, e, m or q.")
            continue
        reason = None
        if choice == "exclude" and reasons:
            for n, text in enumerate(reasons, 1):
                typer.echo(f"  {n}. {text}")
            pick = typer.prompt("reason number", default="1")
            try:
                reason = reasons[int(pick) - 1]
            except (ValueError, IndexError):
                typer.echo("Not a listed reason; nothing stored.")
                continue
        add_decisions(
            proj.sessions,
            protocol,
            [
                Decision(
                    record_id=str(row.id),
                    stage=check_stage(stage),
                    reviewer=reviewer,
                    decision=choice,  # type: ignore[arg-type]
                    reason=reason,
                    timestamp=datetime.now(UTC),
                )
            ],
        )


def _may_see_others(proj, who: str | None, stage: str) -> None:  # type: ignore[no-untyped-def]
    """Under blinding, refuse a screener who asks to see other reviewers' decisions.

    The CLI works on a local project file, so it trusts whoever runs it unless ``--as`` says
    who that is; the web app enforces blinding for every account on the server.
    """
    from evsynth.storage.screening_repo import revealed_stages

    if who is None or not proj.blind:
        return
    roles = proj.protocol().reviewer(who).roles
    if "lead" in roles or "arbiter" in roles:
        return
    with proj.sessions() as session:
        if stage in revealed_stages(session):
            return
    raise EvsynthError(
        f"{who} is a blinded screener: other reviewers' decisions at {stage} are hidden",
        hint="Ask the lead to reveal them (evsynth screen --reveal)",
    )


def conflicts(
    project: ProjectOption = None,
    stage: StageOption = "title_abstract",
    as_: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Who is asking; under blinding only a lead or arbiter may see others' decisions.",
        ),
    ] = None,
    json_: JsonOption = False,
) -> None:
    """List disagreements between screeners that no arbiter has resolved yet."""
    from evsynth.storage.workflow import project_conflicts

    proj = _project(project)
    _may_see_others(proj, as_, stage)
    found = project_conflicts(proj, stage)
    if json_:
        print_json(
            {
                "stage": stage,
                "n": len(found),
                "conflicts": [
                    {
                        "record_id": c.record_id,
                        "decisions": [
                            {"reviewer": d.reviewer, "decision": d.decision, "reason": d.reason}
                            for d in c.decisions
                        ],
                    }
                    for c in found
                ],
            }
        )
    else:
        for c in found:
            typer.echo(c.describe())
        stderr.print(
            f"{len(found)} unresolved conflicts at {stage}; resolve with "
            "`evsynth screen --arbiter --record ID --decision ... --reviewer ARBITER`"
        )


def agreement(
    project: ProjectOption = None,
    stage: StageOption = "title_abstract",
    reviewers: Annotated[
        str | None, typer.Option(help="Two reviewers, comma-separated (default: the two busiest).")
    ] = None,
    as_: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Who is asking; under blinding only a lead or arbiter may see others' decisions.",
        ),
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Cohen's kappa with its 95% CI, the agreement table, disagreements and the threshold."""
    from evsynth.storage.workflow import project_agreement

    proj = _project(project)
    _may_see_others(proj, as_, stage)
    pair = None
    if reviewers:
        names = [n.strip() for n in reviewers.split(",")]
        if len(names) != 2:
            raise EvsynthError("--reviewers takes two names, e.g. ASc,AB")
        pair = (names[0], names[1])
    k = project_agreement(proj, stage, pair)
    threshold = proj.protocol().kappa_threshold
    if json_:
        out = k.to_dict()
        out["threshold"] = threshold
        out["meets_threshold"] = None if threshold is None else bool(k.meets(threshold))
        print_json(out)
    else:
        print_summary(k.summary())
        if threshold is not None:
            typer.echo(
                f"Protocol threshold {threshold}: {'met' if k.meets(threshold) else 'NOT met'}"
            )


def prisma(
    project: ProjectOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder for prisma.svg, prisma.png, prisma.csv (default PROJECT/exports)."
        ),
    ] = None,
    json_: JsonOption = False,
) -> None:
    """PRISMA 2020 counts from the records and decisions; writes the diagram (SVG, PNG) and CSV."""
    from evsynth.plots import figure_to_png_bytes
    from evsynth.screening import prisma_csv, prisma_diagram, prisma_svg
    from evsynth.storage.workflow import project_prisma

    proj = _project(project)
    counts = project_prisma(proj)
    try:
        counts.check()
    except EvsynthError as exc:
        stderr.print(
            f"[yellow]warning[/]: screening is not finished, the diagram is a snapshot: {exc}"
        )
    folder = out if out is not None else proj.exports
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "prisma.svg").write_text(prisma_svg(counts), encoding="utf-8")
    (folder / "prisma.png").write_bytes(figure_to_png_bytes(prisma_diagram(counts)))
    (folder / "prisma.csv").write_text(prisma_csv(counts), encoding="utf-8")
    if json_:
        print_json(
            {
                **counts.to_dict(),
                "files": [str(folder / n) for n in ("prisma.svg", "prisma.png", "prisma.csv")],
            }
        )
    else:
        print_summary(counts.summary())
        stderr.print(
            f"diagram written to {folder / 'prisma.svg'} and prisma.png; box counts in prisma.csv"
        )


def status(project: ProjectOption = None, json_: JsonOption = False) -> None:
    """Where the review stands: imports, records, duplicates, decisions, conflicts, PRISMA."""
    from evsynth.storage.workflow import project_status

    st = project_status(_project(project)).to_dict()
    if json_:
        print_json(st)
        return
    typer.echo(f"{st['title']}\n  database: {st['database']}")
    typer.echo(
        f"  records: {st['records']} ({st['duplicates']} duplicates, {st['unique_records']} unique) from {len(st['imports'])} imports"
    )
    for stage, by in st["decisions_by_stage_and_reviewer"].items():
        typer.echo(f"  {stage}: " + ", ".join(f"{r} {n}" for r, n in by.items()))
    for stage, n in st.get("conflicts", {}).items():
        typer.echo(f"  unresolved conflicts at {stage}: {n}")


def export(
    project: ProjectOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Archive path (default PROJECT/exports/<name>.evsynth.zip).")
    ] = None,
    csv: CsvOption = False,
    json_: JsonOption = False,
) -> None:
    """Write one portable archive of the project (evsynth.toml, database snapshot, files)."""
    from evsynth.storage.workflow import export_archive

    proj = _project(project)
    target = out if out is not None else proj.exports / f"{proj.folder.resolve().name}.evsynth.zip"
    path = export_archive(proj, target)
    if json_:
        print_json({"archive": str(path), "bytes": path.stat().st_size})
    else:
        typer.echo(f"Archive written to {path}")


def fulltext(
    record: Annotated[int, typer.Argument(help="Record id.")],
    project: ProjectOption = None,
    pdf: Annotated[
        Path | None, typer.Option(help="Attach this PDF (copied into PROJECT/files).")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Attach a link to the full text.")] = None,
    not_retrieved: Annotated[
        bool, typer.Option(help="The full text could not be obtained.")
    ] = False,
    study: Annotated[
        str | None,
        typer.Option(help="Link this report to a study (several reports may share one)."),
    ] = None,
    by: Annotated[str, typer.Option(help="Who records this.")] = "lead",
) -> None:
    """Attach a full text (PDF or link) to a record, or link the report to a study."""
    from evsynth.storage.workflow import attach_full_text

    if not any([pdf, url, not_retrieved, study]):
        raise EvsynthError("give --pdf, --url, --not-retrieved or --study")
    attach_full_text(
        _project(project), record, by=by, pdf=pdf, url=url, not_retrieved=not_retrieved, study=study
    )
    stderr.print(f"record {record} updated")
