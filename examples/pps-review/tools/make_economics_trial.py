#!/usr/bin/env python3
"""Write the example's SYNTHETIC patient-level trial for a within-trial cost-utility analysis.

    python examples/pps-review/tools/make_economics_trial.py
    # writes data/synthetic_trial_sf36.csv and data/synthetic_trial_costs.csv

The seed review (Leaviss et al. 2020, Health Technology Assessment 24(46),
doi:10.3310/hta24460) estimated within-trial cost-effectiveness from trials that reported
utilities or SF-36/SF-12 responses that could be mapped to the SF-6D; its mid-point ICERs ranged
widely and, where one fell below 30,000 pounds per QALY, the uncertainty suggested it might be
above. Trial-level data are not public, so this script simulates one trial of the same shape:

- two arms, ``CBT`` (a course of cognitive behavioural therapy added to usual care) and
  ``Usual care``, 150 patients each;
- the SF-36 version 2 at baseline and at 3, 6 and 12 months. Only the 11 items the SF-6D uses
  (3a, 3b, 3j, 4c, 5b, 7, 8, 9b, 9e, 9f, 10) are simulated, coded as printed on the form;
- each patient's total NHS cost over the 12 months (the therapy's cost included), in pounds.

**Every number is SYNTHETIC**: the file names, the patient ids (``SYN-001`` ...) and the
``provenance`` column of every row say so. They show the method; they are not evidence.

How it is simulated: each patient has a latent health score (baseline N(0, 1); a persistent
part and visit-to-visit noise, correlation 0.8); CBT raises it by about a quarter of an SD at
the follow-ups. Each SF-6D dimension reads the latent score through its own loading and noise,
and each item is that dimension's score cut at fixed thresholds (physical items harder for
vigorous than for moderate activities or bathing, and so on). Costs are gamma distributed with
a higher mean for patients in worse health; the therapy adds about 450 pounds. About 1 in 700
follow-up answers is left blank and 4% of patients miss the 12-month assessment, so the report
shows the complete-case policy at work. NumPy's ``default_rng(SEED)`` drives everything; two
runs write byte-identical files.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

SEED = 202446  # HTA volume 24, issue 46
PROJECT = Path(__file__).resolve().parent.parent
RESPONSES = PROJECT / "data" / "synthetic_trial_sf36.csv"
COSTS = PROJECT / "data" / "synthetic_trial_costs.csv"
PROVENANCE = "SYNTHETIC (tools/make_economics_trial.py)"
ARMS = {"CBT": 150, "Usual care": 150}
MONTHS = (0, 3, 6, 12)
# Latent benefit of CBT (SD units) and of time in both arms (regression to the mean).
CBT_EFFECT = {0: 0.0, 3: 0.25, 6: 0.30, 12: 0.25}
TIME_TREND = {0: 0.0, 3: 0.08, 6: 0.10, 12: 0.12}
PERSISTENCE = 0.8
LOADING = {"PF": 0.75, "RL": 0.7, "SF": 0.7, "PAIN": 0.7, "MH": 0.7, "VIT": 0.7}
# Item: (dimension, ascending thresholds on the dimension score, True if a higher code means
# better health). Codes run from 1; a score below the first threshold gives the worst code.
ITEMS: dict[str, tuple[str, tuple[float, ...], bool]] = {
    "3a": ("PF", (-0.1, 1.1), True),  # vigorous activities: limited a lot / a little / not
    "3b": ("PF", (-1.0, 0.1), True),  # moderate activities
    "3j": ("PF", (-2.4, -1.5), True),  # bathing or dressing
    "4c": ("RL", (-1.3, -0.6, 0.0, 0.8), True),  # limited in kind of work: all ... none of time
    "5b": ("MH", (-1.5, -0.9, -0.2, 0.7), True),  # accomplished less (emotional)
    "10": ("SF", (-1.8, -1.0, -0.1, 0.9), True),  # social activities: all ... none of the time
    "7": ("PAIN", (-1.2, -0.5, 0.2, 0.9, 1.7), False),  # bodily pain: none ... very severe
    "8": ("PAIN", (-1.1, -0.3, 0.5, 1.3), False),  # pain interfered: not at all ... extremely
    "9b": ("MH", (-1.9, -1.1, -0.2, 0.8), True),  # very nervous: all ... none of the time
    "9f": ("MH", (-1.7, -0.9, 0.0, 1.0), True),  # downhearted and low
    "9e": ("VIT", (-1.0, -0.2, 0.6, 1.5), False),  # a lot of energy: all ... none of the time
}
ITEM_NOISE = 0.35
MISSING_ITEM = 0.0015
MISSING_FINAL_VISIT = 0.04
RESPONSE_COLUMNS = ["patient", "arm", "month", *ITEMS, "provenance"]
COST_COLUMNS = ["patient", "arm", "cost", "provenance"]


def _code(score: np.ndarray, cuts: tuple[float, ...], higher_is_better: bool) -> np.ndarray:
    """Item codes 1..len(cuts)+1 from a dimension score (higher score = better health)."""
    level = np.searchsorted(np.asarray(cuts), score) + 1  # 1 = worst health
    return level if higher_is_better else len(cuts) + 2 - level


def simulate(seed: int = SEED) -> tuple[list[list[object]], list[list[object]]]:
    """The response rows (one per patient and visit) and the cost rows (one per patient)."""
    rng = np.random.default_rng(seed)
    responses: list[list[object]] = []
    costs: list[list[object]] = []
    number = 0
    for arm, size in ARMS.items():
        persistent = rng.normal(0.0, 1.0, size)
        misses_final = rng.random(size) < MISSING_FINAL_VISIT
        mean_health = np.zeros(size)
        for month in MONTHS:
            health = (
                PERSISTENCE * persistent
                + np.sqrt(1.0 - PERSISTENCE**2) * rng.normal(0.0, 1.0, size)
                + TIME_TREND[month]
                + (CBT_EFFECT[month] if arm == "CBT" else 0.0)
            )
            mean_health += health / len(MONTHS)
            scores = {
                d: lam * health + np.sqrt(1.0 - lam**2) * rng.normal(0.0, 1.0, size)
                for d, lam in LOADING.items()
            }
            codes = {
                item: _code(scores[dim] + rng.normal(0.0, ITEM_NOISE, size), cuts, better)
                for item, (dim, cuts, better) in ITEMS.items()
            }
            for i in range(size):
                if month == 12 and misses_final[i]:
                    continue
                row: list[object] = [f"SYN-{number + i + 1:03d}", arm, month]
                for item in ITEMS:
                    blank = month > 0 and rng.random() < MISSING_ITEM
                    row.append("" if blank else int(codes[item][i]))
                row.append(PROVENANCE)
                responses.append(row)
        # NHS costs: gamma with mean 1,000 pounds at average health, more for worse health;
        # the therapy: eight to twelve sessions at about 50 pounds each.
        nhs = rng.gamma(1.6, 1000.0 / 1.6, size) * np.exp(-0.25 * mean_health)
        therapy = rng.integers(8, 13, size) * rng.normal(50.0, 5.0, size) if arm == "CBT" else 0.0
        total = nhs + therapy - (60.0 if arm == "CBT" else 0.0)
        for i in range(size):
            costs.append(
                [f"SYN-{number + i + 1:03d}", arm, f"{max(total[i], 0.0):.2f}", PROVENANCE]
            )
        number += size
    responses.sort(key=lambda r: (str(r[0]), int(str(r[2]))))
    return responses, costs


def write(rows: list[list[object]], columns: list[str], path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def main() -> None:
    responses, costs = simulate()
    write(responses, RESPONSE_COLUMNS, RESPONSES)
    write(costs, COST_COLUMNS, COSTS)
    print(
        f"wrote {RESPONSES.relative_to(PROJECT)} ({len(responses)} assessments) and "
        f"{COSTS.relative_to(PROJECT)} ({len(costs)} patients)"
    )


if __name__ == "__main__":
    main()
