"""Relevance models for prioritised screening: linear classifiers on TF-IDF features.

Every built-in model is linear, so a record's score is a sum over its terms,
:math:`s_i = b + \\sum_j x_{ij} w_j`, and the terms with the largest :math:`x_{ij} w_j` are
exactly why the record ranks where it does (:meth:`LinearScorer.top_terms`).

Models
------
``default``
    evsynth's model: ``elas_u4``'s linear SVM (solver tolerance :data:`DEFAULT_TOL`) fitted on
    each view of
    :func:`~evsynth.screening.prioritise.features.screening_features` (title + abstract; title
    twice + abstract + keywords), the standardised scores averaged. Chosen on tuning seeds
    100-104, not on the seeds reported in ``benchmarks/README.md`` (which says what had been
    seen on those when the refit schedule changed).
``svm``
    ASReview LAB's ``elas_u4`` classifier: linear SVM, C = 0.11, squared hinge, "balanced"
    sample weights with ratio 9.8 (ASReview 2-3 ``models/models.py``), for comparison.
``logistic``
    L2 logistic regression with balanced class weights (C = 10).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn import config_context
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from evsynth._core.errors import EvsynthError
from evsynth.screening.prioritise import liblinear

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
        sub = sp.csr_matrix(matrix[rows])
        for r in range(sub.shape[0]):
            start, end = sub.indptr[r], sub.indptr[r + 1]
            cols = sub.indices[start:end]
            contrib = sub.data[start:end] * self.weights[cols]
            # A term present in several views counts once, with its contributions summed.
            total: dict[str, float] = {}
            for col, value in zip(cols, contrib, strict=True):
                name = str(terms[col])
                total[name] = total.get(name, 0.0) + float(value)
            ranked = sorted(((t, v) for t, v in total.items() if v > 0), key=lambda item: -item[1])
            out.append(tuple(ranked[:k]))
        return out


Fit = Callable[[sp.csr_matrix, Labels, int, tuple[int, ...]], LinearScorer]
"""``fit(matrix, labels, random_state, blocks)``: fit on the labelled rows, return a scorer.

``blocks`` are the column boundaries of the feature views (``FeatureMatrix.blocks``); a model
that does not use views ignores them."""

FitViews = Callable[[Sequence[sp.csr_matrix], Labels, int], LinearScorer]
"""``fit_views(parts, labels, random_state)``: the same fit from the labelled rows of each view
given apart (``FeatureMatrix.views``); optional, it only saves slicing columns."""


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
    blocks: tuple[int, ...] = (),
    c: float = 0.11,
    ratio: float = 9.8,
    tol: float = 1e-4,
) -> LinearScorer:
    """Linear SVM (squared hinge) with ASReview's balanced weights: ``elas_u4``'s classifier.

    scikit-learn's ``LinearSVC(C=c, tol=tol)``; its compiled solver is called directly where
    the input allows (:func:`.liblinear.train_svm`, same coefficients, without the per-call
    checks). ``tol`` is liblinear's stopping tolerance (scikit-learn's default 1e-4, as
    ``elas_u4``).
    """
    _check(labels)
    weights = balanced_weights(labels, ratio)
    fitted = liblinear.train_svm(matrix, labels, weights, c, tol, random_state)
    if fitted is not None:
        return LinearScorer(*fitted)
    model = LinearSVC(C=c, random_state=random_state, tol=tol)
    # The inputs are built here and known to be valid: skip scikit-learn's parameter checks.
    with config_context(assume_finite=True, skip_parameter_validation=True):
        model.fit(matrix, labels, sample_weight=weights)
    return LinearScorer(
        np.asarray(model.coef_, dtype=np.float64).ravel(), float(model.intercept_[0])
    )


def fit_logistic(
    matrix: sp.csr_matrix,
    labels: Labels,
    random_state: int = 0,
    blocks: tuple[int, ...] = (),
    c: float = 10.0,
) -> LinearScorer:
    """L2 logistic regression with balanced class weights (liblinear)."""
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


#: Weight of each view in the default model: (title + abstract, title x2 + abstract + keywords).
VIEW_WEIGHTS: tuple[float, ...] = (0.5, 0.5)
#: liblinear's stopping tolerance in the default model. On the tuning seeds 1e-3 ranked as
#: 1e-4 did (macro WSS@95 within 0.0005 on every seed) with a third fewer solver passes on
#: large training sets.
DEFAULT_TOL = 1e-3


def fit_default(
    matrix: sp.csr_matrix, labels: Labels, random_state: int = 0, blocks: tuple[int, ...] = ()
) -> LinearScorer:
    """evsynth's default: one ``elas_u4`` SVM per feature view, standardised scores averaged.

    .. math:: s_i = \\sum_v \\omega_v \\, \\frac{x_{i,v} \\cdot w_v + b_v}{\\sigma_v}

    where :math:`\\sigma_v` is the standard deviation of view :math:`v`'s scores over the
    training rows, so that neither view dominates, and :math:`\\omega_v` are
    :data:`VIEW_WEIGHTS`. The sum of linear scorers is linear, so explanations stay exact.
    With one view it is the SVM alone.
    """
    edges = blocks if len(blocks) >= 2 else (0, int(matrix.shape[1]))
    views = list(pairwise(edges))
    if len(views) == 1:
        return fit_svm(matrix, labels, random_state, tol=DEFAULT_TOL)
    return fit_default_views(
        [sp.csr_matrix(matrix[:, lo:hi]) for lo, hi in views], labels, random_state
    )


def fit_default_views(
    parts: Sequence[sp.csr_matrix], labels: Labels, random_state: int = 0
) -> LinearScorer:
    """:func:`fit_default` from the training rows of each view given apart (no column
    slicing: a simulation keeps the views apart and takes their rows at each refit)."""
    if len(parts) != len(VIEW_WEIGHTS):
        raise EvsynthError(
            f"the default model expects {len(VIEW_WEIGHTS)} feature views, got {len(parts)}"
        )
    pieces: list[NDArray[np.float64]] = []
    intercept = 0.0
    for part, omega in zip(parts, VIEW_WEIGHTS, strict=True):
        scorer = _standardised(fit_svm(part, labels, random_state, tol=DEFAULT_TOL), part)
        pieces.append(omega * scorer.weights)
        intercept += omega * scorer.intercept
    return LinearScorer(np.concatenate(pieces), intercept)
