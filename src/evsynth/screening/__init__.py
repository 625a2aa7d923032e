"""Screening: decision events, screening rules and conflicts, agreement, PRISMA 2020 flow.

Pure domain logic, no storage and no I/O: the storage layer persists the objects defined here
and the CLI calls these functions.

* :class:`ScreeningProtocol` and :class:`Reviewer`: stages, reviewers and roles, exclusion
  reasons, the double-screening share and seed, the kappa threshold.
* :class:`Decision`: one reviewer's decision as an append-only event;
  :func:`current_decisions`, :func:`visible_decisions` (blind screening).
* :func:`record_outcome`, :func:`outcomes`, :func:`conflicts`: single and double screening,
  conflicts, arbiters. :func:`check_decision` and :func:`check_events` validate events against
  the protocol.
* :func:`double_screening_sample`: the seeded random sample a second reviewer screens.
* :func:`cohen_kappa`: agreement with the Fleiss, Cohen & Everitt (1969) standard error.
* :func:`prisma_counts`, :class:`PrismaCounts`, :func:`prisma_diagram`, :func:`prisma_csv`:
  the PRISMA 2020 flow, computed from the data, drawn, and exported to the PRISMA2020 R
  package's template.
"""

from evsynth.screening.agreement import (
    KappaResult,
    cohen_kappa,
    cohen_kappa_from_table,
    kappa_from_table,
)
from evsynth.screening.events import (
    Decision,
    DecisionRole,
    Verdict,
    current_decisions,
    latest_events,
    visible_decisions,
)
from evsynth.screening.prisma import OTHER_METHODS, PrismaCounts, SourceRecord, prisma_counts
from evsynth.screening.prisma_csv import prisma_csv, prisma_table
from evsynth.screening.prisma_diagram import prisma_diagram, prisma_svg
from evsynth.screening.protocol import STAGES, Reviewer, ReviewerRole, ScreeningProtocol, Stage
from evsynth.screening.rules import (
    Conflict,
    Outcome,
    Rule,
    conflicts,
    outcomes,
    reached_full_text,
    record_outcome,
)
from evsynth.screening.sampling import double_screening_sample
from evsynth.screening.validation import check_decision, check_events

__all__ = [
    "OTHER_METHODS",
    "STAGES",
    "Conflict",
    "Decision",
    "DecisionRole",
    "KappaResult",
    "Outcome",
    "PrismaCounts",
    "Reviewer",
    "ReviewerRole",
    "Rule",
    "ScreeningProtocol",
    "SourceRecord",
    "Stage",
    "Verdict",
    "check_decision",
    "check_events",
    "cohen_kappa",
    "cohen_kappa_from_table",
    "conflicts",
    "current_decisions",
    "double_screening_sample",
    "kappa_from_table",
    "latest_events",
    "outcomes",
    "prisma_counts",
    "prisma_csv",
    "prisma_diagram",
    "prisma_svg",
    "prisma_table",
    "reached_full_text",
    "record_outcome",
    "visible_decisions",
]
