"""Public entry point: :func:`find_duplicates` and its result, :class:`DedupResult`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from evsynth._core.errors import DataError, EvsynthError
from evsynth._core.summary import Summary
from evsynth.records.dedup.blocking import candidate_pairs, key_codes
from evsynth.records.dedup.clusters import attach_companions
from evsynth.records.dedup.companions import companion_rules
from evsynth.records.dedup.compare import (
    MIN_CONTAINED_TITLE,
    PairFeatures,
    pair_features,
    title_similarity,
)
from evsynth.records.dedup.fields import (
    MISSING,
    PreparedRecords,
    RecordId,
    prepare,
    resolve_columns,
)
from evsynth.records.dedup.rules import (
    DECISION_LABELS,
    DIFFERENT,
    DUPLICATE,
    TITLE_RELATED,
    UNCERTAIN,
    Decisions,
    decide,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Pairs whose titles are less similar than this (0-1) are not scored further unless they share
# a DOI or PMID, or one title may be the start of the other: no rule accepts a lower title
# similarity (rules.TITLE_RELATED), and skipping them keeps the per-pair Python work
# proportional to the plausible pairs rather than to the blocks.
TITLE_FLOOR = TITLE_RELATED
# Characters two titles must share at the start to be checked for one containing the other.
CONTAINED_PREFIX = 8


@dataclass(frozen=True, slots=True)
class DedupSettings:
    """The options a :class:`DedupResult` was computed with, for the run manifest."""

    threshold: float
    uncertain_threshold: float
    id_column: str | None
    columns: tuple[tuple[str, str], ...]
    window: int
    max_block: int
    companions: bool = True


@dataclass(frozen=True, slots=True)
class DedupResult:
    """Duplicate links between records; no record is removed.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per linked pair: ``id_a``, ``id_b``, ``score`` (0-1), ``rule`` (the evidence:
        a duplicate rule, ``companion:<kind>`` for a companion linked to its main report,
        or ``veto:<reason>`` for an uncertain pair that a contradiction kept apart) and
        ``decision`` (``"duplicate"`` or ``"uncertain"``). Uncertain pairs are for a reviewer
        to check and are not merged.
    clusters : tuple of tuples of ids
        Groups of duplicate records (two or more), the kept record first: the most complete
        record of the main report (never a companion), ties to the first in the input.
    links : pandas.DataFrame
        ``id`` and ``duplicate_of`` for every input record (``None`` for a kept or unique
        record): the append-only form the project database stores.
    settings : DedupSettings
        Thresholds and columns used.
    n_records : int
        Number of input records.
    n_candidates : int
        Pairs scored after blocking.
    blocking : dict
        Pairs contributed by each blocking key (a pair found by several keys counts in each).
    """

    pairs: pd.DataFrame
    clusters: tuple[tuple[RecordId, ...], ...]
    links: pd.DataFrame
    settings: DedupSettings
    n_records: int
    n_candidates: int
    blocking: dict[str, int]

    @property
    def kept_ids(self) -> tuple[RecordId, ...]:
        """The record kept in each cluster, in the order of :attr:`clusters`."""
        return tuple(cluster[0] for cluster in self.clusters)

    @property
    def n_companions(self) -> int:
        """Duplicate pairs that link a companion (erratum, reply, abstract) to its report."""
        return int(
            (
                (self.pairs["decision"] == "duplicate")
                & self.pairs["rule"].astype(str).str.startswith("companion:")
            ).sum()
        )

    @property
    def n_duplicates(self) -> int:
        """Records linked to a kept record (what de-duplication would set aside)."""
        return sum(len(cluster) - 1 for cluster in self.clusters)

    def to_frame(self) -> pd.DataFrame:
        """One row per input record: ``id``, ``cluster`` (number, missing when unique),
        ``kept`` (True for the record a cluster keeps and for unique records) and
        ``duplicate_of``."""
        cluster_of: dict[RecordId, int] = {}
        for number, cluster in enumerate(self.clusters):
            for record_id in cluster:
                cluster_of[record_id] = number
        frame = self.links.copy()
        numbers = pd.Series(
            [cluster_of.get(i) for i in frame["id"]], index=frame.index, dtype="Int64"
        )
        frame.insert(1, "cluster", numbers)
        frame.insert(2, "kept", frame["duplicate_of"].isna().to_numpy())
        return frame

    def summary(self) -> Summary:
        """Counts of records, pairs and clusters, with the thresholds in the notes."""
        decisions = self.pairs["decision"].value_counts()
        rows: list[tuple[str, object]] = [
            ("records", self.n_records),
            ("candidate pairs scored", self.n_candidates),
            ("duplicate pairs", int(decisions.get("duplicate", 0))),
            ("  of which companions linked to their report", self.n_companions),
            ("uncertain pairs (for review)", int(decisions.get("uncertain", 0))),
            ("duplicate clusters", len(self.clusters)),
            ("records linked as duplicates", self.n_duplicates),
            ("records after de-duplication", self.n_records - self.n_duplicates),
        ]
        return Summary(
            title="Duplicate records",
            columns=("quantity", "count"),
            rows=rows,
            notes=(
                f"threshold = {self.settings.threshold}, "
                f"uncertain_threshold = {self.settings.uncertain_threshold}, "
                f"companions = {self.settings.companions}.",
                "Fields: " + ", ".join(f for f, _ in self.settings.columns) + ".",
                "Duplicates are stored as links (duplicate_of); no record is deleted.",
            ),
        )


def _check_threshold(name: str, value: float) -> float:
    if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise EvsynthError(f"{name}={value!r} is not between 0 and 1; give a similarity in [0, 1]")
    return float(value)


def find_duplicates(
    data: pd.DataFrame,
    *,
    id_column: str | None = None,
    threshold: float = 0.85,
    uncertain_threshold: float = 0.70,
    window: int = 4,
    max_block: int = 200,
    workers: int = -1,
    companions: bool = True,
) -> DedupResult:
    """Find records that report the same publication, as links between ids.

    Records are normalised (:mod:`~evsynth.records.dedup.normalise`), paired by blocking keys
    (DOI, PMID, title words, first author and year, volume and page, sorted neighbourhood;
    :mod:`~evsynth.records.dedup.blocking`), compared field by field with rapidfuzz, and
    decided by named rules with vetoes for errata, replies, numbered parts, and conflicting
    identifiers or pages (:mod:`~evsynth.records.dedup.rules`). Duplicate pairs are joined
    into clusters by union-find.

    With ``companions=True`` (the default), records that are not another report but belong
    to one are linked to it as well (:mod:`~evsynth.records.dedup.companions`): an erratum or
    retraction notice that the article's record cites (MEDLINE's "[Erratum appears in ...]"
    note), a reply to a letter or article, a comment on an article, and a meeting abstract or
    other brief item with the title and authors of a full paper in the same journal volume
    (or printed twice in one issue). Their pairs carry the rule ``companion:erratum``,
    ``companion:retraction``, ``companion:reply``, ``companion:comment`` or
    ``companion:abstract``, and the main report is always the kept record.

    This is safe because nothing is deleted: a companion stays in the database as a link to
    its report, visible under it, needs no screening of its own, and a reviewer can undo the
    link. Reports of different studies are never joined: a companion attaches to one main
    report only (when it matches two, its pairs stay uncertain as
    ``companion:<kind>:ambiguous``), and numbered parts or phases, conference papers and
    their journal versions, and trial registrations of different populations are kept apart
    as without companions. Weaker companions are listed as uncertain for a reviewer instead:
    an erratum the article does not cite (``companion:erratum:uncited``), one abstract
    printed in two journals and a Dissertation Abstracts entry beside its thesis
    (``companion:abstract:review``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per record. Columns used when present (case-insensitive): ``id``, ``title``
        (required), ``author``/``authors``, ``year``, ``journal`` (or ``booktitle``),
        ``volume``, ``number``/``issue``, ``pages``, ``doi``, ``pmid``, ``abstract``,
        ``ENTRYTYPE``.
    id_column : str, optional
        Column of record ids; by default ``id``/``ID`` if present, else the index.
    threshold : float, optional
        Weighted field similarity (0-1) a pair that meets a duplicate rule must reach.
        Companion links rest on their own evidence and do not use it.
    uncertain_threshold : float, optional
        Similarity from which a pair that is not a duplicate is listed for review.
    window : int, optional
        Sorted-neighbourhood window (records either side in title order).
    max_block : int, optional
        Blocks larger than this are pre-filtered by title similarity.
    workers : int, optional
        Threads for rapidfuzz; -1 uses every core.
    companions : bool, optional
        Link errata, retraction notices, replies, comments and meeting abstracts to their
        main report (rule ``companion:<kind>``), as described above. With False only
        records of one publication are linked; companions are left unlinked and most are
        listed as uncertain (``veto:kind_differs``, ``veto:pages_differ``).

    Returns
    -------
    DedupResult
        Pairs, clusters and links; nothing is deleted.

    Raises
    ------
    DataError
        The frame is empty, has no title column, or its ids are missing or repeated.

    Examples
    --------
    >>> records = pd.DataFrame({
    ...     "id": ["a", "b", "c"],
    ...     "title": [
    ...         "Tai Chi exercise versus rehabilitation for the elderly with cerebral "
    ...         "vascular disorder: a single-blinded randomized controlled trial.",
    ...         "Tai chi exercise versus rehabilitation for the elderly with cerebral "
    ...         "vascular disorder - A single-blinded randomized controlled trial",
    ...         "Tai Chi for balance after stroke: a randomized controlled trial",
    ...     ],
    ...     "author": ["Wang, W. and Sawada, M.", "Wang, Wenchao and Sawada, M.", "Li, X."],
    ...     "year": [2010, 2010, 2010],
    ...     "journal": ["Psychogeriatrics", "Psychogeriatrics", "Stroke"],
    ... })
    >>> result = find_duplicates(records)
    >>> result.clusters
    (('a', 'b'),)
    >>> result.links["duplicate_of"].tolist()
    [None, 'a', None]
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"records must be a pandas DataFrame, not {type(data).__name__}",
            hint="Read the export with evsynth.records or pandas first",
        )
    if len(data) == 0:
        raise DataError(
            "there are no records to de-duplicate (the frame is empty)",
            hint="Check that the export was read correctly",
        )
    threshold = _check_threshold("threshold", threshold)
    uncertain_threshold = _check_threshold("uncertain_threshold", uncertain_threshold)
    if uncertain_threshold > threshold:
        raise EvsynthError(
            f"uncertain_threshold={uncertain_threshold} is above threshold={threshold}; "
            "choose uncertain_threshold <= threshold"
        )
    columns = resolve_columns(data, id_column)
    records = prepare(data, columns)
    candidates = candidate_pairs(
        records, window=window, max_block=max_block, title_floor=TITLE_FLOOR * 100, workers=workers
    )
    left, right = candidates.left, candidates.right
    title = title_similarity(records, left, right, workers=workers)
    keep = (
        (np.nan_to_num(title, nan=0.0) >= TITLE_FLOOR)
        | _shared_key(records, left, right)
        | _maybe_contained(records, left, right)
        | (np.isnan(title) & _same_placement(records, left, right))
    )
    left, right, title = left[keep], right[keep], title[keep]
    features = pair_features(records, left, right, title, workers=workers)
    decisions = decide(features, threshold, uncertain_threshold)
    decisions, clusters, links = _clusters_and_links(records, features, decisions, companions)
    linked = decisions.decision != DIFFERENT
    ids = records.ids
    pairs = pd.DataFrame(
        {
            "id_a": [ids[i] for i in left[linked].tolist()],
            "id_b": [ids[j] for j in right[linked].tolist()],
            "score": np.round(decisions.score[linked], 4),
            "rule": decisions.rule[linked].tolist(),
            "decision": [DECISION_LABELS[int(d)] for d in decisions.decision[linked]],
        }
    )
    pairs = pairs.sort_values(["decision", "score"], ascending=[True, False], ignore_index=True)
    settings = DedupSettings(
        threshold=threshold,
        uncertain_threshold=uncertain_threshold,
        id_column=columns.get("id"),
        columns=tuple((field, column) for field, column in columns.items() if field != "id"),
        window=window,
        max_block=max_block,
        companions=bool(companions),
    )
    return DedupResult(
        pairs=pairs,
        clusters=clusters,
        links=links,
        settings=settings,
        n_records=len(records),
        n_candidates=len(candidates),
        blocking=candidates.by_key,
    )


