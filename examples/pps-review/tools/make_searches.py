#!/usr/bin/env python3
"""Generate the example review's database exports and screening history, deterministically.

The seed review (Scope et al. 2021, Br J Health Psychol 26:1069-1094, CC BY) reports 2,119
citations from seven databases, a title/abstract sift by ASc with AB double-screening a 20%
sample (kappa 0.77), 58 full texts screened by ASc and AB with JL resolving disagreements, and
12 included papers from 9 studies. Its record-level search results are not public, so this
script rebuilds files with exactly those numbers: the 12 included reports are real (details
from the seed's reference list and Table 4); every other record is synthetic and marked.

    python examples/pps-review/tools/make_searches.py        # write files, then check them

Inputs: tools/real_reports.csv (the 12 real reports) and tools/synthetic_vocabulary.toml.
Outputs (relative to examples/pps-review/): searches/*.nbib|ris|txt|xml, searches/update_2019/,
searches/searches.csv, searches/duplicates_gold.csv, screening/*.csv, screening/protocol.toml.
Modules: pps_text (synthetic titles and abstracts), pps_formats (one writer per export format),
pps_screening (the screening events and the checks). Nothing depends on the clock or the
machine: rerunning gives byte-identical files.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pps_formats as fmt
import pps_screening as scr
import pps_text as txt

PROJECT = Path(__file__).resolve().parent.parent
SEED = 20160719  # the seeds below are fixed so that every run writes the same bytes
SAMPLE_SEED = 2019  # numpy default_rng seed of AB's 20% sample, as the brief fixes it

MAIN, UPDATE = "2016-07", "2019-02"
# fmt: off
DB_NAMES = {"MEDLINE": "MEDLINE", "Embase": "Embase", "CINAHL": "CINAHL", "PsycINFO": "PsycINFO",
            "SCI": "Science Citation Index", "SSCI": "Social Sciences Citation Index",
            "Cochrane": "Cochrane Library"}
# One file per (search, database): file, platform, format, date searched (days illustrative).
FILES = [
    (MAIN, "MEDLINE", "medline_pubmed_2016-07-19.nbib", "PubMed", "PubMed (MEDLINE) format", "2016-07-19"),
    (MAIN, "Embase", "embase_ovid_2016-07-19.ris", "Ovid (Embase 1974 to 2016 July 18)", "Ovid RIS", "2016-07-19"),
    (MAIN, "CINAHL", "cinahl_ebsco_2016-07-20.ris", "EBSCOhost", "EBSCOhost RIS", "2016-07-20"),
    (MAIN, "PsycINFO", "psycinfo_ovid_2016-07-19.ris", "Ovid (PsycINFO 1806 to July Week 2 2016)", "Ovid RIS", "2016-07-19"),
    (MAIN, "SCI", "sci_wos_2016-07-21.txt", "Web of Science Core Collection (SCI-EXPANDED)", "Web of Science plain text", "2016-07-21"),
    (MAIN, "SSCI", "ssci_wos_2016-07-21.txt", "Web of Science Core Collection (SSCI)", "Web of Science plain text", "2016-07-21"),
    (MAIN, "Cochrane", "cochrane_library_2016-07-21.xml", "Cochrane Library (Wiley), via EndNote", "EndNote XML", "2016-07-21"),
    (UPDATE, "MEDLINE", "update_2019/medline_pubmed_2019-02-12.nbib", "PubMed", "PubMed (MEDLINE) format", "2019-02-12"),
    (UPDATE, "Embase", "update_2019/embase_ovid_2019-02-12.ris", "Ovid (Embase 1974 to 2019 February 11)", "Ovid RIS", "2019-02-12"),
]
# Records identified per file: 2,028 in July 2016 + 91 in the February 2019 update = 2,119.
QUOTA = {(MAIN, "MEDLINE"): 470, (MAIN, "Embase"): 640, (MAIN, "CINAHL"): 318, (MAIN, "PsycINFO"): 301,
         (MAIN, "SCI"): 96, (MAIN, "SSCI"): 143, (MAIN, "Cochrane"): 60,
         (UPDATE, "MEDLINE"): 42, (UPDATE, "Embase"): 49}
# Synthetic works found in several July 2016 databases: they make the cross-database
# duplicates (345 of them; the real reports add 16 and the update 39, 400 in all).
PATTERNS = [("MEDLINE Embase", 150), ("MEDLINE Embase CINAHL", 25), ("MEDLINE Embase PsycINFO", 20),
            ("MEDLINE Embase SCI", 10), ("MEDLINE Embase SSCI", 6), ("MEDLINE CINAHL", 10),
            ("MEDLINE PsycINFO", 6), ("Embase PsycINFO", 8), ("Embase CINAHL", 5), ("PsycINFO SSCI", 16),
            ("CINAHL PsycINFO", 6), ("MEDLINE Embase Cochrane", 6), ("Embase Cochrane", 5), ("SCI SSCI", 5)]
# fmt: on
UPDATE_BOTH = 20  # new synthetic works in both update files
UPDATE_REPEATS = {
    "MEDLINE": 7,
    "Embase": 8,
}  # 2016 records the update finds again (already screened)

# The 12 included reports, transcribed from the seed's reference list and Table 4 (which
# groups them into 9 studies) into real_reports.csv. Authors are as the seed gives them,
# initials only; where the seed elides middle authors (". . .") they are left out, so those
# lists are incomplete. The databases each is placed in are an assumption (the seed does not
# say where each paper was found); Cowell 2018a/b postdate July 2016, so only the February
# 2019 update finds them, and Morton 2016 is found again by the update.
with (Path(__file__).resolve().parent / "real_reports.csv").open(encoding="utf-8") as _handle:
    REAL = list(csv.DictReader(_handle))
DESCRIPTION_MARK = "[Example description, not the published abstract]"


@dataclass
class Work:
    wid: str
    year: int
    month: int | None
    real: dict | None = None
    hits: list = field(default_factory=list)  # [Hit]
    archetype: str = ""
    ft_reason: str | None = None  # None: not at full text; "": included
    data: dict = field(default_factory=dict)


@dataclass
class Hit:
    work: Work
    search: str
    db: str
    key: str = ""


def rng_for(*parts: object) -> random.Random:
    """A separate seeded generator per purpose, so changing one part leaves the others alone."""
    return random.Random(":".join(map(str, (SEED, *parts))))


def build_works() -> list[Work]:
    """Who is found where: the 12 real reports, then synthetic works filling each file's quota."""
    rng = rng_for("structure")
    works: list[Work] = []
    for i, row in enumerate(REAL, start=1):
        work = Work(f"R{i:02d}", int(row["year"]), None, real=row)  # the seed gives no month
        work.hits = [Hit(work, MAIN, db) for db in row["databases_2016"].split()]
        work.hits += [Hit(work, UPDATE, db) for db in row["databases_2019_update"].split()]
        works.append(work)

    def synthetic(search: str, dbs: str, year: int | None = None) -> Work:
        if year is None:  # 1980-2016, more papers in later years, as in the literature
            year = rng.choices(
                range(1980, 2017), weights=[(y - 1977) ** 2 for y in range(1980, 2017)]
            )[0]
        # A 2016 paper in the July 2016 searches was published by July.
        work = Work(
            f"S{len(works) - len(REAL) + 1:04d}", year, rng.randint(1, 7 if year == 2016 else 12)
        )
        work.hits = [Hit(work, search, db) for db in dbs.split()]
        works.append(work)
        return work

    for dbs, n in PATTERNS:
        for _ in range(n):
            synthetic(MAIN, dbs)
    used = Counter((h.search, h.db) for w in works for h in w.hits)
    for (search, db), quota in QUOTA.items():
        if search == MAIN:
            for _ in range(quota - used[(search, db)]):
                synthetic(MAIN, db)
    # The update searches (limited to 2016 onwards) find new works and some 2016 works again.
    for db, n in UPDATE_REPEATS.items():
        pool = [
            w
            for w in works
            if not w.real
            and w.year == 2016
            and w.month <= 6
            and any(h.db == db for h in w.hits)
            and not any(h.search == UPDATE for h in w.hits)
        ]
        for work in rng.sample(pool, n):
            work.hits.append(Hit(work, UPDATE, db))
    new_years = dict(zip((2016, 2017, 2018, 2019), (1, 4, 4, 1), strict=True))
    for _ in range(UPDATE_BOTH):
        synthetic(
            UPDATE, "MEDLINE Embase", rng.choices(list(new_years), list(new_years.values()))[0]
        )
    used = Counter((h.search, h.db) for w in works for h in w.hits)
    for db in ("MEDLINE", "Embase"):
        for _ in range(QUOTA[(UPDATE, db)] - used[(UPDATE, db)]):
            synthetic(UPDATE, db, rng.choices(list(new_years), list(new_years.values()))[0])
    for work in works:  # a new 2016 paper in the update must postdate the July 2016 search
        if work.hits[0].search == UPDATE and work.year == 2016:
            work.month = rng.randint(8, 12)
    return works


