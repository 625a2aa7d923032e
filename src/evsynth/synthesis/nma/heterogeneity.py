r"""Heterogeneity and inconsistency: I^2 with its interval, and the design-based decomposition of Q.

Methods
-------
I^2 and its confidence interval
    Higgins & Thompson (2002), Statistics in Medicine 21:1539-1558, doi:10.1002/sim.1186, as
    the ``meta`` package computes it for netmeta (test-based interval for :math:`\log H`),
    :func:`i2_interval`.
Decomposition of Q into within-design heterogeneity and between-design inconsistency
    Krahn, Binder & König (2013), BMC Medical Research Methodology 13:35,
    doi:10.1186/1471-2288-13-35, :func:`decompose_designs`.
Design-by-treatment interaction model (random effects) and detaching single designs
    Higgins et al. (2012), Research Synthesis Methods 3:98-110, doi:10.1002/jrsm.1044;
    König, Krahn & Binder (2013), Statistics in Medicine 32:5414-5429, doi:10.1002/sim.5976;
    :math:`\tau^2_\text{within}` by Jackson, White & Riley (2012), doi:10.1002/sim.5453, as
    netmeta's ``decomp.design()`` (:func:`tau2_within`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from evsynth.synthesis.nma.graph import FloatArray, IntArray
from evsynth.synthesis.nma.network import Network
from evsynth.synthesis.nma.tau2 import ContrastModel


def i2_interval(q: float, df: int, level: float = 0.95) -> tuple[float, float, float]:
    r"""I^2 and its confidence interval from Q (Higgins & Thompson 2002, as ``meta::isquared``).

    .. math::

        H = \max\big(1, \sqrt{Q / \mathrm{df}}\big), \qquad
        \mathrm{SE}(\log H) = \begin{cases}
            \dfrac{\tfrac12 (\log Q - \log \mathrm{df})}{\sqrt{2Q} - \sqrt{2\,\mathrm{df} - 1}}
                & Q > \mathrm{df} + 1 \\[1ex]
            \sqrt{\dfrac{1}{2(\mathrm{df} - 1)}\Big(1 - \dfrac{1}{3(\mathrm{df} - 1)^2}\Big)}
                & \text{otherwise}
        \end{cases}

    The limits of :math:`H` are :math:`\exp(\log H \mp z\,\mathrm{SE})`, truncated at 1, and
    :math:`I^2 = (H^2 - 1)/H^2` (a proportion, as netmeta reports it). NaN where the
    standard error is undefined (df < 1, or df = 1 with :math:`Q \le 2`).
    """
    if df < 1:
        return float("nan"), float("nan"), float("nan")
    k = df + 1
    H = np.sqrt(q / df)
    if q > k:
        se = 0.5 * (np.log(q) - np.log(df)) / (np.sqrt(2 * q) - np.sqrt(2 * k - 3))
    elif k > 2:
        se = np.sqrt(1 / (2 * (k - 2)) * (1 - 1 / (3 * (k - 2) ** 2)))
    else:
        se = float("nan")
    z = float(stats.norm.ppf(0.5 + level / 2))
    log_h = np.log(max(H, 1.0))
    low = max(float(np.exp(log_h - z * se)), 1.0)
    high = max(float(np.exp(log_h + z * se)), 1.0)

    def to_i2(h: float) -> float:
        return float((h**2 - 1) / h**2)

    return to_i2(max(H, 1.0)), to_i2(low), to_i2(high)


def chi2_pvalue(q: float, df: int) -> float:
    """Upper-tail chi-square p-value; NaN for df < 1."""
    return float(stats.chi2.sf(q, df)) if df >= 1 else float("nan")


@dataclass(frozen=True, slots=True)
class DesignFit:
    """Design-level pooling and the consistency model fitted to it, for one tau^2."""

    q_within: FloatArray
    q_between: float
    q_total: float
    design_rows: tuple[IntArray, ...]
    information: FloatArray
    rhs: FloatArray
    yay: FloatArray
    blocks_x: tuple[FloatArray, ...]
    blocks_a: tuple[FloatArray, ...]
    blocks_b: tuple[FloatArray, ...]


def _study_blocks(model: ContrastModel, tau2: float) -> list[tuple[FloatArray, FloatArray]]:
    """Per study: inverse covariance and contrasts."""
    out = []
    for s in range(model.starts.shape[0] - 1):
        sl = slice(int(model.starts[s]), int(model.starts[s + 1]))
        S = model.covariance[sl, sl] + tau2 * model.structure[sl, sl]
        out.append((np.linalg.inv(S), model.effect[sl]))
    return out


def fit_designs(net: Network, model: ContrastModel, reference: int, tau2: float) -> DesignFit:
    r"""Pool studies within designs and fit the consistency model to the design estimates.

    For design :math:`d` (a set of treatments), the studies' basic contrasts pool to

    .. math::

        A_d = \sum_{s \in d} \Sigma_s^{-1}, \quad b_d = \sum_{s \in d} \Sigma_s^{-1} y_s, \quad
        \hat y_d = A_d^{-1} b_d, \quad
        Q_d = \sum_{s \in d} (y_s - \hat y_d)^\top \Sigma_s^{-1} (y_s - \hat y_d)

    with :math:`\Sigma_s = V_s + \tau^2 M_s`. The consistency model fits
    :math:`\hat y_d = X_d \theta` by generalised least squares with weights :math:`A_d`;
    its residual quadratic form is the between-design inconsistency
    :math:`Q_\text{inc} = \sum_d (\hat y_d - X_d\hat\theta)^\top A_d (\hat y_d - X_d\hat\theta)`,
    and :math:`Q = \sum_d Q_d + Q_\text{inc}` (Krahn et al. 2013, eqs. 6-8).
    """
    keep = np.arange(net.n) != reference
    blocks = _study_blocks(model, tau2)
    D = len(net.designs)
    q_within = np.zeros(D)
    xs, As, bs = [], [], []
    design_rows = []
    info = np.zeros((net.n - 1, net.n - 1))
    rhs = np.zeros(net.n - 1)
    yay = np.zeros(D)
    for d in range(D):
        members = np.flatnonzero(net.design == d)
        A = sum((blocks[s][0] for s in members), np.zeros_like(blocks[members[0]][0]))
        b = sum((blocks[s][0] @ blocks[s][1] for s in members), np.zeros(A.shape[0]))
        yd = np.linalg.solve(A, b)
        q_within[d] = sum(float(blocks[s][1] @ blocks[s][0] @ blocks[s][1]) for s in members) - float(
            yd @ b
        )
        first = int(members[0])
        X = model.design_matrix[model.starts[first] : model.starts[first + 1]][:, keep]
        info += X.T @ A @ X
        rhs += X.T @ b
        yay[d] = float(yd @ b)
        xs.append(X)
        As.append(A)
        bs.append(b)
        design_rows.append(members)
    theta = np.linalg.solve(info, rhs)
    q_between = float(np.sum(yay) - theta @ rhs)
    q_within = np.maximum(q_within, 0.0)
    return DesignFit(
        q_within=q_within,
        q_between=max(q_between, 0.0),
        q_total=float(np.sum(q_within)) + max(q_between, 0.0),
        design_rows=tuple(design_rows),
        information=info,
        rhs=rhs,
        yay=yay,
        blocks_x=tuple(xs),
        blocks_a=tuple(As),
        blocks_b=tuple(bs),
    )


def tau2_within(net: Network, model: ContrastModel, fit: DesignFit) -> float:
    r""":math:`\tau^2` of the full design-by-treatment interaction model (netmeta's ``tau.within``).

    The interaction model gives every design its own parameters, so its residual Q is the
    within-design :math:`Q_\text{het}`; the method of moments (Jackson, White & Riley 2012)
    gives

    .. math::

        \hat\tau^2_w = \max\left(0, \frac{Q_\text{het} - \mathrm{df}_\text{het}}
            {\sum_s \operatorname{tr}(\Sigma_s^{-1} M_s)
            - \sum_d \operatorname{tr}\big(A_d^{-1} \sum_{s\in d}
                \Sigma_s^{-1} M_s \Sigma_s^{-1}\big)}\right)

    with :math:`\Sigma_s = V_s` (no :math:`\tau^2`).
    """
    blocks = _study_blocks(model, 0.0)
    trace1 = 0.0
    trace2 = 0.0
    for d, members in enumerate(fit.design_rows):
        acc = np.zeros_like(fit.blocks_a[d])
        for s in members:
            sl = slice(int(model.starts[s]), int(model.starts[s + 1]))
            Wi = blocks[s][0]
            WM = Wi @ model.structure[sl, sl]
            trace1 += float(np.trace(WM))
            acc += WM @ Wi
        trace2 += float(np.trace(np.linalg.solve(fit.blocks_a[d], acc)))
    df_het = int(sum((len(m) - 1) * (len(net.designs[d]) - 1) for d, m in enumerate(fit.design_rows)))
    q_het = float(np.sum(fit.q_within))
    denom = trace1 - trace2
    if denom <= 0 or np.isclose(trace1, trace2, rtol=1e-12, atol=0.0):
        return 0.0
    return max(0.0, (q_het - df_het) / denom)


def detach_designs(net: Network, fit: DesignFit) -> tuple[FloatArray, BoolArrayLike]:
    r"""Between-design Q after detaching each design in turn (Krahn et al. 2013, section 2.4).

    Detaching design :math:`d` gives it its own parameters, so its estimate fits exactly and the
    rest is refitted:

    .. math::

        Q_{\text{inc},-d} = \sum_{d' \ne d} \hat y_{d'}^\top A_{d'} \hat y_{d'}
            - \hat\theta_{-d}^\top r_{-d}, \qquad
        \hat\theta_{-d} = \Big(\sum_{d'\ne d} X_{d'}^\top A_{d'} X_{d'}\Big)^{-1} r_{-d}

    with :math:`r_{-d} = \sum_{d' \ne d} X_{d'}^\top b_{d'}`. A design whose removal
    disconnects the network (for example the only design with a given treatment) carries no
    inconsistency information; it is marked unavailable, as in netmeta.
    """
    D = len(net.designs)
    info = np.stack([fit.information - x.T @ a @ x for x, a in zip(fit.blocks_x, fit.blocks_a, strict=True)])
    rhs = np.stack([fit.rhs - x.T @ b for x, b in zip(fit.blocks_x, fit.blocks_b, strict=True)])
    # Connectivity without each design, from the unweighted design graph Laplacian.
    L = np.zeros((D, net.n, net.n))
    for d, trts in enumerate(net.designs):
        idx = np.array(trts)
        block = -np.ones((idx.size, idx.size))
        np.fill_diagonal(block, idx.size - 1)
        L[d][np.ix_(idx, idx)] = block
    counts = np.array([len(m) for m in fit.design_rows], dtype=float)
    total = np.tensordot(counts, L, axes=1)
    eig = np.linalg.eigvalsh(total[None, :, :] - counts[:, None, None] * L)
    connected = eig[:, 1] > 1e-8 * max(1.0, float(np.max(np.abs(eig))))
    q = np.full(D, np.nan)
    if np.any(connected):
        theta = np.linalg.solve(info[connected], rhs[connected][..., None])[..., 0]
        yay = np.sum(fit.yay) - fit.yay[connected]
        q[connected] = np.maximum(yay - np.sum(theta * rhs[connected], axis=1), 0.0)
    return q, connected


BoolArrayLike = np.ndarray


@dataclass(frozen=True, slots=True)
class DesignDecomposition:
    """netmeta's ``decomp.design()``: Q split by design, detached designs, random-effects Q.

    ``q_total = q_within + q_between`` (fixed-effect Q statistics). Per design (in
    ``designs`` order): ``design_q``/``design_df``/``design_pvalue`` (within-design
    heterogeneity) and ``detach_q``/``detach_df``/``detach_pvalue`` (between-design Q after
    detaching the design; NaN where detaching disconnects the network). ``q_between_random``
    is the between-design Q of the design-by-treatment interaction random-effects model with
    :math:`\\tau^2_\\text{within}` = ``tau2_within``.
    """

    designs: tuple[str, ...]
    design_treatments: tuple[tuple[str, ...], ...]
    design_studies: tuple[int, ...]
    q_total: float
    df_total: int
    pvalue_total: float
    q_within: float
    df_within: int
    pvalue_within: float
    q_between: float
    df_between: int
    pvalue_between: float
    design_q: FloatArray
    design_df: IntArray
    design_pvalue: FloatArray
    detach_q: FloatArray
    detach_df: FloatArray
    detach_pvalue: FloatArray
    tau2_within: float
    q_between_random: float
    pvalue_between_random: float

    @property
    def tau_within(self) -> float:
        return float(np.sqrt(self.tau2_within))


def decompose_designs(net: Network, model: ContrastModel, reference: int) -> DesignDecomposition:
    """Run the whole design-based decomposition (fixed effect, detaching, random effects)."""
    fit0 = fit_designs(net, model, reference, 0.0)
    sizes = np.array([len(d) for d in net.designs], dtype=np.intp)
    counts = np.array([len(m) for m in fit0.design_rows], dtype=np.intp)
    design_df = ((counts - 1) * (sizes - 1)).astype(np.intp)
    df_within = int(np.sum(design_df))
    df_total = net.df
    df_between = df_total - df_within
    q_detach, connected = detach_designs(net, fit0)
    detach_df = np.where(connected, df_between - (sizes - 1), np.nan)
    detach_p = np.array(
        [
            chi2_pvalue(float(q), int(f)) if ok and f >= 1 else float("nan")
            for q, f, ok in zip(q_detach, detach_df, connected, strict=True)
        ]
    )
    tw = tau2_within(net, model, fit0)
    fit_w = fit_designs(net, model, reference, tw)
    return DesignDecomposition(
        designs=tuple(net.design_label(d) for d in range(len(net.designs))),
        design_treatments=tuple(tuple(net.treatments[t] for t in d) for d in net.designs),
        design_studies=tuple(int(c) for c in counts),
        q_total=fit0.q_total,
        df_total=df_total,
        pvalue_total=chi2_pvalue(fit0.q_total, df_total),
        q_within=float(np.sum(fit0.q_within)),
        df_within=df_within,
        pvalue_within=chi2_pvalue(float(np.sum(fit0.q_within)), df_within),
        q_between=fit0.q_between,
        df_between=df_between,
        pvalue_between=chi2_pvalue(fit0.q_between, df_between),
        design_q=fit0.q_within,
        design_df=design_df,
        design_pvalue=np.array(
            [chi2_pvalue(float(q), int(f)) for q, f in zip(fit0.q_within, design_df, strict=True)]
        ),
        detach_q=q_detach,
        detach_df=detach_df,
        detach_pvalue=detach_p,
        tau2_within=tw,
        q_between_random=fit_w.q_between,
        pvalue_between_random=chi2_pvalue(fit_w.q_between, df_between),
    )
