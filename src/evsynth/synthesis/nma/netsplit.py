r"""Direct evidence, its proportion, and node-splitting by back-calculation (netmeta's ``netsplit``).

Methods
-------
Direct estimates
    For each pair of treatments, the inverse-variance pooled estimate of the studies comparing
    them, with each contrast's *unadjusted* variance plus :math:`\tau^2` (netmeta's
    ``TE.direct``; multi-arm studies contribute every one of their contrasts).
Direct evidence proportion
    König, Krahn & Binder (2013), Statistics in Medicine 32:5414-5429, doi:10.1002/sim.6001,
    section 3.4.1: :math:`P = \operatorname{Var}(\hat\theta^\text{net}) /
    \operatorname{Var}(\hat\theta^\text{dir})`, 0 without direct evidence (netmeta's
    ``netmeasures()``; 1 in a network of two treatments).
Indirect estimates (back-calculation) and the test of direct versus indirect evidence
    Dias et al. (2010), Statistics in Medicine 29:932-944, doi:10.1002/sim.3767 (node-splitting,
    SIDE); König et al. (2013) for the back-calculation:

    .. math::

        \hat\theta^\text{ind} = \frac{\hat\theta^\text{net} - P\,\hat\theta^\text{dir}}{1 - P},
        \qquad \operatorname{SE}(\hat\theta^\text{ind}) =
            \frac{\operatorname{SE}(\hat\theta^\text{net})}{\sqrt{1 - P}}, \qquad
        z = \frac{\hat\theta^\text{dir} - \hat\theta^\text{ind}}
            {\sqrt{\operatorname{SE}_\text{dir}^2 + \operatorname{SE}_\text{ind}^2}}

    As netmeta: a comparison whose proportion is within ``tol_direct`` (5e-4) of 1 has no
    indirect estimate, one within ``tol_direct`` of 0 no direct estimate, and without direct
    evidence the "indirect" estimate is the network estimate itself; where either is missing
    the test is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evsynth._core.errors import choice_error
from evsynth._core.summary import Summary
from evsynth.synthesis.nma._dist import two_sided_p, z_quantile
from evsynth.synthesis.nma.graph import FloatArray, IntArray
from evsynth.synthesis.nma.model import GraphFit
from evsynth.synthesis.nma.network import Network

#: netsplit's default ``tol.direct``.
TOL_DIRECT = 0.0005
_SQRT_EPS = float(np.sqrt(np.finfo(np.float64).eps))


@dataclass(frozen=True, slots=True)
class DirectEvidence:
    """Direct pooled estimates for every ordered pair (n x n; NaN without direct evidence)."""

    k: IntArray
    estimate: FloatArray
    se: FloatArray
    proportion: FloatArray


def direct_evidence(net: Network, fit: GraphFit) -> DirectEvidence:
    r"""Direct estimates and direct-evidence proportions for the fit's :math:`\tau^2`.

    .. math::

        \hat\theta^\text{dir}_{ij} = \frac{\sum_e w_e y_e}{\sum_e w_e}, \quad
        w_e = \frac{1}{v_e + \tau^2}, \qquad
        P_{ij} = \frac{\operatorname{Var}(\hat\theta^\text{net}_{ij})}{1 / \sum_e w_e}

    over the contrasts :math:`e` between treatments :math:`i` and :math:`j`.
    """
    n = net.n
    pair = net.treat1 * n + net.treat2
    w = 1.0 / (net.variance + fit.tau2)
    k = np.bincount(pair, minlength=n * n).reshape(n, n)
    sw = np.bincount(pair, weights=w, minlength=n * n).reshape(n, n)
    swy = np.bincount(pair, weights=w * net.effect, minlength=n * n).reshape(n, n)
    k = k + k.T
    sw = sw + sw.T
    swy = swy - swy.T
    has = k > 0
    est = np.full((n, n), np.nan)
    se = np.full((n, n), np.nan)
    est[has] = swy[has] / sw[has]
    se[has] = 1.0 / np.sqrt(sw[has])
    prop = np.zeros((n, n))
    prop[has] = fit.variance[has] * sw[has]
    if n == 2:
        prop[:] = 1.0
    np.fill_diagonal(prop, np.nan)
    return DirectEvidence(k.astype(np.intp), est, se, prop)


@dataclass(frozen=True, slots=True)
class SplitEstimates:
    """Direct, indirect and their difference for a list of comparisons (one model)."""

    proportion: FloatArray
    network: FloatArray
    network_se: FloatArray
    direct: FloatArray
    direct_se: FloatArray
    indirect: FloatArray
    indirect_se: FloatArray
    difference: FloatArray
    difference_se: FloatArray
    difference_z: FloatArray
    difference_pvalue: FloatArray


def split_evidence(
    fit: GraphFit,
    direct: DirectEvidence,
    first: IntArray,
    second: IntArray,
    *,
    tol_direct: float = TOL_DIRECT,
) -> SplitEstimates:
    """Back-calculated indirect estimates and the direct-versus-indirect test for the pairs given.

    Comparison ``c`` is ``first[c]`` versus ``second[c]``; see the module docstring.
    """
    P = direct.proportion[first, second]
    net_est = fit.estimate[first, second]
    net_se = fit.se[first, second]
    dir_est = direct.estimate[first, second]
    dir_se = direct.se[first, second]
    has_direct = direct.k[first, second] > 0
    # netmeta: direct estimate set to 0 where P is 0 (then the indirect one is the network one);
    # no indirect estimate where P is 1 or above.
    usable = ~((np.abs(P - 1) < _SQRT_EPS) | (P > 1))
    dir0 = np.where(np.abs(P) < _SQRT_EPS, 0.0, dir_est)
    with np.errstate(invalid="ignore", divide="ignore"):
        ind_est = np.where(usable, (net_est - P * dir0) / (1 - P), np.nan)
        ind_se = np.where(usable, np.sqrt(net_se**2 / (1 - P)), np.nan)
    only_direct = np.abs(P - 1) < tol_direct
    ind_est[only_direct] = np.nan
    ind_se[only_direct] = np.nan
    no_direct = (np.abs(P) < tol_direct) | ~has_direct
    dir_est = np.where(no_direct, np.nan, dir_est)
    dir_se = np.where(no_direct, np.nan, dir_se)
    ind_est = np.where(~has_direct, net_est, ind_est)
    ind_se = np.where(~has_direct, net_se, ind_se)
    diff = dir_est - ind_est
    diff_se = np.sqrt(dir_se**2 + ind_se**2)
    z = diff / diff_se
    return SplitEstimates(
        proportion=P,
        network=net_est,
        network_se=net_se,
        direct=dir_est,
        direct_se=dir_se,
        indirect=ind_est,
        indirect_se=ind_se,
        difference=diff,
        difference_se=diff_se,
        difference_z=z,
        difference_pvalue=two_sided_p(z),
    )


def comparison_order(n: int, reference: int | None) -> tuple[IntArray, IntArray]:
    """netsplit's comparisons: all pairs i < j in treatment order, the reference put second."""
    first, second = np.triu_indices(n, k=1)
    first = first.astype(np.intp)
    second = second.astype(np.intp)
    if reference is not None:
        swap = first == reference
        first, second = np.where(swap, second, first), np.where(swap, first, second)
    return first, second


