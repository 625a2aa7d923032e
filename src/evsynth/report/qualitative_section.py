"""The report's qualitative section: included studies, appraisal, extraction, themes, CERQual.

The section renders its own HTML fragment (``templates/qualitative.html.j2``), which the main
report template places after the quantitative sections; its methods text and citations go into
the report's Methods and References like every other section's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pandas as pd
from jinja2 import Environment, StrictUndefined, select_autoescape

from evsynth.appraisal import (
    AppraisalDisagreement,
    AppraisalResult,
    appraisal_matrix,
    reviewer_disagreements,
)
from evsynth.extraction import Framework, StudySet, StudyTable
from evsynth.synthesis.qualitative import (
    CONFIDENCE,
    CerqualAssessment,
    ThematicSynthesis,
    confidence_counts,
    evidence_profile,
    summary_of_findings,
)


def frame_html(frame: pd.DataFrame, *, index: bool = False, caption: str | None = None) -> str:
    """A data frame as an escaped HTML table (empty cells stay empty)."""
    shown = frame.astype(object).where(frame.notna(), "")
    html = shown.to_html(index=index, escape=True, border=0, classes="qual", na_rep="")
    if caption:
        from html import escape

        html = html.replace(
            ">\n  <thead>", f">\n  <caption>{escape(caption)}</caption>\n  <thead>", 1
        )
    return html


@dataclass(frozen=True)
class QualitativeSection:
    """Everything the qualitative stage shows, as in-memory domain objects."""

    title: str
    studies: StudySet
    tables: tuple[StudyTable, ...] = ()
    results: tuple[AppraisalResult, ...] = ()
    framework: Framework | None = None
    synthesis: ThematicSynthesis | None = None
    groups: tuple[str, ...] = ()
    assessments: tuple[CerqualAssessment, ...] = ()
    note: str | None = None
    findings_note: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    name: str = "qualitative"

    # Appraisal -------------------------------------------------------------------------
    def checklists(self) -> list[str]:
        return list(dict.fromkeys(r.checklist.id for r in self.results))

    def checklist_results(self, checklist: str) -> list[AppraisalResult]:
        return [r for r in self.results if r.checklist.id == checklist]

    def checklist_name(self, checklist: str) -> str:
        return self.checklist_results(checklist)[0].checklist.name

    def rule_text(self, checklist: str) -> str:
        return self.checklist_results(checklist)[0].checklist.describe_rule()

    def questions(self, checklist: str) -> list[tuple[str, str]]:
        """``(id, text)`` of each question, listed above the matrix that uses short labels."""
        return [(q.id, q.text) for q in self.checklist_results(checklist)[0].checklist.questions]

    def appraisal_table(self, checklist: str) -> str:
        results = self.checklist_results(checklist)
        matrix = appraisal_matrix(results, label=self.studies.label)
        questions = results[0].checklist.questions
        short = [f"{q.id}. {q.short}" for q in questions]
        matrix.index = pd.Index([*short, *matrix.index[len(questions) :]])
        return frame_html(matrix, index=True)

    def flags(self) -> list[str]:
        out = []
        for r in self.results:
            if r.disagrees:
                a = r.appraisal
                out.append(
                    f"{self.studies.label(a.study, a.reports)} ({a.reviewer}): recorded "
                    f"{r.recorded_rating}, but the rule gives {r.rule_rating}"
                    f"{f' — {r.rule.explanation}' if r.rule else ''}."
                )
        return out

    def disagreements(self) -> list[AppraisalDisagreement]:
        return reviewer_disagreements(self.results)

    def disagreement_text(self, d: AppraisalDisagreement) -> str:
        questions = "; ".join(f"question {q}: {a or '-'} vs {b or '-'}" for q, a, b in d.questions)
        state = "resolved by consensus" if d.resolved else "unresolved"
        return (
            f"{self.studies.label(d.study, d.reports)}, {d.checklist}: {d.reviewers[0]} and "
            f"{d.reviewers[1]} differ ({questions or 'ratings only'}; ratings "
            f"{d.ratings[0] or '-'} vs {d.ratings[1] or '-'}); {state}."
        )

    # Study tables ----------------------------------------------------------------------
    def table_html(self, table: StudyTable) -> str:
        return frame_html(table.to_frame())

    # Extraction ------------------------------------------------------------------------
    def framework_html(self) -> str:
        if self.framework is None:
            return ""
        frame = self.framework.to_frame()
        frame.columns = ["Perspective", "Category", "What is extracted"]
        return frame_html(frame)

    def n_excerpts(self) -> int:
        return 0 if self.synthesis is None else len(self.synthesis.excerpts)

    # Thematic synthesis ----------------------------------------------------------------
    def perspective_label(self, perspective: str | None) -> str:
        if perspective and self.framework is not None:
            for p in self.framework.perspectives:
                if p.id == perspective:
                    return p.label.removeprefix("Data from ").capitalize()
        return perspective or ""

    def _perspectives(self) -> list[str]:
        if self.framework is not None:
            return [p.id for p in self.framework.perspectives]
        assert self.synthesis is not None
        return list(dict.fromkeys(t.perspective or "" for t in self.synthesis.themes))

    def key_findings_html(self) -> str:
        if self.synthesis is None or not self.synthesis.themes:
            return ""
        matrix = self.synthesis.key_findings(self.groups or None, self._perspectives())
        shown = matrix.map(lambda cell: "; ".join(cell))
        shown.columns = [self.perspective_label(p) for p in shown.columns]
        shown.index.name = None
        return frame_html(shown, index=True)

    def themes(self) -> list[dict[str, Any]]:
        if self.synthesis is None:
            return []
        out = []
        for t in self.synthesis.themes:
            support = self.synthesis.supporting_excerpts(t.id)
            out.append(
                {
                    "label": t.label,
                    "perspective": self.perspective_label(t.perspective),
                    "group": t.group or "",
                    "sub_themes": [self.synthesis.sub_theme(s).label for s in t.sub_themes],
                    "excerpts": [
                        {
                            "text": s.text,
                            "code": s.code.label,
                            "where": f"{s.excerpt.speaker + ', ' if s.excerpt.speaker else ''}"
                            f"{self._citation(s.excerpt.study, s.excerpt.report)}"
                            f"{', p. ' + s.excerpt.page if s.excerpt.page else ''}",
                        }
                        for s in support
                    ],
                }
            )
        return out

    def _citation(self, study: str, report: str | None) -> str:
        return self.studies.label(study, (report,) if report else ())

    def code_matrix_html(self) -> str:
        if self.synthesis is None or not self.synthesis.codings:
            return ""
        matrix = self.synthesis.code_by_study(self.studies.ids)
        matrix = matrix.astype(object).where(matrix > 0, "")
        matrix.index.name = None
        return frame_html(matrix, index=True)

    # GRADE-CERQual ---------------------------------------------------------------------
    def soqf_html(self) -> str:
        return frame_html(summary_of_findings(self.assessments, self.studies))

    def profile_html(self) -> str:
        return frame_html(evidence_profile(self.assessments, self.studies))

    def counts_html(self) -> str:
        counts = confidence_counts(self.assessments)
        counts.index = [self.perspective_label(p) for p in counts.index]
        counts.columns = [
            *(c.capitalize() for c in CONFIDENCE),
            "Not stated or assessed",
            "Findings",
        ]
        return frame_html(counts, index=True)

    def finding_notes(self) -> list[str]:
        out = []
        for a in self.assessments:
            for n in (a.finding.note, *a.notes):
                if n:
                    out.append(f"{a.finding.id}: {n}")
        return out

    # Methods ---------------------------------------------------------------------------
    def method_keys(self) -> list[str]:
        keys = []
        ids = set(self.checklists())
        if "casp-qualitative-scope2021" in ids:
            keys += ["scope2021"]
        if ids & {"casp-qualitative", "casp-qualitative-scope2021"}:
            keys += ["casp2018"]
        if "rob2" in ids:
            keys += ["sterne2019"]
        if self.synthesis is not None:
            keys += ["thomas2008"]
        if self.assessments:
            keys += ["lewin2015", "lewin2018", "munthekaas2018"]
        return keys

    def methods_text(self) -> str:
        parts = [
            f"{len(self.studies)} included studies ({sum(len(s.reports) for s in self.studies)} reports)."
        ]
        for checklist in self.checklists():
            results = self.checklist_results(checklist)
            n = sum(r.disagrees for r in results)
            parts.append(
                f"{len(results)} appraisals used the {self.checklist_name(checklist)}. "
                f"{self.rule_text(checklist)} The reviewers' own ratings are reported beside "
                f"the rule's; {n} {'differs' if n == 1 else 'differ'}."
            )
        if self.synthesis is not None:
            parts.append(
                f"Data were extracted verbatim into the framework by perspective and category "
                f"({self.n_excerpts()} excerpts shown), coded, grouped into descriptive "
                "sub-themes and then analytical themes (thematic synthesis)."
            )
        if self.assessments:
            parts.append(
                "Confidence in each review finding was assessed with GRADE-CERQual (methodological "
                "limitations, coherence, adequacy, relevance); evsynth pre-fills methodological "
                "limitations from the appraisals and suggests an overall confidence (start at "
                "high; down one level per component with serious concerns and one for two or "
                "more with minor or moderate concerns), which the reviewers may override only "
                "with an explanation."
            )
        return " ".join(parts)

    def html(self) -> str:
        """The section as an HTML fragment."""
        text = (resources.files("evsynth.report") / "templates" / "qualitative.html.j2").read_text(
            encoding="utf-8"
        )
        env = Environment(autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined)
        return env.from_string(text).render(q=self)

    def to_dict(self) -> dict[str, Any]:
        """Headline facts for ``evsynth run --json``."""
        return {
            "studies": len(self.studies),
            "reports": sum(len(s.reports) for s in self.studies),
            "appraisals": [r.to_dict() for r in self.results],
            "flags": self.flags(),
            "findings": [a.to_dict() for a in self.assessments],
            "themes": 0 if self.synthesis is None else len(self.synthesis.themes),
        }


def section_tables(section: QualitativeSection) -> Sequence[tuple[str, pd.DataFrame]]:
    """The CERQual tables as (title, frame) pairs, for exports (CSV, DOCX)."""
    return (
        (
            "Summary of qualitative findings",
            summary_of_findings(section.assessments, section.studies),
        ),
        ("GRADE-CERQual evidence profile", evidence_profile(section.assessments, section.studies)),
    )