def _same_code(values: list[str], left: IntArray, right: IntArray) -> BoolArray:
    """Pairs whose non-empty values are equal, vectorised through integer codes."""
    codes = key_codes(values)
    return np.asarray((codes[left] == codes[right]) & (codes[left] >= 0), dtype=bool)


def _shared_key(records: PreparedRecords, left: IntArray, right: IntArray) -> BoolArray:
    """Pairs that share a DOI or a PMID."""
    return _same_code(records.doi, left, right) | _same_code(records.pmid, left, right)


def _same_placement(records: PreparedRecords, left: IntArray, right: IntArray) -> BoolArray:
    """Pairs with the same volume and first page (both present)."""
    volume, page = records.volume, records.page_first
    return np.asarray(
        (volume[left] == volume[right])
        & (page[left] == page[right])
        & (volume[left] != MISSING)
        & (page[left] != MISSING),
        dtype=bool,
    )


def _maybe_contained(records: PreparedRecords, left: IntArray, right: IntArray) -> BoolArray:
    """Pairs whose titles open alike and whose shorter title is long enough to be the cut-off
    start of the other; :func:`.compare.pair_features` checks them properly."""
    lengths = np.fromiter((len(t) for t in records.title), dtype=np.int64, count=len(records))
    long_enough = np.minimum(lengths[left], lengths[right]) >= MIN_CONTAINED_TITLE
    openings = [t[:CONTAINED_PREFIX] for t in records.title]
    return long_enough & _same_code(openings, left, right)


