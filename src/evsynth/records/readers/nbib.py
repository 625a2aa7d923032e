"""PubMed and PubMed Central exports in MEDLINE format (``.nbib``, "PubMed format" text).

The format (NLM, "MEDLINE/PubMed Data Element (Field) Descriptions"): each line is a tag of
up to four characters, left-aligned and padded to four, then ``"- "`` and the value
(``"PMID- 28754806"``, ``"TI  - Impact of..."``); a value continues on lines indented by six
spaces; records are separated by blank lines. Tags repeat (``AU``, ``FAU``, ``AID``, ``MH``).

No maintained parser exists, so this one is small: it keeps every tag in
``Record.original`` (a list when repeated) and reports any line that is neither a tag nor a
continuation, which means the file is not MEDLINE format or was damaged.
"""

from __future__ import annotations

import re

from evsynth._core.errors import DataError, InputLocation
from evsynth.records.model import Record
from evsynth.records.normalise import build_record
from evsynth.records.readers._tagged import Original, add_value, first, values
from evsynth.records.registry import Parsed, Reader, SniffInput, Source

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,2}-(?: (.*))?$")
_SNIFF = re.compile(r"^(?:PMID|PMC ) ?- ", re.MULTILINE)
# "10.1136/neurintsurg-2017-013179 [doi]": the bracket names the identifier type.
_TYPED_ID = re.compile(r"^(.*?)\s*\[([a-z]+)\]\s*$")


def _typed_ids(original: Original, kind: str) -> list[str]:
    found = []
    for value in values(original, "LID", "AID"):
        match = _TYPED_ID.match(value)
        if match and match.group(2) == kind:
            found.append(match.group(1))
    return found


def _extend_last(original: Original, tag: str, text: str) -> None:
    current = original[tag]
    if isinstance(current, list):
        current[-1] = f"{current[-1]} {text}".strip()
    else:
        original[tag] = f"{current} {text}".strip()


def _parse_block(lines: list[tuple[int, str]], name: str) -> tuple[Original, DataError | None]:
    original: Original = {}
    last: str | None = None
    for number, line in lines:
        match = _TAG_LINE.match(line)
        if match:
            last = match.group(1)
            add_value(original, last, (match.group(2) or "").strip())
        elif line[:1].isspace() and last is not None:
            _extend_last(original, last, line.strip())
        else:
            problem = DataError(
                f"line is neither a MEDLINE tag ('XXXX- value') nor an indented continuation: "
                f"{line[:60]!r}",
                location=InputLocation(file=name, line=number),
                hint="Export the records from PubMed again ('Save', format 'PubMed')",
            )
            return original, problem
    return original, None


def _record(original: Original, location: InputLocation, warnings: list[str], db: str) -> Record:
    return build_record(
        original=original,
        location=location,
        warnings=warnings,
        title=first(original, "TI", "BTI", "TT"),
        abstract=first(original, "AB"),
        # FAU has full names ("Brinjikji, Waleed"); AU initials ("Brinjikji W").
        authors=values(original, "FAU") or values(original, "AU"),
        year=first(original, "DP"),
        year_field="DP",
        journal=first(original, "JT", "TA"),
        volume=first(original, "VI"),
        issue=first(original, "IP"),
        pages=first(original, "PG"),
        doi=next(iter(_typed_ids(original, "doi")), None),
        pmid=first(original, "PMID"),
        issn=first(original, "IS"),
        keywords=values(original, "MH", "OT"),
        language=first(original, "LA"),
        type=first(original, "PT"),
        source_database=db,
    )


def read(source: Source) -> Parsed:
    """Read a MEDLINE-format file."""
    blocks: list[list[tuple[int, str]]] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate(source.text.split("\n"), start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    if not blocks:
        raise DataError(
            "no MEDLINE records found",
            location=InputLocation(file=source.name),
            hint="Check that this is a PubMed export in 'PubMed' (MEDLINE) format",
        )
    records: list[Record] = []
    problems: list[DataError] = []
    warnings: list[str] = []
    for lines in blocks:
        original, problem = _parse_block(lines, source.name)
        if problem is not None:
            problems.append(problem)
            continue
        # A PubMed Central export starts each record with PMC and lacks PubMed's OWN/STAT.
        from_pmc = next(iter(original)) == "PMC" and "OWN" not in original
        db = source.source_database or ("PubMed Central" if from_pmc else "PubMed")
        location = InputLocation(file=source.name, line=lines[0][0])
        records.append(_record(original, location, warnings, db))
    return Parsed(records=records, problems=problems, warnings=warnings)


def sniff(sample: SniffInput) -> bool:
    """A MEDLINE file has a ``PMID-`` or ``PMC -`` line."""
    return sample.text is not None and _SNIFF.search(sample.text) is not None


READER = Reader(
    name="nbib",
    label="PubMed MEDLINE format (.nbib)",
    extensions=(".nbib", ".txt", ".medline"),
    sniff=sniff,
    read=read,
)
