"""Relevance models for prioritised screening: linear classifiers on TF-IDF features.

Every built-in model is linear, so a record's score is a sum over its terms,
:math:`s_i = b + \\sum_j x_{ij} w_j`, and the terms with the largest :math:`x_{ij} w_j` are
exactly why the record ranks where it does (:meth:`LinearScorer.top_terms`).

Models
------
``default``
    evsynth's model: the mean of two standardised scores, a linear SVM and an L2 logistic
    regression, both with class weights, on title, abstract and keyword 1-2-grams. Chosen on
    tuning seeds 100-104, never on the seeds reported in ``benchmarks/README.md``.
``svm``
    ASReview LAB's ``elas_u4`` classifier: linear SVM, C = 0.11, squared hinge, "balanced"
    sample weights with ratio 9.8 (ASReview 2-3 ``models/models.py``), for comparison.
``logistic``
    L2 logistic regression with balanced class weights (C = 10).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from evsynth._core.errors import EvsynthError

Labels = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class LinearScorer:
    """A fitted linear relevance model: ``score = X @ weights + intercept``.

    Attributes
    ----------
    weights : ndarray
        One weight per term (column of the feature matrix).
    intercept : float
        Added to every score; it does not change the order.
    """

    weights: NDArray[np.float64]
    intercept: float = 0.0

    def score(self, matrix: sp.csr_matrix) -> NDArray[np.float64]:
        """Scores of the rows of ``matrix``; higher means more likely relevant."""
        scores: NDArray[np.float64] = np.asarray(matrix @ self.weights, dtype=np.float64)
        return scores + self.intercept

    def top_terms(
        self, matrix: sp.csr_matrix, rows: NDArray[np.intp], terms: NDArray[np.str_], k: int = 5
    ) -> list[tuple[tuple[str, float], ...]]:
        """For each row, the ``k`` terms that raise its score most, with their contribution.

        .. math:: c_{ij} = x_{ij} w_j \\quad\\text{(only } c_{ij} > 0\\text{ are listed)}
        """
        out: list[tuple[tuple[str, float], ...]] = []
        sub = matrix[rows]
        for r in range(sub.shape[0]):
            start, end = sub.indptr[r], sub.indptr[r + 1]
            cols = sub.indices[start:end]
            contrib = sub.data[start:end] * self.weights[cols]
            keep = np.flatnonzero(contrib > 0)
            best = keep[np.argsort(-contrib[keep], kind="stable")[:k]]
            out.append(tuple((str(terms[cols[j]]), float(contrib[j])) for j in best))
        return out


Fit = Callable[[sp.csr_matrix, Labels, int], LinearScorer]
"""``fit(matrix, labels, random_state)``: fit on the labelled rows, return a scorer."""


def _check(labels: Labels) -> None:
    if not (np.any(labels == 1) and np.any(labels == 0)):
        raise EvsynthError(
            "a relevance model needs at least one include and one exclude",
            hint="screen a few records in import order first",
        )


def balanced_weights(labels: Labels, ratio: float = 1.0) -> NDArray[np.float64]:
    """Sample weights that give the includes ``ratio`` times the total weight of excludes/ratio.

    ASReview's ``Balanced`` balancer: an include weighs 1 and an exclude
    :math:`n_1 / (\\rho\\, n_0)`, then all weights are scaled to sum to ``n``.

    .. math:: w_i = \\begin{cases} 1 & y_i = 1 \\\\ n_1/(\\rho n_0) & y_i = 0 \\end{cases},
              \\qquad w \\leftarrow w \\cdot n / \\textstyle\\sum w
    """
    n1 = float(np.sum(labels == 1))
    n0 = float(np.sum(labels == 0))
    weights: NDArray[np.float64] = np.where(labels == 1, 1.0, n1 / (ratio * n0))
    out: NDArray[np.float64] = weights * (labels.size / weights.sum())
    return out


def fit_svm(
    matrix: sp.csr_matrix,
    labels: Labels,
    random_state: int = 0,
    c: float = 0.11,
    ratio: float = 9.8,
) -> LinearScorer:
    """Linear SVM (squared hinge) with ASReview's balanced weights: ``elas_u4``'s classifier."""
    from sklearn.svm import LinearSVC

    _check(labels)
    model = LinearSVC(C=c, random_state=random_state)
    model.fit(matrix, labels, sample_weight=balanced_weights(labels, ratio))
    return LinearScorer(
        np.asarray(model.coef_, dtype=np.float64).ravel(), float(model.intercept_[0])
    )


def fit_logistic(
    matrix: sp.csr_matrix, labels: Labels, random_state: int = 0, c: float = 10.0
) -> LinearScorer:
    """L2 logistic regression with balanced class weights (liblinear)."""
    from sklearn.linear_model import LogisticRegression

    _check(labels)
    model = LogisticRegression(C=c, solver="liblinear", random_state=random_state)
    model.fit(matrix, labels, sample_weight=balanced_weights(labels, 1.0))
    return LinearScorer(
        np.asarray(model.coef_, dtype=np.float64).ravel(), float(model.intercept_[0])
    )


def _standardised(scorer: LinearScorer, matrix: sp.csr_matrix) -> LinearScorer:
    """Scale a linear scorer so its scores over ``matrix`` have unit standard deviation."""
    sd = float(np.std(scorer.score(matrix)))
    scale = 1.0 / sd if sd > 0 else 1.0
    return LinearScorer(scorer.weights * scale, scorer.intercept * scale)


def fit_default(matrix: sp.csr_matrix, labels: Labels, random_state: int = 0) -> LinearScorer:
    """evsynth's default: mean of the standardised SVM and logistic scorers (still linear).

    Standardising over the training rows puts the two models on one scale, so neither
    dominates the sum; the sum of two linear scorers is linear, so explanations stay exact.
    """
    svm = _standardised(fit_svm(matrix, labels, random_state), matrix)
    logistic = _standardised(fit_logistic(matrix, labels, random_state), matrix)
    return LinearScorer(
        (svm.weights + logistic.weights) / 2, (svm.intercept + logistic.intercept) / 2
    )
