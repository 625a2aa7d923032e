"""Decision events: validation of a single event, latest-event-wins, blind screening."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from evsynth._core.errors import EvsynthError
from evsynth.screening import Decision, current_decisions, latest_events, visible_decisions

T = datetime(2019, 2, 4, 9, 0, tzinfo=UTC)


def _decision(**changes: object) -> Decision:
    options: dict[str, object] = {
        "record_id": "r1",
        "stage": "title_abstract",
        "reviewer": "ASc",
        "decision": "include",
        "timestamp": T,
    }
    options.update(changes)
    return Decision(**options)  # type: ignore[arg-type]


def test_decision_is_frozen_and_has_a_unique_event_id() -> None:
    a, b = _decision(), _decision()
    assert a.event_id != b.event_id
    with pytest.raises(AttributeError):
        a.decision = "exclude"  # type: ignore[misc]
    assert a.role == "screener"
    assert a.key == ("r1", "title_abstract", "ASc")


def test_naive_timestamp_is_refused() -> None:
    with pytest.raises(EvsynthError, match="has no time zone"):
        _decision(timestamp=datetime(2019, 2, 4, 9, 0))


@pytest.mark.parametrize(
    ("field", "value", "listed"),
    [
        ("stage", "abstract", "title_abstract, full_text"),
        ("decision", "yes", "include, exclude, maybe"),
        ("role", "lead", "screener, arbiter"),
    ],
)
def test_unknown_choices_list_the_valid_ones(field: str, value: str, listed: str) -> None:
    with pytest.raises(EvsynthError, match=listed):
        _decision(**{field: value})


def test_empty_ids_are_refused() -> None:
    with pytest.raises(EvsynthError, match="record_id"):
        _decision(record_id=" ")
    with pytest.raises(EvsynthError, match="reviewer"):
        _decision(reviewer="")


def test_blank_reason_and_note_count_as_missing() -> None:
    d = _decision(decision="exclude", reason="  ", note=" checked ")
    assert d.reason is None
    assert d.note == "checked"


def test_latest_decision_of_each_reviewer_counts(event: Callable[..., Decision]) -> None:
    log = [
        event("r1", "ASc", "exclude"),
        event("r1", "AB", "include"),
        event("r1", "ASc", "include"),  # ASc changes their mind: a new event
        event("r2", "ASc", "exclude"),
        event("r1", "ASc", "include", "full_text"),
    ]
    current = current_decisions(log, "title_abstract")
    assert set(current) == {("r1", "ASc"), ("r1", "AB"), ("r2", "ASc")}
    assert current[("r1", "ASc")] is log[2]
    assert [d.record_id for d in current.values()] == ["r1", "r1", "r2"]  # chronological
    assert list(current_decisions(log, "full_text").values()) == [log[4]]


def test_latest_is_by_timestamp_then_position() -> None:
    late = _decision(decision="exclude", timestamp=T + timedelta(hours=1))
    early = _decision(decision="include", timestamp=T)
    assert current_decisions([late, early], "title_abstract")[("r1", "ASc")] is late
    # Equal timestamps: the event given later wins.
    first, second = _decision(decision="exclude"), _decision(decision="maybe")
    assert current_decisions([first, second], "title_abstract")[("r1", "ASc")] is second


def test_time_zones_are_compared_as_instants() -> None:
    # 10:30 in UTC+2 is 08:30 UTC, earlier than 09:00 UTC.
    plus_two = timezone(timedelta(hours=2))
    earlier = _decision(decision="exclude", timestamp=datetime(2019, 2, 4, 10, 30, tzinfo=plus_two))
    later = _decision(decision="include", timestamp=T)
    assert latest_events([later, earlier]) == [later]


def test_events_must_be_decisions() -> None:
    with pytest.raises(EvsynthError, match="expected Decision events"):
        current_decisions([("r1", "ASc", "include")], "title_abstract")  # type: ignore[list-item]
    with pytest.raises(EvsynthError, match="stage"):
        current_decisions([], "screening")  # type: ignore[arg-type]


def test_blind_reviewers_see_only_their_own_decisions(event: Callable[..., Decision]) -> None:
    log = [
        event("r1", "ASc", "include"),
        event("r1", "AB", "exclude"),
        event("r2", "AB", "include"),
    ]
    assert visible_decisions(log, "ASc") == [log[0]]
    assert visible_decisions(log, "AB") == [log[1], log[2]]
    assert visible_decisions(log, "JL") == []


def test_lead_reveals_all_or_some_records(event: Callable[..., Decision]) -> None:
    log = [
        event("r1", "ASc", "include"),
        event("r1", "AB", "exclude"),
        event("r2", "AB", "include"),
    ]
    assert visible_decisions(log, "ASc", revealed=True) == log
    assert visible_decisions(log, "ASc", blind=False) == log
    assert visible_decisions(log, "ASc", revealed=["r1"]) == [log[0], log[1]]
    with pytest.raises(EvsynthError, match="collection of record ids"):
        visible_decisions(log, "ASc", revealed="r1")
