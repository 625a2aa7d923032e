r"""Bayesian network meta-analysis by MCMC: NICE DSU TSD2's models.

:func:`bayes_nma_mcmc` fits the consistency model of NICE DSU TSD2 (Dias S, Welton NJ, Sutton AJ,
Ades AE 2011, updated 2016, Technical Support Document 2; Dias S, Sutton AJ, Ades AE, Welton NJ
2013, Med Decis Making 33:607-617, doi:10.1177/0272989X12458724) with random or fixed effects:

- ``likelihood="binomial"``: arm-level events and sample sizes, logit link, study baselines
  :math:`\mu_i \sim N(0, 100^2)`;
- ``likelihood="normal"``: arm means with standard errors (identity link, baselines as above) or
  contrasts with the multi-arm covariance (TSD's contrast layout or netmeta's pairwise layout).

Priors as TSD2 by default (:math:`d_k \sim N(0, 100^2)`, :math:`\tau \sim U(0, 5)`), any
:class:`.priors.TauPrior` otherwise. :mod:`.mcmc_inconsistency` adds the unrelated mean effects
model and node-splitting. Binomial models are drawn by independence Metropolis-Hastings with a
nested Laplace proposal (:mod:`.laplace_imh`: NumPy only, nothing compiled), everything else by
NUTS (:mod:`.models_numpyro`; NumPyro and JAX are imported only then); :mod:`.mcmc_fit` runs
either and computes the deviance and diagnostics. The data are in :mod:`.mcmc_data`, the result
in :mod:`.mcmc_result`, diagnostics in :mod:`.mcmc_diagnostics`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from datetime import UTC, datetime
from importlib import metadata
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from evsynth._core.errors import EvsynthError, choice_error
from evsynth._core.provenance import Manifest, hash_bytes, make_manifest
from evsynth._core.rng import RNGLike
from evsynth.synthesis.nma.bayes.data import read_network
from evsynth.synthesis.nma.bayes.mcmc_data import (
    ArmStudy,
    McmcNetwork,
    consistency_plan,
    read_arms,
)
from evsynth.synthesis.nma.bayes.mcmc_fit import McmcOptions, fit_plan, warn_problems
from evsynth.synthesis.nma.bayes.mcmc_result import (
    McmcNmaResult,
    beats_from_draws,
    draw_mcse,
    draw_stats,
    effect_summary,
    with_reference,
)
from evsynth.synthesis.nma.bayes.mixture import rank_probabilities
from evsynth.synthesis.nma.bayes.priors import TauPrior, UniformTau
from evsynth.synthesis.nma.bayes.result import TauSummary

if TYPE_CHECKING:
    pass

FloatArray = npt.NDArray[np.float64]
Likelihood = Literal["binomial", "normal"]
LIKELIHOODS: tuple[str, ...] = ("binomial", "normal")
MODELS: tuple[str, ...] = ("random", "fixed")
PLUGINS: tuple[str, ...] = ("linear_predictor", "fitted")
FUNCTION = "evsynth.synthesis.nma.bayes.mcmc.bayes_nma_mcmc"


def _seed(rng: RNGLike) -> int:
    """The integer seed recorded in the result (drawn from ``rng`` unless it is one)."""
    if isinstance(rng, bool) or not isinstance(rng, int | np.random.Generator | None):
        raise EvsynthError(
            f"rng={rng!r} must be an int seed, a numpy Generator or None",
            hint="Pass e.g. rng=20240101 for a reproducible analysis",
        )
    if isinstance(rng, int):
        return rng
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng()
    return int(gen.integers(2**63 - 1))


def read_data(
    data: pd.DataFrame,
    *,
    likelihood: str,
    study: str,
    treatment: str,
    events: str,
    n: str,
    effect: str,
    se: str,
    reference: str,
    layout: str,
) -> McmcNetwork:
    """Read arm-level (binomial or normal) or contrast-level (normal) data."""
    if likelihood not in LIKELIHOODS:
        raise choice_error("likelihood", likelihood, LIKELIHOODS)
    if likelihood == "binomial":
        if layout not in ("auto", "arm"):
            raise EvsynthError(f"layout={layout!r}: the binomial likelihood takes arm-level data")
        return read_arms(
            data,
            likelihood="binomial",
            study=study,
            treatment=treatment,
            first=events,
            second=n,
            reference=reference,
        )
    if layout != "arm":
        net = read_network(
            data,
            study=study,
            treatment=treatment,
            effect=effect,
            se=se,
            reference=reference,
            layout=layout,  # type: ignore[arg-type]
        )
        if net.layout != "arm":
            return McmcNetwork("normal", net.layout, net.treatments, net.studies)
    # The exact engine reads arm means as contrasts; TSD's arm-based model keeps the arms.
    return read_arms(
        data,
        likelihood="normal",
        study=study,
        treatment=treatment,
        first=effect,
        second=se,
        reference=reference,
    )


@functools.lru_cache(maxsize=1)
def _base_manifest() -> Manifest:
    return make_manifest(FUNCTION, {})


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def manifest(net: McmcNetwork, options: dict[str, object], seed: int, function: str) -> Manifest:
    """Provenance: options, seed, a hash of the data as read, and the JAX/NumPyro versions."""
    parts = ["|".join(net.treatments).encode()]
    for s in net.studies:
        parts.append("|".join((s.label, *s.treatments)).encode())
        if isinstance(s, ArmStudy):
            parts.append(s.first.tobytes() + s.second.tobytes())
        else:
            parts.append(s.effect.tobytes() + s.covariance.tobytes())
    return dataclasses.replace(
        _base_manifest(),
        function=function,
        options=options,
        seed=seed,
        input_hash=hash_bytes(b"".join(parts)),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        extra={
            "jax": _version("jax"),
            "jaxlib": _version("jaxlib"),
            "numpyro": _version("numpyro"),
        },
    )


def check_common(
    model: str, prior_tau: TauPrior | None, prior_d_sd: float, higher_is_better: object, plugin: str
) -> None:
    """Argument checks shared by every MCMC entry point."""
    if model not in MODELS:
        raise choice_error("model", model, MODELS)
    if plugin not in PLUGINS:
        raise choice_error("plugin", plugin, PLUGINS)
    if not (math.isfinite(prior_d_sd) and prior_d_sd > 0):
        raise EvsynthError(f"prior_d_sd={prior_d_sd!r} must be a positive number, e.g. 100")
    if not isinstance(higher_is_better, bool):
        raise EvsynthError("higher_is_better must be True or False")
    if model == "fixed" and prior_tau is not None:
        raise EvsynthError("prior_tau applies only to model='random'", hint="Drop prior_tau")
    if prior_tau is not None and not isinstance(prior_tau, TauPrior):
        raise EvsynthError(
            f"prior_tau must be a prior object, not {type(prior_tau).__name__}",
            hint="e.g. UniformTau(5), HalfNormalTau(1), LogNormalTau2(-2.56, 1.74)",
        )


def tau_summaries(draws: FloatArray) -> tuple[TauSummary, TauSummary]:
    """Summary of the sd's draws and the Monte Carlo SE of each entry."""
    s, m = draw_stats(draws), draw_mcse(draws)
    return (
        TauSummary(s["mean"], s["sd"], s["median"], s["low"], s["high"]),
        TauSummary(m["mean"], m["sd"], m["median"], m["low"], m["high"]),
    )


