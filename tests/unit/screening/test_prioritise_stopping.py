"""Stopping guidance: Callaghan & Müller-Hansen's (2020) test and the recall interval, by hand.

The paper (Systematic Reviews 9:273, doi:10.1186/s13643-020-01521-4) gives the test but no
numeric worked example, so the cases below are computed by hand from its definition: the last
``n`` records screened are an urn sample from themselves plus the unscreened records, and
``K = floor(r/tau - (r - k) + 1)`` includes must be in that urn if recall were below tau.
"""

from __future__ import annotations

import math

import pytest

from evsynth._core.errors import EvsynthError
from evsynth.screening.prioritise import (
    hypergeometric_stopping_pvalue,
    recall_estimate,
    since_last_include,
    stopping_guidance,
)
from tests.tolerances import COEF, PVAL


def test_since_last_include() -> None:
    assert since_last_include([0, 1, 0, 0, 1, 0, 0, 0]) == 3
    assert since_last_include([0, 0]) == 2
    assert since_last_include([1]) == 0


def test_pvalue_by_hand_one_zero_urn() -> None:
    # 3 includes then 96 excludes, 120 records (U = 20 unscreened). r = 3, tau = 0.95:
    # r/tau = 3.158, so K = floor(3.158 - 3 + k + 1) = k + 1.
    # Urn of the last 96 (k = 0): K = 1, urn size 96 + 20 = 116; P(X <= 0) = C(115, 96)/C(116, 96)
    # = 20/116. Any longer urn holds an include (k >= 1), and its p-value is larger.
    labels = [1, 1, 0, 1] + [0] * 96
    p = hypergeometric_stopping_pvalue(labels, n_records=120, target_recall=0.95)
    assert p == pytest.approx(20 / 116, rel=PVAL["rel"])


def test_pvalue_by_hand_two_includes_needed() -> None:
    # 20 includes then 300 excludes, 400 records (U = 80). r/tau = 21.05: K = k + 2.
    # Last n = 300 (k = 0): K = 2, urn 380: P(X = 0) = C(378, 300)/C(380, 300)
    # = (80 * 79)/(380 * 379). Shorter urns give larger values (fewer draws).
    labels = [1] * 20 + [0] * 300
    p = hypergeometric_stopping_pvalue(labels, n_records=400)
    expected = (80 * 79) / (380 * 379)
    assert p == pytest.approx(expected, rel=PVAL["rel"])
    assert math.comb(378, 300) / math.comb(380, 300) == pytest.approx(expected, rel=1e-12)


def test_everything_screened_rejects() -> None:
    # With nothing left, the urn of the last n cannot hold the extra include H0 needs: p = 0.
    assert hypergeometric_stopping_pvalue([1, 0, 0, 1, 0], n_records=5) == 0.0


def test_nothing_found_yet_gives_one() -> None:
    assert hypergeometric_stopping_pvalue([0, 0, 0], n_records=10) == 1.0
    assert hypergeometric_stopping_pvalue([], n_records=10) == 1.0


def test_recall_estimate_with_no_include_in_the_window() -> None:
    # Window of the last 50 (none included): Jeffreys mean p = 0.5/51, estimate
    # 20/(20 + 80 * 0.5/51); the Clopper-Pearson upper limit for 0 of 50 is 1 - 0.025^(1/50),
    # so with r = 20 and U = 80 the lower recall limit is 20/(20 + 80 p_U), the upper 1.
    labels = [1] * 20 + [0] * 300
    estimate, low, high, window = recall_estimate(labels, n_records=400, window=50)
    p_upper = 1 - 0.025 ** (1 / 50)
    assert window == 50
    assert estimate == pytest.approx(20 / (20 + 80 * 0.5 / 51), rel=COEF["rel"])
    assert high == 1.0
    assert low == pytest.approx(20 / (20 + 80 * p_upper), rel=COEF["rel"])


def test_recall_estimate_with_includes_in_the_window() -> None:
    # 5 includes in a 20-record window: p = 5.5/21; r = 10, U = 40 -> 10/(10 + 40 * 5.5/21).
    labels = [1] * 5 + [0] * 15 + [1] * 5 + [0] * 15
    estimate, low, high, window = recall_estimate(labels, n_records=80, window=20)
    assert estimate == pytest.approx(10 / (10 + 40 * 5.5 / 21), rel=COEF["rel"])
    assert low < estimate < high and window == 20


def test_guidance_is_reported_not_applied() -> None:
    g = stopping_guidance([1] * 20 + [0] * 300, n_records=400)
    assert g.rule_met and g.pvalue < 0.05
    assert g.n_screened == 320 and g.n_included == 20 and g.since_last_include == 300
    assert "Stopping is the review team's decision" in g.message()
    text = g.summary().as_text()
    assert "Callaghan & Müller-Hansen 2020" in text
    assert g.conf_int() == (g.ci_low, g.ci_high)
    assert g.to_dict()["rule_met"] is True
    early = stopping_guidance([1, 0, 0], n_records=400)
    assert not early.rule_met and "not met" in early.message()


def test_bad_arguments() -> None:
    with pytest.raises(EvsynthError, match="strictly between"):
        hypergeometric_stopping_pvalue([1, 0], n_records=5, target_recall=1.0)
    with pytest.raises(EvsynthError, match="smaller than"):
        hypergeometric_stopping_pvalue([1, 0, 0], n_records=2)
    with pytest.raises(EvsynthError, match="0 \\(exclude\\) or 1"):
        stopping_guidance([1, 3], n_records=5)
