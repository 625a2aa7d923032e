"""Benchmark prioritised screening: evsynth against ASReview LAB 3.0.8 (``elas_u4``).

Data: every labelled set in ``/work/shared/datasets/screening/`` (the 13 Cohen et al. 2006 drug
reviews, Bannach-Brown 2019, Kitchenham 2010; provenance in that folder's README), final
inclusion (``label``) as the truth. For each set and seed ``s``, ``numpy.random.default_rng(s)``
draws one included row and then one excluded row; both tools start from exactly these two
labels (ASReview through ``--prior-idx``) and label one record per step until every included
record is found. Metrics come from :mod:`evsynth.screening.prioritise.metrics` for both tools,
priors left out: WSS@95, recall after 10% and 25% screened, loss, records to 95% and 100%
recall. CPU time per label is ``time.process_time()`` around the simulation itself (feature
extraction, training, ranking; not reading the CSV or starting Python), divided by the labels.

ASReview runs in its own virtual environment, never in evsynth's::

    python3 -m venv /tmp/asr-venv && /tmp/asr-venv/bin/pip install asreview==3.0.8
    .venv/bin/python benchmarks/bench_screening.py --asreview-python /tmp/asr-venv/bin/python

It is run as ``asreview simulate FILE --ai elas_u4 --prior-idx I J --seed S`` through its own
command-line function, with ``Simulate.review`` wrapped to read the labelling order and the CPU
time. Quick run on one set::

    .venv/bin/python benchmarks/bench_screening.py --datasets cohen2006_Antihistamines --seeds 0-2

Seeds 0-9 are the reported ones; the settings of evsynth's default prioritiser were chosen on
seeds 100-104 (``--seeds 100-104``), never on the reported seeds.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = Path("/work/shared/datasets/screening")
DEFAULT_ASREVIEW_PYTHON = Path("/tmp/asr-venv/bin/python")
METRICS = ("wss95", "recall10", "recall25", "loss", "n_to_95", "n_to_100", "cpu_s_per_label")

# Runs inside ASReview's environment: the `asreview simulate` command-line function, with
# Simulate.review wrapped to time it and to read the labelling order.
ASREVIEW_DRIVER = """
import contextlib, io, json, sys, time
import asreview
import asreview.simulation.cli as cli
import asreview.simulation.simulate as simulate
captured = {}
original = simulate.Simulate.review
def review(self):
    start = time.process_time()
    original(self)
    captured["cpu_s"] = time.process_time() - start
    results = self._results
    captured["order"] = [int(x) for x in results["record_id"]]
    captured["prior"] = [x is None or x != x for x in results["training_set"]]
simulate.Simulate.review = review
cli.Simulate = simulate.Simulate
with contextlib.redirect_stdout(io.StringIO()):
    cli._cli_simulate(sys.argv[1:])
captured["version"] = asreview.__version__
print(json.dumps(captured))
"""


def parse_seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            seeds.extend(range(int(lo), int(hi) + 1))
        elif part.strip():
            seeds.append(int(part))
    return seeds


def draw_priors(labels: np.ndarray, seed: int) -> tuple[int, int]:
    """One included and then one excluded row, drawn with ``default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    included = int(rng.choice(np.flatnonzero(labels == 1)))
    excluded = int(rng.choice(np.flatnonzero(labels == 0)))
    return included, excluded


def metrics_of(labels: np.ndarray, order: list[int], prior: tuple[int, int]) -> dict[str, float]:
    from evsynth.screening.prioritise import metrics

    seen = set(order) | set(prior)
    rest = [i for i in range(len(labels)) if i not in seen]
    sequence = labels[[*order, *rest]]
    return {
        "wss95": metrics.wss(sequence, 0.95),
        "recall10": metrics.recall_at(sequence, 0.10),
        "recall25": metrics.recall_at(sequence, 0.25),
        "loss": metrics.loss(sequence),
        "n_to_95": metrics.n_to_recall(sequence, 0.95),
        "n_to_100": metrics.n_to_recall(sequence, 1.0),
    }


