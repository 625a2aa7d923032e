"""Writers (and quick readers) for the database export formats of the example searches.

Each writer takes "views": one dict per record as that database shows it (title, authors,
pages and DOI already varied per database by ``make_searches.py``) and returns the file text.
The layouts copy real exports in /work/shared/datasets/formats/ (PubMed ``.nbib``, Ovid RIS,
Web of Science plain text) and, where no sample was at hand, the layout of EBSCOhost RIS and
EndNote XML as those programs write them. Only the structure is copied, never the content.

View keys: key, title, authors [(surname, given names or initials)], year, month, journal,
jabbr, volume, issue, pages (first, last) or None, doi, abstract, keywords, language,
pubtype, pmid (the record's PubMed id when the work is in MEDLINE), synthetic, address, stat.
"""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape

MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
LANG_CODES = {
    "English": "eng",
    "German": "ger",
    "Dutch": "dut",
    "Danish": "dan",
    "Norwegian": "nor",
    "Swedish": "swe",
    "Chinese": "chi",
    "Spanish": "spa",
}


def initials(given: str) -> str:
    """'Carolyn F' -> 'CF'; 'J. G.' -> 'JG' (the seed gives initials only for real authors)."""
    return "".join(part[0] for part in re.split(r"[\s.]+", given) if part)


def medline_pages(pages: tuple[str, str | None] | None) -> str | None:
    """MEDLINE drops the repeated leading digits of the last page: 112-122 -> 112-22."""
    if not pages:
        return None
    first, last = pages
    if not last or last == first:
        return first
    if len(first) == len(last):
        common = len(
            re.match(
                r"\d*", "".join(a if a == b else "|" for a, b in zip(first, last, strict=True))
            ).group()
        )
        return f"{first}-{last[common:]}"
    return f"{first}-{last}"


def full_pages(pages: tuple[str, str | None] | None) -> str | None:
    return None if not pages else pages[0] if not pages[1] else f"{pages[0]}-{pages[1]}"


# ---------------------------------------------------------------- PubMed (MEDLINE format)
def _nbib(tag: str, value: str) -> list[str]:
    """One field; PubMed wraps at 90 characters, leaving a space at the end of wrapped lines
    and indenting continuation lines by six spaces (as in nbib/pubmed-balloongui-set.nbib)."""
    lines, current = [], f"{tag:<4}- "
    for word in value.split(" "):
        if len(current) > 6 and len(current) + len(word) > 90:
            lines.append(current)
            current = " " * 6
        current += word + " "
    return [*lines, current.rstrip()]


def write_nbib(views: list[dict]) -> str:
    out: list[str] = []
    for v in views:
        rec: list[tuple[str, str]] = [("PMID", v["key"]), ("OWN", "NLM"), ("STAT", v["stat"])]
        ahead = v["stat"] == "Publisher"
        rec += [("DCOM", v.get("dcom")), ("LR", v.get("lr"))]
        if not ahead:
            rec += [("VI", v["volume"]), ("IP", v["issue"])]
        when = f"{v['year']} {MONTHS[v['month'] - 1]}" if v["month"] else str(v["year"])
        rec += [("DP", when + (" 12" if ahead else "")), ("TI", v["title"])]
        if not ahead and v["pages"]:
            rec.append(("PG", medline_pages(v["pages"])))
        if v["doi"]:
            rec.append(("LID", f"{v['doi']} [doi]"))
        if v["abstract"]:
            rec.append(("AB", v["abstract"]))
        for i, (surname, given) in enumerate(v["authors"]):
            rec += [("FAU", f"{surname}, {given}"), ("AU", f"{surname} {initials(given)}")]
            if i == 0 and v["address"]:
                rec.append(("AD", v["address"]))
        rec += [("LA", LANG_CODES[v["language"]]), ("PT", "Journal Article")]
        rec += [("PT", t) for t in v["ptypes"]]
        if v["synthetic"]:
            rec.append(("PL", "England"))
        rec += [("TA", v["jabbr"]), ("JT", v["jt"])]
        if v["synthetic"]:
            rec += [("SB", "IM"), ("OTO", "NOTNLM")] + [("OT", k) for k in v["keywords"]]
            rec += [
                ("EDAT", f"{v['edat']} 06:00"),
                ("MHDA", f"{v['edat']} 06:00"),
                ("CRDT", f"{v['edat']} 06:00"),
            ]
        if v["doi"]:
            rec.append(("AID", f"{v['doi']} [doi]"))
        rec.append(("PST", "aheadofprint" if ahead else "ppublish"))
        if ahead:
            source = (
                f"{v['jabbr']}. {when} 12. doi: {v['doi']}. [Epub ahead of print]"
                if v["doi"]
                else f"{v['jabbr']}. {when} 12. [Epub ahead of print]"
            )
        else:
            issue = f"({v['issue']})" if v["issue"] else ""
            source = f"{v['jabbr']}. {when};{v['volume']}{issue}:{medline_pages(v['pages']) or ''}."
            source += f" doi: {v['doi']}." if v["doi"] else ""
        rec.append(("SO", source))
        for tag, value in rec:
            if value:
                out.extend(_nbib(tag, value))
        out.append("")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- Ovid RIS (Embase, PsycINFO)
