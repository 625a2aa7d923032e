r"""Between-study variance :math:`\tau^2` of a network: generalised DerSimonian-Laird and REML.

Methods
-------
DL
    The generalised method-of-moments estimator of netmeta (Jackson, White & Riley 2012,
    Statistics in Medicine 31:3805-3820, doi:10.1002/sim.5453; Rücker & Schwarzer 2014,
    doi:10.1002/sim.6236), :func:`tau2_dl`.
REML
    Restricted maximum likelihood in the contrast-based multivariate model with one common
    :math:`\tau^2` and covariance :math:`\tau^2/2` between contrasts of a study that share an
    arm, as metafor's ``rma.mv(yi, V, mods = ~ treatments - 1, random = ~ comparison |
    study, rho = 1/2)`` which netmeta 3.3-1 calls for ``method.tau = "REML"`` (Viechtbauer 2005,
    Journal of Educational and Behavioral Statistics 30:261-293, doi:10.3102/10769986030003261;
    Salanti et al. 2008, Statistical Methods in Medical Research 17:279-301,
    doi:10.1177/0962280207080643), :func:`tau2_reml`. The sampling covariance of a multi-arm
    study's contrasts is built from its contrast variances (:func:`contrast_model`), as netmeta
    does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evsynth.synthesis.nma.graph import FloatArray, IntArray, complete_pairs
from evsynth.synthesis.nma.model import GraphFit
from evsynth.synthesis.nma.network import Network

TAU2_METHODS: tuple[str, ...] = ("DL", "REML")


def tau2_dl(net: Network, common: GraphFit) -> float:
    r"""netmeta's generalised DerSimonian-Laird estimate from the common-effect fit.

    .. math::

        \hat\tau^2 = \max\left(0, \frac{Q - \mathrm{df}}
            {\operatorname{tr}\big((I - H)\, S\, W\big)}\right), \qquad
        S = \tfrac12 \left(B B^\top\right) \circ E

    with :math:`H` the hat matrix, :math:`W` the multi-arm adjusted weights and :math:`E` the
    indicator of two contrasts coming from the same study: :math:`S` is the structure of
    :math:`\tau^2` across contrasts (1 on the diagonal, :math:`\pm 1/2` for contrasts of one
    study sharing an arm). With two-arm studies only this is the DerSimonian-Laird formula
    :math:`(Q - \mathrm{df}) / (\sum w - \operatorname{tr}(HW))`. Returns NaN when
    :math:`\mathrm{df} = 0`.
    """
    df = net.df
    if df <= 0:
        return float("nan")
    B, w = common.incidence, common.weights
    G = B @ common.lplus @ B.T
    same = net.study[:, None] == net.study[None, :]
    S = np.where(same, 0.5 * (B @ B.T), 0.0)
    trace = float(np.sum(w)) - float(np.sum(G * (w[:, None] * S * w[None, :])))
    return max(0.0, (common.q - df) / trace)


@dataclass(frozen=True, slots=True)
class ContrastModel:
    r"""Basic contrasts of every study against one of its arms (the contrast-based model).

    Study :math:`s` with base arm :math:`b_s` gives :math:`p_s - 1` contrasts
    :math:`y_{s,t} = \mu_t - \mu_{b_s}` with sampling covariance

    .. math::

        \operatorname{Cov}(y_{s,t}, y_{s,u}) = \tfrac12 (v_{b t} + v_{b u} - v_{t u}),
        \qquad \operatorname{Var}(y_{s,t}) = v_{b t}

    (the variance of the shared base arm), and the random effects add :math:`\tau^2 M` with
    :math:`M` = 1 on the diagonal and 1/2 between contrasts of one study. Rows are grouped by
    study; ``starts[s]:starts[s + 1]`` are study ``s``'s rows.
    """

    effect: FloatArray
    covariance: FloatArray
    structure: FloatArray
    design_matrix: FloatArray
    study: IntArray
    other: IntArray
    base: IntArray
    starts: IntArray


def study_bases(net: Network, reference: int, rule: str) -> IntArray:
    """Each study's base arm: the reference if the study has it, else its first or last arm."""
    pick = 0 if rule == "first" else -1
    return np.array(
        [reference if reference in arm else arm[pick] for arm in net.arms], dtype=np.intp
    )


