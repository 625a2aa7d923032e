"""``nma_grid``: one network meta-analysis per outcome and time point, with sparse warnings.

Each cell must equal a stand-alone ``network_meta_analysis`` of its rows (checked on the
smoking-cessation contrasts, tests/data/netmeta/nma_input_smoking_pairwise.csv, whose netmeta
3.3-1 values tests/validation/test_netmeta_smoking.py checks); a cell that cannot be analysed
gets a row with its message and does not stop the others.
"""

from __future__ import annotations

import dataclasses
import doctest

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from evsynth._core.errors import DataError, EvsynthError
from evsynth.synthesis.nma import grid as grid_module
from evsynth.synthesis.nma import network_meta_analysis
from evsynth.synthesis.nma.grid import (
    WARNING_KINDS,
    NmaGridResult,
    arm_sizes,
    network_warnings,
    nma_grid,
)
from tests.conftest import DATA, load_json
from tests.tolerances import NMA
from tests.validation._assert import close

REF = load_json("netmeta/nma_frequentist.json")


def _smoking() -> pd.DataFrame:
    return pd.read_csv(DATA / "netmeta" / "nma_input_smoking_pairwise.csv")


def _contrasts(rows: list[tuple[str, str, str, float, float]], outcome: str, tp: str) -> list:
    return [(outcome, tp, *r) for r in rows]


def _frame(rows: list) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["outcome", "timepoint", "studlab", "treat1", "treat2", "TE", "seTE"]
    )


@pytest.fixture(scope="module")
def grid() -> NmaGridResult:
    """Four cells: the full smoking network, a disconnected one, one study, a failing one."""
    smoking = _smoking().assign(outcome="cessation", timepoint="end")
    rows = (
        _contrasts(
            [("d1", "UC", "A", -0.4, 0.2), ("d2", "UC", "A", -0.2, 0.25),
             ("d3", "A", "B", 0.1, 0.3), ("d4", "C", "D", 0.3, 0.2)],
            "pain", "end",
        )
        + _contrasts([("o1", "UC", "A", -0.5, 0.3)], "pain", "6 months")
        + _contrasts([("f1", "A", "B", 0.2, 0.3), ("f2", "A", "B", 0.1, 0.2)], "fatigue", "end")
    )  # fmt: skip
    data = pd.concat([smoking, _frame(rows)], ignore_index=True)
    both = pd.concat(
        [data, smoking.assign(treat1=lambda f: f["treat1"].str.replace("no_contact", "UC"),
                              treat2=lambda f: f["treat2"].str.replace("no_contact", "UC"))
         .assign(outcome="abstinence", timepoint="end")],
        ignore_index=True,
    )  # fmt: skip
    both.loc[both["outcome"] == "cessation", ["treat1", "treat2"]] = both.loc[
        both["outcome"] == "cessation", ["treat1", "treat2"]
    ].replace("no_contact", "UC")
    return nma_grid(
        both,
        reference="UC",
        higher_is_better={"cessation": True, "abstinence": True, "pain": False, "fatigue": False},
        outcomes=["cessation", "pain", "fatigue", "abstinence"],
        timepoints=["end", "6 months"],
    )


def test_result_is_frozen_with_cells_in_grid_order(grid: NmaGridResult) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        grid.reference = "A"  # type: ignore[misc]
    assert [(c.outcome, c.timepoint) for c in grid.cells] == [
        (o, t) for o in ("cessation", "pain", "fatigue", "abstinence") for t in ("end", "6 months")
    ]
    assert grid.higher_is_better == {
        "cessation": True, "pain": False, "fatigue": False, "abstinence": True
    }  # fmt: skip


def test_each_cell_equals_its_own_analysis(grid: NmaGridResult) -> None:
    # Source: netmeta 3.3-1, smoking_netmeta_DL (the cessation cell is that network).
    cell = grid.cell("cessation", "end")
    assert cell.ok and cell.result is not None
    ref = REF["smoking_netmeta_DL"]
    close(cell.result.tau2, ref["tau2"], NMA, "grid tau2")
    close(cell.result.q_inconsistency, ref["Q_inconsistency"], NMA, "grid Q_inconsistency")
    alone = network_meta_analysis(
        _smoking().replace("no_contact", "UC"), reference="UC", higher_is_better=True
    )
    rows = grid.to_frame().query("outcome == 'cessation' and timepoint == 'end'")
    expected = alone.to_frame("random")
    np.testing.assert_allclose(rows["estimate"], expected["estimate"], rtol=1e-12)
    np.testing.assert_allclose(rows["pscore"], expected["pscore"], rtol=1e-12)
    assert list(rows["k"]) == [24] * 3 and list(rows["n_treatments"]) == [4] * 3


