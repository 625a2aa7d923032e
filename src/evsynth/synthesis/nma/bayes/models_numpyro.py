r"""NumPyro models of NICE DSU TSD2 and the compiled NUTS sampler that runs them.

Models (Dias S, Welton NJ, Sutton AJ, Ades AE 2011, updated 2016, NICE DSU Technical Support
Document 2; Dias S, Sutton AJ, Ades AE, Welton NJ 2013, Med Decis Making 33:607-617,
doi:10.1177/0272989X12458724). Every model takes its data as a dict of arrays (built by
:mod:`.mcmc_data`), so one compiled sampler serves every data set of the same shapes.

:func:`binomial_model`
    Arm-level events :math:`r_{ik} \sim \text{Bin}(n_{ik}, p_{ik})`, logit link,
    :math:`\operatorname{logit} p_{ik} = \mu_i + \delta_{ik}` (:math:`\delta_{i1} = 0`), study
    baselines :math:`\mu_i \sim N(0, 100^2)`. The contrast means are :math:`X\theta` with
    :math:`\theta` the basic parameters (consistency), the comparison parameters (unrelated mean
    effects) or the basic parameters plus the direct effect (node-splitting). Random effects:

    .. math::

        \delta_i \sim N\big(X_i\theta,\ \tau^2 \Sigma\big), \qquad
        \Sigma = \tfrac12 (I + J),

    (variance :math:`\tau^2`, covariance :math:`\tau^2/2` between the contrasts of a multi-arm
    trial: TSD2's conditional univariate normals in one multivariate normal). With
    :math:`\Sigma = LL^\top` the whitened deviations :math:`\omega_i = L^{-1}(\delta_i - X_i
    \theta) \sim N(0, \tau^2 I)` are sampled in a partially non-centred parameterisation
    (Papaspiliopoulos O, Roberts GO, Sköld M 2007, Stat Sci 22:59-73,
    doi:10.1214/088342307000000014), one weight :math:`\lambda \in [0, 1]` per contrast:

    .. math::

        w \sim N\big(\lambda c,\ \tau^{2\lambda}\big), \quad
        \omega = \tau^{1-\lambda}(w - \lambda c), \quad
        c_i = L^{-1}(\mu_i \mathbf 1 + X_i\theta),

    so that :math:`\omega \sim N(0, \tau^2)` exactly for any :math:`\lambda`. :math:`\lambda = 1`
    samples the arms' linear predictors themselves (whitened; centred), :math:`\lambda = 0`
    standard normal deviations (non-centred). The sampler is fastest when :math:`\lambda` is
    near :math:`\tau^2/(\tau^2 + s^2)` for a contrast with sampling variance :math:`s^2`: data
    that pin a contrast down want it centred, weak data non-centred; :func:`reference_tau`
    locates :math:`\tau` from a normal approximation for that. Arms with weight 0 (left out by node-splitting) add nothing to the likelihood.
:func:`gaussian_model`
    Normal likelihood, identity link, for arm means or for contrasts with the multi-arm
    covariance. Both the random effects and (arm means) the study baselines are integrated
    out exactly: for study :math:`i`,

    .. math::

        y_i \sim N\big(X_i\theta,\ W_i(\tau)\big), \qquad W_i(\tau) = W_{0i} + \tau^2 Q_i,

    with :math:`W_{0i}` the sampling covariance (plus :math:`100^2 \mathbf 1\mathbf 1^\top` over
    the arms for the baseline) and :math:`Q_i` the structure :math:`\Sigma` on the contrasts.
    The generalised eigenvectors :math:`U_i` (:math:`U_i^\top W_{0i} U_i = I`,
    :math:`U_i^\top Q_i U_i = \Lambda_i`), computed once, diagonalise every :math:`W_i(\tau)`:
    with :math:`z_i = U_i^\top(y_i - X_i\theta)`,

    .. math::

        \log p(y \mid \theta, \tau) = \text{const} - \tfrac12 \sum_{i,j}\Big[
            \frac{z_{ij}^2}{1 + \tau^2\lambda_{ij}} + \log(1 + \tau^2\lambda_{ij})\Big],

    so no matrix is factorised while sampling. NUTS samples :math:`\theta` and :math:`\tau`;
    then, since the model is conjugate in :math:`\theta \sim N(0, s^2 I)` given :math:`\tau`
    (the exact engine's :mod:`.kernel`), each draw of :math:`\theta` is replaced by an exact
    draw from :math:`\theta \mid y, \tau` at that draw's :math:`\tau`
    (:func:`.mcmc_data.gaussian_conditional`): the pairs are still draws from the joint
    posterior, and the d's lose the autocorrelation of the chain except through
    :math:`\tau`. (Sampling :math:`\tau` alone, with :math:`\theta` integrated out, mixes
    worse: NUTS stops a one-dimensional trajectory early.) The fixed-effect posterior is
    normal and is drawn directly, without NUTS.
Prior on the between-study sd
    ``uniform``: :math:`\tau \sim U(0, a)`; ``half-normal``: :math:`\tau \sim N^+(0, s^2)`;
    ``log-normal``: :math:`\log\tau^2 \sim N(m, s^2)`; ``log-t``:
    :math:`(\log\tau^2 - m)/s \sim t_\nu` (the objects of :mod:`.priors`). The family is part of
    the compiled program, its parameters are data.

Sampler
    NumPyro's NUTS (Hoffman MD, Gelman A 2014, JMLR 15:1593-1623; multinomial variant of
    Betancourt 2017, arXiv:1701.02434) with Stan's windowed adaptation of the step size and
    diagonal (or dense) mass matrix. Warm-up and sampling of all chains run inside one
    ``jax.jit``-compiled function; compiled functions are cached by model, settings and data
    shapes, so a second analysis of the same shape (a sensitivity analysis, another
    node-split) skips tracing and compilation.
"""

