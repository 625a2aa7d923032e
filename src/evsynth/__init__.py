"""evsynth: systematic review and evidence synthesis for health technology assessment.

The names here are what users type; everything else lives in the subpackages. They are
imported on first use (PEP 562), so ``import evsynth`` and the command line start without
loading SciPy, JAX or scikit-learn until an analysis needs them.
"""

from __future__ import annotations

from importlib import import_module
from importlib import metadata as _metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Public name -> the module that defines it.
_LAZY: dict[str, str] = {
    "Appraisal": "evsynth.appraisal",
    "BayesNmaGridResult": "evsynth.synthesis.nma",
    "BayesNmaResult": "evsynth.synthesis.nma",
    "CEAResult": "evsynth.economics",
    "Checklist": "evsynth.appraisal",
    "DataError": "evsynth._core.errors",
    "Decision": "evsynth.screening",
    "EffectTable": "evsynth.synthesis.effects",
    "EvsynthError": "evsynth._core.errors",
    "Finding": "evsynth.synthesis.qualitative",
    "IcerResult": "evsynth.economics",
    "McmcNmaResult": "evsynth.synthesis.nma",
    "MetaRegressionResult": "evsynth.synthesis.meta",
    "MetaResult": "evsynth.synthesis.meta",
    "NmaGridResult": "evsynth.synthesis.nma",
    "NmaResult": "evsynth.synthesis.nma",
    "ReadResult": "evsynth.records",
    "Record": "evsynth.records",
    "SF6DResult": "evsynth.economics",
    "ScreeningProtocol": "evsynth.screening",
    "TrialEvaluation": "evsynth.economics",
    "adjust_for_baseline": "evsynth.economics",
    "appraise": "evsynth.appraisal",
    "assess_findings": "evsynth.synthesis.qualitative",
    "bayes_nma_grid": "evsynth.synthesis.nma",
    "bayes_nma_mcmc": "evsynth.synthesis.nma",
    "bayes_nma_normal": "evsynth.synthesis.nma",
    "bootstrap_trial": "evsynth.economics",
    "cohen_kappa": "evsynth.screening",
    "cost_effectiveness": "evsynth.economics",
    "effect_sizes": "evsynth.synthesis.effects",
    "egger_test": "evsynth.synthesis.meta",
    "find_duplicates": "evsynth.records.dedup",
    "from_qdpx": "evsynth.synthesis.qualitative",
    "icers": "evsynth.economics",
    "leave_one_out": "evsynth.synthesis.meta",
    "load_checklist": "evsynth.appraisal",
    "meta_analysis": "evsynth.synthesis.meta",
    "meta_analysis_binary": "evsynth.synthesis.meta",
    "meta_regression": "evsynth.synthesis.meta",
    "network_meta_analysis": "evsynth.synthesis.nma",
    "nma_grid": "evsynth.synthesis.nma",
    "prisma_counts": "evsynth.screening",
    "prisma_diagram": "evsynth.screening",
    "qaly_auc": "evsynth.economics",
    "read_records": "evsynth.records",
    "sf6d": "evsynth.economics",
    "thematic_synthesis": "evsynth.synthesis.qualitative",
    "to_qdpx": "evsynth.synthesis.qualitative",
    "within_trial_evaluation": "evsynth.economics",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'evsynth' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
