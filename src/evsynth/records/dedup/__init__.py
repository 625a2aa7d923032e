"""Duplicate detection across database exports, as links between records, never deletions.

>>> from evsynth.records.dedup import find_duplicates, pairwise_metrics

:func:`find_duplicates` returns a :class:`DedupResult` whose ``links`` (``id``,
``duplicate_of``) the project database stores append-only; :func:`pairwise_metrics` scores
clusters against a gold standard.
"""

from evsynth.records.dedup.api import DedupResult, DedupSettings, find_duplicates
from evsynth.records.dedup.clusters import pairwise_metrics
from evsynth.records.dedup.fields import RecordId

__all__ = ["DedupResult", "DedupSettings", "RecordId", "find_duplicates", "pairwise_metrics"]
