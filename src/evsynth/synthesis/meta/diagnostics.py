"""Sensitivity and small-study diagnostics: leave-one-out and Egger's regression test."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from evsynth._core.errors import EvsynthError, choice_error
from evsynth._core.summary import Summary
from evsynth.synthesis.meta.fit import fit_rma
from evsynth.synthesis.meta.result import MetaResult


def leave_one_out(result: MetaResult) -> pd.DataFrame:
    """Refit the model k times, each time without one study (metafor's ``leave1out``).

    Returns one row per omitted study with ``estimate, se, statistic, pvalue, ci_low, ci_high,
    q, q_pvalue, tau2, i2, h2``.
    """
    if result.method in ("MH", "PETO"):
        raise EvsynthError("leave-one-out is available for inverse-variance fits only")
    if result.k < 2:
        raise EvsynthError("leave-one-out needs at least two studies")
    rows = []
    for i, label in enumerate(result.study):
        keep = np.arange(result.k) != i
        fit = fit_rma(
            result.effect[keep],
            result.variance[keep],
            method=result.method,
            test=result.test,
            level=result.level,
        )
        rows.append(
            {
                "study": label,
                "estimate": float(fit.beta[0]),
                "se": float(fit.se[0]),
                "statistic": float(fit.statistic[0]),
                "pvalue": float(fit.pvalue[0]),
                "ci_low": float(fit.ci_low[0]),
                "ci_high": float(fit.ci_high[0]),
                "q": fit.qe,
                "q_pvalue": fit.qe_pvalue,
                "tau2": fit.tau2,
                "i2": fit.i2,
                "h2": fit.h2,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True, slots=True)
class EggerResult:
    """Regression test for funnel-plot asymmetry."""

    model: str
    statistic: float
    pvalue: float
    df: int | None
    slope: float
    slope_se: float
    limit_estimate: float
    limit_ci_low: float
    limit_ci_high: float

    def summary(self) -> Summary:
        dist = "z" if self.df is None else f"t({self.df})"
        return Summary(
            "Regression test for funnel plot asymmetry",
            ["model", "predictor", "statistic", "pvalue", "limit estimate", "ci_low", "ci_high"],
            [
                [
                    self.model,
                    "sei",
                    self.statistic,
                    self.pvalue,
                    self.limit_estimate,
                    self.limit_ci_low,
                    self.limit_ci_high,
                ]
            ],
            [
                f"Test of the standard-error coefficient ({dist}); the limit estimate is the "
                "intercept, the effect expected in a study of infinite size."
            ],
        )


def egger_test(result: MetaResult, *, model: str = "rma") -> EggerResult:
    """Egger's regression test (Egger et al. 1997, BMJ 315:629, doi:10.1136/bmj.315.7109.629).

    model="rma"
        metafor's ``regtest`` default: a meta-regression of the effects on their standard errors
        with the fit's own tau^2 method and test (Sterne & Egger 2005, in *Publication Bias in
        Meta-Analysis*, Wiley).
    model="lm"
        The original test: weighted least squares of the effects on their standard errors with
        weights 1/v and a free residual variance, t with k - 2 degrees of freedom; equivalent to
        regressing y/se on 1/se.

    .. math::

        y_i = \\beta_0 + \\beta_1 \\sqrt{v_i} + \\varepsilon_i, \\qquad H_0: \\beta_1 = 0
    """
    if result.k < 3:
        raise EvsynthError("Egger's test needs at least three studies")
    se_i = np.sqrt(result.variance)
    X = np.column_stack([np.ones(result.k), se_i])
    y, v = result.effect, result.variance
    if model == "rma":
        method = "FE" if result.method in ("MH", "PETO") else result.method
        fit = fit_rma(y, v, X, method=method, test=result.test, level=result.level)
        beta, se, df = fit.beta, fit.se, fit.df
    elif model == "lm":
        w = 1.0 / v
        xw = X.T * w
        xtx_inv = np.linalg.inv(xw @ X)
        beta = xtx_inv @ (xw @ y)
        resid = y - X @ beta
        df = result.k - 2
        sigma2 = float(np.sum(w * resid**2) / df)
        se = np.sqrt(np.diag(xtx_inv) * sigma2)
    else:
        raise choice_error("model", model, ("rma", "lm"))
    stat = float(beta[1] / se[1])
    if df is None:
        pvalue = float(2 * stats.norm.sf(abs(stat)))
        crit = float(stats.norm.ppf(0.5 + result.level / 2))
    else:
        pvalue = float(2 * stats.t.sf(abs(stat), df))
        crit = float(stats.t.ppf(0.5 + result.level / 2, df))
    return EggerResult(
        model=model,
        statistic=stat,
        pvalue=pvalue,
        df=df,
        slope=float(beta[1]),
        slope_se=float(se[1]),
        limit_estimate=float(beta[0]),
        limit_ci_low=float(beta[0] - crit * se[0]),
        limit_ci_high=float(beta[0] + crit * se[0]),
    )
