"""Qualitative evidence synthesis: thematic synthesis, GRADE-CERQual, REFI-QDA exchange.

Pure domain logic, no storage and no I/O (REFI-QDA import and export work on bytes):

* :class:`Code`, :class:`Coding`, :class:`SubTheme`, :class:`Theme`,
  :func:`thematic_synthesis`, :class:`ThematicSynthesis`: codes on excerpts, descriptive
  sub-themes, analytical themes (Thomas & Harden 2008); the code-by-study matrix, each theme's
  supporting excerpts and the key-findings matrix.
* :class:`Finding`, :class:`ComponentAssessment`, :func:`suggest_confidence`,
  :func:`prefill_methodological_limitations`, :func:`assess_finding`,
  :func:`assess_findings`, :class:`CerqualAssessment`: GRADE-CERQual.
* :func:`evidence_profile`, :func:`summary_of_findings`, :func:`confidence_counts`: its tables.
* :func:`to_qdpx`, :func:`from_qdpx`: REFI-QDA projects for NVivo, ATLAS.ti and others.
"""

from evsynth.synthesis.qualitative.cerqual import (
    COMPONENTS,
    CONCERNS,
    CONFIDENCE,
    CerqualAssessment,
    ComponentAssessment,
    Contribution,
    Finding,
    as_concern,
    as_confidence,
    assess_finding,
    assess_findings,
    prefill_methodological_limitations,
    suggest_confidence,
)
from evsynth.synthesis.qualitative.coding import (
    Code,
    Coding,
    SubTheme,
    SupportingExcerpt,
    ThematicSynthesis,
    Theme,
    thematic_synthesis,
)
from evsynth.synthesis.qualitative.refi_qda import from_qdpx, to_qdpx
from evsynth.synthesis.qualitative.tables import (
    confidence_counts,
    evidence_profile,
    summary_of_findings,
)

__all__ = [
    "COMPONENTS",
    "CONCERNS",
    "CONFIDENCE",
    "CerqualAssessment",
    "Code",
    "Coding",
    "ComponentAssessment",
    "Contribution",
    "Finding",
    "SubTheme",
    "SupportingExcerpt",
    "ThematicSynthesis",
    "Theme",
    "as_concern",
    "as_confidence",
    "assess_finding",
    "assess_findings",
    "confidence_counts",
    "evidence_profile",
    "from_qdpx",
    "prefill_methodological_limitations",
    "suggest_confidence",
    "summary_of_findings",
    "thematic_synthesis",
    "to_qdpx",
]
