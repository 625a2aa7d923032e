"""Simulated screening on real data: a CI-sized subset of Cohen et al. (2006), NSAIDs review.

``tests/data/screening/cohen2006_nsaids_subset.csv``: all 41 included and 150 randomly chosen
excluded records of ``cohen2006_NSAIDS.csv`` (provenance in ``tests/data/screening/README.md``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth.screening.prioritise import (
    EVERY_LABEL,
    RetrainSchedule,
    SimulationResult,
    simulate_screening,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "screening" / "cohen2006_nsaids_subset.csv"
PRIORS = (6, 0)  # row 6 is included, row 0 excluded


@pytest.fixture(scope="module")
def subset() -> pd.DataFrame:
    return pd.read_csv(DATA)


@pytest.fixture(scope="module")
def result(subset: pd.DataFrame) -> SimulationResult:
    return simulate_screening(subset, PRIORS, rng=3)


def test_subset_is_what_the_readme_says(subset: pd.DataFrame) -> None:
    assert len(subset) == 191 and int(subset["label"].sum()) == 41
    assert subset.loc[6, "label"] == 1 and subset.loc[0, "label"] == 0


def test_finds_every_include_well_before_random(result: SimulationResult) -> None:
    # 189 records and 40 includes after the priors. Random order needs about 95% of the
    # records for 95% recall (WSS 0); prioritised screening on this review saves far more.
    assert result.n_records == 189 and result.n_included == 40
    assert sum(result.order_labels) == 40 and result.order_labels[-1] == 1
    assert result.n_to_100 == result.n_labels
    assert result.wss95 > 0.40
    assert result.recall25 > 0.60
    assert 0.0 <= result.loss < 0.15
    assert result.cpu_s_per_label > 0


def test_same_seed_same_run(subset: pd.DataFrame, result: SimulationResult) -> None:
    again = simulate_screening(subset, PRIORS, rng=3)
    assert again.order == result.order and again.wss95 == result.wss95


def test_schedule_refits_less_often_than_every_label(
    subset: pd.DataFrame, result: SimulationResult
) -> None:
    every = simulate_screening(subset, PRIORS, rng=3, schedule=EVERY_LABEL)
    assert every.n_fits == every.n_labels
    # The default refits once the new labels reach 2% of those labelled: after every label
    # until 100 are labelled, as in this short run.
    assert result.n_fits == every.n_fits
    sparse = simulate_screening(subset, PRIORS, rng=3, schedule=RetrainSchedule(fraction=0.1))
    assert sparse.n_fits < every.n_fits
    # Both still label one record per step until the last include.
    assert len(set(every.order)) == every.n_labels


def test_result_tables(result: SimulationResult) -> None:
    frame = result.to_frame()
    assert list(frame.columns) == ["step", "row", "label", "found", "recall"]
    assert frame["recall"].iloc[-1] == 1.0
    keys = list(result.to_dict())[:7]
    assert keys == [
        "wss95",
        "recall10",
        "recall25",
        "loss",
        "n_to_95",
        "n_to_100",
        "cpu_s_per_label",
    ]
    assert "WSS@95" in result.summary().as_text()
    fig = result.plot()
    assert fig.axes[0].get_xlabel() == "records screened"
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_metrics_agree_with_the_order(result: SimulationResult) -> None:
    labels = np.asarray(result.order_labels)
    found = np.cumsum(labels)
    assert found[result.n_to_95 - 1] >= np.ceil(0.95 * 40)
    assert found[result.n_to_95 - 2] < np.ceil(0.95 * 40)


def test_bad_inputs(subset: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="missing column"):
        simulate_screening(subset.drop(columns="abstract"), PRIORS)
    with pytest.raises(EvsynthError, match="one included and one excluded"):
        simulate_screening(subset, (0, 1))
    with pytest.raises(EvsynthError, match="out of range"):
        simulate_screening(subset, (6, 191))
    with pytest.raises(EvsynthError, match="repeat"):
        simulate_screening(subset, (6, 6, 0))
    with pytest.raises(DataError, match="no record is included"):
        simulate_screening(subset.assign(label=0), PRIORS)
    bad_label = subset.assign(label=subset["label"].where(subset.index != 1, 7))
    with pytest.raises(DataError, match="line 3"):
        simulate_screening(bad_label, PRIORS)
    with pytest.raises(EvsynthError, match="fraction"):
        RetrainSchedule(fraction=1.5)
