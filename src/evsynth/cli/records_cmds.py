"""``evsynth records`` and ``evsynth dedupe``: quick checks on files, and project de-duplication."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evsynth._core.errors import EvsynthError
from evsynth.cli.output import CsvOption, JsonOption, print_csv, print_json, print_summary, stderr

ProjectOption = Annotated[
    Path | None, typer.Option("--project", "-p", help="Review project folder.")
]


def records(
    file: Annotated[
        Path, typer.Argument(help="An export file: RIS, nbib, EndNote XML, BibTeX, CSV, XLSX.")
    ],
    format: Annotated[str | None, typer.Option(help="Reader to use (default: detected).")] = None,
    database: Annotated[str | None, typer.Option(help="Source database name.")] = None,
    json_: JsonOption = False,
    csv: CsvOption = False,
) -> None:
    """Read one export file without a project and print its normalised records."""
    from evsynth.cli._io import cli_words
    from evsynth.records import read_records

    try:
        result = read_records(file, format=format, source_database=database)
    except EvsynthError as exc:
        raise cli_words(exc) from None
    frame = result.to_frame()
    if json_:
        print_json(
            {
                "file": result.file,
                "format": result.format,
                "source_database": result.source_database,
                "sha256": result.sha256,
                "n": len(result.records),
                "warnings": list(result.warnings),
                "records": [
                    {
                        "title": r.title,
                        "abstract": r.abstract,
                        "authors": list(r.authors),
                        "year": r.year,
                        "journal": r.journal,
                        "doi": r.doi,
                        "pmid": r.pmid,
                        "source": r.source_database,
                    }
                    for r in result.records
                ],
            }
        )
    elif csv:
        print_csv(frame)
    else:
        print_summary(result.summary())


def dedupe(
    file: Annotated[
        Path | None, typer.Argument(help="A CSV of records (with ID or id); omit with --project.")
    ] = None,
    project: ProjectOption = None,
    threshold: Annotated[float, typer.Option(help="Similarity needed to link a pair.")] = 0.85,
    uncertain: Annotated[
        float, typer.Option(help="Similarity from which a pair is listed for review.")
    ] = 0.70,
    link: Annotated[
        tuple[int, int] | None,
        typer.Option(help="Link RECORD to KEPT (two record ids), as a reviewer's decision."),
    ] = None,
    unlink: Annotated[int | None, typer.Option(help="Undo the link of this record.")] = None,
    by: Annotated[str, typer.Option(help="Who makes a manual link or unlink.")] = "lead",
    json_: JsonOption = False,
) -> None:
    """Find duplicate records; in a project, store them as links (nothing is deleted)."""
    if project is None:
        if file is None:
            raise EvsynthError("give a CSV file of records, or --project DIR")
        from evsynth.cli._io import read_table
        from evsynth.records.dedup import find_duplicates

        frame = read_table(file)
        id_col = "ID" if "ID" in frame.columns else ("id" if "id" in frame.columns else None)
        if id_col is None:
            raise EvsynthError(f"{file}: no ID (or id) column", hint="Add a column of record ids")
        result = find_duplicates(
            frame, id_column=id_col, threshold=threshold, uncertain_threshold=uncertain
        )
        if json_:
            print_json(
                {
                    "n_records": result.n_records,
                    "n_duplicates": result.n_duplicates,
                    "clusters": [[_plain(i) for i in c] for c in result.clusters],
                    "uncertain": [
                        [_plain(a), _plain(b)]
                        for a, b in result.pairs.loc[
                            result.pairs["decision"] == "uncertain", ["id_a", "id_b"]
                        ].itertuples(index=False)
                    ],
                }
            )
        else:
            print_summary(result.summary())
        return

    from evsynth.storage.dedupe_service import dedupe_project, set_link
    from evsynth.storage.project import open_project

    proj = open_project(project)
    if link is not None or unlink is not None:
        if link is not None:
            set_link(proj.sessions, link[0], link[1], by=by)
            stderr.print(f"record {link[0]} linked to {link[1]}")
        if unlink is not None:
            set_link(proj.sessions, unlink, None, by=by)
            stderr.print(f"record {unlink} unlinked")
        return
    outcome = dedupe_project(proj.sessions, threshold=threshold, uncertain_threshold=uncertain)
    if json_:
        print_json(outcome.to_dict())
    else:
        typer.echo(
            f"{outcome.n_records} records; {outcome.n_duplicates} linked as duplicates "
            f"({outcome.n_new_links} new); {outcome.n_records - outcome.n_duplicates} unique; "
            f"{len(outcome.uncertain)} uncertain pairs to review"
        )


def _plain(value: object) -> object:
    item = getattr(value, "item", None)
    return item() if callable(item) else value