from __future__ import annotations

import contextlib
import importlib
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import jax
import jax.numpy as jnp
import numpy as np
import numpy.typing as npt
import numpyro
import numpyro.distributions as dist
from jax.flatten_util import ravel_pytree
from numpyro.infer.hmc import hmc
from numpyro.infer.util import constrain_fn, potential_energy, unconstrain_fn

from evsynth._core.errors import EvsynthError
from evsynth.synthesis.nma.bayes.data import StudyData, build_blocks
from evsynth.synthesis.nma.bayes.kernel import condition
from evsynth.synthesis.nma.bayes.mcmc_data import ArmStudy, Arrays, McmcNetwork
from evsynth.synthesis.nma.bayes.priors import TauPrior

FloatArray = npt.NDArray[np.float64]
Array = jax.Array
ModelKind = Literal["binomial", "gaussian"]
ChainMethod = Literal["sequential", "vectorized"]
TAU_FAMILIES: tuple[str, ...] = ("uniform", "half-normal", "log-normal", "log-t")
# Compiled samplers kept per process (each holds an XLA executable of a few hundred kB).
_CACHE_SIZE = 32


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """What is compiled into the program: the model, random or fixed effects, tau's prior family."""

    kind: ModelKind
    random: bool
    tau_family: str | None


@dataclass(frozen=True, slots=True)
class NutsSettings:
    """Sampler settings (all part of the compiled program)."""

    chains: int
    warmup: int
    samples: int
    chain_method: ChainMethod
    dense_mass: bool
    target_accept: float
    max_tree_depth: int


@dataclass(frozen=True, slots=True)
class NutsOutput:
    """Draws ``(chains, samples, ...)`` of every site and NUTS' per-draw statistics."""

    draws: dict[str, FloatArray]
    diverging: npt.NDArray[np.bool_]  # (chains, samples)
    num_steps: npt.NDArray[np.int64]  # (chains, samples)
    accept_prob: FloatArray  # (chains, samples)
    energy: FloatArray  # (chains, samples)
    step_size: FloatArray  # (chains,)
    warmup_steps: npt.NDArray[np.int64]  # (chains,) leapfrog steps spent in warm-up
    trace_s: float
    compile_s: float
    run_s: float
    cached: bool


