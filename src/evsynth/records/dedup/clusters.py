"""Group duplicate pairs into clusters, choose the record each cluster keeps, and score
clusters against a gold standard."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
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
