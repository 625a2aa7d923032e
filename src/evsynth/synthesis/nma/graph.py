r"""Graph kernels of Rücker's network meta-analysis: incidence, Laplacian, pseudoinverse, multi-arm.

NumPy arrays in, NumPy arrays out; no pandas. A network of ``n`` treatments (vertices) and ``m``
pairwise contrasts (edges) is described by its edge-vertex incidence matrix :math:`B`
(``m x n``), one row per contrast with :math:`+1` at the first and :math:`-1` at the second
treatment, and by the contrast weights :math:`w_e = 1 / v_e`.

References
----------
Rücker G (2012). Network meta-analysis, electrical networks and graph theory. Research Synthesis
Methods 3(4):312-324. doi:10.1002/jrsm.1058
Rücker G, Schwarzer G (2014). Reduce dimension or reduce weights? Comparing two approaches to
multi-arm studies in network meta-analysis. Statistics in Medicine 33(25):4353-4369.
doi:10.1002/sim.6236
Gutman I, Xiao W (2004). Generalized inverse of the Laplacian matrix and some applications.
Bulletin de l'Académie Serbe des Sciences et des Arts 129:15-23. doi:10.2298/BMAT0429015G
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.sparse import csgraph, csr_matrix

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

# netmeta (multiarm.R) sets a negative reduced weight to zero when it is below 0.1% of the
# study's total absolute weight: such weights are rounding noise of the pseudoinverse.
NEGATIVE_WEIGHT_SHARE = 0.001


def incidence_matrix(treat1: IntArray, treat2: IntArray, n: int) -> FloatArray:
    r"""Edge-vertex incidence matrix :math:`B` (``m x n``).

    .. math::

        B_{e,t} = \begin{cases} 1 & t = t_1(e) \\ -1 & t = t_2(e) \\ 0 & \text{otherwise} \end{cases}
    """
    m = treat1.shape[0]
    B = np.zeros((m, n))
    rows = np.arange(m)
    B[rows, treat1] = 1.0
    B[rows, treat2] = -1.0
    return B


def complete_pairs(p: int) -> tuple[IntArray, IntArray]:
    """The ``p (p - 1) / 2`` edges (i, j), i < j, of the complete graph on ``p`` arms, row-wise."""
    first, second = np.triu_indices(p, k=1)
    return first.astype(np.intp), second.astype(np.intp)


def laplacian(B: FloatArray, weights: FloatArray) -> FloatArray:
    r"""Weighted Laplacian (Kirchhoff) matrix.

    .. math::

        L = B^\top W B, \qquad W = \operatorname{diag}(w_1, \dots, w_m)
    """
    return np.asarray((B.T * weights) @ B, dtype=np.float64)


def laplacian_pinv(L: FloatArray) -> FloatArray:
    r"""Moore-Penrose pseudoinverse of the Laplacian of a connected graph (Rücker 2012, eq. 9).

    .. math::

        L^+ = \left(L - \tfrac1n J\right)^{-1} + \tfrac1n J

    with :math:`J` the ``n x n`` matrix of ones; this is netmeta's ``invmat()``. It needs the
    graph to be connected (then :math:`L` has rank :math:`n - 1` and null space
    :math:`\mathbf 1`); callers check connectivity first.
    """
    n = L.shape[0]
    J = np.full((n, n), 1.0 / n)
    Lp = np.linalg.inv(L - J) + J
    return np.asarray(0.5 * (Lp + Lp.T), dtype=np.float64)


def resistance_matrix(Lplus: FloatArray) -> FloatArray:
    r"""Effective resistances = variances of all pairwise network estimates (Rücker 2012, eq. 11).

    .. math::

        R_{ij} = L^+_{ii} + L^+_{jj} - 2 L^+_{ij}
    """
    d = np.diag(Lplus)
    R = d[:, None] + d[None, :] - 2.0 * Lplus
    np.fill_diagonal(R, 0.0)
    return np.asarray(R, dtype=np.float64)


def reduce_multiarm(R: FloatArray) -> FloatArray:
    r"""Reduced-weight variances of multi-arm studies (Rücker & Schwarzer 2014, section 3).

    ``R`` is the symmetric ``p x p`` matrix of a study's observed contrast variances
    (:math:`R_{ij} = v_{ij}`, zero diagonal), read as a resistance matrix; a stack of such
    matrices (``S x p x p``) is reduced study by study. The study's own Laplacian follows from
    the double-centred resistances (Gutman & Xiao 2004, Theorem 7):

    .. math::

        \tilde L^+ = -\tfrac12\, C R C, \quad C = I - \tfrac1p J, \qquad
        \tilde L = (\tilde L^+)^+, \qquad \tilde w_{ij} = -\tilde L_{ij}, \qquad
        \tilde v_{ij} = 1 / \tilde w_{ij}

    The result holds the adjusted variances :math:`\tilde v_{ij}` (used in place of
    :math:`v_{ij}` so that the ``p (p - 1) / 2`` contrasts, treated as independent, carry the
    information of ``p - 1`` correlated ones). As netmeta, a negative weight smaller than 0.1%
    of the study's total absolute weight is set to zero (variance infinite). Negative weights
    beyond that are returned as negative variances; the caller refuses them.
    """
    p = R.shape[-1]
    C = np.eye(p) - 1.0 / p
    Lt = -0.5 * (C @ R @ C)
    J = np.full((p, p), 1.0 / p)
    W = -(np.linalg.inv(Lt - J) + J)
    off = ~np.eye(p, dtype=bool)
    W = np.where(off, W, 0.0)
    lower = np.tril_indices(p, k=-1)
    total = np.sum(np.abs(W[..., lower[0], lower[1]]), axis=-1)[..., None, None]
    W = np.where((W < 0) & (np.abs(W) / total < NEGATIVE_WEIGHT_SHARE), 0.0, W)
    with np.errstate(divide="ignore"):
        V = np.where(off, 1.0 / W, 0.0)
    return np.asarray(V, dtype=np.float64)


def arm_variances(v: FloatArray, p: int) -> tuple[FloatArray, FloatArray]:
    r"""Arm variances implied by multi-arm studies' contrast variances, by least squares.

    ``v`` holds each study's contrast variances (``S x p (p - 1) / 2``) in the order of
    :func:`complete_pairs`. Independent arms with variances :math:`\sigma^2_i` give contrast
    variances :math:`v_{ij} = \sigma^2_i + \sigma^2_j`, i.e. :math:`|B_p|\,\sigma^2 = v` with
    :math:`B_p` the incidence matrix of the complete graph. For three arms the solution is exact,
    :math:`\sigma^2_1 = (v_{12} + v_{13} - v_{23}) / 2`, and is negative exactly when the
    triangle condition :math:`v_{23} \le v_{12} + v_{13}` fails; with four or more arms the
    system is over-determined and the largest absolute residual of each study is returned
    (netmeta's ``chkmultiarm()`` check).

    Returns
    -------
    sigma2 : numpy.ndarray
        Arm variances, ``S x p``.
    residual : numpy.ndarray
        Largest :math:`|v_{ij} - \sigma^2_i - \sigma^2_j|` of each study.
    """
    A = np.abs(incidence_matrix(*complete_pairs(p), p))
    # |B|'|B| = (p - 2) I + J is invertible for p >= 3.
    solver = np.linalg.solve(A.T @ A, A.T)
    sigma2 = v @ solver.T
    residual = np.max(np.abs(v - sigma2 @ A.T), axis=-1)
    return np.asarray(sigma2, dtype=np.float64), np.asarray(residual, dtype=np.float64)


def multiarm_effect_residual(effect: FloatArray, p: int) -> FloatArray:
    r"""Largest deviation of multi-arm studies' contrasts from consistency (``tol.multiarm``).

    ``effect`` holds each study's contrasts (``S x p (p - 1) / 2``, :func:`complete_pairs`
    order). They must be differences of arm means, :math:`y = B_p \mu`; the least-squares fit
    is :math:`\hat\mu = B_p^+ y = B_p^\top y / p` (since :math:`B_p^\top B_p = pI - J`), and
    the residual is :math:`y - B_p \hat\mu`.
    """
    B = incidence_matrix(*complete_pairs(p), p)
    resid = effect - effect @ (B @ B.T / p).T
    return np.asarray(np.max(np.abs(resid), axis=-1), dtype=np.float64)


def connected_components(treat1: IntArray, treat2: IntArray, n: int) -> IntArray:
    """Component label (0, 1, ...) of each of ``n`` vertices, numbered by their smallest vertex."""
    graph = csr_matrix((np.ones(treat1.shape[0]), (treat1, treat2)), shape=(n, n))
    _, labels = csgraph.connected_components(graph, directed=False)
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(np.argsort(first))
    return np.asarray(order[labels], dtype=np.intp)