def direct_output(chains: int, samples: int) -> NutsOutput:
    """An empty sampler output: the normal fixed-effect model is drawn directly, not by NUTS."""
    zeros = np.zeros((chains, samples))
    return NutsOutput(
        draws={},
        diverging=zeros.astype(bool),
        num_steps=zeros.astype(np.int64),
        accept_prob=zeros + 1.0,
        energy=zeros,
        step_size=np.zeros(chains),
        warmup_steps=np.zeros(chains, dtype=np.int64),
        trace_s=0.0,
        compile_s=0.0,
        run_s=0.0,
        cached=True,
    )


def _tau(family: str, params: Array) -> tuple[Array, Array]:
    """Sample the between-study sd under its prior; return tau and log tau."""
    if family == "uniform":
        tau = numpyro.sample("sd", dist.Uniform(0.0, params[0]))
        return tau, jnp.log(tau)
    if family == "half-normal":
        tau = numpyro.sample("sd", dist.HalfNormal(params[0]))
        return tau, jnp.log(tau)
    if family == "log-normal":
        log_tau2 = numpyro.sample("log_tau2", dist.Normal(params[0], params[1]))
    elif family == "log-t":
        log_tau2 = numpyro.sample("log_tau2", dist.StudentT(params[2], params[0], params[1]))
    else:
        raise ValueError(f"unknown prior family {family!r}")
    tau = numpyro.deterministic("sd", jnp.exp(0.5 * log_tau2))
    return tau, 0.5 * log_tau2


def _blocks(values: Array, data: Mapping[str, Array], matrix: Array) -> Array:
    """Apply the lower-triangular ``matrix`` (M x M) to each unit's contrasts.

    ``same_unit[c, j]`` is the contrast at position j of contrast c's unit (or the index of an
    appended zero), so the product is a gather and a row-wise sum: no scatter to compile.
    """
    extended = jnp.concatenate([values, jnp.zeros(1, values.dtype)])
    return jnp.sum(extended[data["same_unit"]] * matrix[data["con_pos"]], axis=1)


def binomial_model(data: Mapping[str, Array], *, random: bool, tau_family: str | None) -> None:
    """TSD2's binomial likelihood with logit link (arm data); see the module docstring."""
    n_units = data["baseline_arm"].shape[0]
    n_params = data["design"].shape[1]
    theta = numpyro.sample("d", dist.Normal(0.0, data["prior_d_sd"]).expand([n_params]))
    mu = numpyro.sample("mu", dist.Normal(0.0, data["prior_mu_sd"]).expand([n_units]))
    mean = data["design"] @ theta
    if random:
        _, log_tau = _tau(tau_family or "uniform", data["prior_tau"])
        lam = data["lam"]
        c = _blocks(mu[data["con_unit"]] + mean, data, data["chol_inv"])
        w = numpyro.sample("w", dist.Normal(lam * c, jnp.exp(lam * log_tau)))
        omega = jnp.exp((1.0 - lam) * log_tau) * (w - lam * c)
        delta = mean + _blocks(omega, data, data["chol"])
    else:
        delta = mean
    # arm_con: each arm's contrast, or the appended zero for a baseline arm.
    lp = mu[data["arm_unit"]] + jnp.concatenate([delta, jnp.zeros(1, delta.dtype)])[data["arm_con"]]
    numpyro.deterministic("lp", lp)
    # Binomial log-likelihood without the constant log binomial coefficient.
    loglik = data["events"] * lp - data["sizes"] * jax.nn.softplus(lp)
    numpyro.factor("loglik", jnp.sum(data["weight"] * loglik))


def gaussian_model(data: Mapping[str, Array], *, random: bool, tau_family: str | None) -> None:
    """TSD2's normal likelihood, random effects and baselines integrated out (module docstring).

    Random effects only: the fixed-effect posterior is normal and is drawn directly
    (:func:`.mcmc_data.gaussian_conditional`).
    """
    n_params = data["ux"].shape[2]
    theta = numpyro.sample("d", dist.Normal(0.0, data["prior_d_sd"]).expand([n_params]))
    tau, _ = _tau(tau_family or "uniform", data["prior_tau"])
    # z = U'(y - X theta), with U' W0 U = I and U' Q U = diag(eig) (see mcmc_data).
    z = data["uy"] - jnp.einsum("skp,p->sk", data["ux"], theta)
    scale = 1.0 + tau * tau * data["eig"]
    numpyro.factor("loglik", -0.5 * jnp.sum(z * z / scale + jnp.log(scale)))


