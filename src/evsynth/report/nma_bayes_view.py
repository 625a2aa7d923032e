"""Bayesian results beside the frequentist ones in a network meta-analysis section.

For each network with ``bayes = true`` in its ``[[analyses.nma]]`` entry the report shows, per
treatment versus the reference, the frequentist estimate (95% CI) beside the posterior mean
(sd) and median (95% credible interval), the P-score beside SUCRA and the posterior
probability of beating the reference; then tau beside the posterior of the between-study sd,
Q beside the residual deviance, pD and DIC (with TSD2's plug-in stated), and the priors.

The Bayesian model is NICE DSU TSD2's (Dias et al. 2013, Med Decis Making 33:607-617,
doi:10.1177/0272989X12458724). Normal likelihoods are computed exactly: the study-level random
effects are integrated out analytically, the posterior of tau is integrated on a quadrature
grid, and given tau the treatment effects are exactly multivariate normal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from evsynth.synthesis.nma import BayesNmaGridResult, NmaGridResult, NmaResult
from evsynth.synthesis.nma.bayes.engines import is_mcmc, mcmc_diagnostics

DIC_PLUGIN = (
    "DIC = posterior mean residual deviance + pD, where pD is the posterior mean residual "
    "deviance minus the deviance at the posterior mean of the linear predictor (TSD2's plug-in)"
)


PRIOR_DOMINATES = (
    "Q has no degrees of freedom: the data say little about tau, so its posterior mostly "
    "restates its prior, and the credible intervals are as wide as that prior allows"
)


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def _show(x: float, ratio: bool) -> float:
    return math.exp(x) if ratio and math.isfinite(x) else x


def _interval(low: float, high: float, ratio: bool) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return "—"
    return f"{_fmt(_show(low, ratio))} to {_fmt(_show(high, ratio))}"


def is_exact(bayes: Any) -> bool:
    """True for the exact engine (no MCMC sampler)."""
    return not is_mcmc(bayes)


def prior_statement(bayes: Any) -> str:
    """The priors of one fit in words."""
    prior_tau = getattr(bayes, "prior_tau", None)
    d_sd = float(getattr(bayes, "prior_d_sd", 100.0))
    tau = prior_tau.describe() if prior_tau is not None else "tau = 0 (fixed effect)"
    return f"d ~ Normal(0, {d_sd:g}²) for each treatment effect versus the reference; {tau}"


def side_by_side_rows(freq: NmaResult, model: str, bayes: Any, ratio: bool) -> list[list[str]]:
    """One row per treatment versus the reference, frequentist and Bayesian side by side.

    Columns: treatment, frequentist estimate (95% CI), posterior mean (sd), posterior median
    (95% CrI), P-score, SUCRA, P(better than reference). On a ratio scale the median and its
    interval are exponentiated (quantiles transform); the mean and sd stay on the log scale.
    """
    frame = bayes.to_frame()
    rows_b = {str(r["treatment"]): r for r in frame.to_dict(orient="records")}
    est = freq.estimates(model)
    low, high = est.conf_int()
    ref = freq.treatments.index(freq.reference)
    scores = freq.pscores(model=model) if freq.higher_is_better is not None else None
    out = []
    names = [t for t in freq.treatments if t != freq.reference] + [freq.reference]
    for name in names:
        b = rows_b.get(name)
        i = freq.treatments.index(name)
        own = i == ref
        frequentist = (
            "— (reference)"
            if own
            else f"{_fmt(_show(est.estimate[i, ref], ratio))} "
            f"({_interval(low[i, ref], high[i, ref], ratio)})"
        )
        if b is None or own:
            mean = median = p_better = "—"
        else:
            mean = f"{_fmt(b['mean'])} ({_fmt(b['sd'])})"
            median = f"{_fmt(_show(b['median'], ratio))} ({_interval(b['q025'], b['q975'], ratio)})"
            p_better = _fmt(b["p_better_than_reference"])
        out.append(
            [
                f"{name} (reference)" if own else name,
                frequentist,
                mean,
                median,
                _fmt(float(scores[name])) if scores is not None else "—",
                _fmt(b["sucra"]) if b is not None else "—",
                p_better,
            ]
        )
    return out


def fit_rows(freq: NmaResult, model: str, bayes: Any) -> list[list[str]]:
    """Heterogeneity, fit and priors: label, frequentist, Bayesian."""
    sd = getattr(bayes, "sd", None)
    if model == "random" and sd is not None:
        tau_freq = f"{freq.tau:.3g} (tau² {freq.tau2:.3g}, {freq.method})"
        tau_bayes = (
            f"posterior median {sd.median:.3g} (95% CrI {sd.q025:.3g} to {sd.q975:.3g}); "
            f"mean {sd.mean:.3g} (sd {sd.sd:.3g})"
        )
    else:
        tau_freq, tau_bayes = "0 (common effect)", "0 (fixed effect)"
    q_text = (
        f"Q = {freq.q:.2f} on {freq.q_df} df" if freq.q_df > 0 else f"Q = {freq.q:.2f} (df = 0)"
    )
    n_data = getattr(bayes, "n_datapoints", None)
    fit = (
        f"residual deviance {bayes.resdev:.2f}"
        + (f" ({n_data} data point{'s' if n_data != 1 else ''})" if n_data is not None else "")
        + f"; pD {bayes.pd:.2f}; DIC {bayes.dic:.2f}"
    )
    rows = [
        ["Between-study sd, tau", tau_freq, tau_bayes],
        *(
            [["", "", PRIOR_DOMINATES]]
            if model == "random" and sd is not None and freq.q_df == 0
            else []
        ),
        ["Fit", q_text, fit],
        ["Priors", "—", prior_statement(bayes)],
        ["Engine", "graph-theoretical (netmeta)", engine_statement(bayes)],
    ]
    return rows


def engine_statement(bayes: Any) -> str:
    """How the posterior was computed, with the MCMC diagnostics when there are any."""
    if is_exact(bayes):
        nodes = len(getattr(bayes, "weights", ()))
        if getattr(bayes, "prior_tau", None) is None:
            return "exact (conjugate normal posterior); no Monte Carlo error"
        return (
            f"exact: random effects integrated out, tau on {nodes} quadrature nodes; "
            "no Monte Carlo error"
        )
    values = mcmc_diagnostics(bayes) or {}
    sampler = bayes.sampler
    parts = [
        f"MCMC ({sampler.describe(bayes.seed)})",
        f"max R-hat {values['rhat']:.3f}",
        f"min bulk ESS {values['ess_bulk']:.0f}",
        f"min tail ESS {values['ess_tail']:.0f}",
    ]
    if sampler.algorithm == "nuts":
        parts.append(f"{values['divergences']} divergent transitions")
    if not values["converged"]:
        parts.append("NOT CONVERGED: " + " ".join(values["problems"]))
    return "; ".join(parts)


def methods_text(results: Sequence[Any], model: str, grid: bool) -> str:
    """The Bayesian part of a section's methods, naming what ran."""
    if not results:
        return ""
    first = results[0]
    likelihoods = {getattr(r, "likelihood", "normal") for r in results}
    label = "random-effects" if model == "random" else "fixed-effect"
    parts = [
        f"{'Each network was' if grid else 'The network was'} also analysed in a Bayesian "
        f"{label} model as in NICE DSU Technical Support Document 2 (Dias et al. 2013), "
        f"with priors {prior_statement(first)}."
    ]
    if "normal" in likelihoods:
        parts.append(
            "With a normal likelihood on the contrasts (multi-arm studies by their covariance) "
            "the posterior was computed exactly rather than by MCMC: the study-specific random "
            "effects were integrated out analytically, the one-dimensional posterior of the "
            "between-study standard deviation tau was integrated on a quadrature grid "
            "(composite Gauss-Legendre over the range where the posterior has mass), and "
            "given tau the treatment effects are exactly multivariate normal, so "
            "posterior means, quantiles, SUCRA and probabilities carry no Monte Carlo error."
        )
    if likelihoods - {"normal"}:
        algorithms = {
            getattr(getattr(r, "sampler", None), "algorithm", None)
            for r in results
            if getattr(r, "likelihood", "normal") != "normal"
        }
        how = []
        if "imh" in algorithms:
            how.append(
                "an independence Metropolis-Hastings sampler (Tierney 1994) whose proposal is "
                "a nested Laplace approximation of the posterior (Rue et al. 2009): Gaussian "
                "given tau at the conditional mode, over a grid of tau weighted by the Laplace "
                "approximation of its marginal posterior; the chain's stationary distribution "
                "is the exact posterior"
            )
        if "nuts" in algorithms:
            how.append("NumPyro's no-U-turn sampler")
        parts.append(
            f"Binomial data (logit link) were analysed by MCMC ({'; and '.join(how)}), "
            "with convergence checked by rank-normalised R-hat and bulk and tail effective "
            "sample sizes."
        )
    parts.append(
        "Treatments were ranked by SUCRA (Salanti et al. 2011) and the posterior probability "
        f"of being better than the reference. Model fit is reported as {DIC_PLUGIN}."
    )
    return " ".join(parts)


