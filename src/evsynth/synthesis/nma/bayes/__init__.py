r"""Exact Bayesian network meta-analysis for normally distributed contrasts (no MCMC).

:func:`bayes_nma_normal` fits NICE DSU TSD2's normal-likelihood model for contrast data with
multi-arm trials (Dias et al. 2011, NICE DSU TSD2; Dias et al. 2013, Med Decis Making
33:607-617, doi:10.1177/0272989X12458724) with random or fixed effects. The study-level random
effects are integrated out, so given the between-study standard deviation :math:`\tau` the
posterior of the treatment effects is exactly multivariate normal (:mod:`.kernel`); the
one-dimensional posterior of :math:`\tau` is integrated by composite Gauss-Legendre quadrature
(:mod:`.quadrature`). The posterior is then a finite mixture of normals, from which means, sds,
quantiles, probabilities of beating the reference, SUCRA and mean ranks are computed exactly
and rank probabilities by seeded Monte Carlo (:mod:`.mixture`); the posterior mean residual
deviance, pD and DIC use TSD2's plug-in and are integrated in closed form.

Validated against JAGS 4.3.1 running TSD2's model on the Parkinson's example
(``tests/validation/test_tsd2_parkinsons.py``).
"""

from evsynth.synthesis.nma.bayes.api import MODELS, bayes_nma_normal
from evsynth.synthesis.nma.bayes.data import LAYOUTS, NormalNetwork, read_network
from evsynth.synthesis.nma.bayes.priors import (
    HalfNormalTau,
    LogNormalTau2,
    LogTTau2,
    TauPrior,
    UniformTau,
    rhodes2015_smd_general,
    turner2015_general,
)
from evsynth.synthesis.nma.bayes.quadrature import Quadrature
from evsynth.synthesis.nma.bayes.result import (
    BayesNmaResult,
    BayesRanks,
    EffectSummary,
    TauSummary,
)

__all__ = [
    "LAYOUTS",
    "MODELS",
    "BayesNmaResult",
    "BayesRanks",
    "EffectSummary",
    "HalfNormalTau",
    "LogNormalTau2",
    "LogTTau2",
    "NormalNetwork",
    "Quadrature",
    "TauPrior",
    "TauSummary",
    "UniformTau",
    "bayes_nma_normal",
    "read_network",
    "rhodes2015_smd_general",
    "turner2015_general",
]