def assign_keys(works: list[Work]) -> None:
    """Accession numbers, increasing with publication date. All are example identifiers in
    ranges no database uses (PMIDs from 99000000); the real reports' own PMIDs and
    accession numbers are not in the seed and are not guessed. A work keeps one key per
    platform: the same PMID in both MEDLINE searches, the same UT in SCI and SSCI."""
    rng = rng_for("keys")
    platform = {"SCI": "WOS", "SSCI": "WOS"}
    by_platform: dict[str, list[Work]] = {}
    for work in works:
        for p in dict.fromkeys(platform.get(h.db, h.db) for h in work.hits):
            by_platform.setdefault(p, []).append(work)
    for p, members in by_platform.items():
        members.sort(key=lambda w: (w.year, w.month or 6, w.hits[0].search, rng.random()))
        counter, keys, per_year = 0, {}, Counter()
        step = (1, 150) if p == "Cochrane" else (40, 900)  # CENTRAL ids here have four free digits
        for work in members:
            counter += rng.randint(*step)
            per_year[work.year] += rng.randint(1, 60)
            keys[work.wid] = {
                "MEDLINE": f"{99000000 + counter}",
                "Embase": f"{990000000 + counter}",
                "CINAHL": f"{995000000 + counter}",
                "PsycINFO": f"{work.year}-9{per_year[work.year]:04d}-001",
                "WOS": f"WOS:000999{counter:09d}",
                "Cochrane": f"CN-0999{counter % 10000:04d}",
            }[p]
        for work in members:
            for hit in work.hits:
                if platform.get(hit.db, hit.db) == p:
                    hit.key = keys[work.wid]


