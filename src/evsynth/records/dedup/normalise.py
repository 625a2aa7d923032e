"""Normalise bibliographic fields so that one reference exported by two databases compares equal.

Each function takes one raw value (a cell of the input frame, possibly missing) and returns a
canonical form. Missing or unusable values come back as ``""`` (text) or ``None`` (numbers), so
that comparisons can tell "absent" from "different": an absent field never counts against a
pair, a different one does.

The rules follow what database exports actually do to a reference (see the McKeown & Mir 2021
sets in ``tests/data/dedup``): MEDLINE wraps translated titles in brackets and appends
"[Chinese]" or "[Erratum appears in ...]"; Embase appends ".Conference: ..." to the journal;
Ovid abbreviates page ranges ("73-6"); BibTeX escapes diacritics and HTML entities.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Iterable

# Languages that MEDLINE and Embase put in brackets after a translated title ("[Chinese]").
_LANGUAGES = (
    "afrikaans arabic bulgarian catalan chinese croatian czech danish dutch english estonian "
    "finnish french georgian german greek hebrew hungarian icelandic indonesian italian japanese "
    "korean latvian lithuanian malay norwegian persian polish portuguese romanian russian "
    "serbian slovak slovene slovenian spanish swedish thai turkish ukrainian vietnamese"
).split()
_LANGUAGE_TAG = re.compile(
    r"\[\s*(?:in\s+)?(?:" + "|".join(_LANGUAGES) + r")(?:\s*(?:,|and|&)\s*[a-z]+)*\s*\]",
    re.IGNORECASE,
)
# MEDLINE notes appended to the *original* article's title ("[Erratum appears in ...]",
# "[Comment in ...]"). They are annotations, not part of the title, and may be cut off by the
# export's field length limit (hence ``(?:\]|$)``). Only notes after some title text count,
# so that a translated title "[Update on ...]" is kept.
_MEDLINE_NOTE = re.compile(
    r"(?<=\S)\s*\[\s*(?:erratum|corrected and republished|retraction|retracted|comment|update"
    r"|republished|expression of concern|summary for patients|partial retraction|reprint)"
    r"(?:\s+(?:appears\s+)?(?:in|on|from|to|of|for)\b|\s*:)[^\]]*(?:\]|$)"
    # A second note cut off right after its first word (".[Erratum").
    r"|(?<=\S)\s*\[\s*(?:erratum|comment|retraction|update)\W*$",
    re.IGNORECASE,
)
# Embase marks letters "(multiple letters)" and numbers them "[1]"; neither is in the title.
_LETTER_MARK = re.compile(r"\(\s*multiple letters\s*\)|\[\s*\d{1,2}\s*\]\W*$", re.IGNORECASE)
# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "ı": "i",
        "þ": "th",
        "Þ": "Th",
    }
)
_COMBINING_MARK = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# "64,000" and "64 000" are 64000, as another export writes it.
_THOUSANDS = re.compile(r"(\d)[,\s\u2009\u202f](\d{3})(?!\d)")
_HTML_TAG = re.compile(r"<[^>]{1,40}>")
_LATEX_ACCENT = re.compile(r"\{\\.\s*\{?(\w)\}?\}|\\[`'^\"~=.uvHckr]\{?(\w)\}?")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"\d+")
# Roman numerals that number parts, phases and series. "ii" to "ix" are read anywhere (as
# words they are rare, and two records of one report carry them alike); "i", "v" and "x" only
# after these words, so that the pronoun "I" and the letter "v" are not taken for numbers.
_ROMAN_ANYWHERE = re.compile(r"\b(ii|iii|iv|vi|vii|viii|ix)\b")
_ROMAN_CONTEXT = re.compile(
    r"\b(?:part|phase|type|stage|grade|class|series|volume|vol|section|trial|study|report)"
    r"\s+(i|v|x)\b"
)
_ROMAN_VALUE = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
}

# Words dropped from journal names before comparing them: abbreviation lists (ISO 4, NLM)
# leave them out, so "J Am Soc Nephrol" must meet "Journal of the American Society of ...".
_JOURNAL_STOPWORDS = frozenset(
    "the of and for in on de la le les der die das und y e del della di du des an a".split()
)
# Embase appends the meeting to the journal ("Blood.Conference: 53rd ASH Annual Meeting").
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_CONFERENCE_SUFFIX = re.compile(r"[.:;,]?\s*(?:conference|congress|meeting)\s*:.*$", re.IGNORECASE)

# What kind of item a title announces. An erratum, a reply or a retraction notice shares its
# title with the article it concerns; merging the two would drop one of them from the review.
# Words that also open ordinary titles ("Correction of anemia ...", "Withdrawal of
# life-sustaining treatment", "Response to treatment ...") count only with the punctuation or
# words that mark a notice.
_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "erratum",
        re.compile(
            r"^\W*(?:erratum|errata|corrigend(?:um|a)|notice of (?:correction|erratum))\b"
            r"|^\W*(?:correction|corrections|addendum)\s*(?::|\bto\b|\bnotice\b|\W*$)"
            r"|\(\s*vol\.?\s*\d+\s*,?\s*p(?:g|p|age)?\.?\s*\w+"
            r"|\((?:[^()]|\([^()]*\))*\(\s*(?:19|20)\d\d\s*\)\s*\d+\s*[(:]"
            r"\s*[\w\s\-–]+\)?\s*\)\W*$",
            re.IGNORECASE,
        ),
    ),
    (
        "retraction",
        re.compile(
            r"^\W*(?:notice of retraction|expression of concern)\b"
            r"|^\W*retraction\s*(?::|\bnote\b|\bnotice\b|\bstatement\b|\bof\s*[\"“'‘])"
            r"|^\W*(?:retracted|withdrawn|withdrawal)\s*(?::|\barticle\b|\bnotice\b)",
            re.IGNORECASE,
        ),
    ),
    (
        "reply",
        re.compile(
            r"^\W*(?:reply|in reply|authors?'? reply|author'?s'? reply|authors?'? response"
            r"|rejoinder)\b"
            r"|^\W*response\s*(?::|to (?:the )?(?:letter|comment|commentary|correspondence"
            r"|editorial|critique|criticism|dr\b|drs\b|[a-z'-]+ et al\b))"
            r"|[-–:.]\s*(?:reply|response|author'?s'? reply|authors?'? response|rejoinder)\W*$",
            re.IGNORECASE,
        ),
    ),
    (
        "comment",
        re.compile(
            r"^\W*(?:comment(?:ary)?\s*(?:on\b|to\b|:)|re\s*:|letter to the editor\s*:?)",
            re.IGNORECASE,
        ),
    ),
)

_ERRATUM_PREFIX = re.compile(
    r"^\W*(?:erratum|errata|corrigend(?:um|a)|correction(?:s)?|addendum)"
    r"(?:\s+(?:to|for|in|on))?\s*[:.\-]?\s*",
    re.IGNORECASE,
)
# What marks a reply or a comment in its title ("... - Reply", "Comment on: ..."). Stripped, the
# rest is the title of the item replied to, so that a reply can be linked to it as a companion
# (:mod:`.companions`); the kind is kept apart, so it never meets the item as a duplicate.
_NOTICE_PREFIX = re.compile(
    r"^\W*(?:(?:in reply|reply|authors?'? reply|author'?s'? reply|authors?'? response|rejoinder"
    r"|comment(?:ary)?|letter to the editor)\b\s*(?:(?:on|to)\b)?|re\b(?=\s*:))\s*[:.\-]?\s*",
    re.IGNORECASE,
)
_RETRACTION_PREFIX = re.compile(
    r"^\W*(?:notice of retraction|expression of concern|retraction(?:\s+(?:notice|note|statement))?"
    r"|(?:retracted|withdrawn)(?:\s+article)?|withdrawal(?:\s+notice)?)"
    r"(?:\s+(?:to|for|of|on))?\s*[:.\-]?\s*",
    re.IGNORECASE,
)
_NOTICE_SUFFIX = re.compile(
    r"\s*[-–:.]\s*(?:reply|response|author'?s'? reply|authors?'? response|rejoinder)\W*$",
    re.IGNORECASE,
)
# A citation of the corrected article closing the title, possibly cut off by the export:
# "(vol 142, pg 310, 2003)" or "(The Journal of Pediatrics (2003) 142 (310-317))".
_TRAILING_CITATION = re.compile(r"\s*\((?:[^()]|\([^()]*\)?)*\)?\W*$")
# MEDLINE's cross-reference from an article to its erratum or retraction notice, with the
# notice's placement: "[Erratum appears in Am J Hematol. 2010 Nov;85(11):911]".
_NOTICE_CITATION = re.compile(
    r"\[\s*(?:published\s+)?(erratum|retraction)\b[^\[\]]*?\bin\b\s*:?([^\[\]]*)", re.IGNORECASE
)
_PLACEMENT = re.compile(
    r";\s*(\d{1,6})\s*(?:\(\s*(\d{1,6})[^)]*\))?\s*:\s*[a-z]{0,2}(\d{1,7})", re.I
)
# Where a meeting abstract is printed: a supplement or special issue ("Suppl. 1", "13 SUPPL",
# "14, Sp. Iss. SI", "S2"), a supplement page ("S42"), or an Embase journal with the meeting
# appended ("Pediatric Nephrology.Conference: ...").
_SUPPLEMENT_ISSUE = re.compile(
    r"\bsuppl|\bsupplement|\bsp\.?\s*iss|\bspecial issue|\babstracts?\b|^\s*s\s*\d", re.IGNORECASE
)
_SUPPLEMENT_PAGE = re.compile(r"^\s*s\d|\babstract", re.IGNORECASE)
_DISSERTATION_ABSTRACTS = re.compile(r"\bdissertation abstracts\b", re.IGNORECASE)
# A thesis record: the degree in the volume or issue field ("Ph.D."), or a page count ("215 p").
_THESIS_MARK = re.compile(r"\bph\.?\s*d\b|\bthesis\b|\bdissertation\b|\bdoctoral\b", re.IGNORECASE)
_PAGE_COUNT = re.compile(r"^\s*\d+\s*(?:p|pp|pages?)\.?\s*$", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
# The first page number, then an optional end page after a dash (fold() turns en dashes into
# spaces, so a dash may be a space) or "to".
_PAGES = re.compile(r"[a-z]*(\d+)(?:\s*(?:-+|\s|to)\s*[a-z]*(\d+))?")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


def is_missing(value: object) -> bool:
    """True for None, NaN, pandas NA and blank strings."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # pandas.NA and NaT compare unequal to themselves
    except (TypeError, ValueError):
        return False


