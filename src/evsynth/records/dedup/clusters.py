"""Group duplicate pairs into clusters, choose the record each cluster keeps, and score
clusters against a gold standard."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


class UnionFind:
    """Disjoint sets over ``0..n-1`` with path halving and union by size (Tarjan 1975,
    doi:10.1145/321879.321884): near-constant time per operation, so clustering is linear in
    the number of duplicate pairs."""

    __slots__ = ("parent", "size")

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, item: int) -> int:
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return
        if self.size[root_a] < self.size[root_b]:
            root_a, root_b = root_b, root_a
        self.parent[root_b] = root_a
        self.size[root_a] += self.size[root_b]


def cluster_rows(n: int, left: IntArray, right: IntArray) -> list[list[int]]:
    """Connected components of the duplicate graph with two or more rows, each sorted, in
    order of their first row."""
    forest = UnionFind(n)
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        forest.union(a, b)
    groups: dict[int, list[int]] = {}
    for row in sorted(set(left.tolist()) | set(right.tolist())):
        groups.setdefault(forest.find(row), []).append(row)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def choose_kept(rows: Sequence[int], completeness: npt.NDArray[np.int64]) -> int:
    """The most complete record of a cluster (most non-empty fields); ties go to the record
    that came first in the input, so the choice is stable across runs."""
    return max(rows, key=lambda row: (int(completeness[row]), -row))


@dataclass(frozen=True, slots=True)
class Clustering:
    """Clusters as row lists, the kept row first, and which companion pairs were accepted."""

    clusters: list[list[int]]
    accepted: npt.NDArray[np.bool_]


def attach_companions(
    n: int,
    left: IntArray,
    right: IntArray,
    companion_left: IntArray,
    companion_right: IntArray,
    *,
    notice: npt.NDArray[np.bool_],
    brief: npt.NDArray[np.bool_],
    completeness: npt.NDArray[np.int64],
) -> Clustering:
    """Clusters of duplicate pairs, with companion records attached to one main report each.

    Duplicate pairs ``(left, right)`` are joined by union-find into *units* (the records of one
    item). Units are ranked, main reports first: ordinary items before notices (errata,
    replies, comments), full reports before brief items (abstracts, one-page items), then the
    more complete, then input order. Of the two units a companion pair joins, the one ranked
    later is the *dependent*, the other its *main* unit. Going through the dependent units
    in rank order (so that a main unit is placed before its dependents), a dependent unit
    joins the cluster its main units belong to when they all belong to one cluster; when
    they belong to two or more, it joins none, and its companion pairs are not accepted. A
    companion therefore never joins two clusters of main reports.

    The kept record of a cluster is the most complete record of its main unit (the one that
    depends on no other), so a companion is never kept while its article is in the cluster.
    Without companion pairs this is :func:`cluster_rows` with :func:`choose_kept`.
    """
    forest = UnionFind(n)
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        forest.union(a, b)
    # Only rows in some pair can be clustered; the others are left alone (linear in the pairs).
    rows_in_pairs = sorted(
        set(left.tolist())
        | set(right.tolist())
        | set(companion_left.tolist())
        | set(companion_right.tolist())
    )
    unit = {row: forest.find(row) for row in rows_in_pairs}
    members: dict[int, list[int]] = {}
    for row in rows_in_pairs:
        members.setdefault(unit[row], []).append(row)

    def rank(root: int) -> tuple[int, int, int, int]:
        rows = members[root]
        return (
            int(all(notice[r] for r in rows)),
            int(all(brief[r] for r in rows)),
            -max(int(completeness[r]) for r in rows),
            rows[0],
        )

    mains: dict[int, list[tuple[int, int]]] = {}
    accepted = np.zeros(companion_left.size, dtype=bool)
    for k, (a, b) in enumerate(zip(companion_left.tolist(), companion_right.tolist(), strict=True)):
        unit_a, unit_b = unit[a], unit[b]
        if unit_a == unit_b:
            accepted[k] = True
            continue
        dependent, main = (unit_a, unit_b) if rank(unit_a) > rank(unit_b) else (unit_b, unit_a)
        mains.setdefault(dependent, []).append((main, k))
    attached_to: dict[int, int] = {}
    for dependent in sorted(mains, key=rank):
        # Every main unit ranks above its dependent, so it was placed before it.
        targets = {attached_to.get(main, main) for main, _ in mains[dependent]}
        if len(targets) == 1:
            attached_to[dependent] = targets.pop()
            for _, k in mains[dependent]:
                accepted[k] = True
    for dependent, target in attached_to.items():
        forest.union(dependent, target)
    groups: dict[int, list[int]] = {}
    for row in rows_in_pairs:
        groups.setdefault(forest.find(row), []).append(row)
    clusters: list[list[int]] = []
    for rows in groups.values():
        if len(rows) < 2:
            continue
        main_rows = [r for r in rows if unit[r] not in attached_to]
        kept = choose_kept(main_rows, completeness)
        clusters.append([kept, *(r for r in rows if r != kept)])
    clusters.sort(key=lambda c: min(c))
    return Clustering(clusters=clusters, accepted=accepted)


def _pairs(clusters: Iterable[Iterable[Hashable]]) -> set[frozenset[Hashable]]:
    pairs: set[frozenset[Hashable]] = set()
    for cluster in clusters:
        members = sorted(set(cluster), key=repr)
        pairs.update(frozenset(p) for p in combinations(members, 2))
    return pairs


def pairwise_metrics(
    predicted_clusters: Iterable[Iterable[Hashable]],
    gold_clusters: Iterable[Iterable[Hashable]],
) -> dict[str, float]:
    r"""Precision, recall and F1 over the record pairs implied by two clusterings.

    A cluster of :math:`k` records implies :math:`k(k-1)/2` duplicate pairs. With :math:`P`
    the predicted pairs and :math:`G` the gold pairs,

    .. math::

        \mathrm{precision} = \frac{|P \cap G|}{|P|}, \quad
        \mathrm{recall} = \frac{|P \cap G|}{|G|}, \quad
        F_1 = \frac{2\,\mathrm{precision}\,\mathrm{recall}}{\mathrm{precision} + \mathrm{recall}}

    the measures used by bib-dedupe and by McKeown & Mir (2021, doi:10.1186/s13643-021-01583-y).
    Records in no cluster are unique. An empty :math:`P` has precision 1; an empty :math:`G`
    has recall 1.

    Parameters
    ----------
    predicted_clusters : iterable of iterables of ids
        Clusters found, e.g. ``DedupResult.clusters``.
    gold_clusters : iterable of iterables of ids
        Reference clusters.

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1`` (floats) and ``tp``, ``fp``, ``fn`` (pair counts).

    Examples
    --------
    >>> pairwise_metrics([["a", "b", "c"]], [["a", "b"], ["c", "d"]])
    {'precision': 0.3333333333333333, 'recall': 0.5, 'f1': 0.4, 'tp': 1, 'fp': 2, 'fn': 1}
    """
    predicted = _pairs(predicted_clusters)
    gold = _pairs(gold_clusters)
    tp = len(predicted & gold)
    fp = len(predicted - gold)
    fn = len(gold - predicted)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}
