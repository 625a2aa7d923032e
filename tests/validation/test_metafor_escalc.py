"""evsynth's effect sizes against metafor's ``escalc``.

Source: ``tests/data/metafor/pairwise_metafor.json``, output of metafor 3.8-1 (R 4.2.2) for
dat.normand1999 (SMD, MD), dat.bcg (OR, RR, RD), dat.li2007 (OR, RR, RD; two tables with a
zero cell) and dat.raudenbush1985 (precomputed SMD, i.e. GEN). ``sets[name]["input"]`` holds
the raw data and ``sets[name]["studies"]`` metafor's ``yi``/``vi``; normand1999_SMD also has
``escalc_vtype_UB``. Every study's effect and variance must agree to the COEF and VAR
tolerances of ``tests/tolerances.py`` (1e-6 relative, 1e-8 absolute).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evsynth.synthesis.effects import EffectTable, effect_sizes
from tests.tolerances import COEF, VAR

TESTS = Path(__file__).resolve().parents[1]
REFERENCE = TESTS / "data" / "metafor" / "pairwise_metafor.json"


# dat.bcg names its 2x2 cells tpos, tneg, cpos, cneg (metafor's ai, bi, ci, di).
BCG_COLUMNS = {
    "events_treatment": "tpos",
    "non_events_treatment": "tneg",
    "events_control": "cpos",
    "non_events_control": "cneg",
}

# Reference set -> (effect_sizes arguments, key of the expected values in the set).
CASES: dict[str, tuple[dict[str, Any], str]] = {
    "normand1999_SMD": ({"measure": "SMD", "study": "source"}, "studies"),
    "normand1999_MD": ({"measure": "MD", "study": "source"}, "studies"),
    "raudenbush1985_SMD": ({"measure": "GEN"}, "studies"),
    "bcg_OR": ({"measure": "OR", "study": "author", **BCG_COLUMNS}, "studies"),
    "bcg_RR": ({"measure": "RR", "study": "author", **BCG_COLUMNS}, "studies"),
    "bcg_RD": ({"measure": "RD", "study": "author", **BCG_COLUMNS}, "studies"),
    "li2007_OR": ({"measure": "OR"}, "studies"),
    "li2007_RR": ({"measure": "RR"}, "studies"),
    "li2007_RD": ({"measure": "RD"}, "studies"),
}
UB_CASE = ({"measure": "SMD", "study": "source", "vtype": "UB"}, "escalc_vtype_UB")


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    with REFERENCE.open(encoding="utf-8") as handle:
        sets: dict[str, Any] = json.load(handle)["sets"]
    return sets


def _input(reference_set: dict[str, Any]) -> pd.DataFrame:
    # dat.raudenbush1985 is stored as metafor's precomputed yi/vi only: it enters as GEN.
    rows = reference_set.get("input") or reference_set["studies"]
    return pd.DataFrame(rows)


def _check(table: EffectTable, expected: list[dict[str, float]], name: str) -> None:
    assert table.k == len(expected), f"{name}: every study is kept, as in metafor"
    assert table.dropped == ()
    for i, study in enumerate(expected):
        # pairwise_metafor.json sets[name], studies[i].yi: metafor 3.8-1 escalc
        assert table.effect[i] == pytest.approx(study["yi"], **COEF), f"{name} study {i + 1} yi"
        # pairwise_metafor.json sets[name], studies[i].vi: metafor 3.8-1 escalc
        assert table.variance[i] == pytest.approx(study["vi"], **VAR), f"{name} study {i + 1} vi"


def test_reference_is_metafor_3_8_1() -> None:
    with REFERENCE.open(encoding="utf-8") as handle:
        pinned = json.load(handle)
    assert pinned["metafor_version"] == "3.8.1"


def test_case_grid_is_complete(reference: dict[str, Any]) -> None:
    # Every set in the pinned file is reproduced here, so the grid cannot quietly shrink.
    assert set(CASES) == set(reference)
    assert "escalc_vtype_UB" in reference["normand1999_SMD"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_escalc_effects_and_variances(name: str, reference: dict[str, Any]) -> None:
    arguments, key = CASES[name]
    reference_set = reference[name]
    table = effect_sizes(_input(reference_set), **arguments)
    assert table.measure == arguments["measure"]
    _check(table, reference_set[key], name)


def test_escalc_smd_vtype_ub(reference: dict[str, Any]) -> None:
    # normand1999_SMD.escalc_vtype_UB: escalc(measure="SMD", vtype="UB"), Hedges (1983).
    arguments, key = UB_CASE
    reference_set = reference["normand1999_SMD"]
    table = effect_sizes(_input(reference_set), **arguments)
    assert table.vtype == "UB"
    _check(table, reference_set[key], "normand1999_SMD vtype=UB")


def test_study_labels_follow_the_input(reference: dict[str, Any]) -> None:
    table = effect_sizes(_input(reference["bcg_OR"]), **CASES["bcg_OR"][0])
    # dat.bcg trial 1 is Aronson (1948); rows are 1-based data rows.
    assert table.study[0] == "Aronson"
    assert table.rows == tuple(range(1, 14))


@pytest.mark.parametrize("name", ["li2007_OR", "li2007_RR", "li2007_RD"])
def test_li2007_zero_cells_are_noted(name: str, reference: dict[str, Any]) -> None:
    # dat.li2007 rows 16 (Urek, control 0/30) and 20 (Santoro, treatment 0/75) have a zero
    # cell; metafor adds 1/2 to their four cells, for RD as well (the set's note says otherwise,
    # but its yi for Urek, 0.0307459677, is 1.5/32 - 0.5/31, not the uncorrected 1/31).
    table = effect_sizes(_input(reference[name]), **CASES[name][0])
    corrected = [note for note in table.notes if "zero cell" in note]
    assert len(corrected) == 2
    assert "'Urek' (row 16)" in corrected[0]
    assert "'Santoro' (row 20)" in corrected[1]
