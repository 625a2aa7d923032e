"""``evsynth init``, ``evsynth import``, ``evsynth status``, ``evsynth export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evsynth.cli._io import cli_words
from evsynth.cli.output import JsonOption, print_json, stderr
from evsynth.cli.records_cmds import ProjectOption


def init(
    folder: Annotated[Path, typer.Argument(help="Folder for the new project.")],
    title: Annotated[str, typer.Option(help="Review title.")],
    lead: Annotated[str, typer.Option(help="Lead reviewer's name.")] = "lead",
    registration: Annotated[
        str | None, typer.Option(help="Registration id, e.g. PROSPERO.")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Create a review project: evsynth.toml (protocol template) and evsynth.db."""
    from evsynth.storage.project import init_project

    proj = init_project(folder, title=title, lead=lead, registration=registration)
    if json_:
        print_json({"folder": str(proj.folder), "database": proj.url})
    else:
        typer.echo(f"Created {proj.folder}; edit {proj.folder / 'evsynth.toml'} for the protocol")


def import_(
    files: Annotated[list[Path], typer.Argument(help="Export files to import.")],
    project: ProjectOption = None,
    database: Annotated[
        str | None, typer.Option(help="Source database (default: detected from the file).")
    ] = None,
    search_date: Annotated[str | None, typer.Option(help="Date the search was run.")] = None,
    format: Annotated[str | None, typer.Option(help="Reader to use (default: detected).")] = None,
    on_error: Annotated[
        str,
        typer.Option(help="raise: refuse a file with a bad record; skip: leave bad records out."),
    ] = "raise",
    method: Annotated[
        str, typer.Option(help="database, register or other (citation searching, ...).")
    ] = "database",
    allow_repeat: Annotated[bool, typer.Option(help="Import a file seen before again.")] = False,
    by: Annotated[str | None, typer.Option(help="Who imports.")] = None,
    json_: JsonOption = False,
) -> None:
    """Import search results into a project; each file in one transaction."""
    from evsynth._core.errors import EvsynthError
    from evsynth.records import read_records
    from evsynth.storage.project import open_project
    from evsynth.storage.records_repo import store_import

    if project is None:
        raise EvsynthError("evsynth import needs --project DIR")
    if on_error not in ("raise", "skip"):
        raise EvsynthError(f"--on-error={on_error!r} is not known; choose raise or skip")
    if method not in ("database", "register", "other"):
        raise EvsynthError(f"--method={method!r} is not known; choose database, register or other")
    if method == "other":
        from evsynth.screening import OTHER_METHODS

        if database not in OTHER_METHODS:
            raise EvsynthError(
                f"--method other needs --database naming the method, one of "
                f"{', '.join(OTHER_METHODS)} (got {database!r})",
                hint="PRISMA 2020 counts records found by other methods under these names",
            )
    proj = open_project(project)
    summaries = []
    for file in files:
        try:
            result = read_records(
                file,
                format=format,
                source_database=database,
                on_error=on_error,  # type: ignore[arg-type]
            )
        except EvsynthError as exc:
            raise cli_words(exc) from None
        summary = store_import(
            proj.sessions,
            result,
            source_database=database,
            search_date=search_date,
            imported_by=by,
            method=method,
            allow_repeat=allow_repeat,
        )
        summaries.append(summary)
        stderr.print(
            f"imported {summary.n_records} records from {summary.file} "
            f"({summary.format}, {summary.source_database or 'source unknown'})"
        )
        for warning in summary.warnings:
            stderr.print(f"[yellow]warning[/]: {warning}")
    if json_:
        print_json({"imports": [s.to_dict() for s in summaries]})
