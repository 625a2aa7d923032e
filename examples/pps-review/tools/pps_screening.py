"""The screening history of the example review, and the checks of the generated files.

As the seed reports: ASc screens every unique record at title/abstract; AB screens a 20%
sample to measure agreement (kappa 0.77, above the protocol's 0.7, so "double sifting was not
deemed necessary"); ASc and AB screen all 58 full texts and JL, the third reviewer, resolves
their disagreements. The events follow evsynth's screening model (evsynth.screening): roles
"screener" and "arbiter", an arbiter decision for every disagreement between screeners, at
title/abstract too (JL upholds ASc's decision there, so the sample only measures agreement),
and AB's sample is ``double_screening_sample`` of the unique record keys with seed 2019. The
seed gives only totals, so which synthetic record gets which decision, and every timestamp, is
simulated; the totals are the seed's exactly.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pps_formats as fmt

TA_REASONS = {  # archetype of a synthetic record -> why it is excluded at title/abstract
    "otherpop": "Not persistent physical symptoms population",
    "notbehav": "Not behavioural intervention",
    "secondary": "Not primary care or community setting",
    "nonuk": "Not UK study",
    "quant": "Not qualitative data",
    "review": "Not a primary study (review or editorial)",
    "conference": "Conference abstract only",
}
# Full-text exclusions of the 46 synthetic full texts (the seed gives no breakdown).
FT_REASONS = [
    ("Not qualitative data", 14, "ft_quant"),
    ("Not UK study", 9, "ft_nonuk"),
    ("Not primary care or community setting", 8, "ft_secondary"),
    ("Not behavioural intervention", 7, "ft_notbehav"),
    ("Not persistent physical symptoms population", 4, "ft_otherpop"),
    ("Conference abstract only", 4, "ft_conference"),
]
# Archetype weights by the database a synthetic record is first found in.
WEIGHTS = {
    "MEDLINE": dict(notbehav=30, otherpop=22, quant=18, nonuk=12, secondary=10, review=8),
    "Embase": dict(notbehav=30, otherpop=20, quant=18, nonuk=12, secondary=10, review=10),
    "CINAHL": dict(otherpop=35, notbehav=20, secondary=15, nonuk=10, quant=10, review=10),
    "PsycINFO": dict(otherpop=25, quant=20, notbehav=15, nonuk=15, secondary=15, review=10),
    "SCI": dict(notbehav=40, quant=30, otherpop=20, review=10),
    "SSCI": dict(otherpop=30, notbehav=25, nonuk=20, quant=15, review=10),
    "Cochrane": dict(quant=80, notbehav=20),
}
# Cohen's kappa 0.77 needs, with 344 double-screened records: 10 forwarded by ASc, of which AB
# excludes 3, and 1 that AB would forward and ASc excluded (kappa 0.7719). In the sample both
# use "include", not "maybe", so the 3-category kappa evsynth computes by default is the same.
K_FORWARD, AB_EXCLUDES, AB_FORWARDS = 10, 3, 1
FT_DISAGREE = (3, 2)  # full text: ASc include/AB exclude, ASc exclude/AB include; JL decides


def double_screening_sample(keys: list[str], fraction: float, seed: int) -> set[str]:
    """AB's sample, as evsynth.screening.double_screening_sample draws it: ceil(fraction * n)
    of the sorted record keys, with numpy's default_rng(seed), so that it depends only on the
    set of keys and can be redrawn from the data."""
    ordered = sorted(set(keys))
    size = math.ceil(round(fraction * len(ordered), 9))
    chosen = np.random.default_rng(seed).choice(len(ordered), size=size, replace=False)
    return {ordered[int(i)] for i in chosen}


def assign_roles(works, unique, sample, rng) -> None:
    """Which synthetic works go to full text, and why each record is excluded."""
    key = {h.work.wid: h.key for h in unique}
    in_sample = lambda w: key[w.wid] in sample  # noqa: E731
    real_in = sum(in_sample(w) for w in works if w.real)
    syn = [w for w in works if not w.real]
    only_embase = [("2016-07", "Embase")]
    conf_pool = [
        w for w in syn if [(h.search, h.db) for h in w.hits] == only_embase and w.year >= 2005
    ]
    upd_pool = [w for w in syn if w.hits[0].search == "2019-02"]
    conf, upd = rng.sample(conf_pool, 4), rng.sample(upd_pool, 2)
    need_in = K_FORWARD - real_in - sum(in_sample(w) for w in conf + upd)
    assert need_in >= AB_EXCLUDES, "too many full texts fell in the sample; change SEED"
    taken = {w.wid for w in conf + upd}
    # Relevant-looking papers are usually indexed in several databases: prefer those.
    pool = [w for w in syn if w.hits[0].search == "2016-07" and w.year >= 1998
            and w.wid not in taken and w.hits[0].db != "Cochrane"]  # fmt: skip
    pool_in = [w for w in pool if in_sample(w)]
    pool_out = sorted(
        (w for w in pool if not in_sample(w)), key=lambda w: (-len(w.hits), rng.random())
    )
    main = rng.sample(pool_in, need_in) + rng.sample(pool_out[:120], 40 - need_in)
    reasons = [(r, a) for r, n, a in FT_REASONS[:-1] for _ in range(n)]
    rng.shuffle(reasons)
    for work, (reason, archetype) in zip(main + upd, reasons, strict=True):
        work.ft_reason, work.archetype = reason, archetype
    for work in conf:
        work.ft_reason, work.archetype = "Conference abstract only", "ft_conference"
    for work in works:
        if work.real:
            work.ft_reason, work.archetype = "", "real"
        elif not work.archetype:
            weights = dict(WEIGHTS[work.hits[0].db])
            if work.hits[0].db == "Embase" and work.year >= 2005 and len(work.hits) == 1:
                weights["conference"] = 40  # Embase indexes conference abstracts
            work.archetype = rng.choices(list(weights), list(weights.values()))[0]


def london(t: datetime) -> datetime:
    """Attach the UK offset: BST (+01:00) from the last Sunday of March to that of October."""

    def last_sunday(month: int) -> datetime:
        d = datetime(t.year, month, 31)
        return d - timedelta(days=(d.weekday() + 1) % 7)

    summer = last_sunday(3) <= t < last_sunday(10)
    return t.replace(tzinfo=timezone(timedelta(hours=1 if summer else 0)))


class Clock:
    """Working-day timestamps for one reviewer's session of screening."""

    def __init__(self, start: str, rng, seconds: tuple[int, int]):
        self.t, self.rng, self.seconds = datetime.fromisoformat(start + "T09:12:00"), rng, seconds

    def tick(self) -> str:
        self.t += timedelta(seconds=self.rng.randint(*self.seconds))
        while self.t.hour >= 17 or self.t.weekday() >= 5:
            self.t = (self.t + timedelta(days=1)).replace(hour=9, minute=self.rng.randint(0, 40))
        return london(self.t).isoformat()


