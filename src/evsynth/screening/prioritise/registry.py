"""The registry of prioritisers, filled from the ``evsynth.prioritisers`` entry-point group.

A prioritiser is a :class:`Prioritiser`: a name, a label, the paper or source it follows, and a
``fit(matrix, labels, random_state, blocks)`` function from the labelled rows of a TF-IDF
matrix (``blocks``: the column boundaries of its views) and 0/1 labels to a fitted
:class:`~evsynth.screening.prioritise.models.LinearScorer`. A plug-in package declares one in
its ``pyproject.toml``::

    [project.entry-points."evsynth.prioritisers"]
    my_model = "evsynth_my_model:PRIORITISER"

The built-ins register the same way and load first, so their names cannot be taken over. A
plug-in that fails to load, or repeats a name, is left out with a ``RuntimeWarning``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from evsynth._core.errors import choice_error
from evsynth._core.plugins import load_registry
from evsynth.screening.prioritise.models import (
    Fit,
    FitViews,
    fit_default,
    fit_default_views,
    fit_logistic,
    fit_svm,
)

ENTRY_POINT_GROUP = "evsynth.prioritisers"


@dataclass(frozen=True, slots=True)
class Prioritiser:
    """A registered relevance model for prioritised screening."""

    name: str
    label: str
    fit: Fit
    source: str = ""
    fit_views: FitViews | None = None
    """Optional: the same model fitted from each view's rows given apart (faster in a
    simulation, which keeps the views apart); it must give what ``fit`` gives."""


DEFAULT = Prioritiser(
    "default",
    "Linear SVM per view (title + abstract; title x2 + abstract + keywords), averaged",
    fit_default,
    "evsynth; tuned on held-out seeds (benchmarks/README.md)",
    fit_views=fit_default_views,
)
SVM = Prioritiser(
    "svm",
    "Linear SVM, C = 0.11, balanced weights (ASReview elas_u4's classifier)",
    fit_svm,
    "ASReview LAB 2-3, models/models.py",
)
LOGISTIC = Prioritiser(
    "logistic", "L2 logistic regression, balanced weights", fit_logistic, "scikit-learn"
)

_BUILTIN = (
    ("default", "evsynth.screening.prioritise.registry:DEFAULT"),
    ("svm", "evsynth.screening.prioritise.registry:SVM"),
    ("logistic", "evsynth.screening.prioritise.registry:LOGISTIC"),
)


def _entry_points() -> list[EntryPoint]:
    builtin = [EntryPoint(name, value, ENTRY_POINT_GROUP) for name, value in _BUILTIN]
    return builtin + list(entry_points(group=ENTRY_POINT_GROUP))


@cache
def available_prioritisers() -> Mapping[str, Prioritiser]:
    """All prioritisers by name (read-only): built-ins first, then plug-ins.

    Loaded once per process; ``available_prioritisers.cache_clear()`` reloads the entry points.
    """
    return load_registry(_entry_points(), len(_BUILTIN), Prioritiser, "prioritiser")


def get_prioritiser(name: str | Prioritiser) -> Prioritiser:
    """The prioritiser called ``name``; an unknown name raises an error listing the choices."""
    if isinstance(name, Prioritiser):
        return name
    available = available_prioritisers()
    if name not in available:
        raise choice_error("prioritiser", name, sorted(available))
    return available[name]
