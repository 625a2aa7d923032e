"""Pairwise precision and recall on the labelled duplicate sets.

Source: the McKeown & Mir (2021, doi:10.1186/s13643-021-01583-y) stroke and haematology
benchmark sets and bib-dedupe's special cases, as prepared in CoLRev-Environment/bib-dedupe
(MIT); copied to tests/data/dedup/ (provenance in tests/data/dedup/README.md). Gold clusters
are ``merged_record_ids.csv``; a record in no gold cluster is unique. Metrics count record
pairs within clusters (:func:`evsynth.records.dedup.pairwise_metrics`).

Targets from the issue: precision >= 0.995 and recall >= 0.95 on each set, and against
bib-dedupe 0.11.0 run on the same files (stroke 1.000 / 0.996, haematology 0.985 / 0.828;
``benchmarks/bench_dedup.py``) recall at least bib-dedupe's with precision not lower.

The measured values are with companions (the default of ``find_duplicates``): errata cited by
their article, replies, comments and meeting abstracts linked to their main report
(:mod:`evsynth.records.dedup.companions`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evsynth.records.dedup import find_duplicates, pairwise_metrics

DATA = Path(__file__).resolve().parents[2] / "data" / "dedup"

PRECISION_TARGET = 0.995
RECALL_TARGET = 0.95
# bib-dedupe 0.11.0 on the same files, pairwise precision and recall (tp / (tp + fn)).
BIB_DEDUPE = {
    "bibdedupe_stroke": (1.0, 477 / 479),
    "bibdedupe_haematology": (135 / 137, 135 / 163),
}


def metrics(name: str, **options: bool) -> dict[str, float]:
    records = pd.read_csv(DATA / name / "records_pre_merged.csv")
    gold = pd.read_csv(DATA / name / "merged_record_ids.csv")["merged_ids"]
    result = find_duplicates(records, **options)
    return pairwise_metrics(result.clusters, [str(c).split(";") for c in gold])


def test_stroke_meets_the_targets() -> None:
    # bibdedupe_stroke: 1,292 records, 479 gold pairs. Measured 1.0000 / 0.9958 (477 of 479,
    # as bib-dedupe; 476 without companions). The two missed pairs are listed for a
    # reviewer as companion:abstract:review: a thesis and its Dissertation Abstracts entry,
    # and one abstract printed in two journals. The gold standard joins these two but keeps
    # apart two pairs of exactly the same kinds (id_0000892/893, id_0001024/1025), so
    # linking them would add as many false pairs as true ones.
    found = metrics("bibdedupe_stroke")
    assert found["precision"] >= PRECISION_TARGET
    assert found["recall"] >= RECALL_TARGET
    assert found["fp"] == 0
    bib_precision, bib_recall = BIB_DEDUPE["bibdedupe_stroke"]
    assert found["recall"] >= bib_recall
    assert found["precision"] >= bib_precision


def test_haematology_meets_the_targets() -> None:
    # bibdedupe_haematology: 1,415 records, 163 gold pairs. Measured 1.0000 / 0.9509 (155 of
    # 163; 1.0000 / 0.8098 without companions, 0.8037 before them); 155 pairs is the least
    # that reaches 0.95, so losing one pair fails here. The eight missed gold pairs:
    # - 7: trial registrations of different trials ("adult"/"adolescent",
    #   "sensitive"/"resistant" patients), which evsynth never merges;
    # - 1: one abstract printed in two journals (id_0000134/135), listed as
    #   companion:abstract:review, because the gold standard keeps two pairs of the same kind
    #   apart (id_0000326/327, id_0000328/329): linking all three costs precision 0.987.
    # The letter exported once with and once without its placement, under two titles
    # (id_0000818/819), is joined by rule related_title_unplaced.
    found = metrics("bibdedupe_haematology")
    assert found["precision"] >= PRECISION_TARGET
    assert found["fp"] == 0
    assert found["recall"] >= RECALL_TARGET
    bib_precision, bib_recall = BIB_DEDUPE["bibdedupe_haematology"]
    assert found["recall"] >= bib_recall
    assert found["precision"] >= bib_precision


def test_companions_recover_errata_replies_and_abstracts_without_false_pairs() -> None:
    # Without companions, haematology gives 132 of 163 pairs; the 22 companion pairs
    # (10 errata, 4 replies, 8 corrections and abstracts printed under the article's title)
    # add no false pair on any set.
    without = metrics("bibdedupe_haematology", companions=False)
    with_companions = metrics("bibdedupe_haematology")
    assert with_companions["tp"] - without["tp"] == 22
    assert without["fp"] == with_companions["fp"] == 0


def test_special_cases_are_all_resolved() -> None:
    # bibdedupe_special_cases: 12 records, 3 gold pairs; measured 1.0 / 1.0 with and without
    # companions. The set's traps (same title and venue a year apart with different DOIs; a
    # conference paper and its journal version) must stay unmerged: a conference paper is
    # a report of its own, not a meeting abstract, and no companion rule joins it.
    for companions in (True, False):
        found = metrics("bibdedupe_special_cases", companions=companions)
        assert found["precision"] == pytest.approx(1.0)
        assert found["recall"] == pytest.approx(1.0)
