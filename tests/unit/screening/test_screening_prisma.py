"""PRISMA 2020 counts: computed from records, duplicate links and events; the arithmetic check."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest

from evsynth._core.errors import EvsynthError
from evsynth._core.summary import Summary
from evsynth.screening import Decision, PrismaCounts, SourceRecord, prisma_counts
from tests.unit.screening._helpers import FULL_TEXT_REASONS, small_protocol

Event = Callable[..., Decision]
POPULATION, INTERVENTION, SETTING, DESIGN = FULL_TEXT_REASONS

RECORDS = [
    ("r1", "MEDLINE", None),
    ("r2", "MEDLINE", None),
    ("r3", "Embase", None),
    ("r4", "Embase", "r1"),  # duplicate of r1: a link, never a deletion
    ("r5", "Embase", None),
    ("r6", "CINAHL", None),
    ("r7", "ClinicalTrials.gov", None),
    ("r8", "ClinicalTrials.gov", "r7"),
]


def _events(event: Event) -> list[Decision]:
    """r1-r5 and r7 pass title/abstract, r6 is excluded; at full text r1, r2 (one study) and
    r7 are included, r3 and r5 excluded; r5's reviewers give different reasons."""
    log = [event(r, "ASc", "include") for r in ("r1", "r2", "r3", "r5", "r7")]
    log.append(event("r6", "ASc", "exclude"))
    for r in ("r1", "r2", "r7"):
        log += [event(r, "ASc", "include", "full_text"), event(r, "AB", "include", "full_text")]
    log += [
        event("r3", "ASc", "exclude", "full_text", reason=SETTING),
        event("r3", "AB", "include", "full_text"),
        event("r3", "JL", "exclude", "full_text", reason=DESIGN, role="arbiter"),
        event("r5", "ASc", "exclude", "full_text", reason=DESIGN),
        event("r5", "AB", "exclude", "full_text", reason=INTERVENTION),
    ]
    return log


def test_counts_of_a_small_review(event: Event) -> None:
    counts = prisma_counts(
        RECORDS,
        _events(event),
        study_of={"r1": "S1", "r2": "S1"},
        registers={"ClinicalTrials.gov"},
        protocol=small_protocol(),
        double_screened={"full_text": "all"},
    ).check()
    assert dict(counts.identified_by_source) == {
        "Embase": 3,
        "ClinicalTrials.gov": 2,
        "MEDLINE": 2,
        "CINAHL": 1,
    }
    assert counts.registers == ("ClinicalTrials.gov",)
    assert (counts.identified, counts.identified_databases, counts.identified_registers) == (
        8,
        6,
        2,
    )
    assert counts.duplicates_removed == 2
    assert counts.records_screened == 6
    assert counts.records_excluded == 1
    assert counts.reports_sought == 5
    assert counts.reports_not_retrieved == 0
    assert counts.reports_assessed == 5
    assert counts.reports_excluded == 2
    # r3: the arbiter's reason; r5: reasons differ, the protocol's earlier one (intervention).
    assert dict(counts.reports_excluded_by_reason) == {INTERVENTION: 1, DESIGN: 1}
    assert "r5" in counts.notes[0]
    assert counts.reports_included == 3
    assert counts.studies_included == 2
    assert not counts.has_other_methods


def test_not_retrieved_reports(event: Event) -> None:
    log = [e for e in _events(event) if not (e.record_id == "r7" and e.stage == "full_text")]
    counts = prisma_counts(RECORDS, log, not_retrieved={"r7"}).check()
    assert counts.reports_sought == 5
    assert counts.reports_not_retrieved == 1
    assert counts.reports_assessed == 4
    assert counts.reports_included == 2
    assert counts.studies_included == 2  # no study links: each report is a study


def test_other_methods_pathway(event: Event) -> None:
    other = [
        SourceRecord("c1", "citation_searching"),
        SourceRecord("c2", "citation_searching"),
        SourceRecord("c3", "citation_searching"),
        SourceRecord("w1", "websites"),
    ]
    log = [
        *_events(event),
        event("c3", "ASc", "exclude"),  # screened out before retrieval: not sought
        event("c1", "ASc", "include", "full_text"),
        event("c1", "AB", "include", "full_text"),
        event("w1", "ASc", "exclude", "full_text", reason=POPULATION),
    ]
    counts = prisma_counts(
        RECORDS,
        log,
        other_records=other,
        not_retrieved={"c2"},
        study_of={"r1": "S1", "r2": "S1", "c1": "S1"},
    ).check()
    assert dict(counts.other_identified_by_method) == {"websites": 1, "citation_searching": 3}
    assert counts.other_reports_sought == 3
    assert counts.other_reports_not_retrieved == 1
    assert counts.other_reports_assessed == 2
    assert counts.other_reports_excluded == 1
    assert dict(counts.other_reports_excluded_by_reason) == {POPULATION: 1}
    assert counts.reports_included == 4  # r1, r2, r7 and c1
    assert counts.studies_included == 2  # c1 is a further report of study S1
    assert counts.has_other_methods


