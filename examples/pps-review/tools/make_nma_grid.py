#!/usr/bin/env python3
"""Write the example's SYNTHETIC contrast-level data for a grid of network meta-analyses.

    python examples/pps-review/tools/make_nma_grid.py  # writes data/synthetic_nma_grid_contrasts.csv

The seed review (Leaviss et al. 2020, Health Technology Assessment 24(46),
doi:10.3310/hta24460) ran a network meta-analysis for each of eight outcomes at three time
points, comparing ten categories of behavioural intervention with usual care; its networks were
sparse and heterogeneous. Its trial-level data are not public, so this script simulates data of
the same shape: the seed's intervention categories, outcomes and time points, about the seed's
spread of trial sizes, some three-arm trials, and effects loosely modelled on the seed's
abstract (for example high-intensity CBT for depression about 0.8 SD at the end of treatment).
Every number is SYNTHETIC: the file name, the study labels ("Synthetic trial NN") and the
``provenance`` column of every row say so. They show the method; they are not evidence.

Four cells of the grid are made too sparse on purpose, so that the report shows what evsynth
does with them:

- impact on daily activities, >=6 months: a single trial;
- symptom load, <6 months: two unconnected sub-networks (one without usual care);
- emotional distress, >=6 months: no trial with a usual-care arm (the reference is missing);
- anxiety, >=6 months: no trial reports it (the cell is empty).

Each trial arm is simulated on the outcome's natural scale (lower is better for symptoms, higher
for physical functioning), then every pair of arms becomes one contrast, as the seed reports
them: a standardised mean difference (Hedges' g) oriented so that a **positive SMD favours the
first treatment** (``treat1``), with its standard error and the arm sizes ``n1``, ``n2``. A trial
uses one pooled SD across all its arms, so the contrasts of a three-arm trial are consistent
(``g_AC = g_AB + g_BC``); SMDs computed pair by pair, each with its own pooled SD, are not, and
evsynth (like netmeta) refuses them. NumPy's ``default_rng(SEED)`` drives everything; no clock,
no network: two runs write byte-identical files.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

SEED = 20200946  # HTA volume 24, issue 46
PROJECT = Path(__file__).resolve().parent.parent
OUTPUT = PROJECT / "data" / "synthetic_nma_grid_contrasts.csv"
PROVENANCE = "SYNTHETIC (tools/make_nma_grid.py)"
N_TRIALS = 44

USUAL_CARE = "Usual care"
# The seed's intervention categories, with a synthetic "true" benefit (SMD, positive = better)
# and how often a trial tests each one.
TREATMENTS = {
    "CBT high intensity": (0.45, 9),
    "CBT low intensity": (0.35, 5),
    "Multimodal": (0.40, 5),
    "Relaxation, stretching, support": (0.35, 4),
    "Graded activity": (0.30, 4),
    "Sport and exercise": (0.30, 4),
    "Other psychotherapy": (0.30, 4),
    "Guided self-help": (0.25, 3),
    "GP intervention (reattribution)": (0.05, 3),
}
# Extra benefit for the seed's headline findings at the end of treatment (its abstract).
BOOST = {
    ("pain", "CBT high intensity"): 0.15,
    ("pain", "Multimodal"): 0.15,
    ("fatigue", "CBT low intensity"): 0.35,
    ("fatigue", "Relaxation, stretching, support"): 0.5,
    ("fatigue", "Graded activity"): 0.2,
    ("depression", "CBT high intensity"): 0.35,
    ("emotional distress", "Other psychotherapy"): 0.3,
    ("emotional distress", "Relaxation, stretching, support"): 0.3,
    ("impact on daily activities", "CBT high intensity"): 0.8,
    ("symptom load", "CBT high intensity"): -0.35,
}
# Outcome: (probability a trial reports it, higher is better, baseline mean, SD).
OUTCOMES = {
    "pain": (0.45, False, 55.0, 18.0),
    "fatigue": (0.35, False, 24.0, 6.0),
    "anxiety": (0.40, False, 10.0, 4.0),
    "depression": (0.50, False, 9.0, 4.5),
    "emotional distress": (0.30, False, 14.0, 6.5),
    "physical functioning": (0.50, True, 60.0, 22.0),
    "impact on daily activities": (0.25, False, 18.0, 9.0),
    "symptom load": (0.45, False, 12.0, 5.0),
}
# Time point: (probability a trial reports it, share of the effect kept, share of arms kept).
TIMEPOINTS = {
    "end of treatment": (0.95, 1.0, 1.0),
    "<6 months": (0.50, 0.9, 0.9),
    ">=6 months": (0.40, 0.5, 0.8),
}
TAU = 0.30  # between-trial SD of the true effects: heterogeneous, as the seed found
ARM_COLUMNS = ["study", "treatment", "outcome", "timepoint", "n", "mean", "sd"]
COLUMNS = ["studlab", "treat1", "treat2", "TE", "seTE", "n1", "n2", "outcome", "timepoint",
           "provenance"]  # fmt: skip


def _design(rng: np.random.Generator, trial: int) -> list[str]:
    names = list(TREATMENTS)
    weight = np.array([w for _, w in TREATMENTS.values()], dtype=float)
    weight /= weight.sum()
    kind = rng.random()
    if trial % 9 == 4:  # three-arm trials: two interventions and usual care
        pair = rng.choice(len(names), size=2, replace=False, p=weight)
        return [USUAL_CARE, names[pair[0]], names[pair[1]]]
    if kind < 0.18:  # head-to-head trials of two interventions
        pair = rng.choice(len(names), size=2, replace=False, p=weight)
        return [names[pair[0]], names[pair[1]]]
    return [USUAL_CARE, names[int(rng.choice(len(names), p=weight))]]


def _benefit(outcome: str, treatment: str) -> float:
    if treatment == USUAL_CARE:
        return 0.0
    return TREATMENTS[treatment][0] + BOOST.get((outcome, treatment), 0.0)


def _arm_rows(
    rng: np.random.Generator, study: str, arms: list[str], sizes: list[int], outcome: str, tp: str
) -> list[list[object]]:
    _, higher, baseline, sd = OUTCOMES[outcome]
    _, keep_effect, keep_arm = TIMEPOINTS[tp]
    base = rng.normal(baseline, 0.1 * baseline)
    rows = []
    for arm, size in zip(arms, sizes, strict=True):
        n = max(round(size * keep_arm), 4)
        delta = _benefit(outcome, arm) * keep_effect
        if arm != USUAL_CARE:
            delta += rng.normal(0.0, TAU)
        arm_sd = sd * rng.uniform(0.85, 1.15)
        true_mean = base + (delta if higher else -delta) * sd
        mean = rng.normal(true_mean, arm_sd / np.sqrt(n))
        observed_sd = arm_sd * np.sqrt(rng.chisquare(n - 1) / (n - 1))
        rows.append([study, arm, outcome, tp, n, round(mean, 2), round(observed_sd, 2)])
    return rows


def simulate(seed: int = SEED) -> list[list[object]]:
    """Every arm of every synthetic trial at every outcome and time point it reports."""
    rng = np.random.default_rng(seed)
    rows: list[list[object]] = []
    for t in range(1, N_TRIALS + 1):
        study = f"Synthetic trial {t:02d}"
        arms = _design(rng, t)
        small = rng.random() < 0.2  # about one trial in five is small (10 to 25 per arm)
        sizes = [int(rng.integers(10, 26) if small else rng.integers(30, 160)) for _ in arms]
        for outcome, (p_outcome, *_rest) in OUTCOMES.items():
            if rng.random() >= p_outcome:
                continue
            for tp, (p_time, *_r) in TIMEPOINTS.items():
                if rng.random() < p_time:
                    rows += _arm_rows(rng, study, arms, sizes, outcome, tp)
    return _make_sparse(rng, rows)


def _make_sparse(rng: np.random.Generator, rows: list[list[object]]) -> list[list[object]]:
    """Force the four deliberately sparse cells described in the module docstring."""

    def cell(outcome: str, tp: str) -> list[list[object]]:
        return [r for r in rows if r[2] == outcome and r[3] == tp]

    def drop(outcome: str, tp: str) -> None:
        rows[:] = [r for r in rows if not (r[2] == outcome and r[3] == tp)]

    # A single trial: keep the first trial that reports impact on daily activities at >=6
    # months, or add one.
    outcome, tp = "impact on daily activities", ">=6 months"
    studies = list(dict.fromkeys(str(r[0]) for r in cell(outcome, tp)))
    if studies:
        rows[:] = [r for r in rows if not (r[2] == outcome and r[3] == tp and r[0] != studies[0])]
    else:
        rows += _arm_rows(rng, "Synthetic trial 45", [USUAL_CARE, "CBT high intensity"],
                          [48, 51], outcome, tp)  # fmt: skip
    # Two sub-networks: guided self-help and the GP intervention only compared with each other.
    outcome, tp = "symptom load", "<6 months"
    lonely = {"Guided self-help", "GP intervention (reattribution)"}
    arms_of: dict[str, set[str]] = {}
    for r in cell(outcome, tp):
        arms_of.setdefault(str(r[0]), set()).add(str(r[1]))
    tied = {s for s, a in arms_of.items() if a & lonely}
    rows[:] = [r for r in rows if not (r[2] == outcome and r[3] == tp and r[0] in tied)]
    rows += _arm_rows(rng, "Synthetic trial 46", sorted(lonely), [22, 24], outcome, tp)
    # No usual-care arm: emotional distress at >=6 months from two head-to-head trials only.
    drop("emotional distress", ">=6 months")
    rows += _arm_rows(rng, "Synthetic trial 47", ["Other psychotherapy", "Relaxation, stretching, support"],
                      [40, 38], "emotional distress", ">=6 months")  # fmt: skip
    rows += _arm_rows(rng, "Synthetic trial 48", ["CBT high intensity", "Other psychotherapy"],
                      [35, 33], "emotional distress", ">=6 months")  # fmt: skip
    # An empty cell.
    drop("anxiety", ">=6 months")
    order_o = {o: i for i, o in enumerate(OUTCOMES)}
    order_t = {t: i for i, t in enumerate(TIMEPOINTS)}
    rows.sort(key=lambda r: (order_o[str(r[2])], order_t[str(r[3])], str(r[0])))
    return rows


def check(rows: list[list[object]]) -> None:
    """The sparse cells are as described, and every other cell has a usual-care trial."""
    cells: dict[tuple[str, str], dict[str, set[str]]] = {}
    for r in rows:
        cells.setdefault((str(r[2]), str(r[3])), {}).setdefault(str(r[0]), set()).add(str(r[1]))
    assert ("anxiety", ">=6 months") not in cells
    assert len(cells[("impact on daily activities", ">=6 months")]) == 1
    assert all(USUAL_CARE not in a for a in cells[("emotional distress", ">=6 months")].values())
    three_arm = {s for c in cells.values() for s, a in c.items() if len(a) == 3}
    assert len(three_arm) >= 3, three_arm
    for key, trials in cells.items():
        if key == ("emotional distress", ">=6 months"):
            continue
        assert any(USUAL_CARE in a for a in trials.values()), key


def contrasts(arms: list[list[object]]) -> list[list[object]]:
    r"""Every pair of arms of a trial (at one outcome and time point) as one SMD.

    .. math::

        s = \sqrt{\frac{\sum_i (n_i - 1) s_i^2}{N - p}}, \quad
        J = 1 - \frac{3}{4 (N - p) - 1}, \quad
        g_{ij} = \pm J \frac{\bar x_i - \bar x_j}{s}, \quad
        \operatorname{Var}(g_{ij}) = \frac{1}{n_i} + \frac{1}{n_j}
            + \frac{g_{ij}^2}{2 (n_i + n_j)}

    with the sign making a positive g favour arm i (Hedges 1981; one pooled SD per trial).
    Usual care is always the second treatment of its contrasts.
    """
    groups: dict[tuple[str, str, str], list[list[object]]] = {}
    for arm in arms:
        groups.setdefault((str(arm[0]), str(arm[2]), str(arm[3])), []).append(arm)
    out: list[list[object]] = []
    for (study, outcome, tp), members in groups.items():
        members = sorted(members, key=lambda a: a[1] == USUAL_CARE)  # usual care last
        higher = OUTCOMES[outcome][1]
        n = np.array([float(str(a[4])) for a in members])
        mean = np.array([float(str(a[5])) for a in members])
        sd = np.array([float(str(a[6])) for a in members])
        df = n.sum() - len(members)
        pooled = np.sqrt(np.sum((n - 1) * sd**2) / df)
        j = 1 - 3 / (4 * df - 1)
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                diff = (mean[a] - mean[b]) if higher else (mean[b] - mean[a])
                g = j * diff / pooled
                se = np.sqrt(1 / n[a] + 1 / n[b] + g**2 / (2 * (n[a] + n[b])))
                out.append([study, members[a][1], members[b][1], f"{g:.4f}", f"{se:.4f}",
                            int(n[a]), int(n[b]), outcome, tp, PROVENANCE])  # fmt: skip
    return out


def write(rows: list[list[object]], path: Path = OUTPUT) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def main() -> None:
    arms = simulate()
    check(arms)
    rows = contrasts(arms)
    write(rows)
    trials = len({r[0] for r in rows})
    print(
        f"wrote {OUTPUT.relative_to(PROJECT)}: {len(rows)} contrasts from {trials} synthetic trials"
    )


if __name__ == "__main__":
    main()
