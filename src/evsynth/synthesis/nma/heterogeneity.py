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
    König, Krahn & Binder (2013), Statistics in Medicine 32:5414-5429, doi:10.1002/sim.6001;
    :math:`\tau^2_\text{within}` by Jackson, White & Riley (2012), doi:10.1002/sim.5453, as
    netmeta's ``decomp.design()`` (:func:`tau2_within`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evsynth.synthesis.nma._dist import chi2_pvalue, chi2_pvalues, z_quantile
from evsynth.synthesis.nma.graph import BoolArray, FloatArray, IntArray
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
    z = z_quantile(level)
    log_h = np.log(max(H, 1.0))
    low = max(float(np.exp(log_h - z * se)), 1.0)
    high = max(float(np.exp(log_h + z * se)), 1.0)

    def to_i2(h: float) -> float:
        return float((h**2 - 1) / h**2)

    return to_i2(max(H, 1.0)), to_i2(low), to_i2(high)


@dataclass(frozen=True, slots=True)
class DesignData:
    """The studies' basic contrasts grouped by design; independent of tau^2.

    Two-arm studies are held as vectors (one contrast each); multi-arm studies as stacked
    blocks, one stack per number of arms. ``x[d]`` is design ``d``'s rows of the design matrix
    (the reference treatment's column dropped).
    """

    n_designs: int
    size: IntArray
    studies: IntArray
    x: tuple[FloatArray, ...]
    x_two: FloatArray
    two_design: IntArray
    two_y: FloatArray
    two_v: FloatArray
    multi: tuple[tuple[IntArray, FloatArray, FloatArray, FloatArray], ...]


def design_data(net: Network, model: ContrastModel, reference: int) -> DesignData:
    """Group the contrast model's rows by design (see :class:`DesignData`)."""
    keep = np.arange(net.n) != reference
    X = model.design_matrix[:, keep]
    D = len(net.designs)
    _, first = np.unique(net.design, return_index=True)
    x = tuple(X[model.starts[f] : model.starts[f + 1]] for f in first)
    narms = net.narms
    two = np.flatnonzero(narms == 2)
    rows = model.starts[two]
    multi = []
    for group in net.multiarm:
        idx = model.starts[group.studies][:, None] + np.arange(group.p - 1)[None, :]
        multi.append(
            (
                group.studies,
                model.effect[idx],
                model.covariance[idx[:, :, None], idx[:, None, :]],
                model.structure[idx[:, :, None], idx[:, None, :]],
            )
        )
    size = np.array([len(d) for d in net.designs], dtype=np.intp)
    x_two = np.stack(
        [xd[0] if p == 2 else np.zeros(xd.shape[1]) for xd, p in zip(x, size, strict=True)]
    )
    return DesignData(
        n_designs=D,
        size=size,
        studies=np.bincount(net.design, minlength=D).astype(np.intp),
        x=x,
        x_two=x_two,
        two_design=net.design[two],
        two_y=model.effect[rows],
        two_v=np.diag(model.covariance)[rows],
        multi=tuple(multi),
    )


@dataclass(frozen=True, slots=True)
class DesignFit:
    """Design-level pooling and the consistency model fitted to it, for one tau^2.

    Per design: ``a`` and ``b`` (:math:`A_d`, :math:`b_d`), ``xax`` and ``xb``
    (:math:`X_d^\\top A_d X_d`, :math:`X_d^\\top b_d`) and ``yay`` (:math:`\\hat y_d^\\top b_d`).
    """

    q_within: FloatArray
    q_between: float
    q_total: float
    information: FloatArray
    rhs: FloatArray
    yay: FloatArray
    xax: FloatArray
    xb: FloatArray
    a_two: FloatArray
    a_multi: dict[int, FloatArray]


