"""The stratified, paired, seeded bootstrap of a trial (Briggs, Wonderling & Mooney 1997).

Properties checked on small hand-made trials: a seed fixes every replicate; each replicate keeps
the arm sizes (stratified); a patient's cost and QALYs travel together (paired: with cost = 100
x QALYs for every patient, every replicate's mean cost is 100 x its mean QALYs); the
baseline-adjusted replicate means equal the OLS regression fitted to that replicate's patients;
and the point estimates are the sample's own means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth.economics import adjust_for_baseline, bootstrap_trial
from evsynth.economics.bootstrap import bootstrap_arm_means, percentile_interval
from tests.tolerances import EXACT, LINALG
from tests.validation._assert import close


def _patients(n: int = 40, seed: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = np.where(np.arange(n) < n // 2, "T", "C")
    u0 = rng.normal(0.6, 0.1, n)
    qaly = 0.2 + 0.7 * u0 + 0.02 * (arm == "T") + rng.normal(0, 0.04, n)
    cost = rng.gamma(2.0, 400.0, n) + 300.0 * (arm == "T")
    return pd.DataFrame({"arm": arm, "cost": cost, "qaly": qaly, "u0": u0})


def test_seeded_and_reproducible() -> None:
    data = _patients()
    a = bootstrap_trial(data, reference="T", n_boot=200, rng=42)
    b = bootstrap_trial(data, reference="T", n_boot=200, rng=42)
    c = bootstrap_trial(data, reference="T", n_boot=200, rng=43)
    assert np.array_equal(a.cost_draws, b.cost_draws)
    assert not np.array_equal(a.cost_draws, c.cost_draws)
    assert a.manifest is not None and a.manifest.seed == 42
    gen = bootstrap_trial(data, reference="T", n_boot=200, rng=np.random.default_rng(42))
    assert np.array_equal(gen.cost_draws, a.cost_draws)
    assert gen.manifest is not None and gen.manifest.seed is None


def test_paired_and_stratified() -> None:
    qaly = np.array([0.5, 0.6, 0.7, 0.8, 0.9])
    arm = np.array([0, 0, 0, 1, 1])
    draws = bootstrap_arm_means(100.0 * qaly, qaly, arm, 500, np.random.default_rng(1))
    close(draws.cost, 100.0 * draws.effect, EXACT, "paired")
    # Arm 1 resamples only its own two patients: its means lie in [0.8, 0.9] in steps of 0.05.
    assert set(np.round(draws.effect[:, 1], 10)) <= {0.8, 0.85, 0.9}
    assert set(np.round(draws.effect[:, 0] * 3, 8)) <= {round(x, 8) for x in np.arange(15, 22) / 10}


def test_adjusted_replicates_equal_the_regression() -> None:
    data = _patients(30)
    codes = (data["arm"] == "C").to_numpy().astype(np.intp)  # T = 0, C = 1
    rng = np.random.default_rng(5)
    draws = bootstrap_arm_means(
        data["cost"].to_numpy(),
        data["qaly"].to_numpy(),
        codes,
        3,
        rng,
        baseline=data["u0"].to_numpy(),
    )
    # Replay the same indices and fit the regression on each replicate's patients.
    replay = np.random.default_rng(5)
    picks = []
    for a in (0, 1):
        members = np.flatnonzero(codes == a)
        picks.append(members[replay.integers(0, members.size, size=(3, members.size))])
    for b in range(3):
        rows = np.concatenate([picks[0][b], picks[1][b]])
        fit = adjust_for_baseline(data.iloc[rows].reset_index(drop=True), reference="T",
                                  baseline="u0")  # fmt: skip
        close(draws.effect[b, 0] - draws.effect[b, 1], fit.estimate[0],
              LINALG, f"replicate {b}")  # fmt: skip


def test_point_estimates_are_the_sample_means() -> None:
    data = _patients()
    result = bootstrap_trial(data, reference="T", n_boot=300, rng=3, baseline="u0")
    means = data.groupby("arm")["cost"].mean()
    close(result.inc_cost[0], means["T"] - means["C"], EXACT, "incremental cost")
    adjusted = adjust_for_baseline(data, reference="T", baseline="u0")
    close(result.inc_effect[0], adjusted.estimate[0], LINALG, "adjusted")
    assert result.source == "bootstrap" and result.n_draws == 300
    low, high = percentile_interval(result.inc_cost_draws, 0.95)
    assert low[0] < result.inc_cost[0] < high[0]


def test_errors() -> None:
    data = _patients()
    with pytest.raises(EvsynthError, match="choose one of"):
        bootstrap_trial(data, reference="X")
    with pytest.raises(EvsynthError, match="n_boot"):
        bootstrap_trial(data, reference="T", n_boot=1)
    with pytest.raises(DataError, match="fewer than two"):
        bootstrap_trial(pd.concat([data[data.arm == "T"], data[data.arm == "C"].iloc[:1]]),
                        reference="T")  # fmt: skip
    with pytest.raises(DataError, match="row 3, column 'qaly'"):
        bootstrap_trial(data.assign(qaly=data["qaly"].where(data.index != 2)), reference="T")
