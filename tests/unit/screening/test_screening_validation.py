"""Events checked against the protocol: reasons, reviewers, roles, stages reached, arbiters."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from evsynth._core.errors import EvsynthError
from evsynth.screening import Decision, Reviewer, ScreeningProtocol, check_decision, check_events
from tests.unit.screening._helpers import FULL_TEXT_REASONS, small_protocol

Event = Callable[..., Decision]


def _forwarded(event: Event, record: str = "r1") -> list[Decision]:
    return [event(record, "ASc", "include"), event(record, "AB", "include")]


def test_valid_events_pass(protocol: ScreeningProtocol, event: Event) -> None:
    log = [
        *_forwarded(event),
        event("r1", "ASc", "include", "full_text"),
        event("r1", "AB", "exclude", "full_text", reason=FULL_TEXT_REASONS[1]),
        event("r1", "JL", "include", "full_text", role="arbiter"),
    ]
    assert check_events(log, protocol) == tuple(log)
    assert check_decision(log[-1], protocol, log[:-1]) is log[-1]


def test_full_text_exclusion_needs_a_reason(protocol: ScreeningProtocol, event: Event) -> None:
    history = _forwarded(event)
    with pytest.raises(EvsynthError, match="gives no reason") as info:
        check_decision(event("r1", "ASc", "exclude", "full_text"), protocol, history)
    assert "no qualitative evidence" in str(info.value)  # the hint lists the reasons


def test_title_abstract_reason_is_optional_unless_required(event: Event) -> None:
    check_decision(event("r1", "ASc", "exclude"), small_protocol())
    strict = small_protocol(reason_required_title_abstract=True)
    with pytest.raises(EvsynthError, match="requires at title_abstract"):
        check_decision(event("r1", "ASc", "exclude"), strict)
    check_decision(event("r1", "ASc", "exclude", reason="off topic"), strict)


def test_reason_outside_the_protocol_lists_the_valid_reasons(
    protocol: ScreeningProtocol, event: Event
) -> None:
    history = _forwarded(event)
    bad = event("r1", "ASc", "exclude", "full_text", reason="wrong outcome")
    with pytest.raises(EvsynthError) as info:
        check_decision(bad, protocol, history)
    message = str(info.value)
    assert "'wrong outcome'" in message
    assert "valid reasons at full_text: " + ", ".join(FULL_TEXT_REASONS) in message


def test_any_reason_goes_when_the_protocol_lists_none(event: Event) -> None:
    free = small_protocol(exclusion_reasons={})
    check_decision(event("r1", "ASc", "exclude", reason="anything"), free)


def test_unknown_reviewer_lists_the_team(protocol: ScreeningProtocol, event: Event) -> None:
    with pytest.raises(EvsynthError, match="known reviewers: ASc, AB, JL"):
        check_decision(event("r1", "XY", "include"), protocol)


def test_role_must_be_held(protocol: ScreeningProtocol, event: Event) -> None:
    with pytest.raises(EvsynthError, match="as screener, a role they do not hold"):
        check_decision(event("r1", "JL", "include"), protocol)
    with pytest.raises(EvsynthError, match="as arbiter, a role they do not hold"):
        check_decision(event("r1", "AB", "include", role="arbiter"), protocol)


def test_full_text_needs_the_record_to_have_passed_title_abstract(
    protocol: ScreeningProtocol, event: Event
) -> None:
    with pytest.raises(EvsynthError, match=r"has not reached full text: .* 'pending'"):
        check_decision(event("r1", "ASc", "include", "full_text"), protocol)
    excluded = [event("r1", "ASc", "exclude")]
    with pytest.raises(EvsynthError, match="outcome is 'exclude'"):
        check_decision(event("r1", "ASc", "include", "full_text"), protocol, excluded)
    conflict = [event("r1", "ASc", "include"), event("r1", "AB", "exclude")]
    with pytest.raises(EvsynthError, match="outcome is 'conflict'"):
        check_decision(event("r1", "ASc", "include", "full_text"), protocol, conflict)


def test_double_screened_records_need_both_screeners_before_full_text(
    protocol: ScreeningProtocol, event: Event
) -> None:
    one_vote = [event("r1", "ASc", "include")]
    full_text = event("r1", "ASc", "include", "full_text")
    check_decision(full_text, protocol, one_vote)  # single rule by default
    with pytest.raises(EvsynthError, match="under the double rule"):
        check_decision(full_text, protocol, one_vote, double_screened={"title_abstract": {"r1"}})
    with pytest.raises(EvsynthError, match="under the double rule"):
        check_decision(full_text, protocol, one_vote, double_screened={"title_abstract": "all"})


def test_full_text_only_protocol_needs_no_title_abstract(event: Event) -> None:
    full_text_only = small_protocol(stages=("full_text",))
    check_decision(event("r1", "ASc", "include", "full_text"), full_text_only)
    with pytest.raises(EvsynthError, match="not used by this protocol; its stages: full_text"):
        check_decision(event("r1", "ASc", "include"), full_text_only)


def test_arbiter_must_be_a_third_reviewer_resolving_a_conflict(event: Event) -> None:
    # ASc2 screens and also arbitrates: allowed, but never on a record they screened.
    protocol = small_protocol(
        reviewers=(*small_protocol().reviewers[:2], Reviewer("ASc2", ("screener", "arbiter")))
    )
    agree = [event("r1", "ASc", "include"), event("r1", "AB", "include")]
    with pytest.raises(EvsynthError, match="no conflict at title_abstract"):
        check_decision(event("r1", "ASc2", "include", role="arbiter"), protocol, agree)
    conflict = [
        event("r1", "ASc", "include"),
        event("r1", "ASc2", "include"),
        event("r1", "AB", "exclude"),
    ]
    with pytest.raises(EvsynthError, match="cannot also arbitrate it"):
        check_decision(event("r1", "ASc2", "exclude", role="arbiter"), protocol, conflict)


def test_records_outside_the_screening_set_are_refused(
    protocol: ScreeningProtocol, event: Event
) -> None:
    with pytest.raises(EvsynthError, match="not among the records to screen") as info:
        check_decision(event("dup1", "ASc", "include"), protocol, records={"r1", "r2"})
    assert "duplicate" in str(info.value)


def test_check_events_refuses_repeated_event_ids(protocol: ScreeningProtocol, event: Event) -> None:
    first = event("r1", "ASc", "include")
    with pytest.raises(EvsynthError, match="appears twice"):
        check_events([first, first], protocol)


def test_check_events_checks_each_event_against_the_earlier_ones(
    protocol: ScreeningProtocol, event: Event
) -> None:
    # The full-text decision comes before the title/abstract include that would allow it.
    log = [event("r1", "ASc", "include", "full_text"), event("r1", "ASc", "include")]
    with pytest.raises(EvsynthError, match="has not reached full text"):
        check_events(log, protocol)
