"""Decision rules: which scored pairs are duplicates, which need a reviewer, which differ.

The decision is a small set of named rules rather than one cut on a weighted score, because
the fields are not interchangeable: a shared DOI settles a pair, a near-identical title settles
nothing without corroboration (trial registrations and conference abstracts reuse titles), and
some differences rule a merge out whatever the rest says (an erratum is not its article; "Part
1" is not "Part 2"). An erratum, a reply or a meeting abstract that belongs to an article is
linked to it separately, as a companion (:mod:`.companions`), never as a duplicate. The structure follows bib-dedupe's matching conditions (Wagner et al.,
CoLRev-Environment/bib-dedupe, MIT) and ASySD (Hair et al. 2023, BMC Biology 21:189,
doi:10.1186/s12915-023-01686-z): title, authors and venue first, then the numeric fields,
which may be missing but must not contradict.

Every rule names the evidence it needs, and its name is stored with the pair (``rule``) so
that a reviewer can see why two records were linked; a veto names the contradiction that kept
a pair apart. Precision comes first: a false merge silently drops a study from the review,
while a missed duplicate costs a reviewer one extra record to screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from evsynth.records.dedup.compare import WEIGHTS, PairFeatures

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

DIFFERENT, UNCERTAIN, DUPLICATE = 0, 1, 2
DECISION_LABELS = {DUPLICATE: "duplicate", UNCERTAIN: "uncertain"}

# Agreement cut-offs for single fields, on rapidfuzz's 0-100 scale divided by 100.
TITLE_SAME = 0.95  # case, punctuation and one-word typos in a 100-character title
TITLE_SIMILAR = 0.90
TITLE_RELATED = 0.70  # a translation or re-wording, only with the venue and pages matching
AUTHORS_SAME = 0.85  # token-set ratio of surnames: initials and truncated lists differ
AUTHORS_CONFLICT = 0.50
JOURNAL_SAME = 0.85
JOURNAL_CONFLICT = 0.60
ABSTRACT_SAME = 0.90


@dataclass(frozen=True, slots=True)
class Decisions:
    """Score, decision code and rule name for each scored pair."""

    score: FloatArray
    decision: npt.NDArray[np.int8]
    rule: npt.NDArray[np.object_]


def equals(values: FloatArray, target: float) -> BoolArray:
    """Where ``values`` equals ``target``; False where missing."""
    return np.asarray(values == target, dtype=bool)  # NaN (missing) compares False


def at_least(values: FloatArray, cut: float) -> BoolArray:
    """Where ``values`` reaches ``cut``; False where missing."""
    return np.asarray(np.nan_to_num(values, nan=-1.0) >= cut, dtype=bool)


def below(values: FloatArray, cut: float) -> BoolArray:
    """Where ``values`` is under ``cut``; False where missing (no evidence of a conflict)."""
    return np.asarray(np.nan_to_num(values, nan=2.0) < cut, dtype=bool)


def weighted_score(features: PairFeatures) -> FloatArray:
    r"""Weighted mean of the field similarities present on both sides.

    .. math::

        s = \frac{\sum_f w_f\, m_f\, x_f}{\sum_f w_f\, m_f}

    with :math:`x_f \in [0, 1]` the similarity of field :math:`f`, :math:`m_f = 1` when the
    field is present in both records, and weights :data:`~.compare.WEIGHTS`. A title that is
    the start of the other, longer title counts as 0.95. Years score 1 when equal, 0.5 one
    year apart (online-first and print years), 0 otherwise.
    """
    title = np.where(features.title_contained, np.fmax(features.title, 0.95), features.title)
    gap = features.year_gap
    year = np.where(gap == 0, 1.0, np.where(gap == 1, 0.5, 0.0))
    year[np.isnan(gap)] = np.nan
    fields = {
        "title": title,
        "authors": features.authors,
        "year": year,
        "journal": features.journal,
        "volume": features.volume_equal,
        "pages": features.pages_equal,
        "abstract": features.abstract,
    }
    total = np.zeros(features.left.size)
    weight = np.zeros(features.left.size)
    for name, values in fields.items():
        present = ~np.isnan(values)
        total += np.where(present, WEIGHTS[name] * np.nan_to_num(values), 0.0)
        weight += np.where(present, WEIGHTS[name], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(weight > 0, total / weight, 0.0)


def vetoes(features: PairFeatures) -> list[tuple[str, BoolArray]]:
    """Contradictions that keep a pair from being merged, in the order they are reported."""
    volume_and_pages = equals(features.volume_equal, 1) & equals(features.pages_equal, 1)
    return [
        # An erratum, reply, comment or retraction notice repeats its article's title.
        ("kind_differs", features.kind_differs),
        # "Part 1"/"Part 2", "phase II"/"phase III", a 2021 and a 2022 edition.
        ("title_numbers_differ", features.numbers_differ),
        # A conference paper and its journal version are two reports.
        ("entry_type_differs", features.entry_differs),
        ("doi_differs", equals(features.same_doi, 0)),
        ("pmid_differs", equals(features.same_pmid, 0)),
        ("volume_differs", equals(features.volume_equal, 0)),
        ("pages_differ", equals(features.pages_equal, 0)),
        ("years_apart", np.nan_to_num(features.year_gap) >= 2),
        # Journal names disagree beyond abbreviation, with nothing else placing the two
        # records in the same issue.
        (
            # Proceedings titles are too inconsistent ("AMCIS 2017 Proceedings") to count
            # against a pair of conference papers; a shared volume places two records in
            # the same issue whatever the journal is called.
            "journal_differs",
            below(features.journal, JOURNAL_CONFLICT)
            & ~equals(features.volume_equal, 1)
            & ~features.both_conference
            & ~at_least(features.abstract, ABSTRACT_SAME),
        ),
        ("authors_differ", below(features.authors, AUTHORS_CONFLICT) & ~volume_and_pages),
    ]


def rules(features: PairFeatures) -> list[tuple[str, BoolArray]]:
    """Evidence that makes a pair a duplicate when no veto applies, first match named."""
    title = features.title
    title_same = at_least(title, TITLE_SAME)
    title_identical = at_least(title, 1.0)
    authors_same = at_least(features.authors, AUTHORS_SAME)
    year_same = equals(features.year_gap, 0)
    year_next = equals(features.year_gap, 1)
    volume_same = equals(features.volume_equal, 1)
    pages_same = equals(features.pages_equal, 1)
    journal_same = at_least(features.journal, JOURNAL_SAME)
    journal_missing = np.isnan(features.journal)
    key_title = at_least(title, 0.80) | np.isnan(title)
    # Without the issue placement to corroborate it, a short title ("Editorial", "Stroke")
    # is shared by different items of one author in one year.
    informative = features.title_informative | (volume_same & pages_same)
    return [
        ("doi", equals(features.same_doi, 1) & key_title),
        ("pmid", equals(features.same_pmid, 1) & key_title),
        (
            "title_authors_venue",
            title_same
            & informative
            & authors_same
            & year_same
            & (journal_same | volume_same | pages_same),
        ),
        (
            "title_volume_pages",
            at_least(title, TITLE_SIMILAR)
            & year_same
            & volume_same
            & pages_same
            & (journal_same | journal_missing),
        ),
        (
            "truncated_title_volume_pages",
            features.title_contained & year_same & volume_same & pages_same & authors_same,
        ),
        (
            # Online-first and print years differ by one; the volume must agree, and the
            # first page too unless missing (a page conflict is a veto).
            "title_authors_next_year",
            title_same
            & authors_same
            & year_next
            & volume_same
            & (pages_same | (np.isnan(features.pages_equal) & journal_same & informative)),
        ),
        (
            # Proceedings are named inconsistently ("AMCIS 2017 Proceedings"), and many
            # records have no volume or pages; an identical title, the same authors and the
            # same year are then the evidence.
            "identical_title_authors_year",
            title_identical & informative & authors_same & year_same,
        ),
        (
            # Exports with no authors or venue (title and abstract only): the same abstract
            # under the same title in the same year is the same record.
            "title_abstract_year",
            title_same
            & informative
            & at_least(features.abstract, ABSTRACT_SAME)
            & (year_same | np.isnan(features.year_gap)),
        ),
        (
            # Translated or re-worded titles: the same first author, year, journal, volume
            # and first page identify one article.
            "venue_pages_authors",
            at_least(title, TITLE_RELATED)
            & features.first_author
            & authors_same
            & year_same
            & volume_same
            & pages_same
            & journal_same,
        ),
        (
            # An export that lost an article's placement and took another form of its title
            # (haematology id_0000818/819, a letter indexed as "Eculizumab in ..." with volume
            # and pages and as "Complement blockade in ..." without): the same group of
            # authors, first author first, in the same journal and year, under a related
            # title, with one record placed and the other not placed at all. Two items of one
            # group in one journal and year are both placed, so pages tell them apart.
            "related_title_unplaced",
            at_least(title, TITLE_RELATED)
            & features.title_informative
            & features.first_author
            & authors_same
            & year_same
            & journal_same
            & features.unplaced_twin,
        ),
    ]


def decide(features: PairFeatures, threshold: float, uncertain_threshold: float) -> Decisions:
    """Apply :func:`rules` and :func:`vetoes`; see the module docstring for the policy.

    A pair is a duplicate when a rule holds, no veto applies and its score reaches
    ``threshold`` (exact-key rules need no score). It is uncertain when a rule holds but a
    veto applies, or when its score reaches ``uncertain_threshold`` and its titles are
    similar. Otherwise it is dropped.
    """
    n = features.left.size
    score = weighted_score(features)
    rule = np.full(n, "", dtype=object)
    matched = np.zeros(n, dtype=bool)
    for name, holds in rules(features):
        new = holds & ~matched
        rule[new] = name
        matched |= holds
    exact = np.isin(rule, ("doi", "pmid"))
    veto_name = np.full(n, "", dtype=object)
    vetoed = np.zeros(n, dtype=bool)
    for name, holds in vetoes(features):
        if name in {"doi_differs", "pmid_differs"}:
            holds = holds & ~exact  # a shared PMID outranks a mistyped DOI, and vice versa
        new = holds & ~vetoed
        veto_name[new] = name
        vetoed |= holds
    duplicate = matched & ~vetoed & ((score >= threshold) | exact)
    similar_title = at_least(features.title, TITLE_SIMILAR) | features.title_contained
    # A record without a title is never merged, but one that sits in the same issue and
    # page as another by the same authors is shown to a reviewer.
    untitled = (
        np.isnan(features.title)
        & equals(features.volume_equal, 1)
        & equals(features.pages_equal, 1)
        & at_least(features.authors, AUTHORS_SAME)
        & equals(features.year_gap, 0)
    )
    # A related title by the same authors in the same journal and year, with nothing placing
    # the two apart but nothing placing them together either (both unplaced, or one author
    # list too short for rule related_title_unplaced). Too weak to merge; shown to a reviewer.
    retitled = (
        at_least(features.title, TITLE_RELATED)
        & features.first_author
        & at_least(features.authors, AUTHORS_SAME)
        & equals(features.year_gap, 0)
        & at_least(features.journal, JOURNAL_SAME)
        & features.title_informative
        & ~vetoed
    )
    uncertain = ~duplicate & (
        (matched & (score >= uncertain_threshold))
        | (similar_title & (score >= uncertain_threshold))
        | untitled
        | retitled
    )
    decision = np.zeros(n, dtype=np.int8)
    decision[uncertain] = UNCERTAIN
    decision[duplicate] = DUPLICATE
    label = np.where(uncertain & matched, rule + ":below_threshold", rule)
    label = np.where(vetoed & uncertain, "veto:" + veto_name, label)
    label = np.where(uncertain & untitled & (label == ""), "title_missing", label)
    label = np.where(uncertain & retitled & (label == ""), "title_related", label)
    label = np.where(uncertain & (label == ""), "score", label)
    return Decisions(score=score, decision=decision, rule=label.astype(object))
