"""Companion links: an erratum, a reply, a comment or an abstract linked to its main report.

A database search returns, besides each article, items that repeat its title without being
another study: the erratum that corrects it, a retraction notice, the authors' reply to a
letter, a comment on it, the meeting abstract that preceded it, the same abstract printed
twice in one issue. The gold standard of the McKeown & Mir (2021,
doi:10.1186/s13643-021-01583-y) sets puts many of them in the article's cluster, and for
screening they belong there: none needs screening on its own, and none can add a study that
the article does not.

Linking one to its article is safe because evsynth stores duplicates as links to a kept record
and deletes nothing: the companion stays in the database, visible under its article, and a
reviewer can undo the link. Safeguards keep a companion from joining two studies:

- A companion attaches to a single main report (:func:`.clusters.attach_companions`): when
  its links reach the clusters of two different reports, none is made, and the pairs are
  listed as uncertain (``companion:<kind>:ambiguous``). Companions therefore never bridge two
  clusters of primary reports, and the kept record of a cluster is always its main report,
  never a companion.
- The vetoes that separate different reports still apply: numbered parts, phases and editions
  (``title_numbers_differ``), a conference paper and its journal version (entry types), and
  for abstracts conflicting DOIs or PMIDs. Trial registrations that differ in a population
  word ("adult"/"adolescent", "sensitive"/"resistant") have no venue and never qualify.

Some companions are listed as uncertain for a reviewer instead of linked, because the
evidence does not settle them and the gold standard itself links some and keeps others
apart: an erratum matched by its title alone, which the article's record does not cite
(``companion:erratum:uncited``; haematology id_0000019/020 and stroke id_0000615/616 are kept
apart, while every cited erratum is joined), and one abstract printed in two journals or a
Dissertation Abstracts entry beside its thesis (``companion:abstract:review``; the gold
standard joins stroke id_0000428/429 and id_0000009/010 but not id_0001024/1025,
id_0000892/893 or haematology id_0000326/327, id_0000328/329).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from evsynth.records.dedup.compare import MIN_CONTAINED_TITLE, PairFeatures
from evsynth.records.dedup.fields import MISSING, PreparedRecords
from evsynth.records.dedup.rules import (
    AUTHORS_CONFLICT,
    AUTHORS_SAME,
    JOURNAL_SAME,
    TITLE_SAME,
    TITLE_SIMILAR,
    at_least,
    below,
    equals,
)

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

# Kinds of notice (normalise.record_kind) that are companions of the item they concern.
NOTICE_KINDS = ("erratum", "retraction", "reply", "comment")
# A companion's title must be at least this long (normalised characters): short titles
# ("Atypical hemolytic uremic syndrome") are shared by different items of one journal year.
MIN_COMPANION_TITLE = MIN_CONTAINED_TITLE
# A reply by other authors than the letter's is printed right after it: its first page lies
# within the letter's pages or at most this many pages after them.
REPLY_PAGE_GAP = 5
# Two printings of one abstract list the same authors: token-set similarity of surnames, with
# the same first author and as many authors.
AUTHORS_IDENTICAL = 0.95
# An item of at most this many pages (last minus first) is an abstract, a letter or a notice;
# a full paper spans more.
BRIEF_PAGES = 1


@dataclass(frozen=True, slots=True)
class CompanionMatches:
    """Per scored pair, the companion rule that links it (``rule``) or the companion label it
    is listed for review under (``review``), ``""`` where none; per record, whether it is a
    notice and whether it is a brief item (used to rank main reports before companions)."""

    rule: npt.NDArray[np.object_]
    review: npt.NDArray[np.object_]
    notice: BoolArray
    brief: BoolArray


def notice_records(records: PreparedRecords) -> BoolArray:
    """Records whose title marks an erratum, retraction notice, reply or comment."""
    return np.array([kind in NOTICE_KINDS for kind in records.kind], dtype=bool)


def brief_records(records: PreparedRecords) -> BoolArray:
    """Records placed like a meeting abstract or short item: a supplement, a conference
    journal, Dissertation Abstracts, or one or two pages."""
    first, last = records.page_first, records.page_last
    short = (first != MISSING) & ((last == MISSING) | (last - first <= BRIEF_PAGES))
    return np.asarray(short | records.meeting_abstract, dtype=bool)


def _full_records(records: PreparedRecords) -> BoolArray:
    """Records with a page range longer than a brief item's, and no meeting-abstract mark."""
    first, last = records.page_first, records.page_last
    spans = (first != MISSING) & (last != MISSING) & (last - first > BRIEF_PAGES)
    return np.asarray(spans & ~records.meeting_abstract, dtype=bool)


