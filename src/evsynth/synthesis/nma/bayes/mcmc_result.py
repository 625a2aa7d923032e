"""Results of the MCMC engine: summaries from draws, with diagnostics, as the exact engine's result.

:class:`McmcNmaResult` has the methods of :class:`.result.BayesNmaResult` (``to_frame``,
``conf_int``, ``relative_effects``, ``sd_interval``, ``studies_frame``, ``ranks``, ``draws``,
``to_inference_data``, ``to_dict``, ``summary``, ``plot``) and its summaries in the same
objects (:class:`.result.EffectSummary`, :class:`.result.TauSummary`,
:class:`.result.BayesRanks`), so code written for one engine reads the other; it adds the
draws, their Monte Carlo standard errors and the convergence diagnostics.
"""

from __future__ import annotations

import importlib
import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas import DataFrame

from evsynth._core.errors import EvsynthError
from evsynth._core.provenance import Manifest
from evsynth._core.summary import Summary
from evsynth.synthesis.nma.bayes.data import pair_index
from evsynth.synthesis.nma.bayes.frames import (
    check_level,
    contrasts_frame,
    effects_frame,
    interval_frame,
    league_frame,
    p_better_than_reference,
    versus_reference_plot,
)
from evsynth.synthesis.nma.bayes.mcmc_diagnostics import (
    ParameterDiagnostics,
    SamplerReport,
    convergence_problems,
    mcse_mean,
    mcse_quantile,
    mcse_sd,
)
from evsynth.synthesis.nma.bayes.priors import TauPrior
from evsynth.synthesis.nma.bayes.result import BayesRanks, EffectSummary, TauSummary

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FloatArray = npt.NDArray[np.float64]
STAT_NAMES = ("mean", "sd", "median", "low", "high")


def draw_stats(x: FloatArray, level: float = 0.95) -> dict[str, float]:
    """Mean, sd, median and central interval of one quantity's draws ``(chains, draws)``."""
    tail = (1 - level) / 2
    low, median, high = np.quantile(x, [tail, 0.5, 1 - tail])
    return {
        "mean": float(x.mean()),
        "sd": float(x.std(ddof=1)),
        "median": float(median),
        "low": float(low),
        "high": float(high),
    }


def draw_mcse(x: FloatArray, level: float = 0.95) -> dict[str, float]:
    """Monte Carlo standard errors of :func:`draw_stats` (Vehtari et al. 2021)."""
    tail = (1 - level) / 2
    return {
        "mean": mcse_mean(x),
        "sd": mcse_sd(x),
        "median": mcse_quantile(x, 0.5),
        "low": mcse_quantile(x, tail),
        "high": mcse_quantile(x, 1 - tail),
    }


def with_reference(d: FloatArray) -> FloatArray:
    """Basic-parameter draws ``(chains, draws, p)`` with the reference's zero as column 0."""
    return np.concatenate([np.zeros((*d.shape[:-1], 1)), d], axis=-1)


def pair_draws(d: FloatArray) -> tuple[list[tuple[int, int]], FloatArray]:
    """Draws of every contrast ``d_k - d_j`` (j < k) from the basic parameters (chains, draws, p)."""
    full = with_reference(d)
    pairs = pair_index(full.shape[-1])
    j = [a for a, _ in pairs]
    k = [b for _, b in pairs]
    return pairs, np.asarray(full[..., k] - full[..., j], dtype=np.float64)


def effect_summary(d: FloatArray, level: float, mcse: bool = False) -> EffectSummary:
    """Pairwise summaries (or their Monte Carlo SEs) in the exact engine's matrices."""
    pairs, diffs = pair_draws(d)
    fn = draw_mcse if mcse else draw_stats
    per_pair = [fn(diffs[..., q], level) for q in range(len(pairs))]
    stats = {name: np.array([s[name] for s in per_pair]) for name in STAT_NAMES}
    out = EffectSummary.from_pairs(stats, pairs, d.shape[-1] + 1)
    if mcse:  # standard errors are not signed: undo the antisymmetry of from_pairs
        return EffectSummary(
            *(np.abs(getattr(out, f)) for f in ("mean", "sd", "median", "q025", "q975"))
        )
    return out


