"""Loading a registry from an entry-point group: the built-ins first, then plug-ins.

The record readers and the screening prioritisers are both registries of this kind. Built-ins
are listed as entry points of the same group and loaded by the same code, first, so that a
plug-in cannot take over their names. A plug-in that fails to load, is not of the registry's
type, or repeats a name is left out with a ``RuntimeWarning``: one broken package must not
stop every import or every screening session. A built-in that fails to load is a bug, and
raises.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from importlib.metadata import EntryPoint
from types import MappingProxyType
from typing import TypeVar

T = TypeVar("T")


def load_registry(
    points: Sequence[EntryPoint], n_builtin: int, kind: type[T], noun: str
) -> Mapping[str, T]:
    """The objects behind ``points`` by their ``name`` attribute (read-only, in order).

    ``points[:n_builtin]`` are the built-ins; ``noun`` names a plug-in in warnings
    ("reader", "prioritiser").
    """
    found: dict[str, T] = {}
    for index, entry_point in enumerate(points):
        try:
            item = entry_point.load()
        except Exception as exc:  # a broken plug-in is left out, with a warning
            if index < n_builtin:
                raise
            warnings.warn(
                f"{noun} plug-in {entry_point.name!r} ({entry_point.value}) failed to load "
                f"and is left out: {exc}",
                RuntimeWarning,
                stacklevel=3,
            )
            continue
        name = getattr(item, "name", None) if isinstance(item, kind) else None
        if name is None or name in found:
            why = f"is not a {kind.__name__}" if name is None else "repeats a name"
            warnings.warn(
                f"{noun} plug-in {entry_point.name!r} ({entry_point.value}) {why} and is left out",
                RuntimeWarning,
                stacklevel=3,
            )
            continue
        found[str(name)] = item
    return MappingProxyType(found)
