"""Shared value types, errors, display tables and provenance; imports nothing else from evsynth."""

from evsynth._core.errors import DataError, EvsynthError, InputLocation
from evsynth._core.provenance import Manifest, make_manifest
from evsynth._core.rng import as_generator
from evsynth._core.summary import Summary

__all__ = [
    "DataError",
    "EvsynthError",
    "InputLocation",
    "Manifest",
    "Summary",
    "as_generator",
    "make_manifest",
]
