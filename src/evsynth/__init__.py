"""evsynth: systematic review and evidence synthesis for health technology assessment.

The names here are what users type; everything else lives in the subpackages.
"""

from importlib import metadata as _metadata

from evsynth._core.errors import DataError, EvsynthError
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

try:
    __version__ = _metadata.version("evsynth")
except _metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "DataError",
    "EffectTable",
    "EvsynthError",
    "MetaRegressionResult",
    "MetaResult",
    "__version__",
    "effect_sizes",
    "egger_test",
    "leave_one_out",
    "meta_analysis",
    "meta_analysis_binary",
    "meta_regression",
]
