r"""The binomial models without NUTS: independence Metropolis-Hastings with a nested Laplace proposal.

TSD2's binomial model (logit link, arm data; see :mod:`.mcmc`) is written with the random
effects non-centred, so that every latent quantity enters the linear predictor linearly once the
between-study sd :math:`\tau` is fixed:

.. math::

    \eta = A_0 x + \tau A_z x, \qquad x = (\mu, \theta, z),\quad
    \mu_u \sim N(0, s_\mu^2),\ \theta_k \sim N(0, s_d^2),\ z_c \sim N(0, 1),

where :math:`\mu_u` are the study baselines, :math:`\theta` the basic parameters (or the UME
comparisons, or a node-split's direct and indirect parameters), and :math:`\delta = X\theta +
\tau L z` the study-specific effects with TSD2's multi-arm covariance
(:math:`L L^\top = \tfrac12(I + 11^\top)`). Given :math:`\tau` the log posterior of :math:`x` is
concave (a logistic regression with a Gaussian prior), so its mode and curvature are found by
Newton's method. That gives, on a grid :math:`u_g` of the prior's integration variable
(:math:`\tau`, or :math:`\log\tau^2`), the mode :math:`\hat x_g`, the precision :math:`P_g` and
the Laplace approximation of the marginal posterior of :math:`u` (Tierney & Kadane 1986, JASA
81:82-86, doi:10.1080/01621459.1986.10478240; the nesting as in Rue, Martino & Chopin 2009,
JRSS B 71:319-392, doi:10.1111/j.1467-9868.2008.00700.x):

.. math::

    \log \tilde p(u_g \mid y) = \log p(u_g) + \log p(y, \hat x_g \mid \tau_g)
        - \tfrac12 \log\lvert P_g \rvert + \text{const}.

Those pieces define a proposal for the whole posterior, not an approximation of it:

- :math:`q(u)`: piecewise constant, cell :math:`g` (width :math:`h`, centred on :math:`u_g`)
  with probability :math:`(1 - \epsilon)\,\tilde p(u_g \mid y) / \sum \tilde p + \epsilon / G`
  (a defensive share :math:`\epsilon`, Hesterberg 1995, Technometrics 37:185-194, so no cell
  is starved);
- :math:`q(x \mid u \in \text{cell } g)`: multivariate t with ``df`` degrees of freedom, centre
  :math:`\hat x_g` and scale :math:`P_g^{-1}` (heavier tails than the posterior's, so the
  importance ratios stay bounded).

The draws are then made by the independence Metropolis-Hastings sampler (Tierney 1994, Ann Stat
22:1701-1728, doi:10.1214/aos/1176325750): a proposal :math:`(u', x')` replaces the current
state with probability :math:`\min\{1, w(u', x') / w(u, x)\}`, :math:`w = p(y, x, u) / q(u, x)`.
Its stationary distribution is the exact posterior whatever the quality of the proposal; a good
proposal only makes it efficient (acceptance rates of 0.7-0.9 on TSD2's examples), and a poor one
shows in the usual diagnostics (R-hat, bulk and tail ESS), which the caller checks as for NUTS.
Because proposals do not depend on the chain, all of them are drawn and evaluated at once,
vectorised; only the accept step runs in sequence. Nothing is compiled, so the first fit in a
process is as fast as the next.

The proposal suits conditional posteriors close to Gaussian. Arms with no events (or all
events) make them skewed, and the chain then accepts few proposals and fails its checks; the
``auto`` sampler of :mod:`.mcmc_fit` redoes such runs by NUTS.

The grid spans where :math:`\tilde p(u \mid y)` is within ``drop`` (40) log units of its
maximum (:func:`.quadrature.zoom`); posterior mass outside it (a density ratio below
:math:`e^{-40}`) is ignored.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import linalg, special

from evsynth.synthesis.nma.bayes.priors import TauPrior
from evsynth.synthesis.nma.bayes.quadrature import Quadrature, zoom

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
FLOOR = 60.0  # log-density floor of a node relative to the peak (keeps q positive)


@dataclass(frozen=True, slots=True)
class ImhSettings:
    """Settings of the proposal (see the module docstring)."""

    cells: int = 64  # G: grid cells over the prior's integration variable
    defensive: float = 0.05  # epsilon: share of proposals spread evenly over the cells
    zoom_points: int = 33  # points of each pass that locates the posterior of u
    thin: int = 4  # proposals per kept draw
    max_newton: int = 100


@dataclass(frozen=True, slots=True)
class LinearModel:
    """:math:`\\eta = A_0 x + \\tau A_z x` and the Gaussian prior precision of x."""

    a0: FloatArray  # (arms, k)
    az: FloatArray  # (arms, k); zero for the fixed-effect model
    precision: FloatArray  # (k,)
    events: FloatArray
    sizes: FloatArray
    weight: FloatArray  # 0 for arms left out of the likelihood (node-splitting)
    n_mu: int
    n_theta: int

    @property
    def k(self) -> int:
        return int(self.a0.shape[1])


@dataclass(frozen=True, slots=True)
class ImhOutput:
    """Draws ``(chains, samples, ...)`` of ``d``, ``sd``, ``mu``, ``lp`` and the sampler's record."""

    draws: dict[str, FloatArray]
    acceptance: FloatArray  # (chains,) share of proposals accepted after warm-up
    importance_ess: float  # Kish's effective sample size of the proposals' weights, as a share
    cells: int
    thin: int
    setup_s: float  # locating the posterior of tau and the Newton fits at the grid's nodes
    run_s: float