def kappa(first: list[str], second: list[str]) -> float:
    """Cohen's kappa for two raters' categorical decisions on the same records."""
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    categories = set(first) | set(second)
    expected = sum(first.count(c) * second.count(c) for c in categories) / n**2
    return (observed - expected) / (1 - expected)


def write_csv(path: Path, rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


COLUMNS = ["record_key", "database", "reviewer", "decision", "reason", "timestamp", "role"]


def write_screening(out: Path, works, unique, sample, db_names, rng, manifest, n_dup) -> None:
    """title_abstract.csv, full_text.csv, included_reports.csv, prisma_counts.csv, protocol.toml."""
    forward = lambda w: w.ft_reason is not None  # noqa: E731
    event = lambda h, who, decision, reason, clock, role="screener": [  # noqa: E731
        h.key, db_names[h.db], who, decision, reason, clock.tick(), role]  # fmt: skip
    clock = {(who, search): Clock(day, rng, pace) for who, search, day, pace in [
        ("ASc", "2016-07", "2016-08-01", (25, 140)), ("AB", "2016-07", "2016-09-05", (30, 160)),
        ("JL", "2016-07", "2016-09-19", (60, 300)), ("ASc", "2019-02", "2019-02-18", (25, 140)),
        ("AB", "2019-02", "2019-02-25", (30, 160)), ("JL", "2019-02", "2019-03-01", (60, 300))]}  # fmt: skip
    chosen = [h for h in unique if h.key in sample]
    fwd_in = [h for h in chosen if forward(h.work) and not h.work.real]
    excl_in = [
        h for h in chosen if not forward(h.work) and h.work.archetype in ("nonuk", "secondary")
    ]
    ab_no = {h.key for h in rng.sample(fwd_in, AB_EXCLUDES)}
    ab_yes = {h.key for h in rng.sample(excl_in, AB_FORWARDS)}
    ta, asc, ab = [], {}, {}
    for h in unique:  # ASc, in screening order; "maybe" only outside the double-screened sample
        w = h.work
        maybe = not w.real and h.key not in sample and rng.random() < 0.4
        asc[h.key] = ("maybe" if maybe else "include") if forward(w) else "exclude"
        reason = "" if forward(w) else TA_REASONS[w.archetype]
        ta.append(event(h, "ASc", asc[h.key], reason, clock[("ASc", h.search)]))
    order = list(chosen)
    rng.shuffle(order)
    for h in order:  # AB's sample, in random order, after ASc
        if h.key in ab_no:
            ab[h.key], reason = "exclude", h.work.ft_reason
        elif h.key in ab_yes or forward(h.work):
            ab[h.key], reason = "include", ""
        else:
            reason = TA_REASONS[h.work.archetype]
            if rng.random() < 0.1:  # reasons may differ when both exclude
                reason = rng.choice(sorted(set(TA_REASONS.values())))
            ab[h.key] = "exclude"
        ta.append(event(h, "AB", ab[h.key], reason, clock[("AB", h.search)]))
    for h in chosen:  # JL upholds ASc's decision where the two disagree
        if (asc[h.key] == "exclude") != (ab[h.key] == "exclude"):
            reason = "" if forward(h.work) else TA_REASONS[h.work.archetype]
            ta.append(event(h, "JL", asc[h.key], reason, clock[("JL", h.search)], "arbiter"))
    pairs = [(asc[k], ab[k]) for k in sorted(sample)]
    k = kappa([a != "exclude" for a, _ in pairs], [b != "exclude" for _, b in pairs])
    assert round(k, 2) == 0.77 and abs(kappa(*map(list, zip(*pairs, strict=True))) - k) < 1e-12, k
    # Full text: ASc and AB each screen all 58; JL resolves the disagreements.
    ft_hits = [h for h in unique if forward(h.work)]
    assert len(ft_hits) == 58 and sum(bool(h.work.real) for h in ft_hits) == 12
    candidates = [h for h in ft_hits if not h.work.real and h.search == "2016-07"]
    split = rng.sample(candidates, sum(FT_DISAGREE))
    disagree = {h.key: ("include", "exclude") if i < FT_DISAGREE[0] else ("exclude", "include")
                for i, h in enumerate(split)}  # fmt: skip
    ft_clock = {(who, search): Clock(day, rng, (900, 3600)) for who, search, day in [
        ("ASc", "2016-07", "2016-10-03"), ("AB", "2016-07", "2016-10-10"), ("JL", "2016-07", "2016-11-07"),
        ("ASc", "2019-02", "2019-03-04"), ("AB", "2019-02", "2019-03-05"), ("JL", "2019-02", "2019-03-18")]}  # fmt: skip
    ft = []
    for h in ft_hits:
        final = "include" if h.work.real else "exclude"
        for who, decision in zip(("ASc", "AB"), disagree.get(h.key, (final, final)), strict=True):
            reason = h.work.ft_reason if decision == "exclude" else ""
            ft.append(event(h, who, decision, reason, ft_clock[(who, h.search)]))
    for h in ft_hits:
        if h.key in disagree:
            ft.append(
                event(h, "JL", "exclude", h.work.ft_reason, ft_clock[("JL", h.search)], "arbiter")
            )
    by_time = lambda row: (datetime.fromisoformat(row[5]), row[0])  # noqa: E731
    write_csv(out / "title_abstract.csv", [COLUMNS, *sorted(ta, key=by_time)])
    write_csv(out / "full_text.csv", [COLUMNS, *sorted(ft, key=by_time)])
    included = [["report_key", "database", "study_id", "first_author", "year", "title", "journal", "doi",
                 "cited_in_seed_as"]]  # fmt: skip
    for h in ft_hits:
        if h.work.real:
            r = h.work.real
            first = r["authors"].split("; ")[0].rsplit(" ", 1)[0]
            included.append([h.key, db_names[h.db], r["study_id"], first, r["year"], r["title"], r["journal"],
                             r["doi"], r["cited_in_seed_as"]])  # fmt: skip
    included[1:] = sorted(included[1:], key=lambda row: (row[2], row[4], row[8]))
    write_csv(out / "included_reports.csv", included)
    # PRISMA counts, as the files give them.
    reasons = Counter(h.work.ft_reason for h in ft_hits if not h.work.real)
    total = sum(r[6] for r in manifest[1:])
    n_ta_disagree = sum((asc[k] == "exclude") != (ab[k] == "exclude") for k in sample)
    counts = [["stage", "item", "n"]]
    counts += [["identified", f"{r[1]} ({r[2]} search, {r[0]})", r[6]] for r in manifest[1:]]
    counts += [["identified", "total", total], ["deduplication", "duplicates removed", n_dup],
               ["title_abstract", "records screened (ASc)", len(unique)],
               ["title_abstract", "double-screened sample (AB)", len(sample)],
               ["title_abstract", "cohen_kappa", f"{k:.4f}"],
               ["title_abstract", "disagreements resolved by JL", n_ta_disagree],
               ["title_abstract", "excluded", len(unique) - len(ft_hits)],
               ["full_text", "assessed", len(ft_hits)],
               ["full_text", "disagreements resolved by JL", len(disagree)]]  # fmt: skip
    counts += [["full_text", f"excluded: {r}", reasons[r]] for r, *_ in FT_REASONS]
    studies = len({h.work.real["study_id"] for h in ft_hits if h.work.real})
    counts += [["included", "reports", 12], ["included", "studies", studies]]
    write_csv(out / "prisma_counts.csv", counts)
    write_protocol(out / "protocol.toml", len(sample), len(unique))
    print(f"identified {total}, duplicates {n_dup}, unique {len(unique)}, sample {len(sample)}, "
          f"kappa {k:.4f}, full text {len(ft_hits)}, included 12 reports / {studies} studies")  # fmt: skip


def write_protocol(path: Path, n_sample: int, n_unique: int) -> None:
    """The [screening] table in the form evsynth.screening.ScreeningProtocol.from_mapping reads."""
    ta = ",\n    ".join(f'"{r}"' for r in dict.fromkeys(TA_REASONS.values()))
    ft = ",\n    ".join(f'"{r}"' for r, *_ in FT_REASONS)
    path.write_text(
        f"""# Screening protocol of the example review: the [screening] table of evsynth.toml.
# Generated by tools/make_searches.py. People and rules are those the seed review reports
# (Scope et al. 2021, "Screening and eligibility"); the reason lists are this example's.
# ASc screens every title/abstract; AB double-screens a 20% sample ({n_sample} of {n_unique} unique
# records: ceil(0.2 * n) of the sorted record keys, numpy default_rng(seed)) to measure
# agreement; below kappa 0.7 every record would be double-screened. ASc and AB screen every
# full text; JL resolves disagreements (at title/abstract JL upheld ASc's decision).

[screening]
stages = ["title_abstract", "full_text"]
reviewers = {{ ASc = ["lead", "screener"], AB = ["screener"], JL = ["arbiter"] }}
double_screening = {{ title_abstract = 0.2, full_text = "all" }}
seed = 2019
kappa_threshold = 0.7
reason_required_title_abstract = false

[screening.exclusion_reasons]
title_abstract = [
    {ta},
]
full_text = [
    {ft},
]
""",
        encoding="utf-8",
        newline="\n",
    )


def check_files(folder: Path, manifest: list[list]) -> None:
    """Parse every export with a reader of its format and compare the counts."""
    import rispy
    from lxml import etree

    total = 0
    keys: set[tuple[str, str]] = set()
    for name, database, search, _, form, _, expected in manifest[1:]:
        text = (folder / name).read_text(encoding="utf-8")
        if name.endswith(".nbib"):
            found = fmt.count_nbib(text)
        elif name.endswith(".txt"):
            found = fmt.count_wos(text)
        elif name.endswith(".ris"):
            entries = rispy.loads(text)
            found = [e.get("id") for e in entries]
            assert all(e.get("title") or e.get("primary_title") for e in entries), name
        else:
            root = etree.fromstring(
                text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True)
            )
            found = [r.findtext("accession-num/style") for r in root.iter("record")]
        assert len(found) == expected == len(set(found)) and all(found), (
            name,
            len(found),
            expected,
        )
        keys |= {(search, database, k) for k in found}
        total += len(found)
        print(f"  {name}: {len(found)} records ({form}) parsed")
    assert total == 2119, total
    with (folder / "duplicates_gold.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            assert (row["search"], row["database"], row["record_key"]) in keys
            assert (
                row["duplicate_of_search"],
                row["duplicate_of_database"],
                row["duplicate_of_key"],
            ) in keys
    assert all(re.fullmatch(r"[\w:.-]+", k) for *_, k in keys)
    # The records screened are exactly those the gold file does not mark as duplicates.
    with (folder / "duplicates_gold.csv").open(encoding="utf-8") as handle:
        dups = {(r["search"], r["database"], r["record_key"]) for r in csv.DictReader(handle)}
    unique = {(db, k) for s, db, k in keys - dups}
    screening = folder.parent / "screening"
    with (screening / "title_abstract.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {(r["database"], r["record_key"]) for r in rows if r["reviewer"] == "ASc"} == unique
    # Outcome: the arbiter's decision where there is one, else ASc's ("maybe" goes forward).
    outcome = {
        (r["database"], r["record_key"]): r["decision"] for r in rows if r["reviewer"] == "ASc"
    }
    outcome |= {
        (r["database"], r["record_key"]): r["decision"] for r in rows if r["role"] == "arbiter"
    }
    forwarded = {record for record, decision in outcome.items() if decision != "exclude"}
    with (screening / "full_text.csv").open(encoding="utf-8") as handle:
        full = list(csv.DictReader(handle))
    assert {(r["database"], r["record_key"]) for r in full} == forwarded and len(forwarded) == 58
    print(
        f"  all files parse; {total} records, {len(dups)} duplicates, {len(unique)} unique; the"
        " gold keys are in the files and the screening logs cover exactly the unique records"
    )
