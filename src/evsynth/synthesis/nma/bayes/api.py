"""Public entry point: the exact Bayesian NMA of normally distributed contrasts."""

from __future__ import annotations

import dataclasses
import functools
import math
from datetime import UTC, datetime
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from evsynth._core.errors import EvsynthError, choice_error
from evsynth._core.provenance import Manifest, hash_bytes, make_manifest
from evsynth._core.rng import RNGLike
from evsynth.synthesis.nma.bayes.data import Layout, NormalNetwork, pair_index, read_network
from evsynth.synthesis.nma.bayes.kernel import Conditional, condition, deviance_terms
from evsynth.synthesis.nma.bayes.mixture import (
    beats,
    full_parameters,
    pair_moments,
    sucra,
    summarise,
)
from evsynth.synthesis.nma.bayes.priors import TauPrior, UniformTau
from evsynth.synthesis.nma.bayes.quadrature import (
    Quadrature,
    TauPosterior,
    panel_edges,
    panel_nodes,
    posterior,
    refine,
    zoom,
)
from evsynth.synthesis.nma.bayes.result import (
    BayesNmaResult,
    EffectSummary,
    TauSummary,
    tau_summary,
)

FloatArray = npt.NDArray[np.float64]
MODELS: tuple[str, ...] = ("random", "fixed")
FUNCTION = "evsynth.synthesis.nma.bayes.bayes_nma_normal"


@functools.lru_cache(maxsize=1)
def _base_manifest() -> Manifest:
    # Package versions are read once per process: importlib.metadata takes milliseconds.
    return make_manifest(FUNCTION, {})


def _seed(rng: RNGLike) -> int:
    """The integer seed recorded in the result (drawn from ``rng`` unless it is one)."""
    if isinstance(rng, bool) or not isinstance(rng, int | np.random.Generator | None):
        raise EvsynthError(
            f"rng={rng!r} must be an int seed, a numpy Generator or None",
            hint="Pass e.g. rng=20240101 for a reproducible analysis",
        )
    if isinstance(rng, int):
        if rng < 0:
            raise EvsynthError(f"rng={rng} must be a non-negative integer seed")
        return rng
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng()
    return int(gen.integers(2**63 - 1))


def _input_bytes(net: NormalNetwork) -> bytes:
    parts = ["|".join(net.treatments).encode()]
    for s in net.studies:
        parts.append("|".join((s.label, *s.treatments)).encode())
        parts.append(s.effect.tobytes() + s.covariance.tobytes())
    return b"".join(parts)


def _random_effects(
    net: NormalNetwork, prior: TauPrior, prior_d_sd: float, grid: Quadrature
) -> tuple[Conditional, TauPosterior, float]:
    p = net.n_treatments - 1

    def log_post(u: FloatArray) -> FloatArray:
        lp = prior.log_density(u)
        ok = np.isfinite(lp)
        out = np.full(u.shape, -np.inf)
        if ok.any():
            cond = condition(net.blocks, p, prior.to_tau(u[ok]), prior_d_sd)
            out[ok] = lp[ok] + cond.log_marginal
        return out

    span = zoom(log_post, *prior.bounds(), grid)
    edges = refine(log_post, panel_edges(span, grid), grid)
    u, q = panel_nodes(edges, grid.nodes)
    cond = condition(net.blocks, p, prior.to_tau(u), prior_d_sd)
    post, log_norm = posterior(edges, grid.nodes, u, q, prior.log_density(u) + cond.log_marginal)
    return cond, post, log_norm


