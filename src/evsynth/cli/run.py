"""``evsynth run PROJECT``: run every analysis in a project's evsynth.toml and write the report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evsynth._core.errors import DataError, EvsynthError
from evsynth.cli._io import locate, read_table
from evsynth.cli.output import JsonOption, print_json, stderr


def run(
    project: Annotated[Path, typer.Argument(help="Review project folder (with evsynth.toml).")],
    out: Annotated[
        Path | None, typer.Option(help="Where to write report.html (default PROJECT/output).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Run the review's analyses and render the self-contained HTML report."""
    from evsynth._core.provenance import make_manifest
    from evsynth.report.html import ReviewReport, render_html
    from evsynth.report.meta_section import MetaSection
    from evsynth.storage.config import load_config
    from evsynth.storage.project import open_project
    from evsynth.synthesis.effects import effect_sizes
    from evsynth.synthesis.meta import egger_test, leave_one_out, meta_analysis

    config = load_config(project)
    selection = None
    if config.searches or config.history.decisions:
        from evsynth.report.selection_section import SelectionSection
        from evsynth.storage.sync import sync_project
        from evsynth.storage.workflow import project_agreement, project_prisma

        stderr.print("[dim]records and screening[/]: importing searches and recorded decisions")
        proj = open_project(project)
        sync = sync_project(proj)
        for name in sync.imported:
            stderr.print(f"  imported {name}")
        counts = project_prisma(proj).check()
        protocol = proj.protocol()
        try:
            agreement = project_agreement(proj, "title_abstract")
        except EvsynthError:
            agreement = None
        fraction = protocol.double_screening.get("title_abstract", "all")
        selection = SelectionSection(
            counts=counts,
            agreement=agreement,
            kappa_threshold=protocol.kappa_threshold,
            double_screening="every record"
            if fraction == "all"
            else f"a random {float(fraction):.0%} sample",
        )
    sections: list[MetaSection] = []
    for spec in config.analyses.meta:
        stderr.print(f"[dim]meta-analysis[/] {spec.name}: {spec.title}")
        path = project / spec.data
        frame = read_table(path)
        try:
            effects = effect_sizes(frame, spec.measure, lower_is_better=spec.lower_is_better)
            result = meta_analysis(
                effects,
                method=spec.method,
                test=spec.test,
                level=spec.level,
                prediction=spec.prediction,
            )
        except DataError as exc:
            raise locate(exc, path) from None
        sections.append(
            MetaSection(
                name=spec.name,
                title=spec.title,
                source=spec.source,
                outcome=spec.outcome,
                result=result,
                leave_one_out=leave_one_out(result),
                egger=egger_test(result) if result.k >= 3 else None,
                effect_label=spec.effect_label or spec.measure,
                favours=spec.favours,
            )
        )
    manifest = make_manifest(
        "evsynth run",
        {"project": str(project)},
        inputs=(project / "evsynth.toml").read_bytes(),
    ).to_dict()
    report = ReviewReport(
        title=config.project.title,
        registration=config.project.registration,
        description=config.project.description,
        meta_sections=tuple(sections),
        manifest=manifest,
        selection=selection,
    )
    html = render_html(report)
    out_dir = out if out is not None else project / "output"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "report.html"
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(target)  # atomic: a failed run never leaves half a report
    if json_:
        print_json(
            {
                "report": str(target),
                "prisma": selection.counts.to_dict() if selection else None,
                "kappa": selection.agreement.estimate
                if selection and selection.agreement
                else None,
                "analyses": [
                    {
                        "name": s.name,
                        **{k: v for k, v in s.result.to_dict().items() if k != "notes"},
                    }
                    for s in sections
                ],
            }
        )
    else:
        typer.echo(f"Report written to {target.resolve()}")
