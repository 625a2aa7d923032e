"""Meta-regression against metafor 3.8-1.

Source: tests/data/metafor/metareg_bcg.json (``rma(yi, vi, mods = ...)`` on dat.bcg log risk
ratios; models ~ ablat, ~ ablat + year, ~ factor(alloc); methods FE, DL, REML, ML, PM, SJ, EB;
tests z and knha): coefficients, se, p, CI, vcov, residual tau^2 and its se, residual I^2, H^2,
R^2, QE, QM (chi^2 or F), log-likelihood, and predictions with CI and PI at ablat 10, 30, 50.
"""

from __future__ import annotations

import pandas as pd
import pytest

from evsynth.synthesis.meta import meta_regression
from tests.conftest import load_json
from tests.tolerances import CI, COEF, HET, PVAL, SE
from tests.validation._assert import close

REF = load_json("metafor/metareg_bcg.json")
DATA = pd.DataFrame(REF["data"]).rename(columns={"yi": "effect", "vi": "variance"})
MODS = {"~ ablat": ["ablat"], "~ ablat + year": ["ablat", "year"], "~ factor(alloc)": ["alloc"]}


def test_case_grid_is_complete() -> None:
    # 3 models x (FE + 6 methods x {z, knha}) = 39 fits.
    assert len(REF["fits"]) == 39
    assert {f["mods"] for f in REF["fits"]} == set(MODS)


@pytest.mark.parametrize("index", range(len(REF["fits"])))
def test_metaregression_matches_metafor(index: int) -> None:
    ref = REF["fits"][index]
    res = meta_regression(
        DATA, MODS[ref["mods"]], method=ref["method"], test="knha" if ref["knha"] else "z"
    )
    tag = f"{ref['mods']} {ref['method']} knha={ref['knha']}"
    assert list(res.names) == ref["coef_names"]
    close(res.estimate, ref["coef"], COEF, f"{tag} coef")
    close(res.se, ref["se"], SE, f"{tag} se")
    close(res.statistic, ref["zval"], COEF, f"{tag} z/t")
    close(res.pvalue, ref["pval"], PVAL, f"{tag} p")
    close(res.ci_low, ref["ci_lb"], CI, f"{tag} ci_lb")
    close(res.ci_high, ref["ci_ub"], CI, f"{tag} ci_ub")
    close(res.vcov, ref["vcov"], SE, f"{tag} vcov")
    close(res.tau2, ref["tau2"], HET, f"{tag} tau2")
    if ref["se_tau2"] is not None:
        close(res.se_tau2, ref["se_tau2"], SE, f"{tag} se(tau2)")
    close(res.i2, ref["I2_residual"], HET, f"{tag} I2")
    close(res.h2, ref["H2"], HET, f"{tag} H2")
    close(res.r2, ref["R2"], HET, f"{tag} R2")
    close(res.qe, ref["QE"], HET, f"{tag} QE")
    assert res.qe_df == ref["QE_df"]
    close(res.qe_pvalue, ref["QE_pval"], PVAL, f"{tag} QE p")
    close(res.qm, ref["QM"], HET, f"{tag} QM")
    assert list(res.qm_df) == ref["QM_df"]
    close(res.qm_pvalue, ref["QM_pval"], PVAL, f"{tag} QM p")
    close(res.log_lik, ref["logLik"], COEF, f"{tag} logLik")
    pred = ref["pred_at_ablat"]
    if pred:
        new = pd.DataFrame({"ablat": pred["ablat"]})
        got = res.predict(new)
        close(got["estimate"], pred["pred"], COEF, f"{tag} pred")
        close(got["se"], pred["se"], SE, f"{tag} pred se")
        close(got["ci_low"], pred["ci_lb"], CI, f"{tag} pred ci_lb")
        close(got["ci_high"], pred["ci_ub"], CI, f"{tag} pred ci_ub")
        if pred["pi_lb"]:
            close(got["pi_low"], pred["pi_lb"], CI, f"{tag} pi_lb")
            close(got["pi_high"], pred["pi_ub"], CI, f"{tag} pi_ub")
