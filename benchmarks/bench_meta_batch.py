"""Benchmark evsynth's batch random-effects fits against a loop of metafor and of pimeta fits.

Simulates ``--n`` random-effects meta-analyses of ``--k`` studies each (seeded NumPy
``default_rng``; true effect 0.3, tau^2 = 0.05, sampling variance 4/n with n uniform on 20..200,
the variance of a standardised mean difference from two arms of n/2), writes them to a temporary
long-format CSV and fits every analysis by REML with:

- evsynth: ``evsynth.synthesis.meta.batch.fit_batch`` on the whole batch at once;
- metafor (R): ``benchmarks/r/metafor_loop.R``, a loop of ``rma(yi, vi, method = "REML")``
  timed with ``system.time`` around the loop only; skipped when ``Rscript`` or metafor is absent;
- pimeta (PyPI): a loop of ``pimeta.rma(yi, vi, method="REML")`` and of the lighter
  ``pimeta.pool_yv(...)``, in a subprocess running the interpreter that has pimeta (this one, or
  ``--pimeta-python``), timing the loop only; skipped when pimeta cannot be found.

It prints one table: tool, fits, total seconds (for all ``--n`` analyses), microseconds per fit,
time ratio to evsynth, and the largest absolute differences from evsynth's estimate and tau^2.

    .venv/bin/python benchmarks/bench_meta_batch.py                 # 10,000 analyses
    .venv/bin/python benchmarks/bench_meta_batch.py --n 500 --no-r  # quick
    .venv/bin/python benchmarks/bench_meta_batch.py --pimeta-python /tmp/bench-venv/bin/python

With ``--pimeta-worker`` the script is the pimeta subprocess itself (NumPy and pimeta only).
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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
R_SCRIPT = HERE / "r" / "metafor_loop.R"
TRUE_EFFECT = 0.3
TRUE_TAU2 = 0.05
TARGETS = {"metafor": 100.0, "pimeta": 5.0}  # the speed-up targets
AGREEMENT = 1e-6  # the agreement target for estimates


@dataclass
class Run:
    """One tool's timing and results (``fits`` analyses, the first ``fits`` of the batch)."""

    tool: str
    fits: int
    seconds: float  # measured, for ``fits`` analyses
    estimate: np.ndarray
    tau2: np.ndarray
    note: str = ""