def linear_model(
    arrays: Mapping[str, npt.NDArray[np.generic]],
    *,
    random: bool,
    prior_d_sd: float,
    prior_baseline_sd: float,
) -> LinearModel:
    """The matrices of the binomial model from :func:`.mcmc_data.model_arrays`' arrays."""
    arm_unit = np.asarray(arrays["arm_unit"], dtype=np.intp)
    con_arm = np.asarray(arrays["con_arm"], dtype=np.intp)
    con_unit = np.asarray(arrays["con_unit"], dtype=np.intp)
    con_pos = np.asarray(arrays["con_pos"], dtype=np.intp)
    design = np.asarray(arrays["design"], dtype=np.float64)
    chol = np.asarray(arrays["chol"], dtype=np.float64)
    n_arms, n_units, p = len(arm_unit), int(arm_unit.max()) + 1, design.shape[1]
    n_con = len(con_arm) if random else 0
    k = n_units + p + n_con
    a0 = np.zeros((n_arms, k))
    az = np.zeros((n_arms, k))
    a0[np.arange(n_arms), arm_unit] = 1.0  # mu of the arm's unit
    a0[con_arm, n_units : n_units + p] = design  # X theta on every non-baseline arm
    if random:
        # delta_c = X_c theta + tau * sum_{j <= pos(c)} L[pos(c), j] z_j over c's unit
        for c in range(n_con):
            same = np.flatnonzero((con_unit == con_unit[c]) & (con_pos <= con_pos[c]))
            az[con_arm[c], n_units + p + same] = chol[con_pos[c], con_pos[same]]
    precision = np.concatenate(
        [
            np.full(n_units, prior_baseline_sd**-2.0),
            np.full(p, prior_d_sd**-2.0),
            np.ones(n_con),
        ]
    )
    return LinearModel(
        a0,
        az,
        precision,
        np.asarray(arrays["events"], dtype=np.float64),
        np.asarray(arrays["sizes"], dtype=np.float64),
        np.asarray(arrays["weight"], dtype=np.float64),
        n_units,
        p,
    )


def _objective(model: LinearModel, eta: FloatArray, x: FloatArray) -> FloatArray:
    r""":math:`\sum w(r\eta - n \log(1 + e^\eta)) - \tfrac12 \sum \text{prec}\, x^2` per row."""
    loglik = model.weight * (model.events * eta - model.sizes * np.logaddexp(0.0, eta))
    return np.asarray(loglik.sum(axis=-1) - 0.5 * (model.precision * x * x).sum(axis=-1))


def _start(model: LinearModel) -> FloatArray:
    """Empirical logits of each unit's baseline arm as the baselines; everything else 0."""
    r, n = model.events, model.sizes
    logit = np.log(r + 0.5) - np.log(n - r + 0.5)
    x = np.zeros(model.k)
    is_baseline = model.a0[:, model.n_mu : model.n_mu + model.n_theta].any(axis=1) == 0
    unit = np.argmax(model.a0[:, : model.n_mu], axis=1)
    x[unit[is_baseline]] = logit[is_baseline]
    return x


@dataclass(frozen=True, slots=True)
class Modes:
    """Per grid node: mode, Cholesky factor of the precision and the Laplace log marginal."""

    x: FloatArray  # (G, k)
    chol: FloatArray  # (G, k, k), lower: P = L L'
    log_marginal: FloatArray  # (G,) log p(y, x_hat | tau) - 1/2 log|P|, up to a constant