def files_in_order(works: list[Work]) -> dict[tuple[str, str], list[Hit]]:
    """Each file's records as the database lists them: newest first."""
    files: dict[tuple[str, str], list[Hit]] = {(s, db): [] for s, db, *_ in FILES}
    for work in works:
        for hit in work.hits:
            files[(hit.search, hit.db)].append(hit)
    for hits in files.values():
        hits.sort(key=lambda h: (h.work.year, h.work.month or 6, h.key), reverse=True)
    return files


def canonical(files: dict) -> tuple[list[Hit], list[tuple[Hit, Hit]]]:
    """First appearance of each work in file order (July 2016 before the update, databases in
    the seed's order) is the record screened; every later appearance is its duplicate."""
    first: dict[str, Hit] = {}
    duplicates = []
    for key in files:
        for hit in files[key]:
            if hit.work.wid in first:
                duplicates.append((hit, first[hit.work.wid]))
            else:
                first[hit.work.wid] = hit
    return list(first.values()), duplicates


def fill_content(works: list[Work]) -> None:
    """Titles, authors, journals for every work; per-work seeds keep them independent."""
    titles = {re.sub(r"\W", "", w.real["title"].lower()) for w in works if w.real}
    for work in works:
        rng = rng_for("content", work.wid)
        if work.real:
            r = work.real
            # "Hughes JG" -> ("Hughes", "J G"): initials stand in for given names.
            names = [
                (a.rsplit(" ", 1)[0], " ".join(a.rsplit(" ", 1)[1]))
                for a in r["authors"].split("; ")
            ]
            work.data = {
                "title": r["title"],
                "authors": names,
                "abstract": f"{r['description']} {DESCRIPTION_MARK}",
                "keywords": [],
                "language": "English",
                "pubtype": "article",
                "journal": r["journal"],
                "jabbr": r["journal_abbreviation"] or None,
                "jt": r["journal_nlm_title"] or None,
                "volume": r["volume"],
                "issue": r["issue"] or None,
                "doi": r["doi"],
                "address": None,
                "pages": (r["first_page"], r["last_page"] or None),
            }
            continue
        # Distinct papers rarely share a title; templates would, so draw again on a clash (a
        # deduplicator that merged two of them would be wrong, not the gold file).
        data = txt.content(rng, work.archetype, work.year)
        while re.sub(r"\W", "", data["title"].lower()) in titles:
            data = txt.content(rng, work.archetype, work.year)
        titles.add(re.sub(r"\W", "", data["title"].lower()))
        data.update(txt.journal(rng, work.hits[0].db, work.year, data["pubtype"], data["family"]))
        data["jt"] = data["journal"]
        # DOIs under the reserved example prefix; older papers often had none.
        has_doi = rng.random() < (0.92 if work.year >= 2000 else 0.3)
        data["doi"] = f"10.5555/evsynth.{work.wid.lower()}" if has_doi else None
        data["address"] = (
            "Department of Primary Care, Example University, Sheffield, United Kingdom."
        )
        work.data = data


