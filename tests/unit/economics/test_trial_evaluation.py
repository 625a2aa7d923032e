"""A within-trial evaluation end to end on a small hand-made trial, and its input checks.

Each step is checked against the step's own function (validated elsewhere against the pinned
references): the trial's QALYs are the AUC of the SF-6D utilities, its increments equal the
baseline regression and the arm means, and the report section renders every table and figure
with the methods' citations. The config's ``[analyses.economics]`` is checked too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth.economics import (
    TrialEvaluation,
    adjust_for_baseline,
    qaly_auc,
    sf6d,
    within_trial_evaluation,
)
from evsynth.report.economics_section import EconomicsSection
from evsynth.report.html import ReviewReport, render_html
from evsynth.storage.config import load_config
from tests.tolerances import EXACT, LINALG
from tests.validation._assert import close

ITEMS = {"3a": 3, "3b": 3, "3j": 3, "4c": 5, "5b": 5, "10": 5, "7": 6, "8": 5, "9b": 5,
         "9f": 5, "9e": 5}  # fmt: skip


def _trial(seed: int = 1, n: int = 24) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SF-36 v2 answers at months 0, 6, 12 for n patients in two arms, and their costs."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        arm = "New" if i % 2 else "Usual"
        for month in (0, 6, 12):
            answers = {k: int(rng.integers(1, hi + 1)) for k, hi in ITEMS.items()}
            rows.append({"patient": f"P{i:02d}", "arm": arm, "month": month, **answers})
    costs = pd.DataFrame(
        {
            "patient": [f"P{i:02d}" for i in range(n)],
            "arm": ["New" if i % 2 else "Usual" for i in range(n)],
            "cost": rng.gamma(2.0, 300.0, n).round(2),
        }
    )
    return pd.DataFrame(rows), costs


@pytest.fixture(scope="module")
def evaluation() -> TrialEvaluation:
    responses, costs = _trial()
    return within_trial_evaluation(
        responses, costs, reference="New", version=2, time="month", n_boot=400, rng=11
    )


def test_steps_agree_with_their_functions(evaluation: TrialEvaluation) -> None:
    responses, costs = _trial()
    utilities = sf6d(responses, "sf36", version=2).utility
    long = pd.DataFrame(
        {"patient": responses["patient"], "time": responses["month"], "utility": utilities}
    )
    qalys = qaly_auc(long)
    close(evaluation.patients["qaly"].to_numpy(), qalys["qaly"].to_numpy(), EXACT, "QALYs")
    patients = evaluation.patients.reset_index()
    adjusted = adjust_for_baseline(patients, reference="New")
    close(evaluation.cea.inc_effect, adjusted.estimate, LINALG, "adjusted")
    means = costs.groupby("arm")["cost"].mean()
    close(evaluation.cea.inc_cost, [means["New"] - means["Usual"]], EXACT, "incremental cost")
    assert evaluation.arms == ("Usual", "New") and evaluation.n_included == 24
    assert evaluation.icers.strategies == ("Usual", "New")
    assert evaluation.times == (0.0, 6.0, 12.0)
    assert evaluation.manifest is not None and evaluation.manifest.seed == 11
    assert "Within-trial cost-utility analysis" in evaluation.summary().as_text()
    assert evaluation.plot().axes


def test_complete_cases_are_reported() -> None:
    responses, costs = _trial()
    responses.loc[4, "9e"] = None  # patient P01 loses the 12-month utility (VIT unknown)
    costs.loc[costs.patient == "P02", "cost"] = None
    result = within_trial_evaluation(
        responses, costs, reference="New", version=2, time="month", n_boot=200, rng=1,
        adjust_baseline=False,
    )  # fmt: skip
    assert result.n_included == 22
    assert not result.patients.loc[["P01", "P02"], "included"].any()
    assert any("2 of 24 patients left out" in n for n in result.notes)
    assert result.adjustment is None


def test_input_errors_say_which_file() -> None:
    responses, costs = _trial()
    mixed = responses.copy()
    mixed.loc[1, "arm"] = "New"  # P00 in two arms
    with pytest.raises(DataError, match=r"responses, row 2, column 'arm'.*more than one arm"):
        within_trial_evaluation(mixed, costs, reference="New", version=2, time="month")
    with pytest.raises(DataError, match="costs, row 3, column 'cost'"):
        within_trial_evaluation(responses, costs.assign(cost=costs["cost"].astype(object).where(
            costs.index != 2, "n/a")), reference="New", version=2, time="month")  # fmt: skip
    with pytest.raises(DataError, match=r"costs, .*two cost rows"):
        within_trial_evaluation(responses, pd.concat([costs, costs.iloc[:1]]), reference="New",
                                version=2, time="month")  # fmt: skip
    with pytest.raises(DataError, match="responses, row 4, column '4c'"):
        within_trial_evaluation(responses.assign(**{"4c": [2] * 3 + [9] + [2] * 68}), costs,
                                reference="New", version=2, time="month")  # fmt: skip
    with pytest.raises(EvsynthError, match="choose one of Usual, New"):
        within_trial_evaluation(responses, costs, reference="Old", version=2, time="month")


def test_report_section_renders(evaluation: TrialEvaluation) -> None:
    section = EconomicsSection(
        "trial", "A trial", "made up", evaluation.cea, evaluation.icers, trial=evaluation,
        sensitivity=evaluation, sensitivity_label="the same again",
    )  # fmt: skip
    report = ReviewReport(
        title="t", registration=None, description=None, meta_sections=(),
        manifest={"versions": {"evsynth": "x"}, "created": "now"},
        economics_sections=(section,),
    )  # fmt: skip
    page = render_html(report)
    body = page[page.index('<section id="trial"') :]
    for text in (
        "Incremental analysis",
        "Decision uncertainty",
        "Sensitivity analysis",
        "cost-effectiveness plane",
        "acceptability curves",
        "perfect information",
    ):
        assert text in body, text  # fmt: skip
    assert body.count("<svg") >= 3
    for doi in (
        "10.1016/S0167-6296(01)00130-8",
        "10.1002/hec.944",
        "10.1002/hec.635",
        "10.1002/hec.4730030505",
        "10.1016/S0167-6296(98)00039-3",
    ):
        assert doi in page, doi  # fmt: skip
    assert "briggs1997" in section.method_keys()
    assert section.to_json()["n_included"] == 24


def test_config_accepts_one_table_or_many(tmp_path: Path) -> None:
    base = '[project]\ntitle = "t"\n'
    trial = 'name = "e"\ntitle = "E"\nreference = "New"\nresponses = "r.csv"\ncosts = "c.csv"\n'
    (tmp_path / "evsynth.toml").write_text(base + "[analyses.economics]\n" + trial, "utf-8")
    (spec,) = load_config(tmp_path).analyses.economics
    assert spec.thresholds == [20000.0, 30000.0] and spec.n_boot == 10000
    (tmp_path / "evsynth.toml").write_text(base + "[[analyses.economics]]\n" + trial
                                           + 'draws = "d.csv"\n', "utf-8")  # fmt: skip
    with pytest.raises(DataError, match="either responses and costs"):
        load_config(tmp_path)