_PARTS = ("network", "direct", "indirect", "difference")


@dataclass(frozen=True, slots=True)
class Netsplit:
    """Node-splitting of every comparison (netmeta's ``netsplit()``, back-calculation method).

    Comparison ``c`` is ``treatment1[c]`` versus ``treatment2[c]`` (``comparisons[c]`` joins
    them with ":"; the reference treatment is always second), with ``k[c]`` studies comparing
    them directly. ``common`` and ``random`` hold the estimates of each model; comparisons
    without direct (or indirect) evidence have NaN there.
    """

    comparisons: tuple[str, ...]
    treatment1: tuple[str, ...]
    treatment2: tuple[str, ...]
    k: IntArray
    level: float
    common: SplitEstimates
    random: SplitEstimates
    tol_direct: float = TOL_DIRECT

    def estimates(self, model: str = "random") -> SplitEstimates:
        if model not in ("common", "random"):
            raise choice_error("model", model, ("common", "random"))
        return self.common if model == "common" else self.random

    def to_frame(self, model: str | None = None, *, level: float | None = None) -> pd.DataFrame:
        """One row per comparison (and model): network, direct, indirect and their difference.

        Columns ``model, comparison, treatment1, treatment2, k, prop_direct`` then, for each of
        ``network``, ``direct``, ``indirect`` and ``difference``: the estimate, ``_se``,
        ``_ci_low`` and ``_ci_high`` (and ``_pvalue`` of the Wald test against 0 for the first
        three); finally ``z`` and ``pvalue`` of the difference.
        """
        z = z_quantile(self.level if level is None else level)
        frames = []
        for name in ("common", "random") if model is None else (model,):
            est = self.estimates(name)
            cols: dict[str, object] = {
                "model": name,
                "comparison": list(self.comparisons),
                "treatment1": list(self.treatment1),
                "treatment2": list(self.treatment2),
                "k": self.k,
                "prop_direct": est.proportion,
            }
            for part in _PARTS:
                value = getattr(est, part)
                se = getattr(est, f"{part}_se")
                cols[part] = value
                cols[f"{part}_se"] = se
                cols[f"{part}_ci_low"] = value - z * se
                cols[f"{part}_ci_high"] = value + z * se
                if part != "difference":
                    cols[f"{part}_pvalue"] = two_sided_p(value / se)
            cols["z"] = est.difference_z
            cols["pvalue"] = est.difference_pvalue
            frames.append(pd.DataFrame(cols))
        return pd.concat(frames, ignore_index=True)

    def summary(self, model: str = "random") -> Summary:
        """Comparisons with both direct and indirect evidence: estimates and the test."""
        frame = self.to_frame(model)
        both = frame[np.isfinite(frame["difference"])]
        cols = [
            "comparison",
            "k",
            "prop_direct",
            "network",
            "direct",
            "indirect",
            "difference",
            "pvalue",
        ]
        rows = [[row[c] for c in cols] for row in both.to_dict(orient="records")]
        notes = [
            f"Back-calculation (König et al. 2013); {len(self.comparisons) - len(both)} of "
            f"{len(self.comparisons)} comparisons lack direct or indirect evidence "
            "(see to_frame())."
        ]
        label = "random effects" if model == "random" else "common effect"
        return Summary(f"Direct and indirect evidence ({label})", cols, rows, notes)

    def __str__(self) -> str:
        return self.summary().as_text()
