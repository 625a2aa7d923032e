"""Benchmark evsynth's Bayesian NMA engines against JAGS: time to effective samples.

Two networks, both NICE DSU TSD2 random-effects models with TSD2's priors (d ~ N(0, 100^2),
sd ~ U(0, 5)):

- ``smoking``: TSD2's smoking cessation example (24 studies, 4 treatments, two three-arm
  studies), binomial likelihood with logit link on arm data (``tests/data/bayes/smoking_tsd.csv``);
- ``lopez``: Lopez 2019 (73 studies, 7 treatments, very heterogeneous), normal likelihood on
  contrasts with the multi-arm covariance
  (``/work/shared/reference/netmeta/lopez2019_contrasts_for_bayes.csv``, pinned as
  ``tests/data/bayes/lopez2019_contrasts_for_bayes.csv``).

Engines:

- evsynth MCMC (:func:`evsynth.synthesis.nma.bayes.mcmc.bayes_nma_mcmc`, NumPyro NUTS), timed
  around the whole call (data reading, tracing, compilation, warm-up, sampling, deviance,
  summaries and diagnostics), in three situations: ``cold`` (the first call in a fresh
  process: JAX traces and compiles), ``warm`` (a second call in the same process, another
  seed: the compiled sampler is reused) and ``disk`` (the first call in a fresh process whose
  ``JAX_COMPILATION_CACHE_DIR`` holds the program compiled by an earlier process: tracing
  only). Importing evsynth and JAX is reported separately.
- JAGS 4.3.1 through rjags (``benchmarks/r/bayes_jags.R``, TSD2's code), timed inside R around
  ``jags.model`` (compilation and adaptation), the burn-in and the sampling; skipped when
  ``Rscript`` or rjags is absent.
- evsynth's exact engine (:func:`evsynth.synthesis.nma.bayes.bayes_nma_normal`) on the normal
  model: no Monte Carlo error at all; its time is reported beside the others.

The figure of merit is the issue's: effective samples per second of the slowest parameter, the
smallest bulk ESS (Vehtari et al. 2021, computed by evsynth's own
:mod:`~evsynth.synthesis.nma.bayes.mcmc_diagnostics` for every engine, so that the same
estimator judges all) over the d's and sd, divided by the total time, warm-up and compilation
included. ``time to 4,000`` scales only the sampling part: fixed cost (compilation, adaptation,
burn-in or warm-up) + sampling time x 4,000 / ESS. Timings are wall-clock; the CPU seconds are
printed beside them because a shared machine slows wall-clock time unevenly.

    .venv/bin/python benchmarks/bench_bayes.py                  # both networks, with JAGS
    .venv/bin/python benchmarks/bench_bayes.py --networks smoking --no-jags
    .venv/bin/python benchmarks/bench_bayes.py --json benchmarks/results/bayes.json

With ``--worker NETWORK`` the script is the evsynth subprocess itself (prints JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "bayes"
NETWORKS: dict[str, dict[str, Any]] = {
    "smoking": {
        "file": DATA / "smoking_tsd.csv",
        "jags_model": "binomial",
        "kwargs": {
            "likelihood": "binomial",
            "study": "studyn",
            "treatment": "trtn",
            "events": "r",
            "n": "n",
            "reference": "1",
            "higher_is_better": True,
        },
    },
    "lopez": {
        "file": DATA / "lopez2019_contrasts_for_bayes.csv",
        "jags_model": "contrast",
        "kwargs": {
            "likelihood": "normal",
            "study": "study",
            "treatment": "trt",
            "effect": "diff",
            "se": "se_diff",
            "reference": "1",
            "higher_is_better": False,
        },
    },
}
TARGET = 4000.0
EXACT_REPEATS = 21  # the exact engine takes milliseconds: the median of 20 calls after the first
MATCHED_GRID_SETTINGS = {"panels": 4, "nodes": 6, "zoom_points": 33, "tol": 1e-4}


def _min_ess(draws: dict[str, np.ndarray]) -> tuple[float, str]:
    from evsynth.synthesis.nma.bayes.mcmc_diagnostics import ess_bulk

    values = {name: ess_bulk(x) for name, x in draws.items()}
    name = min(values, key=values.__getitem__)
    return values[name], name


def worker(
    network: str, chains: int, warmup: int, samples: int, seed: int, sampler: str = "nuts"
) -> dict[str, Any]:
    """One process: import, a cold call, a warm call (and the exact engine for normal data)."""
    spec = NETWORKS[network]
    start = time.perf_counter()
    from evsynth.synthesis.nma.bayes import bayes_nma_normal
    from evsynth.synthesis.nma.bayes.mcmc import bayes_nma_mcmc

    if sampler == "nuts":
        from evsynth.synthesis.nma.bayes import models_numpyro  # noqa: F401

    import_s = time.perf_counter() - start
    data = pd.read_csv(spec["file"])
    out: dict[str, Any] = {"import_s": import_s}
    for label, rng in (("first", seed), ("second", seed + 1)):
        wall, cpu = time.perf_counter(), time.process_time()
        fit = bayes_nma_mcmc(
            data,
            chains=chains,
            warmup=warmup,
            samples=samples,
            rng=rng,
            sampler=sampler,
            **spec["kwargs"],
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        d = fit.posterior["d"]
        draws = {f"d[{t}]": d[..., k] for k, t in enumerate(fit.treatments[1:])}
        draws["sd"] = fit.posterior["sd"]
        ess, slowest = _min_ess(draws)
        s = fit.sampler
        assert s.algorithm == sampler
        warm_share = s.warmup_steps / max(s.warmup_steps + s.sampling_steps, 1)
        if sampler == "imh":
            # Fixed: the proposal (Newton fits on the grid); the warm-up proposals are cheap
            # draws like the rest and are counted as sampling.
            fixed_run, sampling = s.setup_s, s.run_s - s.setup_s
        else:
            fixed_run, sampling = s.run_s * warm_share, s.run_s * (1 - warm_share)
        out[label] = {
            "wall_s": wall,
            "cpu_s": cpu,
            "trace_s": s.trace_s,
            "compile_s": s.compile_s,
            "run_s": s.run_s,
            "warmup_s": fixed_run,
            "sampling_s": sampling,
            "min_ess": ess,
            "slowest": slowest,
            "mean_steps": s.mean_steps,
            "divergences": s.divergences,
            "max_rhat": float(np.nanmax(fit.diagnostics.rhat)),
            "sd_median": fit.sd.median if fit.sd else None,
            "d_mean": [float(x) for x in fit.pairwise.mean[1:, 0]],
        }
    if spec["kwargs"]["likelihood"] == "normal" and sampler == "nuts":
        from evsynth.synthesis.nma.bayes.quadrature import Quadrature

        matched = Quadrature(**MATCHED_GRID_SETTINGS)
        kwargs = {k: v for k, v in spec["kwargs"].items() if k != "likelihood"}
        # The default grid is accurate to about 1e-8; "matched" is coarser (tolerance 1e-4),
        # still far more accurate than 4,000 effective draws (its error is printed).
        grids = {"default": Quadrature(), "matched": matched}
        exact: dict[str, Any] = {}
        fits = {}
        for name, grid in grids.items():
            times = []
            for _ in range(EXACT_REPEATS):
                wall = time.perf_counter()
                fits[name] = bayes_nma_normal(data, rng=seed, grid=grid, **kwargs)
                times.append(time.perf_counter() - wall)
            exact[name] = {
                "first_s": times[0],
                "median_s": float(np.median(times[1:])),
                "nodes": len(fits[name].weights),
            }
        a, b = fits["default"], fits["matched"]
        exact["matched"]["max_abs_diff"] = float(
            max(
                np.abs(getattr(a.pairwise, f) - getattr(b.pairwise, f)).max()
                for f in ("mean", "sd", "median", "q025", "q975")
            )
        )
        exact["d_mean"] = [float(x) for x in a.pairwise.mean[1:, 0]]
        exact["sd_median"] = a.sd.median if a.sd else None
        out["exact"] = exact
    return out


def _run_worker(
    args: argparse.Namespace, network: str, cache: Path | None, sampler: str = "nuts"
) -> dict[str, Any]:
    env = dict(os.environ)
    if cache is not None:
        env["JAX_COMPILATION_CACHE_DIR"] = str(cache)
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        network,
        "--chains",
        str(args.chains),
        "--warmup",
        str(args.warmup),
        "--samples",
        str(args.imh_samples if sampler == "imh" else args.samples[network]),
        "--seed",
        str(args.seed),
        "--sampler",
        sampler,
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _run_jags(args: argparse.Namespace, network: str) -> dict[str, Any] | None:
    if args.no_jags or shutil.which("Rscript") is None:
        return None
    spec = NETWORKS[network]
    with tempfile.TemporaryDirectory() as tmp:
        draws_csv = Path(tmp) / "draws.csv"
        cmd = [
            "Rscript",
            str(ROOT / "benchmarks" / "r" / "bayes_jags.R"),
            spec["jags_model"],
            str(spec["file"]),
            str(draws_csv),
            str(args.jags_chains),
            str(args.jags_adapt),
            str(args.jags_burnin),
            str(args.jags_iter[network]),
            str(args.seed),
        ]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            print(f"JAGS skipped ({network}): {res.stderr.strip()[-300:]}", file=sys.stderr)
            return None
        timing = json.loads(res.stdout.strip().splitlines()[-1])
        frame = pd.read_csv(draws_csv)
    chains = args.jags_chains
    columns = [c for c in frame.columns if c.startswith("d[") or c == "sd"]
    draws = {c: frame[c].to_numpy().reshape(chains, -1) for c in columns}
    ess, slowest = _min_ess(draws)
    fixed = timing["model"]["elapsed"] + timing["burnin"]["elapsed"]
    cpu = sum(timing[k]["cpu"] for k in ("model", "burnin", "sampling"))
    return {
        "wall_s": fixed + timing["sampling"]["elapsed"],
        "cpu_s": cpu,
        "fixed_s": fixed,
        "sampling_s": timing["sampling"]["elapsed"],
        "min_ess": ess,
        "slowest": slowest,
        "versions": {"jags": timing["jags"], "rjags": timing["rjags"]},
        "d_mean": [float(frame[c].mean()) for c in columns if c.startswith("d[")],
        "sd_median": float(frame["sd"].median()),
    }


def _row(tool: str, r: dict[str, Any], fixed: float, sampling: float) -> dict[str, Any]:
    rate = r["min_ess"] / r["wall_s"]
    return {
        "tool": tool,
        "wall_s": r["wall_s"],
        "cpu_s": r["cpu_s"],
        "min_ess": r["min_ess"],
        "slowest": r["slowest"],
        "ess_per_s": rate,
        "time_to_4000_s": fixed + sampling * TARGET / r["min_ess"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--networks", default="smoking,lopez")
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--samples-smoking", type=int, default=1300)
    parser.add_argument("--samples-lopez", type=int, default=1300)
    parser.add_argument("--seed", type=int, default=20240)
    parser.add_argument("--no-jags", action="store_true")
    parser.add_argument("--jags-chains", type=int, default=4)
    parser.add_argument("--jags-adapt", type=int, default=1000)
    parser.add_argument("--jags-burnin", type=int, default=1000)
    parser.add_argument("--jags-iter-smoking", type=int, default=15000)
    parser.add_argument("--jags-iter-lopez", type=int, default=4000)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", choices=sorted(NETWORKS))
    parser.add_argument("--samples", type=int, default=1300)
    parser.add_argument("--sampler", choices=("nuts", "imh"), default="nuts")
    parser.add_argument(
        "--imh-samples",
        type=int,
        default=2500,
        help="draws kept per chain by the IMH (binomial networks; 4 proposals each)",
    )
    args = parser.parse_args(argv)
    if args.worker:
        result = worker(
            args.worker, args.chains, args.warmup, args.samples, args.seed, args.sampler
        )
        print(json.dumps(result))
        return 0
    args.samples = {"smoking": args.samples_smoking, "lopez": args.samples_lopez}
    args.jags_iter = {"smoking": args.jags_iter_smoking, "lopez": args.jags_iter_lopez}
    report: dict[str, Any] = {"settings": {k: v for k, v in vars(args).items() if k != "json"}}
    for network in args.networks.split(","):
        with tempfile.TemporaryDirectory() as cache_dir:
            cold = _run_worker(args, network, Path(cache_dir))
            disk = _run_worker(args, network, Path(cache_dir))
        imh = (
            _run_worker(args, network, None, "imh")
            if NETWORKS[network]["kwargs"]["likelihood"] == "binomial"
            else None
        )
        jags = _run_jags(args, network)
        rows = []
        runs = [
            ("evsynth NUTS, cold (trace + compile)", cold["first"]),
            ("evsynth NUTS, disk cache (trace only)", disk["first"]),
            ("evsynth NUTS, warm (compiled)", cold["second"]),
        ]
        if imh:
            runs += [
                ("evsynth IMH (Laplace proposal), first call", imh["first"]),
                ("evsynth IMH (Laplace proposal), second call", imh["second"]),
            ]
        for tool, r in runs:
            fixed = (
                r["trace_s"]
                + r["compile_s"]
                + r["warmup_s"]
                + (r["wall_s"] - r["run_s"] - r["trace_s"] - r["compile_s"])
            )
            rows.append(_row(tool, r, fixed, r["sampling_s"]))
        if jags:
            rows.append(
                _row(
                    f"JAGS {jags['versions']['jags']} (rjags)",
                    jags,
                    jags["fixed_s"],
                    jags["sampling_s"],
                )
            )
        table = pd.DataFrame(rows)
        if jags:
            table["ratio_vs_jags"] = table["ess_per_s"] / table["ess_per_s"].iloc[-1]
        print(f"\n== {network}: time to effective samples (min bulk ESS over d's and sd)")
        print(f"import evsynth + JAX: {cold['import_s']:.2f} s (not counted)")
        if imh:
            print(f"import evsynth without JAX (IMH): {imh['import_s']:.2f} s (not counted)")
        with pd.option_context("display.width", 160, "display.max_columns", 20):
            print(table.round(3).to_string(index=False))
        if "exact" in cold:
            ex = cold["exact"]
            jags_time = rows[-1]["time_to_4000_s"] if jags else None
            for name in ("default", "matched"):
                e = ex[name]
                ratio = f", {jags_time / e['median_s']:.0f}x JAGS's time to 4,000" if jags else ""
                extra = (
                    f", max |diff| from the default grid {e['max_abs_diff']:.1e}"
                    if name == "matched"
                    else ""
                )
                print(
                    f"exact engine, {name} grid ({e['nodes']} nodes; no Monte Carlo error): "
                    f"{e['median_s'] * 1e3:.1f} ms per call (first call {e['first_s'] * 1e3:.1f} "
                    f"ms){ratio}{extra}"
                )
        agree = {
            "evsynth d": cold["first"]["d_mean"],
            "evsynth sd median": cold["first"]["sd_median"],
        }
        if jags:
            agree.update({"JAGS d": jags["d_mean"], "JAGS sd median": jags["sd_median"]})
        if "exact" in cold:
            agree.update(
                {"exact d": cold["exact"]["d_mean"], "exact sd median": cold["exact"]["sd_median"]}
            )
        print(
            "posterior means (agreement check):", json.dumps(agree, default=lambda x: round(x, 3))
        )
        report[network] = {
            "evsynth_cold_process": cold,
            "evsynth_disk_process": disk,
            "evsynth_imh_process": imh,
            "jags": jags,
            "table": rows,
        }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
