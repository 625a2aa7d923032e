"""Extraction frameworks as data: perspectives and the categories data are extracted into.

Scope et al. (2021, Table 3) extracted data verbatim into five categories for each of two
perspectives (patients, and the health professionals who delivered the interventions). That
framework ships as ``acceptability-scope2021``; a review writes its own as a TOML file::

    id = "my-framework"
    name = "..."
    [[perspectives]]
    id = "patients"
    label = "Data from patients"
    [[perspectives.categories]]
    id = "positive"
    label = "Positive factors"
    prompt = "Positive factors relating to ... as reported by patients"
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

from evsynth._core.errors import DataError, EvsynthError, InputLocation


@dataclass(frozen=True, slots=True)
class Category:
    """One heading data are extracted under: an id, a short label, the question it asks."""

    id: str
    label: str
    prompt: str


@dataclass(frozen=True, slots=True)
class Perspective:
    """Whose views the data give (patients, health professionals), with its categories."""

    id: str
    label: str
    categories: tuple[Category, ...]

    def category(self, category_id: str) -> Category:
        for c in self.categories:
            if c.id == category_id:
                return c
        raise EvsynthError(
            f"category {category_id!r} is not in perspective {self.id!r}; its categories are "
            f"{', '.join(c.id for c in self.categories)}"
        )


@dataclass(frozen=True, slots=True)
class Framework:
    """An extraction framework: perspectives, each with its categories."""

    id: str
    name: str
    perspectives: tuple[Perspective, ...]
    citation: str | None = None

    def perspective(self, perspective_id: str) -> Perspective:
        for p in self.perspectives:
            if p.id == perspective_id:
                return p
        raise EvsynthError(
            f"perspective {perspective_id!r} is not in framework {self.id!r}; choose one of "
            f"{', '.join(p.id for p in self.perspectives)}"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per category: perspective, category and its prompt (Table 3's layout)."""
        rows = [
            {"perspective": p.label, "category": c.label, "prompt": c.prompt}
            for p in self.perspectives
            for c in p.categories
        ]
        return pd.DataFrame(rows, columns=["perspective", "category", "prompt"])


def _str(table: Mapping[str, Any], key: str, where: InputLocation) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"'{key}' must be a non-empty string", location=where)
    return value.strip()


def framework_from_mapping(data: Mapping[str, Any], *, file: str) -> Framework:
    """Build and check a :class:`Framework` from a parsed TOML table."""
    perspectives = []
    for i, raw in enumerate(data.get("perspectives", [])):
        where = InputLocation(file=file, field=f"perspectives[{i}]")
        categories = tuple(
            Category(
                id=_str(c, "id", where),
                label=_str(c, "label", where),
                prompt=_str(c, "prompt", where),
            )
            for c in raw.get("categories", [])
        )
        if not categories:
            raise DataError("a perspective needs [[perspectives.categories]]", location=where)
        if len({c.id for c in categories}) != len(categories):
            raise DataError("category ids repeat within the perspective", location=where)
        perspectives.append(
            Perspective(
                id=_str(raw, "id", where), label=_str(raw, "label", where), categories=categories
            )
        )
    if not perspectives:
        raise DataError("a framework needs [[perspectives]]", location=InputLocation(file=file))
    if len({p.id for p in perspectives}) != len(perspectives):
        raise DataError("perspective ids repeat", location=InputLocation(file=file))
    top = InputLocation(file=file)
    citation = data.get("citation")
    return Framework(
        id=_str(data, "id", top),
        name=_str(data, "name", top),
        perspectives=tuple(perspectives),
        citation=str(citation) if citation else None,
    )


def parse_framework(text: str, *, file: str = "<framework>") -> Framework:
    """A :class:`Framework` from the text of a framework TOML file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not valid TOML ({exc})", location=InputLocation(file=file)) from None
    return framework_from_mapping(data, file=file)


BUILTIN_FRAMEWORKS = ("acceptability-scope2021",)


@cache
def load_framework(name: str) -> Framework:
    """A built-in framework by id.

    Examples
    --------
    >>> [p.id for p in load_framework("acceptability-scope2021").perspectives]
    ['patients', 'health_professionals']
    """
    if name not in BUILTIN_FRAMEWORKS:
        raise EvsynthError(
            f"framework {name!r} is not built in; choose one of {', '.join(BUILTIN_FRAMEWORKS)}",
            hint="or give the path of the framework's TOML file",
        )
    path = resources.files("evsynth.extraction") / "frameworks" / f"{name}.toml"
    return parse_framework(
        path.read_text(encoding="utf-8"), file=f"evsynth/extraction/frameworks/{name}.toml"
    )