def test_tidy_table_columns_and_failed_rows(grid: NmaGridResult) -> None:
    frame = grid.to_frame()
    assert list(frame.columns) == [
        "outcome", "timepoint", "treatment", "reference", "estimate", "se", "ci_low", "ci_high",
        "pvalue", "pi_low", "pi_high", "pscore", "k_direct", "k", "n_treatments", "tau2", "i2",
        "q_inconsistency_pvalue", "n_warnings", "error",
    ]  # fmt: skip
    failed = frame[frame["error"].notna()]
    # fatigue/end lacks the reference; three cells have no data at all.
    assert set(zip(failed["outcome"], failed["timepoint"], strict=True)) == {
        ("fatigue", "end"),
        ("cessation", "6 months"),
        ("fatigue", "6 months"),
        ("abstinence", "6 months"),
    }
    assert failed["treatment"].isna().all() and failed["estimate"].isna().all()
    message = grid.cell("fatigue", "end").error
    assert message == "the reference 'UC' is not in this network; its treatments are A, B"
    assert grid.cell("cessation", "6 months").error == "no study reports cessation at 6 months"
    assert len(grid.errors) == 4


def test_disconnected_network_analyses_the_reference_subnetwork(grid: NmaGridResult) -> None:
    cell = grid.cell("pain", "end")
    assert cell.result is not None
    assert cell.result.treatments == ("A", "B", "UC")
    kinds = [w.kind for w in cell.warnings]
    assert kinds[0] == "disconnected"
    assert "left out sub-network 2: treatments C, D (studies d4)" in cell.warnings[0].message
    # The direction follows the outcome: lower pain is better.
    assert cell.result.higher_is_better is False


def test_single_study_network_is_analysed_with_a_warning(grid: NmaGridResult) -> None:
    cell = grid.cell("pain", "6 months")
    assert cell.result is not None and cell.result.k == 1
    assert [w.kind for w in cell.warnings] == ["few_studies"]
    assert "only 1 study" in cell.warnings[0].message


def test_warnings_are_listed_and_summarised(grid: NmaGridResult) -> None:
    assert all(w.kind in WARNING_KINDS for w in grid.warnings)
    frame = grid.warnings_frame()
    assert list(frame.columns) == ["outcome", "timepoint", "kind", "message"]
    assert len(frame) == len(grid.warnings)
    text = str(grid)
    assert "Not analysed: fatigue, end" in text and "Warning: pain, end" in text
    assert "3 of 8 networks analysed" not in text  # four are analysed
    assert "4 of 8 networks analysed" in text
    assert "<table" in grid._repr_html_()


def test_plot_one_cell(grid: NmaGridResult) -> None:
    assert isinstance(grid.plot(outcome="cessation", timepoint="end"), Figure)
    with pytest.raises(EvsynthError, match="was not analysed"):
        grid.plot(outcome="fatigue", timepoint="end")
    with pytest.raises(EvsynthError, match="choose one of"):
        grid.cell("sleep", "end")


def test_sparse_warnings_with_arm_sizes() -> None:
    # Arm-level data: one small trial (40 participants) is the only A vs C evidence, and C is
    # connected by that trial only; a star network has no degrees of freedom for inconsistency.
    arms = pd.DataFrame(
        {
            "outcome": "pain",
            "timepoint": "end",
            "study": ["s1", "s1", "s2", "s2", "s3", "s3"],
            "treatment": ["UC", "A", "UC", "A", "UC", "C"],
            "mean": [5.0, 4.0, 5.2, 4.1, 5.1, 4.5],
            "sd": [2.0, 2.0, 2.1, 2.0, 1.9, 2.2],
            "n": [100, 100, 80, 80, 20, 20],
        }
    )
    g = nma_grid(arms, reference="UC", higher_is_better=False, measure="SMD")
    cell = g.cells[0]
    kinds = {w.kind: w.message for w in cell.warnings}
    assert "single study (fewer than" not in kinds["single_study_comparison"]
    assert kinds["single_study_comparison"] == (
        "comparisons informed by a single small study (fewer than 100 participants): "
        "C vs UC (s3, 40 participants)"
    )
    assert kinds["single_study_treatment"].endswith("C (s3)")
    assert "no_inconsistency_df" in kinds
    assert cell.participants is not None
    assert cell.participants.to_dict() == {"A": 180, "C": 20, "UC": 200}


