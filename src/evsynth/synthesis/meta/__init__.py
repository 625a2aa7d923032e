"""Pairwise meta-analysis and meta-regression, numerically equal to metafor.

Definitional choices (documented where users look, and tested against metafor 3.8-1):

- I^2 is metafor's: :math:`100\\,\\hat\\tau^2/(\\hat\\tau^2 + \\tilde v)` with the typical
  within-study variance :math:`\\tilde v = (k-p)/\\operatorname{tr}(P)`; it equals the Q-based
  :math:`(Q - \\mathrm{df})/Q` only for DL. Common-effect fits report the Q-based value.
- Prediction intervals: metafor's by default (z, or t(k-1) with Knapp-Hartung);
  Higgins-Thompson-Spiegelhalter's t(k-2) interval is always reported beside it (``pi_hts_*``)
  and can be made the headline with ``prediction="hts"``.
- Knapp-Hartung is not truncated at 1 (metafor's ``test="knha"``).
- tau^2 confidence intervals use the Q-profile method with exact roots and no search limit.
"""

from evsynth.synthesis.meta.api import (
    describe,
    meta_analysis,
    meta_analysis_binary,
    meta_regression,
)
from evsynth.synthesis.meta.batch import BatchResult, fit_batch
from evsynth.synthesis.meta.diagnostics import EggerResult, egger_test, leave_one_out
from evsynth.synthesis.meta.fit import RmaFit, fit_rma
from evsynth.synthesis.meta.heterogeneity import HeterogeneityInterval, q_profile
from evsynth.synthesis.meta.regression import MetaRegressionResult
from evsynth.synthesis.meta.result import MetaResult
from evsynth.synthesis.meta.tau2 import TAU2_METHODS, estimate_tau2

__all__ = [
    "TAU2_METHODS",
    "BatchResult",
    "EggerResult",
    "HeterogeneityInterval",
    "MetaRegressionResult",
    "MetaResult",
    "RmaFit",
    "describe",
    "egger_test",
    "estimate_tau2",
    "fit_batch",
    "fit_rma",
    "leave_one_out",
    "meta_analysis",
    "meta_analysis_binary",
    "meta_regression",
    "q_profile",
]
