"""Benchmark evsynth's duplicate detection against bib-dedupe, and time it on 100,000 records.

Data: the McKeown & Mir (2021) stroke and haematology sets and bib-dedupe's special cases, as
prepared in CoLRev-Environment/bib-dedupe (MIT), read from ``/work/shared/datasets/dedup`` when
present, else from ``tests/data/dedup``. Metrics are pairwise precision and recall against the
gold clusters (records in no gold cluster are unique), computed by
:func:`evsynth.records.dedup.pairwise_metrics` for both tools.

bib-dedupe runs in a separate virtual environment, so that evsynth's own is untouched:

    python -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install bib-dedupe==0.11.0
    .venv/bin/python benchmarks/bench_dedup.py --bib-dedupe-python /tmp/bench-venv/bin/python

Without that interpreter, bib-dedupe is skipped with a message. The 100,000-record set is
synthetic: real titles, authors and journals from the benchmark sets are recombined into new
records, and a share of them is copied with the perturbations database exports introduce
(case, punctuation, language tags, typos, author formats, abbreviated journals and pages,
one-year shifts, dropped identifiers). Its truth is known, so precision and recall are
reported for it too.

evsynth runs with its defaults, companions included (errata cited by their article, replies,
comments and meeting abstracts linked to their main report; see
:mod:`evsynth.records.dedup.companions`); ``--no-companions`` runs it with
``companions=False``, linking records of one publication only.

Usage::

    .venv/bin/python benchmarks/bench_dedup.py [--records 100000] [--seed 20240601]
        [--bib-dedupe-python PATH] [--bib-dedupe-synthetic] [--no-companions]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import pandas as pd

from evsynth.records.dedup import DedupResult, find_duplicates, pairwise_metrics

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path("/work/shared/datasets/dedup")
LOCAL = ROOT / "tests" / "data" / "dedup"
SETS = ("bibdedupe_stroke", "bibdedupe_haematology", "bibdedupe_special_cases")
DEFAULT_BIB_DEDUPE_PYTHON = Path("/tmp/bench-venv/bin/python")

# Runs inside bib-dedupe's own environment: read a CSV, print clusters and seconds as JSON.
BIB_DEDUPE_SCRIPT = """
import json, sys, time
import pandas as pd
import bib_dedupe.bib_dedupe as bd
records = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
start = time.perf_counter()
prepared = bd.prep(records, verbosity_level=0)
blocked = bd.block(prepared, verbosity_level=0)
matched = bd.match(blocked, verbosity_level=0)
clusters = bd.cluster(matched, verbosity_level=0)
seconds = time.perf_counter() - start
import importlib.metadata as md
print(json.dumps({"clusters": [list(c) for c in clusters], "seconds": seconds,
                  "version": md.version("bib-dedupe")}))
