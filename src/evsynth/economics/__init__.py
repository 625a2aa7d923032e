"""Health-economic evaluation: SF-6D utilities, QALYs, ICERs with dominance, and uncertainty.

* :func:`sf6d`: SF-6D states and UK utilities from SF-36 (Brazier, Roberts & Deverill 2002)
  or SF-12 (Brazier & Roberts 2004) items, vectorised over respondents;
  :func:`sf12_items_from_sf36` takes the SF-12 items out of an SF-36;
* :func:`qaly_auc`: QALYs by area under the curve with discounting;
  :func:`adjust_for_baseline`: incremental QALYs adjusted for baseline utility (Manca et al.
  2005);
* :func:`icers`: strong and extended dominance, the efficient frontier, ICERs along it and
  net monetary benefit (:meth:`IcerResult.net_benefit`);
* :func:`cost_effectiveness`: from PSA or bootstrap draws, ICER, incremental net benefit,
  CEACs, the CEAF, EVPI and break-even thresholds; :func:`bootstrap_trial` makes the draws from
  patient-level data (stratified by arm, paired within patient, seeded);
* :func:`within_trial_evaluation`: all of the above for a trial's SF-36/SF-12 responses and
  costs.

Array kernels live in :mod:`~evsynth.economics.sf6d`, :mod:`~evsynth.economics.qaly`,
:mod:`~evsynth.economics.icer`, :mod:`~evsynth.economics.nmb`,
:mod:`~evsynth.economics.bootstrap` and :mod:`~evsynth.economics.psa`; each formula is in the
docstring of the function that computes it. The numbers are checked against the pinned
references in ``tests/data/economics/`` (``tests/validation/test_brazier_sf6d.py``,
``test_dampack_herc_icers.py``, ``test_bcea_vaccine.py``, ``test_toy_qaly_auc.py`` and, against
base R, ``test_r_manca_regression.py``).
"""

from evsynth.economics.api import (
    adjust_for_baseline,
    bootstrap_trial,
    cost_effectiveness,
    icers,
    qaly_auc,
    sf6d,
    sf12_items_from_sf36,
)
from evsynth.economics.cea import CEAResult
from evsynth.economics.result import BaselineAdjustment, IcerResult, SF6DResult
from evsynth.economics.trial import TrialEvaluation, within_trial_evaluation

__all__ = [
    "BaselineAdjustment",
    "CEAResult",
    "IcerResult",
    "SF6DResult",
    "TrialEvaluation",
    "adjust_for_baseline",
    "bootstrap_trial",
    "cost_effectiveness",
    "icers",
    "qaly_auc",
    "sf6d",
    "sf12_items_from_sf36",
    "within_trial_evaluation",
]
