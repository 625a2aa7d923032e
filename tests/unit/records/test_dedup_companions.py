"""Companion links: errata, replies, comments and abstracts linked to their main report.

Records marked with an id ("haematology id_0000117") are copied or shortened from the
McKeown & Mir (2021) sets as prepared in CoLRev-Environment/bib-dedupe (MIT), in
tests/data/dedup/. The others are written for the test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evsynth.records.dedup import DedupResult, find_duplicates
from evsynth.records.dedup.clusters import attach_companions

DATA = Path(__file__).resolve().parents[2] / "data" / "dedup"

# haematology id_0000117: the article, whose MEDLINE note cites its erratum at 9(9):2205.
ARTICLE = {
    "title": "Anti-Factor H autoantibodies in a fifth renal transplant recipient with atypical "
    "hemolytic and uremic syndrome.[Erratum appears in Am J Transplant. 2009 Sep;9(9):2205 "
    "Note: Niauif, P [added]]",
    "author": "Le Quintrec, M. and Zuber, J. and Noel, L. H. and Thervet, E.",
    "year": 2009,
    "journal": "American Journal of Transplantation",
    "volume": 9,
    "number": 5,
    "pages": "1223-1229",
}
TITLE = (
    "Anti-Factor H Autoantibodies in a Fifth Renal Transplant Recipient with Atypical "
    "Hemolytic and Uremic Syndrome."
)


def frame(*records: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame([{"id": f"r{k}", **r} for k, r in enumerate(records)])


def decision(result: DedupResult, a: str, b: str) -> tuple[str, str] | None:
    """(decision, rule) of the pair a-b, or None when it was not listed at all."""
    pairs = result.pairs
    hit = pairs[
        ((pairs["id_a"] == a) & (pairs["id_b"] == b))
        | ((pairs["id_a"] == b) & (pairs["id_b"] == a))
    ]
    if hit.empty:
        return None
    return str(hit["decision"].iloc[0]), str(hit["rule"].iloc[0])


# --- errata and retractions -----------------------------------------------------------------


def test_erratum_printed_under_the_articles_title_is_linked_when_the_article_cites_it() -> None:
    # haematology id_0000807: the correction repeats the title; only its placement, which the
    # article's note cites, tells it from the article.
    correction = {**ARTICLE, "title": TITLE, "number": 9, "pages": "2205-2205"}
    result = find_duplicates(frame(correction, ARTICLE))
    assert result.clusters == (("r1", "r0"),)
    assert decision(result, "r0", "r1") == ("duplicate", "companion:erratum")
    assert result.n_companions == 1


def test_erratum_the_article_does_not_cite_is_only_listed_for_review() -> None:
    # haematology id_0000019 and id_0000020: the article's note is cut off before the
    # erratum's placement, and the gold standard keeps the two apart.
    article = {
        "title": "Severe deficiency of the specific von Willebrand factor-cleaving protease "
        "(ADAMTS 13) activity in a subgroup of children with atypical hemolytic uremic "
        "syndrome.[Erratum appears in J Pediatr. 2003 Jun",
        "author": "Veyradier, A. and Obert, B. and Haddad, E.",
        "year": 2003,
        "journal": "Journal of Pediatrics",
        "volume": 142,
        "number": 3,
        "pages": "310-317",
    }
    erratum = {
        **article,
        "title": "Erratum: Severe deficiency of the specific von Willebrand factor-cleaving "
        "protease (ADAMTS 13) activity in a sub-group of children with atypical hemolytic "
        "uremic syndrome (The Journal of Pediatrics (M",
        "author": "Veyradier,",
        "number": 6,
        "pages": "616-616",
    }
    result = find_duplicates(frame(article, erratum))
    assert result.clusters == ()
    assert decision(result, "r0", "r1") == ("uncertain", "companion:erratum:uncited")


def test_retraction_notice_cited_by_the_article_is_linked() -> None:
    article = {
        "title": "Intensive rehabilitation of arm function after stroke: a randomised trial."
        "[Retraction in: Stroke Rehabil. 2012 Feb;30(2):150]",
        "author": "Smith, A. and Jones, B. and Brown, C.",
        "year": 2011,
        "journal": "Stroke Rehabilitation",
        "volume": 29,
        "number": 4,
        "pages": "301-309",
    }
    notice = {
        "title": "Retraction notice: Intensive rehabilitation of arm function after stroke: a "
        "randomised trial",
        "author": "Smith, A.",
        "year": 2012,
        "journal": "Stroke Rehabil",
        "volume": 30,
        "number": 2,
        "pages": "150",
    }
    result = find_duplicates(frame(notice, article))
    assert result.clusters == (("r1", "r0"),)
    assert decision(result, "r0", "r1") == ("duplicate", "companion:retraction")


# --- replies and comments -------------------------------------------------------------------

LETTER = {
    "title": "Atypical hemolytic uremic syndrome associated with group A beta hemolytic "
    "streptococcus",
    "author": "Yildiz, B. and Kural, N. and Yarar, C.",
    "year": 2004,
    "journal": "Pediatric Nephrology",
    "volume": 19,
    "number": 8,
    "pages": "943-944",
}


def test_reply_by_other_authors_printed_after_the_letter_is_linked() -> None:
    # haematology id_0000009 and id_0000039
    reply = {
        **LETTER,
        "title": str(LETTER["title"]) + " - Reply",
        "author": "Shepherd, Amy B. and Palmer, April L. and Baliga, Radhakrishna",
        "pages": "945",
    }
    result = find_duplicates(frame(LETTER, reply))
    assert result.clusters == (("r0", "r1"),)
    assert decision(result, "r0", "r1") == ("duplicate", "companion:reply")


def test_reply_by_other_authors_elsewhere_in_the_volume_is_not_linked() -> None:
    reply = {
        **LETTER,
        "title": str(LETTER["title"]) + " - Reply",
        "author": "Shepherd, A. B. and Palmer, A. L.",
        "number": 11,
        "pages": "1290",
    }
    assert find_duplicates(frame(LETTER, reply)).clusters == ()


def test_comment_on_an_article_is_linked() -> None:
    comment = {
        "title": "Comment on: Atypical hemolytic uremic syndrome associated with group A beta "
        "hemolytic streptococcus",
        "author": "Taylor, M.",
        "year": 2004,
        "journal": "Pediatr Nephrol",
        "volume": 19,
        "number": 12,
        "pages": "1410",
    }
    result = find_duplicates(frame(comment, LETTER))
    assert result.clusters == (("r1", "r0"),)
    assert decision(result, "r0", "r1") == ("duplicate", "companion:comment")


def test_reply_that_fits_two_different_articles_joins_neither() -> None:
    # The authors' reply to a letter fits both the letter (printed right before it) and the
    # authors' own article (same authors): a companion never bridges two reports.
    title = "Eculizumab in severe Shiga-toxin-associated haemolytic uraemic syndrome"
    article = {
        "title": title,
        "author": "Lapeyraque, A. L. and Malina, M. and Niaudet, P.",
        "year": 2011,
        "journal": "New England Journal of Medicine",
        "volume": 364,
        "pages": "2561-2563",
    }
    letter = {
        **article,
        "author": "Kielstein, J. T. and Beutel, G.",
        "year": 2012,
        "volume": 365,
        "pages": "1210",
    }
    reply = {
        **letter,
        "title": title + " - Reply",
        "author": "Lapeyraque, A. L. and Malina, M. and Niaudet, P.",
        "pages": "1211",
    }
    result = find_duplicates(frame(article, letter, reply))
    assert result.clusters == ()
    assert decision(result, "r0", "r2") == ("uncertain", "companion:reply:ambiguous")
    assert decision(result, "r1", "r2") == ("uncertain", "companion:reply:ambiguous")


# --- abstracts ------------------------------------------------------------------------------


def test_abstract_printed_twice_in_one_issue_is_linked() -> None:
    # stroke id_0000014 and id_0000015: one meeting abstract on two pages of one issue.
    base = {
        "author": "Yablon, S. and Sherer, M. and Nakase-Richardson, R. and Todd, N.",
        "year": 2010,
        "journal": "Archives of Physical Medicine and Rehabilitation",
        "volume": 91,
        "number": 10,
    }
    title = (
        "Amantadine hydrochloride for treatment of symptoms of the posttraumatic confusional "
        "state: A randomized, double-blind, placebo-controlled trial"
    )
    result = find_duplicates(
        frame(
            {**base, "title": title.replace("symptoms", "symptom's"), "pages": "e8-e9"},
            {**base, "title": title, "pages": "e3"},
        )
    )
    assert result.clusters == (("r0", "r1"),)
    assert decision(result, "r0", "r1") == ("duplicate", "companion:abstract")


def test_brief_items_in_different_issues_with_other_authors_are_not_linked() -> None:
    # haematology id_0000706 and id_0001374: a two-page letter and a meeting abstract of the
    # same title one issue apart, kept apart by the gold standard.
    base = {
        "title": "Successful combined liver and kidney transplantation in a child with "
        "hypocomplementemic atypical haemolytic uremic syndrome (aHUS) due to a factor B "
        "mutation",
        "year": 2011,
        "journal": "Pediatric Nephrology",
        "volume": 26,
    }
    result = find_duplicates(
        frame(
            {**base, "author": "Melgar, A. A. and Melgosa, M.", "number": 8, "pages": "1355-6"},
            {**base, "author": "Alonso, A. and Melgosa, M.", "number": 9, "pages": "1598"},
        )
    )
    assert result.clusters == ()


def test_one_abstract_in_two_journals_is_only_listed_for_review() -> None:
    # stroke id_0000428 and id_0000429: the gold standard joins this pair but not the same
    # case in id_0001024/id_0001025, so evsynth leaves both to a reviewer.
    base = {
        "title": "Stroke and aphasia; overcoming the challenges of capacity evaluation",
        "author": "Carling-Rowland, A. and Black, S. and McDonald, L. and Kagan, A.",
        "year": 2010,
    }
    result = find_duplicates(
        frame(
            {**base, "journal": "Canadian Journal of Neurological Sciences", "volume": 37,
             "number": 3, "pages": "S42"},
            {**base, "journal": "Stroke", "volume": 41, "number": 7, "pages": "e505"},
        )
    )  # fmt: skip
    assert result.clusters == ()
    assert decision(result, "r0", "r1") == ("uncertain", "companion:abstract:review")


def test_dissertation_abstract_and_thesis_are_only_listed_for_review() -> None:
    # stroke id_0000009 and id_0000010
    base = {
        "title": "An intelligent rehabilitation system for cognitive rehabilitation",
        "author": "Yip, Chi Bun",
    }
    result = find_duplicates(
        frame(
            {**base, "year": 2012, "volume": 73, "number": "3-B", "pages": "1524",
             "journal": "Dissertation Abstracts International: Section B"},
            {**base, "year": 2011, "volume": "Ph.D.", "pages": "215 p"},
        )
    )  # fmt: skip
    assert result.clusters == ()
    assert decision(result, "r0", "r1") == ("uncertain", "companion:abstract:review")


# --- never merged ---------------------------------------------------------------------------


def test_trial_registrations_for_different_populations_stay_apart() -> None:
    # haematology id_0000234 to id_0000237: four registrations, adults and adolescents,
    # plasma-sensitive and plasma-resistant. The gold standard joins them; they are four
    # trials.
    records = pd.read_csv(DATA / "bibdedupe_haematology" / "records_pre_merged.csv")
    ids = [f"id_{k:07d}" for k in range(234, 238)] + ["id_0000245", "id_0000246"]
    result = find_duplicates(records[records["ID"].isin(ids)])
    assert result.clusters == ()
    assert not any(str(r).startswith("companion:") for r in result.pairs["rule"])


@pytest.mark.parametrize(("first", "second"), [("Part 1", "Part 2"), ("phase II", "phase III")])
def test_numbered_parts_are_never_companions(first: str, second: str) -> None:
    base = {
        "author": "Cicerone, K. D. and Langenbahn, D. M.",
        "year": 2011,
        "journal": "Archives of Physical Medicine and Rehabilitation",
        "volume": 92,
    }
    title = "Evidence-based cognitive rehabilitation after stroke and brain injury: "
    result = find_duplicates(
        frame(
            {**base, "title": title + first, "pages": "519-530"},
            {**base, "title": title + second, "pages": "e12"},  # an abstract of the other part
            {**base, "title": "Erratum: " + title + second, "pages": "1402"},
            {**base, "title": title + first + " - Reply", "pages": "531"},
        )
    )
    # Only the reply on the first part joins it; nothing joins the two parts.
    assert result.clusters == (("r0", "r3"),)
    assert decision(result, "r0", "r3") == ("duplicate", "companion:reply")
    for a, b in (("r0", "r1"), ("r0", "r2"), ("r1", "r3")):
        assert "companion" not in str(decision(result, a, b))


def test_conference_paper_and_journal_version_stay_apart_with_companions() -> None:
    records = pd.read_csv(DATA / "bibdedupe_special_cases" / "records_pre_merged.csv")
    result = find_duplicates(records)
    assert {frozenset(c) for c in result.clusters} == {
        frozenset({"id_0000001", "id_0000002"}),
        frozenset({"id_0000005", "id_0000006"}),
        frozenset({"id_0000007", "id_0000011"}),
    }
    assert result.n_companions == 0


def test_companions_false_links_no_companion() -> None:
    records = pd.read_csv(DATA / "bibdedupe_haematology" / "records_pre_merged.csv")
    result = find_duplicates(records, companions=False)
    assert result.n_companions == 0
    assert result.settings.companions is False
    assert find_duplicates(records).n_companions > 0


def test_kept_record_of_a_cluster_with_companions_is_never_a_companion() -> None:
    records = pd.read_csv(DATA / "bibdedupe_haematology" / "records_pre_merged.csv")
    result = find_duplicates(records)
    linked = result.pairs[result.pairs["rule"].astype(str).str.startswith("companion:")]
    linked = linked[linked["decision"] == "duplicate"]
    kept = set(result.kept_ids)
    companions = {"id_0000039", "id_0000040", "id_0000057", "id_0000058", "id_0000162"}
    companions |= {"id_0000807", "id_0000808", "id_0000128", "id_0000220", "id_0001173"}
    assert set(linked["id_a"]) | set(linked["id_b"]) >= companions
    assert not kept & companions


# --- the two misses that are not companions ----------------------------------------------------


def test_placement_shifted_one_field_still_matches() -> None:
    # haematology id_0000105 and id_0000106: volume 26, issue 9 exported as issue 26, pages 9.
    base = {
        "title": "The treatment of atypical hus",
        "author": "Loirat, C.",
        "year": 2011,
        "journal": "Pediatric Nephrology.Conference: 44th Annual Scientific Meeting of the ESPN",
    }
    result = find_duplicates(
        frame({**base, "number": 26, "pages": "9"}, {**base, "volume": 26, "number": 9,
                                                      "pages": "1746-1746"})
    )  # fmt: skip
    assert result.clusters == (("r1", "r0"),)
    shifted_once = find_duplicates(
        frame({**base, "number": 26, "pages": "8"}, {**base, "volume": 26, "number": 9,
                                                      "pages": "1746-1746"})
    )  # fmt: skip
    assert shifted_once.clusters == ()


# --- attaching companions -------------------------------------------------------------------


def test_attach_companions_never_bridges_two_clusters() -> None:
    # Rows 0-1 are one article, row 2 another; row 3 is a notice matching both, row 4 a
    # notice matching the first only.
    notice = np.array([False, False, False, True, True])
    clustering = attach_companions(
        5,
        np.array([0]),
        np.array([1]),
        np.array([3, 3, 4]),
        np.array([0, 2, 1]),
        notice=notice,
        brief=notice,
        completeness=np.array([3, 5, 4, 9, 9]),
    )
    assert clustering.clusters == [[1, 0, 4]]  # the article's most complete record is kept
    assert clustering.accepted.tolist() == [False, False, True]


def test_attach_companions_follows_a_chain_to_the_main_report() -> None:
    # Row 0 a paper, row 1 its meeting abstract, row 2 an erratum matching both.
    clustering = attach_companions(
        3,
        np.empty(0, np.int64),
        np.empty(0, np.int64),
        np.array([1, 2, 2]),
        np.array([0, 0, 1]),
        notice=np.array([False, False, True]),
        brief=np.array([False, True, True]),
        completeness=np.array([1, 9, 9]),
    )
    assert clustering.clusters == [[0, 1, 2]]
    assert clustering.accepted.all()


def test_summary_counts_companion_links() -> None:
    correction = {**ARTICLE, "title": TITLE, "number": 9, "pages": "2205-2205"}
    result = find_duplicates(frame(ARTICLE, correction))
    rows = {str(r[0]).strip(): r[1] for r in result.summary().rows}
    assert rows["of which companions linked to their report"] == 1
    assert "companions = True" in result.summary().as_text()
