"""Web of Science "plain text" exports (``FN Clarivate Analytics Web of Science``).

This is not RIS: tags are followed by one space, not ``"  - "``; records run from ``PT`` to
``ER``; continuation lines are indented by three spaces and, for author tags, each holds one
more author. A RIS parser finds no record in it (``parse_counts.json`` records 0 for
``rispy/example_wos.ris``), so it is a format of its own, parsed with rispy's ``WokParser``.
"""

from __future__ import annotations

import re

from evsynth._core.errors import DataError, InputLocation
from evsynth.records.model import Record
from evsynth.records.normalise import build_record, join_pages
from evsynth.records.readers._tagged import (
    Original,
    WosTags,
    first,
    parse_one,
    split_records,
    stray_warning,
    values,
)
from evsynth.records.registry import Parsed, Reader, SniffInput, Source

_HEADER = re.compile(r"\A\s*(?:FN |VR |PT [A-Z]\b)")
_EF_LINE = re.compile(r"^EF\s*$", re.MULTILINE)


def tag_of(line: str) -> str | None:
    """The tag of a Web of Science line (``"AU Smith, J"`` → ``"AU"``), or ``None``."""
    head = line[:2]
    if (
        len(head) == 2
        and head[0].isalpha()
        and head.isupper()
        and (len(line) == 2 or line[2] == " ")
    ):
        return head
    return None


def _keywords(original: Original) -> list[str]:
    # DE (author keywords) and ID (Keywords Plus) are ';'-separated within one value.
    return [k for value in values(original, "DE", "ID") for k in value.split(";")]


def record_from_tags(
    original: Original, location: InputLocation, warnings: list[str], caller_db: str | None
) -> Record:
    """Build a record from the tags of one Web of Science record."""
    return build_record(
        original=original,
        location=location,
        warnings=warnings,
        title=first(original, "TI"),
        abstract=first(original, "AB"),
        # AF holds full names ("Parkes-Loach, Pamela S"), AU initials only.
        authors=values(original, "AF") or values(original, "AU"),
        year=first(original, "PY", "EY"),
        year_field="PY",
        journal=first(original, "SO"),
        volume=first(original, "VL"),
        issue=first(original, "IS"),
        pages=join_pages(first(original, "BP"), first(original, "EP")) or first(original, "AR"),
        doi=first(original, "DI"),
        pmid=first(original, "PM"),
        issn=first(original, "SN", "EI"),
        keywords=_keywords(original),
        language=first(original, "LA"),
        type=first(original, "DT", "PT"),
        source_database=caller_db or "Web of Science",
    )


def read(source: Source) -> Parsed:
    """Read a Web of Science plain-text file."""
    split = split_records(
        source.text,
        name=source.name,
        tag_of=tag_of,
        start="PT",
        end="ER",
        start_line="PT ",
        end_line="ER",
        outside=frozenset({"FN", "VR", "EF"}),
    )
    if not split.chunks and not split.problems:
        raise DataError(
            "no Web of Science records found: no line starts with 'PT '",
            location=InputLocation(file=source.name),
            hint="Check that this is a Web of Science plain-text export",
        )
    warnings = stray_warning(source.name, split.stray)
    if not _EF_LINE.search(source.text):
        warnings.append(
            f"{source.name}: no 'EF' line ends the file; it may be truncated after the last "
            "complete record"
        )
    parser = WosTags()
    records = [
        record_from_tags(
            parse_one(parser, chunk.lines),
            InputLocation(file=source.name, line=chunk.line),
            warnings,
            source.source_database,
        )
        for chunk in split.chunks
    ]
    return Parsed(records=records, problems=split.problems, warnings=warnings)


def sniff(sample: SniffInput) -> bool:
    """A Web of Science file starts with ``FN``, ``VR`` or ``PT``."""
    return sample.text is not None and _HEADER.match(sample.text) is not None


READER = Reader(
    name="wos",
    label="Web of Science plain text",
    extensions=(".txt",),
    sniff=sniff,
    read=read,
)
