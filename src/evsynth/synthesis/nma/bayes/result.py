"""Result objects of the exact Bayesian NMA: frozen, printable, convertible, plottable."""

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
from evsynth._core.rng import RNGLike, as_generator
from evsynth._core.summary import Summary
from evsynth.synthesis.nma.bayes.data import NormalNetwork, pair_index
from evsynth.synthesis.nma.bayes.frames import (
    check_level,
    contrasts_frame,
    effects_frame,
    interval_frame,
    league_frame,
    p_better_than_reference,
    versus_reference_plot,
)
from evsynth.synthesis.nma.bayes.kernel import condition
from evsynth.synthesis.nma.bayes.mixture import (
    full_parameters,
    pair_moments,
    rank_probabilities,
    sample_mixture,
    summarise,
)
from evsynth.synthesis.nma.bayes.priors import TauPrior
from evsynth.synthesis.nma.bayes.quadrature import Quadrature, TauPosterior

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FloatArray = npt.NDArray[np.float64]
# Draws per batch of conditional posteriors in draws(): bounds memory at about 100 MB.
_CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class EffectSummary:
    """Posterior summaries of every contrast; entry ``[k, j]`` is treatment k versus j.

    "k versus j" is :math:`d_k - d_j` (TSD's :math:`d_{jk}`), so row k, column 0 is treatment k
    versus the reference. The interval is the central 95% credible interval.
    """

    mean: FloatArray
    sd: FloatArray
    median: FloatArray
    q025: FloatArray
    q975: FloatArray

    @classmethod
    def from_pairs(
        cls, stats: dict[str, FloatArray], pairs: list[tuple[int, int]], n: int
    ) -> EffectSummary:
        """Fill the antisymmetric matrices from the summaries of ``d_k - d_j``, j < k."""
        mats = {name: np.zeros((n, n)) for name in ("mean", "sd", "median", "low", "high")}
        for q, (j, k) in enumerate(pairs):
            for name in ("mean", "sd", "median", "low", "high"):
                mats[name][k, j] = stats[name][q]
            mats["mean"][j, k] = -stats["mean"][q]
            mats["median"][j, k] = -stats["median"][q]
            mats["sd"][j, k] = stats["sd"][q]
            mats["low"][j, k] = -stats["high"][q]
            mats["high"][j, k] = -stats["low"][q]
        return cls(mats["mean"], mats["sd"], mats["median"], mats["low"], mats["high"])


@dataclass(frozen=True, slots=True)
class TauSummary:
    """Posterior of the between-study standard deviation: mean, sd, median, 95% interval."""

    mean: float
    sd: float
    median: float
    q025: float
    q975: float

    def to_dict(self) -> dict[str, float]:
        return {
            "mean": self.mean,
            "sd": self.sd,
            "median": self.median,
            "q025": self.q025,
            "q975": self.q975,
        }


def tau_quantiles(prior: TauPrior, post: TauPosterior, probs: FloatArray) -> FloatArray:
    """Posterior quantiles of tau (the integration variable is monotone in tau)."""
    return prior.to_tau(post.quantile(np.asarray(probs, dtype=np.float64)))


def tau_summary(prior: TauPrior, post: TauPosterior) -> TauSummary:
    """Exact mean and sd (quadrature) and quantiles (panel CDF) of tau."""
    tau = prior.to_tau(post.u)
    mean = float(post.weights @ tau)
    sd = math.sqrt(max(float(post.weights @ (tau * tau)) - mean * mean, 0.0))
    low, median, high = tau_quantiles(prior, post, np.array([0.025, 0.5, 0.975]))
    return TauSummary(mean, sd, float(median), float(low), float(high))