def bayes_nma_normal(
    data: pd.DataFrame,
    *,
    study: str = "study",
    treatment: str = "treatment",
    effect: str = "diff",
    se: str = "se",
    reference: str,
    model: Literal["random", "fixed"] = "random",
    prior_tau: TauPrior | None = None,
    prior_d_sd: float = 100.0,
    higher_is_better: bool,
    rng: RNGLike = None,
    grid: Quadrature | None = None,
    layout: Layout = "auto",
) -> BayesNmaResult:
    r"""Bayesian network meta-analysis of normal contrasts, computed exactly (no MCMC).

    Fits NICE DSU TSD2's normal-likelihood model for contrast data with multi-arm trials
    (Dias et al. 2011, TSD2; Dias et al. 2013, Med Decis Making 33:607-617,
    doi:10.1177/0272989X12458724): random effects with a prior on :math:`\tau`, or fixed effect
    (:math:`\tau = 0`), :math:`d_k \sim N(0, \text{prior\_d\_sd}^2)`. Given :math:`\tau` the
    posterior of the treatment effects is exactly normal (:mod:`.kernel`); the one-dimensional
    posterior of :math:`\tau` is integrated by quadrature (:mod:`.quadrature`), so the posterior
    is a finite mixture of normals whose summaries are computed exactly (:mod:`.mixture`).

    Parameters
    ----------
    data : pandas.DataFrame
        One of three layouts (:mod:`.data`): TSD's contrast layout (one row per arm, the
        baseline row's effect missing and its ``se`` the baseline arm's standard error),
        arm-level means with standard errors, or netmeta's pairwise layout (``studlab, treat1,
        treat2, TE, seTE``).
    study, treatment, effect, se : str, optional
        Column names (contrast and arm layouts).
    reference : str
        The reference treatment, :math:`d_{\text{ref}} = 0`.
    model : {"random", "fixed"}, optional
        Random effects (TSD2's default) or fixed effect.
    prior_tau : TauPrior, optional
        Prior on :math:`\tau` (random effects only); default :class:`.UniformTau` ``(5)`` as
        TSD2. See :mod:`.priors` for the half-normal, log-normal and log-t families and the
        published predictive distributions.
    prior_d_sd : float, optional
        Standard deviation of the normal prior on each basic parameter (TSD2: 100).
    higher_is_better : bool
        Direction for ranks, SUCRA and the probability of beating the reference.
    rng : int, numpy.random.Generator or None, optional
        Seed for the Monte Carlo parts on demand (:meth:`.BayesNmaResult.ranks`, ``draws``),
        recorded in the result and its manifest; a Generator (or None: fresh entropy) draws
        that seed. The fit itself is deterministic.
    grid : Quadrature, optional
        Integration settings over :math:`\tau`; the default is accurate to about 1e-8.
    layout : {"auto", "contrast", "arm", "pairwise"}, optional
        ``auto`` reads netmeta's columns as pairwise, then a study with one missing effect as
        TSD's contrast layout, and none as arm-level.

    Returns
    -------
    BayesNmaResult

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({
    ...     "study": ["s1", "s1", "s2", "s2", "s3", "s3"],
    ...     "treatment": ["A", "B", "A", "C", "B", "C"],
    ...     "diff": [None, -0.5, None, -0.8, None, -0.2],
    ...     "se": [0.2, 0.25, 0.2, 0.3, 0.2, 0.3],
    ... })
    >>> fit = bayes_nma_normal(data, reference="A", model="fixed", higher_is_better=False,
    ...                        rng=1)
    >>> fit.to_frame()[["treatment", "mean", "sd"]].round(3)
      treatment   mean     sd
    0         A  0.000  0.000
    1         B -0.526  0.215
    2         C -0.763  0.238
    """
    if model not in MODELS:
        raise choice_error("model", model, MODELS)
    if not (math.isfinite(prior_d_sd) and prior_d_sd > 0):
        raise EvsynthError(f"prior_d_sd={prior_d_sd!r} must be a positive number, e.g. 100")
    if not isinstance(higher_is_better, bool):
        raise EvsynthError("higher_is_better must be True or False")
    if model == "fixed" and prior_tau is not None:
        raise EvsynthError(
            "prior_tau applies only to model='random'",
            hint="Drop prior_tau for a fixed-effect model",
        )
    if prior_tau is not None and not isinstance(prior_tau, TauPrior):
        raise EvsynthError(
            f"prior_tau must be a prior object, not {type(prior_tau).__name__}",
            hint="e.g. UniformTau(5), HalfNormalTau(1), rhodes2015_smd_general()",
        )
    grid = grid or Quadrature()
    seed = _seed(rng)
    net = read_network(
        data,
        study=study,
        treatment=treatment,
        effect=effect,
        se=se,
        reference=reference,
        layout=layout,
    )
    p = net.n_treatments - 1
    prior: TauPrior | None = None
    tau_post: TauPosterior | None = None
    sd_summary: TauSummary | None = None
    if model == "random":
        prior = prior_tau or UniformTau(5.0)
        cond, tau_post, log_ml = _random_effects(net, prior, prior_d_sd, grid)
        weights = tau_post.weights
        sd_summary = tau_summary(prior, tau_post)
    else:
        cond = condition(net.blocks, p, np.zeros(1), prior_d_sd)
        weights = np.ones(1)
        log_ml = float(cond.log_marginal[0])

    mean_full, cov_full = full_parameters(cond.mean, cond.cov)
    pairs = pair_index(net.n_treatments)
    mu, sd = pair_moments(mean_full, cov_full, pairs)
    pairwise = EffectSummary.from_pairs(summarise(weights, mu, sd, 0.95), pairs, net.n_treatments)
    prob_beats = beats(weights, mean_full, cov_full, higher_is_better)
    sucra_values, mean_rank = sucra(prob_beats)
    dev = deviance_terms(net.blocks, len(net.studies), cond, weights)
    resdev = float(dev.resdev.sum())
    pd_value = resdev - float(dev.deviance_at_mean.sum())

    options: dict[str, object] = {
        "model": model,
        "reference": net.reference,
        "prior_tau": prior.to_dict() if prior is not None else None,
        "prior_d_sd": prior_d_sd,
        "higher_is_better": higher_is_better,
        "layout": net.layout,
        "grid": dataclasses.asdict(grid),
    }
    manifest = dataclasses.replace(
        _base_manifest(),
        options=options,
        seed=seed,
        input_hash=hash_bytes(_input_bytes(net)),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    return BayesNmaResult(
        model=model,
        network=net,
        higher_is_better=higher_is_better,
        prior_tau=prior,
        prior_d_sd=prior_d_sd,
        tau_nodes=cond.tau,
        weights=weights,
        mixture_mean=cond.mean,
        mixture_cov=cond.cov,
        tau_posterior=tau_post,
        pairwise=pairwise,
        sd=sd_summary,
        prob_beats=prob_beats,
        sucra=sucra_values,
        mean_rank=mean_rank,
        resdev=resdev,
        pd=pd_value,
        dic=resdev + pd_value,
        resdev_studies=dev.resdev,
        leverage=dev.resdev - dev.deviance_at_mean,
        log_marginal_likelihood=log_ml,
        grid=grid,
        seed=seed,
        manifest=manifest,
    )
