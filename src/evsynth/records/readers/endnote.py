"""EndNote XML exports (``File > Export``, type "XML"): ``<xml><records><record>...``.

EndNote wraps most text in ``<style face=... font=... size=...>`` elements, sometimes
several per field; the text of a field is all text inside it. ``Record.original`` holds
every field under its path below ``<record>`` (``"titles/title"``,
``"contributors/authors/author"``; attributes as ``"ref-type@name"``).

An XML syntax error makes the whole file unreadable (XML cannot be resumed after an error),
so it is raised for the file whatever ``on_error`` says.
"""

from __future__ import annotations

import re

from lxml import etree

from evsynth._core.errors import DataError, InputLocation
from evsynth.records.model import Record
from evsynth.records.normalise import build_record
from evsynth.records.readers._tagged import Original, add_value, first, values
from evsynth.records.registry import Parsed, Reader, SniffInput, Source

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_SNIFF = re.compile(r"<records>\s*<record>")
# Element names that only format text; their text belongs to the enclosing field.
_FORMATTING = frozenset({"style"})


def _text(element: etree._Element) -> str:
    return "".join(element.itertext())


def _flatten(element: etree._Element, prefix: str, original: Original) -> None:
    """Store the text of each field below ``element`` under its path."""
    for name, value in element.attrib.items():
        add_value(original, f"{prefix}@{name}" if prefix else f"@{name}", str(value))
    children = [c for c in element if isinstance(c.tag, str)]
    fields = [c for c in children if c.tag not in _FORMATTING]
    if prefix and not fields:
        add_value(original, prefix, _text(element).strip())
        return
    for child in fields:
        path = f"{prefix}/{child.tag}" if prefix else str(child.tag)
        _flatten(child, path, original)


def _record(
    element: etree._Element,
    location: InputLocation,
    warnings: list[str],
    caller_db: str | None,
) -> Record:
    original: Original = {}
    _flatten(element, "", original)
    database = first(original, "remote-database-name", "remote-database-provider")
    accession = first(original, "accession-num")
    # accession-num is a PubMed id only when the record came from PubMed or MEDLINE.
    from_pubmed = database is not None and re.search(r"pubmed|medline", database, re.I)
    return build_record(
        original=original,
        location=location,
        warnings=warnings,
        title=first(original, "titles/title"),
        abstract=first(original, "abstract"),
        authors=values(original, "contributors/authors/author"),
        year=first(original, "dates/year"),
        year_field="dates/year",
        journal=first(
            original, "periodical/full-title", "titles/secondary-title", "periodical/abbr-1"
        ),
        volume=first(original, "volume"),
        issue=first(original, "number", "issue"),
        pages=first(original, "pages"),
        doi=first(original, "electronic-resource-num"),
        pmid=accession if from_pubmed else None,
        issn=first(original, "isbn"),
        keywords=values(original, "keywords/keyword"),
        language=first(original, "language"),
        type=first(original, "ref-type@name", "ref-type"),
        url=first(original, "urls/related-urls/url", "urls/web-urls/url"),
        source_database=caller_db or database,
    )


def read(source: Source) -> Parsed:
    """Read an EndNote XML file."""
    # The text is already decoded by evsynth's rule; lxml refuses a str that still
    # declares an encoding, so the declaration goes.
    body = _DECLARATION.sub("", source.text, count=1).encode("utf-8")
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DataError(
            f"not well-formed XML: {exc.msg}",
            location=InputLocation(file=source.name, line=exc.lineno),
            hint="Export the library from EndNote again (File > Export, type XML); a file "
            "cut short in copying ends inside a record",
        ) from None
    elements = root.findall("./records/record")
    if root.tag != "xml" or not elements:
        raise DataError(
            f"not an EndNote XML export: expected <xml><records><record>, found <{root.tag}>",
            location=InputLocation(file=source.name, line=root.sourceline),
            hint="Export from EndNote with File > Export, type XML",
        )
    warnings: list[str] = []
    # EndNote writes the whole export on one line, so the record's position (as ``row``)
    # is what tells records apart in messages.
    records = [
        _record(
            element,
            InputLocation(file=source.name, line=element.sourceline, row=number),
            warnings,
            source.source_database,
        )
        for number, element in enumerate(elements, start=1)
    ]
    return Parsed(records=records, warnings=warnings)


def sniff(sample: SniffInput) -> bool:
    """An EndNote XML file has ``<records><record>`` near its start."""
    return sample.text is not None and _SNIFF.search(sample.text[:4096]) is not None


READER = Reader(
    name="endnote",
    label="EndNote XML",
    extensions=(".xml",),
    sniff=sniff,
    read=read,
)
