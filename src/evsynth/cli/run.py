"""``evsynth run PROJECT``: run every analysis in a project's evsynth.toml and write the report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from evsynth._core.errors import DataError, EvsynthError
from evsynth.cli._io import locate, read_table
from evsynth.cli.economics import economics_sections
from evsynth.cli.output import JsonOption, print_json, stderr

if TYPE_CHECKING:
    from evsynth.report.nma_section import NmaSection
    from evsynth.storage.config import NmaSpec


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
        counts = project_prisma(proj)
        in_progress: list[str] = []
        try:
            counts.check()
        except EvsynthError as exc:
            # A review still being screened gets its report, with the gap said plainly.
            in_progress.append(f"Screening is still in progress, so the flow is a snapshot: {exc}")
            stderr.print(f"[yellow]warning[/]: {exc}")
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
            warnings=tuple(in_progress),
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
    nma_sections = _nma_sections(project, config.analyses.nma)
    economics = economics_sections(project, config.analyses.economics)
    qualitative = None
    if config.qualitative is not None:
        from evsynth.cli.qualitative import qualitative_section

        stderr.print(f"[dim]qualitative synthesis[/]: {config.qualitative.title}")
        qualitative = qualitative_section(project)
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
        nma_sections=tuple(nma_sections),
        economics_sections=tuple(economics),
        qualitative=qualitative,
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
                "nma": [_nma_json(s) for s in nma_sections],
                "economics": [s.to_json() for s in economics],
                "qualitative": qualitative.to_dict() if qualitative is not None else None,
            }
        )
    else:
        typer.echo(f"Report written to {target.resolve()}")


def _nma_sections(project: Path, specs: Sequence[NmaSpec]) -> list[NmaSection]:
    """Run each ``[[analyses.nma]]``: one network, or one per outcome and time point."""
    from evsynth.report.nma_section import NmaSection
    from evsynth.synthesis.nma import network_meta_analysis
    from evsynth.synthesis.nma.grid import arm_sizes, nma_grid

    sections = []
    for spec in specs:
        stderr.print(f"[dim]network meta-analysis[/] {spec.name}: {spec.title}")
        path = project / spec.data
        frame = read_table(path)
        label = spec.effect_label or spec.measure
        try:
            if spec.grid:
                grid = nma_grid(
                    frame,
                    outcome=spec.outcome_column,
                    timepoint=spec.timepoint_column,
                    reference=spec.reference,
                    method=spec.method,
                    higher_is_better=spec.higher_is_better,
                    model=spec.model,
                    outcomes=spec.outcomes,
                    timepoints=spec.timepoints,
                    measure=spec.measure,
                    level=spec.level,
                )
                stderr.print(
                    f"  {len(grid.cells) - len(grid.errors)} of {len(grid.cells)} networks "
                    f"analysed; {len(grid.warnings)} sparse-network warnings (see the report)",
                    highlight=False,
                )
                sections.append(
                    NmaSection(
                        spec.name,
                        spec.title,
                        spec.source,
                        spec.outcome,
                        label,
                        spec.model,
                        grid=grid,
                    )
                )
            else:
                direction = spec.higher_is_better
                assert isinstance(direction, bool)  # the config refuses a mapping without grid
                result = network_meta_analysis(
                    frame,
                    measure=spec.measure,
                    method=spec.method,
                    reference=spec.reference,
                    higher_is_better=direction,
                    level=spec.level,
                )
                sections.append(
                    NmaSection(
                        spec.name,
                        spec.title,
                        spec.source,
                        spec.outcome,
                        label,
                        spec.model,
                        result=result,
                        arms=arm_sizes(frame),
                    )
                )
        except DataError as exc:
            raise locate(exc, path) from None
        if spec.bayes:
            from evsynth.cli.nma_bayes import with_bayes

            sections[-1] = with_bayes(sections[-1], frame, spec, path)
    return sections


def _nma_json(section: NmaSection) -> dict[str, Any]:
    """A network meta-analysis in ``evsynth run --json``: headline numbers of each network."""
    from evsynth.cli.nma import grid_json, network_json
    from evsynth.cli.nma_bayes import bayes_run_json

    if section.grid is not None:
        payload = grid_json(section.grid)
        del payload["rows"]
        return {"name": section.name, "grid": True, **payload, **bayes_run_json(section)}
    assert section.result is not None
    payload = network_json(section.result, section.model)
    del payload["league"], payload["netsplit"]
    return {"name": section.name, "grid": False, **payload, **bayes_run_json(section)}
