"""Screening-order metrics against values computed by hand from the datasets README definitions.

Source of the definitions: ``/work/shared/datasets/README.md`` (WSS@r = (N - screened to reach
recall r)/N - (1 - r); recall@x% = share of inclusions found after screening x% of records;
loss = (optimal recall-curve area - actual)/(optimal - worst)). Each expected value is worked
out in the comment beside it; exact rational arithmetic, so the tolerance is ``COEF``.
"""

from __future__ import annotations

import pytest

from evsynth._core.errors import EvsynthError
from evsynth.screening.prioritise import loss, n_to_recall, recall_at, wss
from tests.tolerances import COEF

# N = 10 records, R = 3 includes, found at positions 1, 3 and 6.
ORDER = [1, 0, 1, 0, 0, 1, 0, 0, 0, 0]


def test_records_to_recall() -> None:
    # ceil(0.95 * 3) = 3 includes -> the 6th record; ceil(0.5 * 3) = 2 -> the 3rd.
    assert n_to_recall(ORDER, 0.95) == 6
    assert n_to_recall(ORDER, 1.0) == 6
    assert n_to_recall(ORDER, 0.5) == 3
    assert n_to_recall(ORDER, 1 / 3) == 1  # exactly one of three: no rounding up past 1


def test_wss_at_95_and_100() -> None:
    # (10 - 6)/10 - (1 - 0.95) = 0.35; at r = 1: (10 - 6)/10 - 0 = 0.4.
    assert wss(ORDER, 0.95) == pytest.approx(0.35, rel=COEF["rel"])
    assert wss(ORDER, 1.0) == pytest.approx(0.40, rel=COEF["rel"])


def test_wss_of_the_worst_order_is_negative() -> None:
    # All includes last: N = 5, R = 2 -> n_95 = 5, WSS@95 = 0 - 0.05.
    assert wss([0, 0, 0, 1, 1], 0.95) == pytest.approx(-0.05, rel=COEF["rel"])


def test_recall_after_a_share_screened() -> None:
    # 10% of 10 = 1 record -> 1 of 3 includes; 25% -> ceil(2.5) = 3 records -> 2 of 3.
    assert recall_at(ORDER, 0.10) == pytest.approx(1 / 3, rel=COEF["rel"])
    assert recall_at(ORDER, 0.25) == pytest.approx(2 / 3, rel=COEF["rel"])
    assert recall_at(ORDER, 1.0) == 1.0


def test_loss_by_hand() -> None:
    # Found after n = 1..10: 1,1,2,2,2,3,3,3,3,3 -> area 23.
    # Optimal (includes first): 1,2,3,3,...,3 -> 1 + 2 + 8 * 3 = 27 = N R - R (R - 1)/2.
    # Worst (includes last): 0 x 7, then 1, 2, 3 -> 6 = R (R + 1)/2.
    # loss = (27 - 23)/(27 - 6) = 4/21.
    assert loss(ORDER) == pytest.approx(4 / 21, rel=COEF["rel"])


def test_loss_is_zero_for_the_best_and_one_for_the_worst_order() -> None:
    assert loss([1, 1, 0, 0, 0]) == pytest.approx(0.0, abs=COEF["abs"])
    assert loss([0, 0, 0, 1, 1]) == pytest.approx(1.0, rel=COEF["rel"])


@pytest.mark.parametrize(
    ("order", "words"),
    [
        ([0, 0, 0], "no included record"),
        ([1, 2, 0], r"must be 0 \(exclude\) or 1"),
        ([], "non-empty"),
    ],
)
def test_bad_orders_are_refused(order: list[int], words: str) -> None:
    with pytest.raises(EvsynthError, match=words):
        wss(order)


def test_share_out_of_range_is_refused() -> None:
    with pytest.raises(EvsynthError, match="must lie in"):
        recall_at(ORDER, 0.0)
    with pytest.raises(EvsynthError, match="excluded record"):
        loss([1, 1])