def beats_from_draws(d: FloatArray, higher_is_better: bool) -> FloatArray:
    """``[k, j]``: posterior probability that treatment k is better than j."""
    full = with_reference(d).reshape(-1, d.shape[-1] + 1)
    signed = full if higher_is_better else -full
    return np.asarray((signed[:, :, None] > signed[:, None, :]).mean(axis=0), dtype=np.float64)


class McmcRanks(BayesRanks):
    """:class:`.result.BayesRanks` computed from MCMC draws (SUCRA and mean rank included)."""

    __slots__ = ()

    def _draws_note(self) -> str:
        return (
            f"From {self.n_draws:,} MCMC draws (seed {self.seed}); the Monte Carlo SE of a rank "
            f"probability is at most {float(self.mcse.max()):.4f} for independent draws "
            "(autocorrelation raises it)."
        )


@dataclass(frozen=True, slots=True)
class McmcNmaResult:
    """A Bayesian NMA (NICE DSU TSD2's models) fitted by NUTS in NumPyro.

    Attributes
    ----------
    posterior : dict of ndarray
        Draws ``(chains, draws, ...)``: ``d`` (basic parameters, the reference's omitted),
        ``sd`` (random effects), ``mu`` and ``lp`` (binomial: study baselines and each arm's
        linear predictor), ``resdev`` (total residual deviance).
    pairwise, pairwise_mcse : EffectSummary
        Every contrast ``[k, j]`` = k versus j, and the Monte Carlo SE of each summary.
    sd, sd_mcse : TauSummary or None
        Between-study standard deviation and its Monte Carlo SEs.
    prob_beats, rank_probabilities, sucra, mean_rank : ndarray
        From the draws, in the chosen direction.
    resdev, pd, dic : float
        Posterior mean residual deviance, and pD and DIC with the plug-in ``plugin``.
    plugins : dict
        ``{"linear_predictor": (pD, DIC), "fitted": (pD, DIC)}``: the deviance at the posterior
        mean of the linear predictor (WinBUGS; NICE DSU TSD2) or of the fitted values
        (probabilities; gemtc, multinma). They coincide for the normal likelihood.
    diagnostics : ParameterDiagnostics
        R-hat, bulk and tail ESS of every basic parameter and the sd.
    sampler : SamplerReport
    """

    model: str
    likelihood: str
    layout: str
    treatments: tuple[str, ...]
    studies: tuple[str, ...]
    higher_is_better: bool
    prior_tau: TauPrior | None
    prior_d_sd: float
    prior_baseline_sd: float | None
    posterior: dict[str, FloatArray]
    pairwise: EffectSummary
    pairwise_mcse: EffectSummary
    sd: TauSummary | None
    sd_mcse: TauSummary | None
    prob_beats: FloatArray
    rank_probabilities: FloatArray
    sucra: FloatArray
    mean_rank: FloatArray
    resdev: float
    pd: float
    dic: float
    plugin: str
    plugins: dict[str, tuple[float, float]]
    n_datapoints: int
    resdev_studies: FloatArray
    leverage: FloatArray
    diagnostics: ParameterDiagnostics
    sampler: SamplerReport
    seed: int
    manifest: Manifest | None = None
    notes: tuple[str, ...] = ()

    @property
    def reference(self) -> str:
        return self.treatments[0]

    @property
    def converged(self) -> bool:
        """R-hat at most 1.01, bulk and tail ESS at least 400, no divergence, E-BFMI >= 0.3."""
        return not self.convergence_problems()

    def convergence_problems(self) -> list[str]:
        """The failed convergence checks, in words (empty when all pass)."""
        d = self.diagnostics
        return convergence_problems(
            d.names, d.rhat, d.ess_bulk, d.ess_tail, self.sampler.divergences, self.sampler.bfmi
        )

    @property
    def p_better_than_reference(self) -> FloatArray:
        """Posterior probability that each treatment beats the reference (NaN for itself)."""
        return p_better_than_reference(self.prob_beats)

    def _effects(self, level: float) -> EffectSummary:
        if check_level(level) == 0.95:
            return self.pairwise
        return effect_summary(self.posterior["d"], level)

    def to_frame(self, level: float = 0.95) -> DataFrame:
        """One row per treatment versus the reference, with SUCRA and P(better than reference)."""
        eff = self._effects(level)
        return effects_frame(self.treatments, eff, self.sucra, self.prob_beats, level)

    def conf_int(self, level: float = 0.95) -> DataFrame:
        """Central credible interval of each treatment versus the reference."""
        return interval_frame(self.treatments, self._effects(level))

    def relative_effects(self, level: float = 0.95) -> DataFrame:
        """Every pairwise contrast, treatment versus comparator (:math:`d_k - d_j`, j before k),
        with the Monte Carlo SE of each mean."""
        eff = self._effects(level)
        mcse = self.pairwise_mcse.mean
        return contrasts_frame(
            self.treatments,
            eff,
            self.prob_beats,
            level,
            extra=lambda k, j: {"mcse_mean": float(mcse[k, j])},
        )

    def league(self, level: float = 0.95, *, wide: bool = False, digits: int = 2) -> DataFrame:
        """League table of every ordered pair (see :func:`.frames.league_frame`)."""
        eff = self._effects(level)
        return league_frame(self.treatments, eff, self.prob_beats, wide=wide, digits=digits)

    def sd_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Central credible interval of the between-study standard deviation."""
        if "sd" not in self.posterior:
            raise EvsynthError("a fixed-effect model has no between-study standard deviation")
        tail = (1 - check_level(level)) / 2
        low, high = np.quantile(self.posterior["sd"], [tail, 1 - tail])
        return float(low), float(high)

    def studies_frame(self) -> DataFrame:
        """Each study's posterior mean residual deviance and leverage (its share of pD)."""
        return pd.DataFrame(
            {"study": list(self.studies), "resdev": self.resdev_studies, "leverage": self.leverage}
        )

    def dic_frame(self) -> DataFrame:
        """Residual deviance, pD and DIC with both plug-ins; ``default`` marks the one used."""
        return pd.DataFrame(
            [
                {
                    "plugin": name,
                    "resdev": self.resdev,
                    "pd": pd_,
                    "dic": dic,
                    "default": name == self.plugin,
                }
                for name, (pd_, dic) in self.plugins.items()
            ]
        )

    def ranks(self) -> McmcRanks:
        """Rank probabilities, SUCRA and mean ranks from the draws."""
        draws = self.posterior["d"].shape[0] * self.posterior["d"].shape[1]
        probs = self.rank_probabilities
        return McmcRanks(
            treatments=self.treatments,
            probabilities=probs,
            mcse=np.sqrt(probs * (1 - probs) / draws),
            sucra=self.sucra,
            sucra_mc=self.sucra,
            mean_rank=self.mean_rank,
            n_draws=draws,
            seed=self.seed,
            higher_is_better=self.higher_is_better,
        )

    def draws(self) -> DataFrame:
        """The draws as a DataFrame: ``chain``, ``draw``, ``d[<treatment>]`` and ``sd``."""
        d = self.posterior["d"]
        chains, n, _ = d.shape
        frame = pd.DataFrame(
            d.reshape(chains * n, -1), columns=[f"d[{t}]" for t in self.treatments[1:]]
        )
        if "sd" in self.posterior:
            frame["sd"] = self.posterior["sd"].reshape(-1)
        frame.insert(0, "draw", np.tile(np.arange(n), chains))
        frame.insert(0, "chain", np.repeat(np.arange(chains), n))
        return frame

    def to_inference_data(self) -> Any:
        """The draws as an ArviZ ``InferenceData`` (needs arviz, which evsynth does not require)."""
        try:
            with warnings.catch_warnings():
                # arviz 0.2x announces its 1.0 refactor with a FutureWarning on import.
                warnings.simplefilter("ignore", FutureWarning)
                arviz = importlib.import_module("arviz")
        except ImportError as err:
            raise EvsynthError(
                "to_inference_data() needs the arviz package, which is not installed",
                hint="pip install arviz, or use draws() or the posterior dict",
            ) from err
        posterior = {k: v for k, v in self.posterior.items() if k in ("d", "sd", "mu")}
        coords = {"treatment": list(self.treatments[1:]), "study": list(self.studies)}
        dims = {"d": ["treatment"]}
        if "mu" in posterior and posterior["mu"].shape[-1] == len(self.studies):
            dims["mu"] = ["study"]
        else:
            posterior.pop("mu", None)
        try:
            return arviz.from_dict(posterior=posterior, coords=coords, dims=dims)
        except TypeError:
            # arviz >= 1.0 takes a dict of groups as its first argument.
            return arviz.from_dict({"posterior": posterior}, coords=coords, dims=dims)

    def to_dict(self) -> dict[str, Any]:
        """The main results as plain Python values (what ``--json`` prints)."""
        frame = self.to_frame()
        return {
            "engine": "mcmc",
            "model": self.model,
            "likelihood": self.likelihood,
            "reference": self.reference,
            "treatments": list(self.treatments),
            "higher_is_better": self.higher_is_better,
            "prior_tau": self.prior_tau.to_dict() if self.prior_tau else None,
            "prior_d_sd": self.prior_d_sd,
            "effects": [
                {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
                for r in frame.to_dict(orient="records")
            ],
            "sd": self.sd.to_dict() if self.sd else None,
            "resdev": self.resdev,
            "pd": self.pd,
            "dic": self.dic,
            "plugin": self.plugin,
            "plugins": {k: {"pd": v[0], "dic": v[1]} for k, v in self.plugins.items()},
            "n_datapoints": self.n_datapoints,
            "diagnostics": self.diagnostics.to_frame().to_dict(orient="list"),
            "sampler": self.sampler.to_dict(),
            "seed": self.seed,
            "notes": list(self.notes),
        }

    def summary(self) -> Summary:
        """A display table: each treatment versus the reference, then tau, with the fit's notes."""
        cols = [
            "",
            "mean",
            "sd",
            "median",
            "q025",
            "q975",
            "SUCRA",
            "P(better than ref)",
            "R-hat",
            "ESS",
        ]
        eff = self.pairwise
        diag = dict(
            zip(
                self.diagnostics.names,
                zip(self.diagnostics.rhat, self.diagnostics.ess_bulk, strict=True),
                strict=True,
            )
        )
        rows: list[list[object]] = []
        for k, t in enumerate(self.treatments):
            if k == 0:
                rows.append(
                    [
                        f"{t} (reference)",
                        None,
                        None,
                        None,
                        None,
                        None,
                        self.sucra[0],
                        None,
                        None,
                        None,
                    ]
                )
                continue
            r, e = diag.get(f"d[{t}]", (None, None))
            rows.append(
                [
                    f"{t} vs {self.reference}",
                    eff.mean[k, 0],
                    eff.sd[k, 0],
                    eff.median[k, 0],
                    eff.q025[k, 0],
                    eff.q975[k, 0],
                    self.sucra[k],
                    self.prob_beats[k, 0],
                    r,
                    e,
                ]
            )
        if self.sd is not None:
            s = self.sd
            r, e = diag.get("sd", (None, None))
            rows.append(["sd (tau)", s.mean, s.sd, s.median, s.q025, s.q975, None, None, r, e])
        label = "random effects" if self.model == "random" else "fixed effect"
        direction = "higher" if self.higher_is_better else "lower"
        prior = self.prior_tau.describe() if self.prior_tau else "tau = 0 (fixed effect)"
        other = [n for n in self.plugins if n != self.plugin]
        notes = [
            f"{len(self.studies)} studies, {len(self.treatments)} treatments, {self.n_datapoints} "
            f"data points; {direction} values are better.",
            f"Priors: d ~ Normal(0, {self.prior_d_sd:g}^2); {prior}.",
            f"Residual deviance {self.resdev:.2f}; pD {self.pd:.2f}; DIC {self.dic:.2f} (plug-in: "
            f"posterior mean of the {self.plugin.replace('_', ' ')})"
            + "".join(
                f"; with the {o.replace('_', ' ')} plug-in pD {self.plugins[o][0]:.2f}, DIC "
                f"{self.plugins[o][1]:.2f}"
                for o in other
            )
            + ".",
            f"Sampler: {self.sampler.describe(self.seed)}"
            + (
                f"; {self.sampler.divergences} divergent transitions."
                if self.sampler.algorithm == "nuts"
                else "."
            ),
        ]
        notes.extend(self.notes)
        return Summary(
            f"Bayesian NMA by MCMC ({self.likelihood} likelihood, {label})", cols, rows, notes
        )

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Figure:
        """Forest plot of each treatment versus the reference (median, 95% CrI)."""
        return versus_reference_plot(
            self.treatments, self.pairwise, self.higher_is_better, ax=ax, **kwargs
        )

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()
