"""Render the whole review as one self-contained HTML file (inline SVG figures, no assets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from jinja2 import Environment, StrictUndefined, select_autoescape

from evsynth.report.citations import cite
from evsynth.report.economics_section import EconomicsSection
from evsynth.report.meta_section import MetaSection, influence_note
from evsynth.report.nma_section import NmaSection
from evsynth.report.qualitative_section import QualitativeSection
from evsynth.report.selection_section import SelectionSection


@dataclass(frozen=True, slots=True)
class ReviewReport:
    """The inputs of a report: project facts, computed sections and provenance."""

    title: str
    registration: str | None
    description: str | None
    meta_sections: tuple[MetaSection, ...]
    manifest: dict[str, Any]
    selection: SelectionSection | None = None
    extra_citations: tuple[str, ...] = field(default_factory=tuple)
    nma_sections: tuple[NmaSection, ...] = ()
    economics_sections: tuple[EconomicsSection, ...] = ()
    qualitative: QualitativeSection | None = None


def _environment() -> Environment:
    env = Environment(autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined)
    env.globals["influence_note"] = influence_note
    return env


def render_html(report: ReviewReport) -> str:
    """The report as an HTML string: every table and figure, a methods section and references."""
    template_text = (resources.files("evsynth.report") / "templates" / "report.html.j2").read_text(
        encoding="utf-8"
    )
    keys: list[str] = []
    if report.selection is not None:
        keys += ["prisma2020", "cohen1960", "fleiss1969"]
    for section in report.meta_sections:
        keys += section.method_keys()
    for nma_section in report.nma_sections:
        keys += nma_section.method_keys()
    for economics_section in report.economics_sections:
        keys += economics_section.method_keys()
    if report.qualitative is not None:
        keys += report.qualitative.method_keys()
    keys += list(report.extra_citations)
    references = cite(keys)
    numbers = {key: i + 1 for i, (key, _) in enumerate(references)}
    template = _environment().from_string(template_text)
    return template.render(
        report=report,
        sections=report.meta_sections,
        nma_sections=report.nma_sections,
        economics_sections=report.economics_sections,
        qualitative=report.qualitative,
        selection=report.selection,
        references=references,
        numbers=numbers,
    )
