"""Effect-size kernels on small hand-checkable inputs.

Sources: the formulas in each kernel's docstring, evaluated by hand (values to 12+ digits
from a calculator); Hedges (1981) for ``J``; metafor 3.8-1 ``escalc`` conventions for the
zero-cell rules. Tolerances: COEF and VAR from ``tests/tolerances.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from evsynth._core.errors import EvsynthError
from evsynth.synthesis.effects import (
    add_to_cells,
    has_zero_cell,
    hedges_correction,
    is_double_zero,
    log_odds_ratio,
    log_risk_ratio,
    mean_difference,
    pooled_sd,
    risk_difference,
    smd_variance,
    standardized_mean_difference,
)
from tests.tolerances import COEF, VAR

# J(18) = Gamma(9) / (3 Gamma(8.5)) = 40320 / (3 * 2027025/256 * sqrt(pi)).
J18 = 40320 / (3 * 2027025 / 256 * math.sqrt(math.pi))


class TestHedgesCorrection:
    def test_small_df_closed_forms(self) -> None:
        # J(2) = Gamma(1) / (1 * Gamma(1/2)) = 1/sqrt(pi); J(4) = 1 / (sqrt(2) Gamma(3/2)).
        j = hedges_correction([2.0, 4.0])
        assert j[0] == pytest.approx(1 / math.sqrt(math.pi), **COEF)
        assert j[1] == pytest.approx(2 / math.sqrt(2 * math.pi), **COEF)

    def test_df_18(self) -> None:
        # Hand value 0.957646427024 (gamma functions above); the approximation
        # 1 - 3/(4m - 1) = 0.957746 differs in the fifth digit, so the exact J is in use.
        assert hedges_correction(18.0) == pytest.approx(J18, **COEF)
        assert hedges_correction(18.0) != pytest.approx(1 - 3 / 71, **COEF)

    def test_large_df_stays_finite(self) -> None:
        # Gamma(m/2) overflows float64 for m > 343; the log-gamma form does not.
        j = hedges_correction(1e6)
        assert np.isfinite(j)
        assert j == pytest.approx(1 - 3 / (4e6 - 1), **COEF)


class TestContinuous:
    def test_pooled_sd(self) -> None:
        # sqrt((10 * 3^2 + 20 * 5^2) / 30) = sqrt(590 / 30)
        assert pooled_sd(3.0, 11, 5.0, 21) == pytest.approx(math.sqrt(590 / 30), **COEF)

    def test_hedges_g_and_ls_variance(self) -> None:
        # d = (12 - 10) / 4 = 0.5, g = J(18) d; LS: 1/10 + 1/10 + g^2 / (2 * 20).
        g, v = standardized_mean_difference(12.0, 4.0, 10, 10.0, 4.0, 10)
        assert g == pytest.approx(0.5 * J18, **COEF)
        assert v == pytest.approx(0.2 + (0.5 * J18) ** 2 / 40, **VAR)

    def test_ub_variance(self) -> None:
        # UB (Hedges, 1983): 0.2 + (1 - 16 / (18 J^2)) g^2 with m = 18.
        g = 0.5 * J18
        _, v = standardized_mean_difference(12.0, 4.0, 10, 10.0, 4.0, 10, vtype="UB")
        assert v == pytest.approx(0.2 + (1 - 16 / (18 * J18**2)) * g**2, **VAR)
        assert smd_variance(g, 10, 10, vtype="UB") == pytest.approx(v, **VAR)

    def test_smd_sign_follows_treatment_minus_control(self) -> None:
        g, _ = standardized_mean_difference(10.0, 4.0, 10, 12.0, 4.0, 10)
        assert g == pytest.approx(-0.5 * J18, **COEF)

    def test_mean_difference_variances(self) -> None:
        # LS/UB: 3^2/11 + 5^2/21; HO: (590/30) (1/11 + 1/21).
        md, v = mean_difference(12.0, 3.0, 11, 10.0, 5.0, 21)
        assert md == pytest.approx(2.0, **COEF)
        assert v == pytest.approx(9 / 11 + 25 / 21, **VAR)
        _, v_ub = mean_difference(12.0, 3.0, 11, 10.0, 5.0, 21, vtype="UB")
        assert v_ub == pytest.approx(9 / 11 + 25 / 21, **VAR)
        _, v_ho = mean_difference(12.0, 3.0, 11, 10.0, 5.0, 21, vtype="HO")
        assert v_ho == pytest.approx(590 / 30 * (1 / 11 + 1 / 21), **VAR)

    @pytest.mark.parametrize("vtype", ["HO", "AV", "ls"])
    def test_unknown_smd_vtype(self, vtype: str) -> None:
        with pytest.raises(EvsynthError, match="choose one of LS, UB"):
            standardized_mean_difference(1.0, 1.0, 5, 0.0, 1.0, 5, vtype=vtype)

    def test_unknown_md_vtype(self) -> None:
        with pytest.raises(EvsynthError, match="choose one of LS, UB, HO"):
            mean_difference(1.0, 1.0, 5, 0.0, 1.0, 5, vtype="AV")


class TestBinary:
    # Table without zero cells: treatment 10/50, control 20/50.
    TABLE = (10.0, 40.0, 20.0, 30.0)
    # Table with one zero cell: treatment 0/20, control 5/20.
    ZERO = (0.0, 20.0, 5.0, 15.0)

    def test_log_odds_ratio(self) -> None:
        # log(10 * 30 / (40 * 20)); 1/10 + 1/40 + 1/20 + 1/30 (Woolf, 1955).
        y, v = log_odds_ratio(*self.TABLE)
        assert y == pytest.approx(math.log(300 / 800), **COEF)
        assert v == pytest.approx(1 / 10 + 1 / 40 + 1 / 20 + 1 / 30, **VAR)

    def test_log_risk_ratio(self) -> None:
        # log((10/50) / (20/50)); 1/10 - 1/50 + 1/20 - 1/50 (Katz et al., 1978).
        y, v = log_risk_ratio(*self.TABLE)
        assert y == pytest.approx(math.log(0.5), **COEF)
        assert v == pytest.approx(0.11, **VAR)

    def test_risk_difference(self) -> None:
        # 0.2 - 0.4; LS 0.2*0.8/50 + 0.4*0.6/50; UB with 49 in the denominators.
        y, v = risk_difference(*self.TABLE)
        assert y == pytest.approx(-0.2, **COEF)
        assert v == pytest.approx(0.008, **VAR)
        _, v_ub = risk_difference(*self.TABLE, vtype="UB")
        assert v_ub == pytest.approx(0.2 * 0.8 / 49 + 0.4 * 0.6 / 49, **VAR)

    def test_zero_cell_adds_half_to_all_four_cells(self) -> None:
        # metafor add=1/2, to="only0": cells become 0.5, 20.5, 5.5, 15.5.
        y, v = log_odds_ratio(*self.ZERO)
        assert y == pytest.approx(math.log(0.5 * 15.5 / (20.5 * 5.5)), **COEF)
        assert v == pytest.approx(1 / 0.5 + 1 / 20.5 + 1 / 5.5 + 1 / 15.5, **VAR)
        y, v = log_risk_ratio(*self.ZERO)
        assert y == pytest.approx(math.log(0.5 / 5.5), **COEF)
        assert v == pytest.approx(1 / 0.5 - 1 / 21 + 1 / 5.5 - 1 / 21, **VAR)

    def test_risk_difference_is_corrected_like_metafor(self) -> None:
        # metafor 3.8-1 corrects RD too: 0.5/21 - 5.5/21; add=0 gives RevMan's 0/20 - 5/20.
        y, _ = risk_difference(*self.ZERO)
        assert y == pytest.approx(0.5 / 21 - 5.5 / 21, **COEF)
        y0, v0 = risk_difference(*self.ZERO, add=0.0)
        assert y0 == pytest.approx(-0.25, **COEF)
        assert v0 == pytest.approx(0.25 * 0.75 / 20, **VAR)

    def test_only_tables_with_a_zero_are_corrected(self) -> None:
        a, _, _, d = add_to_cells([10, 0], [40, 20], [20, 5], [30, 15])
        np.testing.assert_array_equal(a, [10.0, 0.5])
        np.testing.assert_array_equal(d, [30.0, 15.5])

    def test_to_rules(self) -> None:
        cells = ([10, 0], [40, 20], [20, 5], [30, 15])
        a_all, *_ = add_to_cells(*cells, to="all")
        np.testing.assert_array_equal(a_all, [10.5, 0.5])
        a_if0, *_ = add_to_cells(*cells, to="if0all")
        np.testing.assert_array_equal(a_if0, [10.5, 0.5])
        a_if0_none, *_ = add_to_cells([10], [40], [20], [30], to="if0all")
        np.testing.assert_array_equal(a_if0_none, [10.0])
        a_none, *_ = add_to_cells(*cells, to="none")
        np.testing.assert_array_equal(a_none, [10.0, 0.0])

    def test_double_zero_tables(self) -> None:
        # No events in either group (row 0) and only events in both (row 1); row 2 is fine.
        a, b, c, d = [0, 5, 1], [10, 0, 9], [0, 5, 2], [10, 0, 8]
        np.testing.assert_array_equal(is_double_zero(a, b, c, d), [True, True, False])
        np.testing.assert_array_equal(has_zero_cell(a, b, c, d), [True, True, False])
        for kernel in (log_odds_ratio, log_risk_ratio, risk_difference):
            y, v = kernel(a, b, c, d)
            assert np.isnan(y[:2]).all() and np.isnan(v[:2]).all()
            assert np.isfinite(y[2]) and np.isfinite(v[2])

    def test_double_zero_kept_like_escalc_default(self) -> None:
        # drop00=FALSE: 0/10 vs 0/10 becomes 0.5/11 vs 0.5/11: log OR 0, variance 2/0.5 + 2/10.5.
        y, v = log_odds_ratio([0], [10], [0], [10], drop_double_zero=False)
        assert y[0] == pytest.approx(0.0, **COEF)
        assert v[0] == pytest.approx(2 / 0.5 + 2 / 10.5, **VAR)

    def test_uncorrected_zero_cell_is_infinite_without_warning(self) -> None:
        y, v = log_odds_ratio(*self.ZERO, add=0.0)
        assert np.isneginf(y) and np.isposinf(v)

    def test_unknown_to_and_negative_add(self) -> None:
        with pytest.raises(EvsynthError, match="choose one of only0, all, if0all, none"):
            add_to_cells(1, 1, 1, 1, to="zero")
        with pytest.raises(EvsynthError, match=r"add=-0\.5"):
            add_to_cells(1, 1, 1, 1, add=-0.5)

    def test_unknown_rd_vtype(self) -> None:
        with pytest.raises(EvsynthError, match="choose one of LS, UB"):
            risk_difference(*self.TABLE, vtype="HO")