def run_asreview(
    python: Path, csv: Path, prior: tuple[int, int], seed: int, labels: np.ndarray
) -> dict[str, Any]:
    cmd = [str(python), "-c", ASREVIEW_DRIVER, str(csv), "--ai", "elas_u4"]
    cmd += ["--prior-idx", str(prior[0]), str(prior[1]), "--seed", str(seed)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"asreview failed on {csv.name}: {done.stderr.strip()[-500:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    order = [r for r, p in zip(out["order"], out["prior"], strict=True) if not p]
    row = metrics_of(labels, order, prior)
    row["cpu_s_per_label"] = out["cpu_s"] / len(order)
    row["version"] = out["version"]
    return row


def run_evsynth(frame: pd.DataFrame, prior: tuple[int, int], seed: int) -> dict[str, Any]:
    from evsynth.screening.prioritise import simulate_screening

    start = time.perf_counter()
    result = simulate_screening(frame, prior, rng=seed)
    row = metrics_of(frame["label"].to_numpy(dtype=int), list(result.order), prior)
    row["cpu_s_per_label"] = result.cpu_s_per_label
    row["wall_s"] = time.perf_counter() - start
    return row


def cache_key(sha: str, seed: int, prior: tuple[int, int]) -> str:
    return f"{sha[:16]}:{seed}:{prior[0]}:{prior[1]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="", help="comma-separated names (default: all)")
    parser.add_argument("--seeds", default="0-9", help="e.g. 0-9 or 0,3,5 (default 0-9)")
    parser.add_argument("--asreview-python", type=Path, default=DEFAULT_ASREVIEW_PYTHON)
    parser.add_argument("--no-asreview", action="store_true", help="run evsynth alone")
    parser.add_argument("--no-evsynth", action="store_true", help="run ASReview alone")
    parser.add_argument("--jobs", type=int, default=1, help="runs in parallel (per tool)")
    parser.add_argument(
        "--asreview-cache",
        type=Path,
        help="JSON-lines file of ASReview runs, keyed by file hash, seed and prior rows; "
        "runs found there are reused, new ones appended",
    )
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="take ASReview runs from --asreview-cache only (run none); compare evsynth on the "
        "dataset-seed pairs found there",
    )
    parser.add_argument("--json", type=Path, help="write every run and the means here")
    args = parser.parse_args(argv)

    names = sorted(p.stem for p in DATA.glob("*.csv"))
    if args.datasets:
        wanted = [n.strip() for n in args.datasets.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            parser.error(f"unknown datasets {unknown}; choose from {', '.join(names)}")
        names = wanted
    seeds = parse_seeds(args.seeds)
    use_asreview = not args.no_asreview
    if use_asreview and not args.asreview_python.exists():
        print(f"ASReview skipped: no interpreter at {args.asreview_python}", file=sys.stderr)
        use_asreview = False

    cache: dict[str, dict[str, Any]] = {}
    if args.asreview_cache is not None and args.asreview_cache.exists():
        for line in args.asreview_cache.read_text().splitlines():
            if line.strip():
                item = json.loads(line)
                cache[item["key"]] = item["row"]

    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            path = DATA / f"{name}.csv"
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            frame = pd.read_csv(path)
            labels = frame["label"].to_numpy(dtype=int)
            # ASReview reads the final inclusion from `label_included`; it never sees label_ta.
            csv = Path(tmp) / f"{name}.csv"
            keep = [c for c in ("id", "title", "abstract", "keywords") if c in frame.columns]
            frame[keep].assign(label_included=labels).to_csv(csv, index=False)
            priors = {seed: draw_priors(labels, seed) for seed in seeds}
            if use_asreview:
                todo = [s for s in seeds if cache_key(sha, s, priors[s]) not in cache]
                if args.cached_only:
                    todo = []
                with cf.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                    futures = {
                        pool.submit(
                            run_asreview, args.asreview_python, csv, priors[s], s, labels
                        ): s
                        for s in todo
                    }
                    for future in cf.as_completed(futures):
                        s = futures[future]
                        row = future.result()
                        key = cache_key(sha, s, priors[s])
                        cache[key] = row
                        if args.asreview_cache is not None:
                            with args.asreview_cache.open("a") as fh:
                                fh.write(json.dumps({"key": key, "row": row}) + "\n")
                for s in seeds:
                    row = cache.get(cache_key(sha, s, priors[s]))
                    if row is not None:
                        runs.append({"dataset": name, "seed": s, "tool": "asreview", **row})
            if not args.no_evsynth:
                # Each run in its own process when --jobs > 1: process_time() then counts
                # that run alone, as it does for ASReview's subprocesses.
                with cf.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as procs:
                    done = procs.map(
                        run_evsynth, [frame] * len(seeds), [priors[s] for s in seeds], seeds
                    )
                    for s, row in zip(seeds, done, strict=True):
                        runs.append({"dataset": name, "seed": s, "tool": "evsynth", **row})
            print(f"{name}: done ({len(seeds)} seeds)", file=sys.stderr, flush=True)

    table = pd.DataFrame(runs)
    if use_asreview and not args.no_evsynth:
        # Compare on the dataset-seed pairs both tools ran (all of them unless --cached-only).
        pairs = table.groupby(["dataset", "seed"])["tool"].transform("nunique") == 2
        table = table[pairs]
        print(f"{len(table) // 2} dataset-seed pairs run by both tools", file=sys.stderr)
    means = table.groupby(["dataset", "tool"])[list(METRICS)].mean().reset_index()
    macro = means.groupby("tool")[list(METRICS)].mean()
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(f"Per dataset, mean over seeds {args.seeds}:")
        print(means.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        print("\nMacro mean over datasets:")
        print(macro.to_string(float_format=lambda v: f"{v:.4f}"))
    if {"evsynth", "asreview"} <= set(macro.index):
        wide = means.pivot(index="dataset", columns="tool", values="wss95")
        diff = 100 * (wide["evsynth"] - wide["asreview"])
        cpu = macro.loc["evsynth", "cpu_s_per_label"] / macro.loc["asreview", "cpu_s_per_label"]
        gain = 100 * (macro.loc["evsynth", "wss95"] - macro.loc["asreview", "wss95"])
        print(f"\nmacro WSS@95 gain: {gain:+.2f} points (target >= +2)")
        print(f"worst dataset: {diff.min():+.2f} points, {diff.idxmin()} (target >= -5)")
        print(f"CPU per label, evsynth / ASReview (macro means): {cpu:.3f} (target <= 0.2)")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"runs": runs, "macro": macro.reset_index().to_dict("records")}, indent=1)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
