r"""Inconsistency checks by MCMC: unrelated mean effects and node-splitting.

:func:`bayes_ume_mcmc`
    The unrelated mean effects model of NICE DSU TSD4 (Dias S, Welton NJ, Sutton AJ, Caldwell
    DM, Lu G, Ades AE 2013, Med Decis Making 33:641-656, doi:10.1177/0272989X12455847): one
    independent parameter per comparison of a study's baseline with its other arms, no
    consistency equations. Compare its residual deviance and DIC (and each study's deviance)
    with the consistency model's.
:func:`bayes_nodesplit_mcmc`
    Node-splitting (Dias S, Welton NJ, Caldwell DM, Ades AE 2010, Stat Med 29:932-944,
    doi:10.1002/sim.3767) as gemtc 1.0 implements it (van Valkenhoef G, Dias S, Ades AE,
    Welton NJ 2016, Res Synth Methods 7:80-93, doi:10.1002/jrsm.1167; see :mod:`.mcmc_data`):
    for each comparison the direct estimate :math:`d_{\text{dir}}` and the indirect one
    :math:`d_{\text{ind}} = d_{t_2} - d_{t_1}` come from one model, and the two-sided Bayesian
    p-value is gemtc's

    .. math::

        p = 2 \min\big(P(d_{\text{dir}} > d_{\text{ind}} \mid y),\
            1 - P(d_{\text{dir}} > d_{\text{ind}} \mid y)\big).

All splits of a network have the same array shapes (a three-arm study keeps its third arm, out
of the likelihood), so they share one compiled sampler.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas import DataFrame

from evsynth._core.errors import EvsynthError
from evsynth._core.provenance import Manifest
from evsynth._core.rng import RNGLike
from evsynth._core.summary import Summary
from evsynth.synthesis.nma.bayes.mcmc import (
    Likelihood,
    _seed,
    check_common,
    manifest,
    read_data,
    tau_summaries,
)
from evsynth.synthesis.nma.bayes.mcmc_data import (
    direct_comparisons,
    nodesplit_plan,
    split_problem,
    ume_plan,
)
from evsynth.synthesis.nma.bayes.mcmc_diagnostics import (
    ParameterDiagnostics,
    SamplerReport,
    mcse_mean,
)
from evsynth.synthesis.nma.bayes.mcmc_fit import McmcOptions, fit_plan, warn_problems
from evsynth.synthesis.nma.bayes.mcmc_result import draw_stats, with_reference
from evsynth.synthesis.nma.bayes.priors import TauPrior, UniformTau
from evsynth.synthesis.nma.bayes.result import TauSummary

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FloatArray = npt.NDArray[np.float64]
COLUMNS = ("mean", "sd", "median", "q025", "q975")


def _frame_row(stats: dict[str, float]) -> dict[str, float]:
    return {
        "mean": stats["mean"],
        "sd": stats["sd"],
        "median": stats["median"],
        "q025": stats["low"],
        "q975": stats["high"],
    }


@dataclass(frozen=True, slots=True)
class UmeResult:
    """Unrelated mean effects (TSD4): one effect per observed comparison, deviance and DIC."""

    model: str
    likelihood: str
    treatments: tuple[str, ...]
    comparisons: tuple[tuple[str, str], ...]  # (treatment, comparator): treatment vs comparator
    effects: FloatArray  # (n_comparisons, 5): mean, sd, median, q025, q975
    sd: TauSummary | None
    resdev: float
    pd: float
    dic: float
    plugin: str
    plugins: dict[str, tuple[float, float]]
    n_datapoints: int
    studies: tuple[str, ...]
    resdev_studies: FloatArray
    leverage: FloatArray
    posterior: dict[str, FloatArray]
    diagnostics: ParameterDiagnostics
    sampler: SamplerReport
    seed: int
    manifest: Manifest | None = None
    notes: tuple[str, ...] = ()

    def to_frame(self) -> DataFrame:
        """One row per comparison: treatment versus comparator, posterior summaries."""
        frame = pd.DataFrame(self.effects, columns=list(COLUMNS))
        frame.insert(0, "comparator", [c for _, c in self.comparisons])
        frame.insert(0, "treatment", [t for t, _ in self.comparisons])
        return frame

    def studies_frame(self) -> DataFrame:
        """Each study's posterior mean residual deviance and leverage (for deviance plots)."""
        return pd.DataFrame(
            {"study": list(self.studies), "resdev": self.resdev_studies, "leverage": self.leverage}
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "engine": "mcmc",
            "model": self.model,
            "type": "ume",
            "effects": self.to_frame().to_dict(orient="records"),
            "sd": self.sd.to_dict() if self.sd else None,
            "resdev": self.resdev,
            "pd": self.pd,
            "dic": self.dic,
            "plugin": self.plugin,
            "n_datapoints": self.n_datapoints,
            "seed": self.seed,
            "notes": list(self.notes),
        }

    def summary(self) -> Summary:
        rows: list[list[object]] = [
            [f"{t} vs {c}", *self.effects[i]] for i, (t, c) in enumerate(self.comparisons)
        ]
        if self.sd is not None:
            s = self.sd
            rows.append(["sd (tau)", s.mean, s.sd, s.median, s.q025, s.q975])
        notes = [
            f"Residual deviance {self.resdev:.2f} ({self.n_datapoints} data points); pD "
            f"{self.pd:.2f}; DIC {self.dic:.2f} (plug-in: {self.plugin.replace('_', ' ')}).",
            *self.notes,
        ]
        return Summary("Unrelated mean effects model (MCMC)", ["", *COLUMNS], rows, notes)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Figure:
        """Forest plot of every comparison (median, 95% CrI)."""
        from evsynth.plots import forest_plot

        labels = [f"{t} vs {c}" for t, c in self.comparisons]
        kwargs.setdefault("null_value", 0.0)
        kwargs.setdefault("favours", None)
        e = self.effects
        return forest_plot(labels, e[:, 2], e[:, 3], e[:, 4], ax=ax, **kwargs)

    def __str__(self) -> str:
        return self.summary().as_text()


