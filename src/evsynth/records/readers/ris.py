"""RIS exports (Embase, Ovid, ProQuest, Scopus, Web of Science, EndNote, Zotero, Rayyan).

Traps handled, each seen in real exports:

- the abstract is in ``AB`` or, in Ovid and Embase, in ``N2``;
- a UTF-8 byte-order mark before the first ``TY`` (removed when decoding);
- blank lines and record numbers (``1.``) before a record, and lines Ovid appends after
  ``ER`` (``NL  - ...``, "Link to the Ovid Full Text..."): ignored, with one warning;
- values continued on following lines (joined with a space; for ``KW`` each line is one
  keyword, as Rayyan writes them);
- tags no standard defines (``JP``, ``VO``, ``WE``): kept in ``Record.original``;
- a missing ``ER`` before the next ``TY`` or at the end of the file (truncated export): a
  problem record.
"""

from __future__ import annotations

import re

from evsynth._core.errors import DataError, InputLocation
from evsynth.records.model import Record
from evsynth.records.normalise import build_record, doi_from_url, join_pages, normalise_doi
from evsynth.records.readers._tagged import (
    Original,
    RisTags,
    first,
    parse_one,
    split_records,
    stray_warning,
    values,
)
from evsynth.records.registry import Parsed, Reader, SniffInput, Source

_TY_LINE = re.compile(r"^TY  -", re.MULTILINE)
# Ovid's record links name the database segment: D=psyc16 is PsycINFO 2016-.
_OVID_SEGMENT = re.compile(r"ovid.*[?&]D=([a-z]+)", re.IGNORECASE)
_OVID_DATABASES = {"psyc": "PsycINFO", "emed": "Embase", "emez": "Embase", "medl": "MEDLINE"}


def tag_of(line: str) -> str | None:
    """The tag of a RIS line (``"AU  - Smith"`` → ``"AU"``), or ``None``; as rispy decides."""
    if line[2:5] == "  -" and line[:2].isupper() and line[:1].isalpha():
        return line[:2]
    return None


def _database(original: Original) -> str | None:
    named = first(original, "DB", "DP")
    if named:
        return named
    accession = first(original, "AN") or ""
    if accession.upper().startswith("WOS:") or "WE" in original:
        return "Web of Science"
    for link in values(original, "L2", "UR"):
        match = _OVID_SEGMENT.search(link)
        if match:
            for prefix, database in _OVID_DATABASES.items():
                if match.group(1).lower().startswith(prefix):
                    return database
    return None


def _pmid(original: Original, database: str | None) -> str | None:
    # Where each exporter puts the PubMed identifier; elsewhere AN and C-tags hold other ids.
    name = (database or "").lower()
    if "embase" in name:
        return first(original, "C5")
    if "scopus" in name:
        return first(original, "C2")
    if name in ("nlm", "pubmed", "medline"):
        return first(original, "AN")
    return None


def _doi(original: Original) -> str | None:
    for value in values(original, "DO", "DI"):
        doi = normalise_doi(value)
        if doi:
            return doi
    for link in values(original, "UR", "L2", "L1", "L3", "LK"):
        doi = doi_from_url(link)
        if doi:
            return doi
    return None


def record_from_tags(
    original: Original, location: InputLocation, warnings: list[str], caller_db: str | None
) -> Record:
    """Build a record from the tags of one RIS record."""
    database = _database(original)
    year_tag = next((t for t in ("PY", "Y1", "DA") if first(original, t)), "PY")
    return build_record(
        original=original,
        location=location,
        warnings=warnings,
        # ST (short title) only when nothing better exists: a record without a title cannot
        # be screened, and exports give ST the title or a shortened form of it.
        title=first(original, "TI", "T1", "CT", "ST"),
        abstract=first(original, "AB", "N2"),
        authors=values(original, "AU") or values(original, "A1"),
        year=first(original, year_tag),
        year_field=year_tag,
        journal=first(original, "JF", "T2", "JO", "JA", "J2", "J1"),
        volume=first(original, "VL", "VO"),
        issue=first(original, "IS", "CP"),
        pages=join_pages(first(original, "SP"), first(original, "EP")),
        doi=_doi(original),
        pmid=_pmid(original, database),
        issn=first(original, "SN"),
        keywords=values(original, "KW"),
        language=first(original, "LA"),
        type=first(original, "TY"),
        url=next((u for u in values(original, "UR", "L2") if u.startswith("http")), None),
        source_database=caller_db or database,
    )


def read(source: Source) -> Parsed:
    """Read a RIS file."""
    split = split_records(
        source.text,
        name=source.name,
        tag_of=tag_of,
        start="TY",
        end="ER",
        start_line="TY  - ",
        end_line="ER  - ",
    )
    if not split.chunks and not split.problems:
        raise DataError(
            "no RIS records found: no line starts with 'TY  - '",
            location=InputLocation(file=source.name),
            hint="Check that this is a RIS export, or pass the right format=",
        )
    parser = RisTags()
    warnings = stray_warning(source.name, split.stray)
    records: list[Record] = []
    for chunk in split.chunks:
        location = InputLocation(file=source.name, line=chunk.line)
        original = parse_one(parser, chunk.lines)
        record = record_from_tags(original, location, warnings, source.source_database)
        records.append(record)
    return Parsed(records=records, problems=split.problems, warnings=warnings)


def sniff(sample: SniffInput) -> bool:
    """A RIS file has a line starting ``TY  -``."""
    return sample.text is not None and _TY_LINE.search(sample.text) is not None


READER = Reader(
    name="ris",
    label="RIS",
    extensions=(".ris", ".txt"),
    sniff=sniff,
    read=read,
)
