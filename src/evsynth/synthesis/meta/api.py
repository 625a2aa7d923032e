"""Public entry points: meta-analysis and meta-regression from an EffectTable or a DataFrame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from evsynth._core.errors import DataError, EvsynthError, InputLocation, choice_error
from evsynth._core.provenance import make_manifest
from evsynth.synthesis.effects import EffectTable
from evsynth.synthesis.meta._wls import FloatArray
from evsynth.synthesis.meta.binary import mantel_haenszel, peto
from evsynth.synthesis.meta.fit import fit_rma, prediction_interval
from evsynth.synthesis.meta.heterogeneity import q_profile
from evsynth.synthesis.meta.regression import (
    MetaRegressionResult,
    build_design,
    regression_result,
)
from evsynth.synthesis.meta.result import MetaResult
from evsynth.synthesis.meta.tau2 import TAU2_METHODS

PREDICTION_KINDS = ("metafor", "hts")


def _effects_from(
    data: EffectTable | pd.DataFrame,
    *,
    effect: str,
    variance: str,
    se: str | None,
    study: str | None,
    measure: str | None,
) -> tuple[FloatArray, FloatArray, tuple[str, ...], str, tuple[str, ...], bool]:
    if isinstance(data, EffectTable):
        return (
            np.asarray(data.effect, dtype=np.float64),
            np.asarray(data.variance, dtype=np.float64),
            tuple(data.study),
            data.measure,
            tuple(data.notes),
            bool(data.lower_is_better),
        )
    if not isinstance(data, pd.DataFrame):
        raise EvsynthError("data must be an EffectTable or a pandas DataFrame")
    if len(data) == 0:
        raise DataError("the data have no rows", hint="Give at least one study")
    need = [effect, se if se is not None else variance]
    for col in need:
        if col not in data.columns:
            raise DataError(
                f"column '{col}' is missing",
                location=InputLocation(field=col),
                hint=f"Columns present: {', '.join(map(str, data.columns))}",
            )
    y = pd.to_numeric(data[effect], errors="coerce").to_numpy(dtype=np.float64)
    raw_v = pd.to_numeric(data[need[1]], errors="coerce").to_numpy(dtype=np.float64)
    for name, arr in ((effect, y), (need[1], raw_v)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise DataError(
                "value is missing or not a number",
                location=InputLocation(row=int(bad[0]) + 1, field=name),
            )
    bad = np.flatnonzero(raw_v <= 0)
    if bad.size:
        raise DataError(
            f"{'standard error' if se else 'variance'} must be positive",
            location=InputLocation(row=int(bad[0]) + 1, field=need[1]),
        )
    v = raw_v**2 if se is not None else raw_v
    labels = (
        tuple(str(s) for s in data[study])
        if study is not None and study in data.columns
        else tuple(f"Study {i + 1}" for i in range(len(data)))
    )
    return y, v, labels, measure or "GEN", (), False


def meta_analysis(
    data: EffectTable | pd.DataFrame,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    prediction: str = "metafor",
    effect: str = "effect",
    variance: str = "variance",
    se: str | None = None,
    study: str | None = "study",
    measure: str | None = None,
) -> MetaResult:
    """Pool study effects by inverse variance, common effect or random effects.

    Parameters
    ----------
    data : EffectTable or DataFrame
        Output of :func:`evsynth.effect_sizes`, or a frame with effect and variance (or SE)
        columns.
    method : {"REML", "FE", "DL", "HE", "HS", "SJ", "ML", "EB", "PM"}
        tau^2 estimator (papers in :mod:`evsynth.synthesis.meta.tau2`); "FE" is the
        common-effect model. REML is the default, as in metafor.
    test : {"z", "knha"}
        Wald z, or Knapp & Hartung (2003) t with k - 1 df.
    level : float
        Confidence level; 0.95 by default.
    prediction : {"metafor", "hts"}
        Which prediction interval ``pi_low``/``pi_high`` reports: metafor's (critical value of
        the test: z, or t(k-1) with knha; the default, so numbers match metafor) or Higgins,
        Thompson & Spiegelhalter (2009) with t(k-2). Both are always stored.
    """
    if prediction not in PREDICTION_KINDS:
        raise choice_error("prediction", prediction, PREDICTION_KINDS)
    y, v, labels, meas, notes, lower_better = _effects_from(
        data, effect=effect, variance=variance, se=se, study=study, measure=measure
    )
    fit = fit_rma(y, v, method=method, test=test, level=level)
    x1 = np.ones(1)
    _, _, pi_lo, pi_hi = prediction_interval(fit, x1, kind="metafor")
    _, _, hts_lo, hts_hi = prediction_interval(fit, x1, kind="hts")
    if method == "FE":
        pi_lo, pi_hi = float(fit.ci_low[0]), float(fit.ci_high[0])
    het = None
    if method != "FE" and fit.k > 1:
        het = q_profile(
            y,
            v,
            np.ones((fit.k, 1)),
            tau2=fit.tau2,
            typical_variance=fit.typical_variance,
            level=level,
        )
    chosen = (pi_lo, pi_hi) if prediction == "metafor" else (hts_lo, hts_hi)
    fit_notes = list(notes)
    if not fit.converged:
        fit_notes.append(f"The {method} estimator did not converge in {fit.iterations} iterations.")
    return MetaResult(
        measure=meas,
        method=method,
        test=test,
        level=level,
        k=fit.k,
        estimate=float(fit.beta[0]),
        se=float(fit.se[0]),
        statistic=float(fit.statistic[0]),
        pvalue=float(fit.pvalue[0]),
        ci_low=float(fit.ci_low[0]),
        ci_high=float(fit.ci_high[0]),
        df=fit.df,
        tau2=fit.tau2,
        se_tau2=fit.se_tau2,
        i2=fit.i2,
        h2=fit.h2,
        q=fit.qe,
        q_df=fit.qe_df,
        q_pvalue=fit.qe_pvalue,
        pi_low=chosen[0],
        pi_high=chosen[1],
        pi_hts_low=hts_lo,
        pi_hts_high=hts_hi,
        prediction=prediction,
        heterogeneity_ci=het,
        log_lik=fit.log_lik,
        study=labels,
        effect=y,
        variance=v,
        weights=fit.weights,
        notes=tuple(fit_notes),
        manifest=make_manifest(
            "evsynth.meta_analysis",
            {"method": method, "test": test, "level": level, "prediction": prediction},
            inputs=np.concatenate([y, v]).tobytes(),
        ),
        lower_is_better=lower_better,
    )


_COUNT_COLUMNS = {"a": "ai", "b": "bi", "c": "ci", "d": "di", "n1": "n1i", "n2": "n2i"}


def _counts(data: pd.DataFrame) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    cols = set(data.columns)
    if {"ai", "bi", "ci", "di"} <= cols:
        a, b, c, d = (data[x] for x in ("ai", "bi", "ci", "di"))
    elif {"ai", "n1i", "ci", "n2i"} <= cols:
        a, c = data["ai"], data["ci"]
        b, d = data["n1i"] - a, data["n2i"] - c
    else:
        raise DataError(
            "binary data need columns ai,bi,ci,di or ai,n1i,ci,n2i",
            hint=f"Columns present: {', '.join(map(str, data.columns))}",
        )
    return tuple(np.asarray(x, dtype=np.float64) for x in (a, b, c, d))  # type: ignore[return-value]


def meta_analysis_binary(
    data: pd.DataFrame,
    *,
    measure: str = "OR",
    method: str = "MH",
    level: float = 0.95,
    study: str | None = "study",
) -> MetaResult:
    """Common-effect pooling of 2x2 tables by Mantel-Haenszel (OR, RR, RD) or Peto (OR).

    Columns use metafor's names: ``ai, bi, ci, di`` or ``ai, n1i, ci, n2i``. See
    :mod:`evsynth.synthesis.meta.binary` for formulas and papers.
    """
    from evsynth.synthesis.effects import effect_sizes

    if method not in ("MH", "PETO"):
        raise choice_error("method", method, ("MH", "PETO"))
    a, b, c, d = _counts(data)
    pooled = mantel_haenszel(a, b, c, d, measure=measure) if method == "MH" else peto(a, b, c, d)
    table = effect_sizes(data, "OR" if method == "PETO" else measure, study=study)
    from scipy import stats

    crit = float(stats.norm.ppf(0.5 + level / 2))
    z = pooled.estimate / pooled.se
    w = 1.0 / np.asarray(table.variance)
    return MetaResult(
        measure="OR" if method == "PETO" else measure,
        method=method,
        test="z",
        level=level,
        k=len(a),
        estimate=pooled.estimate,
        se=pooled.se,
        statistic=z,
        pvalue=float(2 * stats.norm.sf(abs(z))),
        ci_low=pooled.estimate - crit * pooled.se,
        ci_high=pooled.estimate + crit * pooled.se,
        df=None,
        tau2=0.0,
        se_tau2=None,
        i2=pooled.i2,
        h2=pooled.h2,
        q=pooled.q,
        q_df=pooled.q_df,
        q_pvalue=pooled.q_pvalue,
        pi_low=pooled.estimate - crit * pooled.se,
        pi_high=pooled.estimate + crit * pooled.se,
        pi_hts_low=float("nan"),
        pi_hts_high=float("nan"),
        prediction="metafor",
        heterogeneity_ci=None,
        log_lik=float("nan"),
        study=tuple(table.study),
        effect=np.asarray(table.effect, dtype=np.float64),
        variance=np.asarray(table.variance, dtype=np.float64),
        weights=w,
        notes=tuple(table.notes),
        manifest=make_manifest(
            "evsynth.meta_analysis_binary", {"method": method, "measure": measure, "level": level}
        ),
    )


def meta_regression(
    data: pd.DataFrame,
    moderators: Sequence[str],
    *,
    categorical: Sequence[str] = (),
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    effect: str = "effect",
    variance: str = "variance",
    se: str | None = None,
    measure: str | None = None,
) -> MetaRegressionResult:
    """Mixed-effects meta-regression of effects on moderators (metafor ``rma(yi, vi, mods=)``).

    Parameters
    ----------
    data : DataFrame
        One row per study with effect, variance (or SE) and moderator columns. An
        EffectTable's ``to_frame()`` joined with study characteristics works directly.
    moderators : sequence of str
        Moderator columns; text columns and those listed in ``categorical`` are dummy-coded
        against their first level in sorted order.
    method, test, level
        As :func:`meta_analysis`; with ``test="knha"`` the QM test is F(m, k - p).
    """
    if method not in TAU2_METHODS:
        raise choice_error("method", method, TAU2_METHODS)
    y, v, _, meas, _, _ = _effects_from(
        data, effect=effect, variance=variance, se=se, study=None, measure=measure
    )
    design = build_design(data.reset_index(drop=True), moderators, categorical)
    fit = fit_rma(y, v, design.matrix, method=method, test=test, level=level)
    return regression_result(y, v, design, fit, meas)


def describe(result: MetaResult) -> dict[str, Any]:
    """The CLI's JSON object: pooled results plus each study's effect and variance."""
    out = result.to_dict()
    out["studies"] = [
        {"study": s, "effect": float(e), "variance": float(v), "weight": float(w)}
        for s, e, v, w in zip(
            result.study, result.effect, result.variance, result.weights_percent, strict=True
        )
    ]
    return out
