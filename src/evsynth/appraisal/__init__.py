"""Critical appraisal: checklists as data, rules that rate, appraisals as events.

Pure domain logic, no storage and no I/O (the built-in checklists are package data):

* :class:`Checklist`, :func:`parse_checklist`, :func:`load_checklist`,
  :func:`builtin_checklists`: the adapted CASP checklist of Scope et al. (2021), the standard
  CASP qualitative checklist, RoB 2, and any checklist a review writes as a TOML file.
* :class:`CountRule`, :class:`AlgorithmRule`: the rules that derive a rating from answers.
* :class:`Appraisal` (an append-only event), :func:`appraise`, :class:`AppraisalResult`: the
  rule's rating beside the reviewer's, with disagreements flagged.
* :func:`reviewer_disagreements`, :func:`unit_ratings`, :func:`appraisal_matrix`,
  :func:`appraisal_summary`: across reviewers and studies.
"""

from evsynth.appraisal.aggregation import (
    AppraisalDisagreement,
    UnitRating,
    appraisal_matrix,
    appraisal_summary,
    reviewer_disagreements,
    unit_ratings,
)
from evsynth.appraisal.appraisal import (
    Answer,
    Appraisal,
    AppraisalResult,
    appraise,
    appraise_all,
    check_appraisal,
    latest_appraisals,
)
from evsynth.appraisal.checklist import (
    Checklist,
    Domain,
    Question,
    builtin_checklists,
    checklist_from_mapping,
    load_checklist,
    normalise_answer,
    parse_checklist,
)
from evsynth.appraisal.rules import AlgorithmRule, CountRule, RuleRating

__all__ = [
    "AlgorithmRule",
    "Answer",
    "Appraisal",
    "AppraisalDisagreement",
    "AppraisalResult",
    "Checklist",
    "CountRule",
    "Domain",
    "Question",
    "RuleRating",
    "UnitRating",
    "appraisal_matrix",
    "appraisal_summary",
    "appraise",
    "appraise_all",
    "builtin_checklists",
    "check_appraisal",
    "checklist_from_mapping",
    "latest_appraisals",
    "load_checklist",
    "normalise_answer",
    "parse_checklist",
    "reviewer_disagreements",
    "unit_ratings",
]