@dataclass(frozen=True, slots=True)
class BayesRanks:
    """Rank probabilities (Monte Carlo from the exact posterior) beside the exact SUCRA.

    ``probabilities[k, r]`` is the probability that treatment k has rank r + 1 (rank 1 the
    best); ``mcse`` bounds each entry's Monte Carlo standard error,
    :math:`\\sqrt{\\hat p(1-\\hat p)/n}` (stratified sampling over the tau nodes only lowers it).
    ``sucra`` and ``mean_rank`` are exact; ``sucra_mc`` is the same from the draws, a check.
    """

    treatments: tuple[str, ...]
    probabilities: FloatArray
    mcse: FloatArray
    sucra: FloatArray
    sucra_mc: FloatArray
    mean_rank: FloatArray
    n_draws: int
    seed: int | None
    higher_is_better: bool

    def to_frame(self) -> DataFrame:
        """One row per treatment: the probability of each rank, SUCRA and mean rank."""
        n = len(self.treatments)
        frame = pd.DataFrame(self.probabilities, columns=[f"rank_{r + 1}" for r in range(n)])
        frame.insert(0, "treatment", list(self.treatments))
        frame["sucra"] = self.sucra
        frame["mean_rank"] = self.mean_rank
        return frame

    def _draws_note(self) -> str:
        """Where the rank probabilities come from, and their Monte Carlo error."""
        return (
            f"Rank probabilities from {self.n_draws:,} draws of the exact posterior (seed "
            f"{self.seed}); Monte Carlo SE at most {float(self.mcse.max()):.4f}. SUCRA and mean "
            "rank are exact."
        )

    def summary(self) -> Summary:
        n = len(self.treatments)
        rows = [
            [t, *self.probabilities[k], self.sucra[k], self.mean_rank[k]]
            for k, t in enumerate(self.treatments)
        ]
        direction = "higher" if self.higher_is_better else "lower"
        notes = [f"Rank 1 is the best; {direction} values are better.", self._draws_note()]
        return Summary(
            "Posterior rank probabilities",
            ["treatment", *[f"rank {r + 1}" for r in range(n)], "SUCRA", "mean rank"],
            rows,
            notes,
        )

    def plot(self, ax: Axes | None = None, *, cumulative: bool = False) -> Figure:
        """Rankogram (or cumulative ranking curves with SUCRA); returns the figure."""
        from evsynth.plots import rankogram

        return rankogram(
            list(self.treatments),
            self.probabilities,
            ax=ax,
            cumulative=cumulative,
            sucra=self.sucra if cumulative else None,
        )

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