def method_keys(results: Sequence[Any]) -> list[str]:
    """Citation keys for the Bayesian methods actually used."""
    if not results:
        return []
    keys = ["dias2013", "dias2011tsd2", "salanti2011", "spiegelhalter2002"]
    priors = [getattr(r, "prior_tau", None) for r in results]
    families = {p.to_dict().get("family") for p in priors if p is not None}
    if "log-t" in families:
        keys.append("rhodes2015")
    if "log-normal" in families:
        keys.append("turner2015")
    mcmc = [r for r in results if not is_exact(r)]
    if mcmc:
        keys.append("vehtari2021")
    algorithms = {getattr(getattr(r, "sampler", None), "algorithm", "nuts") for r in mcmc}
    if "nuts" in algorithms:
        keys.append("numpyro")
    if "imh" in algorithms:
        keys += ["tierney1994", "rue2009"]
    return keys


def grid_rows(grid: NmaGridResult, bayes_grid: BayesNmaGridResult, model: str) -> list[list[str]]:
    """One row per cell: studies, tau (frequentist) beside the posterior median of tau (95%
    CrI), best by P-score beside best by SUCRA, DIC, or why a cell was not analysed."""
    rows = []
    for cell in grid.cells:
        b = bayes_grid.cell(cell.outcome, cell.timepoint)
        r, fit = cell.result, b.result
        if r is None or fit is None:
            why = cell.error or b.error or ""
            rows.append([cell.outcome, cell.timepoint, "—", "—", "—", "—", "—", "—", why])
            continue
        scores = r.pscores(model=model) if r.higher_is_better is not None else None
        best = str(scores.idxmax()) if scores is not None and r.n > 1 else "—"
        frame = fit.to_frame()
        best_b = str(frame.loc[frame["sucra"].idxmax(), "treatment"]) if len(frame) > 1 else "—"
        sd = getattr(fit, "sd", None)
        tau_b = f"{sd.median:.3g} ({sd.q025:.3g} to {sd.q975:.3g})" if sd is not None else "0"
        rows.append(
            [
                cell.outcome,
                cell.timepoint,
                str(r.k),
                f"{r.tau:.3g}" if model == "random" else "0",
                tau_b,
                best,
                best_b,
                f"{fit.dic:.1f}",
                "",
            ]
        )
    return rows
