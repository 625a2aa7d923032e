"""The seed review's screening, simulated in memory end to end (conftest.py describes it).

Reported by Scope et al. (2021, Br J Health Psychol 26:1069, section "Screening and
eligibility" and "Results"): 2,119 citations, 20% double-screened at title/abstract with kappa
0.77 (threshold 0.7), 58 full papers screened by two reviewers with a third resolving
disagreements, 12 papers of 9 studies included.
"""

from __future__ import annotations

from evsynth.screening import (
    check_events,
    cohen_kappa,
    conflicts,
    outcomes,
    prisma_counts,
    prisma_csv,
    reached_full_text,
)
from tests.unit.screening._seed import SEED_SCREENED, SEED_SOURCES, SeedReview


def _double(seed: SeedReview) -> dict[str, object]:
    return {"title_abstract": seed.sample, "full_text": "all"}


def test_events_pass_the_protocol(seed_review: SeedReview) -> None:
    checked = check_events(
        seed_review.events,
        seed_review.protocol,
        records=seed_review.kept,
        double_screened=_double(seed_review),  # type: ignore[arg-type]
    )
    assert len(checked) == len(seed_review.events)


def test_twenty_percent_sample_gives_kappa_077(seed_review: SeedReview) -> None:
    assert len(seed_review.sample) == 424  # ceil(0.2 * 2,119)
    title_abstract = [e for e in seed_review.events if e.stage == "title_abstract"]
    result = cohen_kappa(
        [e for e in title_abstract if e.reviewer == "ASc"],
        [e for e in title_abstract if e.reviewer == "AB"],
    )
    assert result.n == 424
    assert round(result.kappa, 2) == 0.77  # paper: "a Kappa statistic of 0.77"
    assert result.meets(seed_review.protocol.kappa_threshold or 0.0)  # threshold 0.7
    assert result.reviewers == ("ASc", "AB")
    assert result.table.loc["include", "include"] == 14
    assert result.table.loc["exclude", "exclude"] == 402
    assert len(result.disagreements) == 8
    assert set(result.disagreements) <= seed_review.sample
    assert "1695 record(s) decided by only one reviewer" in result.notes[0]


def test_title_abstract_sends_58_records_to_full_text(seed_review: SeedReview) -> None:
    found = outcomes(seed_review.events, "title_abstract", double_screened=seed_review.sample)
    assert len(found) == SEED_SCREENED
    assert sum(o == "include" for o in found.values()) == 58
    assert sum(o in ("pending", "conflict") for o in found.values()) == 0
    assert reached_full_text(seed_review.events, double_screened=seed_review.sample) == set(
        seed_review.forwarded
    )
    assert conflicts(seed_review.events, "title_abstract") == []


def test_full_text_conflicts_are_resolved_by_the_third_reviewer(seed_review: SeedReview) -> None:
    before = [e for e in seed_review.events if e.reviewer != "JL"]
    open_conflicts = conflicts(before, "full_text")
    assert [c.record_id for c in open_conflicts] == seed_review.full_text_conflicts
    assert conflicts(seed_review.events, "full_text") == []
    found = outcomes(seed_review.events, "full_text", double_screened="all")
    assert sum(o == "include" for o in found.values()) == 12
    assert sum(o == "exclude" for o in found.values()) == 46


def test_prisma_counts_add_up(seed_review: SeedReview) -> None:
    counts = prisma_counts(
        seed_review.records,
        seed_review.events,
        study_of=seed_review.study_of,
        protocol=seed_review.protocol,
        double_screened=_double(seed_review),  # type: ignore[arg-type]
    ).check()
    assert dict(counts.identified_by_source) == SEED_SOURCES
    assert counts.identified == 2500
    assert counts.duplicates_removed == 381
    assert counts.records_screened == 2119  # paper: 2,119 citations
    assert counts.records_excluded == 2061
    assert counts.reports_sought == 58  # paper: 58 full papers
    assert counts.reports_not_retrieved == 0
    assert counts.reports_assessed == 58
    assert counts.reports_excluded == 46
    # One report has different reasons from the two screeners: the protocol's first wins.
    assert dict(counts.reports_excluded_by_reason) == {
        "not persistent physical symptoms": 10,
        "not a behavioural intervention": 10,
        "not UK primary care or community": 12,
        "no qualitative evidence": 14,
    }
    assert seed_review.reason_disagreement in counts.notes[0]
    assert counts.reports_included == 12  # paper: twelve full papers
    assert counts.studies_included == 9  # paper: nine studies
    assert counts.records_pending == counts.reports_pending == 0
    text = prisma_csv(counts)
    assert "records_screened,node9,box4," in text
    assert ",2119\n" in text