def text(value: object) -> str:
    """The value as a stripped string, ``""`` when missing."""
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # pandas reads a volume column with gaps as float: 7.0 -> "7"
    return str(value).strip()


def fold(value: str) -> str:
    """Lower-case ASCII: HTML entities and tags, LaTeX accents and diacritics removed.

    Non-ASCII punctuation (en dashes, curly quotes) becomes a space rather than vanishing, so
    that "Hemolytic–Uremic" keeps two words.
    """
    s = html.unescape(value) if "&" in value else value
    if "<" in s:
        s = _HTML_TAG.sub(" ", s)
    if "\\" in s:
        s = s.replace("{\\ss}", "ss").replace("\\ss", "ss")
        s = _LATEX_ACCENT.sub(lambda m: m.group(1) or m.group(2), s)
    if s.isascii():
        return s.lower()
    # NFKD splits "é" into "e" and a combining accent, which is then dropped.
    s = unicodedata.normalize("NFKD", s.translate(_LETTERS_WITHOUT_DECOMPOSITION))
    s = _COMBINING_MARK.sub("", s)
    return _NON_ASCII.sub(" ", s).lower()


def normalise_title(value: object) -> str:
    """Canonical title: folded, language tags and MEDLINE notes removed, punctuation as spaces.

    >>> normalise_title("[Efficacy of batroxobin]. [Chinese]")
    'efficacy of batroxobin'
    >>> normalise_title("Diabetes &amp; <i>Metabolism</i>.")
    'diabetes metabolism'
    """
    s = text(value)
    if not s:
        return ""
    s = html.unescape(s)
    if "[" in s:  # every note opens with a bracket; most titles have none
        s = _MEDLINE_NOTE.sub(" ", s)
    kind = record_kind(s)
    if kind == "erratum":
        # The erratum's own markers ("Erratum:", "(vol 142, pg 310, 2003)") differ between
        # databases; stripped, two records of one erratum meet. The kind is compared apart,
        # so the erratum never meets its article as a duplicate, only as a companion.
        s = _ERRATUM_PREFIX.sub("", s)
        s = _TRAILING_CITATION.sub("", s)
    elif kind == "retraction":
        s = _TRAILING_CITATION.sub("", _RETRACTION_PREFIX.sub("", s))
    elif kind in ("reply", "comment"):
        s = _LANGUAGE_TAG.sub(" ", s).strip()
        # "Reply to: Comment on: <title>" names the article both are about.
        s = _NOTICE_SUFFIX.sub("", _NOTICE_PREFIX.sub("", _NOTICE_PREFIX.sub("", s)))
    s = _LANGUAGE_TAG.sub(" ", s)
    s = _LETTER_MARK.sub(" ", s)
    s = _THOUSANDS.sub(r"\1\2", s)
    s = fold(s)
    return " ".join(_NON_ALNUM.sub(" ", s).split())