def companion_rules(
    features: PairFeatures, records: PreparedRecords, consider: BoolArray | None = None
) -> CompanionMatches:
    """Companion rules for the pairs in ``consider`` (all by default); see
    :func:`match_companions` for the rules. Every rule needs close titles of companion
    length, so only those pairs are examined, which keeps the cost proportional to them."""
    n = features.left.size
    lengths = np.fromiter((len(t) for t in records.title), dtype=np.int64, count=len(records))
    close = at_least(features.title, TITLE_SIMILAR) | features.title_contained
    close &= np.minimum(lengths[features.left], lengths[features.right]) >= MIN_COMPANION_TITLE
    if consider is not None:
        close &= consider
    where = np.flatnonzero(close)
    subset = PairFeatures(
        **{f.name: getattr(features, f.name)[where] for f in dataclasses.fields(PairFeatures)}
    )
    found = match_companions(subset, records)
    rule = np.full(n, "", dtype=object)
    review = np.full(n, "", dtype=object)
    rule[where] = found.rule
    review[where] = found.review
    return CompanionMatches(rule=rule, review=review, notice=found.notice, brief=found.brief)


def match_companions(features: PairFeatures, records: PreparedRecords) -> CompanionMatches:
    """The companion rule each pair meets, first match named; see the module docstring.

    Linked (``rule``):

    ``companion:erratum`` / ``companion:retraction``
        The article's record cites the notice: MEDLINE's "[Erratum appears in ...]" note
        names the notice's volume and its issue or first page. The notice is marked as one
        ("Erratum: ...", "(vol 85, pg 553, 2010)") or printed under the article's own title;
        the titles agree, in the same journal, at most a year apart, with authors that do
        not conflict (a notice often lists one author).
    ``companion:reply``
        A reply with the title of the letter or article it answers, in the same journal within
        a year, by the same authors or printed right after it (same volume, first page at
        most :data:`REPLY_PAGE_GAP` pages after it).
    ``companion:comment``
        A comment ("Comment on: ...", "Re: ...") with the title of the article, in the same
        journal, in the same year or volume.
    ``companion:abstract``
        Two ordinary items with the same long title, the same authors, journal, volume and
        year, and either a brief item (a meeting abstract, or a correction printed under the
        article's own title) beside a full paper, or the same brief item printed twice in
        one issue by the same authors.

    Listed for review (``review``): ``companion:erratum:uncited`` (or ``retraction``), an
    erratum that meets the erratum rule except that the article does not cite it; and
    ``companion:abstract:review``, one abstract printed in two journals (both brief, one in
    a supplement, identical author lists) or a Dissertation Abstracts entry and its thesis.
    """
    left, right = features.left, features.right
    notice = notice_records(records)
    brief = brief_records(records)
    kinds = np.asarray(records.kind, dtype=object)
    kind_left, kind_right = kinds[left], kinds[right]
    plain_left, plain_right = kind_left == "", kind_right == ""
    lengths = np.fromiter((len(t) for t in records.title), dtype=np.int64, count=len(records))
    long_title = np.minimum(lengths[left], lengths[right]) >= MIN_COMPANION_TITLE
    year_same = equals(features.year_gap, 0)
    year_close = year_same | equals(features.year_gap, 1)
    journal_same = at_least(features.journal, JOURNAL_SAME)
    volume_same = equals(features.volume_equal, 1)
    authors_same = at_least(features.authors, AUTHORS_SAME)
    n_authors = records.n_authors
    authors_identical = (
        at_least(features.authors, AUTHORS_IDENTICAL)
        & features.first_author
        & (n_authors[left] == n_authors[right])
    )

    # Notices: one side is a notice (or, when cited, an item under the article's title) and
    # the other an ordinary item with the same title in the same journal.
    title_close = at_least(features.title, TITLE_SIMILAR) | features.title_contained
    about = long_title & title_close & journal_same & year_close
    about &= ~features.numbers_differ & ~features.entry_differs
    notice_kind = np.where(notice[left] & plain_right, kind_left, "")
    notice_kind = np.where(notice[right] & plain_left, kind_right, notice_kind)
    cited, left_cited = _cited(records, left, right)
    authors_fit = ~below(features.authors, AUTHORS_CONFLICT)
    correction = about & authors_fit & np.isin(notice_kind, ("erratum", "retraction"))
    correction_kind = np.where(
        notice_kind != "", notice_kind, np.where(cited != "", cited, "erratum")
    )
    cited_correction = (
        about
        & authors_fit
        & (cited != "")
        & (np.isin(notice_kind, ("erratum", "retraction")) | (plain_left & plain_right))
    )
    adjacent = volume_same & _follows(records, left, right, notice[left])
    reply = about & (notice_kind == "reply") & (authors_same | adjacent)
    comment = about & (notice_kind == "comment") & (year_same | volume_same)

    # Abstracts and other brief items: two ordinary items.
    plain = plain_left & plain_right & long_title
    plain &= ~features.numbers_differ & ~features.entry_differs
    plain &= ~equals(features.same_doi, 0) & ~equals(features.same_pmid, 0)
    title_same = at_least(features.title, TITLE_SAME)
    same_work = plain & title_same & authors_same & year_same
    full = _full_records(records)
    issue = records.issue
    issue_fits = (issue[left] == issue[right]) | (issue[left] == MISSING)
    issue_fits |= issue[right] == MISSING
    # On the same first page, two records are one item, for the duplicate rules to decide.
    in_volume = same_work & journal_same & volume_same & equals(features.pages_equal, 0)
    abstract = in_volume & (
        (brief[left] & full[right])
        | (brief[right] & full[left])
        | (brief[left] & brief[right] & issue_fits & authors_identical)
    )
    supplement = records.meeting_abstract
    encore = (
        same_work
        & authors_identical
        & brief[left]
        & brief[right]
        & (supplement[left] | supplement[right])
    )
    abstracts, theses = records.dissertation_abstract, records.thesis
    dissertation = (
        plain_left
        & plain_right
        & long_title
        & ~features.numbers_differ
        & title_same
        & authors_identical
        & year_close
        & ((abstracts[left] & theses[right]) | (abstracts[right] & theses[left]))
    )

    rule = np.full(left.size, "", dtype=object)
    for name, holds in (
        ("companion:erratum", cited_correction & (correction_kind == "erratum")),
        ("companion:retraction", cited_correction & (correction_kind == "retraction")),
        ("companion:reply", reply),
        ("companion:comment", comment),
        ("companion:abstract", abstract),
    ):
        rule[holds & (rule == "")] = name
    # A record at the placement an article's note cites is that article's notice, whatever
    # its title says, and ranks after the article.
    linked_cited = rule != ""
    notice = notice.copy()
    notice[left[linked_cited & (cited != "") & left_cited]] = True
    notice[right[linked_cited & (cited != "") & ~left_cited]] = True
    review = np.full(left.size, "", dtype=object)
    uncited = np.flatnonzero(correction & (rule == ""))
    review[uncited] = [f"companion:{notice_kind[k]}:uncited" for k in uncited.tolist()]
    review[(encore | dissertation) & (rule == "") & (review == "")] = "companion:abstract:review"
    return CompanionMatches(rule=rule, review=review, notice=notice, brief=brief)