def fit_designs(net: Network, data: DesignData, tau2: float) -> DesignFit:
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
    D = data.n_designs
    w = 1.0 / (data.two_v + tau2)
    A2 = np.bincount(data.two_design, weights=w, minlength=D).astype(np.float64)
    b2 = np.bincount(data.two_design, weights=w * data.two_y, minlength=D)
    yy = np.bincount(data.two_design, weights=w * data.two_y**2, minlength=D)
    two = data.size == 2
    yay = np.zeros(D)
    yay[two] = b2[two] ** 2 / A2[two]
    xt = data.x_two
    xax = A2[:, None, None] * xt[:, :, None] * xt[:, None, :]
    xb = b2[:, None] * xt
    a_multi: dict[int, FloatArray] = {}
    b_multi: dict[int, FloatArray] = {}
    for studies, y, V, M in data.multi:
        Winv = np.linalg.inv(V + tau2 * M)
        Wy = np.einsum("sij,sj->si", Winv, y)
        yy_s = np.einsum("si,si->s", y, Wy)
        for s, d in enumerate(net.design[studies].tolist()):
            a_multi[d] = a_multi[d] + Winv[s] if d in a_multi else Winv[s]
            b_multi[d] = b_multi[d] + Wy[s] if d in b_multi else Wy[s]
            yy[d] += yy_s[s]
    for d, ad in a_multi.items():
        bd = b_multi[d]
        x = data.x[d]
        yay[d] = float(bd @ np.linalg.solve(ad, bd))
        xax[d] = x.T @ ad @ x
        xb[d] = x.T @ bd
    q_within = np.maximum(yy - yay, 0.0)
    # A design with one study fits it exactly: its Q is 0 by definition, not rounding noise.
    q_within[data.studies == 1] = 0.0
    info = xax.sum(axis=0)
    rhs = xb.sum(axis=0)
    theta = np.linalg.solve(info, rhs)
    q_between = max(float(np.sum(yay) - theta @ rhs), 0.0)
    return DesignFit(
        q_within=q_within,
        q_between=q_between,
        q_total=float(np.sum(q_within)) + q_between,
        information=info,
        rhs=rhs,
        yay=yay,
        xax=xax,
        xb=xb,
        a_two=A2,
        a_multi=a_multi,
    )


def tau2_within(net: Network, data: DesignData, fit: DesignFit) -> float:
    r""":math:`\tau^2` of the full design-by-treatment interaction model (netmeta's ``tau.within``).

    The interaction model gives every design its own parameters, so its residual Q is the
    within-design :math:`Q_\text{het}`; the method of moments (Jackson, White & Riley 2012)
    gives

    .. math::

        \hat\tau^2_w = \max\left(0, \frac{Q_\text{het} - \mathrm{df}_\text{het}}
            {\sum_s \operatorname{tr}(\Sigma_s^{-1} M_s)
            - \sum_d \operatorname{tr}\big(A_d^{-1} \sum_{s\in d}
                \Sigma_s^{-1} M_s \Sigma_s^{-1}\big)}\right)

    with :math:`\Sigma_s = V_s` and :math:`A_d` at :math:`\tau^2 = 0` (``fit``).
    """
    D = data.n_designs
    w = 1.0 / data.two_v
    trace1 = float(np.sum(w))
    two = data.size == 2
    w2 = np.bincount(data.two_design, weights=w**2, minlength=D)
    trace2 = float(np.sum(w2[two] / fit.a_two[two]))
    wmw: dict[int, FloatArray] = {}
    for studies, _, V, M in data.multi:
        Winv = np.linalg.inv(V)
        WM = Winv @ M
        trace1 += float(np.einsum("sii->", WM))
        WMW = WM @ Winv
        for s, d in enumerate(net.design[studies].tolist()):
            wmw[d] = wmw[d] + WMW[s] if d in wmw else WMW[s]
    for d, m in wmw.items():
        trace2 += float(np.trace(np.linalg.solve(fit.a_multi[d], m)))
    df_het = int(np.sum((data.studies - 1) * (data.size - 1)))
    q_het = float(np.sum(fit.q_within))
    denom = trace1 - trace2
    if denom <= 1e-12 * trace1:
        return 0.0
    return max(0.0, (q_het - df_het) / denom)