@dataclass(frozen=True, slots=True)
class BayesNmaResult:
    """An exact Bayesian NMA of normal contrasts (NICE DSU TSD2's model, no MCMC).

    The posterior is a finite mixture over the tau quadrature nodes: weight ``weights[g]``,
    :math:`d_2..d_T \\sim N(\\text{mixture\\_mean}[g], \\text{mixture\\_cov}[g])`. Stored summaries
    are at 95%; methods take ``level`` for other intervals.

    Attributes
    ----------
    pairwise : EffectSummary
        Every contrast, ``[k, j]`` = treatment k versus j (:math:`d_k - d_j`).
    sd : TauSummary or None
        Between-study standard deviation (None for the fixed-effect model).
    prob_beats : ndarray
        ``[k, j]`` the posterior probability that k is better than j, in the chosen direction.
    sucra, mean_rank : ndarray
        Exact SUCRA and mean rank of each treatment.
    resdev, pd, dic : float
        Posterior mean total residual deviance, effective number of parameters and DIC with
        TSD2's plug-in (deviance at the posterior mean of the linear predictor).
    resdev_studies, leverage : ndarray
        Each study's posterior mean residual deviance and its contribution to pD.
    log_marginal_likelihood : float
        :math:`\\log p(y)` under the model and priors (the quadrature's normalising constant).
    seed : int
        The seed used by :meth:`ranks` and :meth:`draws` when no ``rng`` is given.
    """

    model: str
    network: NormalNetwork
    higher_is_better: bool
    prior_tau: TauPrior | None
    prior_d_sd: float
    tau_nodes: FloatArray
    weights: FloatArray
    mixture_mean: FloatArray
    mixture_cov: FloatArray
    tau_posterior: TauPosterior | None
    pairwise: EffectSummary
    sd: TauSummary | None
    prob_beats: FloatArray
    sucra: FloatArray
    mean_rank: FloatArray
    resdev: float
    pd: float
    dic: float
    resdev_studies: FloatArray
    leverage: FloatArray
    log_marginal_likelihood: float
    grid: Quadrature
    seed: int
    manifest: Manifest | None = None
    notes: tuple[str, ...] = ()

    @property
    def treatments(self) -> tuple[str, ...]:
        return self.network.treatments

    @property
    def reference(self) -> str:
        return self.network.reference

    @property
    def n_datapoints(self) -> int:
        return self.network.n_datapoints

    @property
    def p_better_than_reference(self) -> FloatArray:
        """Posterior probability that each treatment beats the reference (NaN for itself)."""
        return p_better_than_reference(self.prob_beats)

    def _pair_stats(self, level: float) -> tuple[list[tuple[int, int]], dict[str, FloatArray]]:
        mean_full, cov_full = full_parameters(self.mixture_mean, self.mixture_cov)
        pairs = pair_index(len(self.treatments))
        mu, sd = pair_moments(mean_full, cov_full, pairs)
        return pairs, summarise(self.weights, mu, sd, check_level(level))

    def _effects(self, level: float) -> EffectSummary:
        if level == 0.95:
            return self.pairwise
        pairs, stats = self._pair_stats(level)
        return EffectSummary.from_pairs(stats, pairs, len(self.treatments))

    def to_frame(self, level: float = 0.95) -> DataFrame:
        """One row per treatment versus the reference, with SUCRA and P(better than reference)."""
        eff = self._effects(check_level(level))
        return effects_frame(self.treatments, eff, self.sucra, self.prob_beats, level)

    def conf_int(self, level: float = 0.95) -> DataFrame:
        """Central credible interval of each treatment versus the reference."""
        return interval_frame(self.treatments, self._effects(check_level(level)))

    def relative_effects(self, level: float = 0.95) -> DataFrame:
        """Every pairwise contrast, treatment versus comparator (:math:`d_k - d_j`, j before k)."""
        eff = self._effects(check_level(level))
        return contrasts_frame(self.treatments, eff, self.prob_beats, level)

    def league(self, level: float = 0.95, *, wide: bool = False, digits: int = 2) -> DataFrame:
        """League table of every ordered pair (see :func:`.frames.league_frame`)."""
        eff = self._effects(check_level(level))
        return league_frame(self.treatments, eff, self.prob_beats, wide=wide, digits=digits)

    def sd_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Central credible interval of the between-study standard deviation."""
        if self.prior_tau is None or self.tau_posterior is None:
            raise EvsynthError("a fixed-effect model has no between-study standard deviation")
        tail = (1 - check_level(level)) / 2
        low, high = tau_quantiles(self.prior_tau, self.tau_posterior, np.array([tail, 1 - tail]))
        return float(low), float(high)

    def tau_density(self, n: int = 200) -> DataFrame:
        """The marginal posterior density of tau on ``n`` points (for plotting)."""
        if self.prior_tau is None or self.tau_posterior is None:
            raise EvsynthError("a fixed-effect model has no between-study standard deviation")
        post, prior = self.tau_posterior, self.prior_tau
        u, cdf = post.fine_cdf(max(8, n // post.panels + 1))
        tau = prior.to_tau(u)
        density = np.gradient(cdf, tau)
        keep = np.unique(np.linspace(0, len(u) - 1, n).astype(int))
        return pd.DataFrame({"tau": tau[keep], "density": density[keep]})

    def studies_frame(self) -> DataFrame:
        """Each study's contrasts, posterior mean residual deviance and leverage (TSD2)."""
        return pd.DataFrame(
            {
                "study": [s.label for s in self.network.studies],
                "n_contrasts": [len(s.effect) for s in self.network.studies],
                "resdev": self.resdev_studies,
                "leverage": self.leverage,
            }
        )

    def ranks(self, n_draws: int = 100_000, rng: RNGLike = None) -> BayesRanks:
        """Rank probabilities by Monte Carlo from the exact posterior (seeded by the result)."""
        if n_draws < 1:
            raise EvsynthError(f"n_draws={n_draws} must be a positive integer")
        seed = self.seed if rng is None else (rng if isinstance(rng, int) else None)
        gen = as_generator(self.seed if rng is None else rng)
        draws, _ = sample_mixture(self.weights, self.mixture_mean, self.mixture_cov, n_draws, gen)
        full = np.column_stack([np.zeros(n_draws), draws])
        probs = rank_probabilities(full, self.higher_is_better)
        n = len(self.treatments)
        sucra_mc = probs @ (n - 1 - np.arange(n)) / (n - 1)
        return BayesRanks(
            treatments=self.treatments,
            probabilities=probs,
            mcse=np.sqrt(probs * (1 - probs) / n_draws),
            sucra=self.sucra,
            sucra_mc=np.asarray(sucra_mc),
            mean_rank=self.mean_rank,
            n_draws=n_draws,
            seed=seed,
            higher_is_better=self.higher_is_better,
        )

    def draws(self, n: int = 4000, rng: RNGLike = None) -> DataFrame:
        """Independent draws from the exact posterior: ``d[<treatment>]`` columns and ``sd``.

        Tau is drawn from its continuous marginal posterior (inverting the quadrature CDF), then
        the treatment effects from their exact normal posterior given that tau.
        """
        if n < 1:
            raise EvsynthError(f"n={n} must be a positive integer")
        gen = as_generator(self.seed if rng is None else rng)
        p = len(self.treatments) - 1
        if self.prior_tau is None or self.tau_posterior is None:
            tau = np.zeros(n)
        else:
            u_grid, cdf = self.tau_posterior.fine_cdf()
            tau = self.prior_tau.to_tau(np.interp(gen.random(n), cdf, u_grid))
        out = np.empty((n, p))
        for start in range(0, n, _CHUNK):
            stop = min(start + _CHUNK, n)
            if self.prior_tau is None:
                mean = np.broadcast_to(self.mixture_mean[0], (stop - start, p))
                cov = np.broadcast_to(self.mixture_cov[0], (stop - start, p, p))
            else:
                cond = condition(self.network.blocks, p, tau[start:stop], self.prior_d_sd)
                mean, cov = cond.mean, cond.cov
            z = gen.standard_normal((stop - start, p))
            out[start:stop] = mean + np.einsum("npq,nq->np", np.linalg.cholesky(cov), z)
        frame = pd.DataFrame(out, columns=[f"d[{t}]" for t in self.treatments[1:]])
        if self.prior_tau is not None:
            frame["sd"] = tau
        return frame

    def to_inference_data(self, n: int = 4000, chains: int = 4, rng: RNGLike = None) -> Any:
        """Draws as an ArviZ ``InferenceData`` (needs arviz, which evsynth does not require)."""
        try:
            with warnings.catch_warnings():
                # arviz 0.2x announces its 1.0 refactor with a FutureWarning on import.
                warnings.simplefilter("ignore", FutureWarning)
                arviz = importlib.import_module("arviz")
        except ImportError as err:
            raise EvsynthError(
                "to_inference_data() needs the arviz package, which is not installed",
                hint="pip install arviz, or use draws() for a DataFrame",
            ) from err
        if chains < 1 or n % chains:
            raise EvsynthError(f"n={n} draws must split evenly into chains={chains}")
        frame = self.draws(n, rng)
        names = list(self.treatments[1:])
        d = frame[[f"d[{t}]" for t in names]].to_numpy().reshape(chains, n // chains, len(names))
        posterior: dict[str, FloatArray] = {"d": d}
        if "sd" in frame:
            posterior["sd"] = frame["sd"].to_numpy().reshape(chains, n // chains)
        coords, dims = {"treatment": names}, {"d": ["treatment"]}
        try:
            return arviz.from_dict(posterior=posterior, coords=coords, dims=dims)
        except TypeError:
            # arviz >= 1.0 takes a dict of groups as its first argument.
            return arviz.from_dict({"posterior": posterior}, coords=coords, dims=dims)

    def to_dict(self) -> dict[str, Any]:
        """The main results as plain Python values (what ``--json`` prints)."""
        frame = self.to_frame()
        return {
            "model": self.model,
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
            "n_datapoints": self.n_datapoints,
            "log_marginal_likelihood": self.log_marginal_likelihood,
            "seed": self.seed,
        }

    def summary(self) -> Summary:
        """A display table: each treatment versus the reference, then tau, with the fit's notes."""
        cols = ["", "mean", "sd", "median", "q025", "q975", "SUCRA", "P(better than ref)"]
        eff = self.pairwise
        rows: list[list[object]] = []
        for k, t in enumerate(self.treatments):
            if k == 0:
                rows.append([f"{t} (reference)", None, None, None, None, None, self.sucra[0], None])
                continue
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
                ]
            )
        if self.sd is not None:
            s = self.sd
            rows.append(["sd (tau)", s.mean, s.sd, s.median, s.q025, s.q975, None, None])
        label = "random effects" if self.model == "random" else "fixed effect"
        direction = "higher" if self.higher_is_better else "lower"
        prior = self.prior_tau.describe() if self.prior_tau else "tau = 0 (fixed effect)"
        notes = [
            f"{len(self.network.studies)} studies, {len(self.treatments)} treatments, "
            f"{self.n_datapoints} data points (contrasts); {direction} values are better.",
            f"Priors: d ~ Normal(0, {self.prior_d_sd:g}^2); {prior}.",
            f"Residual deviance {self.resdev:.2f}; pD {self.pd:.2f}; DIC {self.dic:.2f} "
            "(TSD2 plug-in: posterior mean of the linear predictor).",
            (
                f"Exact posterior: normal given tau, tau integrated on {len(self.weights)} "
                "quadrature nodes; no Monte Carlo error."
                if self.prior_tau is not None
                else "Exact posterior: normal (conjugate); no Monte Carlo error."
            ),
        ]
        notes.extend(self.notes)
        return Summary(f"Bayesian NMA (normal likelihood, {label})", cols, rows, notes)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Figure:
        """Forest plot of each treatment versus the reference (median, 95% CrI)."""
        return versus_reference_plot(
            self.treatments, self.pairwise, self.higher_is_better, ax=ax, **kwargs
        )

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()
