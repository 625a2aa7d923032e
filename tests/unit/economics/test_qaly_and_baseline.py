"""QALYs by area under the curve, discounting, and the baseline-utility regression.

Trapezia and discount factors are worked by hand beside each case. The regression of Manca,
Hawkins & Sculpher (2005) is checked against ordinary least squares by numpy.linalg.lstsq and
the classical covariance formula written out here, and its bootstrap form (ANCOVA means)
against that regression.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evsynth._core.errors import DataError, EvsynthError
from evsynth.economics import adjust_for_baseline, qaly_auc
from evsynth.economics.qaly import ancova_means, auc_qalys, discount_factors
from tests.tolerances import EXACT, LINALG
from tests.validation._assert import close


def test_discount_factors() -> None:
    t = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 2.25])
    # Annual: whole years completed before the time (first year undiscounted).
    close(
        discount_factors(t, 0.035, "annual"),
        1.035 ** -np.array([0, 0, 0, 1, 1, 2]),
        EXACT,
        "annual",
    )
    close(discount_factors(t, 0.035, "continuous"), 1.035**-t, EXACT, "continuous")


def test_auc_by_hand() -> None:
    u = np.array([[0.5, 0.7, 0.8, 0.6], [1.0, 1.0, 1.0, 1.0]])
    t = np.array([0.0, 0.25, 0.5, 1.0])
    # 0.25 * 0.6 + 0.25 * 0.75 + 0.5 * 0.7 = 0.6875; full health for a year = 1.
    close(auc_qalys(u, t), [0.6875, 1.0], EXACT, "trapezia")


def test_two_year_profile_annual_discounting() -> None:
    frame = pd.DataFrame({"patient": ["a"] * 3, "time": [0, 12, 24], "utility": [0.5, 0.5, 0.5]})
    out = qaly_auc(frame, discount_rate=0.035)
    # Year 1: 0.5; year 2: (0.5 + 0.5/1.035)/2 (month 24 is in the second year: one discount).
    close(out.loc["a", "qaly"], 0.5 + (0.5 + 0.5 / 1.035) / 2, EXACT, "two years")
    weeks = frame.assign(time=frame["time"] * 365.25 / 7 / 12)
    close(
        qaly_auc(weeks, time_unit="weeks", discount_rate=0.0).loc["a", "qaly"], 1.0, EXACT, "weeks"
    )


def test_missing_assessment_gives_missing_qalys() -> None:
    frame = pd.DataFrame(
        {
            "patient": ["a", "a", "a", "b", "b"],
            "time": [0, 6, 12, 0, 6],
            "utility": [0.5, 0.6, 0.7, 0.4, None],
        }
    )
    out = qaly_auc(frame, discount_rate=0.0)
    assert list(out.index) == ["a", "b"]
    close(out.loc["a", "qaly"], 0.25 * 1.1 + 0.25 * 1.3, EXACT, "complete")
    assert np.isnan(out.loc["b", "qaly"])
    assert out["n_assessments"].tolist() == [3, 1]


def test_qaly_input_errors() -> None:
    good = pd.DataFrame({"patient": ["a", "a"], "time": [0, 12], "utility": [0.5, 0.6]})
    with pytest.raises(DataError, match="row 2, column 'time'"):
        qaly_auc(pd.concat([good.iloc[:1], good.iloc[:1]], ignore_index=True))
    with pytest.raises(DataError, match="negative"):
        qaly_auc(good.assign(time=[-1, 12]))
    with pytest.raises(DataError, match="column"):
        qaly_auc(good.drop(columns="utility"))
    with pytest.raises(EvsynthError, match="choose one of"):
        qaly_auc(good, time_unit="fortnights")
    with pytest.raises(EvsynthError, match="discount_rate"):
        qaly_auc(good, discount_rate=3.5)


def _trial(seed: int = 3, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = np.repeat(["T", "C"], n // 2)
    u0 = rng.normal(0.6, 0.1, n)
    q = 0.1 + 0.8 * u0 + 0.03 * (arm == "T") + rng.normal(0, 0.05, n)
    return pd.DataFrame({"arm": arm, "qaly": q, "baseline_utility": u0})


def test_baseline_regression_matches_ols() -> None:
    data = _trial()
    result = adjust_for_baseline(data, reference="T")
    x = np.column_stack(
        [np.ones(len(data)), (data["arm"] == "T").to_numpy(float), data["baseline_utility"]]
    )
    y = data["qaly"].to_numpy()
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    sigma2 = resid @ resid / (len(y) - 3)
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(x.T @ x)))
    close(result.estimate, beta[1], EXACT, "adjusted difference")
    close(result.se, se[1], LINALG, "se")
    crit = stats.t.ppf(0.975, len(y) - 3)
    close([result.ci_low[0], result.ci_high[0]], [beta[1] - crit * se[1], beta[1] + crit * se[1]],
          LINALG, "CI")  # fmt: skip
    close(result.slope, beta[2], LINALG, "slope")
    unadjusted = data.groupby("arm")["qaly"].mean()
    close(result.unadjusted, unadjusted["T"] - unadjusted["C"], EXACT, "unadjusted")
    assert result.comparators == ("C",)
    assert "Manca" in result.summary().title
    assert list(result.conf_int().columns) == ["comparator", "ci_low", "ci_high"]


def test_ancova_means_reproduce_the_regression() -> None:
    data = _trial()
    t = (data["arm"] == "T").to_numpy()
    q, u = data["qaly"].to_numpy(), data["baseline_utility"].to_numpy()
    means = ancova_means([q[t][None, :], q[~t][None, :]], [u[t][None, :], u[~t][None, :]])[0]
    result = adjust_for_baseline(data, reference="T")
    close(means[0] - means[1], result.estimate[0], LINALG, "ANCOVA")


def test_three_arm_regression_contrasts_each_comparator() -> None:
    rng = np.random.default_rng(11)
    arm = np.repeat(["T", "U", "C"], 40)
    u0 = rng.normal(0.6, 0.1, arm.size)
    q = 0.1 + 0.8 * u0 + 0.04 * (arm == "T") + 0.01 * (arm == "U") + rng.normal(0, 0.05, arm.size)
    data = pd.DataFrame({"arm": arm, "qaly": q, "baseline_utility": u0})
    result = adjust_for_baseline(data, reference="T")
    assert result.comparators == ("U", "C")
    # One indicator per arm and a common slope: T - U equals (T - C) - (U - C).
    by_c = adjust_for_baseline(data, reference="U")
    close(
        result.estimate[0],
        result.estimate[1] - by_c.estimate[1],
        LINALG,
        "T-U",
    )
    with pytest.raises(EvsynthError, match="choose one of"):
        adjust_for_baseline(data, reference="X")