def test_no_heterogeneity_degrees_of_freedom() -> None:
    data = _frame(_contrasts([("s1", "UC", "A", 0.2, 0.2), ("s2", "UC", "B", 0.3, 0.2)],
                             "pain", "end"))  # fmt: skip
    g = nma_grid(data, reference="UC", higher_is_better=False)
    assert "no_heterogeneity_df" in {w.kind for w in g.warnings}
    # REML has no information on tau^2 here either: tau^2 is 0 and the cell is flagged.
    g = nma_grid(data, reference="UC", higher_is_better=False, method="REML")
    assert g.cells[0].error is None
    assert "no_heterogeneity_df" in {w.kind for w in g.warnings}
    assert (g.to_frame()["tau2"].dropna() == 0.0).all()


def test_network_warnings_without_sizes_lists_single_study_comparisons() -> None:
    # Smoking (24 studies) has no sparse spots; Lopez 2019 has four single-study comparisons
    # (tests/data/netmeta/nma_input_lopez2019_pairwise.csv).
    smoking = network_meta_analysis(_smoking(), reference="no_contact", higher_is_better=True)
    assert network_warnings(smoking) == []
    lopez = pd.read_csv(DATA / "netmeta" / "nma_input_lopez2019_pairwise.csv")
    result = network_meta_analysis(lopez, reference="TAU", higher_is_better=False)
    assert network_warnings(result) == [
        (
            "single_study_comparison",
            "comparisons informed by a single study: Hybrid CBT vs Placebo (Choi (2014)), "
            "Hybrid CBT vs Wait list (Wright (2005)), Multimedia CBT vs Placebo (Andersson "
            "(2005)), Placebo vs TAU (Serfaty (2009))",
        )
    ]


def test_arm_sizes_from_arm_and_contrast_data() -> None:
    arms = pd.DataFrame({"study": ["s1", "s1", "s1"], "treatment": ["A", "B", "B"],
                         "n": [10, 12, 8]})  # fmt: skip
    assert arm_sizes(arms).to_dict(orient="list") == {  # type: ignore[union-attr]
        "study": ["s1", "s1"], "treatment": ["A", "B"], "n": [10, 20]
    }  # fmt: skip
    contrasts = pd.DataFrame({"studlab": ["s1", "s1", "s1"], "treat1": ["A", "A", "B"],
                              "treat2": ["B", "C", "C"], "n1": [10, 10, 12],
                              "n2": [12, 9, 9]})  # fmt: skip
    sizes = arm_sizes(contrasts)
    assert sizes is not None and dict(zip(sizes["treatment"], sizes["n"], strict=True)) == {
        "A": 10, "B": 12, "C": 9
    }  # fmt: skip
    assert arm_sizes(_smoking()) is None


def test_call_errors_raise() -> None:
    data = _frame(_contrasts([("s1", "UC", "A", 0.2, 0.2)], "pain", "end"))
    with pytest.raises(EvsynthError, match="method='PM' is not known"):
        nma_grid(data, reference="UC", higher_is_better=True, method="PM")
    with pytest.raises(EvsynthError, match="model='mixed' is not known"):
        nma_grid(data, reference="UC", higher_is_better=True, model="mixed")
    with pytest.raises(EvsynthError, match="chooses subnetwork itself"):
        nma_grid(data, reference="UC", higher_is_better=True, subnetwork=1)
    with pytest.raises(EvsynthError, match="direction for fatigue"):
        nma_grid(data, reference="UC", higher_is_better={"pain": False},
                 outcomes=["pain", "fatigue"])  # fmt: skip
    with pytest.raises(DataError, match="outcome column 'outcome'"):
        nma_grid(data.drop(columns="outcome"), reference="UC", higher_is_better=True)
    bad = data.copy()
    bad.loc[0, "timepoint"] = None
    with pytest.raises(DataError, match="timepoint is missing") as exc:
        nma_grid(bad, reference="UC", higher_is_better=True)
    assert exc.value.location is not None and exc.value.location.row == 1
    with pytest.raises(EvsynthError, match="DataFrame"):
        nma_grid([1, 2], reference="UC", higher_is_better=True)  # type: ignore[arg-type]


def test_rows_outside_the_grid_are_left_out_with_a_note() -> None:
    data = _frame(
        _contrasts([("s1", "UC", "A", 0.2, 0.2), ("s2", "UC", "A", 0.3, 0.2)], "pain", "end")
        + _contrasts([("s3", "UC", "A", 0.2, 0.2)], "sleep", "end")
    )
    g = nma_grid(data, reference="UC", higher_is_better=False, outcomes=["pain"])
    assert [c.outcome for c in g.cells] == ["pain"]
    assert g.notes == ("Rows outside the grid are left out: sleep, end",)


def test_docstring_examples() -> None:
    result = doctest.testmod(grid_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