def contrast_model(net: Network, reference: int, rule: str = "first") -> ContrastModel:
    """Build the basic contrasts (see :class:`ContrastModel`) with netmeta's choice of base.

    ``rule="last"`` takes the study's last arm when it lacks the reference (netmeta's REML call),
    ``"first"`` its first (netmeta's design decomposition); with consistent variances the
    choice changes nothing.
    """
    base = study_bases(net, reference, rule)
    narms = net.narms
    starts = np.concatenate([[0], np.cumsum(narms - 1)]).astype(np.intp)
    N = int(starts[-1])
    y = np.empty(N)
    other = np.empty(N, dtype=np.intp)
    V = np.zeros((N, N))
    M = np.zeros((N, N))
    # Two-arm studies: one contrast each, placed at its study's row.
    e2 = np.flatnonzero(narms[net.study] == 2)
    s2 = net.study[e2]
    r2 = starts[s2]
    flip = net.treat1[e2] == base[s2]
    y[r2] = np.where(flip, -net.effect[e2], net.effect[e2])
    other[r2] = np.where(flip, net.treat2[e2], net.treat1[e2])
    V[r2, r2] = net.variance[e2]
    M[r2, r2] = 1.0
    for group in net.multiarm:
        p, S = group.p, group.studies.shape[0]
        i, j = complete_pairs(p)
        R = np.zeros((S, p, p))
        Y = np.zeros((S, p, p))
        R[:, i, j] = net.variance[group.rows]
        Y[:, i, j] = net.effect[group.rows]
        R = R + R.transpose(0, 2, 1)
        Y = Y - Y.transpose(0, 2, 1)
        b = np.argmax(group.arms == base[group.studies][:, None], axis=1)
        # The other arms in order: stable sort puts the base position last.
        rest = np.argsort(np.arange(p)[None, :] == b[:, None], axis=1, kind="stable")[:, : p - 1]
        sidx = np.arange(S)[:, None]
        rb = R[sidx, b[:, None], rest]
        block = 0.5 * (
            rb[:, :, None]
            + rb[:, None, :]
            - R[sidx[:, :, None], rest[:, :, None], rest[:, None, :]]
        )
        diag = np.arange(p - 1)
        block[:, diag, diag] = rb
        idx = starts[group.studies][:, None] + np.arange(p - 1)[None, :]
        y[idx] = -Y[sidx, b[:, None], rest]
        other[idx] = np.take_along_axis(group.arms, rest, axis=1)
        V[idx[:, :, None], idx[:, None, :]] = block
        M[idx[:, :, None], idx[:, None, :]] = 0.5 + 0.5 * np.eye(p - 1)
    X = np.zeros((N, net.n))
    rows = np.arange(N)
    X[rows, other] = 1.0
    study = np.repeat(np.arange(net.k), narms - 1)
    X[rows, base[study]] -= 1.0
    return ContrastModel(y, V, M, X, study.astype(np.intp), other, base, starts)


@dataclass(frozen=True, slots=True)
class RemlEstimate:
    """REML estimate of tau^2 with its iterations and the restricted log-likelihood."""

    tau2: float
    se: float
    iterations: int
    converged: bool
    log_lik: float


def _reml_pieces(
    y: FloatArray, V: FloatArray, M: FloatArray, X: FloatArray, tau2: float
) -> tuple[FloatArray, FloatArray]:
    """``P`` and ``P M`` at ``tau2``."""
    Si = np.linalg.inv(V + tau2 * M)
    SiX = Si @ X
    P = Si - SiX @ np.linalg.solve(X.T @ SiX, SiX.T)
    return np.asarray(P, dtype=np.float64), np.asarray(P @ M, dtype=np.float64)