SMALL_WORDS = set("a an and as at by for from in of on or the to versus with".split())


def title_case(title: str) -> str:
    """Title Case as some journals (and so Web of Science) print titles."""
    words = title.split(" ")
    return " ".join(
        w
        if (i and w in SMALL_WORDS and not words[i - 1].endswith(":")) or not w[:1].isalpha()
        else w[0].upper() + w[1:]
        for i, w in enumerate(words)
    )


def view(hit: Hit, medline_pmid: str | None, n_seen: int) -> dict:
    """The record as one database shows it: the variations that make deduplication hard."""
    w, d, db = hit.work, hit.work.data, hit.db
    rng = rng_for("variant", w.wid, hit.search, db)
    title, year = d["title"], w.year
    # APA style (PsycINFO) capitalises after a colon; MEDLINE, Embase and CINAHL do not.
    if ": " in title and db != "Cochrane":
        head, tail = title.split(": ", 1)
        first_word = tail.split(" ")[0]
        if not (len(first_word) > 1 and first_word.isupper()):  # leave acronyms (CFS/ME) alone
            tail = (tail[0].upper() if db == "PsycINFO" else tail[0].lower()) + tail[1:]
        title = f"{head}: {tail}"
    if not w.real and rng.random() < 0.12:
        title = title.replace("self-management", "self management").replace("-based", " based")
    if db in ("PsycINFO", "SSCI") and not w.real and rng.random() < 0.3:
        title = (
            title.replace("behaviour", "behavior")
            .replace("randomised", "randomized")
            .replace("programme", "program")
        )
    if db in ("SCI", "SSCI"):
        title = re.sub(r"^'(.+?)':", r'"\1":', title)  # Web of Science prints double quotes
        title = title.upper() if year < 1995 else title_case(title) if int(w.wid[1:]) % 2 else title
    # MEDLINE brackets translated titles; Ovid Embase appends the language ("[Chinese]").
    if d["language"] != "English" and db == "MEDLINE":
        title = f"[{title}]"
    elif d["language"] != "English" and db == "Embase":
        title = f"{title} [{d['language']}]"
    if db in ("MEDLINE", "PsycINFO", "CINAHL") and title[-1] not in ".?]":
        title += "."
    if n_seen and not w.real and db in ("Embase", "PsycINFO") and rng.random() < 0.06:
        year += 1  # print year in one database, online year in another
    pages, volume, issue = d["pages"], d["volume"], d["issue"]
    if db == "PsycINFO" and not w.real and w.year == 2016 and rng.random() < 0.3:
        pages = volume = issue = None  # online first: "No Pagination Specified"
    authors = list(d["authors"])
    if db == "CINAHL" and not w.real:  # CINAHL often drops middle initials
        authors = [(s, g.split(" ")[0]) for s, g in authors]
    drop_doi = {
        "MEDLINE": 0.1 if year < 2005 else 0.0,
        "Embase": 0.15,
        "CINAHL": 0.3,
        "PsycINFO": 0.08,
        "SCI": 0.03,
        "SSCI": 0.03,
        "Cochrane": 0.5,
    }[db]
    # A 2016 MEDLINE record first seen ahead of print is complete when the update finds it.
    refound = not w.real and any(h.search == UPDATE and h.db == "MEDLINE" for h in w.hits)
    ahead = refound and db == "MEDLINE" and hit.search == MAIN
    stat, dates = ("Publisher" if ahead else "MEDLINE"), {}
    # PubMed's processing dates; records indexed after the search date are still In-Process.
    if db == "MEDLINE" and not w.real:
        searched = date.fromisoformat("2016-07-19" if hit.search == MAIN else "2019-02-12")
        entered = date(w.year, w.month, rng.randint(1, 28)) - timedelta(days=rng.randint(0, 40))
        completed = entered + timedelta(days=rng.randint(40, 200))
        if refound:  # indexed only after the July 2016 search
            completed = max(completed, date(2016, 7, 19) + timedelta(days=rng.randint(20, 150)))
        revised = min(completed + timedelta(days=rng.randint(0, 600)), searched - timedelta(days=3))
        dates = {"edat": entered.strftime("%Y/%m/%d")}
        if completed >= searched and not ahead:
            stat = "In-Process"
        elif not ahead:
            dates.update(dcom=completed.strftime("%Y%m%d"), lr=revised.strftime("%Y%m%d"))
    ptypes = ["Review"] if d["pubtype"] == "review" else []
    if d.get("design") == "quant" and "randomised" in d["title"]:
        ptypes = ["Randomized Controlled Trial"]
    return {
        "key": hit.key,
        "title": title,
        "authors": authors,
        "year": year,
        "month": w.month,
        "journal": d["journal"],
        "jabbr": d["jabbr"],
        "jt": d["jt"],
        "volume": volume,
        "issue": issue,
        "pages": pages,
        "doi": None if rng.random() < drop_doi else d["doi"],
        "abstract": d["abstract"],
        "keywords": d["keywords"],
        "language": d["language"],
        "pubtype": d["pubtype"],
        "pmid": medline_pmid,
        "synthetic": not w.real,
        "address": d["address"],
        "stat": stat,
        "ptypes": ptypes,
        **dates,
    }


