"""The relevance models: the fast liblinear path and the per-view path give what the plain
scikit-learn calls give.

Texts: ``tests/data/screening/cohen2006_nsaids_subset.csv`` (Cohen et al. 2006, NSAIDs review;
provenance in ``tests/data/screening/README.md``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.svm import LinearSVC

from evsynth.screening.prioritise import (
    Prioritiser,
    liblinear,
    screening_features,
    simulate_screening,
)
from evsynth.screening.prioritise.features import FeatureMatrix
from evsynth.screening.prioritise.models import (
    DEFAULT_TOL,
    balanced_weights,
    fit_default,
    fit_default_views,
    fit_svm,
)
from evsynth.screening.prioritise.registry import DEFAULT

DATA = Path(__file__).resolve().parents[2] / "data" / "screening" / "cohen2006_nsaids_subset.csv"


@pytest.fixture(scope="module")
def subset() -> pd.DataFrame:
    return pd.read_csv(DATA)


@pytest.fixture(scope="module")
def features(subset: pd.DataFrame) -> FeatureMatrix:
    return screening_features(
        subset["title"].tolist(),
        subset["abstract"].tolist(),
        None,
        with_terms=False,
        with_views=True,
    )


def _training(labels: np.ndarray, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = rng.choice(labels.size, n, replace=False)
    rows[:2] = [np.flatnonzero(labels == 1)[0], np.flatnonzero(labels == 0)[0]]
    return np.unique(rows)


@pytest.mark.parametrize(("n", "tol"), [(12, 1e-4), (60, 1e-3), (191, 1e-4)])
def test_fast_path_equals_linear_svc(
    subset: pd.DataFrame, features: FeatureMatrix, n: int, tol: float
) -> None:
    labels = subset["label"].to_numpy()
    rows = _training(labels, n, seed=n)
    matrix, y = features.views[0][rows], labels[rows]
    assert liblinear.ready(matrix)
    fast = fit_svm(matrix, y, random_state=7, tol=tol)
    reference = LinearSVC(C=0.11, tol=tol, random_state=7).fit(
        matrix, y, sample_weight=balanced_weights(y, 9.8)
    )
    np.testing.assert_array_equal(fast.weights, reference.coef_.ravel())
    assert fast.intercept == reference.intercept_[0]


def test_fast_path_equals_linear_svc_in_the_primal_case() -> None:
    # More rows than columns: LinearSVC's dual="auto" solves the primal problem.
    rng = np.random.default_rng(1)
    matrix = sp.random(80, 5, density=0.6, random_state=2, format="csr")
    y = (rng.random(80) < 0.3).astype(np.int64)
    fast = fit_svm(matrix, y, random_state=3)
    reference = LinearSVC(C=0.11, random_state=3).fit(
        matrix, y, sample_weight=balanced_weights(y, 9.8)
    )
    np.testing.assert_array_equal(fast.weights, reference.coef_.ravel())


def test_without_the_fast_path_linear_svc_gives_the_same(
    subset: pd.DataFrame, features: FeatureMatrix, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = subset["label"].to_numpy()
    rows = _training(labels, 50, seed=5)
    matrix, y = features.views[1][rows], labels[rows]
    fast = fit_svm(matrix, y, random_state=1, tol=DEFAULT_TOL)
    monkeypatch.setattr(liblinear, "_binding", None)
    assert not liblinear.ready(matrix)
    slow = fit_svm(matrix, y, random_state=1, tol=DEFAULT_TOL)
    np.testing.assert_array_equal(fast.weights, slow.weights)


def test_views_are_the_column_blocks_of_the_matrix(
    subset: pd.DataFrame, features: FeatureMatrix
) -> None:
    without = screening_features(subset["title"].tolist(), subset["abstract"].tolist())
    assert without.views == ()
    lo, k, hi = features.blocks
    assert len(features.views) == 2
    assert (features.views[0] != features.matrix[:, lo:k]).nnz == 0
    assert (features.views[1] != features.matrix[:, k:hi]).nnz == 0


def test_fit_from_views_equals_fit_from_the_stacked_matrix(
    subset: pd.DataFrame, features: FeatureMatrix
) -> None:
    labels = subset["label"].to_numpy()
    rows = _training(labels, 70, seed=9)
    stacked = fit_default(features.matrix[rows], labels[rows], 4, features.blocks)
    apart = fit_default_views([v[rows] for v in features.views], labels[rows], 4)
    np.testing.assert_array_equal(stacked.weights, apart.weights)
    assert stacked.intercept == apart.intercept


def test_simulation_is_the_same_with_and_without_the_per_view_path(subset: pd.DataFrame) -> None:
    plain = Prioritiser("default-stacked", DEFAULT.label, DEFAULT.fit)
    assert plain.fit_views is None and DEFAULT.fit_views is not None
    a = simulate_screening(subset, (6, 0), prioritiser=DEFAULT, rng=2)
    b = simulate_screening(subset, (6, 0), prioritiser=plain, rng=2)
    assert a.order == b.order and a.n_fits == b.n_fits


def test_fast_path_prints_nothing(
    subset: pd.DataFrame, features: FeatureMatrix, capfd: pytest.CaptureFixture[str]
) -> None:
    # liblinear's verbosity is process-wide; a process that never ran LinearSVC has it on.
    liblinear._binding.set_verbosity_wrap(1)
    labels = subset["label"].to_numpy()
    rows = _training(labels, 30, seed=3)
    assert fit_svm(features.views[0][rows], labels[rows]) is not None
    assert capfd.readouterr().out == ""


def test_a_binding_that_disagrees_with_linear_svc_is_not_used(
    subset: pd.DataFrame, features: FeatureMatrix, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = liblinear._binding

    class Swapped:
        """A binding whose arguments mean something else (here: C and tol swapped)."""

        set_verbosity_wrap = staticmethod(real.set_verbosity_wrap)

        @staticmethod
        def train_wrap(*args: object) -> object:
            args_ = list(args)
            args_[4], args_[6] = args_[6], args_[4]
            return real.train_wrap(*args_)

    monkeypatch.setattr(liblinear, "_binding", Swapped())
    liblinear.agrees.cache_clear()
    try:
        assert not liblinear.agrees()
        labels = subset["label"].to_numpy()
        rows = _training(labels, 40, seed=4)
        matrix, y = features.views[0][rows], labels[rows]
        assert liblinear.train_svm(matrix, y, balanced_weights(y, 9.8), 0.11, 1e-4, 1) is None
        reference = LinearSVC(C=0.11, random_state=1).fit(
            matrix, y, sample_weight=balanced_weights(y, 9.8)
        )
        np.testing.assert_array_equal(fit_svm(matrix, y, 1).weights, reference.coef_.ravel())
    finally:
        monkeypatch.undo()
        liblinear.agrees.cache_clear()
    assert liblinear.agrees()