"""


def data_dir() -> Path:
    return SHARED if (SHARED / SETS[0]).is_dir() else LOCAL


def load_set(name: str) -> tuple[pd.DataFrame, list[list[str]]]:
    folder = data_dir() / name
    records = pd.read_csv(folder / "records_pre_merged.csv")
    gold = pd.read_csv(folder / "merged_record_ids.csv")["merged_ids"]
    return records, [str(c).split(";") for c in gold]


def run_evsynth(records: pd.DataFrame, companions: bool = True) -> tuple[DedupResult, float]:
    start = time.perf_counter()
    result = find_duplicates(records, companions=companions)
    return result, time.perf_counter() - start


def _gold_pairs(gold: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for cluster in gold for p in combinations(cluster, 2)}


def review_recall(result: DedupResult, gold: list[list[str]]) -> float:
    """Share of gold pairs that evsynth links or lists as uncertain for a reviewer."""
    flagged = _gold_pairs([[str(i) for i in c] for c in result.clusters])
    uncertain = result.pairs[result.pairs["decision"] == "uncertain"]
    for a, b in zip(uncertain["id_a"], uncertain["id_b"], strict=True):
        flagged.add(frozenset((str(a), str(b))))
    wanted = _gold_pairs(gold)
    return len(flagged & wanted) / len(wanted) if wanted else 1.0


def run_bib_dedupe(
    records: pd.DataFrame, python: Path, timeout: float
) -> tuple[list[list[str]], float, str] | str:
    """bib-dedupe's clusters, seconds and version, or the reason it could not run."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.csv"
        frame = records.copy()
        if "ID" not in frame.columns:
            frame = frame.rename(columns={"id": "ID"})
        if "ENTRYTYPE" not in frame.columns:
            frame["ENTRYTYPE"] = "article"
        frame.to_csv(path, index=False)
        try:
            done = subprocess.run(
                [str(python), "-c", BIB_DEDUPE_SCRIPT, str(path)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"timed out after {timeout:.0f} s"
    if done.returncode != 0:
        return "failed: " + done.stderr.strip().splitlines()[-1] if done.stderr else "failed"
    payload = json.loads(done.stdout.strip().splitlines()[-1])
    return payload["clusters"], float(payload["seconds"]), str(payload["version"])


# --- synthetic records -----------------------------------------------------------------------

_LANGUAGE_TAGS = ("[Chinese]", "[Japanese]", "[German]", "[Spanish]", "[French]")


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 10:
        return text
    k = rng.randrange(1, len(text) - 1)
    action = rng.randrange(3)
    if action == 0:
        return text[:k] + text[k + 1 :]  # deletion
    if action == 1:
        return text[:k] + text[k + 1] + text[k] + text[k + 2 :]  # transposition
    return text[:k] + rng.choice("aeiourstn") + text[k:]  # insertion


def _perturb_title(title: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.25:
        title = title.lower()
    elif r < 0.35:
        title = title.title()
    if rng.random() < 0.5:
        title = title.rstrip(".") + "."
    if rng.random() < 0.1:
        title = f"[{title.rstrip('.')}]."
    if rng.random() < 0.08:
        title = f"{title} {rng.choice(_LANGUAGE_TAGS)}"
    if rng.random() < 0.15:
        title = title.replace(":", " -").replace(",", "")
    if rng.random() < 0.1:
        title = _typo(title, rng)
    return title


def _author_string(names: list[tuple[str, str]], style: int) -> str:
    """Authors as (surname, given names) written in one of the styles exports use."""
    if style == 0:  # BibTeX, initials
        return " and ".join(
            f"{s}, {'. '.join(g[:1] for g in given.split())}." for s, given in names
        )
    if style == 1:  # BibTeX, full given names
        return " and ".join(f"{s}, {given}" for s, given in names)
    # MEDLINE "Surname IN; ..."
    return "; ".join(f"{s} {''.join(g[:1] for g in given.split())}" for s, given in names)


def _abbreviate_journal(journal: str, rng: random.Random) -> str:
    words = [w for w in re.split(r"\s+", journal) if w.lower() not in {"of", "the", "and", "&"}]
    if rng.random() < 0.5 or len(words) < 2:
        return journal.upper() if rng.random() < 0.3 else journal
    return " ".join(w if len(w) <= 4 else w[: rng.randrange(3, 6)] for w in words)


@dataclass(frozen=True, slots=True)
class _Study:
    """One synthetic publication; its records are the original and perturbed copies."""

    title: str
    names: list[tuple[str, str]]
    year: int
    journal: str
    volume: int
    number: int
    first_page: int
    last_page: int
    doi: str
    pmid: str


def synthetic_records(n: int, seed: int) -> tuple[pd.DataFrame, list[list[str]]]:
    """``n`` records, about 30% of them copies of another record, and the true clusters."""
    rng = random.Random(seed)
    pool = pd.concat([load_set(name)[0] for name in SETS[:2]], ignore_index=True)
    titles = [t for t in pool["title"].dropna().astype(str) if len(t.split()) >= 4]
    title_words = [t.rstrip(".").split() for t in titles]
    vocabulary = [w for words in title_words for w in words if len(w) > 3]
    surnames = sorted(
        {
            name.split(",")[0].strip()
            for authors in pool["author"].dropna().astype(str)
            for name in authors.split(" and ")
            if "," in name and name.split(",")[0].strip()
        }
    )
    given = ["Anna", "Ben", "Chen", "David", "Eva", "Farid", "Grace", "Hiro", "Ines", "Jan", "K."]
    journals = sorted(set(pool["journal"].dropna().astype(str)))
    n_base = int(n * 0.7)
    base: list[_Study] = []
    for k in range(n_base):
        # The opening of one real title, the rest of another, and about one word in four
        # swapped for a random title word: real-looking and distinct, yet sharing openings
        # and endings with other titles, so that title blocks are not trivially small.
        a, b = rng.sample(title_words, 2)
        cut_a = rng.randrange(2, max(3, len(a) // 2 + 1))
        cut_b = rng.randrange(1, max(2, len(b) // 2 + 1))
        words = [
            w if rng.random() > 0.25 else rng.choice(vocabulary) for w in a[:cut_a] + b[cut_b:]
        ]
        title = " ".join(words)
        first_page = rng.randrange(1, 3000)
        base.append(
            _Study(
                title=title[0].upper() + title[1:],
                names=[
                    (rng.choice(surnames), rng.choice(given)) for _ in range(rng.randrange(1, 8))
                ],
                year=rng.randrange(1990, 2025),
                journal=rng.choice(journals),
                volume=rng.randrange(1, 400),
                number=rng.randrange(1, 13),
                first_page=first_page,
                last_page=first_page + rng.randrange(0, 15),
                doi=f"10.{rng.randrange(1000, 99999)}/syn.{k}.{rng.randrange(10**6)}"
                if rng.random() < 0.5
                else "",
                pmid=str(10_000_000 + k) if rng.random() < 0.4 else "",
            )
        )
    rows: list[dict[str, object]] = []
    truth: dict[int, list[int]] = {}

    def emit(source: int, copy: bool) -> None:
        study = base[source]
        title, names, year, journal = study.title, study.names, study.year, study.journal
        first, last = study.first_page, study.last_page
        pages = f"{first}-{last}" if last > first else str(first)
        doi, pmid = study.doi, study.pmid
        style = rng.randrange(3)
        if copy:
            title = _perturb_title(title, rng)
            journal = _abbreviate_journal(journal, rng)
            if last > first and rng.random() < 0.3:
                # MEDLINE style: drop the leading digits the end page shares with the first.
                first_text, last_text = str(first), str(last)
                common = 0
                while (
                    common < len(first_text) - 1
                    and len(first_text) == len(last_text)
                    and first_text[common] == last_text[common]
                ):
                    common += 1
                pages = f"{first_text}-{last_text[common:]}"
            if rng.random() < 0.1 and len(names) > 3:
                names = names[:3]
            if rng.random() < 0.02:
                year += rng.choice((-1, 1))
            if doi and rng.random() < 0.3:
                doi = "" if rng.random() < 0.5 else "https://doi.org/" + doi.upper()
            if pmid and rng.random() < 0.5:
                pmid = ""
        truth.setdefault(source, []).append(len(rows))
        rows.append(
            {
                "title": title,
                "author": _author_string(names, style),
                "year": year,
                "journal": journal,
                "volume": study.volume,
                "number": study.number,
                "pages": pages,
                "doi": doi,
                "pmid": pmid,
            }
        )

    for source in range(n_base):
        emit(source, copy=False)
    while len(rows) < n:
        emit(rng.randrange(n_base), copy=True)
    order = list(range(len(rows)))
    rng.shuffle(order)
    position = {row: k for k, row in enumerate(order)}
    frame = pd.DataFrame([rows[row] for row in order])
    frame.insert(0, "id", [f"syn{k:06d}" for k in range(len(frame))])
    gold = [[f"syn{position[r]:06d}" for r in members] for members in truth.values()]
    return frame, [g for g in gold if len(g) > 1]


# --- report ----------------------------------------------------------------------------------


def _row(
    dataset: str,
    tool: str,
    n: int,
    clusters: list[list[str]],
    gold: list[list[str]],
    seconds: float,
    flagged: float | None = None,
) -> dict[str, object]:
    metrics = pairwise_metrics(clusters, gold)
    return {
        "dataset": dataset,
        "tool": tool,
        "records": n,
        "precision": f"{metrics['precision']:.4f}",
        "recall": f"{metrics['recall']:.4f}",
        "recall+review": "" if flagged is None else f"{flagged:.4f}",
        "tp": metrics["tp"],
        "fp": metrics["fp"],
        "fn": metrics["fn"],
        "seconds": f"{seconds:.2f}",
    }


def _evsynth_row(
    dataset: str, records: pd.DataFrame, gold: list[list[str]], companions: bool = True
) -> dict[str, object]:
    result, seconds = run_evsynth(records, companions)
    clusters = [[str(i) for i in c] for c in result.clusters]
    n = len(records)
    share = result.n_candidates / (n * (n - 1) / 2)
    print(
        f"evsynth on {dataset}: scored {result.n_candidates:,} candidate pairs of "
        f"{n * (n - 1) // 2:,} possible ({share:.3%}); {result.n_companions} companion links",
        file=sys.stderr,
    )
    tool = "evsynth" if companions else "evsynth (no companions)"
    return _row(dataset, tool, n, clusters, gold, seconds, review_recall(result, gold))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument(
        "--bib-dedupe-python",
        type=Path,
        default=Path(os.environ.get("BIB_DEDUPE_PYTHON", DEFAULT_BIB_DEDUPE_PYTHON)),
        help="python of a virtual environment with bib-dedupe installed",
    )
    parser.add_argument(
        "--bib-dedupe-synthetic",
        action="store_true",
        help="also run bib-dedupe on the synthetic set (slow)",
    )
    parser.add_argument(
        "--no-companions",
        action="store_true",
        help="run evsynth with companions=False (records of one publication only)",
    )
    args = parser.parse_args(argv)
    companions = not args.no_companions
    print(f"data: {data_dir()}", file=sys.stderr)
    have_bib_dedupe = args.bib_dedupe_python.exists()
    if not have_bib_dedupe:
        print(
            f"bib-dedupe skipped: no interpreter at {args.bib_dedupe_python} "
            "(create a venv and pip install bib-dedupe, then pass --bib-dedupe-python)",
            file=sys.stderr,
        )
    table: list[dict[str, object]] = []
    for name in SETS:
        records, gold = load_set(name)
        table.append(_evsynth_row(name, records, gold, companions))
        if have_bib_dedupe:
            outcome = run_bib_dedupe(records, args.bib_dedupe_python, timeout=600)
            if isinstance(outcome, str):
                print(f"bib-dedupe on {name}: {outcome}", file=sys.stderr)
            else:
                found, bd_seconds, version = outcome
                table.append(
                    _row(name, f"bib-dedupe {version}", len(records), found, gold, bd_seconds)
                )
    start = time.perf_counter()
    synthetic, truth = synthetic_records(args.records, args.seed)
    print(
        f"generated {len(synthetic)} synthetic records in {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )
    table.append(_evsynth_row("synthetic", synthetic, truth, companions))
    if have_bib_dedupe and args.bib_dedupe_synthetic:
        outcome = run_bib_dedupe(synthetic, args.bib_dedupe_python, timeout=1800)
        if isinstance(outcome, str):
            print(f"bib-dedupe on synthetic: {outcome}", file=sys.stderr)
        else:
            found, bd_seconds, version = outcome
            table.append(
                _row("synthetic", f"bib-dedupe {version}", len(synthetic), found, truth, bd_seconds)
            )
    print(pd.DataFrame(table).to_string(index=False))
    print(
        f"\n{os.cpu_count()} CPU cores. Pairwise metrics over the gold clusters; recall+review "
        "also counts evsynth's uncertain pairs. Seconds exclude reading the CSV."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
