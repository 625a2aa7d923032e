"""Field-by-field similarities of candidate pairs.

Each field is compared the way its variants differ between exports: titles and author lists
with rapidfuzz on normalised text (:func:`rapidfuzz.process.cpdist`, compiled and multi-threaded
over all pairs at once), journals allowing word-by-word abbreviation, years by their gap, and
volume, pages and identifiers by equality. A field missing on either side gives NaN, so that
the rules in :mod:`.rules` can tell "absent" (no evidence either way) from "different" (a
contradiction).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from evsynth.records.dedup.fields import MISSING, PreparedRecords

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

# Field weights in the score; fields missing on either side drop out of the average.
# The title carries most weight because it is always present and most specific.
WEIGHTS = {
    "title": 0.40,
    "authors": 0.20,
    "year": 0.10,
    "journal": 0.10,
    "volume": 0.05,
    "pages": 0.10,
    "abstract": 0.05,
}

# A title shorter than this is too generic ("Atypical hemolytic uremic syndrome") to be
# trusted as the start of a longer, cut-off title.
MIN_CONTAINED_TITLE = 40
# Titles shorter than this ("Editorial", "Atypical HUS") are shared by different items.
MIN_INFORMATIVE_TITLE = 25
# A list of this many authors identifies a research group; one or two names are shared by
# unrelated items of a prolific author.
MIN_GROUP_AUTHORS = 3


@dataclass(frozen=True, slots=True)
class PairFeatures:
    """Field similarities for scored pairs; NaN where a field is missing on either side."""

    left: IntArray
    right: IntArray
    title: FloatArray
    title_contained: BoolArray
    authors: FloatArray
    first_author: BoolArray
    year_gap: FloatArray
    journal: FloatArray
    volume_equal: FloatArray
    pages_equal: FloatArray
    abstract: FloatArray
    same_doi: FloatArray
    same_pmid: FloatArray
    title_informative: BoolArray
    numbers_differ: BoolArray
    kind_differs: BoolArray
    entry_differs: BoolArray
    both_conference: BoolArray
    unplaced_twin: BoolArray
    """One record has its volume and first page, the other neither (an export that lost its
    placement), and both list at least :data:`MIN_GROUP_AUTHORS` authors."""


def _paired(values: Sequence[str], index: IntArray) -> list[str]:
    return [values[i] for i in index.tolist()]


def _text_similarity(
    a: list[str], b: list[str], scorer: Callable[..., float], workers: int
) -> FloatArray:
    """Similarity 0-1 of paired strings with rapidfuzz; NaN where either is empty."""
    if not a:
        return np.empty(0, dtype=np.float64)
    scores = process.cpdist(a, b, scorer=scorer, workers=workers, dtype=np.float32)
    out = np.asarray(scores, dtype=np.float64) / 100.0
    empty = np.array([not x or not y for x, y in zip(a, b, strict=True)], dtype=bool)
    out[empty] = np.nan
    return out


def title_similarity(
    records: PreparedRecords, left: IntArray, right: IntArray, workers: int = -1
) -> FloatArray:
    """:func:`rapidfuzz.fuzz.ratio` of normalised titles, 0-1 (NaN when a title is missing)."""
    return _text_similarity(
        _paired(records.title, left), _paired(records.title, right), fuzz.ratio, workers
    )


def _contained(a: str, b: str) -> bool:
    """Whether the shorter title is, up to a typo, the start of the longer one (cut-off
    exports, citations or notes appended after the title)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < MIN_CONTAINED_TITLE or len(short) == len(long):
        return False
    return fuzz.ratio(short, long[: len(short)]) >= 95.0


def _numbers_differ(a: tuple[int, ...], b: tuple[int, ...], contained: bool) -> bool:
    if a == b:
        return False
    if contained:
        short, long = (a, b) if len(a) <= len(b) else (b, a)
        return long[: len(short)] != short
    return sorted(a) != sorted(b)


def _journal_similarity(a: str, b: str) -> float:
    """1 for the same journal written the same way (spaces ignored: "zhen jiu"/"zhenjiu"),
    0.95 for an abbreviation of the other ("j am soc nephrol"), else the ratio."""
    if not a or not b:
        return float("nan")
    if a.replace(" ", "") == b.replace(" ", ""):
        return 1.0
    if is_abbreviation(a, b):
        return 0.95
    return fuzz.ratio(a, b) / 100.0


def is_abbreviation(a: str, b: str) -> bool:
    """Whether one journal name abbreviates the other word by word (ISO 4 / NLM style).

    Every word of the shorter name must start the matching word of the longer, in order,
    and the longer may have no extra words, except one trailing word when the shorter has at
    least three ("clin j am soc nephrol" meets "clinical journal american society nephrology
    cjasn"). "Blood" and "Blood Reviews" are different journals.

    >>> is_abbreviation("nat rev nephrol", "nature reviews nephrology")
    True
    >>> is_abbreviation("blood", "blood reviews")
    False
    """
    short, long = (a.split(), b.split())
    if len("".join(short)) > len("".join(long)):
        short, long = long, short
    if not short or len(short) > len(long):
        return False
    position = 0
    for word in short:
        if position >= len(long) or not long[position].startswith(word):
            return False
        position += 1
    extra = len(long) - position
    return extra == 0 or (extra == 1 and len(short) >= 3)


