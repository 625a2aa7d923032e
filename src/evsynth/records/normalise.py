"""Normalise the fields that readers extract: DOIs, years, author names, ISSNs, pages.

Readers pick the raw values from their format and hand them to :func:`build_record`, so
every format is normalised by the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

from evsynth._core.errors import InputLocation
from evsynth.records.model import Record

# Crossref's advice is 10.<4-9 digits>/<suffix>; suffixes may hold any printable character
# (SICI DOIs contain ';', '<', '>'), so the suffix runs to the next whitespace.
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# A four-digit group not inside a longer number ("2014//", "2018 Apr", "2019.0").
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
# Bounds that keep ISBN fragments, page numbers and accession numbers out of ``year``.
_YEAR_MIN, _YEAR_MAX = 1000, 2100
_ISSN = re.compile(r"(?<![\dXx])(\d{4})-?(\d{3}[\dXx])(?![\dXx])")
# Initials as databases write them after a surname: "R.", "D.G.", "DG", "J.-P.".
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")

_DATABASES = {
    "embase": "Embase",
    "medline": "MEDLINE",
    "ovid medline(r)": "MEDLINE",
    "ovid medline": "MEDLINE",
    "pubmed": "PubMed",
    # RIS ``DP - NLM`` (EndNote's PubMed import) names the provider of PubMed.
    "nlm": "PubMed",
    "psycinfo": "PsycINFO",
    "apa psycinfo": "PsycINFO",
    "scopus": "Scopus",
    "web of science": "Web of Science",
    "cinahl": "CINAHL",
}


def clean(value: object) -> str | None:
    """Collapse whitespace to single spaces; ``None`` for missing or blank values."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def normalise_doi(value: str | None) -> str | None:
    """The DOI in ``value``, lower-cased, without resolver prefix or trailing punctuation.

    DOIs are case-insensitive (DOI Handbook, section 2.4), so lower case makes them comparable.

    Examples
    --------
    >>> normalise_doi("https://doi.org/10.1002/CPP.2398")
    '10.1002/cpp.2398'
    >>> normalise_doi("doi: 10.1136/neurintsurg-2017-013179.")
    '10.1136/neurintsurg-2017-013179'
    >>> normalise_doi("10.15598%2Faeee.v16i3.2698") is not None
    True
    >>> normalise_doi("not available") is None
    True
    """
    if not value:
        return None
    text = value.strip()
    if _PERCENT_ESCAPE.search(text):
        # Some exports URL-encode the slash ("10.15598%2faeee..."); a real DOI has no '%'.
        text = unquote(text)
    match = _DOI.search(text)
    if match is None:
        return None
    return match.group(0).rstrip(".,;").lower()


def doi_from_url(value: str | None) -> str | None:
    """The DOI of a ``https://doi.org/...`` link; ``None`` for any other URL."""
    if not value:
        return None
    match = _DOI_URL.match(value.strip())
    return normalise_doi(match.group(1)) if match else None


def parse_year(value: str | None) -> int | None:
    """The first plausible four-digit year in ``value`` (1000 to 2100), else ``None``.

    Examples
    --------
    >>> parse_year("2014//"), parse_year("2018 Apr"), parse_year("10 15")
    (2014, 2018, None)
    """
    if not value:
        return None
    for match in _YEAR.finditer(value):
        year = int(match.group(1))
        if _YEAR_MIN <= year <= _YEAR_MAX:
            return year
    return None


def normalise_author(name: str | None) -> str | None:
    """``"Surname, Given"`` from the forms databases export.

    ``"Shannon,Claude E."`` gains its space; ``"Adler D.G."`` (Embase) and ``"Pereira VM"``
    (PubMed ``AU``) become ``"Adler, D.G."`` and ``"Pereira, VM"``. A name without a comma
    whose last word is not initials (a group such as ``"WHO Study Group"``) is kept as written,
    because ``"Given Surname"`` cannot be told from a group name outside BibTeX.
    """
    text = clean(name)
    if text is None:
        return None
    if "," in text:
        surname, given = text.split(",", 1)
        surname, given = surname.strip(), given.strip()
        if not surname:
            return given or None
        return f"{surname}, {given}" if given else surname
    words = text.split(" ")
    if len(words) >= 2 and _INITIALS.match(words[-1]):
        return f"{' '.join(words[:-1])}, {words[-1]}"
    return text