def normalise_abstract(value: object, limit: int = 1000) -> str:
    """First ``limit`` characters of the folded abstract, punctuation as spaces."""
    s = text(value)
    if not s:
        return ""
    return " ".join(_NON_ALNUM.sub(" ", fold(s)).split())[:limit]


def title_numbers(normalised_title: str) -> tuple[int, ...]:
    """Numbers in a normalised title, in order: Arabic digits and Roman numerals after "part".

    Two reports whose titles differ only in these ("Part 1"/"Part 2", "phase II"/"phase III",
    "2019"/"2020" updates) are different reports.
    """
    numbers = [int(d) for d in _DIGITS.findall(normalised_title)[:12]]
    numbers.extend(_ROMAN_VALUE[m] for m in _ROMAN_ANYWHERE.findall(normalised_title))
    numbers.extend(_ROMAN_VALUE[m] for m in _ROMAN_CONTEXT.findall(normalised_title))
    return tuple(numbers)


def record_kind(value: object) -> str:
    """What a title announces: ``"erratum"``, ``"retraction"``, ``"reply"``, ``"comment"`` or ``""``
    (an ordinary article).

    Read from the raw title, before MEDLINE notes are stripped: "[Erratum appears in ...]"
    marks the original article, while "Erratum: ..." or "(vol 85, pg 553, 2010)" marks the
    erratum itself.

    >>> record_kind("Erratum: Severe deficiency of ADAMTS 13")
    'erratum'
    >>> record_kind("Severe deficiency of ADAMTS 13.[Erratum appears in J Pediatr. 2003]")
    ''
    >>> record_kind("Atypical hemolytic uremic syndrome - Reply")
    'reply'
    """
    s = text(value)
    if not s:
        return ""
    if "&" in s:
        s = html.unescape(s)
    if "[" in s:
        s = _LETTER_MARK.sub(" ", _LANGUAGE_TAG.sub(" ", _MEDLINE_NOTE.sub(" ", s)))
    elif "(" in s:
        s = _LETTER_MARK.sub(" ", s)
    s = s.strip()
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(s):
            return kind
    return ""


