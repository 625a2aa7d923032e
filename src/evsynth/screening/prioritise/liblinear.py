"""scikit-learn's liblinear binding, called the way ``LinearSVC.fit`` calls it, without the
input checks.

Why: a simulated screening refits two SVMs after most decisions, most of them on a few dozen
to a few hundred records, where scikit-learn's per-call validation (input and target checks,
label encoding, class weights, a new random generator) costs more than liblinear itself (0.36
of 0.63 ms for 56 records). The matrices and labels here are built by evsynth and already are
what the checks would produce, so :func:`train_svm` hands them to the same compiled solver with
the same arguments and seed, and gives the same coefficients (checked against ``LinearSVC`` in
the tests, and once per process on a small problem, :func:`agrees`). Where this scikit-learn
has no such binding, or it gives something else, :func:`train_svm` returns ``None`` and the
caller uses ``LinearSVC``.

The solver is liblinear's (Fan et al. 2008, JMLR 9:1871-1874) L2-regularised squared-hinge
SVM: dual coordinate descent (``-s 1``) when there are fewer records than terms, the primal
trust-region Newton method (``-s 2``) otherwise, as ``LinearSVC(dual="auto")`` chooses.
"""

from __future__ import annotations

import importlib
import warnings
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.exceptions import ConvergenceWarning

_binding: Any
try:
    _binding = importlib.import_module("sklearn.svm._liblinear")
except ImportError:  # pragma: no cover - depends on the scikit-learn version
    _binding = None

# liblinear's solver codes (its ``-s`` option).
L2R_L2LOSS_SVC_DUAL = 1
L2R_L2LOSS_SVC = 2
MAX_ITER = 1000  # LinearSVC's default


@lru_cache(maxsize=64)
def _seed(random_state: int) -> int:
    """The seed ``LinearSVC(random_state=random_state)`` gives liblinear."""
    return int(np.random.RandomState(random_state).randint(np.iinfo("i").max))


def ready(matrix: Any) -> bool:
    """Whether ``matrix`` is what ``LinearSVC``'s checks would hand to liblinear unchanged, and
    the binding in this scikit-learn gives what ``LinearSVC`` gives (:func:`agrees`)."""
    return (
        _binding is not None
        and sp.issparse(matrix)
        and matrix.format == "csr"
        and matrix.dtype == np.float64
        and matrix.indices.dtype == np.int32
        and matrix.indptr.dtype == np.int32
        and agrees()
    )


def _train(
    matrix: sp.csr_matrix,
    labels: NDArray[np.int64],
    sample_weight: NDArray[np.float64],
    c: float,
    tol: float,
    random_state: int,
) -> tuple[NDArray[np.float64], float] | None:
    dual = matrix.shape[0] < matrix.shape[1]
    try:
        # liblinear's verbosity is a process-wide switch, on until someone turns it off (as
        # every scikit-learn fit does); without this it prints a line per fit.
        _binding.set_verbosity_wrap(0)
        raw, n_iter = _binding.train_wrap(
            matrix,
            np.asarray(labels, dtype=np.float64),  # liblinear takes the classes 0, 1 as doubles
            True,  # sparse input
            L2R_L2LOSS_SVC_DUAL if dual else L2R_L2LOSS_SVC,
            tol,
            1.0,  # bias: LinearSVC's intercept_scaling
            c,
            np.ones(2),  # class weights: none beyond the sample weights
            MAX_ITER,
            _seed(random_state),
            0.1,  # epsilon: unused by classification
            np.ascontiguousarray(sample_weight, dtype=np.float64),
        )
    except (TypeError, ValueError):  # a binding with another signature
        return None
    if max(n_iter) >= MAX_ITER:
        warnings.warn(
            "Liblinear failed to converge, increase the number of iterations.",
            ConvergenceWarning,
            stacklevel=3,
        )
    coef = np.asarray(raw, dtype=np.float64)
    return coef[0, :-1].copy(), float(coef[0, -1])


@lru_cache(maxsize=1)
def agrees() -> bool:
    """Whether the direct call gives ``LinearSVC``'s coefficients on a small fixed problem.

    Checked once per process, so that a scikit-learn whose binding takes its arguments in
    another order, or means something else by them, falls back to ``LinearSVC`` instead of
    giving wrong rankings.
    """
    if _binding is None:
        return False
    from sklearn.svm import LinearSVC

    rng = np.random.default_rng(20240601)
    matrix = sp.random(12, 30, density=0.3, random_state=1, format="csr", dtype=np.float64)
    labels = np.array([1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0], dtype=np.int64)
    weights = rng.uniform(0.5, 2.0, size=12)
    direct = _train(matrix, labels, weights, 0.11, 1e-4, 3)
    if direct is None:
        return False
    model = LinearSVC(C=0.11, tol=1e-4, random_state=3).fit(matrix, labels, sample_weight=weights)
    return bool(np.array_equal(direct[0], model.coef_.ravel()) and direct[1] == model.intercept_[0])


def train_svm(
    matrix: sp.csr_matrix,
    labels: NDArray[np.int64],
    sample_weight: NDArray[np.float64],
    c: float,
    tol: float,
    random_state: int,
) -> tuple[NDArray[np.float64], float] | None:
    """Weights and intercept of ``LinearSVC(C=c, tol=tol, random_state=random_state)`` fitted
    with ``sample_weight``, or ``None`` when the binding cannot be used here (then the caller
    fits ``LinearSVC``).

    ``labels`` must be 0/1 with both present (the caller checks).
    """
    if not ready(matrix):
        return None
    return _train(matrix, labels, sample_weight, c, tol, random_state)