def test_pending_records_fail_the_check_at_the_right_box(event: Event) -> None:
    log = [
        event("r1", "ASc", "include"),
        event("r2", "ASc", "include"),
        event("r2", "AB", "exclude"),
    ]
    counts = prisma_counts(
        [("r1", "MEDLINE", None), ("r2", "MEDLINE", None), ("r3", "MEDLINE", None)], log
    )
    assert counts.records_pending == 2  # r2 in conflict, r3 not screened
    with pytest.raises(
        EvsynthError, match="'Reports sought for retrieval' does not add up"
    ) as info:
        counts.check()
    assert "2 records are still pending or in conflict at title/abstract" in str(info.value)


def test_pending_reports_fail_the_check(event: Event) -> None:
    log = [event("r1", "ASc", "include"), event("r1", "ASc", "include", "full_text")]
    counts = prisma_counts([("r1", "MEDLINE", None)], log, double_screened={"full_text": "all"})
    assert counts.reports_pending == 1
    with pytest.raises(EvsynthError, match="'Reports of included studies' does not add up"):
        counts.check()


def _counts() -> PrismaCounts:
    return PrismaCounts(
        identified_by_source={"MEDLINE": 60, "Embase": 40},
        identified=100,
        duplicates_removed=10,
        records_screened=90,
        records_excluded=80,
        reports_sought=10,
        reports_not_retrieved=1,
        reports_assessed=9,
        reports_excluded=5,
        reports_excluded_by_reason={"population": 3, "design": 2},
        studies_included=3,
        reports_included=4,
    )


@pytest.mark.parametrize(
    ("change", "box"),
    [
        ({"identified": 101}, "Records identified"),
        ({"duplicates_removed": 11}, "Records screened"),
        ({"records_excluded": 79}, "Reports sought for retrieval"),
        ({"reports_not_retrieved": 2}, "Reports assessed for eligibility"),
        ({"reports_excluded_by_reason": {"population": 3}}, "Reports excluded"),
        ({"reports_included": 5}, "Reports of included studies"),
        (
            {"other_reports_sought": 2, "other_reports_assessed": 1},
            "Reports assessed for eligibility (other methods)",
        ),
        ({"other_reports_excluded": 1}, "Reports excluded (other methods)"),
    ],
)
def test_check_names_the_box_that_does_not_add_up(change: dict[str, object], box: str) -> None:
    assert _counts().check() == _counts()
    broken = dataclasses.replace(_counts(), **change)  # type: ignore[arg-type]
    with pytest.raises(EvsynthError, match=re.escape(f"PRISMA box '{box}' does not add up")):
        broken.check()


def test_check_refuses_more_studies_than_reports_and_negative_counts() -> None:
    with pytest.raises(EvsynthError, match="Studies included in review"):
        dataclasses.replace(_counts(), studies_included=5).check()
    with pytest.raises(EvsynthError, match="negative"):
        dataclasses.replace(_counts(), reports_not_retrieved=-1, reports_assessed=11).check()


def test_counts_are_frozen_and_convert() -> None:
    counts = _counts()
    with pytest.raises(AttributeError):
        counts.identified = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        counts.identified_by_source["MEDLINE"] = 1  # type: ignore[index]
    assert counts.to_dict()["reports_excluded_by_reason"] == {"population": 3, "design": 2}
    frame = counts.to_frame()
    assert list(frame.columns) == ["box", "label", "n"]
    assert frame.set_index("label").loc["Records screened", "n"] == 90
    assert isinstance(counts.summary(), Summary)


@pytest.mark.parametrize(
    ("records", "log_records", "kwargs", "message"),
    [
        ([("r1", "MEDLINE", "r9")], [], {}, "not among the records"),
        ([("r1", "MEDLINE", None), ("r1", "Embase", None)], [], {}, "record ids repeat"),
        ([("r1", "MEDLINE")], [("r2", "title_abstract")], {}, "not screened: r2"),
        ([("r1", "MEDLINE")], [("r1", "full_text")], {}, "have not passed title/abstract"),
        ([("r1", "MEDLINE")], [], {"not_retrieved": {"r1"}}, "never sought"),
        (
            [("r1", "MEDLINE")],
            [],
            {"other_records": [("c1", "hand searching")]},
            "websites, organisations",
        ),
        ([("r1", "MEDLINE")], [], {"other_records": [("c1", "websites", "r1")]}, "duplicate"),
        ([("r1", "MEDLINE")], [], {"other_records": [("r1", "websites")]}, "both in records"),
        (["r1"], [], {}, r"\(record_id, source, duplicate_of\)"),
    ],
)
def test_inconsistent_inputs_are_refused(
    event: Event,
    records: list[object],
    log_records: list[tuple[str, str]],
    kwargs: dict[str, object],
    message: str,
) -> None:
    log = [event(r, "ASc", "include", stage) for r, stage in log_records]
    with pytest.raises(EvsynthError, match=message):
        prisma_counts(records, log, **kwargs)  # type: ignore[arg-type]


def test_not_retrieved_report_with_decisions_is_refused(event: Event) -> None:
    log = [event("r1", "ASc", "include"), event("r1", "ASc", "include", "full_text")]
    with pytest.raises(EvsynthError, match="marked not retrieved but has full-text decisions"):
        prisma_counts([("r1", "MEDLINE", None)], log, not_retrieved={"r1"})