def normalise_doi(value: object) -> str:
    """Lower-case DOI without resolver prefix or trailing punctuation; ``""`` when none.

    >>> normalise_doi("https://doi.org/10.1080/1097198X.2004.10856384.")
    '10.1080/1097198x.2004.10856384'
    """
    s = text(value)
    match = _DOI.search(html.unescape(s)) if s else None
    if match is None:
        return ""
    # DOIs are case-insensitive (DOI Handbook 2.4); exports add trailing ".", "," or ")".
    return match.group(0).lower().rstrip(".,;)]}")


def normalise_pmid(value: object) -> str:
    """PubMed id as a digit string; ``""`` when none ("PMID: 123" and 123.0 give "123")."""
    s = text(value)
    digits = re.sub(r"\D", "", s.split(".")[0] if re.fullmatch(r"\d+\.0", s) else s)
    return digits.lstrip("0")


def parse_year(value: object) -> int | None:
    """Publication year from "2011", 2011.0 or "2011 Jan 5"; None when absent."""
    match = _YEAR.search(text(value))
    return int(match.group(1)) if match else None


def parse_volume(value: object) -> int | None:
    """First number in a volume field ("77-78" -> 77, "Suppl 2" -> 2); None when absent."""
    match = _DIGITS.search(text(value))
    if match is None or len(match.group(0)) > 6:
        return None
    return int(match.group(0))


