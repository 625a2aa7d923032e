"""Duplicate detection: exact keys, hard cases, the result object, and input errors.

Records marked with an id ("haematology id_0000161", "special cases id_0000003") are copied or
shortened from the McKeown & Mir (2021) sets and bib-dedupe's special cases as prepared in
CoLRev-Environment/bib-dedupe (MIT), in tests/data/dedup/. The others are written for the test.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth._core.summary import Summary
from evsynth.records.dedup import DedupResult, find_duplicates, pairwise_metrics
from evsynth.records.dedup.blocking import candidate_pairs
from evsynth.records.dedup.clusters import UnionFind, cluster_rows
from evsynth.records.dedup.compare import is_abbreviation
from evsynth.records.dedup.fields import prepare, resolve_columns

DATA = Path(__file__).resolve().parents[2] / "data" / "dedup"

ARTICLE = {
    "title": "Complement dysfunction in hemolytic uremic syndrome",
    "author": "Zipfel, P. F. and Skerka, C.",
    "year": 2006,
    "journal": "Current Opinion in Rheumatology",
    "volume": "18",
    "number": "5",
    "pages": "548-555",
}


def frame(*records: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame([{"id": f"r{k}", **r} for k, r in enumerate(records)])


def decision(result: DedupResult, a: str, b: str) -> tuple[str, str] | None:
    """(decision, rule) of the pair a-b, or None when it was not linked at all."""
    pairs = result.pairs
    hit = pairs[
        ((pairs["id_a"] == a) & (pairs["id_b"] == b))
        | ((pairs["id_a"] == b) & (pairs["id_b"] == a))
    ]
    if hit.empty:
        return None
    return str(hit["decision"].iloc[0]), str(hit["rule"].iloc[0])


# --- exact keys ---------------------------------------------------------------------------


def test_same_doi_links_records_written_differently() -> None:
    result = find_duplicates(
        frame(
            {"title": "Cultural universality versus particularity in CMC", "doi": "10.1080/X.1"},
            {
                "title": "CULTURAL UNIVERSALITY VERSUS PARTICULARITY IN CMC.",
                "doi": "https://doi.org/10.1080/x.1",
            },
        )
    )
    assert decision(result, "r0", "r1") == ("duplicate", "doi")
    assert result.clusters == (("r0", "r1"),)


def test_same_pmid_links_records() -> None:
    result = find_duplicates(
        frame(
            {"title": "Typical and atypical hemolytic uremic syndrome", "pmid": "8887042"},
            {"title": "Typical and atypical hemolytic uremic syndrome.", "pmid": 8887042.0},
        )
    )
    assert decision(result, "r0", "r1") == ("duplicate", "pmid")


def test_shared_doi_with_an_unrelated_title_is_only_uncertain_or_less() -> None:
    # A DOI pasted into the wrong record must not merge two different papers.
    result = find_duplicates(
        frame(
            {"title": "Complement dysfunction in hemolytic uremic syndrome", "doi": "10.1/a"},
            {"title": "Tai chi for older adults after stroke: a pilot trial", "doi": "10.1/a"},
        )
    )
    assert result.clusters == ()


def test_different_dois_keep_identical_looking_records_apart() -> None:
    # special cases id_0000003 and id_0000004: the same minitrack introduction, two years.
    records = frame(
        {
            "title": "Introduction to the Minitrack on Crowdsourcing and Digital Workforce in "
            "the Gig Economy",
            "author": "Deng, Xuefei and Taylor, Joseph and Moussawi, Sara",
            "year": 2021,
            "booktitle": "Proceedings of the Annual Hawaii International Conference on System "
            "Sciences",
            "doi": "10.24251/HICSS.2021.510",
            "ENTRYTYPE": "inproceedings",
        },
        {
            "title": "Introduction to the Minitrack on Crowdsourcing and Digital Workforce in "
            "the Gig Economy",
            "author": "Deng, Xuefei and Taylor, Joseph and Moussawi, Sara",
            "year": 2022,
            "booktitle": "Proceedings of the Annual Hawaii International Conference on System "
            "Sciences",
            "doi": "10.24251/HICSS.2022.544",
            "ENTRYTYPE": "inproceedings",
        },
    )
    result = find_duplicates(records)
    assert result.clusters == ()
    assert decision(result, "r0", "r1") == ("uncertain", "veto:doi_differs")


# --- fuzzy matching -------------------------------------------------------------------------


def test_abbreviated_journal_and_pages_still_match() -> None:
    # haematology id_0000076 and id_0000077: "1844-1859" and MEDLINE's "1844-59".
    result = find_duplicates(
        frame(
            {
                "title": "Relative role of genetic complement abnormalities in sporadic and "
                "familial aHUS and their impact on clinical phenotype",
                "author": "Noris, M. and Caprioli, J. and Bresin, E.",
                "year": 2010,
                "journal": "Clinical Journal of the American Society of Nephrology",
                "volume": 5,
                "pages": "1844-1859",
            },
            {
                "title": "Relative role of genetic complement abnormalities in sporadic and "
                "familial aHUS and their impact on clinical phenotype.",
                "author": "Noris M; Caprioli J; Bresin E",
                "year": 2010,
                "journal": "Clin J Am Soc Nephrol.",
                "volume": "5",
                "pages": "1844-59",
            },
        )
    )
    assert result.clusters == (("r0", "r1"),)


def test_translated_title_with_language_tag_matches() -> None:
    # stroke id_0000001 and id_0000002
    base = {
        "author": "Zhai, Q. J. and Yue, X. Y. and Hong, Z.",
        "year": 2010,
        "journal": "Chinese Journal of Cerebrovascular Diseases",
        "volume": 7,
        "pages": "73-76",
    }
    result = find_duplicates(
        frame(
            {
                **base,
                "title": "Efficacy observation of batroxobin for treatment of vascular "
                "cognitive impairment. [Chinese]",
            },
            {
                **base,
                "title": "Efficacy observation of batroxobin for treatment of vascular "
                "cognitive impairment",
            },
        )
    )
    assert result.clusters == (("r0", "r1"),)


def test_one_year_apart_needs_the_same_issue_placement() -> None:
    moved = {**ARTICLE, "year": 2007}
    assert find_duplicates(frame(ARTICLE, moved)).clusters == (("r0", "r1"),)
    bare = {"title": ARTICLE["title"], "author": ARTICLE["author"]}
    assert find_duplicates(frame({**bare, "year": 2006}, {**bare, "year": 2007})).clusters == ()


def test_short_generic_titles_need_the_issue_placement() -> None:
    editorial = {"title": "Editorial", "author": "Smith, J.", "year": 2010, "journal": "Stroke"}
    assert find_duplicates(frame(editorial, editorial)).clusters == ()
    placed = {**editorial, "volume": 41, "pages": "1"}
    assert find_duplicates(frame(placed, placed)).clusters == (("r0", "r1"),)


# haematology id_0000818 (placed) and id_0000819 (the same letter exported without placement).
LETTER = {
    "title": "Eculizumab in severe Shiga-toxin-associated HUS",
    "author": "Lapeyraque, A. L. and Malina, M. and Fremeaux-Bacchi, V. and Boppel, T. and "
    "Kirschfink, M. and Oualha, M. and Proulx, F.",
    "year": 2011,
    "journal": "New England Journal of Medicine",
    "volume": "364",
    "number": "26",
    "pages": "2561-2563",
}
RETITLED = {
    "title": "Complement Blockade in Severe Shiga-Toxin-Associated HUS",
    "author": "Lapeyraque, AL and Malina, M and Fremeaux-Bacchi, V and Boppel, T and Kirschfink, M",
    "year": 2011,
    "journal": "New Engl J Med",
}


def test_retitled_record_without_placement_joins_its_placed_twin() -> None:
    result = find_duplicates(frame(LETTER, RETITLED))
    assert result.clusters == (("r0", "r1"),)
    assert decision(result, "r0", "r1") == ("duplicate", "related_title_unplaced")


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"volume": "364", "pages": "2570"}, "both placed, on different pages"),
        ({"year": 2012}, "another year"),
        ({"journal": "Lancet"}, "another journal"),
        ({"author": "Malina, M and Lapeyraque, AL and Boppel, T"}, "another first author"),
        ({"author": "Lapeyraque, AL and Malina, M"}, "two authors do not make a group"),
        ({"title": "Complement blockade in atypical HUS after transplantation"}, "unrelated"),
    ],
)
def test_retitled_record_needs_every_piece_of_evidence(change: dict[str, object], why: str) -> None:
    result = find_duplicates(frame(LETTER, {**RETITLED, **change}))
    assert result.clusters == (), why


def test_two_unplaced_records_with_related_titles_are_only_shown_for_review() -> None:
    # Neither record is placed, so nothing says they are one item: a reviewer decides.
    unplaced = {k: v for k, v in LETTER.items() if k not in ("volume", "number", "pages")}
    result = find_duplicates(frame(unplaced, RETITLED))
    assert result.clusters == ()
    assert decision(result, "r0", "r1") == ("uncertain", "title_related")


# --- hard cases: never merged -----------------------------------------------------------------


def test_erratum_is_never_merged_as_a_duplicate_only_linked_as_a_companion() -> None:
    # haematology id_0000161 and id_0000162. The article's MEDLINE note cites the erratum;
    # with companions the erratum is linked to the article (kept), without it stays apart.
    article = {
        "title": "Long-term effect of the complement inhibitor eculizumab on kidney function in "
        "patients with paroxysmal nocturnal hemoglobinuria.[Erratum appears in Am J Hematol. "
        "2010 Nov;85(11):911]",
        "author": "Hillmen, P. and Elebute, M. and Kelly, R.",
        "year": 2010,
        "journal": "American Journal of Hematology",
        "volume": 85,
        "number": 8,
        "pages": "553-559",
    }
    erratum = {
        **article,
        "title": "Long-term effect of the complement inhibitor eculizumab on kidney function in "
        "patients with paroxysmal nocturnal hemoglobinuria (vol 85, pg 553, 2010)",
        "author": "Hillmen, P.",
        "number": 11,
        "pages": "911",
    }
    apart = find_duplicates(frame(erratum, article), companions=False)
    assert apart.clusters == ()
    assert decision(apart, "r0", "r1") == ("uncertain", "veto:kind_differs")
    linked = find_duplicates(frame(erratum, article))
    assert linked.clusters == (("r1", "r0"),)  # the article is kept, though it comes second
    assert decision(linked, "r0", "r1") == ("duplicate", "companion:erratum")


def test_reply_is_never_merged_as_a_duplicate_only_linked_as_a_companion() -> None:
    # haematology id_0000009 and id_0000040
    letter = {
        "title": "Atypical hemolytic uremic syndrome associated with group A beta hemolytic "
        "streptococcus",
        "author": "Yildiz, B. and Kural, N.",
        "year": 2004,
        "journal": "Pediatric Nephrology",
        "volume": 19,
        "pages": "943-944",
    }
    reply = {
        **letter,
        "title": str(letter["title"]) + " - Reply",
        "author": "Shepherd, A. B. and Palmer, A. L. and Baliga, R.",
        "pages": "945",
    }
    assert find_duplicates(frame(letter, reply), companions=False).clusters == ()
    linked = find_duplicates(frame(reply, letter))
    assert linked.clusters == (("r1", "r0"),)
    assert decision(linked, "r0", "r1") == ("duplicate", "companion:reply")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Part 1", "Part 2"),
        ("Part I", "Part II"),
        ("a phase II trial", "a phase III trial"),
        ("2019 update", "2020 update"),
    ],
)
def test_numbered_parts_are_not_merged(first: str, second: str) -> None:
    title = "Rehabilitation of cognitive deficits after stroke: a systematic review, "
    base = {"author": "Cicerone, K. D.", "year": 2011, "journal": "Arch Phys Med Rehabil"}
    result = find_duplicates(
        frame({**base, "title": title + first}, {**base, "title": title + second})
    )
    assert result.clusters == ()


def test_conference_paper_and_journal_version_are_not_merged() -> None:
    # special cases id_0000011 and id_0000012 (one year apart, two entry types)
    result = find_duplicates(
        frame(
            {
                "title": "Cultural Universality Versus Particularity in CMC",
                "author": "Stahl, Bernd Carsten and Elbeltagi, Ibrahim",
                "year": 2004,
                "journal": "Journal of Global Information Technology Management",
                "volume": 7,
                "pages": "47--65",
                "ENTRYTYPE": "article",
            },
            {
                "title": "Cultural Universality Versus Particularity in CMC",
                "author": "Stahl, Bernd-Carsten",
                "year": 2004,
                "booktitle": "Americas Conference on Information Systems",
                "ENTRYTYPE": "inproceedings",
            },
        )
    )
    assert result.clusters == ()


def test_conference_abstract_is_linked_to_the_full_paper_only_as_a_companion() -> None:
    # haematology id_0000128 (abstract, p. 1875) and id_0000129 (paper, pp. 2539-2542)
    base = {
        "title": "Neurological involvement in a child with atypical hemolytic uremic syndrome",
        "author": "Koehl, B. and Boyer, O. and Niaudet, P.",
        "year": 2010,
        "journal": "Pediatric Nephrology",
        "volume": 25,
    }
    records = frame({**base, "pages": "1875"}, {**base, "pages": "2539-2542"})
    apart = find_duplicates(records, companions=False)
    assert apart.clusters == ()
    assert decision(apart, "r0", "r1") == ("uncertain", "veto:pages_differ")
    linked = find_duplicates(records)
    assert linked.clusters == (("r1", "r0"),)  # the full paper is kept
    assert decision(linked, "r0", "r1") == ("duplicate", "companion:abstract")


def test_trial_registrations_differing_in_one_word_are_not_merged() -> None:
    # haematology id_0000245 and id_0000246: two trials, resistant and sensitive patients.
    stem = (
        "An open-label, multi-centre controlled clinical trial of eculizumab in adult patients "
        "with plasma therapy-{} atypical hemolytic uremic syndrome (AHUS)"
    )
    result = find_duplicates(
        frame(
            {"title": stem.format("resistant"), "year": 2012},
            {"title": stem.format("sensitive"), "year": 2012},
        )
    )
    assert result.clusters == ()


def test_record_without_title_is_never_merged_but_shown_for_review() -> None:
    # haematology id_0000001 and id_0000002
    result = find_duplicates(frame(ARTICLE, {**ARTICLE, "title": None}))
    assert result.clusters == ()
    assert decision(result, "r0", "r1") == ("uncertain", "title_missing")


def test_special_cases_set_gives_the_gold_clusters_and_flags_the_rest() -> None:
    records = pd.read_csv(DATA / "bibdedupe_special_cases" / "records_pre_merged.csv")
    result = find_duplicates(records)
    assert {frozenset(c) for c in result.clusters} == {
        frozenset({"id_0000001", "id_0000002"}),  # AMCIS paper, two proceedings names
        frozenset({"id_0000005", "id_0000006"}),
        frozenset({"id_0000007", "id_0000011"}),  # DOI in the note field of one record
    }
    # Same title, authors and venue in 2021 and 2022, different DOIs: two publications.
    assert decision(result, "id_0000003", "id_0000004") == ("uncertain", "veto:doi_differs")
    # Conference paper (2011) and journal article (2014) by the same group.
    assert "duplicate" not in str(decision(result, "id_0000009", "id_0000010"))


# --- the result ----------------------------------------------------------------------------


def test_nothing_is_deleted_every_id_has_a_link_row() -> None:
    records = pd.read_csv(DATA / "bibdedupe_stroke" / "records_pre_merged.csv")
    result = find_duplicates(records)
    links = result.links
    assert list(links.columns) == ["id", "duplicate_of"]
    assert links["id"].tolist() == records["ID"].tolist()
    targets = links["duplicate_of"].dropna()
    assert set(targets) <= set(records["ID"])
    # A record linked as a duplicate points at a kept record, never at another duplicate.
    assert links.set_index("id").loc[list(targets), "duplicate_of"].isna().all()
    assert len(targets) == result.n_duplicates
    assert result.to_frame()["id"].tolist() == records["ID"].tolist()


def test_kept_record_is_the_most_complete_and_comes_first() -> None:
    sparse = {k: ARTICLE[k] for k in ("title", "author", "year", "journal")}
    result = find_duplicates(frame(sparse, {**ARTICLE, "doi": "10.1097/01.bor.0000240369"}))
    assert result.clusters == (("r1", "r0"),)
    assert result.kept_ids == ("r1",)
    assert result.links["duplicate_of"].tolist() == ["r1", None]


def test_result_frame_summary_and_settings() -> None:
    result = find_duplicates(frame(ARTICLE, ARTICLE, {**ARTICLE, "title": "Another topic"}))
    table = result.to_frame()
    assert list(table.columns) == ["id", "cluster", "kept", "duplicate_of"]
    assert table["kept"].tolist() == [True, False, True]
    assert table["cluster"].isna().tolist() == [False, False, True]
    assert list(result.pairs.columns) == ["id_a", "id_b", "score", "rule", "decision"]
    assert set(result.pairs["decision"]) <= {"duplicate", "uncertain"}
    summary = result.summary()
    assert isinstance(summary, Summary)
    assert "records after de-duplication" in summary.as_text()
    assert dict((str(r[0]), r[1]) for r in summary.rows)["duplicate clusters"] == 1
    assert result.settings.threshold == 0.85
    assert ("title", "title") in result.settings.columns
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.n_records = 0  # type: ignore[misc]


def test_index_is_used_when_there_is_no_id_column() -> None:
    records = pd.DataFrame([ARTICLE, ARTICLE], index=[10, 20])
    assert find_duplicates(records).clusters == ((10, 20),)


def test_id_column_option_and_upper_case_id() -> None:
    records = pd.DataFrame([{"ID": "a", **ARTICLE}, {"ID": "b", **ARTICLE}])
    assert find_duplicates(records).clusters == (("a", "b"),)
    renamed = records.rename(columns={"ID": "key"})
    assert find_duplicates(renamed, id_column="key").clusters == (("a", "b"),)


def test_thresholds_move_pairs_between_duplicate_and_uncertain() -> None:
    records = frame(ARTICLE, {**ARTICLE, "journal": "Curr Opin Rheumatol", "pages": "548"})
    assert find_duplicates(records).clusters == (("r0", "r1"),)
    strict = find_duplicates(records, threshold=1.0, uncertain_threshold=0.5)
    assert strict.clusters == ()
    assert decision(strict, "r0", "r1") is not None


# --- errors --------------------------------------------------------------------------------


def test_empty_frame_is_a_data_error() -> None:
    with pytest.raises(DataError, match="no records"):
        find_duplicates(pd.DataFrame(columns=["id", "title"]))


def test_frame_without_title_column_is_a_data_error() -> None:
    with pytest.raises(DataError, match="no title column") as caught:
        find_duplicates(pd.DataFrame({"id": [1, 2], "author": ["A, B.", "C, D."]}))
    assert caught.value.location is not None
    assert caught.value.location.field == "title"
    assert "id, author" in str(caught.value)


def test_repeated_ids_are_a_data_error() -> None:
    with pytest.raises(DataError, match="id 'x' is used by rows 0 and 1"):
        find_duplicates(pd.DataFrame({"id": ["x", "x"], "title": ["A", "B"]}))


def test_missing_id_is_a_data_error() -> None:
    with pytest.raises(DataError, match="has no id"):
        find_duplicates(pd.DataFrame({"id": ["x", None], "title": ["A", "B"]}))


def test_unknown_id_column_is_a_data_error() -> None:
    with pytest.raises(DataError, match="id_column='nope'"):
        find_duplicates(frame(ARTICLE), id_column="nope")


def test_not_a_frame_is_a_data_error() -> None:
    with pytest.raises(DataError, match="DataFrame"):
        find_duplicates([ARTICLE])  # type: ignore[arg-type]


@pytest.mark.parametrize(("threshold", "uncertain"), [(1.5, 0.7), (0.85, -0.1), (0.6, 0.7)])
def test_bad_thresholds_are_errors(threshold: float, uncertain: float) -> None:
    with pytest.raises(EvsynthError):
        find_duplicates(frame(ARTICLE), threshold=threshold, uncertain_threshold=uncertain)


# --- building blocks -------------------------------------------------------------------------


def test_pairwise_metrics_counts_pairs_within_clusters() -> None:
    metrics = pairwise_metrics([["a", "b", "c"]], [["a", "b"], ["c", "d"]])
    assert (metrics["tp"], metrics["fp"], metrics["fn"]) == (1, 2, 1)
    assert metrics["precision"] == pytest.approx(1 / 3)
    assert metrics["recall"] == pytest.approx(1 / 2)
    assert metrics["f1"] == pytest.approx(0.4)
    assert pairwise_metrics([], [["a", "b"]])["precision"] == 1.0
    assert pairwise_metrics([("a", "b")], [])["recall"] == 1.0


def test_union_find_joins_chains_into_one_cluster() -> None:
    import numpy as np

    forest = UnionFind(5)
    forest.union(0, 1)
    forest.union(3, 4)
    forest.union(1, 4)
    assert forest.find(0) == forest.find(3)
    assert forest.find(2) == 2
    clusters = cluster_rows(6, np.array([0, 2, 5]), np.array([1, 1, 4]))
    assert clusters == [[0, 1, 2], [4, 5]]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("nat rev nephrol", "nature reviews nephrology", True),
        ("j am soc nephrol", "journal american society nephrology", True),
        ("clin j am soc nephrol", "clinical journal american society nephrology cjasn", True),
        ("blood", "blood reviews", False),
        ("nephrology", "pediatric nephrology", False),
    ],
)
def test_journal_abbreviations(a: str, b: str, expected: bool) -> None:
    assert is_abbreviation(a, b) is expected


def test_blocking_scores_a_small_share_of_all_pairs() -> None:
    records = pd.read_csv(DATA / "bibdedupe_haematology" / "records_pre_merged.csv")
    prepared = prepare(records, resolve_columns(records, None))
    pairs = candidate_pairs(prepared)
    n = len(records)
    # The blocking keys and windows, not an all-pairs loop, bound the work.
    assert len(pairs) < 0.05 * n * (n - 1) / 2
    assert (pairs.left < pairs.right).all()
    codes = pairs.left * n + pairs.right
    assert len(set(codes.tolist())) == len(pairs)
