"""Graph kernels of network meta-analysis: properties that hold by construction."""

from __future__ import annotations

import numpy as np
import pytest

from evsynth.synthesis.nma.graph import (
    arm_variances,
    complete_pairs,
    connected_components,
    incidence_matrix,
    laplacian,
    laplacian_pinv,
    multiarm_effect_residual,
    reduce_multiarm,
    resistance_matrix,
)

RNG = np.random.default_rng(20240601)


def _random_connected(n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # A spanning path plus random extra edges, with positive weights.
    t1 = list(range(n - 1))
    t2 = list(range(1, n))
    while len(t1) < m:
        a, b = sorted(RNG.choice(n, 2, replace=False).tolist())
        t1.append(a)
        t2.append(b)
    w = RNG.uniform(0.5, 20.0, len(t1))
    return np.array(t1), np.array(t2), w


def test_incidence_rows_sum_to_zero() -> None:
    t1, t2, _ = _random_connected(6, 10)
    B = incidence_matrix(t1, t2, 6)
    assert B.shape == (10, 6)
    np.testing.assert_array_equal(B.sum(axis=1), np.zeros(10))
    np.testing.assert_array_equal(np.abs(B).sum(axis=1), np.full(10, 2.0))


def test_laplacian_pinv_is_the_moore_penrose_inverse() -> None:
    t1, t2, w = _random_connected(7, 15)
    L = laplacian(incidence_matrix(t1, t2, 7), w)
    Lp = laplacian_pinv(L)
    np.testing.assert_allclose(Lp, np.linalg.pinv(L), atol=1e-12)
    np.testing.assert_allclose(L @ Lp @ L, L, atol=1e-10)
    np.testing.assert_allclose(Lp.sum(axis=0), 0.0, atol=1e-12)


def test_resistance_of_a_single_edge_is_its_variance() -> None:
    # Two treatments joined by one contrast of variance 0.25: the network variance is 0.25.
    L = laplacian(incidence_matrix(np.array([0]), np.array([1]), 2), np.array([4.0]))
    R = resistance_matrix(laplacian_pinv(L))
    assert R[0, 1] == pytest.approx(0.25, rel=1e-12)
    assert R[0, 0] == 0.0


def test_resistances_in_series_and_parallel() -> None:
    # Rücker (2012): variances add along a path (series) and combine by inverse in parallel.
    t1, t2 = np.array([0, 1, 0]), np.array([1, 2, 2])
    v = np.array([0.1, 0.2, 0.6])
    R = resistance_matrix(laplacian_pinv(laplacian(incidence_matrix(t1, t2, 3), 1 / v)))
    indirect = v[0] + v[1]
    assert R[0, 2] == pytest.approx(1 / (1 / indirect + 1 / v[2]), rel=1e-12)


def test_reduce_multiarm_equals_the_closed_form_for_independent_arms() -> None:
    # With arm variances s_i, the reduced weights are w_ij = (1/s_i)(1/s_j) / sum_k (1/s_k)
    # (Rücker & Schwarzer 2014, eq. 8), for three and four arms.
    for p in (3, 4, 5):
        s = RNG.uniform(0.05, 0.5, p)
        i, j = complete_pairs(p)
        R = np.zeros((p, p))
        R[i, j] = s[i] + s[j]
        R = R + R.T
        V = reduce_multiarm(R)
        expected = np.sum(1 / s) / ((1 / s[i]) * (1 / s[j]))
        np.testing.assert_allclose(V[i, j], expected, rtol=1e-10)


def test_reduce_multiarm_works_on_stacks() -> None:
    p = 3
    i, j = complete_pairs(p)
    R = np.zeros((4, p, p))
    R[:, i, j] = RNG.uniform(0.1, 0.5, (4, 3))
    R = R + R.transpose(0, 2, 1)
    stacked = reduce_multiarm(R)
    for k in range(4):
        np.testing.assert_allclose(stacked[k], reduce_multiarm(R[k]), rtol=1e-12)


def test_arm_variances_triangle_condition() -> None:
    # v_AB = 0.3, v_AC = 0.4, v_BC = 0.5: arms 0.1, 0.2, 0.3 exactly.
    sigma2, resid = arm_variances(np.array([[0.3, 0.4, 0.5]]), 3)
    np.testing.assert_allclose(sigma2[0], [0.1, 0.2, 0.3], atol=1e-14)
    assert resid[0] == pytest.approx(0.0, abs=1e-14)
    # v_BC larger than v_AB + v_AC: arm A would need a negative variance.
    sigma2, _ = arm_variances(np.array([[0.1, 0.1, 0.5]]), 3)
    assert sigma2[0, 0] < 0


def test_arm_variances_residual_for_four_arms() -> None:
    sigma = np.array([0.1, 0.2, 0.3, 0.4])
    i, j = complete_pairs(4)
    v = (sigma[i] + sigma[j])[None, :]
    _, resid = arm_variances(v, 4)
    assert resid[0] < 1e-14
    v[0, 0] += 0.05
    _, resid = arm_variances(v, 4)
    assert resid[0] > 0.01


def test_multiarm_effect_residual() -> None:
    mu = np.array([0.0, 0.4, -0.3])
    i, j = complete_pairs(3)
    y = (mu[i] - mu[j])[None, :]
    assert multiarm_effect_residual(y, 3)[0] < 1e-14
    y[0, 2] += 0.3
    assert multiarm_effect_residual(y, 3)[0] == pytest.approx(0.1, rel=1e-12)


def test_connected_components_numbered_by_smallest_vertex() -> None:
    labels = connected_components(np.array([3, 0]), np.array([4, 2]), 5)
    np.testing.assert_array_equal(labels, [0, 1, 0, 2, 2])