def _cited(
    records: PreparedRecords, left: IntArray, right: IntArray
) -> tuple[npt.NDArray[np.str_], BoolArray]:
    """Per pair, the kind of notice (``"erratum"``, ``"retraction"``, else ``""``) that one
    record's title note cites at the other record's placement (same volume, and same issue
    or first page), and whether the cited record is the left one."""
    kind = np.full(left.size, "", dtype=object)
    left_cited = np.zeros(left.size, dtype=bool)
    citing = records.cited_notices
    cites = np.array([bool(c) for c in citing], dtype=bool)
    volume, issue, page = records.volume, records.issue, records.page_first
    for k in np.flatnonzero(cites[left] | cites[right]).tolist():
        i, j = int(left[k]), int(right[k])
        for article, notice in ((i, j), (j, i)):
            for cited_kind, cited_volume, cited_issue, cited_page in citing[article]:
                if cited_volume != volume[notice]:
                    continue
                if (cited_issue is not None and cited_issue == issue[notice]) or (
                    cited_page == page[notice]
                ):
                    kind[k] = cited_kind
                    left_cited[k] = notice == i
    return kind.astype(str), left_cited


def _follows(
    records: PreparedRecords, left: IntArray, right: IntArray, left_is_notice: BoolArray
) -> BoolArray:
    """Whether the notice's first page lies within the other item's pages or at most
    :data:`REPLY_PAGE_GAP` pages after them."""
    notice = np.where(left_is_notice, left, right)
    other = np.where(left_is_notice, right, left)
    first = records.page_first
    start = first[other]
    end = np.where(records.page_last[other] == MISSING, start, records.page_last[other])
    page = first[notice]
    return np.asarray(
        (page != MISSING) & (start != MISSING) & (page >= start) & (page <= end + REPLY_PAGE_GAP),
        dtype=bool,
    )
