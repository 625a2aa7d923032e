"""evsynth: systematic review and evidence synthesis for health technology assessment.

The names here are what users type; everything else lives in the subpackages.
"""

from importlib import metadata as _metadata

from evsynth._core.errors import DataError, EvsynthError
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
from evsynth.synthesis.nma import NmaGridResult, NmaResult, network_meta_analysis, nma_grid

try:
    __version__ = _metadata.version("evsynth")
except _metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "DataError",
    "Decision",
    "EffectTable",
    "EvsynthError",
    "MetaRegressionResult",
    "MetaResult",
    "NmaGridResult",
    "NmaResult",
    "ReadResult",
    "Record",
    "ScreeningProtocol",
    "__version__",
    "cohen_kappa",
    "effect_sizes",
    "egger_test",
    "find_duplicates",
    "leave_one_out",
    "meta_analysis",
    "meta_analysis_binary",
    "meta_regression",
    "network_meta_analysis",
    "nma_grid",
    "prisma_counts",
    "prisma_diagram",
    "read_records",
]