def simulate(n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Effects and sampling variances, shape (n, k), of n random-effects meta-analyses."""
    rng = np.random.default_rng(seed)
    arm_total = rng.integers(20, 201, size=(n, k))
    variance = 4.0 / arm_total
    true_study = rng.normal(TRUE_EFFECT, np.sqrt(TRUE_TAU2), size=(n, k))
    effect = rng.normal(true_study, np.sqrt(variance))
    return effect, variance


def write_long_csv(path: Path, effect: np.ndarray, variance: np.ndarray) -> None:
    """Columns analysis, study, effect, variance; 17 significant digits, so R reads the same."""
    n, k = effect.shape
    analysis = np.repeat(np.arange(n), k)
    study = np.tile(np.arange(k), n)
    table = np.column_stack([analysis, study, effect.ravel(), variance.ravel()])
    np.savetxt(
        path,
        table,
        delimiter=",",
        fmt=["%d", "%d", "%.17g", "%.17g"],
        header="analysis,study,effect,variance",
        comments="",
    )


def read_long_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Back to (n, k) arrays; rows with fewer studies are NaN-padded."""
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    analysis = table[:, 0].astype(np.int64)
    study = table[:, 1].astype(np.int64)
    effect = np.full((analysis.max() + 1, study.max() + 1), np.nan)
    variance = effect.copy()
    effect[analysis, study] = table[:, 2]
    variance[analysis, study] = table[:, 3]
    return effect, variance


def read_results(path: Path, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A results CSV (analysis, estimate, tau2) as two arrays of length n (NaN where absent)."""
    table = np.genfromtxt(path, delimiter=",", skip_header=1, missing_values="NA")
    table = np.atleast_2d(table)
    estimate = np.full(n, np.nan)
    tau2 = np.full(n, np.nan)
    index = table[:, 0].astype(np.int64)
    estimate[index] = table[:, 1]
    tau2[index] = table[:, 2]
    return estimate, tau2


def run_evsynth(effect: np.ndarray, variance: np.ndarray, repeats: int) -> Run:
    """Median wall time of ``repeats`` calls of fit_batch (after one warm-up call)."""
    from evsynth.synthesis.meta.batch import fit_batch

    result = fit_batch(effect, variance, method="REML")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fit_batch(effect, variance, method="REML")
        times.append(time.perf_counter() - start)
    note = f"median of {repeats}; {int(np.sum(~result.converged))} not converged"
    return Run(
        "evsynth fit_batch",
        effect.shape[0],
        statistics.median(times),
        result.estimate,
        result.tau2,
        note,
    )


def run_metafor(csv: Path, workdir: Path, rscript: str | None) -> Run | str:
    """Run the R loop; a string says why it was skipped."""
    rscript = rscript or shutil.which("Rscript")
    if rscript is None:
        return "Rscript not found (apt-get install r-base-core r-cran-metafor)"
    probe = subprocess.run(
        [rscript, "-e", 'quit(status = !requireNamespace("metafor", quietly = TRUE))'],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        return "R package metafor not installed (apt-get install r-cran-metafor)"
    output = workdir / "metafor.csv"
    done = subprocess.run(
        [rscript, str(R_SCRIPT), str(csv), str(output), "REML"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"metafor loop failed: {done.stderr.strip()[-500:]}"
    info = json.loads(done.stdout.strip().splitlines()[-1])
    estimate, tau2 = read_results(output, int(info["fits"]))
    note = f"R {info['R']}, metafor {info['metafor']}; system.time elapsed"
    if info["failed"]:
        note += f"; {info['failed']} fits failed"
    return Run(
        "metafor rma() loop", int(info["fits"]), float(info["elapsed"]), estimate, tau2, note
    )


def find_pimeta_python(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    probe = subprocess.run(
        [sys.executable, "-c", "import pimeta"], capture_output=True, check=False
    )
    return sys.executable if probe.returncode == 0 else None


def run_pimeta(csv: Path, workdir: Path, python: str | None, n_fits: int) -> list[Run] | str:
    """Run the pimeta loops in a subprocess; a string says why they were skipped."""
    if python is None:
        return (
            "pimeta not importable here; install it in a separate venv "
            "(python3 -m venv /tmp/bench-venv && /tmp/bench-venv/bin/pip install pimeta) "
            "and pass --pimeta-python /tmp/bench-venv/bin/python"
        )
    done = subprocess.run(
        [python, __file__, "--pimeta-worker", str(csv), str(workdir), str(n_fits)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"pimeta loop failed: {done.stderr.strip()[-500:]}"
    info = json.loads(done.stdout.strip().splitlines()[-1])
    runs = []
    for entry in ("rma", "pool_yv"):
        estimate, tau2 = read_results(workdir / f"pimeta_{entry}.csv", n_fits)
        runs.append(
            Run(
                f"pimeta {entry}() loop",
                n_fits,
                float(info[entry]),
                estimate,
                tau2,
                f"pimeta {info['version']}",
            )
        )
    return runs


def pimeta_worker(csv: Path, workdir: Path, n_fits: int) -> None:
    """Subprocess side: loop pimeta over the first n_fits analyses and time the loops only."""
    import pimeta
    from pimeta.pooling import pool_yv

    effect, variance = read_long_csv(csv)
    rows = [
        (e[~np.isnan(e)], v[~np.isnan(v)])
        for e, v in zip(effect[:n_fits], variance[:n_fits], strict=True)
    ]
    rows_as_lists = [(list(map(float, e)), list(map(float, v))) for e, v in rows]
    seconds = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        fits = [pimeta.rma(e, v, method="REML") for e, v in rows]
        seconds["rma"] = time.perf_counter() - start
        results = [(fit.b[0], fit.tau2) for fit in fits]
        save_results(workdir / "pimeta_rma.csv", results)

        start = time.perf_counter()
        pooled = [
            pool_yv(e, v, None, "MD", model="random", method="REML") for e, v in rows_as_lists
        ]
        seconds["pool_yv"] = time.perf_counter() - start
        save_results(workdir / "pimeta_pool_yv.csv", [(p.pooled_est, p.tau2) for p in pooled])
    print(json.dumps({**seconds, "version": pimeta.__version__}))


def save_results(path: Path, results: list[tuple[float, float]]) -> None:
    lines = ["analysis,estimate,tau2"]
    lines += [f"{i},{est!r},{tau2!r}" for i, (est, tau2) in enumerate(results)]
    path.write_text("\n".join(lines) + "\n")


def report(runs: list[Run], n: int, skipped: list[str]) -> dict[str, object]:
    """Print the table; return the same numbers as a dict (for --json)."""
    base = runs[0]
    base_per_fit = base.seconds / base.fits
    header = (
        f"{'tool':<22} {'fits':>7} {'total s':>10} {'us/fit':>9} {'x evsynth':>10} "
        f"{'max|d est|':>11} {'max|d tau2|':>11}"
    )
    print(header)
    print("-" * len(header))
    rows = []
    for run in runs:
        per_fit = run.seconds / run.fits
        total = per_fit * n  # scaled to the whole batch when run on a subset
        m = run.fits
        d_est = float(np.nanmax(np.abs(run.estimate[:m] - base.estimate[:m])))
        d_tau2 = float(np.nanmax(np.abs(run.tau2[:m] - base.tau2[:m])))
        ratio = per_fit / base_per_fit
        flag = "*" if run.fits < n else " "
        print(
            f"{run.tool:<22} {run.fits:>7} {total:>9.3f}{flag} {per_fit * 1e6:>9.2f} "
            f"{ratio:>10.1f} {d_est:>11.2e} {d_tau2:>11.2e}"
        )
        rows.append(
            {
                "tool": run.tool,
                "fits": run.fits,
                "measured_s": run.seconds,
                "total_s_for_n": total,
                "us_per_fit": per_fit * 1e6,
                "ratio_vs_evsynth": ratio,
                "max_abs_diff_estimate": d_est,
                "max_abs_diff_tau2": d_tau2,
                "note": run.note,
            }
        )
    for run in runs:
        if run.note:
            print(f"  {run.tool}: {run.note}")
    if any(run.fits < n for run in runs):
        print(f"  * measured on the first fits only and scaled to all {n} analyses")
    for message in skipped:
        print(f"  skipped: {message}")
    for row in rows[1:]:
        tool = str(row["tool"])
        target = TARGETS["metafor" if tool.startswith("metafor") else "pimeta"]
        speed = "met" if float(row["ratio_vs_evsynth"]) >= target else "NOT met"
        agree = "met" if float(row["max_abs_diff_estimate"]) <= AGREEMENT else "NOT met"
        print(f"  target vs {tool}: >= {target:g}x faster {speed}; estimates within 1e-6 {agree}")
    return {"rows": rows, "skipped": skipped}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="analyses (default 10000)")
    parser.add_argument("--k", type=int, default=20, help="studies per analysis (default 20)")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--repeats", type=int, default=5, help="evsynth timing repeats")
    parser.add_argument("--no-r", action="store_true", help="skip metafor")
    parser.add_argument("--rscript", help="path to Rscript (default: on PATH)")
    parser.add_argument("--no-pimeta", action="store_true", help="skip pimeta")
    parser.add_argument("--pimeta-python", help="interpreter with pimeta installed")
    parser.add_argument("--pimeta-n", type=int, help="pimeta on the first N analyses only")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--pimeta-worker", nargs=3, metavar=("CSV", "DIR", "N"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)

    if args.pimeta_worker:
        csv, workdir, n_fits = args.pimeta_worker
        pimeta_worker(Path(csv), Path(workdir), int(n_fits))
        return 0

    print(
        f"REML fits of {args.n} simulated meta-analyses, k = {args.k} (seed {args.seed}); "
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench_meta_batch_") as tmp:
        workdir = Path(tmp)
        csv = workdir / "analyses.csv"
        write_long_csv(csv, *simulate(args.n, args.k, args.seed))
        effect, variance = read_long_csv(csv)
        runs = [run_evsynth(effect, variance, args.repeats)]
        if args.no_r:
            skipped.append("metafor (--no-r)")
        else:
            outcome = run_metafor(csv, workdir, args.rscript)
            if isinstance(outcome, str):
                skipped.append(outcome)
            else:
                runs.append(outcome)
        if args.no_pimeta:
            skipped.append("pimeta (--no-pimeta)")
        else:
            n_fits = min(args.pimeta_n or args.n, args.n)
            python = find_pimeta_python(args.pimeta_python)
            outcome_py = run_pimeta(csv, workdir, python, n_fits)
            if isinstance(outcome_py, str):
                skipped.append(outcome_py)
            else:
                runs.extend(outcome_py)
    results = report(runs, args.n, skipped)
    if args.json:
        settings = {"n": args.n, "k": args.k, "seed": args.seed, "repeats": args.repeats}
        args.json.write_text(json.dumps({"settings": settings, **results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
