"""The GRADE-CERQual tables: the Evidence Profile and the Summary of Qualitative Findings.

Lewin et al. (2018, paper 2, doi:10.1186/s13012-017-0689-2) set out two tables. The Evidence
Profile gives, for each finding, the contributing studies and every component with its
explanation, then the overall assessment and its explanation; the Summary of Qualitative
Findings (SoQF) gives the finding, the overall assessment, its explanation and the
contributing studies. Both come back as data frames, ready for HTML, CSV or DOCX.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import pandas as pd

from evsynth.extraction import StudySet
from evsynth.synthesis.qualitative.cerqual import (
    COMPONENT_LABELS,
    COMPONENTS,
    CONFIDENCE,
    CerqualAssessment,
    concern_label,
    confidence_label,
)

NOT_ASSESSED = "Not assessed"


def _studies_text(assessment: CerqualAssessment, studies: StudySet | None) -> str:
    f = assessment.finding
    if studies is None:
        return "; ".join(f.reports or f.studies)
    if f.reports:
        cited = [studies.report(r).citation for r in f.reports]
        covered = {studies.study_of_report(r).id for r in f.reports}
        cited += [studies.study(s).label for s in f.studies if s not in covered]
        return "; ".join(cited)
    return "; ".join(studies.study(s).label for s in f.studies)


def _confidence(assessment: CerqualAssessment) -> str:
    if assessment.confidence is not None:
        return confidence_label(assessment.confidence)
    # The reviewers explain why there is none (e.g. a source that does not state it).
    return "Not given" if assessment.finding.confidence_explanation else NOT_ASSESSED


def evidence_profile(
    assessments: Sequence[CerqualAssessment],
    studies: StudySet | None = None,
    *,
    component_text: Callable[[CerqualAssessment, str], str] | None = None,
) -> pd.DataFrame:
    """The CERQual Evidence Profile: one row per finding.

    Columns: ``Finding``, ``Summary of review finding``, ``Studies contributing to the review
    finding``, one per component (the level of concern and its explanation, marked when
    pre-filled), ``CERQual assessment of confidence`` and ``Explanation of CERQual
    assessment``.
    """

    def cell(a: CerqualAssessment, name: str) -> str:
        c = a.components[name]
        if c is None:
            return NOT_ASSESSED
        mark = " [pre-filled]" if c.prefilled else ""
        return f"{concern_label(c.concern)}{mark}: {c.explanation}"

    text = component_text or cell
    rows = []
    for a in assessments:
        row = {
            "Finding": a.finding.id,
            "Summary of review finding": a.finding.summary,
            "Studies contributing to the review finding": _studies_text(a, studies),
        }
        row.update({COMPONENT_LABELS[c]: text(a, c) for c in COMPONENTS})
        row["CERQual assessment of confidence"] = _confidence(a)
        row["Explanation of CERQual assessment"] = a.explanation
        rows.append(row)
    columns = [
        "Finding",
        "Summary of review finding",
        "Studies contributing to the review finding",
        *(COMPONENT_LABELS[c] for c in COMPONENTS),
        "CERQual assessment of confidence",
        "Explanation of CERQual assessment",
    ]
    return pd.DataFrame(rows, columns=columns)


def summary_of_findings(
    assessments: Sequence[CerqualAssessment], studies: StudySet | None = None
) -> pd.DataFrame:
    """The Summary of Qualitative Findings table: one row per finding."""
    rows = [
        {
            "#": a.finding.id,
            "Summary of review finding": a.finding.summary,
            "CERQual assessment of confidence": _confidence(a),
            "Explanation of CERQual assessment": a.explanation,
            "Studies contributing to the review finding": _studies_text(a, studies),
        }
        for a in assessments
    ]
    columns = [
        "#",
        "Summary of review finding",
        "CERQual assessment of confidence",
        "Explanation of CERQual assessment",
        "Studies contributing to the review finding",
    ]
    return pd.DataFrame(rows, columns=columns)


def confidence_counts(assessments: Sequence[CerqualAssessment]) -> pd.DataFrame:
    """Findings per perspective (rows) and confidence level (columns, plus not assessed)."""
    levels: list[str] = [*CONFIDENCE, "not assessed"]
    perspectives = list(dict.fromkeys(a.finding.perspective or "" for a in assessments))
    seen: Counter[tuple[str, str]] = Counter(
        (a.finding.perspective or "", a.confidence or "not assessed") for a in assessments
    )
    table = pd.DataFrame(
        {level: [seen.get((p, level), 0) for p in perspectives] for level in levels},
        index=perspectives,
        dtype=int,
    )
    table["findings"] = table.sum(axis=1)
    table.index.name = "perspective"
    return table