def write_searches(files: dict, duplicates: list[tuple[Hit, Hit]]) -> list[list]:
    out = PROJECT / "searches"
    seen: Counter = Counter()
    manifest = [["file", "database", "search", "platform", "format", "date_searched", "records"]]
    for search, db, name, platform, form, searched in FILES:
        views = []
        for hit in files[(search, db)]:
            pmid = next((h.key for h in hit.work.hits if h.db == "MEDLINE"), None)
            views.append(view(hit, pmid, seen[hit.work.wid]))
            seen[hit.work.wid] += 1
        if db == "MEDLINE":
            text = fmt.write_nbib(views)
        elif db == "CINAHL":
            text = fmt.write_ebsco_ris(views)
        elif db in ("SCI", "SSCI"):
            text = fmt.write_wos(views, db)
        elif db == "Cochrane":
            text = fmt.write_endnote_xml(
                views, "PPS qualitative searches.enl", "s9v0wdx2lpz5tpe2dvnxr5t1d0xz95a0xtps"
            )
        else:
            text = fmt.write_ovid_ris(views, db)
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        manifest.append(
            [
                name,
                DB_NAMES[db],
                "main" if search == MAIN else "update",
                platform,
                form,
                searched,
                len(views),
            ]
        )
    gold = [
        [
            "search",
            "database",
            "record_key",
            "duplicate_of_search",
            "duplicate_of_database",
            "duplicate_of_key",
        ]
    ]
    for hit, first in duplicates:
        gold.append(
            [
                "main" if hit.search == MAIN else "update",
                DB_NAMES[hit.db],
                hit.key,
                "main" if first.search == MAIN else "update",
                DB_NAMES[first.db],
                first.key,
            ]
        )
    scr.write_csv(out / "duplicates_gold.csv", gold)
    scr.write_csv(out / "searches.csv", manifest)
    return manifest


def main() -> None:
    works = build_works()
    assign_keys(works)
    files = files_in_order(works)
    unique, duplicates = canonical(files)
    n_identified = sum(len(h) for h in files.values())
    assert n_identified == 2119 and len(unique) == 1719 and len(duplicates) == 400, (
        n_identified,
        len(unique),
    )
    # AB's sample: 20% of the unique records' keys, drawn as evsynth draws it (seed 2019).
    sample = scr.double_screening_sample([h.key for h in unique], 0.2, SAMPLE_SEED)
    scr.assign_roles(works, unique, sample, rng_for("roles"))
    fill_content(works)
    manifest = write_searches(files, duplicates)
    scr.write_screening(PROJECT / "screening", works, unique, sample, DB_NAMES, rng_for("screening"),
                        manifest, len(duplicates))  # fmt: skip
    scr.check_files(PROJECT / "searches", manifest)


if __name__ == "__main__":
    main()
