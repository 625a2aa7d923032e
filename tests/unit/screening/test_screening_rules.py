"""Outcomes under the single and double rules, maybe, conflicts and the arbiter."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from evsynth._core.errors import EvsynthError
from evsynth.screening import Decision, conflicts, outcomes, reached_full_text, record_outcome

Event = Callable[..., Decision]


def test_no_decision_is_pending(event: Event) -> None:
    assert record_outcome([], "title_abstract", "r1", "single") == "pending"
    log = [event("r2", "ASc", "include")]
    assert record_outcome(log, "title_abstract", "r1", "double") == "pending"


def test_single_rule_one_screener_decides(event: Event) -> None:
    log = [event("r1", "ASc", "include"), event("r2", "ASc", "exclude")]
    assert record_outcome(log, "title_abstract", "r1", "single") == "include"
    assert record_outcome(log, "title_abstract", "r2", "single") == "exclude"


def test_double_rule_needs_two_agreeing_screeners(event: Event) -> None:
    log = [event("r1", "ASc", "exclude")]
    assert record_outcome(log, "title_abstract", "r1", "double") == "pending"
    log.append(event("r1", "AB", "exclude"))
    assert record_outcome(log, "title_abstract", "r1", "double") == "exclude"


def test_disagreement_is_a_conflict_under_either_rule(event: Event) -> None:
    log = [event("r1", "ASc", "include"), event("r1", "AB", "exclude")]
    assert record_outcome(log, "title_abstract", "r1", "double") == "conflict"
    assert record_outcome(log, "title_abstract", "r1", "single") == "conflict"


def test_arbiter_resolves_a_conflict(event: Event) -> None:
    log = [
        event("r1", "ASc", "include", "full_text"),
        event("r1", "AB", "exclude", "full_text", reason="no qualitative evidence"),
        event("r1", "JL", "exclude", "full_text", reason="no qualitative evidence", role="arbiter"),
    ]
    assert record_outcome(log, "full_text", "r1", "double") == "exclude"
    # The arbiter changes their mind: the latest arbiter event counts.
    log.append(event("r1", "JL", "include", "full_text", role="arbiter"))
    assert record_outcome(log, "full_text", "r1", "double") == "include"


def test_changed_mind_removes_a_conflict(event: Event) -> None:
    log = [event("r1", "ASc", "include"), event("r1", "AB", "exclude")]
    assert [c.record_id for c in conflicts(log, "title_abstract")] == ["r1"]
    log.append(event("r1", "AB", "include"))
    assert conflicts(log, "title_abstract") == []
    assert record_outcome(log, "title_abstract", "r1", "double") == "include"


def test_maybe_goes_forward_at_title_abstract(event: Event) -> None:
    log = [event("r1", "ASc", "maybe"), event("r1", "AB", "include")]
    assert record_outcome(log, "title_abstract", "r1", "double") == "include"
    assert conflicts(log, "title_abstract") == []  # maybe and include both go forward
    log.append(event("r2", "ASc", "maybe"))
    log.append(event("r2", "AB", "exclude"))
    assert record_outcome(log, "title_abstract", "r2", "double") == "conflict"


def test_maybe_at_full_text_leaves_the_record_pending(event: Event) -> None:
    log = [event("r1", "ASc", "include", "full_text"), event("r1", "AB", "maybe", "full_text")]
    assert record_outcome(log, "full_text", "r1", "double") == "pending"
    assert record_outcome(log, "full_text", "r1", "single") == "pending"
    assert conflicts(log, "full_text") == []


def test_arbiter_maybe_at_full_text_resolves_nothing(event: Event) -> None:
    log = [
        event("r1", "ASc", "include", "full_text"),
        event("r1", "AB", "exclude", "full_text", reason="no qualitative evidence"),
        event("r1", "JL", "maybe", "full_text", role="arbiter"),
    ]
    assert record_outcome(log, "full_text", "r1", "double") == "conflict"
    assert [c.record_id for c in conflicts(log, "full_text")] == ["r1"]


def test_conflicts_list_the_unresolved_disagreements(event: Event) -> None:
    log = [
        event("r1", "ASc", "include"),
        event("r2", "ASc", "include"),
        event("r1", "AB", "exclude", reason="off topic"),
        event("r2", "AB", "exclude"),
        event("r3", "ASc", "exclude"),
        event("r3", "AB", "exclude"),
        event("r2", "JL", "include", role="arbiter"),
    ]
    found = conflicts(log, "title_abstract")
    assert [c.record_id for c in found] == ["r1"]
    assert found[0].reviewers == ("ASc", "AB")
    assert found[0].stage == "title_abstract"
    assert found[0].describe() == "r1 (title_abstract): ASc include; AB exclude (off topic)"
    assert conflicts(log, "full_text") == []


def test_outcomes_apply_the_double_rule_to_the_sample(event: Event) -> None:
    log = [
        event("r1", "ASc", "include"),
        event("r2", "ASc", "include"),
        event("r3", "ASc", "exclude"),
    ]
    assert outcomes(log, "title_abstract") == {"r1": "include", "r2": "include", "r3": "exclude"}
    in_sample = outcomes(log, "title_abstract", double_screened={"r2"})
    assert in_sample == {"r1": "include", "r2": "pending", "r3": "exclude"}
    every = outcomes(log, "title_abstract", double_screened="all")
    assert set(every.values()) == {"pending"}
    assert reached_full_text(log) == {"r1", "r2"}
    assert reached_full_text(log, double_screened={"r2"}) == {"r1"}


def test_rule_and_stage_are_checked(event: Event) -> None:
    with pytest.raises(EvsynthError, match="single, double"):
        record_outcome([], "title_abstract", "r1", "triple")  # type: ignore[arg-type]
    with pytest.raises(EvsynthError, match="title_abstract, full_text"):
        outcomes([], "eligibility")  # type: ignore[arg-type]
    with pytest.raises(EvsynthError, match="'all' or a collection"):
        outcomes([event("r1", "ASc", "include")], "title_abstract", double_screened="r1")