def detach_designs(net: Network, data: DesignData, fit: DesignFit) -> tuple[FloatArray, BoolArray]:
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
    D = data.n_designs
    info = fit.information[None, :, :] - fit.xax
    rhs = fit.rhs[None, :] - fit.xb
    # Connectivity without each design (matrix-tree theorem): the design graph's Laplacian,
    # weighted by studies, with one vertex removed has a determinant of at least 1 (an integer,
    # the weighted count of spanning trees) exactly when the graph is connected. Design d adds
    # p_d diag(z_d) - z_d z_d' with z_d the indicator of its treatments.
    z = np.zeros((D, net.n))
    z[np.repeat(np.arange(D), data.size), np.concatenate(net.designs)] = 1.0
    z = z[:, 1:]
    L = (
        data.size[:, None, None] * (z[:, :, None] * np.eye(net.n - 1))
        - z[:, :, None] * z[:, None, :]
    )
    total = np.tensordot(data.studies.astype(float), L, axes=1)
    sign, logdet = np.linalg.slogdet(total[None, :, :] - data.studies[:, None, None] * L)
    connected = (sign > 0) & (logdet > np.log(0.5))
    q = np.full(D, np.nan)
    if np.any(connected):
        theta = np.linalg.solve(info[connected], rhs[connected][..., None])[..., 0]
        yay = np.sum(fit.yay) - fit.yay[connected]
        q[connected] = np.maximum(yay - np.sum(theta * rhs[connected], axis=1), 0.0)
    return q, connected


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

    def to_frame(self) -> pd.DataFrame:
        """The decomposition of Q: total, within designs, between designs (fixed and random)."""
        return pd.DataFrame(
            {
                "part": ["total", "within designs", "between designs", "between designs (random)"],
                "q": [self.q_total, self.q_within, self.q_between, self.q_between_random],
                "df": [self.df_total, self.df_within, self.df_between, self.df_between],
                "pvalue": [
                    self.pvalue_total,
                    self.pvalue_within,
                    self.pvalue_between,
                    self.pvalue_between_random,
                ],
            }
        )

    def designs_frame(self) -> pd.DataFrame:
        """Per design: studies, within-design Q and Q between designs after detaching it."""
        return pd.DataFrame(
            {
                "design": list(self.designs),
                "studies": list(self.design_studies),
                "q": self.design_q,
                "df": self.design_df,
                "pvalue": self.design_pvalue,
                "detach_q": self.detach_q,
                "detach_df": self.detach_df,
                "detach_pvalue": self.detach_pvalue,
            }
        )


def decompose_designs(net: Network, model: ContrastModel, reference: int) -> DesignDecomposition:
    """Run the whole design-based decomposition (fixed effect, detaching, random effects)."""
    data = design_data(net, model, reference)
    fit0 = fit_designs(net, data, 0.0)
    design_df = ((data.studies - 1) * (data.size - 1)).astype(np.intp)
    df_within = int(np.sum(design_df))
    df_total = net.df
    df_between = df_total - df_within
    q_detach, connected = detach_designs(net, data, fit0)
    detach_df = np.where(connected, df_between - (data.size - 1), np.nan)
    detach_p = chi2_pvalues(q_detach, detach_df)
    tw = tau2_within(net, data, fit0)
    fit_w = fit_designs(net, data, tw)
    q_within = float(np.sum(fit0.q_within))
    return DesignDecomposition(
        designs=tuple(net.design_label(d) for d in range(len(net.designs))),
        design_treatments=tuple(tuple(net.treatments[t] for t in d) for d in net.designs),
        design_studies=tuple(int(c) for c in data.studies),
        q_total=fit0.q_total,
        df_total=df_total,
        pvalue_total=chi2_pvalue(fit0.q_total, df_total),
        q_within=q_within,
        df_within=df_within,
        pvalue_within=chi2_pvalue(q_within, df_within),
        q_between=fit0.q_between,
        df_between=df_between,
        pvalue_between=chi2_pvalue(fit0.q_between, df_between),
        design_q=fit0.q_within,
        design_df=design_df,
        design_pvalue=chi2_pvalues(fit0.q_within, design_df),
        detach_q=q_detach,
        detach_df=detach_df,
        detach_pvalue=detach_p,
        tau2_within=tw,
        q_between_random=fit_w.q_between,
        pvalue_between_random=chi2_pvalue(fit_w.q_between, df_between),
    )
