"""BibTeX and BibLaTeX files, parsed with bibtexparser 2.

Field names are case-insensitive in BibTeX, so ``Record.original`` keys them in lower case,
plus ``ENTRYTYPE`` and ``ID`` (the citation key). LaTeX in text fields (accents, ``\\&``,
protective braces) is decoded with pylatexenc, which bibtexparser itself depends on; DOIs
and URLs are left alone because LaTeX decoding would treat ``%`` as a comment.

A block bibtexparser cannot parse is a problem record at its line. An entry whose key
repeats an earlier one is still a record (exports from several searches repeat keys; the
duplicates are for deduplication to find), and so is an entry with a repeated field.
"""

from __future__ import annotations

import re

from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.middlewares import RemoveEnclosingMiddleware, ResolveStringReferencesMiddleware
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
)
from pylatexenc.latex2text import LatexNodes2Text

from evsynth._core.errors import DataError, InputLocation
from evsynth.records.model import Record
from evsynth.records.normalise import build_record
from evsynth.records.readers._tagged import Original, add_value, first, values
from evsynth.records.registry import Parsed, Reader, SniffInput, Source

_SNIFF = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_LATEX = LatexNodes2Text(math_mode="verbatim")
_TEXT_FIELDS = frozenset({"title", "abstract", "journal", "journaltitle", "booktitle"})


def _latex(value: str) -> str:
    if "\\" not in value and "{" not in value:
        return value
    return str(_LATEX.latex_to_text(value))


def _split_names(value: str) -> list[str]:
    """Split an author list on `` and `` outside braces (``{Smith and Sons}`` is one name)."""
    names: list[str] = []
    depth = 0
    start = 0
    for match in re.finditer(r"[{}]|\s+and\s+", value):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            names.append(value[start : match.start()])
            start = match.end()
    names.append(value[start:])
    return [n.strip() for n in names if n.strip()]


def _name(raw: str) -> str:
    """``"Last, First"`` from a BibTeX name (``"First von Last"`` or ``"von Last, First"``)."""
    if raw.startswith("{") and raw.endswith("}"):
        return _latex(raw)  # a braced name is a group, written as is
    if "," in raw:
        return _latex(raw)
    words = raw.split()
    if len(words) < 2:
        return _latex(raw)
    # "Ludwig van Beethoven": the surname starts at the first lower-case word (the von part).
    cut = next((i for i in range(1, len(words) - 1) if words[i][:1].islower()), len(words) - 1)
    return _latex(f"{' '.join(words[cut:])}, {' '.join(words[:cut])}")


def _original(entry: Entry) -> Original:
    original: Original = {"ENTRYTYPE": entry.entry_type, "ID": entry.key}
    for item in entry.fields:
        add_value(original, item.key.lower(), str(item.value))
    return original


def _record(entry: Entry, name: str, warnings: list[str], caller_db: str | None) -> Record:
    original = _original(entry)
    line = entry.start_line + 1 if entry.start_line is not None else None

    def text(*keys: str) -> str | None:
        value = first(original, *keys)
        return _latex(value) if value is not None and keys[0] in _TEXT_FIELDS else value

    authors = [_name(n) for value in values(original, "author") for n in _split_names(value)]
    keywords = [k for value in values(original, "keywords") for k in re.split(r"[;,]", value)]
    return build_record(
        original=original,
        location=InputLocation(file=name, line=line),
        warnings=warnings,
        title=text("title"),
        abstract=text("abstract"),
        authors=authors,
        year=first(original, "year", "date"),
        year_field="year",
        journal=text("journal", "journaltitle", "booktitle"),
        volume=first(original, "volume"),
        issue=first(original, "number", "issue"),
        pages=first(original, "pages"),
        doi=first(original, "doi"),
        pmid=first(original, "pmid"),
        issn=first(original, "issn"),
        keywords=[_latex(k) for k in keywords],
        language=first(original, "language", "langid"),
        type=entry.entry_type,
        url=first(original, "url"),
        source_database=caller_db,
    )


def _as_parsed(entry: Entry, library: Library) -> Entry:
    """Apply the default parse stack to an entry bibtexparser set aside as a duplicate.

    bibtexparser runs its middlewares only on the blocks it keeps, so a duplicate-key entry
    still has its braces and unresolved @string names.
    """
    alone = Library(blocks=[*library.strings, entry])
    for middleware in (
        ResolveStringReferencesMiddleware(allow_inplace_modification=False),
        RemoveEnclosingMiddleware(allow_inplace_modification=False),
    ):
        alone = middleware.transform(alone)
    return alone.entries[0]


def read(source: Source) -> Parsed:
    """Read a BibTeX file."""
    library = parse_string(source.text)
    records: list[Record] = []
    problems: list[DataError] = []
    warnings: list[str] = []
    for block in library.blocks:
        line = block.start_line + 1 if block.start_line is not None else None
        where = InputLocation(file=source.name, line=line)
        if isinstance(block, Entry):
            records.append(_record(block, source.name, warnings, source.source_database))
        elif isinstance(block, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock):
            entry = block.ignore_error_block
            if isinstance(entry, Entry):
                warnings.append(f"{where}: {block.error}; the entry is read all the same")
                if isinstance(block, DuplicateBlockKeyBlock):
                    entry = _as_parsed(entry, library)
                records.append(_record(entry, source.name, warnings, source.source_database))
        elif isinstance(block, ParsingFailedBlock):
            raw = (block.raw or "").strip().split("\n")[0][:60]
            # BlockAbortedException keeps its reason in an attribute, not in str().
            reason = getattr(block.error, "abort_reason", None) or str(block.error)
            problems.append(
                DataError(
                    f"BibTeX block {raw!r} cannot be parsed: {' '.join(reason.split())}",
                    location=where,
                    hint="Check its braces and quotes (a missing '}' or ',' is usual), or "
                    "export the file again",
                )
            )
    if not records and not problems:
        raise DataError(
            "no BibTeX entries found",
            location=InputLocation(file=source.name),
            hint="Check that this is a BibTeX export (entries look like '@article{key, ...}')",
        )
    return Parsed(records=records, problems=problems, warnings=warnings)


def sniff(sample: SniffInput) -> bool:
    """A BibTeX file has a line starting ``@type{``."""
    return sample.text is not None and _SNIFF.search(sample.text) is not None


READER = Reader(
    name="bibtex",
    label="BibTeX",
    extensions=(".bib", ".bibtex"),
    sniff=sniff,
    read=read,
)
