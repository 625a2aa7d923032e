"""Conversions from reported statistics to effect-size inputs.

Sources: Cochrane Handbook version 6.4, chapter 6 (Higgins, Li & Deeks): section 6.5.2.2
(SD from SE or CI of a mean), 6.5.2.3 (t statistic), 6.5.2.8 (SD of change), 6.3.1-6.3.2 (SE
from the CI of an effect); values evaluated by hand from those formulas, with quantiles
t(0.975, 24) = 2.0638985616 and z(0.975) = 1.9599639845. Tolerances: COEF, SE and VAR from
``tests/tolerances.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth.synthesis.effects import (
    align_direction,
    correlation_from_sds,
    sd_change,
    sd_from_ci,
    sd_from_se,
    se_from_ci,
    smd_from_f,
    smd_from_t,
    standardized_mean_difference,
    variance_from_se,
)
from tests.tolerances import COEF, SE, VAR

T_975_24 = 2.0638985616280245  # t quantile, 0.975, 24 df (scipy; tables give 2.064)
Z_975 = 1.959963984540054  # normal quantile, 0.975 (tables give 1.96)


def test_sd_from_se() -> None:
    # Handbook 6.5.2.2: SD = SE * sqrt(N); SE 2 with N = 25 gives SD 10.
    assert sd_from_se(2.0, 25) == pytest.approx(10.0, **COEF)
    np.testing.assert_allclose(sd_from_se([1.0, 3.0], [4, 9]), [2.0, 9.0], rtol=COEF["rel"])


def test_sd_from_ci_small_sample_uses_t() -> None:
    # Handbook 6.5.2.2: SD = sqrt(N) (upper - lower) / (2 t); N = 25, CI 3 to 7:
    # 5 * 4 / (2 * 2.0638985616) = 4.845199.
    assert sd_from_ci(3.0, 7.0, 25) == pytest.approx(5 * 4 / (2 * T_975_24), **COEF)


def test_sd_from_ci_normal_divides_by_3_92() -> None:
    # Handbook 6.5.2.2 for large samples: divide the width by 3.92 (2 * 1.96).
    assert sd_from_ci(3.0, 7.0, 25, distribution="normal") == pytest.approx(
        5 * 4 / (2 * Z_975), **COEF
    )


def test_sd_from_ci_other_level() -> None:
    # A 90% CI uses t(0.95, 24) = 1.7108820799.
    assert sd_from_ci(3.0, 7.0, 25, level=0.90) == pytest.approx(
        5 * 4 / (2 * 1.7108820799094281), **COEF
    )


def test_sd_from_ci_t_tends_to_normal() -> None:
    big_t = sd_from_ci(-1.0, 1.0, 1_000_000)
    big_z = sd_from_ci(-1.0, 1.0, 1_000_000, distribution="normal")
    assert big_t == pytest.approx(big_z, rel=1e-5)  # t(0.975, 1e6 - 1) / z(0.975) - 1 ~ 1e-6


def test_se_from_ci_difference_and_ratio() -> None:
    # Handbook 6.3.1: SE = (upper - lower) / 3.92 for a 95% CI of a difference.
    assert se_from_ci(-0.5, 1.5) == pytest.approx(2.0 / (2 * Z_975), **SE)
    # Handbook 6.3.2: ratio limits on the log scale: OR 95% CI 0.5 to 2.0.
    assert se_from_ci(0.5, 2.0, ratio=True) == pytest.approx(
        (math.log(2.0) - math.log(0.5)) / (2 * Z_975), **SE
    )


def test_variance_from_se() -> None:
    assert variance_from_se([0.5, 2.0]) == pytest.approx([0.25, 4.0], **VAR)


def test_smd_from_t_matches_group_data() -> None:
    # Two groups of 10 with means 12 and 10 and SD 4: t = 2 / (4 sqrt(1/10 + 1/10)).
    # Handbook 6.5.2.3 / Hedges (1981): d = t sqrt(1/n1 + 1/n2) = 0.5, g = J(18) d.
    t = 2 / (4 * math.sqrt(0.2))
    g, v = smd_from_t(t, 10, 10)
    g_direct, v_direct = standardized_mean_difference(12.0, 4.0, 10, 10.0, 4.0, 10)
    j18 = 40320 / (3 * 2027025 / 256 * math.sqrt(math.pi))
    assert g == pytest.approx(0.5 * j18, **COEF)
    assert g == pytest.approx(g_direct, **COEF)
    assert v == pytest.approx(v_direct, **VAR)


def test_smd_from_f_takes_its_sign_from_the_user() -> None:
    # F = t^2 with one numerator df: F = 4, sign -1 is t = -2.
    g, v = smd_from_f(4.0, 12, 15, -1)
    g_t, v_t = smd_from_t(-2.0, 12, 15)
    assert g == pytest.approx(g_t, **COEF)
    assert v == pytest.approx(v_t, **VAR)
    assert g < 0


def test_smd_from_f_rejects_a_bad_sign_or_negative_f() -> None:
    with pytest.raises(DataError, match=r"neither \+1 nor -1 at position 0"):
        smd_from_f(4.0, 12, 15, 0)
    with pytest.raises(DataError, match="F statistic is negative"):
        smd_from_f(-4.0, 12, 15, 1)


def test_sd_change_from_correlation() -> None:
    # Handbook 6.5.2.8: sqrt(6^2 + 8^2 - 2 * 0.5 * 6 * 8) = sqrt(52).
    assert sd_change(6.0, 8.0, 0.5) == pytest.approx(math.sqrt(52), **COEF)
    # r = 0 adds the variances; r = 1 with equal SDs leaves no variation.
    assert sd_change(3.0, 4.0, 0.0) == pytest.approx(5.0, **COEF)
    assert sd_change(4.0, 4.0, 1.0) == pytest.approx(0.0, **COEF)


def test_correlation_from_sds_inverts_sd_change() -> None:
    # Handbook 6.5.2.8: r = (6^2 + 8^2 - 52) / (2 * 6 * 8) = 0.5.
    assert correlation_from_sds(6.0, 8.0, math.sqrt(52)) == pytest.approx(0.5, **COEF)


def test_sd_change_rejects_a_correlation_outside_minus_one_to_one() -> None:
    with pytest.raises(DataError, match=r"outside \[-1, 1\] at position 1"):
        sd_change([6.0, 6.0], [8.0, 8.0], [0.5, 1.5])


def test_align_direction() -> None:
    np.testing.assert_array_equal(align_direction([0.3, -0.2], lower_is_better=True), [-0.3, 0.2])
    np.testing.assert_array_equal(align_direction([0.3, -0.2], lower_is_better=False), [0.3, -0.2])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sd_from_se(-1.0, 10), "standard error is negative"),
        (lambda: sd_from_ci(7.0, 3.0, 25), "upper confidence limit is below the lower"),
        (lambda: sd_from_ci(3.0, 7.0, 1), "group size is below 2"),
        (lambda: se_from_ci(0.0, 2.0, ratio=True), "limit of a ratio is not positive"),
        (lambda: smd_from_t(2.0, 1, 10), "group size is below 2"),
    ],
)
def test_invalid_inputs_raise_data_errors(call: Callable[[], object], message: str) -> None:
    with pytest.raises(DataError, match=message):
        call()


def test_invalid_options() -> None:
    with pytest.raises(EvsynthError, match="choose one of t, normal"):
        sd_from_ci(3.0, 7.0, 25, distribution="z")
    with pytest.raises(EvsynthError, match="strictly between 0 and 1"):
        se_from_ci(1.0, 2.0, level=95)