def modes(model: LinearModel, tau: FloatArray, max_iter: int = 100) -> Modes:
    """Newton's method with step halving, batched over the values of tau."""
    g = len(tau)
    a = model.a0[None] + tau[:, None, None] * model.az[None]  # (G, arms, k)
    x = np.tile(_start(model), (g, 1))
    prec = model.precision
    obj = _objective(model, np.einsum("gnk,gk->gn", a, x), x)
    diag = np.arange(model.k)
    for _ in range(max_iter):
        eta = np.einsum("gnk,gk->gn", a, x)
        p = special.expit(eta)
        grad = np.einsum("gnk,gn->gk", a, model.weight * (model.events - model.sizes * p))
        grad -= prec * x
        curv = model.weight * model.sizes * p * (1.0 - p)
        hess = np.matmul(a.transpose(0, 2, 1) * curv[:, None, :], a)
        hess[:, diag, diag] += prec
        step = np.linalg.solve(hess, grad[..., None])[..., 0]
        t = np.ones(g)
        # Newton on a concave objective; halve a step that would lower it (far from the mode).
        for _ in range(40):
            new = x + t[:, None] * step
            new_obj = _objective(model, np.einsum("gnk,gk->gn", a, new), new)
            bad = ~(new_obj >= obj - 1e-9 * np.abs(obj))
            if not bad.any():
                break
            t = np.where(bad, 0.5 * t, t)
        x, obj = new, np.where(np.isfinite(new_obj), new_obj, obj)
        if np.max(np.abs(t[:, None] * step)) < 1e-10:
            break
    eta = np.einsum("gnk,gk->gn", a, x)
    p = special.expit(eta)
    curv = model.weight * model.sizes * p * (1.0 - p)
    hess = np.matmul(a.transpose(0, 2, 1) * curv[:, None, :], a)
    hess[:, diag, diag] += prec
    chol = np.linalg.cholesky(hess)
    log_det_half = np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    return Modes(x, chol, _objective(model, eta, x) - log_det_half)