def restricted_log_lik(
    y: FloatArray, V: FloatArray, M: FloatArray, X: FloatArray, tau2: float
) -> float:
    r"""metafor's restricted log-likelihood (``REMLf = TRUE``).

    .. math::

        \ell_R = -\tfrac12 \Big[(N - p)\log 2\pi + \log|\Sigma| + \log|X^\top\Sigma^{-1}X|
            - \log|X^\top X| + y^\top P y\Big], \quad \Sigma = V + \tau^2 M
    """
    N, p = X.shape
    S = V + tau2 * M
    Si = np.linalg.inv(S)
    xsx = X.T @ Si @ X
    P = Si - Si @ X @ np.linalg.solve(xsx, X.T @ Si)
    return float(
        -0.5
        * (
            (N - p) * np.log(2 * np.pi)
            + np.linalg.slogdet(S)[1]
            + np.linalg.slogdet(xsx)[1]
            - np.linalg.slogdet(X.T @ X)[1]
            + y @ P @ y
        )
    )


def tau2_reml(
    model: ContrastModel,
    reference: int,
    *,
    start: float | None = None,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> RemlEstimate:
    r"""REML estimate of the common :math:`\tau^2` by Newton-Raphson with Fisher-scoring fallback.

    With :math:`\Sigma = V + \tau^2 M` and
    :math:`P = \Sigma^{-1} - \Sigma^{-1}X(X^\top\Sigma^{-1}X)^{-1}X^\top\Sigma^{-1}` (the
    reference treatment's column of the design matrix dropped), the restricted likelihood's
    score and information are

    .. math::

        U = \tfrac12\big(y^\top P M P y - \operatorname{tr}(P M)\big), \quad
        \mathcal I_F = \tfrac12 \operatorname{tr}(P M P M), \quad
        \mathcal I_O = y^\top P M P M P y - \mathcal I_F

    Each step adds :math:`U / \mathcal I_O` (Newton) where :math:`\mathcal I_O > 0`, else
    :math:`U / \mathcal I_F` (Fisher scoring), truncated at zero, and stops at zero if the
    likelihood keeps falling there. The iteration converges to the
    exact maximiser (``tol`` on the step); metafor's ``rma.mv`` stops its optimiser earlier,
    so the two agree to about 1e-6 relative (the tolerance the validation tests use for it).
    """
    keep = np.arange(model.design_matrix.shape[1]) != reference
    X = model.design_matrix[:, keep]
    y, V, M = model.effect, model.covariance, model.structure
    if start is None or not np.isfinite(start) or start <= 0:
        start = 0.1 * float(np.mean(np.diag(V)))
    tau2 = float(start)
    converged = False
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        P, PM = _reml_pieces(y, V, M, X, tau2)
        Py = P @ y
        u = M @ Py
        score = 0.5 * (float(Py @ u) - float(np.trace(PM)))
        fisher = 0.5 * float(np.sum(PM * PM.T))
        if fisher <= 0.0:
            # No residual degrees of freedom (one study, or a tree of single-study
            # comparisons): the data carry no information on tau^2, which stays at zero as
            # the DL estimate does when Q has no degrees of freedom.
            ll = restricted_log_lik(y, V, M, X, 0.0)
            return RemlEstimate(0.0, float("nan"), iterations, True, ll)
        # Newton's step where the restricted likelihood is concave, else Fisher scoring's.
        observed = float(u @ P @ u) - fisher
        step = score / (observed if observed > 0 else fisher)
        if tau2 == 0.0 and step <= 0.0:
            converged = True
            break
        new = max(0.0, tau2 + step)
        change = abs(new - tau2)
        tau2 = new
        if change <= tol * max(1.0, tau2):
            converged = True
            break
    _, PM = _reml_pieces(y, V, M, X, tau2)
    se = float(np.sqrt(2.0 / np.sum(PM * PM.T)))
    return RemlEstimate(tau2, se, iterations, converged, restricted_log_lik(y, V, M, X, tau2))