def _clusters_and_links(
    records: PreparedRecords, features: PairFeatures, decisions: Decisions, companions: bool
) -> tuple[Decisions, tuple[tuple[RecordId, ...], ...], pd.DataFrame]:
    """Cluster the duplicate pairs, attach companions, and relabel the companion pairs:
    ``duplicate`` with ``companion:<kind>`` when attached, ``uncertain`` with
    ``companion:<kind>:ambiguous`` when their record matched two main reports."""
    left, right = features.left, features.right
    duplicate = decisions.decision == DUPLICATE
    n = len(records)
    if companions:
        matches = companion_rules(features, records, consider=~duplicate)
        companion = (matches.rule != "") & ~duplicate
        notice, brief = matches.notice, matches.brief
    else:
        companion = np.zeros(left.size, dtype=bool)
        notice = brief = np.zeros(n, dtype=bool)
    clustering = attach_companions(
        n,
        left[duplicate],
        right[duplicate],
        left[companion],
        right[companion],
        notice=notice,
        brief=brief,
        completeness=records.completeness,
    )
    if companions:
        rule = decisions.rule.copy()
        decision = decisions.decision.copy()
        # Companions to check: listed as uncertain under their companion label, unless
        # other links already put the two in one cluster.
        cluster_of = np.full(n, -1, dtype=np.int64)
        for number, rows in enumerate(clustering.clusters):
            cluster_of[rows] = number
        apart = (cluster_of[left] != cluster_of[right]) | (cluster_of[left] < 0)
        review = (matches.review != "") & ~duplicate & ~companion & apart
        rule[review] = matches.review[review]
        decision[review] = UNCERTAIN
        where = np.flatnonzero(companion)
        accepted = clustering.accepted
        names = matches.rule[where]
        rule[where] = np.where(accepted, names, names + ":ambiguous")
        decision[where[accepted]] = DUPLICATE
        decision[where[~accepted]] = UNCERTAIN
        decisions = Decisions(score=decisions.score, decision=decision, rule=rule)
    ids = records.ids
    duplicate_of: list[RecordId | None] = [None] * n
    clusters: list[tuple[RecordId, ...]] = []
    for rows in clustering.clusters:
        kept = rows[0]
        clusters.append(tuple(ids[r] for r in rows))
        for row in rows[1:]:
            duplicate_of[row] = ids[kept]
    links = pd.DataFrame({"id": ids, "duplicate_of": pd.Series(duplicate_of, dtype=object)})
    return decisions, tuple(clusters), links
