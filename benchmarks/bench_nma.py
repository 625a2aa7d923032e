"""Benchmark evsynth's frequentist network meta-analysis against metafor, netmeta and pimeta.

Simulates one network of ``--studies`` studies (default 60) and ``--treatments`` treatments
(default 10), about one study in six with three arms (seeded NumPy ``default_rng``), writes its
contrasts to a temporary CSV (netmeta's columns ``studlab, treat1, treat2, TE, seTE``, 17
significant digits) and fits the random-effects model with:

- evsynth: ``network_meta_analysis(data, method="DL" | "REML")``; every call also computes the
  decomposition of Q, the design-by-treatment interaction model and node-splitting, so the
  times include the inconsistency statistics; median of ``--repeats`` calls after one warm-up;
- metafor (R): ``rma.mv`` in the contrast-based model netmeta uses for REML
  (``benchmarks/r/nma_rma_mv.R``), timed with ``system.time`` around ``--r-repeats`` fits
  (no R start-up, package loading or data preparation); REML only (rma.mv has no DL);
- netmeta (R): ``netmeta()`` + ``decomp.design()`` + ``netsplit()`` per fit
  (``benchmarks/r/nma_netmeta.R``), when installed;
- pimeta (PyPI): ``pimeta.netmeta(...)`` alone and with ``decomp_design()`` and
  ``netsplit()``, in a subprocess running the interpreter that has pimeta.

It prints one table: tool, method, milliseconds per fit, time relative to evsynth with the
same method, and the largest absolute differences from rma.mv (REML) or from evsynth (DL) in the
estimates of every treatment versus the reference, their standard errors, and tau^2; then
whether the targets (under 5 ms per DL fit and 20 ms per REML fit) are met.

    .venv/bin/python benchmarks/bench_nma.py --pimeta-python /tmp/bench-venv/bin/python
    .venv/bin/python benchmarks/bench_nma.py --no-r --no-pimeta        # evsynth only

With ``--pimeta-worker`` the script is the pimeta subprocess itself (NumPy, pandas, pimeta).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RMA_MV = HERE / "r" / "nma_rma_mv.R"
NETMETA = HERE / "r" / "nma_netmeta.R"
REFERENCE = "T00"
TARGET_MS = {"DL": 5.0, "REML": 20.0}  # the targets per fit
TRUE_TAU = 0.3


@dataclass
class Run:
    """One tool and method: seconds per fit and estimates of each treatment vs the reference."""

    tool: str
    method: str
    seconds: float
    treatments: list[str]
    estimate: np.ndarray
    se: np.ndarray
    tau2: float
    note: str = ""
    extra: dict[str, float] = field(default_factory=dict)


def simulate(studies: int, treatments: int, seed: int) -> list[tuple[str, str, str, float, float]]:
    """Contrasts of a connected random-effects network with some three-arm studies.

    Arm ``a`` of study ``s`` has mean ``mu_s + d_a + u_sa`` with ``u_sa ~ N(0, tau^2 / 2)``,
    so that contrasts have heterogeneity variance tau^2 and correlation 1/2 within a study (the
    model netmeta and rma.mv fit), observed with variance ``2 / n_sa``; the contrasts of a
    multi-arm study are differences of its arm means, hence exactly consistent.
    """
    rng = np.random.default_rng(seed)
    names = [f"T{i:02d}" for i in range(treatments)]
    d = np.concatenate([[0.0], rng.normal(0.0, 0.5, treatments - 1)])
    rows = []
    for s in range(studies):
        p = 3 if s % 6 == 5 else 2
        if s < treatments - 1:  # a spanning star first, so that the network is connected
            arms = np.array([0, s + 1])
        else:
            arms = rng.choice(treatments, size=p, replace=False)
        arms = np.sort(arms)
        n = rng.integers(20, 201, size=arms.size)
        mean = (
            rng.normal(0.0, 1.0)
            + d[arms]
            + rng.normal(0.0, TRUE_TAU / np.sqrt(2.0), arms.size)
            + rng.normal(0.0, np.sqrt(2.0 / n))
        )
        variance = 2.0 / n
        for i in range(arms.size):
            for j in range(i + 1, arms.size):
                rows.append(
                    (
                        f"S{s:02d}",
                        names[arms[i]],
                        names[arms[j]],
                        float(mean[i] - mean[j]),
                        float(np.sqrt(variance[i] + variance[j])),
                    )
                )
    return rows


def write_csv(path: Path, rows: list[tuple[str, str, str, float, float]]) -> None:
    lines = ["studlab,treat1,treat2,TE,seTE"]
    lines += [f"{s},{a},{b},{te:.17g},{se:.17g}" for s, a, b, te, se in rows]
    path.write_text("\n".join(lines) + "\n")


def run_evsynth(csv: Path, method: str, repeats: int) -> Run:
    import pandas as pd

    from evsynth.synthesis.nma import network_meta_analysis

    data = pd.read_csv(csv)
    result = network_meta_analysis(data, method=method, reference=REFERENCE)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = network_meta_analysis(data, method=method, reference=REFERENCE)
        times.append(time.perf_counter() - start)
    frame = result.to_frame("random")
    return Run(
        "evsynth",
        method,
        statistics.median(times),
        list(frame["treatment"]),
        frame["estimate"].to_numpy(),
        frame["se"].to_numpy(),
        result.tau2,
        f"median of {repeats} calls (min {min(times) * 1e3:.2f} ms); Q_inconsistency "
        f"{result.q_inconsistency:.4f}, design-by-treatment and netsplit included",
    )


def _rscript(explicit: str | None) -> str | None:
    return explicit or shutil.which("Rscript")


def run_rma_mv(csv: Path, rscript: str | None, repeats: int) -> Run | str:
    if rscript is None:
        return "metafor: Rscript not found (apt-get install r-base-core r-cran-metafor)"
    probe = subprocess.run(
        [rscript, "-e", 'quit(status = !requireNamespace("metafor", quietly = TRUE))'],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        return "metafor: not installed (apt-get install r-cran-metafor)"
    done = subprocess.run(
        [rscript, str(RMA_MV), str(csv), REFERENCE, str(repeats)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"metafor rma.mv failed: {done.stderr.strip()[-500:]}"
    info = json.loads(done.stdout.strip().splitlines()[-1])
    return Run(
        "metafor rma.mv",
        "REML",
        float(info["seconds_per_fit"]),
        list(info["treatments"]),
        np.array(info["estimate"]),
        np.array(info["se"]),
        float(info["tau2"]),
        f"R {info['R']}, metafor {info['metafor']}; system.time over {repeats} fits",
    )


def run_netmeta(csv: Path, rscript: str | None, repeats: int) -> list[Run] | str:
    if rscript is None:
        return "netmeta: Rscript not found"
    done = subprocess.run(
        [rscript, str(NETMETA), str(csv), REFERENCE, str(repeats)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 3:
        return "netmeta: not installed (R package netmeta; CRAN)"
    if done.returncode != 0:
        return f"netmeta failed: {done.stderr.strip()[-500:]}"
    info = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        Run(
            "netmeta",
            method,
            float(info[method]["seconds_per_fit"]),
            list(info[method]["treatments"]),
            np.array(info[method]["estimate"]),
            np.array(info[method]["se"]),
            float(info[method]["tau2"]),
            f"netmeta {info['netmeta']}, with decomp.design and netsplit",
        )
        for method in ("DL", "REML")
    ]


def find_pimeta_python(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    probe = subprocess.run(
        [sys.executable, "-c", "import pimeta"], capture_output=True, check=False
    )
    return sys.executable if probe.returncode == 0 else None


def run_pimeta(csv: Path, python: str | None, repeats: int) -> list[Run] | str:
    if python is None:
        return (
            "pimeta: not importable here; install it in a separate venv "
            "(python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install pimeta) and "
            "pass --pimeta-python /tmp/bench-venv/bin/python"
        )
    done = subprocess.run(
        [python, __file__, "--pimeta-worker", str(csv), str(repeats)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"pimeta failed: {done.stderr.strip()[-500:]}"
    info = json.loads(done.stdout.strip().splitlines()[-1])
    if not info.get("has_netmeta"):
        return f"pimeta {info['version']}: offers no network meta-analysis"
    runs = []
    for method in ("DL", "REML"):
        entry = info[method]
        runs.append(
            Run(
                "pimeta",
                method,
                float(entry["with_inconsistency"]),
                list(entry["treatments"]),
                np.array(entry["estimate"]),
                np.array(entry["se"]),
                float(entry["tau2"]),
                f"pimeta {info['version']}: netmeta() + decomp_design() + netsplit(); "
                f"netmeta() alone {entry['fit_only'] * 1e3:.1f} ms",
                {"fit_only": float(entry["fit_only"])},
            )
        )
    return runs


def pimeta_worker(csv: Path, repeats: int) -> None:
    """Subprocess side: time pimeta.netmeta with and without its inconsistency statistics."""
    import pandas as pd
    import pimeta

    out: dict[str, object] = {"version": pimeta.__version__}
    if not hasattr(pimeta, "netmeta"):
        print(json.dumps({**out, "has_netmeta": False}))
        return
    data = pd.read_csv(csv)
    args = (data["TE"].to_numpy(), data["seTE"].to_numpy(), data["treat1"].to_numpy(),
            data["treat2"].to_numpy())  # fmt: skip

    def fit(method: str) -> object:
        return pimeta.netmeta(*args, studlab=data["studlab"].to_numpy(), method_tau=method,
                              reference_group=REFERENCE)  # fmt: skip

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method in ("DL", "REML"):
            result = fit(method)
            fit_only, full = [], []
            for _ in range(repeats):
                start = time.perf_counter()
                result = fit(method)
                fit_only.append(time.perf_counter() - start)
                pimeta.decomp_design(result)
                pimeta.netsplit(result)
                full.append(time.perf_counter() - start)
            trts = list(result.trts)  # type: ignore[attr-defined]
            r = trts.index(REFERENCE)
            keep = [i for i in range(len(trts)) if i != r]
            te = np.asarray(result.TE_random)  # type: ignore[attr-defined]
            se = np.asarray(result.seTE_random)  # type: ignore[attr-defined]
            out[method] = {
                "fit_only": statistics.median(fit_only),
                "with_inconsistency": statistics.median(full),
                "treatments": [trts[i] for i in keep],
                "estimate": te[keep, r].tolist(),
                "se": se[keep, r].tolist(),
                "tau2": float(result.tau2),  # type: ignore[attr-defined]
            }
    print(json.dumps({**out, "has_netmeta": True}))


def _diffs(run: Run, base: Run) -> tuple[float, float, float]:
    index = {t: i for i, t in enumerate(base.treatments)}
    order = [index[t] for t in run.treatments]
    return (
        float(np.max(np.abs(run.estimate - base.estimate[order]))),
        float(np.max(np.abs(run.se - base.se[order]))),
        abs(run.tau2 - base.tau2),
    )


def report(runs: list[Run], skipped: list[str]) -> dict[str, object]:
    """Print the table; return the same numbers as a dict (for --json)."""
    evsynth = {r.method: r for r in runs if r.tool == "evsynth"}
    rma = next((r for r in runs if r.tool == "metafor rma.mv"), None)
    header = (
        f"{'tool':<16} {'method':<6} {'ms/fit':>9} {'x evsynth':>10} {'vs':<8} "
        f"{'max|d est|':>11} {'max|d se|':>10} {'|d tau2|':>10}"
    )
    print(header)
    print("-" * len(header))
    rows = []
    for run in runs:
        base = rma if (run.method == "REML" and rma is not None) else evsynth[run.method]
        ratio = run.seconds / evsynth[run.method].seconds
        if run is base:
            d_est = d_se = d_tau2 = float("nan")
            against = "-"
        else:
            d_est, d_se, d_tau2 = _diffs(run, base)
            against = "rma.mv" if base is rma else "evsynth"
        print(
            f"{run.tool:<16} {run.method:<6} {run.seconds * 1e3:>9.2f} {ratio:>10.1f} "
            f"{against:<8} {d_est:>11.2e} {d_se:>10.2e} {d_tau2:>10.2e}"
        )
        rows.append(
            {
                "tool": run.tool,
                "method": run.method,
                "ms_per_fit": run.seconds * 1e3,
                "ratio_vs_evsynth": ratio,
                "compared_with": against,
                "max_abs_diff_estimate": d_est,
                "max_abs_diff_se": d_se,
                "abs_diff_tau2": d_tau2,
                "note": run.note,
                **{f"{k}_ms": v * 1e3 for k, v in run.extra.items()},
            }
        )
    for run in runs:
        print(f"  {run.tool} {run.method}: {run.note}")
    for message in skipped:
        print(f"  skipped: {message}")
    for method, target in TARGET_MS.items():
        ms = evsynth[method].seconds * 1e3
        met = "met" if ms < target else "NOT met"
        print(f"  target: evsynth {method} under {target:g} ms per fit: {ms:.2f} ms, {met}")
    return {"rows": rows, "skipped": skipped}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=int, default=60)
    parser.add_argument("--treatments", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20120925)
    parser.add_argument("--repeats", type=int, default=50, help="evsynth and pimeta timing calls")
    parser.add_argument("--r-repeats", type=int, default=20, help="rma.mv fits timed in R")
    parser.add_argument("--netmeta-repeats", type=int, default=1, help="netmeta fits timed")
    parser.add_argument("--no-r", action="store_true", help="skip metafor and netmeta")
    parser.add_argument("--rscript", help="path to Rscript (default: on PATH)")
    parser.add_argument("--no-pimeta", action="store_true", help="skip pimeta")
    parser.add_argument("--pimeta-python", help="interpreter with pimeta installed")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--pimeta-worker", nargs=2, metavar=("CSV", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.pimeta_worker:
        csv, repeats = args.pimeta_worker
        pimeta_worker(Path(csv), int(repeats))
        return 0

    print(
        f"Random-effects NMA of {args.studies} simulated studies, {args.treatments} treatments "
        f"(seed {args.seed}); Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench_nma_") as tmp:
        csv = Path(tmp) / "network.csv"
        rows = simulate(args.studies, args.treatments, args.seed)
        write_csv(csv, rows)
        per_study = Counter(r[0] for r in rows)
        three_arm = sum(1 for count in per_study.values() if count == 3)
        print(f"  {len(rows)} contrasts from {len(per_study)} studies, {three_arm} with three arms")
        runs = [run_evsynth(csv, method, args.repeats) for method in ("DL", "REML")]
        rscript = _rscript(args.rscript)
        if args.no_r:
            skipped.append("metafor and netmeta (--no-r)")
        else:
            outcome = run_rma_mv(csv, rscript, args.r_repeats)
            if isinstance(outcome, str):
                skipped.append(outcome)
            else:
                runs.append(outcome)
            outcome_nm = run_netmeta(csv, rscript, args.netmeta_repeats)
            if isinstance(outcome_nm, str):
                skipped.append(outcome_nm)
            else:
                runs.extend(outcome_nm)
        if args.no_pimeta:
            skipped.append("pimeta (--no-pimeta)")
        else:
            outcome_py = run_pimeta(csv, find_pimeta_python(args.pimeta_python), args.repeats)
            if isinstance(outcome_py, str):
                skipped.append(outcome_py)
            else:
                runs.extend(outcome_py)
    results = report(runs, skipped)
    if args.json:
        settings = {"studies": args.studies, "treatments": args.treatments, "seed": args.seed}
        args.json.write_text(json.dumps({"settings": settings, **results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
