"""Trial QALYs and the baseline-utility regression against base R (lm), on the example's trial.

Source: tests/data/economics/ref_r_trial_lm.json, written by tests/data/economics/ref_r_trial_lm.R
(R 4.2.2, base ``lm``; the JSON records the version and the call) from
synthetic_trial_utilities.csv (the bundled SYNTHETIC trial's SF-6D utilities at months 0, 3, 6
and 12) and synthetic_trial_costs.csv. R computes each complete case's QALYs by the trapezium
rule with 3.5% annual discounting from the second year, then ``lm(qaly ~ arm + u0)``: the
regression of Manca, Hawkins & Sculpher (2005). jsonlite writes 15 significant digits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evsynth.economics import adjust_for_baseline, qaly_auc, sf6d
from tests.conftest import DATA, load_json
from tests.tolerances import LINALG, PVAL
from tests.validation._assert import close

REF = load_json("economics/ref_r_trial_lm.json")
EXAMPLE = DATA.parents[1] / "examples" / "pps-review" / "data"


def test_inputs_are_the_bundled_trial() -> None:
    costs = DATA / "economics" / "synthetic_trial_costs.csv"
    assert costs.read_bytes() == (EXAMPLE / "synthetic_trial_costs.csv").read_bytes()
    responses = pd.read_csv(EXAMPLE / "synthetic_trial_sf36.csv")
    utilities = pd.read_csv(DATA / "economics" / "synthetic_trial_utilities.csv")
    mapped = sf6d(responses, "sf36", version=2).utility
    pinned = utilities["utility"].to_numpy()
    assert np.array_equal(np.isnan(pinned), np.isnan(mapped))  # the same incomplete states
    known = np.isfinite(mapped)
    close(pinned[known], mapped[known], LINALG, "SF-6D utilities")


def _patients() -> pd.DataFrame:
    utilities = pd.read_csv(DATA / "economics" / "synthetic_trial_utilities.csv")
    costs = pd.read_csv(DATA / "economics" / "synthetic_trial_costs.csv")
    qalys = qaly_auc(utilities, time="month", discount_rate=0.035, discounting="annual")
    arms = utilities.groupby("patient")["arm"].first()
    frame = qalys.join(arms).join(costs.set_index("patient")["cost"])
    return frame[np.isfinite(frame["qaly"])].reset_index()


def test_complete_cases_and_qalys_match_r() -> None:
    patients = _patients()
    assert len(patients) == REF["n"] == 269
    expected = pd.Series(REF["qaly"])
    got = patients.set_index("patient")["qaly"]
    assert sorted(got.index) == sorted(expected.index)
    close(got[expected.index].to_numpy(), expected.to_numpy(), LINALG, "QALYs")
    means = patients.groupby("arm")[["cost", "qaly"]].mean()
    for arm in ("CBT", "Usual care"):
        close(means.loc[arm, "cost"], REF["mean_cost"][arm], LINALG, f"mean cost {arm}")
        close(means.loc[arm, "qaly"], REF["mean_qaly"][arm], LINALG, f"mean QALYs {arm}")


def test_regression_matches_lm() -> None:
    result = adjust_for_baseline(_patients(), reference="CBT")
    assert result.comparators == ("Usual care",)
    close(result.estimate, REF["estimate"], LINALG, "armCBT estimate")
    close(result.se, REF["se"], LINALG, "armCBT se")
    close([result.ci_low[0], result.ci_high[0]], [REF["ci_low"], REF["ci_high"]], LINALG, "CI")
    close(result.pvalue, REF["pvalue"], PVAL, "p")
    close(result.slope, REF["slope"], LINALG, "slope of u0")
