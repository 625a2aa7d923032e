"""Checks of decision events against the protocol, run before an event is stored.

Each failure raises :class:`~evsynth._core.errors.EvsynthError` with a message that names the
record, the reviewer and what to do: an unknown reviewer (the team is listed), a reviewer acting
in a role they do not hold, a stage the protocol does not use, an exclusion without a required
reason, a reason not in the protocol's list (the valid reasons are listed), a decision on a record
that is not to be screened (a duplicate), a full-text decision on a record that has not passed
title/abstract screening, and an arbiter decision where there is no conflict to resolve or made
by one of the record's own screeners.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Literal

from evsynth._core.errors import EvsynthError
from evsynth.screening.events import Decision
from evsynth.screening.protocol import ScreeningProtocol, Stage
from evsynth.screening.rules import DoubleScreened, decide, rule_for, vote


def _check_reason(decision: Decision, protocol: ScreeningProtocol) -> None:
    if decision.decision != "exclude":
        return
    where = f"record {decision.record_id!r} ({decision.stage}, reviewer {decision.reviewer!r})"
    allowed = protocol.reasons(decision.stage)
    if decision.reason is None:
        if protocol.requires_reason(decision.stage):
            choices = f": one of {', '.join(allowed)}" if allowed else ""
            raise EvsynthError(
                f"the exclusion of {where} gives no reason, which the protocol requires at "
                f"{decision.stage}",
                hint=f"give a reason{choices}",
            )
        return
    if allowed and decision.reason not in allowed:
        raise EvsynthError(
            f"exclusion reason {decision.reason!r} for {where} is not in the protocol; "
            f"valid reasons at {decision.stage}: {', '.join(allowed)}",
            hint="use one of them, or add the reason to the protocol",
        )


def _check_role(decision: Decision, protocol: ScreeningProtocol) -> None:
    reviewer = protocol.reviewer(decision.reviewer)
    if not reviewer.has_role(decision.role):
        raise EvsynthError(
            f"reviewer {decision.reviewer!r} decided on record {decision.record_id!r} as "
            f"{decision.role}, a role they do not hold (roles: {', '.join(reviewer.roles)})",
            hint=f"give them the role '{decision.role}' in the protocol, or record the "
            f"decision in one of their roles",
        )


class _State:
    """Current decisions per record and stage, updated one event at a time."""

    def __init__(self) -> None:
        self._best: dict[tuple[str, str], dict[str, tuple[datetime, int, Decision]]] = {}
        self._count = 0

    def add(self, event: Decision) -> None:
        slot = self._best.setdefault((event.record_id, event.stage), {})
        entry = (event.timestamp, self._count, event)
        self._count += 1
        old = slot.get(event.reviewer)
        if old is None or entry[:2] >= old[:2]:
            slot[event.reviewer] = entry

    def current(self, record_id: str, stage: Stage) -> list[Decision]:
        slot = self._best.get((record_id, stage), {})
        return [entry[2] for entry in sorted(slot.values(), key=lambda e: e[:2])]


def _check_reached(
    decision: Decision,
    protocol: ScreeningProtocol,
    state: _State,
    title_abstract_double: frozenset[str] | Literal["all"],
) -> None:
    if decision.stage != "full_text" or "title_abstract" not in protocol.stages:
        return
    rule = rule_for(decision.record_id, title_abstract_double)
    outcome = decide(state.current(decision.record_id, "title_abstract"), "title_abstract", rule)
    if outcome != "include":
        raise EvsynthError(
            f"record {decision.record_id!r} has not reached full text: its title/abstract "
            f"outcome is {outcome!r} under the {rule} rule",
            hint="finish (or resolve) its title/abstract screening first",
        )


def _check_arbiter(decision: Decision, current: list[Decision]) -> None:
    if decision.role != "arbiter":
        return
    screeners = [d for d in current if d.role == "screener"]
    if any(d.reviewer == decision.reviewer for d in screeners):
        raise EvsynthError(
            f"reviewer {decision.reviewer!r} screened record {decision.record_id!r} at "
            f"{decision.stage} and cannot also arbitrate it",
            hint="ask a third reviewer to resolve the conflict",
        )
    votes = {vote(decision.stage, d.decision) for d in screeners}
    if len(votes) < 2:
        raise EvsynthError(
            f"record {decision.record_id!r} has no conflict at {decision.stage} for an arbiter "
            "to resolve",
            hint="record the decision as a screener, or wait for the screeners to disagree",
        )


def _title_abstract_double(
    double_screened: Mapping[Stage, DoubleScreened] | None,
) -> frozenset[str] | Literal["all"]:
    value = (double_screened or {}).get("title_abstract", ())
    if value == "all":
        return "all"
    if isinstance(value, str):
        raise EvsynthError(f"double_screened['title_abstract']={value!r} must be 'all' or ids")
    return frozenset(value)


def _check(
    decision: Decision,
    protocol: ScreeningProtocol,
    state: _State,
    records: Collection[str] | None,
    title_abstract_double: frozenset[str] | Literal["all"],
) -> None:
    if decision.stage not in protocol.stages:
        raise EvsynthError(
            f"stage {decision.stage!r} of the decision on {decision.record_id!r} is not "
            f"used by this protocol; its stages: {', '.join(protocol.stages)}"
        )
    _check_role(decision, protocol)
    _check_reason(decision, protocol)
    if records is not None and decision.record_id not in records:
        raise EvsynthError(
            f"record {decision.record_id!r} is not among the records to screen",
            hint="it may be a duplicate: screen the record it duplicates instead",
        )
    _check_reached(decision, protocol, state, title_abstract_double)
    _check_arbiter(decision, state.current(decision.record_id, decision.stage))


def check_decision(
    decision: Decision,
    protocol: ScreeningProtocol,
    history: Iterable[Decision] = (),
    *,
    records: Collection[str] | None = None,
    double_screened: Mapping[Stage, DoubleScreened] | None = None,
) -> Decision:
    """Check one new event against the protocol and the events before it.

    Parameters
    ----------
    decision : Decision
        The new event.
    protocol : ScreeningProtocol
        The screening protocol.
    history : iterable of Decision, optional
        The events already stored.
    records : collection of str, optional
        The ids of the records to screen (duplicates removed); when given, a decision on any
        other id is refused.
    double_screened : mapping of stage to collection of str or "all", optional
        The records each stage requires two screeners for (:meth:`ScreeningProtocol.
        double_screened`); used to decide whether a record has passed title/abstract
        screening. By default a single screener's include suffices.

    Returns
    -------
    Decision
        ``decision`` itself, so that a caller can write ``store(check_decision(...))``.
    """
    state = _State()
    for event in history:
        state.add(event)
    _check(decision, protocol, state, records, _title_abstract_double(double_screened))
    return decision


def check_events(
    events: Iterable[Decision],
    protocol: ScreeningProtocol,
    *,
    records: Collection[str] | None = None,
    double_screened: Mapping[Stage, DoubleScreened] | None = None,
) -> tuple[Decision, ...]:
    """Check a whole event log, each event against the events before it.

    Raises on the first invalid event, and on a repeated ``event_id``. Returns the events as a
    tuple. The parameters are those of :func:`check_decision`.
    """
    checked: list[Decision] = []
    seen: set[str] = set()
    state = _State()
    record_set = frozenset(records) if records is not None else None
    title_abstract_double = _title_abstract_double(double_screened)
    for event in events:
        if not isinstance(event, Decision):
            raise EvsynthError(f"expected Decision events, got {type(event).__name__}")
        if event.event_id in seen:
            raise EvsynthError(
                f"event id {event.event_id!r} appears twice in the decision log",
                hint="each event needs its own id",
            )
        _check(event, protocol, state, record_set, title_abstract_double)
        seen.add(event.event_id)
        state.add(event)
        checked.append(event)
    return tuple(checked)
