"""evsynth: systematic review and evidence synthesis for health technology assessment.

The names here are what users type; everything else lives in the subpackages.
"""

from importlib import metadata as _metadata

from evsynth._core.errors import DataError, EvsynthError
from evsynth.appraisal import Appraisal, Checklist, appraise, load_checklist
from evsynth.economics import (
    CEAResult,
    IcerResult,
    SF6DResult,
    TrialEvaluation,
    adjust_for_baseline,
    bootstrap_trial,
    cost_effectiveness,
    icers,
    qaly_auc,
    sf6d,
    within_trial_evaluation,
)
from evsynth.records import ReadResult, Record, read_records
from evsynth.records.dedup import find_duplicates
from evsynth.screening import (
    Decision,
    ScreeningProtocol,
    cohen_kappa,
    prisma_counts,
    prisma_diagram,
)
from evsynth.synthesis.effects import EffectTable, effect_sizes
from evsynth.synthesis.meta import (
    MetaRegressionResult,
    MetaResult,
    egger_test,
    leave_one_out,
    meta_analysis,
    meta_analysis_binary,
    meta_regression,
)
from evsynth.synthesis.nma import (
    BayesNmaGridResult,
    BayesNmaResult,
    McmcNmaResult,
    NmaGridResult,
    NmaResult,
    bayes_nma_grid,
    bayes_nma_mcmc,
    bayes_nma_normal,
    network_meta_analysis,
    nma_grid,
)
from evsynth.synthesis.qualitative import (
    Finding,
    assess_findings,
    from_qdpx,
    thematic_synthesis,
    to_qdpx,
)

try:
    __version__ = _metadata.version("evsynth")
except _metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "Appraisal",
    "BayesNmaGridResult",
    "BayesNmaResult",
    "CEAResult",
    "Checklist",
    "DataError",
    "Decision",
    "EffectTable",
    "EvsynthError",
    "Finding",
    "IcerResult",
    "McmcNmaResult",
    "MetaRegressionResult",
    "MetaResult",
    "NmaGridResult",
    "NmaResult",
    "ReadResult",
    "Record",
    "SF6DResult",
    "ScreeningProtocol",
    "TrialEvaluation",
    "__version__",
    "adjust_for_baseline",
    "appraise",
    "assess_findings",
    "bayes_nma_grid",
    "bayes_nma_mcmc",
    "bayes_nma_normal",
    "bootstrap_trial",
    "cohen_kappa",
    "cost_effectiveness",
    "effect_sizes",
    "egger_test",
    "find_duplicates",
    "from_qdpx",
    "icers",
    "leave_one_out",
    "load_checklist",
    "meta_analysis",
    "meta_analysis_binary",
    "meta_regression",
    "network_meta_analysis",
    "nma_grid",
    "prisma_counts",
    "prisma_diagram",
    "qaly_auc",
    "read_records",
    "sf6d",
    "thematic_synthesis",
    "to_qdpx",
    "within_trial_evaluation",
]
