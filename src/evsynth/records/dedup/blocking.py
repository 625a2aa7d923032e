"""Candidate pairs: which records are worth comparing at all.

Comparing every record with every other grows as n²: 5·10⁹ pairs for 100,000 records. Two
duplicates almost always share something cheap to index: a DOI, the first or last words of the
title, the first author and year, or volume and first page. Records are grouped by each such
key (standard blocking), and records next to each other in title order are paired as well
(sorted neighbourhood, Hernández & Stolfo 1995, doi:10.1145/223784.223807), which catches
duplicates whose titles differ in the words a key is built from. Only pairs sharing a block
are scored; the union of several keys keeps recall high while each stays small.

A block larger than ``max_block`` (a common first author in one year, a generic title opening)
is not expanded into all its pairs: :func:`rapidfuzz.process.cdist` scores its titles all
against all in compiled code and keeps only pairs above ``title_floor``. A block larger than
:data:`MAX_SCORED_BLOCK` (a phrase that ends a tenth of the titles of a single-topic search)
would cost too much even so, and contributes only its sorted-neighbourhood pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from rapidfuzz import fuzz, process

from evsynth.records.dedup.fields import MISSING, PreparedRecords

IntArray = npt.NDArray[np.int64]

# Above this many records a block's all-against-all title scoring (quadratic, about a second
# for 2,000 titles on two cores) gives way to a sorted-neighbourhood pass over the block.
MAX_SCORED_BLOCK = 2000
# Window of that pass: wider than the global one, because the block's titles share a phrase.
BLOCK_WINDOW = 10

# Words that open or close many titles and so say nothing about which study a title names.
_TITLE_STOPWORDS = frozenset(
    "a an the of in on for and or to with by at from as is are was were be its their his her "
    "into over under after before during between versus vs via than that this these those "
    "de la le les el en et der die das und".split()
)


@dataclass(frozen=True, slots=True)
class CandidatePairs:
    """Row positions of the pairs to score (``left < right``), and how they were found."""

    left: IntArray
    right: IntArray
    by_key: dict[str, int]

    def __len__(self) -> int:
        return int(self.left.size)


def _content_words(title: str) -> list[str]:
    return [w for w in title.split() if w not in _TITLE_STOPWORDS]


def title_keys(titles: Sequence[str], words: int = 3) -> tuple[list[str], list[str]]:
    """Blocking keys from the first and from the last ``words`` content words of each title.

    Two keys because exports add text at either end: "MEDICAL PROGRESS" before a title,
    a citation or a cut-off note after it.
    """
    heads: list[str] = []
    tails: list[str] = []
    for title in titles:
        content = _content_words(title)
        heads.append(" ".join(content[:words]))
        tails.append(" ".join(content[-words:]) if len(content) > words else "")
    return heads, tails


def key_codes(keys: Sequence[str]) -> IntArray:
    """An integer per distinct key, -1 for an empty key (which blocks nothing)."""
    codes, uniques = pd.factorize(np.asarray(keys, dtype=object))
    codes = np.asarray(codes, dtype=np.int64)
    empty = np.flatnonzero(np.asarray(uniques, dtype=object) == "")
    if empty.size:
        codes[codes == empty[0]] = -1
    return codes


def _pairs_from_key(
    keys: Sequence[str],
    titles: Sequence[str],
    *,
    max_block: int,
    title_floor: float,
    workers: int,
) -> tuple[IntArray, IntArray]:
    """All pairs of rows that share a non-empty key; large blocks are pre-filtered by title."""
    codes = key_codes(keys)
    rows = np.flatnonzero(codes >= 0)
    if rows.size < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = rows[np.argsort(codes[rows], kind="stable")]
    sorted_codes = codes[order]
    sizes = np.bincount(sorted_codes)
    size_of = sizes[sorted_codes]
    lefts: list[IntArray] = []
    rights: list[IntArray] = []
    # Blocks up to max_block: pair each row with the rows d places further on in key order,
    # for every offset d shorter than the block. Vectorised over all blocks at once.
    small = size_of <= max_block
    largest_small = int(size_of[small].max()) if small.any() else 0
    for offset in range(1, largest_small):
        same = (sorted_codes[:-offset] == sorted_codes[offset:]) & small[:-offset]
        if not same.any():
            break
        lefts.append(order[:-offset][same])
        rights.append(order[offset:][same])
    for code in np.flatnonzero(sizes > max_block):
        members = order[sorted_codes == code]
        if members.size > MAX_SCORED_BLOCK:
            left, right = _sorted_neighbourhood([titles[m] for m in members], BLOCK_WINDOW)
            left, right = members[left], members[right]
        else:
            left, right = _title_filtered_pairs(members, titles, title_floor, workers)
        lefts.append(left)
        rights.append(right)
    if not lefts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(lefts).astype(np.int64), np.concatenate(rights).astype(np.int64)


def _title_filtered_pairs(
    members: IntArray, titles: Sequence[str], title_floor: float, workers: int
) -> tuple[IntArray, IntArray]:
    block_titles = [titles[m] for m in members]
    scores = process.cdist(
        block_titles,
        block_titles,
        scorer=fuzz.ratio,
        score_cutoff=title_floor,
        dtype=np.uint8,
        workers=workers,
    )
    left, right = np.nonzero(np.triu(scores, k=1) >= max(title_floor, 1))
    return members[left], members[right]


def _sorted_neighbourhood(titles: Sequence[str], window: int) -> tuple[IntArray, IntArray]:
    """Pairs of rows within ``window`` places of each other in alphabetical title order."""
    present = np.array([i for i, t in enumerate(titles) if t], dtype=np.int64)
    if present.size < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = present[np.argsort(np.array([titles[i] for i in present], dtype=object))]
    lefts = [order[:-d] for d in range(1, min(window, order.size - 1) + 1)]
    rights = [order[d:] for d in range(1, min(window, order.size - 1) + 1)]
    return np.concatenate(lefts), np.concatenate(rights)


def candidate_pairs(
    records: PreparedRecords,
    *,
    window: int = 4,
    max_block: int = 200,
    title_floor: float = 60.0,
    workers: int = -1,
) -> CandidatePairs:
    """Union of the pairs sharing any blocking key, without repeats.

    Parameters
    ----------
    records : PreparedRecords
        Normalised records.
    window : int, optional
        Sorted-neighbourhood window on the title and on the reversed title.
    max_block : int, optional
        Blocks larger than this are pre-filtered by title similarity instead of fully paired.
    title_floor : float, optional
        Title similarity (0-100, :func:`rapidfuzz.fuzz.ratio`) a pair from a large block needs.
    workers : int, optional
        Threads for rapidfuzz; -1 uses every core.
    """
    n = len(records)
    titles = records.title
    heads, tails = title_keys(titles)
    year_author = [
        f"{author}|{year}" if author and year != MISSING else ""
        for author, year in zip(records.first_author, records.year.tolist(), strict=True)
    ]
    volume_page = [
        f"{volume}|{page}" if volume != MISSING and page != MISSING else ""
        for volume, page in zip(records.volume.tolist(), records.page_first.tolist(), strict=True)
    ]
    keys: dict[str, Sequence[str]] = {
        "doi": records.doi,
        "pmid": records.pmid,
        "title_start": heads,
        "title_end": tails,
        "author_year": year_author,
        "volume_page": volume_page,
    }
    lefts: list[IntArray] = []
    rights: list[IntArray] = []
    by_key: dict[str, int] = {}
    for name, values in keys.items():
        left, right = _pairs_from_key(
            values, titles, max_block=max_block, title_floor=title_floor, workers=workers
        )
        by_key[name] = int(left.size)
        lefts.append(left)
        rights.append(right)
    reversed_titles = [t[::-1] for t in titles]
    for name, values in (("sorted_title", titles), ("sorted_reversed_title", reversed_titles)):
        left, right = _sorted_neighbourhood(values, window)
        by_key[name] = int(left.size)
        lefts.append(left)
        rights.append(right)
    left = np.concatenate(lefts)
    right = np.concatenate(rights)
    low = np.minimum(left, right)
    high = np.maximum(left, right)
    keep = low != high
    # One int64 code per unordered pair, so np.unique removes pairs found by several keys.
    codes = np.sort(low[keep] * np.int64(n) + high[keep])
    codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if codes.size else codes
    return CandidatePairs(left=codes // n, right=codes % n, by_key=by_key)
