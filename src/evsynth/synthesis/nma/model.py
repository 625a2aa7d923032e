r"""Rücker's graph-theoretical network meta-analysis: one fit for a given :math:`\tau^2`.

Given contrasts :math:`y` (``m``) with variances :math:`v`, the common-effect model
(:math:`\tau^2 = 0`) and the random-effects model (:math:`\tau^2 > 0`, added to every
contrast variance before the multi-arm adjustment) are the same weighted least-squares fit on
the network graph (Rücker 2012, section 3; Rücker & Schwarzer 2014 for multi-arm studies):

.. math::

    \tilde v_e = \text{multi-arm adjusted } (v_e + \tau^2), \quad
    W = \operatorname{diag}(1/\tilde v), \quad L = B^\top W B, \quad
    \hat d = L^+ B^\top W y, \quad \hat\theta_{ij} = \hat d_i - \hat d_j, \quad
    \operatorname{Var}(\hat\theta_{ij}) = L^+_{ii} + L^+_{jj} - 2 L^+_{ij}

The hat matrix is :math:`H = B L^+ B^\top W` and the fitted (consistent) contrasts are
:math:`Hy = B\hat d`. Cochran's generalised Q and its degrees of freedom are

.. math::

    Q = (y - B\hat d)^\top W (y - B\hat d), \qquad
    \mathrm{df} = \sum_{s} (p_s - 1) - (n - 1)

with :math:`p_s` the number of arms of study :math:`s`. This is what netmeta's
``nma_ruecker()`` computes; the results equal the contrast-based multivariate model of metafor's
``rma.mv`` with the same :math:`\tau^2` (Rücker & Schwarzer 2014).

References
----------
Rücker G (2012). Research Synthesis Methods 3(4):312-324. doi:10.1002/jrsm.1058
Rücker G, Schwarzer G (2014). Statistics in Medicine 33(25):4353-4369. doi:10.1002/sim.6236
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evsynth._core.errors import DataError
from evsynth.synthesis.nma.graph import (
    FloatArray,
    complete_pairs,
    incidence_matrix,
    laplacian,
    laplacian_pinv,
    reduce_multiarm,
    resistance_matrix,
)
from evsynth.synthesis.nma.network import Network


@dataclass(frozen=True, slots=True)
class GraphFit:
    """One fit of the network (common effect when ``tau2 == 0``), as plain arrays.

    ``estimate[i, j]`` is treatment ``i`` versus treatment ``j`` and ``variance[i, j]`` its
    variance; ``adjusted_variance`` holds the multi-arm adjusted contrast variances
    :math:`\\tilde v` (netmeta's ``seTE.adj^2``).
    """

    tau2: float
    incidence: FloatArray
    adjusted_variance: FloatArray
    weights: FloatArray
    lplus: FloatArray
    potentials: FloatArray
    estimate: FloatArray
    variance: FloatArray
    fitted: FloatArray
    q: float

    @property
    def se(self) -> FloatArray:
        """Standard errors of all pairwise estimates (n x n)."""
        return np.asarray(np.sqrt(np.maximum(self.variance, 0.0)), dtype=np.float64)

    @property
    def leverage(self) -> FloatArray:
        """Diagonal of the hat matrix, :math:`w_e R_{t_1(e) t_2(e)}`."""
        B = self.incidence
        g = np.einsum("ij,jk,ik->i", B, self.lplus, B)
        return np.asarray(self.weights * g, dtype=np.float64)


def adjusted_variances(net: Network, tau2: float) -> FloatArray:
    """Contrast variances plus ``tau2``, with the multi-arm reduction of weights applied.

    Each multi-arm study's contrasts go through :func:`~.graph.reduce_multiarm`; a negative
    reduced weight (beyond netmeta's 0.1% rounding allowance) means the study's variances are
    not those of independent arms and is refused.
    """
    v = net.variance + tau2
    out = v.copy()
    for group in net.multiarm:
        i, j = complete_pairs(group.p)
        R = np.zeros((group.studies.shape[0], group.p, group.p))
        R[:, i, j] = v[group.rows]
        R = R + R.transpose(0, 2, 1)
        reduced = reduce_multiarm(R)[:, i, j]
        bad = np.flatnonzero(np.any(reduced < 0, axis=1))
        if bad.size:
            raise DataError(
                f"multi-arm study {net.studies[group.studies[bad[0]]]!r}: the reduction of "
                "weights gives a negative weight, so its contrast variances cannot come from "
                "independent arms",
                hint="Check the study's standard errors or give arm-level data",
            )
        out[group.rows] = reduced
    return out


def fit_graph(net: Network, tau2: float = 0.0) -> GraphFit:
    """Fit the network by weighted least squares on the graph (module docstring formulas)."""
    B = incidence_matrix(net.treat1, net.treat2, net.n)
    v_adj = adjusted_variances(net, tau2)
    w = 1.0 / v_adj
    Lp = laplacian_pinv(laplacian(B, w))
    d = Lp @ (B.T @ (w * net.effect))
    d = d - d.mean()
    fitted = B @ d
    resid = net.effect - fitted
    return GraphFit(
        tau2=float(tau2),
        incidence=B,
        adjusted_variance=v_adj,
        weights=w,
        lplus=Lp,
        potentials=d,
        estimate=d[:, None] - d[None, :],
        variance=resistance_matrix(Lp),
        fitted=fitted,
        q=float(resid @ (w * resid)),
    )
