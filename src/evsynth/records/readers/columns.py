"""Map the columns of a spreadsheet export (CSV, XLSX) to record fields.

Column names are compared after lower-casing and dropping everything but letters and
digits, so ``Title``, ``TITLE``, ``"Publication Year"`` and ``publication_year`` all match.
For each field the first column, in file order, whose name is one of its aliases is used;
every column is kept in ``Record.original`` under its name as written.

The aliases cover the tags of RIS and Web of Science (``TI``, ``AB``, ``PY``), the names
rispy and asreview give them (``primary_title``, ``notes_abstract``, ``first_authors``,
``publication_year``), and the column headings of database CSV exports (Embase
``Author Names``, Scopus ``Source title``, Web of Science ``Article Title``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from evsynth._core.errors import DataError, InputLocation
from evsynth.records.model import Record
from evsynth.records.normalise import build_record, join_pages, split_authors
from evsynth.records.readers._tagged import Original, add_value
from evsynth.records.registry import Parsed

ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "primarytitle", "ti", "t1", "articletitle", "documenttitle"),
    "abstract": ("abstract", "ab", "notesabstract", "n2", "abstractnote"),
    "authors": (
        "authors",
        "author",
        "au",
        "firstauthors",
        "a1",
        "authornames",
        "authorfullnames",
        "af",
    ),
    "year": ("year", "publicationyear", "py", "pubyear", "yearpublished", "y1"),
    "journal": (
        "journal",
        "journaltitle",
        "journalname",
        "sourcetitle",
        "publicationtitle",
        "secondarytitle",
        "alternatetitle3",
        "jf",
        "t2",
        "so",
    ),
    "volume": ("volume", "vl"),
    "issue": ("issue", "number", "is"),
    "pages": ("pages", "page", "pg", "pagination"),
    "start_page": ("startpage", "sp", "beginningpage", "pagestart", "bp"),
    "end_page": ("endpage", "ep", "endingpage", "pageend"),
    "doi": ("doi", "do", "di"),
    "pmid": ("pmid", "pubmedid"),
    "issn": ("issn", "sn"),
    "keywords": ("keywords", "keyword", "kw", "authorkeywords", "de"),
    "language": ("language", "la", "languageoforiginaldocument"),
    "type": ("type", "typeofreference", "ty", "documenttype", "itemtype"),
    "url": ("url", "urls", "ur", "link"),
    "source_database": ("sourcedatabase", "database", "db"),
}
_FIELD_OF = {alias: name for name, aliases in ALIASES.items() for alias in aliases}


def cell_list(value: str | None, separators: str = ";\n") -> list[str]:
    """Values of a multi-valued cell: ``"a; b"``, one per line, or a Python list literal.

    asreview and pandas write lists as ``"['Marx, Karl', 'Lindgren, Astrid']"``; that form is
    read with :func:`ast.literal_eval`, which evaluates literals only, never code.
    """
    text = (value or "").strip()
    if len(text) > 3 and text[0] == "[" and text[-1] == "]" and text[1] in "'\"":
        try:
            items = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            items = None
        if isinstance(items, list) and all(isinstance(i, str) for i in items):
            return [i.strip() for i in items if i.strip()]
    return [p.strip() for p in re.split(f"[{separators}]", text) if p.strip()]


def key(column: str) -> str:
    """A column name reduced for matching: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", column.lower())


def map_columns(header: list[str]) -> dict[str, int]:
    """Field name → index of the first column that provides it."""
    mapping: dict[str, int] = {}
    for index, column in enumerate(header):
        name = _FIELD_OF.get(key(column))
        if name is not None and name not in mapping:
            mapping[name] = index
    return mapping


def looks_like_header(header: list[str]) -> bool:
    """Whether a header row names a title or abstract column (used for sniffing)."""
    fields = map_columns(header)
    return "title" in fields or "abstract" in fields


def _authors(value: str | None) -> list[str]:
    listed = cell_list(value)
    if len(listed) == 1:
        return split_authors(listed[0])  # "Liu R., Adler D.G." needs the comma rule
    return listed


def table_records(
    header: list[str],
    rows: Iterable[tuple[InputLocation, list[str]]],
    *,
    name: str,
    caller_db: str | None,
) -> Parsed:
    """Records from the rows of a table, each with its location and cells as text.

    A row whose number of cells differs from the header's is a problem record: its values
    can no longer be matched to columns (usually a delimiter inside an unquoted value).
    """
    mapping = map_columns(header)
    if "title" not in mapping and "abstract" not in mapping:
        raise DataError(
            "found no title or abstract column among: " + ", ".join(map(repr, header[:30])),
            location=InputLocation(file=name, line=1),
            hint="Name the title column 'title' and the abstract column 'abstract' (other "
            "fields: authors, year, journal, doi, pmid, ...)",
        )
    records: list[Record] = []
    problems: list[DataError] = []
    warnings: list[str] = []
    width = len(header)
    for location, cells in rows:
        if not any(c.strip() for c in cells):
            continue  # a blank line or row is not a record
        if len(cells) != width:
            problems.append(
                DataError(
                    f"row has {len(cells)} values but the header has {width} columns",
                    location=location,
                    hint="Quote values that contain the delimiter, or export the file again",
                )
            )
            continue
        original: Original = {}
        for column, cell in zip(header, cells, strict=True):
            add_value(original, column, cell)
        get = {field: cells[index] for field, index in mapping.items()}.get
        year_column = header[mapping["year"]] if "year" in mapping else "year"
        records.append(
            build_record(
                original=original,
                location=location,
                warnings=warnings,
                title=get("title"),
                abstract=get("abstract"),
                authors=_authors(get("authors")),
                year=get("year"),
                year_field=year_column,
                journal=get("journal"),
                volume=get("volume"),
                issue=get("issue"),
                pages=get("pages") or join_pages(get("start_page"), get("end_page")),
                doi=get("doi"),
                pmid=get("pmid"),
                issn=get("issn"),
                keywords=cell_list(get("keywords")),
                language=get("language"),
                type=get("type"),
                url=get("url"),
                source_database=caller_db or get("source_database"),
            )
        )
    return Parsed(records=records, problems=problems, warnings=warnings)
