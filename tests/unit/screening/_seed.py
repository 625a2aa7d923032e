"""The seed review's screening, simulated in memory (used by test_screening_seed_review.py).

The seed review is Scope A, Leaviss J, Booth A, et al. (2021), *The acceptability of primary
care or community-based behavioural interventions for persistent physical symptoms:
Qualitative systematic review*, British Journal of Health Psychology 26:1069-1094 (the seed text
is in /work/shared/seeds/000_15b6f09af3e90468.txt). What the paper reports, and the simulation
reproduces: 2,119 citations screened at title/abstract by one reviewer (ASc), 20% of them also
by a second (AB) with kappa 0.77 against a threshold of 0.7; 58 full papers screened by both,
disagreements resolved by a third reviewer (JL); 12 papers of 9 studies included. Everything
else (the per-database counts, the duplicates, which records disagree, the exclusion reasons and
their counts) is invented for the simulation and labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evsynth.screening import Decision, Reviewer, ScreeningProtocol
from tests.unit.screening._helpers import FULL_TEXT_REASONS, Clock, small_protocol

# -- the seed review -----------------------------------------------------------------------

# Seven databases; the paper names six. Counts per database and the 381 duplicates are invented
# so that 2,119 records remain after deduplication, as the paper reports.
SEED_SOURCES = {
    "MEDLINE": 610,
    "Embase": 702,
    "CINAHL": 298,
    "PsycINFO": 410,
    "Science Citation Index": 215,
    "Social Sciences Citation Index": 188,
    "seventh database (unnamed in the paper)": 77,
}
SEED_SCREENED = 2119
# Reports of the included studies as the paper's text groups them (section "Results"): GP
# symptoms clinic (Burton 2012, Morton 2016), nurse therapists (Chew-Graham 2011, Peters 2011),
# physiotherapists (Cowell 2018a, 2018b); the grouping is read from the paper's prose.
SEED_STUDIES = {
    "Burton2012": "symptoms clinic",
    "Morton2016": "symptoms clinic",
    "Dowrick2008": "reattribution",
    "Peters2009": "MUSIC",
    "ChewGraham2011": "nurse therapists",
    "Peters2011": "nurse therapists",
    "Cowell2018a": "physiotherapy",
    "Cowell2018b": "physiotherapy",
    "Gerskowitch2015": "Gerskowitch",
    "Lewis2013": "Lewis",
    "Graham2007": "group counselling",
    "Payne2015": "BodyMind",
}
# Full-text exclusions per reason (invented; they sum to 58 - 12 = 46).
SEED_REASON_COUNTS = dict(zip(FULL_TEXT_REASONS, (9, 10, 12, 15), strict=True))


@dataclass(frozen=True)
class SeedReview:
    protocol: ScreeningProtocol
    records: list[tuple[str, str, str | None]]
    kept: list[str]
    sample: frozenset[str]
    events: list[Decision]
    forwarded: list[str]
    included: list[str]
    study_of: dict[str, str]
    full_text_conflicts: list[str]
    reason_disagreement: str


def build_seed_review() -> SeedReview:
    protocol = small_protocol(
        reviewers=(
            Reviewer("ASc", ("lead", "screener")),
            Reviewer("AB", ("screener",)),
            Reviewer("JL", ("arbiter",)),
        ),
        exclusion_reasons={"full_text": FULL_TEXT_REASONS},
    )
    rng = np.random.default_rng(2019)
    labels = [s for s, n in SEED_SOURCES.items() for _ in range(n)]
    order = rng.permutation(len(labels))
    included_names = list(SEED_STUDIES)
    kept = [f"r{i:04d}" for i in range(1, SEED_SCREENED + 1)]
    records: list[tuple[str, str, str | None]] = []
    for position, index in enumerate(order):
        source = labels[int(index)]
        if position < SEED_SCREENED:
            records.append((kept[position], source, None))
        else:
            target = kept[int(rng.integers(SEED_SCREENED))]
            records.append((f"d{position:04d}", source, target))

    sample = protocol.double_screened("title_abstract", kept)
    in_sample = sorted(sample)
    outside = [r for r in kept if r not in sample]
    # The 20% sample: 14 both include, 4 ASc-only, 4 AB-only, 402 both exclude (kappa 0.768).
    both_include = in_sample[:14]
    asc_only_include, asc_only_exclude = in_sample[14:17], in_sample[17:18]
    ab_only_include, ab_only_exclude = in_sample[18:19], in_sample[19:22]
    assert len(in_sample[22:]) == 402  # both exclude
    forwarded_outside = outside[:40]

    clock = Clock()
    events: list[Decision] = []
    add = events.append
    # Title/abstract: ASc screens everything; 5 of the forwarded records are "maybe", and 3
    # are first excluded and later included (a changed mind is a new event).
    for record in kept:
        asc_includes = (
            record in both_include
            or record in asc_only_include
            or record in asc_only_exclude
            or record in forwarded_outside
        )
        if record in forwarded_outside[:3]:
            add(clock(record, "ASc", "exclude"))
        verdict = "include" if asc_includes else "exclude"
        if asc_includes and record in forwarded_outside[35:]:
            verdict = "maybe"
        add(clock(record, "ASc", verdict))
    for record in in_sample:
        ab_includes = (
            record in both_include or record in ab_only_include or record in ab_only_exclude
        )
        add(clock(record, "AB", "include" if ab_includes else "exclude"))
    for record in asc_only_include + ab_only_include:
        add(clock(record, "JL", "include", role="arbiter"))
    for record in asc_only_exclude + ab_only_exclude:
        add(clock(record, "JL", "exclude", role="arbiter"))

    forwarded = both_include + asc_only_include + ab_only_include + forwarded_outside
    assert len(forwarded) == 58
    # Full text: the first 12 forwarded records are the included reports (renamed through
    # study_of), the other 46 are excluded with the reasons above.
    included = forwarded[:12]
    excluded = forwarded[12:]
    study_of = {
        record: SEED_STUDIES[name] for record, name in zip(included, included_names, strict=True)
    }
    reasons = [reason for reason, n in SEED_REASON_COUNTS.items() for _ in range(n)]
    # Conflicts: two included and three excluded reports, resolved by JL; one excluded report
    # gets different reasons from the two screeners and no arbiter (protocol order decides).
    conflict_include = included[:2]
    conflict_exclude = excluded[:3]
    reason_disagreement = excluded[-1]
    for record in included:
        add(clock(record, "ASc", "include", "full_text"))
        if record in conflict_include:
            add(clock(record, "AB", "exclude", "full_text", reason="no qualitative evidence"))
            add(clock(record, "JL", "include", "full_text", role="arbiter"))
        else:
            add(clock(record, "AB", "include", "full_text"))
    for record, reason in zip(excluded, reasons, strict=True):
        add(clock(record, "ASc", "exclude", "full_text", reason=reason))
        if record in conflict_exclude:
            add(clock(record, "AB", "include", "full_text"))
            add(clock(record, "JL", "exclude", "full_text", reason=reason, role="arbiter"))
        elif record == reason_disagreement:
            # ASc's reason (listed last in the protocol) loses to AB's, listed first.
            add(clock(record, "AB", "exclude", "full_text", reason=FULL_TEXT_REASONS[0]))
        else:
            add(clock(record, "AB", "exclude", "full_text", reason=reason))
    return SeedReview(
        protocol=protocol,
        records=records,
        kept=kept,
        sample=sample,
        events=events,
        forwarded=forwarded,
        included=included,
        study_of=study_of,
        full_text_conflicts=conflict_include + conflict_exclude,
        reason_disagreement=reason_disagreement,
    )
