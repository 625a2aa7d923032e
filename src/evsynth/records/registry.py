"""The registry of record readers, filled from the ``evsynth.readers`` entry-point group.

A reader is a :class:`Reader`: a name, a label, the file extensions it claims, a ``sniff``
function that recognises its content, and a ``read`` function. A plug-in package declares
one in its ``pyproject.toml``::

    [project.entry-points."evsynth.readers"]
    refworks = "evsynth_refworks:READER"

The built-in readers register the same way: they are listed below as entry points of the
same group and loaded by the same code, first, so that their names cannot be taken over. A
plug-in that fails to load, or whose name is already taken, is left out with a
``RuntimeWarning`` rather than breaking every import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import PurePath

from evsynth._core.errors import DataError, InputLocation, choice_error
from evsynth._core.plugins import load_registry
from evsynth.records.encoding import binary_kind, head_text
from evsynth.records.model import Record

ENTRY_POINT_GROUP = "evsynth.readers"

# Order matters: content sniffing tries readers in this order, most specific first, so that
# e.g. a Web of Science file is not taken for RIS and a RIS file not for CSV.
_BUILTIN = (
    ("endnote", "evsynth.records.readers.endnote:READER"),
    ("wos", "evsynth.records.readers.wos:READER"),
    ("ris", "evsynth.records.readers.ris:READER"),
    ("nbib", "evsynth.records.readers.nbib:READER"),
    ("bibtex", "evsynth.records.readers.bibtex:READER"),
    ("xlsx", "evsynth.records.readers.xlsx:READER"),
    ("csv", "evsynth.records.readers.delimited:READER"),
)


@dataclass(frozen=True, slots=True)
class SniffInput:
    """What a sniff function sees: the file name and the start of the file."""

    name: str
    head: bytes
    text: str | None  # decoded start of the file; None for a binary file


@dataclass(frozen=True, slots=True)
class Source:
    """What a read function gets: the whole file, decoded unless the reader is binary."""

    name: str
    data: bytes
    text: str
    encoding: str | None
    source_database: str | None  # the caller's value, which wins over detection


@dataclass(frozen=True, slots=True)
class Parsed:
    """What a read function returns.

    ``problems`` are the records that could not be read, each a :class:`DataError` that
    names its location; :func:`~evsynth.records.read_records` applies the caller's error
    policy to them. A problem with the whole file is raised as a :class:`DataError` instead.
    """

    records: list[Record]
    problems: list[DataError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Reader:
    """A registered reader of one file format."""

    name: str
    label: str
    extensions: tuple[str, ...]
    sniff: Callable[[SniffInput], bool]
    read: Callable[[Source], Parsed]
    binary: bool = False  # True when ``read`` wants bytes (``Source.text`` is then empty)


def _entry_points() -> list[EntryPoint]:
    builtin = [EntryPoint(name, value, ENTRY_POINT_GROUP) for name, value in _BUILTIN]
    return builtin + list(entry_points(group=ENTRY_POINT_GROUP))


@cache
def available_readers() -> Mapping[str, Reader]:
    """All readers by name (read-only): built-ins first, in sniffing order, then plug-ins.

    Loaded once per process; ``available_readers.cache_clear()`` reloads the entry points.
    """
    return load_registry(_entry_points(), len(_BUILTIN), Reader, "reader")


def get_reader(name: str) -> Reader:
    """The reader called ``name``; an unknown name raises an error listing the choices."""
    available = available_readers()
    if name not in available:
        raise choice_error("format", name, sorted(available))
    return available[name]


def sniff_input(name: str, data: bytes) -> SniffInput:
    """The start of a file, as sniff functions see it."""
    head = data[:65536]
    return SniffInput(name=name, head=head, text=head_text(head))


def recognise(sample: SniffInput) -> Reader | None:
    """The first reader, in sniffing order, whose sniff function accepts ``sample``."""
    for reader in available_readers().values():
        if reader.sniff(sample):
            return reader
    return None


def detect_reader(name: str, data: bytes) -> tuple[Reader, list[str]]:
    """The reader for a file, from its content and extension, with any warning.

    A reader that claims the extension and recognises the content is chosen; otherwise the
    content decides, because extensions lie (``.txt`` is RIS, PubMed or Web of Science, and
    files get renamed). The warning says when content and extension disagree.
    """
    sample = sniff_input(name, data)
    suffix = PurePath(name).suffix.lower()
    claiming = [r for r in available_readers().values() if suffix and suffix in r.extensions]
    for reader in claiming:
        if reader.sniff(sample):
            return reader, []
    found = recognise(sample)
    if found is not None:
        notes = []
        if claiming:
            notes.append(
                f"{name}: the name suggests {claiming[0].label} but the content is "
                f"{found.label}; read as {found.label}"
            )
        return found, notes
    kind = binary_kind(data)
    where = InputLocation(file=name)
    choices = ", ".join(available_readers())
    if kind is not None:
        raise DataError(
            f"this is {kind}, not an export of records",
            location=where,
            hint=f"Export the records as one of: {choices}",
        )
    first = next((line for line in (sample.text or "").split("\n") if line.strip()), "")
    raise DataError(
        f"could not tell the format: no reader recognised a file starting {first[:60]!r}",
        location=where,
        hint=f"Pass format= one of {choices}, or check that this is a database export",
    )
