"""Cohen's kappa result object: inputs, table, disagreements, threshold, house result style.

Numbers: the Wikipedia "Cohen's kappa" simple example (kappa 0.4; tests/data/screening/
kappa_published.json) and R vcd 1.4-11 on the 3x3 table (tests/data/screening/ref_r_kappa.json,
key three_category_screening); the full validation is tests/validation/test_fleiss1969_kappa.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import EvsynthError
from evsynth._core.summary import Summary
from evsynth.screening import Decision, KappaResult, cohen_kappa, cohen_kappa_from_table
from tests.conftest import load_json
from tests.tolerances import CI, COEF, SE
from tests.validation._assert import close

R_REF = load_json("screening/ref_r_kappa.json")["tables"]


def _wikipedia() -> KappaResult:
    a = {f"p{i:02d}": "include" if i < 25 else "exclude" for i in range(50)}
    b = {f"p{i:02d}": "include" if i < 20 or 25 <= i < 35 else "exclude" for i in range(50)}
    return cohen_kappa(a, b, reviewers=("A", "B"))


def test_result_fields() -> None:
    res = _wikipedia()
    close(res.kappa, 0.4, COEF, "Wikipedia simple example kappa")
    assert res.estimate == res.kappa
    assert res.n == 50
    assert res.categories == ("include", "exclude")
    assert res.disagreements == tuple(f"p{i:02d}" for i in range(20, 35))
    ref = R_REF["wikipedia_grant_proposals"]["vcd"]
    close(res.se, ref["ase"], SE, "se vs vcd::Kappa")
    close((res.ci_low, res.ci_high), (ref["ci_low"], ref["ci_high"]), CI, "CI vs vcd")
    assert res.level == 0.95


def test_table_is_a_labelled_dataframe() -> None:
    table = _wikipedia().table
    assert isinstance(table, pd.DataFrame)
    assert table.index.name == "A" and table.columns.name == "B"
    assert table.to_numpy().tolist() == [[20, 5], [10, 15]]
    table.iloc[0, 0] = 99  # a copy: the result is not changed
    assert _wikipedia().table.iloc[0, 0] == 20


def test_result_is_immutable() -> None:
    res = _wikipedia()
    with pytest.raises(AttributeError):
        res.estimate = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        res.counts[0, 0] = 1


def test_conf_int_at_other_levels() -> None:
    res = _wikipedia()
    assert res.conf_int() == (res.ci_low, res.ci_high)
    low90, high90 = res.conf_int(0.90)
    assert res.ci_low < low90 < res.kappa < high90 < res.ci_high
    close(high90 - res.kappa, 1.6448536269514722 * res.se, COEF, "90% half-width")
    with pytest.raises(EvsynthError, match="between 0 and 1"):
        res.conf_int(95)


def test_meets_the_protocol_threshold() -> None:
    res = _wikipedia()
    assert res.meets(0.4)
    assert not res.meets(0.7)
    assert not res.meets(0.2, use="ci_low")  # lower limit 0.151
    assert res.meets(0.15, use="ci_low")
    with pytest.raises(EvsynthError, match="estimate, ci_low"):
        res.meets(0.2, use="upper")


def test_summary_and_to_frame() -> None:
    res = _wikipedia()
    summary = res.summary()
    assert isinstance(summary, Summary)
    text = summary.as_text()
    assert "Cohen's kappa" in text and "Fleiss, Cohen & Everitt (1969)" in text
    assert "<table" in summary.as_html()
    frame = res.to_frame()
    assert frame.shape[0] == 1
    assert frame.loc[0, "kappa"] == pytest.approx(0.4)
    assert frame.loc[0, "n_disagreements"] == 15
    assert res.to_dict()["table"] == [[20, 5], [10, 15]]


def test_events_as_input_pair_on_shared_records(event: Callable[..., Decision]) -> None:
    asc = [event(f"r{i}", "ASc", "include" if i < 3 else "exclude") for i in range(10)]
    asc.append(event("r3", "ASc", "include"))  # changed mind: the latest counts
    ab = [event(f"r{i}", "AB", "include" if i < 4 else "exclude") for i in range(6)]
    res = cohen_kappa(asc, ab)
    assert res.reviewers == ("ASc", "AB")
    assert res.n == 6
    assert res.disagreements == ()
    assert res.kappa == pytest.approx(1.0)
    assert res.se == pytest.approx(0.0)
    assert "4 record(s) decided by only one reviewer" in res.notes[0]


def test_events_must_be_one_reviewer_and_one_stage(event: Callable[..., Decision]) -> None:
    mixed = [event("r1", "ASc", "include"), event("r1", "AB", "include")]
    with pytest.raises(EvsynthError, match="several reviewers"):
        cohen_kappa(mixed, mixed)
    stages = [event("r1", "ASc", "include"), event("r1", "ASc", "include", "full_text")]
    with pytest.raises(EvsynthError, match="mix stages"):
        cohen_kappa(stages, stages)


def test_three_categories_with_maybe() -> None:
    counts = np.array(R_REF["three_category_screening"]["table"])
    labels = ("include", "exclude", "maybe")
    a: dict[str, str] = {}
    b: dict[str, str] = {}
    k = 0
    for i, j in np.ndindex(counts.shape):
        for _ in range(counts[i, j]):
            a[f"r{k}"], b[f"r{k}"] = labels[i], labels[j]
            k += 1
    res = cohen_kappa(a, b)
    assert res.categories == labels
    ref = R_REF["three_category_screening"]["vcd"]
    close(res.kappa, ref["kappa"], COEF, "3x3 kappa vs vcd")
    close(res.se, ref["ase"], SE, "3x3 se vs vcd")
    assert len(res.disagreements) == counts.sum() - np.trace(counts)


def test_categories_keep_an_unused_category() -> None:
    a = {"r1": "exclude", "r2": "exclude", "r3": "include"}
    b = {"r1": "exclude", "r2": "exclude", "r3": "exclude"}
    assert cohen_kappa(a, b).categories == ("include", "exclude")
    res = cohen_kappa(a, b, categories=("include", "exclude", "maybe"))
    assert res.table.shape == (3, 3)
    with pytest.raises(EvsynthError, match="not among categories"):
        cohen_kappa(a, b, categories=("include",))


def test_all_records_in_one_category_leave_kappa_undefined() -> None:
    a = {f"r{i}": "exclude" for i in range(20)}
    res = cohen_kappa(a, dict(a))
    assert math.isnan(res.kappa) and math.isnan(res.se) and math.isnan(res.ci_low)
    assert res.observed_agreement == 1.0
    assert not res.meets(0.7)
    assert "undefined" in res.notes[-1]
    assert res.to_dict()["kappa"] is None


def test_no_shared_records_is_an_error() -> None:
    with pytest.raises(EvsynthError, match="no record was screened by both reviewers"):
        cohen_kappa({"r1": "include"}, {"r2": "include"})


def test_from_table_checks_its_input() -> None:
    frame = pd.DataFrame([[20, 5], [10, 15]], index=["yes", "no"], columns=["yes", "no"])
    from_frame = cohen_kappa_from_table(frame)
    assert from_frame.categories == ("yes", "no")
    assert from_frame.disagreements == () and from_frame.n_disagreements == 15
    with pytest.raises(EvsynthError, match="square"):
        cohen_kappa_from_table([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(EvsynthError, match="whole counts"):
        cohen_kappa_from_table([[0.4, 0.1], [0.2, 0.3]])
    with pytest.raises(EvsynthError, match="non-negative"):
        cohen_kappa_from_table([[4, -1], [2, 3]])
