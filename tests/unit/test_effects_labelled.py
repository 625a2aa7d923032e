"""effect_sizes(): column mapping, study labels, direction, zero cells and input errors.

Sources: hand values from the kernel formulas (see ``test_effects_kernels.py``) and metafor
3.8-1 ``escalc`` conventions (add=1/2, to="only0"; drop00 for double-zero studies).
Tolerances: COEF and VAR from ``tests/tolerances.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth.synthesis.effects import (
    EffectTable,
    effect_sizes,
    log_odds_ratio,
    standardized_mean_difference,
)
from tests.tolerances import COEF, VAR


def continuous() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "study": ["Alpha", "Beta"],
            "m1i": [12.0, 20.0],
            "sd1i": [4.0, 5.0],
            "n1i": [10, 30],
            "m2i": [10.0, 22.0],
            "sd2i": [4.0, 6.0],
            "n2i": [10, 28],
        }
    )


def binary() -> pd.DataFrame:
    # Row 2 (Beta) has no events in either group; row 3 (Gamma) has a zero cell.
    return pd.DataFrame(
        {
            "study": ["Alpha", "Beta", "Gamma", "Delta"],
            "ai": [10, 0, 0, 4],
            "n1i": [50, 40, 20, 30],
            "ci": [20, 0, 5, 4],
            "n2i": [50, 38, 20, 30],
        }
    )


class TestMeasuresAndMapping:
    def test_smd_matches_the_kernel(self) -> None:
        table = effect_sizes(continuous(), "SMD")
        g, v = standardized_mean_difference(12.0, 4.0, 10, 10.0, 4.0, 10)
        assert isinstance(table, EffectTable)
        assert table.measure == "SMD" and table.study == ("Alpha", "Beta")
        assert table.effect[0] == pytest.approx(float(g), **COEF)
        assert table.variance[0] == pytest.approx(float(v), **VAR)

    def test_full_word_mapping(self) -> None:
        renamed = continuous().rename(
            columns={
                "m1i": "mean_t",
                "sd1i": "sd_t",
                "n1i": "n_t",
                "m2i": "mean_c",
                "sd2i": "sd_c",
                "n2i": "n_c",
                "study": "trial",
            }
        )
        table = effect_sizes(
            renamed,
            "MD",
            study="trial",
            mean_treatment="mean_t",
            sd_treatment="sd_t",
            n_treatment="n_t",
            mean_control="mean_c",
            sd_control="sd_c",
            n_control="n_c",
        )
        # MD row 1: 12 - 10; 4^2/10 + 4^2/10.
        assert table.effect[0] == pytest.approx(2.0, **COEF)
        assert table.variance[0] == pytest.approx(3.2, **VAR)
        assert table.study == ("Alpha", "Beta")

    def test_binary_with_non_event_columns(self) -> None:
        data = pd.DataFrame({"ai": [10], "bi": [40], "ci": [20], "di": [30]})
        table = effect_sizes(data, "OR")
        # log(10 * 30 / (40 * 20)) (Woolf, 1955).
        assert table.effect[0] == pytest.approx(math.log(300 / 800), **COEF)

    def test_binary_mixed_arm_columns(self) -> None:
        data = pd.DataFrame({"ai": [10], "bi": [40], "ci": [20], "n2i": [50]})
        table = effect_sizes(data, "RR")
        assert table.effect[0] == pytest.approx(math.log(0.5), **COEF)

    def test_generic_with_variance_or_se(self) -> None:
        data = pd.DataFrame({"yi": [0.2, -0.1], "sei": [0.1, 0.5]})
        table = effect_sizes(data, "GEN")
        assert table.variance == pytest.approx([0.01, 0.25], **VAR)
        mapped = pd.DataFrame({"log_hr": [0.2], "var": [0.04]})
        table = effect_sizes(mapped, "GEN", effect="log_hr", variance="var")
        assert table.variance[0] == pytest.approx(0.04, **VAR)

    def test_default_study_labels_and_index(self) -> None:
        data = continuous().drop(columns="study")
        data.index = pd.Index(["r1", "r2"])
        table = effect_sizes(data, "MD")
        assert table.study == ("Study 1", "Study 2")
        assert table.rows == (1, 2)
        assert list(table.to_frame().index) == ["r1", "r2"]
        assert effect_sizes(continuous(), "MD", study=None).study == ("Study 1", "Study 2")

    def test_missing_study_label_uses_the_row(self) -> None:
        data = continuous()
        data.loc[1, "study"] = None
        assert effect_sizes(data, "MD").study == ("Alpha", "Study 2")


class TestOptions:
    def test_unknown_measure_lists_the_choices(self) -> None:
        with pytest.raises(
            EvsynthError, match="measure='SDM' is not known; choose one of SMD, MD, OR, RR, RD, GEN"
        ):
            effect_sizes(continuous(), "SDM")

    def test_vtype_per_measure(self) -> None:
        assert effect_sizes(continuous(), "MD", vtype="HO").vtype == "HO"
        with pytest.raises(EvsynthError, match="vtype='HO' is not available for measure SMD"):
            effect_sizes(continuous(), "SMD", vtype="HO")
        with pytest.raises(EvsynthError, match=r"choose one of LS$"):
            effect_sizes(binary(), "OR", vtype="UB")

    def test_unknown_role_keyword(self) -> None:
        with pytest.raises(EvsynthError, match="unknown keyword mean_t='x'"):
            effect_sizes(continuous(), "SMD", mean_t="x")

    def test_role_for_another_measure(self) -> None:
        with pytest.raises(
            EvsynthError, match="events_treatment='x' does not apply to measure 'SMD'"
        ):
            effect_sizes(continuous(), "SMD", events_treatment="x")

    def test_data_must_be_a_dataframe(self) -> None:
        records: Any = [{"yi": 1.0, "vi": 1.0}]
        with pytest.raises(EvsynthError, match="must be a pandas DataFrame"):
            effect_sizes(records, "GEN")


class TestDirection:
    def test_lower_is_better_flips_smd(self) -> None:
        plain = effect_sizes(continuous(), "SMD")
        flipped = effect_sizes(continuous(), "SMD", lower_is_better=True)
        np.testing.assert_array_equal(flipped.effect, -plain.effect)
        np.testing.assert_array_equal(flipped.variance, plain.variance)
        assert flipped.lower_is_better is True
        assert any("multiplied by -1" in note for note in flipped.notes)

    def test_lower_is_better_inverts_ratios_with_a_note(self) -> None:
        plain = effect_sizes(binary(), "OR")
        flipped = effect_sizes(binary(), "OR", lower_is_better=True)
        np.testing.assert_array_equal(flipped.effect, -plain.effect)
        assert any("control over treatment" in note for note in flipped.notes)

    def test_flipped_or_equals_counting_non_events(self) -> None:
        data = pd.DataFrame({"ai": [10], "bi": [40], "ci": [20], "di": [30]})
        swapped = pd.DataFrame({"ai": [40], "bi": [10], "ci": [30], "di": [20]})
        flipped = effect_sizes(data, "OR", lower_is_better=True)
        assert flipped.effect[0] == pytest.approx(effect_sizes(swapped, "OR").effect[0], **COEF)


class TestZeroCells:
    def test_double_zero_study_is_dropped_with_a_note(self) -> None:
        table = effect_sizes(binary(), "OR")
        assert table.study == ("Alpha", "Gamma", "Delta")
        assert table.dropped == ("Beta",)
        assert table.rows == (1, 3, 4)
        assert (
            "Study 'Beta' (row 2) has no events in either group and is left out (metafor's drop00)"
        ) in table.notes

    def test_zero_cell_study_is_corrected_and_noted(self) -> None:
        table = effect_sizes(binary(), "OR")
        # Gamma: 0/20 vs 5/20 -> 0.5, 20.5, 5.5, 15.5 (add=1/2, to="only0").
        assert table.effect[1] == pytest.approx(math.log(0.5 * 15.5 / (20.5 * 5.5)), **COEF)
        assert any("'Gamma' (row 3) has a zero cell; 0.5 added" in n for n in table.notes)
        # Alpha and Delta have no zero cell and are not corrected.
        assert table.effect[0] == pytest.approx(math.log(10 * 30 / (40 * 20)), **COEF)

    def test_all_events_in_both_groups_is_a_double_zero(self) -> None:
        data = pd.DataFrame({"study": ["X"], "ai": [12], "n1i": [12], "ci": [9], "n2i": [9]})
        table = effect_sizes(data, "RR")
        assert table.k == 0 and table.dropped == ("X",)
        assert "only events in both groups" in table.notes[0]

    def test_risk_difference_drops_double_zero_too(self) -> None:
        assert effect_sizes(binary(), "RD").dropped == ("Beta",)

    def test_keep_double_zero_like_escalc(self) -> None:
        table = effect_sizes(binary(), "OR", drop_double_zero=False)
        assert table.k == 4 and table.dropped == ()
        y, v = log_odds_ratio(0.5, 40.5, 0.5, 38.5)  # Beta after adding 1/2
        assert table.effect[1] == pytest.approx(float(y), **COEF)
        assert table.variance[1] == pytest.approx(float(v), **VAR)
        assert any("kept because drop_double_zero=False" in n for n in table.notes)

    def test_uncorrected_zero_cell_leaves_the_study_out(self) -> None:
        table = effect_sizes(binary(), "OR", add=0.0)
        assert table.dropped == ("Beta", "Gamma")
        assert any("'Gamma' (row 3) has a zero cell left uncorrected" in n for n in table.notes)

    def test_uncorrected_risk_difference(self) -> None:
        # RevMan's RD: 0/20 - 5/20 with variance 0.25 * 0.75 / 20.
        table = effect_sizes(binary(), "RD", add=0.0)
        assert table.effect[1] == pytest.approx(-0.25, **COEF)
        assert table.variance[1] == pytest.approx(0.25 * 0.75 / 20, **VAR)

    def test_to_all_notes_once(self) -> None:
        table = effect_sizes(binary(), "OR", to="all")
        assert "0.5 added to every cell of every table (add=0.5, to='all')" in table.notes
        with pytest.raises(EvsynthError, match="to='never' is not known"):
            effect_sizes(binary(), "OR", to="never")


def _raises_at(data: pd.DataFrame, measure: str, row: int | None, field: str) -> DataError:
    with pytest.raises(DataError) as caught:
        effect_sizes(data, measure)
    error = caught.value
    assert error.location is not None
    assert error.location.row == row
    assert error.location.field == field
    where = f"row {row}, column '{field}'" if row is not None else f"column '{field}'"
    assert where in str(error)
    return error


class TestValidation:
    def test_missing_column_names_needed_and_present(self) -> None:
        error = _raises_at(continuous().drop(columns="sd2i"), "SMD", None, "sd2i")
        message = str(error)
        assert "needs columns m1i, sd1i, n1i, m2i, sd2i, n2i" in message
        assert "missing: sd2i" in message
        assert "the data have: study, m1i, sd1i, n1i, m2i, n2i" in message
        assert "mean_treatment=" in message

    def test_missing_binary_columns_mention_both_layouts(self) -> None:
        error = _raises_at(binary().drop(columns="n2i"), "OR", None, "di")
        assert "or ai, n1i, ci, n2i" in str(error)
        assert "missing: di or n2i;" in str(error)

    def test_missing_generic_columns(self) -> None:
        error = _raises_at(pd.DataFrame({"yi": [0.1]}), "GEN", None, "vi")
        assert "or yi, sei" in str(error)

    def test_named_study_column_must_exist(self) -> None:
        with pytest.raises(DataError, match="study column 'trial' is not in the data"):
            effect_sizes(continuous(), "SMD", study="trial")

    def test_text_in_a_number_column(self) -> None:
        data = continuous().astype({"sd1i": object})
        data.loc[1, "sd1i"] = "5 (SE)"
        error = _raises_at(data, "SMD", 2, "sd1i")
        assert "'5 (SE)' is not a number" in str(error)

    def test_missing_value(self) -> None:
        data = continuous()
        data.loc[0, "m2i"] = np.nan
        error = _raises_at(data, "MD", 1, "m2i")
        assert "the value is missing" in str(error)

    def test_blank_text_is_missing(self) -> None:
        data = continuous().astype({"n2i": object})
        data.loc[1, "n2i"] = "  "
        assert "missing" in str(_raises_at(data, "SMD", 2, "n2i"))

    def test_infinite_value(self) -> None:
        data = pd.DataFrame({"yi": [0.1, np.inf], "vi": [0.1, 0.1]})
        assert "not a finite number" in str(_raises_at(data, "GEN", 2, "yi"))

    def test_negative_sd(self) -> None:
        data = continuous()
        data.loc[1, "sd2i"] = -6.0
        assert "standard deviation is negative (-6)" in str(_raises_at(data, "SMD", 2, "sd2i"))

    def test_both_sds_zero(self) -> None:
        data = continuous()
        data.loc[0, ["sd1i", "sd2i"]] = 0.0
        assert "both standard deviations are 0" in str(_raises_at(data, "SMD", 1, "sd1i"))

    def test_negative_variance(self) -> None:
        data = pd.DataFrame({"yi": [0.1, 0.2], "vi": [0.1, -0.2]})
        assert "variance is -0.2" in str(_raises_at(data, "GEN", 2, "vi"))

    def test_negative_se(self) -> None:
        data = pd.DataFrame({"yi": [0.1], "sei": [-0.3]})
        assert "standard error is -0.3" in str(_raises_at(data, "GEN", 1, "sei"))

    def test_continuous_group_below_two(self) -> None:
        data = continuous()
        data.loc[1, "n1i"] = 1
        error = _raises_at(data, "SMD", 2, "n1i")
        assert "group size is 1, below 2" in str(error)

    def test_binary_group_below_one(self) -> None:
        data = binary()
        data.loc[3, ["ci", "n2i"]] = 0
        assert "group size is 0, below 1" in str(_raises_at(data, "RR", 4, "n2i"))

    def test_events_above_group_size(self) -> None:
        data = binary()
        data.loc[0, "ai"] = 51
        error = _raises_at(data, "OR", 1, "ai")
        assert "number of events (51) is larger than the group size" in str(error)

    def test_negative_events(self) -> None:
        data = binary()
        data.loc[2, "ci"] = -1
        assert "number of events is negative (-1)" in str(_raises_at(data, "OR", 3, "ci"))

    def test_inconsistent_non_events_and_group_size(self) -> None:
        data = pd.DataFrame({"ai": [10], "bi": [41], "n1i": [50], "ci": [20], "di": [30]})
        assert "events + non-events (51) differs from n1i" in str(_raises_at(data, "OR", 1, "bi"))

    def test_error_hint_says_what_to_do(self) -> None:
        data = continuous()
        data.loc[0, "m1i"] = None
        with pytest.raises(DataError, match="Fill it in, or remove the study"):
            effect_sizes(data, "SMD")