MODELS: dict[str, Callable[..., None]] = {"binomial": binomial_model, "gaussian": gaussian_model}


@contextlib.contextmanager
def float64() -> Iterator[None]:
    """Double precision inside the block only (the arm-level normal model needs it)."""
    manager: Any = getattr(jax, "enable_x64", None)
    if manager is None:  # pragma: no cover - older JAX keeps it in jax.experimental
        manager = importlib.import_module("jax.experimental").enable_x64
    with manager(True):
        yield


def _build(spec: ModelSpec, settings: NutsSettings) -> Any:
    model = MODELS[spec.kind]
    kwargs = {"random": spec.random, "tau_family": spec.tau_family}
    total = settings.warmup + settings.samples

    def run(key: Array, data: dict[str, Array], init: dict[str, Array]) -> Any:
        def one_chain(args: tuple[Array, dict[str, Array]]) -> Any:
            chain_key, chain_init = args
            flat0, unravel = ravel_pytree(unconstrain_fn(model, (data,), kwargs, chain_init))

            def potential(x: Array) -> Array:
                return potential_energy(model, (data,), kwargs, unravel(x))  # type: ignore[no-any-return]

            init_kernel, sample_kernel = hmc(potential, algo="NUTS")
            state = init_kernel(
                flat0,
                settings.warmup,
                dense_mass=settings.dense_mass,
                target_accept_prob=settings.target_accept,
                max_tree_depth=settings.max_tree_depth,
                rng_key=chain_key,
            )

            def step(s: Any, _: None) -> tuple[Any, tuple[Array, ...]]:
                s = sample_kernel(s)
                return s, (s.z, s.num_steps, s.accept_prob, s.diverging, s.energy)

            state, (z, steps, accept, diverging, energy) = jax.lax.scan(
                step, state, None, length=total
            )
            kept = slice(settings.warmup, total)
            draws = jax.vmap(
                lambda x: constrain_fn(
                    model, (data,), kwargs, unravel(x), return_deterministic=True
                )
            )(z[kept])
            stats = (
                diverging[kept],
                steps[kept],
                accept[kept],
                energy[kept],
                state.adapt_state.step_size,
                jnp.sum(steps[: settings.warmup]),
            )
            return draws, stats

        keys = jax.random.split(key, settings.chains)
        if settings.chain_method == "vectorized":
            return jax.vmap(one_chain)((keys, init))
        return jax.lax.map(one_chain, (keys, init))

    return jax.jit(run)


_COMPILED: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


def _signature(tree: Mapping[str, Any]) -> tuple[tuple[str, tuple[int, ...], str], ...]:
    return tuple((k, tuple(np.shape(v)), str(np.asarray(v).dtype)) for k, v in sorted(tree.items()))


def clear_cache() -> None:
    """Forget every compiled sampler (the next run traces and compiles again)."""
    _COMPILED.clear()


def run_nuts(
    spec: ModelSpec,
    data: Mapping[str, npt.ArrayLike],
    init: Mapping[str, npt.ArrayLike],
    settings: NutsSettings,
    seed: int,
) -> NutsOutput:
    """Run NUTS on ``spec``'s model: ``init`` holds one constrained value per chain and site."""
    with float64():
        args = (
            jax.random.PRNGKey(seed % 2**63),
            {k: jnp.asarray(v) for k, v in data.items()},
            {k: jnp.asarray(v) for k, v in init.items()},
        )
        key = (spec, settings, _signature(args[1]), _signature(args[2]))
        compiled = _COMPILED.get(key)
        trace_s = compile_s = 0.0
        cached = compiled is not None
        if compiled is None:
            start = time.perf_counter()
            lowered = _build(spec, settings).lower(*args)
            trace_s = time.perf_counter() - start
            compiled = lowered.compile()
            compile_s = time.perf_counter() - start - trace_s
            _COMPILED[key] = compiled
            while len(_COMPILED) > _CACHE_SIZE:
                _COMPILED.popitem(last=False)
        else:
            _COMPILED.move_to_end(key)
        start = time.perf_counter()
        draws, stats = jax.block_until_ready(compiled(*args))  # type: ignore[no-untyped-call]
        run_s = time.perf_counter() - start
    diverging, steps, accept, energy, step_size, warmup_steps = (np.asarray(s) for s in stats)
    return NutsOutput(
        draws={k: np.asarray(v, dtype=np.float64) for k, v in draws.items()},
        diverging=diverging.astype(bool),
        num_steps=steps.astype(np.int64),
        accept_prob=accept.astype(np.float64),
        energy=energy.astype(np.float64),
        step_size=step_size.astype(np.float64),
        warmup_steps=warmup_steps.astype(np.int64),
        trace_s=trace_s,
        compile_s=compile_s,
        run_s=run_s,
        cached=cached,
    )


