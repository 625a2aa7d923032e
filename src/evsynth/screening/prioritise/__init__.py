"""Prioritised screening: rank unscreened records by predicted relevance, and say when to stop.

* :func:`rank_records`, :func:`rank_texts`, :func:`rank_features`, :class:`Ranking`: rank the undecided records
  from the decisions so far, each with the terms that put it there.
* :func:`simulate_screening`, :func:`simulate`, :class:`SimulationResult`: replay a labelled
  set as the reviewer and measure how soon the includes are found.
* :func:`stopping_guidance`, :class:`StoppingGuidance`: records since the last include,
  estimated recall with an interval, and Callaghan & Müller-Hansen's (2020) stopping test,
  reported and never applied.
* :mod:`~evsynth.screening.prioritise.metrics`: WSS@r, recall@x%, loss, records to recall.
* :func:`available_prioritisers`, :func:`get_prioritiser`, :class:`Prioritiser`: models,
  extensible through the ``evsynth.prioritisers`` entry-point group.
"""

from evsynth.screening.prioritise.features import (
    FeatureMatrix,
    record_texts,
    screening_features,
    tfidf_features,
)
from evsynth.screening.prioritise.metrics import loss, n_to_recall, recall_at, wss
from evsynth.screening.prioritise.models import LinearScorer
from evsynth.screening.prioritise.query import (
    DEFAULT_SCHEDULE,
    EVERY_LABEL,
    Ranking,
    RetrainSchedule,
    rank_features,
    rank_records,
    rank_texts,
)
from evsynth.screening.prioritise.registry import (
    Prioritiser,
    available_prioritisers,
    get_prioritiser,
)
from evsynth.screening.prioritise.simulate import SimulationResult, simulate, simulate_screening
from evsynth.screening.prioritise.stopping import (
    StoppingGuidance,
    hypergeometric_stopping_pvalue,
    recall_estimate,
    since_last_include,
    stopping_guidance,
)

__all__ = [
    "DEFAULT_SCHEDULE",
    "EVERY_LABEL",
    "FeatureMatrix",
    "LinearScorer",
    "Prioritiser",
    "Ranking",
    "RetrainSchedule",
    "SimulationResult",
    "StoppingGuidance",
    "available_prioritisers",
    "get_prioritiser",
    "hypergeometric_stopping_pvalue",
    "loss",
    "n_to_recall",
    "rank_features",
    "rank_records",
    "rank_texts",
    "recall_at",
    "recall_estimate",
    "record_texts",
    "screening_features",
    "simulate",
    "simulate_screening",
    "since_last_include",
    "stopping_guidance",
    "tfidf_features",
    "wss",
]