def _gaussian_draws(
    chol: FloatArray, centre: FloatArray, gen: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    r"""One draw of :math:`N(m_i, P^{-1})` per row of ``centre``, and its log density.

    :math:`x = m + L^{-\top}\varepsilon`, :math:`\varepsilon \sim N(0, I)`, so
    :math:`\log q(x) = \log\lvert L\rvert - \tfrac12\lVert\varepsilon\rVert^2
    - \tfrac k2 \log 2\pi`.
    """
    n, k = centre.shape
    eps = gen.standard_normal((n, k))
    x = centre + linalg.solve_triangular(chol, eps.T, lower=True, trans="T").T
    log_q = (
        float(np.log(np.diag(chol)).sum())
        - 0.5 * (eps * eps).sum(axis=1)
        - 0.5 * k * math.log(2 * math.pi)
    )
    return np.asarray(x), np.asarray(log_q)


def _log_linear_draws(
    ell: FloatArray, h: float, defensive: float, n: int, gen: np.random.Generator
) -> tuple[IntArray, FloatArray, FloatArray]:
    r"""Draws of u from the density whose log is linear between equally spaced nodes.

    Cell g runs from node g to g + 1 (width h), where :math:`\log q = \ell_g + s_g a`,
    :math:`s_g = \ell_{g+1} - \ell_g`, :math:`a \in [0, 1)`; its mass is
    :math:`h e^{\ell_g}(e^{s_g} - 1)/s_g`, and :math:`a = \log(1 + U(e^{s_g} - 1))/s_g` by
    inversion. A share ``defensive`` of the mass is spread evenly over the range. Returns each
    draw's cell, its position a within the cell and :math:`\log q(u)`.
    """
    s = np.diff(ell)
    small = np.abs(s) < 1e-8
    safe = np.where(small, 1.0, s)
    # (e^s - 1)/s, and its limit 1 as s -> 0
    ratio = np.where(small, 1.0 + 0.5 * s, np.expm1(safe) / safe)
    mass = np.exp(ell[:-1]) * h * ratio
    cells = len(mass)
    share = (1 - defensive) * mass / mass.sum() + defensive / cells
    cell = gen.choice(cells, size=n, p=share)
    uniform = gen.random(n)
    from_density = gen.random(n) >= defensive * (1.0 / cells) / share[cell]
    sc = safe[cell]
    a_density = np.where(small[cell], uniform, np.log1p(uniform * np.expm1(sc)) / sc)
    a = np.where(from_density, a_density, uniform)
    a = np.minimum(a, np.nextafter(1.0, 0.0))
    density = (1 - defensive) * np.exp(ell[cell] + s[cell] * a) / mass.sum()
    log_q = np.log(density + defensive / (cells * h))
    return cell, a, log_q


def _chain(log_w: FloatArray, log_u: FloatArray) -> IntArray:
    """Index of the state after each proposal of one chain (independence MH)."""
    out = np.empty(len(log_w), dtype=np.intp)
    current, cur_w = 0, float(log_w[0])
    out[0] = 0
    lw = log_w.tolist()
    lu = log_u.tolist()
    for j in range(1, len(lw)):
        if lu[j] < lw[j] - cur_w:
            current, cur_w = j, lw[j]
        out[j] = current
    return out


def run_imh(
    model: LinearModel,
    *,
    prior: TauPrior | None,
    chains: int,
    warmup: int,
    samples: int,
    seed: int,
    settings: ImhSettings | None = None,
) -> ImhOutput:
    """Draw ``chains`` x ``samples`` states by independence MH (see the module docstring).

    Each chain starts from a proposal, discards ``warmup`` proposals and keeps every
    ``settings.thin``-th state after them.
    """
    start = time.perf_counter()
    settings = settings or ImhSettings()
    gen = np.random.default_rng(seed)
    thin = settings.thin
    per_chain = warmup + samples * thin
    total = chains * per_chain
    k = model.k
    if prior is None:  # fixed effect: one Gaussian conditional, no tau
        fit = modes(model, np.zeros(1), settings.max_newton)
        cell = np.zeros(total, dtype=np.intp)
        tau = np.zeros(total)
        log_qu = np.zeros(total)
        log_pu = np.zeros(total)
    else:
        low, high = prior.bounds()

        def laplace(u: FloatArray) -> FloatArray:
            lp = prior.log_density(u)
            out = np.full(u.shape, -np.inf)
            ok = np.isfinite(lp)
            if ok.any():
                out[ok] = (
                    lp[ok] + modes(model, prior.to_tau(u[ok]), settings.max_newton).log_marginal
                )
            return out

        span = zoom(laplace, low, high, Quadrature(zoom_points=settings.zoom_points))
        nodes = np.linspace(span.low, span.high, settings.cells + 1)
        h = float(nodes[1] - nodes[0])
        fit = modes(model, prior.to_tau(nodes), settings.max_newton)
        ell = prior.log_density(nodes) + fit.log_marginal
        ell = np.where(np.isfinite(ell), ell, -np.inf)
        ell = np.maximum(ell - ell.max(), -FLOOR)
        cell, a, log_qu = _log_linear_draws(ell, h, settings.defensive, total, gen)
        u = nodes[cell] + h * a
        tau = prior.to_tau(u)
        log_pu = prior.log_density(u)
        # Mean interpolated between the cell's two nodes, precision of the nearer node.
        near = cell + (a >= 0.5)
        centre = (1 - a)[:, None] * fit.x[cell] + a[:, None] * fit.x[cell + 1]
    if prior is None:
        near = cell
        centre = np.broadcast_to(fit.x[0], (total, k))
    setup_s = time.perf_counter() - start
    x = np.empty((total, k))
    log_qx = np.empty(total)
    order = np.argsort(near, kind="stable")
    counts = np.bincount(near, minlength=len(fit.x))
    first = 0
    for g in np.flatnonzero(counts):
        rows = order[first : first + int(counts[g])]
        x[rows], log_qx[rows] = _gaussian_draws(fit.chol[g], centre[rows], gen)
        first += len(rows)
    log_q = log_qu + log_qx
    eta = x @ model.a0.T + tau[:, None] * (x @ model.az.T)
    log_w = _objective(model, eta, x) + log_pu - log_q
    log_w = np.where(np.isfinite(log_w), log_w, -np.inf)
    w = np.exp(log_w - log_w.max())
    kish = float(w.sum() ** 2 / (w * w).sum()) / total
    log_accept = np.log(gen.random(total))
    states = np.empty((chains, samples), dtype=np.intp)
    acceptance = np.empty(chains)
    for c in range(chains):
        offset = c * per_chain
        path = _chain(log_w[offset : offset + per_chain], log_accept[offset : offset + per_chain])
        after = path[max(warmup - 1, 0) :]
        acceptance[c] = float(np.mean(after[1:] != after[:-1])) if len(after) > 1 else 0.0
        states[c] = offset + path[warmup:][thin - 1 :: thin]
    pick = states.reshape(-1)
    n_mu, p = model.n_mu, model.n_theta
    shape = (chains, samples)
    draws = {
        "d": x[pick, n_mu : n_mu + p].reshape(*shape, p),
        "mu": x[pick, :n_mu].reshape(*shape, n_mu),
        "lp": eta[pick].reshape(*shape, eta.shape[1]),
    }
    if prior is not None:
        draws["sd"] = tau[pick].reshape(shape)
    return ImhOutput(
        draws=draws,
        acceptance=acceptance,
        importance_ess=kish,
        cells=settings.cells if prior is not None else 1,
        thin=thin,
        setup_s=setup_s,
        run_s=time.perf_counter() - start,
    )