def _exact(values: Sequence[str], left: IntArray, right: IntArray) -> FloatArray:
    """1 where both have the same non-empty value, 0 where both differ, NaN otherwise."""
    out = np.full(left.size, np.nan)
    for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        a, b = values[i], values[j]
        if a and b:
            out[k] = 1.0 if a == b else 0.0
    return out


def _numeric_equal(values: IntArray, left: IntArray, right: IntArray) -> FloatArray:
    a, b = values[left], values[right]
    out = np.asarray(a == b, dtype=np.float64)
    out[(a == MISSING) | (b == MISSING)] = np.nan
    return out


def _shifted_placement(records: PreparedRecords, a: IntArray, b: IntArray) -> BoolArray:
    """Pairs whose record ``a`` has its placement shifted one field down against ``b``: no
    volume, the volume in the issue field and the issue in the pages field (an export error,
    haematology id_0000105: issue "26", pages "9" for volume 26, issue 9). Both numbers must
    agree, so that the shift is not a coincidence."""
    volume, issue = records.volume, records.issue
    first, last = records.page_first, records.page_last
    return np.asarray(
        (volume[a] == MISSING)
        & (issue[a] != MISSING)
        & (issue[a] == volume[b])
        & (first[a] != MISSING)
        & (last[a] == MISSING)
        & (first[a] == issue[b])
        & (first[b] != MISSING),
        dtype=bool,
    )


def pair_features(
    records: PreparedRecords,
    left: IntArray,
    right: IntArray,
    title: FloatArray,
    workers: int = -1,
) -> PairFeatures:
    """Every field similarity for the pairs ``(left[k], right[k])``; ``title`` is precomputed."""
    left_list, right_list = left.tolist(), right.tolist()
    titles = records.title
    contained = np.array(
        [
            bool(t < 0.95) and _contained(titles[i], titles[j])
            for i, j, t in zip(left_list, right_list, np.nan_to_num(title).tolist(), strict=True)
        ],
        dtype=bool,
    )
    numbers = records.title_numbers
    numbers_differ = np.array(
        [
            _numbers_differ(numbers[i], numbers[j], bool(c))
            for i, j, c in zip(left_list, right_list, contained.tolist(), strict=True)
        ],
        dtype=bool,
    )
    authors = _text_similarity(
        _paired(records.authors, left),
        _paired(records.authors, right),
        fuzz.token_set_ratio,
        workers,
    )
    first = records.first_author
    first_author = np.array(
        [
            bool(first[i]) and first[i] == first[j]
            for i, j in zip(left_list, right_list, strict=True)
        ],
        dtype=bool,
    )
    year_a, year_b = records.year[left], records.year[right]
    year_gap = np.abs(year_a - year_b).astype(np.float64)
    year_gap[(year_a == MISSING) | (year_b == MISSING)] = np.nan
    journals = records.journal
    journal = np.array(
        [
            _journal_similarity(journals[i], journals[j])
            for i, j in zip(left_list, right_list, strict=True)
        ],
        dtype=np.float64,
    )
    first_page = _numeric_equal(records.page_first, left, right)
    last_page = _numeric_equal(records.page_last, left, right)
    # Same last page of a range with a different first page is a typo in the first page
    # ("2141-2147" and "2142-2147"); count it as agreeing.
    pages_equal = np.where((first_page == 0) & (last_page == 1), 1.0, first_page)
    volume_equal = _numeric_equal(records.volume, left, right)
    shifted = _shifted_placement(records, left, right) | _shifted_placement(records, right, left)
    volume_equal[shifted] = 1.0
    pages_equal[shifted] = np.nan
    abstract = _text_similarity(
        _paired(records.abstract, left), _paired(records.abstract, right), fuzz.ratio, workers
    )
    kinds, groups = records.kind, records.entry_group
    placed = (records.volume != MISSING) & (records.page_first != MISSING)
    unplaced = (records.volume == MISSING) & (records.page_first == MISSING)
    group = np.minimum(records.n_authors[left], records.n_authors[right]) >= MIN_GROUP_AUTHORS
    unplaced_twin = group & ((placed[left] & unplaced[right]) | (unplaced[left] & placed[right]))
    return PairFeatures(
        left=left,
        right=right,
        title=title,
        title_contained=contained,
        authors=authors,
        first_author=first_author,
        year_gap=year_gap,
        journal=journal,
        volume_equal=volume_equal,
        pages_equal=pages_equal,
        abstract=abstract,
        same_doi=_exact(records.doi, left, right),
        same_pmid=_exact(records.pmid, left, right),
        title_informative=np.array(
            [
                min(len(titles[i]), len(titles[j])) >= MIN_INFORMATIVE_TITLE
                for i, j in zip(left_list, right_list, strict=True)
            ],
            dtype=bool,
        ),
        numbers_differ=numbers_differ,
        kind_differs=np.array(
            [kinds[i] != kinds[j] for i, j in zip(left_list, right_list, strict=True)], dtype=bool
        ),
        entry_differs=np.array(
            [
                bool(groups[i]) and bool(groups[j]) and groups[i] != groups[j]
                for i, j in zip(left_list, right_list, strict=True)
            ],
            dtype=bool,
        ),
        both_conference=np.array(
            [
                groups[i] == "conference" and groups[j] == "conference"
                for i, j in zip(left_list, right_list, strict=True)
            ],
            dtype=bool,
        ),
        unplaced_twin=unplaced_twin,
    )