def parse_pages(value: object) -> tuple[int | None, int | None]:
    """First and last page as numbers; letter prefixes dropped ("c37-c42" -> 37, 42).

    Abbreviated end pages are expanded ("73-6" -> 73, 76; "1844-59" -> 1844, 1859), so that
    MEDLINE's style meets the publisher's. Only the first range counts ("532, 534-536" -> 532).

    >>> parse_pages("73-6")
    (73, 76)
    >>> parse_pages("e123")
    (123, None)
    """
    s = fold(text(value))
    if not s:
        return None, None
    if re.search(r"\d+\s*(?:p|pp|pages?)\.?$", s.strip()):
        return None, None  # "215 p" is a page count (theses), not a page number
    match = _PAGES.search(s)
    if match is None:
        return None, None
    first_text, last_text = match.group(1), match.group(2)
    if len(first_text) > 7:
        return None, None
    first = int(first_text)
    if last_text is None or len(last_text) > 7:
        return first, None
    if len(last_text) < len(first_text):
        last_text = first_text[: len(first_text) - len(last_text)] + last_text
        last = int(last_text)
        return first, (last if last >= first else None)
    # A written-out end page before the first ("2297-2108") means a typo in one of them;
    # keep both so that the comparison can match on whichever is right.
    return first, int(last_text)


def cited_notices(value: object) -> tuple[tuple[str, int, int | None, int], ...]:
    """Errata and retraction notices that a MEDLINE title note cites, as (kind, volume,
    issue, first page); a note cut off before the placement cites nothing.

    >>> cited_notices("Long-term effect.[Erratum appears in Am J Hematol. 2010 Nov;85(11):911]")
    (('erratum', 85, 11, 911),)
    >>> cited_notices("Severe deficiency.[Erratum appears in J Pediatr. 2003 Jun")
    ()
    """
    s = text(value)
    if "[" not in s:
        return ()
    found: list[tuple[str, int, int | None, int]] = []
    for note in _NOTICE_CITATION.finditer(s):
        placement = _PLACEMENT.search(note.group(2))
        if placement is not None:
            volume, issue, page = placement.groups()
            kind = note.group(1).lower()
            found.append((kind, int(volume), int(issue) if issue else None, int(page)))
    return tuple(found)


def placement_marks(
    journal: object, volume: object, number: object, pages: object
) -> tuple[bool, bool, bool]:
    """What a record's placement says it is: (meeting abstract, thesis, Dissertation Abstracts
    entry).

    A meeting abstract is printed in a supplement or special issue ("Suppl. 1", "14, Sp. Iss.
    SI"), on a supplement page ("S42"), in an Embase journal with the meeting appended
    ("Pediatric Nephrology.Conference: ..."), or in Dissertation Abstracts. A thesis has its
    degree in the volume or issue field ("Ph.D.") or a page count for pages ("215 p").

    >>> placement_marks("Blood", "118", "Suppl. 1", "23")
    (True, False, False)
    >>> placement_marks("Blood", "118", "21", "4520-4527")
    (False, False, False)
    >>> placement_marks(None, "Ph.D.", None, "215 p")
    (False, True, False)
    """
    venue = text(journal)
    # Plain numbers ("19", "8", "943-945") are the common case and mark nothing.
    fields = [t for t in (text(volume), text(number)) if t and not t.isdigit()]
    page = text(pages)
    page = "" if page.replace("-", "").isdigit() else page
    dissertation = "issertation" in venue and bool(_DISSERTATION_ABSTRACTS.search(venue))
    meeting = (
        dissertation
        or (":" in venue and bool(_CONFERENCE_SUFFIX.search(venue)))
        or any(_SUPPLEMENT_ISSUE.search(t) for t in fields)
        or bool(page and _SUPPLEMENT_PAGE.search(page))
    )
    thesis = any(_THESIS_MARK.search(t) for t in fields) or bool(page and _PAGE_COUNT.match(page))
    return meeting, thesis, dissertation