OVID = {"Embase": ("emez", "embase"), "PsycINFO": ("psyc13", "psycdb")}  # segment, resolver sid
EMBASE_TYPES = {"conference": "Conference Abstract", "review": "Review"}
PSYC_CLASS = [
    "Physical & Somatoform & Psychogenic Disorders [3290]",
    "Health Psychology & Medicine [3360]",
    "Psychotherapy & Psychotherapeutic Counseling [3310]",
    "Health & Mental Health Services [3370]",
    "Cognitive Therapy [3311]",
    "Health & Mental Health Treatment & Prevention [3300]",
]


def write_ovid_ris(views: list[dict], database: str) -> str:
    """Ovid's RIS: a record number line, the record, then lines after ``ER`` that are not RIS
    (``NL`` and the full-text and link-resolver links), as in asreview/ovid_psycinfo.ris."""
    segment, sid = OVID[database]
    blocks = []
    for n, v in enumerate(views, start=1):
        psyc = database == "PsycINFO"
        doi_url = f"http://dx.doi.org/{v['doi']}" if v["doi"] else None
        rec = [("TY", "JOUR"), ("ID", v["key"]), ("DO", doi_url), ("T1", v["title"])]
        for surname, given in v["authors"]:
            # Embase: "Burton C."; PsycINFO: "Trindade, Ines A" (full names where known).
            rec.append(
                ("A1", f"{surname}, {given}" if psyc else f"{surname} {'.'.join(initials(given))}.")
            )
        rec += [("Y1", f"{v['year']}//"), ("N2", v["abstract"])] + [
            ("KW", k) for k in v["keywords"]
        ]
        if v["synthetic"] and psyc:  # PsycINFO: APA classification code
            rec.append(("M3", PSYC_CLASS[int(v["key"][-5:-4]) % len(PSYC_CLASS)]))
        elif v["synthetic"]:  # Embase: publication type
            rec.append(("M3", EMBASE_TYPES.get(v["pubtype"], "Article")))
        rec += [
            ("JF", v["journal"]),
            ("JA", None if psyc else v["jabbr"]),
            ("LA", None if psyc else v["language"]),
        ]
        rec += [("VL", v["volume"]), ("IS", v["issue"])]
        first, last = v["pages"] or (("No", "Specified") if psyc else (None, None))
        rec += [("SP", first), ("EP", last)]
        if v["synthetic"]:
            rec += [("CY", "United Kingdom"), ("PB", "Example Publishing")] + (
                [("PB", "United Kingdom")] if psyc else []
            )
            rec.append(("AD", v["address"]))
        rec += [
            ("DO", doi_url),
            (
                "L2",
                f"http://ovidsp.ovid.com/ovidweb.cgi?T=JS&PAGE=reference&D={segment}&NEWS=N&AN={v['key']}",
            ),
            ("ER", ""),
        ]
        lines = [f"{n}."] + [
            f"{t}  - {val}" if val else f"{t}  -"
            for t, val in rec
            if val is not None and (val or t == "ER")
        ]
        if v["jabbr"]:
            lines.append(f"NL  - {v['jabbr']}")
        aulast = v["authors"][0][0] if v["authors"] else ""
        pid = quote_plus(";".join(f"{s}, {g}" for s, g in v["authors"]))
        resolver = (
            f"http://sfx.library.example.org/resolver?sid=OVID:{sid}&id=pmid:{v['pmid'] or ''}&id=doi:{quote(v['doi'] or '', safe='')}"
            f"&issn=&isbn=&volume={quote_plus(v['volume'] or '')}&issue={quote_plus(v['issue'] or '')}&spage={quote_plus(first or '')}&pages={quote_plus(full_pages(v['pages']) or ('No Pagination Specified' if psyc else ''))}"
            f"&date={v['year']}&title={quote_plus(v['journal'])}&atitle={quote_plus(v['title'])}&aulast={quote_plus(aulast)}"
            f"&pid=%3Cauthor%3E{pid}%3C%2Fauthor%3E%3CAN%3E{v['key']}%3C%2FAN%3E%3CDT%3E%3C%2FDT%3E"
        )
        lines += [
            "",
            "Link to the Ovid Full Text or citation: https://login.proxy.library.example.org/login?qurl="
            f"http://ovidsp.ovid.com/ovidweb.cgi?T=JS&CSC=Y&NEWS=N&PAGE=fulltext&D={segment}&AN={v['key']}"
            f"Link to the External Link Resolver: {resolver}",
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


# ---------------------------------------------------------------- EBSCOhost RIS (CINAHL)
def write_ebsco_ris(views: list[dict]) -> str:
    """EBSCOhost's RIS: accession number in ID, abstract in N2, a summary note in N1, the
    record link in UR, then DP (platform) and DB (EBSCO's database code; rzh is CINAHL Plus
    with Full Text)."""
    blocks = []
    for v in views:
        rec = [("TY", "JOUR"), ("ID", v["key"]), ("T1", v["title"])] + [
            ("AU", f"{s}, {g}") for s, g in v["authors"]
        ]
        rec.append(("Y1", f"{v['year']}/{v['month']:02d}//" if v["month"] else f"{v['year']}///"))
        note = f"Accession Number: {v['key']}. Language: {v['language']}."
        if v["synthetic"]:
            note += (
                f" Entry Date: {v['year']}{v['month']:02d}15."
                f" Publication Type: {'Journal Article; review' if v['pubtype'] == 'review' else 'Journal Article; research'}."
                f" Journal Subset: Example. {v['keywords'][-1]}."
            )
        rec += [("N1", note)] + [("KW", k) for k in v["keywords"]]
        rec += [
            ("N2", v["abstract"]),
            ("JF", v["journal"]),
            ("JA", v["jabbr"].upper() if v["synthetic"] else None),
            ("VL", v["volume"]),
            ("IS", v["issue"]),
        ]
        if v["pages"]:
            rec += [("SP", v["pages"][0]), ("EP", v["pages"][1])]
        if v["synthetic"]:
            rec += [("CY", "London"), ("PB", "Example Publishing"), ("AD", v["address"])]
        if v["pmid"]:
            rec.append(("U2", f"PMID: {v['pmid']}."))
        rec += [
            ("DO", v["doi"]),
            (
                "UR",
                f"http://search.ebscohost.com/login.aspx?direct=true&db=rzh&AN={v['key']}&site=ehost-live",
            ),
            ("DP", "EBSCOhost"),
            ("DB", "rzh"),
        ]
        lines = [f"{t}  - {val}" for t, val in rec if val]
        blocks.append("\n".join([*lines, "ER  - "]))
    return "\n\n".join(blocks) + "\n\n"


# ---------------------------------------------------------------- Web of Science plain text
def _wos(tag: str, values: list[str], wrap: bool = False) -> list[str]:
    """A tag, its first value, then continuation lines indented by three spaces; long
    titles and keyword lists wrap at 77 characters, abstracts do not (rispy/example_wos.ris)."""
    lines: list[str] = []
    for i, value in enumerate(values):
        current = f"{tag} " if i == 0 else "   "
        if not wrap:
            lines.append(current + value)
            continue
        for word in value.split(" "):
            if len(current) > 3 and len(current) + len(word) > 77:
                lines.append(current.rstrip())
                current = "   "
            current += word + " "
        lines.append(current.rstrip())
    return lines


WOS_CATEGORIES = {
    "SCI": ("Medicine, General & Internal; Primary Health Care", "General & Internal Medicine"),
    "SSCI": (
        "Psychology, Clinical; Health Policy & Services",
        "Psychology; Health Care Sciences & Services",
    ),
}


def write_wos(views: list[dict], index: str) -> str:
    # July 2016 exports carried the Thomson Reuters header; Clarivate's came after October 2016.
    out = ["FN Thomson Reuters Web of Science\u2122", "VR 1.0"]
    for v in views:
        rec = ["PT J"]
        rec += _wos("AU", [f"{s}, {initials(g)}" for s, g in v["authors"]])
        rec += _wos("AF", [f"{s}, {g}" for s, g in v["authors"]])
        rec += (
            _wos("TI", [v["title"]], wrap=True)
            + _wos("SO", [v["journal"].upper()])
            + _wos("LA", [v["language"]])
        )
        doc_type = {"conference": "Meeting Abstract", "review": "Review"}.get(
            v["pubtype"], "Article"
        )
        rec += _wos("DT", [doc_type])
        if v["synthetic"]:
            rec += _wos("DE", ["; ".join(v["keywords"])], wrap=True)
        if v["abstract"]:
            rec += _wos("AB", [v["abstract"]])
        if v["synthetic"]:
            rec += _wos(
                "C1",
                [
                    f"[{v['authors'][0][0]}, {v['authors'][0][1]}] Example Univ, Dept Primary Care, Sheffield, S Yorkshire, England."
                ],
            )
            rec += [
                f"NR {20 + int(v['key'][-2:]) % 30}",
                f"TC {int(v['key'][-3:]) % 40}",
                f"Z9 {int(v['key'][-3:]) % 40 + 1}",
                f"J9 {v['jabbr'].upper()}",
                f"JI {v['jabbr']}",
                f"PD {MONTHS[v['month'] - 1].upper()}",
            ]
        rec.append(f"PY {v['year']}")
        rec += [f"{t} {val}" for t, val in (("VL", v["volume"]), ("IS", v["issue"])) if val]
        first, last = v["pages"] or (None, None)
        if last:
            rec += [f"BP {first}", f"EP {last}"]
        elif first:
            rec.append(f"AR {first}")
        if v["doi"]:
            rec.append(f"DI {v['doi']}")
        if v["synthetic"]:
            if last:
                rec.append(f"PG {int(last) - int(first) + 1}")
            rec += [f"WC {WOS_CATEGORIES[index][0]}", f"SC {WOS_CATEGORIES[index][1]}"]
        rec.append(f"UT {v['key']}")
        if v["pmid"]:
            rec.append(f"PM {v['pmid']}")
        out += [*rec, "ER", ""]
    return "\n".join([*out, "EF", ""])


# ---------------------------------------------------------------- EndNote XML (Cochrane Library)
def _style(text: str) -> str:
    return f'<style face="normal" font="default" size="100%">{escape(text)}</style>'


def write_endnote_xml(views: list[dict], library: str, db_id: str) -> str:
    """EndNote's XML export: one line, every value wrapped in a <style> element, the fields
    in the order of EndNote's DTD. The records came into EndNote from the Cochrane Library."""
    records = []
    for n, v in enumerate(views, start=1):
        parts = [
            f'<database name="{library}" path="C:\\Users\\reviewer\\Documents\\{library}">{library}</database>',
            '<source-app name="EndNote" version="17.5">EndNote</source-app>',
            f"<rec-number>{n}</rec-number>",
            f'<foreign-keys><key app="EN" db-id="{db_id}">{n}</key></foreign-keys>',
            '<ref-type name="Journal Article">17</ref-type>',
            "<contributors><authors>"
            + "".join(
                f"<author>{_style(f'{s}, ' + '. '.join(initials(g)) + '.')}</author>"
                for s, g in v["authors"]
            )
            + "</authors></contributors>",
            f"<titles><title>{_style(v['title'])}</title><secondary-title>{_style(v['journal'])}</secondary-title></titles>",
            f"<periodical><full-title>{_style(v['journal'])}</full-title></periodical>",
        ]
        for tag, value in (
            ("pages", full_pages(v["pages"])),
            ("volume", v["volume"]),
            ("number", v["issue"]),
        ):
            if value:
                parts.append(f"<{tag}>{_style(value)}</{tag}>")
        if v["keywords"]:
            parts.append(
                "<keywords>"
                + "".join(f"<keyword>{_style(k)}</keyword>" for k in v["keywords"])
                + "</keywords>"
            )
        parts += [
            f"<dates><year>{_style(str(v['year']))}</year></dates>",
            f"<accession-num>{_style(v['key'])}</accession-num>",
        ]
        if v["doi"]:
            parts.append(f"<electronic-resource-num>{_style(v['doi'])}</electronic-resource-num>")
        if v["abstract"]:
            parts.append(f"<abstract>{_style(v['abstract'])}</abstract>")
        if v["synthetic"]:
            parts.append(f"<notes>{_style(v['keywords'][-1])}</notes>")
        parts += [
            f"<remote-database-name>{_style('Cochrane Library')}</remote-database-name>",
            f"<remote-database-provider>{_style('John Wiley & Sons, Ltd')}</remote-database-provider>",
            f"<language>{_style(v['language'])}</language>",
            "<urls><related-urls><url>"
            + _style(
                "http://onlinelibrary.wiley.com/o/cochrane/clcentral/articles/"
                f"{v['key'][-3:]}/{v['key']}/frame.html"
            )
            + "</url></related-urls></urls>",
        ]
        records.append("<record>" + "".join(parts) + "</record>")
    return (
        '<?xml version="1.0" encoding="UTF-8" ?><xml><records>'
        + "".join(records)
        + "</records></xml>\n"
    )


# ---------------------------------------------------------------- quick readers for the checks
def count_nbib(text: str) -> list[str]:
    """PMIDs of a MEDLINE-format file; every line must be a tag, a continuation or blank."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line and not (
            re.match(r"^[A-Z][A-Z0-9]{1,3} {0,2}- ", line) or line.startswith(" " * 6)
        ):
            raise ValueError(f"line {number} is neither a MEDLINE tag nor a continuation: {line!r}")
    return re.findall(r"^PMID- (\d+)$", text, flags=re.M)


def count_wos(text: str) -> list[str]:
    """UTs of a Web of Science plain-text file, checking its frame (FN, VR, PT..ER, EF)."""
    lines = text.split("\n")
    if not (lines[0].startswith("FN ") and lines[1] == "VR 1.0" and lines[-2] == "EF"):
        raise ValueError("Web of Science file must start with FN and VR 1.0 and end with EF")
    open_record = False
    for number, line in enumerate(lines, start=1):
        if line.startswith("PT "):
            assert not open_record, f"line {number}: PT inside a record"
            open_record = True
        elif line == "ER":
            assert open_record, f"line {number}: ER outside a record"
            open_record = False
        elif line and not (
            re.match(r"^[A-Z][A-Z0-9] ", line) or line.startswith("   ") or line in ("EF", "VR 1.0")
        ):
            raise ValueError(f"line {number} is not a Web of Science tag line: {line!r}")
    return re.findall(r"^UT (WOS:\d+)$", text, flags=re.M)
