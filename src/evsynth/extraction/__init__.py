"""Data extraction: included studies and their reports, characteristics tables, frameworks,
verbatim excerpts with a second reviewer's check.

Pure domain logic, no storage and no I/O (the built-in framework is package data):

* :class:`StudySet`, :class:`IncludedStudy`, :class:`StudyReport`: what is included, with
  look-ups that refuse a study or report that is not.
* :class:`StudyTable`, :func:`study_table`: study-characteristics tables.
* :class:`Framework`, :func:`parse_framework`, :func:`load_framework`: extraction frameworks
  (Scope et al. 2021, Table 3, ships as ``acceptability-scope2021``).
* :class:`Excerpt`, :func:`check_excerpts`, :func:`excerpt_frame`, :func:`extraction_counts`.
"""

from evsynth.extraction.excerpts import (
    Excerpt,
    check_excerpts,
    excerpt_frame,
    extraction_counts,
)
from evsynth.extraction.framework import (
    Category,
    Framework,
    Perspective,
    framework_from_mapping,
    load_framework,
    parse_framework,
)
from evsynth.extraction.studies import (
    IncludedStudy,
    StudyReport,
    StudySet,
    StudyTable,
    study_table,
)

__all__ = [
    "Category",
    "Excerpt",
    "Framework",
    "IncludedStudy",
    "Perspective",
    "StudyReport",
    "StudySet",
    "StudyTable",
    "check_excerpts",
    "excerpt_frame",
    "extraction_counts",
    "framework_from_mapping",
    "load_framework",
    "parse_framework",
    "study_table",
]
