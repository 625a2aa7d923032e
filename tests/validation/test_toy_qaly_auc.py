"""QALYs by area under the curve against the toy value of the economics references.

Source: tests/data/economics/reference_values.json "auc_qaly_toy" (0.70). The README gives no
inputs, so this uses the simplest profile with that area: utility 0.6 at baseline and 0.8 at
12 months; the trapezium is (0.6 + 0.8) / 2 x 1 year = 0.70. Annual discounting leaves the
first year alone, so 3.5% a year changes nothing; continuous discounting does.
"""

from __future__ import annotations

import pandas as pd

from evsynth.economics import qaly_auc
from tests.conftest import load_json
from tests.tolerances import EXACT
from tests.validation._assert import close

TOY = load_json("economics/reference_values.json")["auc_qaly_toy"]
FRAME = pd.DataFrame({"patient": ["p1", "p1"], "time": [0, 12], "utility": [0.6, 0.8]})


def test_toy_auc_undiscounted_and_annual() -> None:
    for rate in (0.0, 0.035):
        out = qaly_auc(FRAME, time_unit="months", discount_rate=rate, discounting="annual")
        close(out.loc["p1", "qaly"], TOY, EXACT, f"toy AUC, rate {rate}")
        close(out.loc["p1", "baseline_utility"], 0.6, EXACT, "baseline utility")


def test_toy_auc_continuous_discounting() -> None:
    # (0.6 + 0.8 / 1.035) / 2: the 12-month utility is discounted by one year.
    out = qaly_auc(FRAME, discount_rate=0.035, discounting="continuous")
    close(out.loc["p1", "qaly"], (0.6 + 0.8 / 1.035) / 2, EXACT, "continuous")
