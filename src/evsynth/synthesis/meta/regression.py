"""Meta-regression: moderators (continuous and categorical), QM test, R^2, predictions.

The model and tau^2 estimators are those of :mod:`evsynth.synthesis.meta.fit`; categorical
moderators are dummy-coded against their first level in sorted order (R's treatment contrasts,
so coefficient names match metafor's ``factor(x)level``).

R^2 is the proportional reduction in tau^2 (Raudenbush 1994, in Cooper & Hedges, *The Handbook of
Research Synthesis*; López-López et al. 2014, doi:10.1111/bmsp.12002):

.. math::

    R^2 = \\max\\left(0, \\frac{\\hat\\tau^2_{\\mathrm{RE}} - \\hat\\tau^2_{\\mathrm{ME}}}{\\hat\\tau^2_{\\mathrm{RE}}}\\right)

with both fits by the same method (0 when :math:`\\hat\\tau^2_{\\mathrm{RE}} = 0`). For the
common-effect model it is metafor's adjusted R^2 of the weighted regression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evsynth._core.errors import DataError, InputLocation
from evsynth._core.summary import Summary
from evsynth.synthesis.meta._wls import FloatArray, weighted_fit
from evsynth.synthesis.meta.fit import RmaFit, fit_rma, prediction_interval


@dataclass(frozen=True, slots=True)
class Design:
    """A design matrix with the information needed to build new rows for prediction."""

    matrix: FloatArray
    names: tuple[str, ...]
    moderators: tuple[str, ...]
    levels: dict[str, tuple[str, ...]]

    def row(self, values: dict[str, Any]) -> FloatArray:
        """Design row for one set of moderator values (categorical values by level name)."""
        out: list[float] = [1.0]
        for mod in self.moderators:
            if mod not in values:
                raise DataError(f"a prediction needs a value for moderator '{mod}'")
            if mod in self.levels:
                levels = self.levels[mod]
                value = str(values[mod])
                if value not in levels:
                    raise DataError(
                        f"'{value}' is not a level of '{mod}'; choose one of {', '.join(levels)}"
                    )
                out.extend(1.0 if value == lev else 0.0 for lev in levels[1:])
            else:
                out.append(float(values[mod]))
        return np.asarray(out, dtype=np.float64)


def build_design(
    data: pd.DataFrame, moderators: Sequence[str], categorical: Sequence[str] = ()
) -> Design:
    """Intercept plus moderators; text columns and those in ``categorical`` are dummy-coded."""
    columns: list[FloatArray] = [np.ones(len(data))]
    names = ["intrcpt"]
    levels: dict[str, tuple[str, ...]] = {}
    for mod in moderators:
        if mod not in data.columns:
            raise DataError(
                f"moderator column '{mod}' is missing",
                location=InputLocation(field=mod),
                hint=f"Columns present: {', '.join(map(str, data.columns))}",
            )
        col = data[mod]
        if col.isna().any():
            row = int(np.flatnonzero(col.isna().to_numpy())[0]) + 1
            raise DataError(
                "moderator value is missing",
                location=InputLocation(row=row, field=mod),
                hint="Fill it in or leave the study out",
            )
        is_text = not pd.api.types.is_numeric_dtype(col)
        if mod in categorical or is_text:
            levs = tuple(sorted(col.astype(str).unique()))
            levels[mod] = levs
            for lev in levs[1:]:
                columns.append((col.astype(str) == lev).to_numpy(dtype=np.float64))
                names.append(f"factor({mod}){lev}")
        else:
            columns.append(col.to_numpy(dtype=np.float64))
            names.append(mod)
    return Design(np.column_stack(columns), tuple(names), tuple(moderators), levels)


@dataclass(frozen=True, slots=True)
class MetaRegressionResult:
    """A mixed-effects meta-regression (or common-effect regression with ``method="FE"``)."""

    measure: str
    method: str
    test: str
    level: float
    k: int
    names: tuple[str, ...]
    estimate: FloatArray
    se: FloatArray
    statistic: FloatArray
    pvalue: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    vcov: FloatArray
    df: int | None
    tau2: float
    se_tau2: float | None
    i2: float
    h2: float
    r2: float | None
    qe: float
    qe_df: int
    qe_pvalue: float
    qm: float
    qm_df: tuple[int, int | None]
    qm_pvalue: float
    log_lik: float
    design: Design
    fit: RmaFit

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals of the coefficients at ``level``."""
        if self.df is None:
            crit = float(stats.norm.ppf(0.5 + level / 2))
        else:
            crit = float(stats.t.ppf(0.5 + level / 2, self.df))
        return pd.DataFrame(
            {"ci_low": self.estimate - crit * self.se, "ci_high": self.estimate + crit * self.se},
            index=list(self.names),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient."""
        return pd.DataFrame(
            {
                "term": list(self.names),
                "estimate": self.estimate,
                "se": self.se,
                "statistic": self.statistic,
                "pvalue": self.pvalue,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
            }
        )

    def predict(
        self, new: pd.DataFrame | dict[str, Any], *, prediction: str = "metafor"
    ) -> pd.DataFrame:
        """Predicted effect with CI and prediction interval at moderator values ``new``."""
        frame = pd.DataFrame([new]) if isinstance(new, dict) else new
        rows = []
        crit = self.fit.critical()
        for _, values in frame.iterrows():
            x = self.design.row({str(key): val for key, val in values.items()})
            est, se, lo, hi = prediction_interval(self.fit, x, kind=prediction)
            rows.append(
                {
                    "estimate": est,
                    "se": se,
                    "ci_low": est - crit * se,
                    "ci_high": est + crit * se,
                    "pi_low": lo if self.method != "FE" else np.nan,
                    "pi_high": hi if self.method != "FE" else np.nan,
                }
            )
        return pd.DataFrame(rows, index=frame.index)

    def summary(self) -> Summary:
        rows = [
            [n, e, s, z, p, lo, hi]
            for n, e, s, z, p, lo, hi in zip(
                self.names,
                self.estimate,
                self.se,
                self.statistic,
                self.pvalue,
                self.ci_low,
                self.ci_high,
                strict=True,
            )
        ]
        qm_df = f"{self.qm_df[0]}" if self.qm_df[1] is None else f"{self.qm_df[0]}, {self.qm_df[1]}"
        notes = [
            f"k = {self.k}; method {self.method}; test {self.test}",
            f"tau^2 (residual) = {self.tau2:.4g}; I^2 (residual) = {self.i2:.1f}%; "
            f"R^2 = {'' if self.r2 is None else f'{self.r2:.1f}%'}",
            f"QE = {self.qe:.4f} (df = {self.qe_df}, p = {self.qe_pvalue:.4g}); "
            f"QM = {self.qm:.4f} (df = {qm_df}, p = {self.qm_pvalue:.4g})",
        ]
        cols = ["term", "estimate", "se", "statistic", "pvalue", "ci_low", "ci_high"]
        return Summary(f"Meta-regression ({self.measure}, {self.method})", cols, rows, notes)

    def __str__(self) -> str:
        return self.summary().as_text()


def r_squared(y: FloatArray, v: FloatArray, X: FloatArray, fit: RmaFit) -> float | None:
    """Pseudo R^2 in percent (module docstring); None for an intercept-only model."""
    k, p = X.shape
    if p == 1:
        return None
    if fit.method == "FE":
        w = 1.0 / v
        tss = weighted_fit(y, X[:, :1], w).rss
        if tss == 0:
            return 0.0
        r2 = 1.0 - fit.qe / tss
        adj = 1.0 - (1.0 - r2) * (k - 1) / (k - p)
        return max(0.0, 100.0 * float(adj))
    base = fit_rma(y, v, None, method=fit.method, test=fit.test, level=fit.level)
    if base.tau2 == 0:
        return 0.0
    return max(0.0, 100.0 * (base.tau2 - fit.tau2) / base.tau2)


def regression_result(
    y: FloatArray, v: FloatArray, design: Design, fit: RmaFit, measure: str
) -> MetaRegressionResult:
    """Wrap a kernel fit with moderators into the public result object."""
    return MetaRegressionResult(
        measure=measure,
        method=fit.method,
        test=fit.test,
        level=fit.level,
        k=fit.k,
        names=design.names,
        estimate=fit.beta,
        se=fit.se,
        statistic=fit.statistic,
        pvalue=fit.pvalue,
        ci_low=fit.ci_low,
        ci_high=fit.ci_high,
        vcov=fit.vcov,
        df=fit.df,
        tau2=fit.tau2,
        se_tau2=fit.se_tau2,
        i2=fit.i2,
        h2=fit.h2,
        r2=r_squared(y, v, design.matrix, fit),
        qe=fit.qe,
        qe_df=fit.qe_df,
        qe_pvalue=fit.qe_pvalue,
        qm=fit.qm,
        qm_df=fit.qm_df,
        qm_pvalue=fit.qm_pvalue,
        log_lik=fit.log_lik,
        design=design,
        fit=fit,
    )