# ---------- starting values and parameterisation weights (NumPy) ----------

# tau grid (logit scale) over which the normal approximation locates tau for the
# parameterisation weights; only the sampler's speed depends on it.
_TAU_GRID = np.geomspace(1e-3, 5.0, 60)


def reference_tau(net: McmcNetwork, prior: TauPrior) -> float:
    r"""A rough posterior mean of tau from the normal approximation of the log odds ratios.

    Each binomial study becomes empirical log odds ratios versus its baseline (1/2 added to
    every cell of a study with a zero cell) with the multi-arm covariance, and the exact
    normal-likelihood kernel (:func:`.kernel.condition`) gives :math:`p(y \mid \tau)` on a grid.
    It only sets the parameterisation weights :math:`\lambda`, never the posterior.
    """
    studies = []
    for study in net.studies:
        assert isinstance(study, ArmStudy)
        r, n = study.first, study.second
        add = 0.5 if np.any((r == 0) | (r == n)) else 0.0
        logit = np.log(r + add) - np.log(n - r + add)
        var = 1.0 / (r + add) + 1.0 / (n - r + add)
        if not np.all(np.isfinite(var)):
            continue
        cov = np.full((len(r) - 1, len(r) - 1), var[0])
        np.fill_diagonal(cov, var[1:] + var[0])
        studies.append(StudyData(study.label, study.treatments, logit[1:] - logit[0], cov))
    if not studies:
        return 0.5
    blocks = build_blocks(studies, net.treatments)
    cond = condition(blocks, len(net.treatments) - 1, _TAU_GRID, 100.0)
    logw = cond.log_marginal + prior.log_density_tau(_TAU_GRID) + np.log(_TAU_GRID)
    logw = np.where(np.isfinite(logw), logw, -np.inf)
    w = np.exp(logw - logw.max())
    return float(w @ _TAU_GRID / w.sum())


def tau_prior_vector(prior: TauPrior) -> tuple[str, FloatArray]:
    """The prior family name and its parameters as the compiled models take them."""
    spec = prior.to_dict()
    family = str(spec["family"])
    if family == "uniform":
        return family, np.array([spec["upper"], 0.0, 0.0])
    if family == "half-normal":
        return family, np.array([spec["scale"], 0.0, 0.0])
    if family == "log-normal":
        return family, np.array([spec["mean"], spec["sd"], 0.0])
    if family == "log-t":
        return family, np.array([spec["location"], spec["scale"], spec["df"]])
    raise EvsynthError(f"the MCMC engine does not know the prior family {family!r}")


def whiten(values: FloatArray, arrays: Arrays, matrix: FloatArray) -> FloatArray:
    """NumPy twin of the models' per-unit block product (chains, C) -> (chains, C)."""
    units, pos = arrays["con_unit"], arrays["con_pos"]
    padded = np.zeros((*values.shape[:-1], len(arrays["baseline_arm"]), matrix.shape[0]))
    padded[..., units, pos] = values
    return np.asarray((padded @ matrix.T)[..., units, pos], dtype=np.float64)


