"""Shared machinery for the readers: tagged formats parsed with rispy, and field helpers.

rispy parses the tags of one record well but, fed a whole file, it drops a last record that
lacks its end tag, records without a start tag, and all line numbers. So this module splits
the file into records itself, keeping the first line number of each and reporting missing
start and end tags, and hands each record to rispy.

The helpers at the end (:func:`first`, :func:`values`, :func:`add_value`) read and build
``Record.original`` for every reader.

rispy is given an identity tag mapping, so every tag, known or not, is kept under its own
name in ``Record.original``, and ``enforce_list_tags=False``, so a tag repeated in a record
becomes a list instead of silently keeping its first value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import rispy
from rispy.config import WOK_LIST_TYPE_TAGS

from evsynth._core.errors import DataError, InputLocation

Original = dict[str, list[str] | str]


class _Identity(dict[str, str]):
    """A tag mapping that maps every tag to itself."""

    def __missing__(self, key: str) -> str:
        return key


class _ContinuationFix:
    """Join a continuation line onto a repeated tag.

    With ``enforce_list_tags=False`` a repeated non-list tag is a list, and rispy 0.10 then
    fails (``" ".join`` of a list) on a continuation line after it; the line belongs to the
    last value.
    """

    def _add_single_value(
        self, record: dict[str, Any], name: str, value: str | list[str], is_multi: bool = False
    ) -> None:
        current = record.get(name)
        if is_multi and isinstance(current, list) and isinstance(value, str):
            current[-1] = f"{current[-1]} {value}".strip()
            return
        super()._add_single_value(record, name, value, is_multi)  # type: ignore[misc]


class RisTags(_ContinuationFix, rispy.RisParser):  # type: ignore[misc]
    """rispy's RIS parser keeping every tag under its own name."""

    def __init__(self) -> None:
        super().__init__(
            mapping=_Identity(),
            list_tags=list(rispy.LIST_TYPE_TAGS),
            # rispy splits UR on ';' by default; URLs may contain ';', so keep them whole.
            delimiter_tags_mapping={},
            skip_unknown_tags=False,
            enforce_list_tags=False,
        )


class WosTags(_ContinuationFix, rispy.WokParser):  # type: ignore[misc]
    """rispy's Web of Science parser keeping every tag under its own name."""

    def __init__(self) -> None:
        super().__init__(
            mapping=_Identity(),
            list_tags=list(WOK_LIST_TYPE_TAGS),
            delimiter_tags_mapping={},
            skip_unknown_tags=False,
            enforce_list_tags=False,
        )


def parse_one(parser: rispy.RisParser, lines: list[str]) -> Original:
    """Tags of one record (start to end tag) as ``tag -> str | list[str]``."""
    parsed: list[dict[str, Any]] = parser.parse_lines(iter(lines))
    return {tag: value for tag, value in parsed[0].items()}


@dataclass(frozen=True, slots=True)
class Chunk:
    """The lines of one record, from its start tag to its end tag, and where it starts."""

    line: int
    lines: list[str]


@dataclass(slots=True)
class Split:
    """Records found in a file, the broken ones, and lines outside any record."""

    chunks: list[Chunk] = field(default_factory=list)
    problems: list[DataError] = field(default_factory=list)
    stray: list[int] = field(default_factory=list)


def split_records(
    text: str,
    *,
    name: str,
    tag_of: Callable[[str], str | None],
    start: str,
    end: str,
    start_line: str,
    end_line: str,
    outside: frozenset[str] = frozenset(),
) -> Split:
    """Split ``text`` into records from each ``start`` tag to the next ``end`` tag.

    ``tag_of`` returns a line's tag or ``None``; ``start_line`` and ``end_line`` are how the
    start and end lines look, for messages; tags in ``outside`` (file headers) may appear
    between records. Blank lines are dropped. Other lines between records are recorded in
    ``stray``, except that tagged lines ending in an ``end`` tag are a record without its
    start tag, which is a problem.
    """
    split = Split()
    current: list[str] | None = None
    current_line = 0
    orphan_tags: list[int] = []
    for number, line in enumerate(text.split("\n"), start=1):
        tag = tag_of(line)
        if current is None:
            if tag == start:
                current, current_line, orphan_tags = [line], number, []
            elif tag == end and orphan_tags:
                split.problems.append(
                    DataError(
                        f"lines {orphan_tags[0]}-{number} hold a record without a "
                        f"{start_line!r} line",
                        location=InputLocation(file=name, line=orphan_tags[0]),
                        hint=f"Add the missing {start_line!r} line or export the file again",
                    )
                )
                orphan_tags = []
            elif line.strip() and tag not in outside:
                split.stray.append(number)
                if tag is not None:
                    orphan_tags.append(number)
            continue
        if tag == start:
            split.problems.append(
                DataError(
                    f"the record starting here has no {end_line!r} line before the next "
                    f"record at line {number}",
                    location=InputLocation(file=name, line=current_line),
                    hint=f"Add the missing {end_line!r} line or export the file again",
                )
            )
            current, current_line = [line], number
        elif tag == end:
            current.append(line)
            split.chunks.append(Chunk(current_line, current))
            current = None
        elif line.strip():
            current.append(line)
    if current is not None:
        split.problems.append(
            DataError(
                f"the record starting here has no {end_line!r} line: the file ends inside it "
                "and may be truncated",
                location=InputLocation(file=name, line=current_line),
                hint="Export the file again, or add the missing end line if the record is complete",
            )
        )
    return split


def stray_warning(name: str, stray: list[int]) -> list[str]:
    """One warning listing (the first few) lines that were outside any record."""
    if not stray:
        return []
    shown = ", ".join(str(n) for n in stray[:8]) + (", ..." if len(stray) > 8 else "")
    return [
        f"{name}: {len(stray)} lines outside any record were ignored (lines {shown}); "
        "exports add such lines (Ovid links, record numbers), but check none holds data"
    ]


def values(original: Original, *tags: str) -> list[str]:
    """All non-blank values of ``tags``, in the order of ``tags``."""
    found: list[str] = []
    for tag in tags:
        value = original.get(tag)
        items = value if isinstance(value, list) else [value] if value is not None else []
        found.extend(item for item in items if item and item.strip())
    return found


def first(original: Original, *tags: str) -> str | None:
    """The first non-blank value of the first of ``tags`` that has one."""
    for tag in tags:
        value = original.get(tag)
        for item in [value] if isinstance(value, str) else value or ():
            if item and item.strip():
                return item
    return None


def add_value(original: Original, key: str, value: str) -> None:
    """Store ``value`` under ``key``; a second value turns the entry into a list."""
    current = original.get(key)
    if current is None:
        original[key] = value
    elif isinstance(current, list):
        current.append(value)
    else:
        original[key] = [current, value]