def bayes_nma_mcmc(
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
    higher_is_better: bool,
    plugin: Literal["linear_predictor", "fitted"] = "linear_predictor",
    layout: Literal["auto", "arm", "contrast", "pairwise"] = "auto",
    chains: int = 4,
    warmup: int = 500,
    samples: int = 1000,
    chain_method: Literal["sequential", "vectorized"] = "sequential",
    dense_mass: bool = False,
    target_accept: float = 0.8,
    max_tree_depth: int = 10,
    sampler: Literal["auto", "imh", "nuts"] = "auto",
    rng: RNGLike = None,
) -> McmcNmaResult:
    r"""Bayesian NMA by MCMC: NICE DSU TSD2's consistency model, random or fixed effects.

    Parameters
    ----------
    data : pandas.DataFrame
        Binomial: one row per arm with ``study, treatment, events, n``. Normal: one row per arm
        with the arm mean in ``effect`` and its standard error in ``se`` (``layout="arm"``), or
        contrasts as :func:`.bayes_nma_normal` reads them (TSD's contrast layout, netmeta's
        pairwise layout).
    likelihood : {"binomial", "normal"}, optional
        Binomial with logit link, or normal with identity link (TSD2).
    study, treatment, events, n, effect, se : str, optional
        Column names.
    reference : str
        The reference treatment, :math:`d_{\text{ref}} = 0`.
    model : {"random", "fixed"}, optional
        Random effects (TSD2's default) or fixed effect.
    prior_tau : TauPrior, optional
        Prior on the between-study sd; default :class:`.UniformTau` ``(5)`` (TSD2). Also
        :class:`.HalfNormalTau`, :class:`.LogNormalTau2` (Turner et al. 2015) and
        :class:`.LogTTau2` (Rhodes et al. 2015). Recorded in the result.
    prior_d_sd, prior_baseline_sd : float, optional
        Standard deviations of the normal priors on the basic parameters and on the study
        baselines :math:`\mu_i` (TSD2: 100 and 100).
    higher_is_better : bool
        Direction for ranks, SUCRA and the probability of beating the reference.
    plugin : {"linear_predictor", "fitted"}, optional
        Plug-in of pD and DIC reported as ``pd`` and ``dic``: the deviance at the posterior
        mean of the linear predictor (WinBUGS and NICE DSU TSD2; Spiegelhalter DJ, Best NG,
        Carlin BP, van der Linde A 2002, JRSS B 64:583-639, doi:10.1111/1467-9868.00353) or of
        the fitted values (gemtc, multinma). Both are kept in ``plugins``.
    layout : {"auto", "arm", "contrast", "pairwise"}, optional
        Normal likelihood only; ``auto`` reads as :func:`.bayes_nma_normal` does, arm-level data
        with TSD's arm-based model.
    chains, warmup, samples : int, optional
        Chains, warm-up iterations and draws kept per chain.
    chain_method : {"sequential", "vectorized"}, optional
        Chains one after the other in one compiled loop (fastest to compile), or batched.
    dense_mass : bool, optional
        Dense rather than diagonal mass matrix (slower to adapt; no gain on TSD2's models).
    target_accept, max_tree_depth : optional
        NUTS settings (Hoffman & Gelman 2014; Stan's adaptation).
    sampler : {"auto", "imh", "nuts"}, optional
        ``imh``: independence Metropolis-Hastings with a nested Laplace proposal
        (:mod:`.laplace_imh`; binomial likelihood only; no compilation, about 20 ms per 1,000
        draws on TSD2's smoking network); ``warmup`` then counts proposals discarded per chain,
        and each kept draw is every fourth proposal. ``nuts``: NumPyro's NUTS. ``auto``: the IMH
        for binomial models, redone by NUTS (and noted) if its draws fail the convergence
        checks; NUTS otherwise.
    rng : int, numpy.random.Generator or None, optional
        Seed of the sampler (a JAX ``PRNGKey``) and the starting values; recorded.

    Returns
    -------
    McmcNmaResult
        Warns with :class:`.ConvergenceWarning` (and notes it in the result) when an R-hat
        exceeds 1.01, a bulk or tail ESS is below 400, or a transition diverged.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({
    ...     "study": ["s1", "s1", "s2", "s2", "s3", "s3"],
    ...     "treatment": ["A", "B", "A", "C", "B", "C"],
    ...     "events": [10, 15, 12, 20, 14, 18],
    ...     "n": [100, 100, 100, 100, 100, 100],
    ... })
    >>> fit = bayes_nma_mcmc(data, reference="A", model="fixed", higher_is_better=True, rng=1)
    >>> fit.to_frame()[["treatment", "mean"]].round(1)
      treatment  mean
    0         A   0.0
    1         B   0.4
    2         C   0.7
    """
    check_common(model, prior_tau, prior_d_sd, higher_is_better, plugin)
    options = McmcOptions(
        chains, warmup, samples, chain_method, dense_mass, target_accept, max_tree_depth, sampler
    )
    seed = _seed(rng)
    net = read_data(
        data,
        likelihood=likelihood,
        study=study,
        treatment=treatment,
        events=events,
        n=n,
        effect=effect,
        se=se,
        reference=reference,
        layout=layout,
    )
    random = model == "random"
    prior = (prior_tau or UniformTau(5.0)) if random else None
    plan = consistency_plan(net)
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
    warn_problems(fit.problems, "bayes_nma_mcmc")
    d = fit.draws["d"]
    probs = rank_probabilities(with_reference(d).reshape(-1, d.shape[-1] + 1), higher_is_better)
    t = len(net.treatments)
    mean_rank = probs @ np.arange(1, t + 1)
    sd, sd_mcse = tau_summaries(fit.draws["sd"]) if random else (None, None)
    opts: dict[str, object] = {
        "likelihood": likelihood,
        "model": model,
        "reference": net.reference,
        "prior_tau": prior.to_dict() if prior else None,
        "prior_d_sd": prior_d_sd,
        "prior_baseline_sd": prior_baseline_sd,
        "higher_is_better": higher_is_better,
        "plugin": plugin,
        "layout": net.layout,
        **dataclasses.asdict(options),
    }
    return McmcNmaResult(
        model=model,
        likelihood=likelihood,
        layout=net.layout,
        treatments=net.treatments,
        studies=tuple(s.label for s in net.studies),
        higher_is_better=higher_is_better,
        prior_tau=prior,
        prior_d_sd=prior_d_sd,
        prior_baseline_sd=None if net.layout in ("contrast", "pairwise") else prior_baseline_sd,
        posterior=fit.draws,
        pairwise=effect_summary(d, 0.95),
        pairwise_mcse=effect_summary(d, 0.95, mcse=True),
        sd=sd,
        sd_mcse=sd_mcse,
        prob_beats=beats_from_draws(d, higher_is_better),
        rank_probabilities=probs,
        sucra=(t - mean_rank) / (t - 1),
        mean_rank=mean_rank,
        resdev=fit.resdev,
        pd=fit.plugins[plugin][0],
        dic=fit.plugins[plugin][1],
        plugin=plugin,
        plugins=fit.plugins,
        n_datapoints=fit.n_datapoints,
        resdev_studies=fit.resdev_studies,
        leverage=fit.leverage_by_plugin[plugin],
        diagnostics=fit.diagnostics,
        sampler=fit.sampler,
        seed=seed,
        manifest=manifest(net, opts, seed, FUNCTION),
        notes=fit.notes,
    )