def _gls(design: FloatArray, y: FloatArray, weight: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Weighted least squares with a weak ridge (the N(0, 100^2) prior): estimate and its se."""
    a = design.T @ (weight[:, None] * design) + np.eye(design.shape[1]) * 1e-4
    cov = np.linalg.inv(a)
    return cov @ (design.T @ (weight * y)), np.sqrt(np.diag(cov))


def initial_values(
    net: McmcNetwork,
    arrays: Arrays,
    extra: Arrays,
    random: bool,
    family: str | None,
    prior_vec: FloatArray,
    tau_ref: float | None,
    chains: int,
    gen: np.random.Generator,
) -> dict[str, FloatArray]:
    """Over-dispersed starting values, one per chain, in each site's constrained space."""
    init: dict[str, FloatArray] = {}
    if net.likelihood == "binomial":
        r, n = arrays["events"], arrays["sizes"]
        eta = np.log(r + 0.5) - np.log(n - r + 0.5)
        delta = eta[arrays["con_arm"]] - eta[arrays["baseline_arm"][arrays["con_unit"]]]
        var = 1 / (r + 0.5) + 1 / (n - r + 0.5)
        s2 = var[arrays["con_arm"]] + var[arrays["baseline_arm"][arrays["con_unit"]]]
        est, se = _gls(arrays["design"], delta, arrays["weight"][arrays["con_arm"]] / s2)
        scale = max(tau_ref or 0.5, 0.1)
        init["d"] = est + gen.normal(size=(chains, len(est))) * np.maximum(se, 0.05)
    else:
        # d is redrawn from its conditional posterior after sampling: start it at 0; tau near
        # the typical sampling SE.
        init["d"] = gen.normal(size=(chains, arrays["ux"].shape[2])) * 0.1
        typical = np.sqrt(np.diagonal(extra["v"], axis1=1, axis2=2)[extra["mask"] > 0])
        scale = float(np.median(typical))
    tau = scale * gen.uniform(0.5, 1.5, size=chains) if random else np.zeros(chains)
    if random:
        if family == "uniform":
            tau = np.minimum(tau, 0.9 * prior_vec[0])
        if family in ("uniform", "half-normal"):
            init["sd"] = tau
        else:
            init["log_tau2"] = 2.0 * np.log(tau)
    if net.likelihood == "binomial":
        base = arrays["baseline_arm"]
        init["mu"] = eta[base] + gen.uniform(-0.5, 0.5, size=(chains, len(base)))
        if random:
            mu_c = init["mu"][:, arrays["con_unit"]]
            mean = init["d"] @ arrays["design"].T
            omega = whiten(np.clip(delta, -5, 5) - mean, arrays, arrays["chol_inv"])
            c = whiten(mu_c + mean, arrays, arrays["chol_inv"])
            lam = arrays["lam"]
            init["w"] = lam * c + omega * tau[:, None] ** (lam - 1.0)
    return init


def gaussian_conditional(arrays: Arrays, tau: FloatArray, gen: np.random.Generator) -> FloatArray:
    r"""Draws of the basic parameters from their exact normal posterior given each tau.

    The normal model is conjugate given :math:`\tau` (the exact engine's :mod:`.kernel`):

    .. math::

        \theta \mid y, \tau \sim N\big(P^{-1} b,\ P^{-1}\big), \qquad
        P = \sum_i X_i^\top W_i^{-1} X_i + s^{-2} I, \qquad
        b = \sum_i X_i^\top W_i^{-1} y_i,

    here with the diagonalised :math:`W_i` (:func:`_gaussian_arrays`), one draw per value of
    ``tau`` (any shape; ``tau = 0`` for the fixed-effect model). Returns ``tau.shape + (P,)``.
    """
    t = np.asarray(tau, dtype=np.float64).reshape(-1)
    ux, uy = arrays["ux"], arrays["uy"]
    weight = 1.0 / (1.0 + t[:, None, None] ** 2 * arrays["eig"][None])  # (D, S, K)
    n = ux.shape[2]
    precision = (
        np.einsum("skp,dsk,skq->dpq", ux, weight, ux) + np.eye(n) / float(arrays["prior_d_sd"]) ** 2
    )
    b = np.einsum("skp,dsk,sk->dp", ux, weight, uy)
    chol = np.linalg.cholesky(precision)
    mean = np.linalg.solve(precision, b[..., None])[..., 0]
    # theta = mean + L^-T z has covariance (L L^T)^-1 = P^-1.
    z = gen.standard_normal((len(t), n))
    draws = mean + np.linalg.solve(np.swapaxes(chol, -1, -2), z[..., None])[..., 0]
    return np.asarray(draws.reshape(*np.shape(tau), n), dtype=np.float64)