@dataclass(frozen=True, slots=True)
class SplitEstimate:
    """One split comparison: direct, indirect and their difference, with gemtc's p-value."""

    treatment: str
    comparator: str
    direct: dict[str, float]
    indirect: dict[str, float]
    difference: dict[str, float]
    pvalue: float
    pvalue_mcse: float
    sd: TauSummary | None
    resdev: float
    dic: float
    rhat_max: float
    ess_min: float
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NodeSplitResult:
    """Node-splitting of each comparison (gemtc's model and p-value), by MCMC."""

    splits: tuple[SplitEstimate, ...]
    model: str
    likelihood: str
    prior_tau: TauPrior | None
    seed: int
    manifest: Manifest | None = None

    def to_frame(self) -> DataFrame:
        """One row per split comparison and evidence (direct, indirect, difference)."""
        rows = []
        for s in self.splits:
            for evidence in ("direct", "indirect", "difference"):
                stats = getattr(s, evidence)
                rows.append(
                    {
                        "treatment": s.treatment,
                        "comparator": s.comparator,
                        "evidence": evidence,
                        **_frame_row(stats),
                        "pvalue": s.pvalue if evidence == "difference" else math.nan,
                    }
                )
        return pd.DataFrame(rows)

    def pvalues(self) -> DataFrame:
        """gemtc's p-value of each split and its Monte Carlo standard error."""
        return pd.DataFrame(
            {
                "treatment": [s.treatment for s in self.splits],
                "comparator": [s.comparator for s in self.splits],
                "pvalue": [s.pvalue for s in self.splits],
                "pvalue_mcse": [s.pvalue_mcse for s in self.splits],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "engine": "mcmc",
            "type": "nodesplit",
            "model": self.model,
            "splits": self.to_frame().to_dict(orient="records"),
            "seed": self.seed,
        }

    def summary(self) -> Summary:
        rows: list[list[object]] = []
        for s in self.splits:
            for evidence in ("direct", "indirect"):
                st = getattr(s, evidence)
                rows.append(
                    [
                        f"{s.treatment} vs {s.comparator}",
                        evidence,
                        st["median"],
                        st["low"],
                        st["high"],
                        s.pvalue if evidence == "direct" else None,
                    ]
                )
        notes = [
            "p = 2 min(P(direct > indirect), P(direct < indirect)) (gemtc).",
            *(n for s in self.splits for n in s.notes),
        ]
        return Summary(
            "Node-splitting (MCMC)",
            ["comparison", "evidence", "median", "q025", "q975", "p"],
            rows,
            notes,
        )

    def __str__(self) -> str:
        return self.summary().as_text()


def bayes_ume_mcmc(
    data: pd.DataFrame,
    *,
    likelihood: Likelihood = "binomial",
    study: str = "study",
    treatment: str = "treatment",
    events: str = "events",
    n: str = "n",
    effect: str = "diff",
    se: str = "se",
    reference: str,
    model: Literal["random", "fixed"] = "random",
    prior_tau: TauPrior | None = None,
    prior_d_sd: float = 100.0,
    prior_baseline_sd: float = 100.0,
    plugin: Literal["linear_predictor", "fitted"] = "linear_predictor",
    layout: Literal["auto", "arm", "contrast", "pairwise"] = "auto",
    chains: int = 4,
    warmup: int = 500,
    samples: int = 1000,
    chain_method: Literal["sequential", "vectorized"] = "sequential",
    rng: RNGLike = None,
) -> UmeResult:
    """Unrelated mean effects model (TSD4) by MCMC; arguments as :func:`.bayes_nma_mcmc`."""
    check_common(model, prior_tau, prior_d_sd, True, plugin)
    options = McmcOptions(chains, warmup, samples, chain_method)
    seed = _seed(rng)
    columns = {
        "study": study,
        "treatment": treatment,
        "events": events,
        "n": n,
        "effect": effect,
        "se": se,
    }
    net = read_data(data, likelihood=likelihood, reference=reference, layout=layout, **columns)
    random = model == "random"
    prior = (prior_tau or UniformTau(5.0)) if random else None
    plan = ume_plan(net)
    fit = fit_plan(
        net,
        plan,
        random=random,
        prior=prior,
        prior_d_sd=prior_d_sd,
        prior_baseline_sd=prior_baseline_sd,
        options=options,
        seed=seed,
    )
    warn_problems(fit.problems, "bayes_ume_mcmc")
    d = fit.draws["d"]
    effects = np.array(
        [list(_frame_row(draw_stats(d[..., q])).values()) for q in range(d.shape[-1])]
    )
    comparisons = tuple((net.treatments[k], net.treatments[j]) for j, k in plan.comparisons)
    opts: dict[str, object] = {
        "likelihood": likelihood,
        "model": model,
        "reference": net.reference,
        "prior_tau": prior.to_dict() if prior else None,
        "prior_d_sd": prior_d_sd,
        "plugin": plugin,
        **dataclasses.asdict(options),
    }
    return UmeResult(
        model=model,
        likelihood=likelihood,
        treatments=net.treatments,
        comparisons=comparisons,
        effects=effects,
        sd=tau_summaries(fit.draws["sd"])[0] if random else None,
        resdev=fit.resdev,
        pd=fit.plugins[plugin][0],
        dic=fit.plugins[plugin][1],
        plugin=plugin,
        plugins=fit.plugins,
        n_datapoints=fit.n_datapoints,
        studies=tuple(s.label for s in net.studies),
        resdev_studies=fit.resdev_studies,
        leverage=fit.leverage_by_plugin[plugin],
        posterior=fit.draws,
        diagnostics=fit.diagnostics,
        sampler=fit.sampler,
        seed=seed,
        manifest=manifest(net, opts, seed, "evsynth.synthesis.nma.bayes.bayes_ume_mcmc"),
        notes=fit.notes,
    )


def splittable_comparisons(net: Any) -> list[tuple[int, int]]:
    """Direct comparisons with indirect evidence (gemtc's ``mtc.nodesplit.comparisons``)."""
    return [pair for pair in direct_comparisons(net) if split_problem(net, pair) is None]


def bayes_nodesplit_mcmc(
    data: pd.DataFrame,
    *,
    comparisons: Sequence[tuple[str, str]] | None = None,
    likelihood: Likelihood = "binomial",
    study: str = "study",
    treatment: str = "treatment",
    events: str = "events",
    n: str = "n",
    effect: str = "diff",
    se: str = "se",
    reference: str,
    model: Literal["random", "fixed"] = "random",
    prior_tau: TauPrior | None = None,
    prior_d_sd: float = 100.0,
    prior_baseline_sd: float = 100.0,
    layout: Literal["auto", "arm", "contrast", "pairwise"] = "auto",
    chains: int = 4,
    warmup: int = 500,
    samples: int = 1000,
    chain_method: Literal["sequential", "vectorized"] = "sequential",
    rng: RNGLike = None,
) -> NodeSplitResult:
    """Node-splitting by MCMC, one model per comparison (gemtc 1.0's model and p-value).

    ``comparisons`` lists pairs of treatment labels; by default every direct comparison that
    has indirect evidence. Other arguments as :func:`.bayes_nma_mcmc`; split ``k`` (from 0) is
    seeded with ``seed + k``.
    """
    check_common(model, prior_tau, prior_d_sd, True, "linear_predictor")
    options = McmcOptions(chains, warmup, samples, chain_method)
    seed = _seed(rng)
    columns = {
        "study": study,
        "treatment": treatment,
        "events": events,
        "n": n,
        "effect": effect,
        "se": se,
    }
    net = read_data(data, likelihood=likelihood, reference=reference, layout=layout, **columns)
    index = {t: i for i, t in enumerate(net.treatments)}
    if comparisons is None:
        pairs = splittable_comparisons(net)
    else:
        pairs = []
        for a, b in comparisons:
            missing = [t for t in (str(a), str(b)) if t not in index]
            if missing:
                raise EvsynthError(
                    f"treatment {missing[0]!r} is not in the data",
                    hint=f"Choose from {', '.join(net.treatments)}",
                )
            ia, ib = index[str(a)], index[str(b)]
            pairs.append((min(ia, ib), max(ia, ib)))
    if not pairs:
        raise EvsynthError("no comparison can be split: the network has no closed loop")
    random = model == "random"
    prior = (prior_tau or UniformTau(5.0)) if random else None
    splits = []
    for k, (j, i) in enumerate(pairs):
        plan = nodesplit_plan(net, (j, i))
        fit = fit_plan(
            net,
            plan,
            random=random,
            prior=prior,
            prior_d_sd=prior_d_sd,
            prior_baseline_sd=prior_baseline_sd,
            options=options,
            seed=seed + k,
        )
        t1, t2 = net.treatments[j], net.treatments[i]
        warn_problems(fit.problems, f"bayes_nodesplit_mcmc ({t2} vs {t1})")
        d = fit.draws["d"]
        basic = with_reference(d[..., :-1])
        direct, indirect = d[..., -1], basic[..., i] - basic[..., j]
        above = (direct > indirect).astype(np.float64)
        share = float(above.mean())
        pvalue = 2.0 * min(share, 1.0 - share)
        pvalue_mcse = 2.0 * mcse_mean(above) if 0 < share < 1 else 0.0
        splits.append(
            SplitEstimate(
                treatment=t2,
                comparator=t1,
                direct=draw_stats(direct),
                indirect=draw_stats(indirect),
                difference=draw_stats(direct - indirect),
                pvalue=pvalue,
                pvalue_mcse=pvalue_mcse,
                sd=tau_summaries(fit.draws["sd"])[0] if random else None,
                resdev=fit.resdev,
                dic=fit.plugins["linear_predictor"][1],
                rhat_max=float(np.nanmax(fit.diagnostics.rhat)),
                ess_min=float(
                    np.nanmin(np.minimum(fit.diagnostics.ess_bulk, fit.diagnostics.ess_tail))
                ),
                notes=tuple(f"{t2} vs {t1}: {p}" for p in fit.notes),
            )
        )
    opts: dict[str, object] = {
        "likelihood": likelihood,
        "model": model,
        "reference": net.reference,
        "prior_tau": prior.to_dict() if prior else None,
        "prior_d_sd": prior_d_sd,
        "comparisons": [[net.treatments[j], net.treatments[i]] for j, i in pairs],
        **dataclasses.asdict(options),
    }
    return NodeSplitResult(
        splits=tuple(splits),
        model=model,
        likelihood=likelihood,
        prior_tau=prior,
        seed=seed,
        manifest=manifest(net, opts, seed, "evsynth.synthesis.nma.bayes.bayes_nodesplit_mcmc"),
    )