def is_meeting_abstract(journal: object, volume: object, number: object, pages: object) -> bool:
    """Whether a record's placement marks a meeting abstract (see :func:`placement_marks`)."""
    return placement_marks(journal, volume, number, pages)[0]


def is_thesis(volume: object, number: object, pages: object) -> bool:
    """Whether a record is a thesis itself (see :func:`placement_marks`)."""
    return placement_marks(None, volume, number, pages)[1]


def is_dissertation_abstract(journal: object) -> bool:
    """Whether the record is an entry of Dissertation Abstracts (International)."""
    return placement_marks(journal, None, None, None)[2]


def normalise_journal(value: object) -> str:
    """Journal (or proceedings) name: folded; conference suffix, subtitle, bracketed notes,
    numbers and stop words removed.

    The subtitle after ":" or ";" and notes in brackets ("(Bethesda, Md. : 1985)", ISSNs)
    are what exports disagree on; the title proper is what identifies the journal.

    >>> normalise_journal("Seminars in Thrombosis & Hemostasis")
    'seminars thrombosis hemostasis'
    >>> normalise_journal("Stroke; a journal of cerebral circulation")
    'stroke'
    """
    s = text(value)
    if not s:
        return ""
    s = _CONFERENCE_SUFFIX.sub("", html.unescape(s))
    # A leading bracket is MEDLINE's way of giving the transliterated title: keep its words.
    s = _BRACKETED.sub(" ", re.sub(r"^\s*\[([^\]]*)\]", r"\1", s))
    head = re.split(r"\s*[:;]\s*", s, maxsplit=1)[0]
    s = fold(head if head.strip() else s).replace("&", " and ")
    tokens = [
        t for t in _NON_ALNUM.sub(" ", s).split() if t not in _JOURNAL_STOPWORDS and not t.isdigit()
    ]
    return " ".join(tokens)


def author_surnames(value: object, limit: int = 12) -> tuple[str, ...]:
    """Folded surnames in order, from "Zuber, J and Le Quintrec, M", "Zuber J; Le Quintrec M"
    or "Jens Nuernberger"; at most ``limit`` (exports truncate long lists differently).

    >>> author_surnames("Zipfel, P. F. and Skerka, C.")
    ('zipfel', 'skerka')
    >>> author_surnames("Zhai QJ; Yue XY")
    ('zhai', 'yue')
    """
    s = text(value)
    if not s:
        return ()
    s = fold(s)
    if re.search(r"\s+and\s+|;|\|", s):
        names = re.split(r"\s+and\s+|;|\|", s)
    elif s.count(",") > 1:
        # Scopus style "Zhai, Q.J., Yue, X.Y.": commas separate both names and initials.
        parts = [p.strip() for p in s.split(",")]
        names = [", ".join(parts[k : k + 2]) for k in range(0, len(parts), 2)]
    else:
        names = [s]
    surnames: list[str] = []
    for name in names:
        surname = _surname(name)
        if surname:
            surnames.append(surname)
        if len(surnames) >= limit:
            break
    return tuple(surnames)


def _surname(name: str) -> str:
    name = name.strip()
    if not name or name in {"et al", "et al."}:
        return ""
    if "," in name:
        surname = name.split(",", 1)[0]
    else:
        tokens = name.replace(".", " ").split()
        if len(tokens) <= 1:
            surname = name
        elif re.fullmatch(r"[a-z]{1,3}", tokens[-1]) and len(tokens[-1]) <= 3:
            # "Zhai QJ": initials after the surname (MEDLINE and Cochrane style)
            surname = " ".join(tokens[:-1])
        else:
            surname = tokens[-1]  # "Jens Nuernberger"
    return " ".join(_NON_ALNUM.sub(" ", surname).split())


def first_surname_key(surnames: Iterable[str]) -> str:
    """The last word of the first surname: "le quintrec" and "quintrec" both give "quintrec"."""
    for surname in surnames:
        words = surname.split()
        if words:
            return words[-1]
    return ""
