"""Benchmark evsynth's economic-evaluation kernels: the trial bootstrap and CEAC/EVPI from PSA.

Two workloads, both simulated with NumPy's ``default_rng(--seed)``:

- **Bootstrap**: a two-arm trial of ``--patients`` patients (default 500, half per arm; gamma
  costs, QALYs correlated with baseline utility), ``--replicates`` stratified, paired bootstrap
  replicates (default 10,000), timed three ways: the kernel
  ``evsynth.economics.bootstrap.bootstrap_arm_means`` with plain means, the same with the
  baseline-utility adjustment (ANCOVA means in every replicate, Manca et al. 2005), and the
  public ``evsynth.bootstrap_trial`` (which adds CEACs, CEAF and EVPI on a 501-point grid);
- **PSA**: ``--draws`` draws (default 10,000) of ``--strategies`` strategies (default 6), CEACs
  of every strategy, the CEAF and the EVPI over a ``--grid``-point threshold grid (default 501,
  0 to 50,000), timed as the kernel ``evsynth.economics.psa.decision_curves`` and as the public
  ``evsynth.cost_effectiveness`` on the long-form DataFrame (which also computes the pairwise
  CEACs against each comparator and reshapes the table).

Each time is the median of ``--repeats`` runs (default 5) after one warm-up. Before timing, the
PSA kernel is checked against a plain loop over draws and thresholds on a subset, so the times
are for correct results. It prints one table (workload, call, milliseconds, target) and whether
each target (under one second) is met.

    .venv/bin/python benchmarks/bench_economics.py
    .venv/bin/python benchmarks/bench_economics.py --replicates 2000 --draws 2000   # quick
    .venv/bin/python benchmarks/bench_economics.py --json benchmarks/results/economics.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evsynth.economics import bootstrap_trial, cost_effectiveness
from evsynth.economics.bootstrap import bootstrap_arm_means
from evsynth.economics.psa import decision_curves

TARGET_SECONDS = 1.0  # the issue: each "in well under a second"


def _time(call: Callable[[], object], repeats: int) -> float:
    call()  # warm-up: first-touch allocations and imports
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def trial(patients: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = np.where(np.arange(patients) < patients // 2, "Intervention", "Control")
    u0 = np.clip(rng.normal(0.65, 0.12, patients), -0.2, 1.0)
    qaly = 0.15 + 0.75 * u0 + 0.03 * (arm == "Intervention") + rng.normal(0, 0.05, patients)
    cost = rng.gamma(1.6, 600.0, patients) + 450.0 * (arm == "Intervention")
    return pd.DataFrame({"arm": arm, "cost": cost, "qaly": qaly, "baseline": u0})


def psa_draws(draws: int, strategies: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cost = rng.normal(1000.0, 250.0, (draws, strategies)) + np.arange(strategies) * 400.0
    effect = rng.normal(1.0, 0.05, (draws, strategies)) + np.arange(strategies) * 0.02
    return cost, effect


def check_psa_kernel(cost: np.ndarray, effect: np.ndarray, grid: np.ndarray) -> None:
    """The vectorised CEACs and EVPI equal a plain loop (200 draws, 11 thresholds)."""
    c, e, k = cost[:200], effect[:200], grid[:: max(1, grid.size // 10)]
    curves = decision_curves(c, e, k)
    for t, kk in enumerate(k):
        nb = kk * e - c
        p = np.bincount(nb.argmax(axis=1), minlength=c.shape[1]) / c.shape[0]
        assert np.allclose(curves.p_optimal[:, t], p), "CEAC differs from the loop"
        evpi = nb.max(axis=1).mean() - nb.mean(axis=0).max()
        assert np.isclose(curves.evpi[t], evpi, rtol=1e-10, atol=1e-9), "EVPI differs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--replicates", type=int, default=10_000)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--strategies", type=int, default=6)
    parser.add_argument("--grid", type=int, default=501)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()

    data = trial(args.patients, args.seed)
    arm = (data["arm"] == "Control").to_numpy().astype(np.intp)
    cost_p, qaly_p, u0 = (data[c].to_numpy() for c in ("cost", "qaly", "baseline"))
    grid = np.linspace(0.0, 50000.0, args.grid)
    cost, effect = psa_draws(args.draws, args.strategies, args.seed)
    check_psa_kernel(cost, effect, grid)
    names = [f"S{j + 1}" for j in range(args.strategies)]
    long = pd.DataFrame(
        {
            "draw": np.repeat(np.arange(args.draws), args.strategies),
            "strategy": names * args.draws,
            "cost": cost.ravel(),
            "effect": effect.ravel(),
        }
    )

    boot = f"bootstrap: {args.patients} patients, {args.replicates:,} replicates"
    psa = f"PSA: {args.draws:,} draws x {args.strategies} strategies x {args.grid} thresholds"
    runs: list[tuple[str, str, Callable[[], object]]] = [
        (
            boot,
            "bootstrap_arm_means (means)",
            lambda: bootstrap_arm_means(
                cost_p, qaly_p, arm, args.replicates, np.random.default_rng(1)
            ),
        ),
        (
            boot,
            "bootstrap_arm_means (baseline-adjusted)",
            lambda: bootstrap_arm_means(
                cost_p, qaly_p, arm, args.replicates, np.random.default_rng(1), baseline=u0
            ),
        ),
        (
            boot,
            "evsynth.bootstrap_trial (+ CEAC/EVPI)",
            lambda: bootstrap_trial(
                data,
                reference="Intervention",
                baseline="baseline",
                n_boot=args.replicates,
                rng=1,
                grid=grid,
            ),
        ),
        (psa, "decision_curves (CEACs, CEAF, EVPI)", lambda: decision_curves(cost, effect, grid)),
        (
            psa,
            "evsynth.cost_effectiveness (+ pairwise CEACs)",
            lambda: cost_effectiveness(long, reference="S1", grid=grid),
        ),
    ]
    results: list[dict[str, Any]] = []
    for workload, call, fn in runs:
        seconds = _time(fn, args.repeats)
        results.append({"workload": workload, "call": call, "seconds": seconds})

    print(f"evsynth economics benchmark (median of {args.repeats} after a warm-up; "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"NumPy {np.__version__}, {platform.machine()})")  # fmt: skip
    width = max(len(r["call"]) for r in results)
    current = ""
    for r in results:
        if r["workload"] != current:
            current = r["workload"]
            print(f"\n{current}")
        ok = "ok" if r["seconds"] < TARGET_SECONDS else "SLOW"
        print(f"  {r['call']:<{width}}  {1000 * r['seconds']:9.1f} ms   < 1 s: {ok}")
    met = all(r["seconds"] < TARGET_SECONDS for r in results)
    print(f"\nAll under {TARGET_SECONDS:g} s: {'yes' if met else 'NO'}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {"args": {k: str(v) for k, v in vars(args).items()}, "results": results}, indent=2
            ),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
