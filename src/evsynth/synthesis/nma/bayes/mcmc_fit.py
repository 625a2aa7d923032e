"""Drawing from a TSD2 model's posterior: the samplers behind :func:`.mcmc.bayes_nma_mcmc`.

:func:`fit_plan` builds a plan's arrays (:mod:`.mcmc_data`), draws with the independence
Metropolis-Hastings sampler (:mod:`.laplace_imh`, binomial models) or NUTS (NumPyro,
:mod:`.models_numpyro`, imported only when used), and computes the residual deviance, pD, DIC
and the convergence diagnostics that every model of :mod:`.mcmc` and :mod:`.mcmc_inconsistency`
reports.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from evsynth._core.errors import EvsynthError, choice_error
from evsynth.synthesis.nma.bayes.laplace_imh import linear_model, run_imh
from evsynth.synthesis.nma.bayes.mcmc_data import McmcNetwork, Plan, model_arrays
from evsynth.synthesis.nma.bayes.mcmc_diagnostics import (
    ConvergenceWarning,
    Deviance,
    ParameterDiagnostics,
    SamplerReport,
    bfmi,
    binomial_deviances,
    convergence_problems,
    gaussian_deviances,
)
from evsynth.synthesis.nma.bayes.priors import TauPrior

FloatArray = npt.NDArray[np.float64]
CHAIN_METHODS: tuple[str, ...] = ("sequential", "vectorized")
SAMPLERS: tuple[str, ...] = ("auto", "imh", "nuts")


@dataclass(frozen=True, slots=True)
class McmcOptions:
    """Sampler settings, checked once (see :func:`bayes_nma_mcmc` for their meaning)."""

    chains: int = 4
    warmup: int = 500
    samples: int = 1000
    chain_method: str = "sequential"
    dense_mass: bool = False
    target_accept: float = 0.8
    max_tree_depth: int = 10
    sampler: str = "auto"

    def __post_init__(self) -> None:
        for name in ("chains", "warmup", "samples", "max_tree_depth"):
            value = getattr(self, name)
            low = 0 if name == "warmup" else 1
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise EvsynthError(f"{name}={value!r} must be an integer of at least {low}")
        if self.samples < 4:
            raise EvsynthError(f"samples={self.samples} is too few; give at least 4 per chain")
        if self.chain_method not in CHAIN_METHODS:
            raise choice_error("chain_method", self.chain_method, CHAIN_METHODS)
        if not 0 < self.target_accept < 1:
            raise EvsynthError(f"target_accept={self.target_accept} must lie between 0 and 1")
        if self.sampler not in SAMPLERS:
            raise choice_error("sampler", self.sampler, SAMPLERS)


def _import_models() -> Any:
    try:
        from evsynth.synthesis.nma.bayes import models_numpyro
    except ImportError as err:
        raise EvsynthError(
            "the MCMC engine needs numpyro and jax, which are not installed",
            hint="pip install 'evsynth[bayes]' (or pip install numpyro jax); the exact engine "
            "bayes_nma_normal needs neither",
        ) from err
    return models_numpyro


def _diagnostics(
    plan: Plan, draws: dict[str, FloatArray], random: bool, names: Sequence[str]
) -> ParameterDiagnostics:
    columns = {f"d[{name}]": draws["d"][..., k] for k, name in enumerate(names)}
    if random:
        columns["sd"] = draws["sd"]
    return ParameterDiagnostics.from_draws(columns)


@dataclass(frozen=True, slots=True)
class Fit:
    """Everything one run of the sampler gives, before a result object is made of it."""

    draws: dict[str, FloatArray]
    deviance: Deviance
    resdev: float
    plugins: dict[str, tuple[float, float]]
    n_datapoints: int
    resdev_studies: FloatArray
    leverage_by_plugin: dict[str, FloatArray]
    diagnostics: ParameterDiagnostics
    sampler: SamplerReport
    problems: list[str]
    fallback: str | None = None  # why the draws are NUTS's after the IMH failed its checks

    @property
    def notes(self) -> tuple[str, ...]:
        """Failed checks, and the fallback from the IMH to NUTS if there was one."""
        return (*self.problems, *((self.fallback,) if self.fallback else ()))


@dataclass(frozen=True, slots=True)
class _Model:
    """What every sampler needs to know of the model besides the data."""

    random: bool
    prior: TauPrior | None
    prior_d_sd: float
    prior_baseline_sd: float


def fit_plan(
    net: McmcNetwork,
    plan: Plan,
    *,
    random: bool,
    prior: TauPrior | None,
    prior_d_sd: float,
    prior_baseline_sd: float,
    options: McmcOptions,
    seed: int,
) -> Fit:
    """Build the arrays of ``plan``, draw from the posterior and compute deviance and diagnostics.

    Binomial models are drawn by independence Metropolis-Hastings with a nested Laplace
    proposal (:mod:`.laplace_imh`, ``sampler="imh"``); with ``sampler="auto"`` a run that fails
    the convergence checks is redone by NUTS, and the result says so. NUTS (NumPyro) draws
    everything else, and anything with ``sampler="nuts"``.
    """
    spec = _Model(random, prior, prior_d_sd, prior_baseline_sd)
    kind = "binomial" if net.likelihood == "binomial" else "gaussian"
    if options.sampler == "imh" and kind != "binomial":
        raise EvsynthError(
            "sampler='imh' fits the binomial likelihood only",
            hint="Use sampler='auto' or 'nuts' (the normal contrast models are exact in "
            "bayes_nma_normal)",
        )
    if kind == "binomial" and options.sampler != "nuts":
        imh_fit = _fit(net, plan, spec, options, seed, imh=True)
        if not imh_fit.problems or options.sampler == "imh":
            return imh_fit
        if importlib.util.find_spec("numpyro") is None:
            # Without NumPyro the IMH's draws stand, with their failed checks said plainly.
            note = (
                "Independence Metropolis-Hastings failed the convergence checks and NUTS is not "
                "installed (pip install numpyro) to redo the run; increase samples."
            )
            return dataclasses.replace(imh_fit, fallback=note)
        nuts_fit = _fit(net, plan, spec, options, seed, imh=False)
        note = (
            "Independence Metropolis-Hastings failed the convergence checks ("
            + " ".join(imh_fit.problems)
            + "); the draws are NUTS's."
        )
        return dataclasses.replace(nuts_fit, fallback=note)
    return _fit(net, plan, spec, options, seed, imh=False)


def _imh_sampler(
    arrays: dict[str, Any], spec: _Model, options: McmcOptions, seed: int
) -> tuple[dict[str, FloatArray], SamplerReport]:
    model = linear_model(
        arrays,
        random=spec.random,
        prior_d_sd=spec.prior_d_sd,
        prior_baseline_sd=spec.prior_baseline_sd,
    )
    out = run_imh(
        model,
        prior=spec.prior if spec.random else None,
        chains=options.chains,
        warmup=options.warmup,
        samples=options.samples,
        seed=seed,
    )
    report = SamplerReport(
        chains=options.chains,
        warmup=options.warmup,
        samples=options.samples,
        chain_method="sequential",
        dense_mass=False,
        target_accept=math.nan,
        max_tree_depth=0,
        divergences=0,
        tree_depth_hits=0,
        step_size=np.zeros(0),
        bfmi=np.zeros(0),
        mean_steps=float(out.thin),
        warmup_steps=options.chains * options.warmup * out.thin,
        sampling_steps=options.chains * options.samples * out.thin,
        trace_s=0.0,
        compile_s=0.0,
        run_s=out.run_s,
        cached=False,
        reference_tau=None,
        algorithm="imh",
        acceptance=out.acceptance,
        proposal_efficiency=out.importance_ess,
        thin=out.thin,
        cells=out.cells,
        setup_s=out.setup_s,
    )
    return dict(out.draws), report


def _fit(
    net: McmcNetwork, plan: Plan, spec: _Model, options: McmcOptions, seed: int, *, imh: bool
) -> Fit:
    random = spec.random
    kind = "binomial" if net.likelihood == "binomial" else "gaussian"
    if imh:
        arrays, extra = model_arrays(
            net,
            plan,
            prior_d_sd=spec.prior_d_sd,
            prior_baseline_sd=spec.prior_baseline_sd,
            prior_tau=np.zeros(3),
            tau_ref=None,
        )
        draws, sampler = _imh_sampler(arrays, spec, options, seed)
    else:
        draws, sampler, arrays, extra = _nuts_sampler(net, plan, spec, options, seed)
    if kind == "binomial":
        dev = binomial_deviances(arrays, draws["lp"])
        study_of = extra["arm_study"]
        n_data = int(arrays["weight"].sum())
    else:
        tau = draws["sd"] if random else np.zeros(draws["d"].shape[:2])
        dev = gaussian_deviances(arrays, extra, draws["d"], tau)
        study_of = extra["unit_study"]
        n_data = int(extra["mask"].sum())
    draws["resdev"] = dev.draws
    resdev = float(dev.mean.sum())
    n_studies = len(net.studies)

    def by_study(values: FloatArray) -> FloatArray:
        return np.bincount(study_of, weights=values, minlength=n_studies).astype(np.float64)

    plugins, leverage = {}, {}
    for name, at in (("linear_predictor", dev.at_linear_predictor), ("fitted", dev.at_fitted)):
        pd_value = resdev - float(at.sum())
        plugins[name] = (pd_value, resdev + pd_value)
        leverage[name] = by_study(dev.mean - at)
    names = plan.parameters
    diagnostics = _diagnostics(plan, draws, random, names)
    problems = convergence_problems(
        diagnostics.names,
        diagnostics.rhat,
        diagnostics.ess_bulk,
        diagnostics.ess_tail,
        sampler.divergences,
        sampler.bfmi,
    )
    return Fit(
        draws,
        dev,
        resdev,
        plugins,
        n_data,
        by_study(dev.mean),
        leverage,
        diagnostics,
        sampler,
        problems,
    )


def _nuts_sampler(
    net: McmcNetwork, plan: Plan, spec: _Model, options: McmcOptions, seed: int
) -> tuple[dict[str, FloatArray], SamplerReport, dict[str, Any], dict[str, Any]]:
    """NUTS in NumPyro: the draws, the sampler's record and the model's arrays."""
    random, prior = spec.random, spec.prior
    models = _import_models()
    family, prior_vec = (
        models.tau_prior_vector(prior) if (random and prior) else (None, np.zeros(3))
    )
    tau_ref = (
        models.reference_tau(net, prior)
        if (random and prior and net.likelihood == "binomial")
        else None
    )
    arrays, extra = model_arrays(
        net,
        plan,
        prior_d_sd=spec.prior_d_sd,
        prior_baseline_sd=spec.prior_baseline_sd,
        prior_tau=prior_vec,
        tau_ref=tau_ref,
    )
    gen = np.random.default_rng(seed)
    init = models.initial_values(
        net, arrays, extra, random, family, prior_vec, tau_ref, options.chains, gen
    )
    kind = "binomial" if net.likelihood == "binomial" else "gaussian"
    spec = models.ModelSpec(kind, random, family)
    dense = bool(options.dense_mass)
    settings = models.NutsSettings(
        options.chains,
        options.warmup,
        options.samples,
        options.chain_method,
        dense,
        options.target_accept,
        options.max_tree_depth,
    )
    if kind == "gaussian" and not random:
        # Normal likelihood, fixed effect: the posterior of d is exactly normal, drawn directly.
        out = models.direct_output(options.chains, options.samples)
    else:
        out = models.run_nuts(spec, arrays, init, settings, seed)
    draws = {k: v for k, v in out.draws.items() if k in ("d", "sd", "mu", "lp")}
    if kind == "gaussian":
        # Each d replaced by an exact draw from d | y, tau at its draw's tau (conjugate).
        tau_draws = draws["sd"] if random else np.zeros((options.chains, options.samples))
        draws["d"] = models.gaussian_conditional(arrays, tau_draws, gen)
    steps = out.num_steps
    sampler = SamplerReport(
        chains=options.chains,
        warmup=options.warmup,
        samples=options.samples,
        chain_method=options.chain_method,
        dense_mass=dense,
        target_accept=options.target_accept,
        max_tree_depth=options.max_tree_depth,
        divergences=int(out.diverging.sum()),
        tree_depth_hits=int((steps >= 2**options.max_tree_depth - 1).sum()),
        step_size=out.step_size,
        bfmi=bfmi(out.energy),
        mean_steps=float(steps.mean()),
        warmup_steps=int(out.warmup_steps.sum()),
        sampling_steps=int(steps.sum()),
        trace_s=out.trace_s,
        compile_s=out.compile_s,
        run_s=out.run_s,
        cached=out.cached,
        reference_tau=tau_ref,
    )
    return draws, sampler, arrays, extra


def warn_problems(problems: list[str], what: str) -> None:
    """Emit one :class:`ConvergenceWarning` naming every failed check."""
    if problems:
        warnings.warn(f"{what}: " + " ".join(problems), ConvergenceWarning, stacklevel=3)
