"""Result objects of pairwise meta-analysis: frozen, printable, convertible, plottable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from evsynth._core.provenance import Manifest
from evsynth._core.summary import Summary
from evsynth.synthesis.meta._wls import FloatArray
from evsynth.synthesis.meta.heterogeneity import HeterogeneityInterval

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

METHOD_LABELS = {
    "FE": "Common effect (inverse variance)",
    "DL": "Random effects (DerSimonian-Laird)",
    "HE": "Random effects (Hedges)",
    "HS": "Random effects (Hunter-Schmidt)",
    "SJ": "Random effects (Sidik-Jonkman)",
    "ML": "Random effects (maximum likelihood)",
    "REML": "Random effects (REML)",
    "EB": "Random effects (empirical Bayes)",
    "PM": "Random effects (Paule-Mandel)",
    "MH": "Common effect (Mantel-Haenszel)",
    "PETO": "Common effect (Peto)",
}

RATIO_MEASURES = ("OR", "RR", "HR", "ROM", "PETO")


@dataclass(frozen=True, slots=True)
class MetaResult:
    """A pairwise meta-analysis: pooled estimate, heterogeneity, prediction interval, studies.

    Field names follow evsynth's vocabulary (``estimate, se, ci_low, ci_high, pvalue, tau2, i2,
    h2, q``). Ratio measures are on the log scale; ``to_frame(exponentiate=True)`` back-transforms.

    Notes
    -----
    ``i2`` is metafor's definition, :math:`100\\,\\hat\\tau^2/(\\hat\\tau^2 + \\tilde v)` with the typical
    within-study variance :math:`\\tilde v`; it equals the Q-based :math:`(Q - (k-1))/Q` only for
    DL. For the common-effect fit, the Q-based value is reported. ``pi_low``/``pi_high`` is
    the prediction interval chosen by ``prediction`` (default "metafor": z, or t(k-1) with
    knha); ``pi_hts_low``/``pi_hts_high`` always holds the Higgins-Thompson-Spiegelhalter
    interval with t(k-2).
    """

    measure: str
    method: str
    test: str
    level: float
    k: int
    estimate: float
    se: float
    statistic: float
    pvalue: float
    ci_low: float
    ci_high: float
    df: int | None
    tau2: float
    se_tau2: float | None
    i2: float
    h2: float
    q: float
    q_df: int
    q_pvalue: float
    pi_low: float
    pi_high: float
    pi_hts_low: float
    pi_hts_high: float
    prediction: str
    heterogeneity_ci: HeterogeneityInterval | None
    log_lik: float
    study: tuple[str, ...]
    effect: FloatArray
    variance: FloatArray
    weights: FloatArray
    notes: tuple[str, ...] = ()
    manifest: Manifest | None = None
    lower_is_better: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tau(self) -> float:
        return float(np.sqrt(self.tau2))

    @property
    def weights_percent(self) -> FloatArray:
        return np.asarray(100.0 * self.weights / self.weights.sum(), dtype=np.float64)

    def _crit(self, level: float) -> float:
        if self.df is None:
            return float(stats.norm.ppf(0.5 + level / 2))
        return float(stats.t.ppf(0.5 + level / 2, self.df))

    def conf_int(self, level: float = 0.95) -> tuple[float, float]:
        """Confidence interval of the pooled estimate at ``level``."""
        half = self._crit(level) * self.se
        return self.estimate - half, self.estimate + half

    def to_dict(self) -> dict[str, Any]:
        """The pooled results as plain Python values (what ``--json`` prints)."""
        het = self.heterogeneity_ci
        out: dict[str, Any] = {
            "measure": self.measure,
            "method": self.method,
            "test": self.test,
            "level": self.level,
            "k": self.k,
            "estimate": self.estimate,
            "se": self.se,
            "statistic": self.statistic,
            "pvalue": self.pvalue,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "df": self.df,
            "tau2": self.tau2,
            "se_tau2": self.se_tau2,
            "tau": self.tau,
            "i2": self.i2,
            "h2": self.h2,
            "q": self.q,
            "q_df": self.q_df,
            "q_pvalue": self.q_pvalue,
            "pi_low": self.pi_low,
            "pi_high": self.pi_high,
            "prediction": self.prediction,
            "pi_hts_low": self.pi_hts_low,
            "pi_hts_high": self.pi_hts_high,
            "log_lik": self.log_lik,
            "notes": list(self.notes),
        }
        if het is not None:
            out["tau2_ci"] = [het.tau2[1], het.tau2[2]]
            out["i2_ci"] = [het.i2[1], het.i2[2]]
            out["h2_ci"] = [het.h2[1], het.h2[2]]
        return {k: _plain(v) for k, v in out.items()}

    def to_frame(self, *, exponentiate: bool = False) -> pd.DataFrame:
        """One tidy row with the pooled results."""
        row = self.to_dict()
        row.pop("notes")
        for key in ("tau2_ci", "i2_ci", "h2_ci"):
            if key in row:
                low, high = row.pop(key)
                row[key.replace("_ci", "_ci_low")] = low
                row[key.replace("_ci", "_ci_high")] = high
        frame = pd.DataFrame([row])
        if exponentiate:
            for col in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
                frame[col] = np.exp(frame[col])
        return frame

    def studies_frame(self) -> pd.DataFrame:
        """Per-study effects, variances, CIs and weights (percent)."""
        se = np.sqrt(self.variance)
        crit = float(stats.norm.ppf(0.5 + self.level / 2))
        return pd.DataFrame(
            {
                "study": list(self.study),
                "effect": self.effect,
                "variance": self.variance,
                "se": se,
                "ci_low": self.effect - crit * se,
                "ci_high": self.effect + crit * se,
                "weight": self.weights_percent,
            }
        )

    def summary(self) -> Summary:
        """A display table of the pooled estimate and heterogeneity."""
        label = METHOD_LABELS.get(self.method, self.method)
        cols = ["", "estimate", "se", "ci_low", "ci_high", "pvalue"]
        rows: list[list[object]] = [
            [label, self.estimate, self.se, self.ci_low, self.ci_high, self.pvalue],
        ]
        if self.method not in ("FE", "MH", "PETO"):
            rows.append(["Prediction interval", None, None, self.pi_low, self.pi_high, None])
        notes = [
            f"k = {self.k}; measure {self.measure}; test {self.test}; level {self.level:.0%}",
            f"Q = {self.q:.4f} (df = {self.q_df}, p = {self.q_pvalue:.4g}); "
            f"tau^2 = {self.tau2:.4g}; I^2 = {self.i2:.1f}%; H^2 = {self.h2:.3f}",
        ]
        if self.heterogeneity_ci is not None:
            h = self.heterogeneity_ci
            notes.append(
                f"Q-profile {h.level:.0%} CI: tau^2 [{h.tau2[1]:.4g}, {h.tau2[2]:.4g}]"
                f"{' (upper bound beyond search limit)' if h.high_truncated else ''}; "
                f"I^2 [{h.i2[1]:.1f}%, {h.i2[2]:.1f}%]"
            )
        if self.measure in RATIO_MEASURES:
            notes.append(f"Estimates are log {self.measure}s; exponentiate for ratios.")
        notes.extend(self.notes)
        return Summary(f"Meta-analysis ({self.measure}, {self.method})", cols, rows, notes)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Figure:
        """Forest plot of the studies and the pooled estimate; returns the figure."""
        from evsynth.plots import forest_plot

        sf = self.studies_frame()
        pooled = [
            {
                "label": METHOD_LABELS.get(self.method, self.method),
                "estimate": self.estimate,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
            }
        ]
        prediction = None
        if self.method not in ("FE", "MH", "PETO") and np.isfinite(self.pi_low):
            prediction = (self.pi_low, self.pi_high)
        ratio = self.measure in RATIO_MEASURES
        kwargs.setdefault("xlabel", self.measure + (" (log scale)" if ratio else ""))
        kwargs.setdefault("null_value", 1.0 if ratio else 0.0)
        if ratio:
            kwargs.setdefault("transform", np.exp)
        return forest_plot(
            sf["study"].tolist(),
            sf["effect"].to_numpy(),
            sf["ci_low"].to_numpy(),
            sf["ci_high"].to_numpy(),
            weights=sf["weight"].to_numpy(),
            pooled=pooled,
            prediction=prediction,
            ax=ax,
            **kwargs,
        )

    def funnel(self, ax: Axes | None = None, **kwargs: Any) -> Figure:
        """Funnel plot (effect against standard error); returns the figure."""
        from evsynth.plots import funnel_plot

        return funnel_plot(
            self.effect, np.sqrt(self.variance), estimate=self.estimate, ax=ax, **kwargs
        )

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _plain(value: Any) -> Any:
    """Turn NumPy scalars and NaN into JSON-friendly Python values (NaN becomes None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
