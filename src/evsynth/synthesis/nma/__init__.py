r"""Frequentist network meta-analysis, numerically equal to netmeta 3.3-1.

:func:`network_meta_analysis` fits Rücker's graph-theoretical model (Rücker 2012; multi-arm
studies by the reduction of weights, Rücker & Schwarzer 2014) with common and random effects,
tau^2 by netmeta's generalised DerSimonian-Laird estimator or by REML in metafor's ``rma.mv``
contrast-based model, and adds what netmeta reports beside it: I^2 with its interval, the
decomposition of Q into within-design heterogeneity and between-design inconsistency with the
design-by-treatment interaction model (Krahn, Binder & König 2013), node-splitting by
back-calculation (Dias et al. 2010; König, Krahn & Binder 2013), direct-evidence proportions
and P-scores (Rücker & Schwarzer 2015). :func:`pairwise` turns arm-level data into contrasts.
Bayesian NMA (NICE DSU TSD2; Dias et al. 2013, doi:10.1177/0272989X12458724):
:func:`bayes_nma_normal` computes normal-likelihood models exactly (random effects integrated
out, tau on a quadrature grid), :func:`bayes_nma_mcmc` fits every model by MCMC (NumPyro, imported
only when it runs) and :func:`bayes_nma_grid` runs one per outcome and time point.

Definitional choices (tested against netmeta 3.3-1 and metafor 3.8-1 in
``tests/validation/test_netmeta_*.py``):

- Effects are "first treatment versus second": ``estimate[i, j]`` is treatment ``i`` versus
  ``j``; ``to_frame()`` gives each treatment versus the reference.
- Prediction intervals (random effects): :math:`\hat\theta \pm t_{\mathrm{df}}
  \sqrt{\mathrm{SE}^2 + \hat\tau^2}` with df = the degrees of freedom of Q,
  :math:`\sum_s (p_s - 1) - (n - 1)`, which is what netmeta 3.3-1 computes (checked against
  its values for three data sets); no interval when df = 0.
- I^2 is Q-based, :math:`\max(0, (Q - \mathrm{df})/Q)`, a proportion, with the Higgins &
  Thompson (2002) interval, for both tau^2 methods (as netmeta).
- P-scores need a direction: ``higher_is_better``. netmeta's default
  ``small.values = "desirable"`` equals ``higher_is_better=False``.
- REML is maximised exactly; metafor's optimiser stops within about 1e-6 relative of it.
- Contrasts with a missing effect or SE raise an error unless ``drop_missing=True`` (netmeta
  drops them with a warning). Multi-arm consistency, the same treatment twice in a study and
  disconnected networks follow the policy in :mod:`evsynth.synthesis.nma.network`.
"""

from evsynth.synthesis.nma.api import network_meta_analysis, subnetworks
from evsynth.synthesis.nma.arms import ARM_MEASURES, pairwise
from evsynth.synthesis.nma.bayes import BayesNmaResult, bayes_nma_normal
from evsynth.synthesis.nma.bayes.grid import BayesNmaGridResult, bayes_nma_grid
from evsynth.synthesis.nma.bayes.mcmc import bayes_nma_mcmc
from evsynth.synthesis.nma.bayes.mcmc_result import McmcNmaResult
from evsynth.synthesis.nma.grid import NmaGridResult, nma_grid
from evsynth.synthesis.nma.heterogeneity import DesignDecomposition, i2_interval
from evsynth.synthesis.nma.model import GraphFit, fit_graph
from evsynth.synthesis.nma.netsplit import Netsplit, SplitEstimates
from evsynth.synthesis.nma.network import Network, SubNetwork, build_network
from evsynth.synthesis.nma.ranking import p_scores
from evsynth.synthesis.nma.result import NmaEstimates, NmaResult
from evsynth.synthesis.nma.tau2 import TAU2_METHODS

__all__ = [
    "ARM_MEASURES",
    "TAU2_METHODS",
    "BayesNmaGridResult",
    "BayesNmaResult",
    "DesignDecomposition",
    "GraphFit",
    "McmcNmaResult",
    "Netsplit",
    "Network",
    "NmaEstimates",
    "NmaGridResult",
    "NmaResult",
    "SplitEstimates",
    "SubNetwork",
    "bayes_nma_grid",
    "bayes_nma_mcmc",
    "bayes_nma_normal",
    "build_network",
    "fit_graph",
    "i2_interval",
    "network_meta_analysis",
    "nma_grid",
    "p_scores",
    "pairwise",
    "subnetworks",
]
