"""Which record next: certainty ("max") querying on a model refitted on a schedule.

The record shown next is the unscreened one with the highest score (ASReview's ``max``
querier; ties keep import order). Refitting after every decision is what makes active learning
costly; evsynth refits

* after every decision while fewer than ``warmup`` records are labelled,
* after every include (an include changes the model most), and
* otherwise once the decisions since the last fit reach ``fraction`` of all labelled records,

and between fits shows the next record of the last ranking. One record is still labelled per
step: only the model is refreshed less often, late in screening, when one more exclude among
hundreds barely moves it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from evsynth._core.errors import EvsynthError
from evsynth._core.summary import Summary
from evsynth.screening.prioritise.features import (
    FeatureMatrix,
    screening_features,
    tfidf_features,
)
from evsynth.screening.prioritise.registry import Prioritiser, get_prioritiser


@dataclass(frozen=True, slots=True)
class RetrainSchedule:
    """When the relevance model is refitted during screening.

    Parameters
    ----------
    warmup : int, optional
        Refit after every decision until this many records are labelled.
    fraction : float, optional
        Otherwise refit once the decisions since the last fit reach
        :math:`\\max(1, \\lfloor f\\,n_{\\text{labelled}} \\rfloor)`; 0 refits after every
        decision (as ASReview does). The default 0.02 gained 0.35 points of WSS@95 over 0.05
        on the tuning seeds (``benchmarks/README.md``).
    on_include : bool, optional
        Refit after every include.
    """

    warmup: int = 0
    fraction: float = 0.02
    on_include: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.fraction < 1.0:
            raise EvsynthError(f"fraction={self.fraction!r} must lie in [0, 1)")
        if self.warmup < 0:
            raise EvsynthError(f"warmup={self.warmup!r} must not be negative")

    def due(self, n_labelled: int, since_fit: int, last_was_include: bool) -> bool:
        """Whether to refit now, after ``since_fit`` decisions since the last fit."""
        if since_fit <= 0:
            return False
        if n_labelled <= self.warmup or (self.on_include and last_was_include):
            return True
        return since_fit >= max(1, math.floor(self.fraction * n_labelled))


EVERY_LABEL = RetrainSchedule(fraction=0.0, on_include=True)
DEFAULT_SCHEDULE = RetrainSchedule()


def rank_order(scores: NDArray[np.float64], labelled: NDArray[np.bool_]) -> NDArray[np.intp]:
    """Unlabelled rows by decreasing score; ties keep their original (import) order."""
    pool = np.flatnonzero(~labelled)
    return pool[np.argsort(-scores[pool], kind="stable")]


@dataclass(frozen=True, slots=True)
class Ranking:
    """Unscreened records ranked by predicted relevance, each with the terms that rank it.

    Attributes
    ----------
    rows : tuple of int
        Positions of the unscreened records (in the caller's sequence), most relevant first.
    scores : tuple of float
        Their scores (the model's decision values: only the order matters).
    top_terms : tuple of tuple of (str, float)
        For each, the terms that raise its score most, with their contribution.
    prioritiser : str
        The model's name.
    n_included, n_excluded : int
        Labels the model learned from (the criteria text counts as one include).
    """

    rows: tuple[int, ...]
    scores: tuple[float, ...]
    top_terms: tuple[tuple[tuple[str, float], ...], ...]
    prioritiser: str
    n_included: int
    n_excluded: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "rank": np.arange(1, len(self.rows) + 1),
                "row": list(self.rows),
                "score": list(self.scores),
                "top_terms": ["; ".join(t for t, _ in terms) for terms in self.top_terms],
            }
        )

    def summary(self, n: int = 20) -> Summary:
        rows = [
            (i + 1, row, score, ", ".join(t for t, _ in terms))
            for i, (row, score, terms) in enumerate(
                zip(self.rows[:n], self.scores[:n], self.top_terms[:n], strict=True)
            )
        ]
        return Summary(
            title=f"Prioritised records ({self.prioritiser})",
            columns=("rank", "row", "score", "top terms"),
            rows=rows,
            notes=(
                f"Learned from {self.n_included} includes and {self.n_excluded} excludes; "
                "a term's contribution is its TF-IDF value times the model weight.",
            ),
        )


def rank_features(
    features: FeatureMatrix,
    labelled_rows: Sequence[int],
    labels: Sequence[int],
    *,
    prioritiser: str | Prioritiser = "default",
    extra_includes: Sequence[int] = (),
    n_terms: int = 5,
    random_state: int = 0,
) -> Ranking:
    """Rank the unlabelled rows of ``features`` with a model fitted on the labelled ones.

    Parameters
    ----------
    features : FeatureMatrix
        TF-IDF rows; rows listed in ``extra_includes`` are training-only pseudo-records (the
        protocol's criteria text) and are never ranked.
    labelled_rows, labels : sequences of int
        Rows decided so far and their decisions (1 include, 0 exclude).
    """
    prior = get_prioritiser(prioritiser)
    n = features.n_records
    rows = np.asarray(list(labelled_rows) + list(extra_includes), dtype=np.intp)
    y = np.asarray(list(labels) + [1] * len(extra_includes), dtype=np.int64)
    if rows.size and (rows.min() < 0 or rows.max() >= n):
        raise EvsynthError(f"labelled rows must lie in 0..{n - 1}")
    labelled = np.zeros(n, dtype=bool)
    labelled[rows] = True
    scorer = prior.fit(features.matrix[rows], y, random_state, features.blocks)
    order = rank_order(scorer.score(features.matrix), labelled)
    scores = scorer.score(features.matrix[order]) if order.size else np.empty(0)
    terms = scorer.top_terms(features.matrix, order, features.terms, n_terms)
    return Ranking(
        rows=tuple(int(i) for i in order),
        scores=tuple(float(s) for s in scores),
        top_terms=tuple(terms),
        prioritiser=prior.name,
        n_included=int(y.sum()),
        n_excluded=int((y == 0).sum()),
    )


def rank_texts(
    texts: Sequence[str],
    decisions: Mapping[int, int],
    *,
    criteria: str | None = None,
    prioritiser: str | Prioritiser = "default",
    n_terms: int = 5,
) -> Ranking:
    """Rank the undecided texts by predicted relevance from the decisions so far.

    Parameters
    ----------
    texts : sequence of str
        One text per record (:func:`~evsynth.screening.prioritise.features.record_texts`).
    decisions : mapping of int to {0, 1}
        Position in ``texts`` -> decision so far (1 include or maybe, 0 exclude).
    criteria : str, optional
        The protocol's eligibility criteria; used as one more include, so the ranking can start
        before the first include and leans towards the question asked.
    prioritiser : str or Prioritiser, optional
        A name from :func:`~evsynth.screening.prioritise.available_prioritisers`.
    n_terms : int, optional
        Terms listed per record.

    Examples
    --------
    >>> texts = ["statin trial cholesterol", "statin cohort", "bridge design", "bridge steel"]
    >>> ranking = rank_texts(texts, {0: 1, 2: 0})
    >>> ranking.rows
    (1, 3)
    >>> ranking.top_terms[0][0][0]
    'statin'
    """
    for row, value in decisions.items():
        if value not in (0, 1):
            raise EvsynthError(f"decision {value!r} for record {row} must be 0 or 1")
    corpus = list(texts)
    extra: list[int] = []
    if criteria is not None and criteria.strip():
        extra.append(len(corpus))
        corpus.append(criteria)
    features = tfidf_features(corpus)
    return rank_features(
        features,
        list(decisions),
        list(decisions.values()),
        prioritiser=prioritiser,
        extra_includes=extra,
        n_terms=n_terms,
    )


def rank_records(
    titles: Sequence[object],
    abstracts: Sequence[object],
    keywords: Sequence[object] | None,
    decisions: Mapping[int, int],
    *,
    criteria: str | None = None,
    prioritiser: str | Prioritiser = "default",
    n_terms: int = 5,
) -> Ranking:
    """Rank undecided records from their title, abstract and keywords (the default's views).

    As :func:`rank_texts`, with the two views of
    :func:`~evsynth.screening.prioritise.features.screening_features`; the criteria text, when
    given, is one more relevant record (as a title).
    """
    for row, value in decisions.items():
        if value not in (0, 1):
            raise EvsynthError(f"decision {value!r} for record {row} must be 0 or 1")
    t, a = list(titles), list(abstracts)
    k = list(keywords) if keywords is not None else [None] * len(t)
    extra: list[int] = []
    if criteria is not None and criteria.strip():
        extra.append(len(t))
        t, a, k = [*t, criteria], [*a, None], [*k, None]
    return rank_features(
        screening_features(t, a, k),
        list(decisions),
        list(decisions.values()),
        prioritiser=prioritiser,
        extra_includes=extra,
        n_terms=n_terms,
    )
