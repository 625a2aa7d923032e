"""From current decisions to a record's outcome: single and double screening, conflicts, arbiters.

Rules
-----
* A reviewer's vote is their latest decision (:func:`~evsynth.screening.current_decisions`).
  At title/abstract ``maybe`` counts as ``include`` (the record goes on to full text); at full
  text ``maybe`` is undecided.
* ``"single"``: one screener's vote decides. If more screeners voted and they disagree, the
  record is in conflict all the same: a disagreement is never ignored.
* ``"double"``: two screeners must vote and agree (Cochrane Handbook, chapter 4); one
  vote leaves the record pending.
* A screener disagreement (include against exclude) is a conflict until an arbiter, the third
  reviewer, decides; the arbiter's latest decision is then the outcome. An arbiter's full-text
  ``maybe`` resolves nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from evsynth._core.errors import EvsynthError, choice_error
from evsynth.screening.events import Decision, Verdict, decisions_by_record
from evsynth.screening.protocol import Stage, check_stage

Outcome = Literal["include", "exclude", "conflict", "pending"]
OUTCOMES: tuple[Outcome, ...] = ("include", "exclude", "conflict", "pending")
Rule = Literal["single", "double"]
RULES: tuple[Rule, ...] = ("single", "double")

DoubleScreened = Collection[str] | Literal["all"]
"""The records a stage requires two screeners for: a collection of ids, or ``"all"``."""


def check_rule(rule: object) -> Rule:
    if rule not in RULES:
        raise choice_error("rule", rule, RULES)
    return rule


def vote(stage: Stage, decision: Verdict) -> Literal["include", "exclude"] | None:
    """What a decision means for the record's path: include, exclude, or None (undecided)."""
    if decision == "maybe":
        return "include" if stage == "title_abstract" else None
    return decision


def decide(decisions: Iterable[Decision], stage: Stage, rule: Rule) -> Outcome:
    """The outcome of one record from its current decisions (one per reviewer) at ``stage``."""
    rule = check_rule(rule)
    current = list(decisions)
    arbiters = [d for d in current if d.role == "arbiter"]
    if arbiters:
        verdict = vote(stage, arbiters[-1].decision)
        if verdict is not None:
            return verdict
    votes = [vote(stage, d.decision) for d in current if d.role == "screener"]
    decided = {v for v in votes if v is not None}
    if len(decided) > 1:
        return "conflict"
    needed = 2 if rule == "double" else 1
    if len(votes) < needed or not decided or None in votes:
        return "pending"
    return decided.pop()


def _double(double_screened: DoubleScreened) -> frozenset[str] | Literal["all"]:
    if double_screened == "all":
        return "all"
    if isinstance(double_screened, str):
        raise EvsynthError(
            f"double_screened={double_screened!r} must be 'all' or a collection of record ids"
        )
    return frozenset(double_screened)


def rule_for(record_id: str, double_screened: frozenset[str] | Literal["all"]) -> Rule:
    return "double" if double_screened == "all" or record_id in double_screened else "single"


def record_outcome(events: Iterable[Decision], stage: Stage, record_id: str, rule: Rule) -> Outcome:
    """The outcome of one record at one stage under a screening rule.

    Parameters
    ----------
    events : iterable of Decision
        The event log.
    stage : {"title_abstract", "full_text"}
        The stage.
    record_id : str
        The record.
    rule : {"single", "double"}
        ``"single"``: one screener decides; ``"double"``: two screeners must agree. Either
        way an arbiter's decision resolves a conflict.

    Returns
    -------
    {"include", "exclude", "conflict", "pending"}
        ``"pending"`` when votes are missing or undecided.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> t = datetime(2019, 2, 1, tzinfo=timezone.utc)
    >>> log = [
    ...     Decision(record_id="r1", stage="full_text", reviewer="ASc", decision="include",
    ...              timestamp=t),
    ...     Decision(record_id="r1", stage="full_text", reviewer="AB", decision="exclude",
    ...              reason="population", timestamp=t),
    ... ]
    >>> record_outcome(log, "full_text", "r1", "double")
    'conflict'
    >>> log.append(Decision(record_id="r1", stage="full_text", reviewer="JL",
    ...                     decision="include", role="arbiter", timestamp=t))
    >>> record_outcome(log, "full_text", "r1", "double")
    'include'
    """
    stage = check_stage(stage)
    return decide(decisions_by_record(events, stage).get(record_id, []), stage, rule)


def outcomes(
    events: Iterable[Decision],
    stage: Stage,
    *,
    double_screened: DoubleScreened = (),
) -> dict[str, Outcome]:
    """The outcome of every record with a decision at ``stage``.

    Parameters
    ----------
    events : iterable of Decision
        The event log.
    stage : {"title_abstract", "full_text"}
        The stage.
    double_screened : collection of str or "all", optional
        The records this stage requires two screeners for (e.g. the protocol's sample from
        :meth:`ScreeningProtocol.double_screened`); the others follow the single rule.

    Returns
    -------
    dict
        ``record_id -> outcome`` in order of each record's first current decision.
    """
    stage = check_stage(stage)
    double = _double(double_screened)
    return {
        record_id: decide(current, stage, rule_for(record_id, double))
        for record_id, current in decisions_by_record(events, stage).items()
    }


def reached_full_text(
    events: Iterable[Decision], *, double_screened: DoubleScreened = ()
) -> frozenset[str]:
    """Records whose title/abstract outcome is include: the reports sought for retrieval."""
    found = outcomes(events, "title_abstract", double_screened=double_screened)
    return frozenset(r for r, outcome in found.items() if outcome == "include")


@dataclass(frozen=True, slots=True)
class Conflict:
    """A record whose screeners disagree and that no arbiter has resolved yet."""

    record_id: str
    stage: Stage
    decisions: tuple[Decision, ...]

    @property
    def reviewers(self) -> tuple[str, ...]:
        return tuple(d.reviewer for d in self.decisions)

    def describe(self) -> str:
        """One line for a work list: ``r1 (full_text): ASc include; AB exclude (population)``."""
        votes = "; ".join(
            f"{d.reviewer} {d.decision}" + (f" ({d.reason})" if d.reason else "")
            for d in self.decisions
        )
        return f"{self.record_id} ({self.stage}): {votes}"


def conflicts(events: Iterable[Decision], stage: Stage) -> list[Conflict]:
    """Disagreements between screeners at ``stage`` that no arbiter has resolved.

    A disagreement is an include against an exclude (``maybe`` counts as include at
    title/abstract, so include against maybe there is no conflict). The list is in order of
    each record's first current decision, a natural work queue for the arbiter.
    """
    stage = check_stage(stage)
    found: list[Conflict] = []
    for record_id, current in decisions_by_record(events, stage).items():
        if decide(current, stage, "single") == "conflict":
            screeners = tuple(d for d in current if d.role == "screener")
            found.append(Conflict(record_id, stage, screeners))
    return found


def count_outcomes(found: Mapping[str, Outcome]) -> dict[Outcome, int]:
    """How many records have each outcome (every outcome listed, zeros included)."""
    counts: dict[Outcome, int] = dict.fromkeys(OUTCOMES, 0)
    for outcome in found.values():
        counts[outcome] += 1
    return counts
