"""Screening decisions as append-only events, and the queries that read the current state.

A :class:`Decision` is one reviewer's judgement on one record at one stage, at one moment. It is
never updated: a reviewer who changes their mind adds a new event, and an arbiter who resolves a
conflict adds one too (house style 14; asreview and Covidence keep screening history the same
way). What counts is the *latest* event of each reviewer for a record and stage
(:func:`current_decisions`). Ties in ``timestamp`` are broken by position in the sequence: the
event given later wins, so a store that returns events in insertion order needs no extra key.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from evsynth._core.errors import EvsynthError, choice_error
from evsynth.screening.protocol import Stage, check_stage

Verdict = Literal["include", "exclude", "maybe"]
VERDICTS: tuple[Verdict, ...] = ("include", "exclude", "maybe")

DecisionRole = Literal["screener", "arbiter"]
DECISION_ROLES: tuple[DecisionRole, ...] = ("screener", "arbiter")


def _new_event_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """One reviewer's decision on one record at one stage: an immutable event.

    Parameters
    ----------
    record_id : str
        The record screened (after duplicates are removed, the kept record's id).
    stage : {"title_abstract", "full_text"}
        The screening stage.
    reviewer : str
        The reviewer's name as in the :class:`~evsynth.screening.ScreeningProtocol`.
    decision : {"include", "exclude", "maybe"}
        ``"maybe"`` at title/abstract sends the record on to full text, as an include does;
        at full text it means undecided (e.g. awaiting the authors) and leaves the record
        pending.
    timestamp : datetime
        When the decision was made; must carry a time zone so that events from reviewers in
        different places order correctly.
    reason : str, optional
        The exclusion reason; required for a full-text exclusion, and at title/abstract when
        the protocol says so. An empty string counts as no reason.
    note : str, optional
        Free text for the team.
    role : {"screener", "arbiter"}, optional
        ``"arbiter"`` marks the third reviewer's decision that resolves a conflict.
    event_id : str, optional
        A unique id; a random UUID by default. The storage layer may pass its own.
    """

    record_id: str
    stage: Stage
    reviewer: str
    decision: Verdict
    timestamp: datetime
    reason: str | None = None
    note: str | None = None
    role: DecisionRole = "screener"
    event_id: str = field(default_factory=_new_event_id)

    def __post_init__(self) -> None:
        for name in ("record_id", "reviewer", "event_id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise EvsynthError(f"decision {name} {value!r} must be a non-empty string")
        check_stage(self.stage)
        if self.decision not in VERDICTS:
            raise choice_error("decision", self.decision, VERDICTS)
        if self.role not in DECISION_ROLES:
            raise choice_error("role", self.role, DECISION_ROLES)
        if not isinstance(self.timestamp, datetime):
            raise EvsynthError(f"timestamp {self.timestamp!r} must be a datetime")
        if self.timestamp.tzinfo is None or self.timestamp.utcoffset() is None:
            raise EvsynthError(
                f"timestamp {self.timestamp.isoformat()} of the decision on {self.record_id!r} "
                "has no time zone",
                hint="pass an aware datetime, e.g. datetime.now(timezone.utc)",
            )
        for name in ("reason", "note"):
            value = getattr(self, name)
            if value is not None:
                text = str(value).strip()
                object.__setattr__(self, name, text or None)

    @property
    def key(self) -> tuple[str, str, str]:
        """``(record_id, stage, reviewer)``: the events sharing a key supersede each other."""
        return (self.record_id, self.stage, self.reviewer)


def _events(events: Iterable[Decision]) -> list[Decision]:
    out = list(events)
    for event in out:
        if not isinstance(event, Decision):
            raise EvsynthError(
                f"expected Decision events, got {type(event).__name__}",
                hint="build each event with evsynth.screening.Decision(...)",
            )
    return out


def latest_events(events: Iterable[Decision]) -> list[Decision]:
    """The latest event per (record, stage, reviewer), in chronological order."""
    best: dict[tuple[str, str, str], tuple[datetime, int, Decision]] = {}
    for index, event in enumerate(_events(events)):
        current = best.get(event.key)
        if current is None or (event.timestamp, index) >= (current[0], current[1]):
            best[event.key] = (event.timestamp, index, event)
    ordered = sorted(best.values(), key=lambda item: (item[0], item[1]))
    return [item[2] for item in ordered]


def current_decisions(events: Iterable[Decision], stage: Stage) -> dict[tuple[str, str], Decision]:
    """The decision that counts for each reviewer and record at ``stage``: their latest.

    Parameters
    ----------
    events : iterable of Decision
        The event log, in the order it was written.
    stage : {"title_abstract", "full_text"}
        The stage to read.

    Returns
    -------
    dict
        ``(record_id, reviewer) -> Decision``, in chronological order of those decisions.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> t = lambda h: datetime(2019, 2, 1, h, tzinfo=timezone.utc)
    >>> log = [
    ...     Decision(record_id="r1", stage="title_abstract", reviewer="ASc",
    ...              decision="exclude", timestamp=t(9)),
    ...     Decision(record_id="r1", stage="title_abstract", reviewer="ASc",
    ...              decision="include", timestamp=t(10)),
    ... ]
    >>> current_decisions(log, "title_abstract")[("r1", "ASc")].decision
    'include'
    """
    stage = check_stage(stage)
    return {
        (event.record_id, event.reviewer): event
        for event in latest_events(events)
        if event.stage == stage
    }


def decisions_by_record(events: Iterable[Decision], stage: Stage) -> dict[str, list[Decision]]:
    """The current decisions at ``stage`` grouped by record, records in order of first decision."""
    grouped: dict[str, list[Decision]] = {}
    for (record_id, _), event in current_decisions(events, stage).items():
        grouped.setdefault(record_id, []).append(event)
    return grouped


def visible_decisions(
    events: Iterable[Decision],
    viewer: str,
    blind: bool = True,
    revealed: bool | Collection[str] = False,
) -> list[Decision]:
    """The events ``viewer`` may see: blind screening hides other reviewers' decisions.

    Parameters
    ----------
    events : iterable of Decision
        The event log.
    viewer : str
        The reviewer looking.
    blind : bool, optional
        Blind (independent) screening, the default: a reviewer sees only their own decisions,
        so that the second screener is not swayed by the first (Cochrane Handbook, chapter 4).
    revealed : bool or collection of str, optional
        Set by the lead: ``True`` reveals every decision (screening is finished), a collection
        of record ids reveals the decisions on those records only (e.g. the conflicts to
        discuss).

    Returns
    -------
    list of Decision
        The visible events, in the order given.
    """
    log = _events(events)
    if not blind or revealed is True:
        return log
    if revealed is False:
        shown: frozenset[str] = frozenset()
    elif isinstance(revealed, str):
        raise EvsynthError(
            f"revealed={revealed!r} must be True, False or a collection of record ids",
            hint=f"write revealed=[{revealed!r}] to reveal one record",
        )
    else:
        shown = frozenset(revealed)
    return [e for e in log if e.reviewer == viewer or e.record_id in shown]
