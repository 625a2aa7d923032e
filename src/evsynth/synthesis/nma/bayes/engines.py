"""Which engine fits which Bayesian model: exact for normal likelihoods, MCMC for the rest.

The normal-likelihood models are computed exactly (:func:`.bayes_nma_normal`). The binomial
model (logit link on arm data, NICE DSU TSD2; Dias et al. 2013, Med Decis Making 33:607-617,
doi:10.1177/0272989X12458724) needs MCMC, which lives in :mod:`.mcmc` (its default sampler for
binomial data needs only NumPy and SciPy; NUTS needs NumPyro); this module finds it and says
plainly when it is not there.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from evsynth._core.errors import EvsynthError

MCMC_MODULE = "evsynth.synthesis.nma.bayes.mcmc"
MCMC_FUNCTION = "bayes_nma_mcmc"
NEEDS_MCMC = (
    "binomial likelihood needs the MCMC engine (evsynth.synthesis.nma.bayes.mcmc), which is not "
    "available here"
)


def mcmc_function() -> Callable[..., Any] | None:
    """The MCMC engine's public function, or None when it (or NumPyro) is not installed."""
    try:
        module = importlib.import_module(MCMC_MODULE)
    except ImportError:
        return None
    function = getattr(module, MCMC_FUNCTION, None)
    return function if callable(function) else None


def binomial_engine() -> Callable[..., Any]:
    """A function fitting the binomial model to arm data, or an error that says what is missing.

    The function takes the arm rows and ``columns`` (roles ``study, treatment, events, n``),
    ``reference``, ``model``, ``prior_tau``, ``prior_d_sd``, ``higher_is_better``, ``rng`` and
    ``settings`` (passed to the sampler).
    """
    function = mcmc_function()
    if function is None:
        raise EvsynthError(
            NEEDS_MCMC,
            hint="Reinstall evsynth, or use --likelihood normal on contrasts",
        )

    def fit(
        rows: pd.DataFrame,
        *,
        columns: Mapping[str, str],
        reference: str,
        model: str,
        prior_tau: Any,
        prior_d_sd: float,
        higher_is_better: bool,
        rng: int | None,
        settings: Mapping[str, Any] | None,
    ) -> Any:
        from evsynth.synthesis.nma.bayes.mcmc_diagnostics import ConvergenceWarning

        with warnings.catch_warnings():
            # The result notes failed checks (``converged``, ``notes``); callers report them
            # once, in their own words, instead of a Python warning per fit.
            warnings.simplefilter("ignore", ConvergenceWarning)
            return function(
                rows,
                likelihood="binomial",
                study=columns["study"],
                treatment=columns["treatment"],
                events=columns["events"],
                n=columns["n"],
                reference=reference,
                model=model,
                prior_tau=prior_tau,
                prior_d_sd=prior_d_sd,
                higher_is_better=higher_is_better,
                rng=rng,
                **dict(settings or {}),
            )

    return fit


def is_mcmc(result: Any) -> bool:
    """True for a fit by MCMC (it carries a sampler report), False for the exact engine."""
    return getattr(result, "sampler", None) is not None


def mcmc_diagnostics(result: Any) -> dict[str, Any] | None:
    """Convergence of an MCMC fit: the sampler (``imh`` or ``nuts``), worst R-hat, smallest bulk
    and tail ESS, ``converged``, the failed checks and every parameter's values; None for the
    exact engine (no Monte Carlo)."""
    if not is_mcmc(result):
        return None
    d = result.diagnostics
    return {
        "sampler": str(getattr(result.sampler, "algorithm", "nuts")),
        "rhat": float(max(d.rhat)),
        "ess_bulk": float(min(d.ess_bulk)),
        "ess_tail": float(min(d.ess_tail)),
        "converged": bool(result.converged),
        "problems": list(result.convergence_problems()),
        "divergences": int(result.sampler.divergences),
        "parameters": d.to_frame().to_dict(orient="records"),
    }
