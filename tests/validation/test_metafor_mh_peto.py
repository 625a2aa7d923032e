"""Mantel-Haenszel and Peto pooling against metafor 3.8-1 ``rma.mh`` and ``rma.peto``.

Source: tests/data/metafor/pairwise_metafor.json, key ``mantel_haenszel_peto`` (dat.bcg and
dat.li2007, the latter with zero cells); estimate, se, CI, Q, I^2 and p.
"""

from __future__ import annotations

import pandas as pd
import pytest

from evsynth.synthesis.meta import meta_analysis_binary
from tests.conftest import load_json
from tests.tolerances import CI, COEF, HET, PVAL, SE
from tests.validation._assert import close

REF = load_json("metafor/pairwise_metafor.json")


def _counts(dataset: str) -> pd.DataFrame:
    rows = REF["sets"][f"{dataset}_OR"]["input"]
    frame = pd.DataFrame(rows)
    if "tpos" in frame:
        return frame.rename(
            columns={"tpos": "ai", "tneg": "bi", "cpos": "ci", "cneg": "di", "author": "study"}
        )
    return frame


@pytest.mark.parametrize("key", sorted(REF["mantel_haenszel_peto"]))
def test_binary_pooling_matches_metafor(key: str) -> None:
    ref = REF["mantel_haenszel_peto"][key]
    dataset = key.split("_")[0]
    if "peto" in key:
        res = meta_analysis_binary(_counts(dataset), method="PETO")
    else:
        res = meta_analysis_binary(_counts(dataset), measure=key.rsplit("_", 1)[1], method="MH")
    close(res.estimate, ref["estimate"], COEF, f"{key} estimate")
    close(res.se, ref["se"], SE, f"{key} se")
    close([res.ci_low, res.ci_high], [ref["ci_lb"], ref["ci_ub"]], CI, f"{key} CI")
    close(res.q, ref["Q"], HET, f"{key} Q")
    close(res.i2, ref["I2"], HET, f"{key} I2")
    if "pval" in ref:
        close(res.pvalue, ref["pval"], PVAL, f"{key} p")


def test_all_reference_entries_are_tested() -> None:
    assert set(REF["mantel_haenszel_peto"]) == {
        "bcg_OR",
        "bcg_RR",
        "bcg_RD",
        "li2007_OR",
        "li2007_RR",
        "li2007_RD",
        "bcg_peto_OR",
    }