def split_authors(value: str | None) -> list[str]:
    """Split an author cell of a spreadsheet into names.

    Authors are separated by ``;`` or new lines. Without those, a comma separates authors only
    when every piece is ``"Surname Initials"`` (Embase's ``"Liu R., Adler D.G."``); otherwise
    the comma is the one inside ``"Surname, Given"``.
    """
    text = (value or "").strip()
    if not text:
        return []
    if ";" in text or "\n" in text:
        pieces = re.split(r"[;\n]", text)
    else:
        parts = [p.strip() for p in text.split(",")]
        surname_initials = all(
            len(p.split()) >= 2 and _INITIALS.match(p.split()[-1]) for p in parts if p
        )
        pieces = parts if len(parts) > 1 and surname_initials else [text]
    return [p.strip() for p in pieces if p.strip()]


def normalise_issn(value: str | None) -> str | None:
    """The first ISSN in ``value`` as ``"NNNN-NNNC"``; ``None`` when there is none (e.g. ISBN)."""
    if not value:
        return None
    match = _ISSN.search(value)
    if match is None:
        return None
    return f"{match.group(1)}-{match.group(2).upper()}"


def join_pages(start: str | None, end: str | None = None) -> str | None:
    """``"start-end"`` from separate page fields; en dashes and BibTeX ``--`` become ``-``."""
    first, last = clean(start), clean(end)
    if first and last and first.lower() == "no" and last.lower() == "specified":
        # Ovid splits "No page specified" over SP ("No") and EP ("Specified").
        return None
    pages = f"{first}-{last}" if first and last and last != first and "-" not in first else None
    pages = pages or first or last
    if pages is None:
        return None
    return re.sub(r"\s*(?:--|–|—)\s*", "-", pages)


def normalise_database(value: str | None) -> str | None:
    """A canonical spelling for well-known databases (``"Medline"`` → ``"MEDLINE"``)."""
    text = clean(value)
    if text is None:
        return None
    return _DATABASES.get(text.lower(), text)


def build_record(
    *,
    original: dict[str, list[str] | str],
    location: InputLocation,
    warnings: list[str],
    title: str | None = None,
    abstract: str | None = None,
    authors: Iterable[str] = (),
    year: str | None = None,
    year_field: str = "year",
    journal: str | None = None,
    volume: str | None = None,
    issue: str | None = None,
    pages: str | None = None,
    doi: str | None = None,
    pmid: str | None = None,
    issn: str | None = None,
    keywords: Iterable[str] = (),
    language: str | None = None,
    type: str | None = None,
    url: str | None = None,
    source_database: str | None = None,
) -> Record:
    """A :class:`Record` from raw values, normalised by the rules of this module.

    A year that is present but cannot be read is not an error (the record is still usable
    for screening, and ``original`` keeps the value); it adds a message to ``warnings``.
    """
    year_value = parse_year(year)
    if year_value is None and clean(year):
        where = InputLocation(
            file=location.file, line=location.line, row=location.row, field=year_field
        )
        warnings.append(f"{where}: no year in {clean(year)!r}; year left empty")
    pmid_text = clean(pmid)
    names = (normalise_author(a) for a in authors)
    return Record(
        title=clean(title),
        abstract=clean(abstract),
        authors=tuple(n for n in names if n),
        year=year_value,
        journal=clean(journal),
        volume=clean(volume),
        issue=clean(issue),
        pages=join_pages(pages),
        doi=normalise_doi(doi),
        pmid=pmid_text if pmid_text and pmid_text.isdigit() else None,
        issn=normalise_issn(issn),
        keywords=tuple(k for k in (clean(k) for k in keywords) if k),
        language=clean(language),
        type=clean(type),
        url=clean(url),
        source_database=normalise_database(source_database),
        original=original,
        location=location,
    )
