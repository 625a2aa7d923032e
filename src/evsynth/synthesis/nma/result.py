"""Result objects of frequentist network meta-analysis: frozen, printable, convertible, plottable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from evsynth._core.errors import EvsynthError, choice_error
from evsynth._core.provenance import Manifest
from evsynth._core.summary import Summary
from evsynth.synthesis.nma._dist import two_sided_p, z_quantile
from evsynth.synthesis.nma.graph import FloatArray
from evsynth.synthesis.nma.heterogeneity import DesignDecomposition
from evsynth.synthesis.nma.netsplit import DirectEvidence, Netsplit
from evsynth.synthesis.nma.network import Network
from evsynth.synthesis.nma.ranking import p_scores

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MODELS: tuple[str, ...] = ("common", "random")
RATIO_MEASURES = ("OR", "RR", "HR", "ROM", "IRR")
METHOD_LABELS = {
    "DL": "DerSimonian-Laird (generalised, netmeta)",
    "REML": "REML (contrast-based, rma.mv)",
    "fixed": "fixed by the user",
}


def _z(level: float) -> float:
    return z_quantile(level)


@dataclass(frozen=True, slots=True)
class NmaEstimates:
    """Network estimates of one model (common or random effects) for every pair of treatments.

    ``estimate[i, j]`` is ``treatments[i]`` versus ``treatments[j]`` (netmeta's
    ``TE.common``/``TE.random``); ``se`` its standard error. ``pi_low``/``pi_high`` hold the
    prediction interval of the random-effects model (NaN for the common-effect model), with
    t quantiles on ``pi_df`` degrees of freedom. ``direct`` holds the direct estimates and
    direct-evidence proportions under this model's tau^2; ``adjusted_variance`` the multi-arm
    adjusted contrast variances (netmeta's ``seTE.adj^2``).
    """

    model: str
    treatments: tuple[str, ...]
    level: float
    tau2: float
    estimate: FloatArray
    se: FloatArray
    pi_low: FloatArray
    pi_high: FloatArray
    pi_df: int | None
    direct: DirectEvidence
    adjusted_variance: FloatArray

    def index(self, treatment: str) -> int:
        """Position of a treatment; an unknown name raises a listing error."""
        try:
            return self.treatments.index(treatment)
        except ValueError:
            raise choice_error("treatment", treatment, self.treatments) from None

    @property
    def pvalue(self) -> FloatArray:
        """Two-sided Wald p-values of all pairwise estimates (n x n; NaN on the diagonal)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            p = two_sided_p(self.estimate / self.se)
        np.fill_diagonal(p, np.nan)
        return np.asarray(p, dtype=np.float64)

    def conf_int(self, level: float | None = None) -> tuple[FloatArray, FloatArray]:
        """Wald confidence limits of all pairwise estimates (n x n)."""
        half = _z(self.level if level is None else level) * self.se
        return self.estimate - half, self.estimate + half


@dataclass(frozen=True, slots=True)
class NmaResult:
    """A frequentist network meta-analysis (Rücker's graph-theoretical method, as netmeta).

    Both models are always fitted, as netmeta does: ``common`` (tau^2 = 0) and ``random``
    (``tau2`` by ``method``). Effects are "row treatment versus column treatment" on the
    analysis scale (log scale for ratio measures). Heterogeneity: ``q``/``q_df``/``q_pvalue``
    (generalised Cochran's Q), ``i2`` with ``i2_ci_low``/``i2_ci_high`` (proportions, as
    netmeta), ``q_heterogeneity`` (within designs) plus ``q_inconsistency`` (between designs)
    = ``q``; ``design`` is the full design-by-treatment decomposition and ``netsplit`` the
    node-splitting of every comparison. P-scores need a direction: ``higher_is_better``.
    """

    measure: str
    method: str
    level: float
    reference: str
    treatments: tuple[str, ...]
    studies: tuple[str, ...]
    designs: tuple[str, ...]
    common: NmaEstimates
    random: NmaEstimates
    tau2: float
    se_tau2: float | None
    tau2_iterations: int
    tau2_converged: bool
    log_lik: float | None
    q: float
    q_df: int
    q_pvalue: float
    i2: float
    i2_ci_low: float
    i2_ci_high: float
    q_heterogeneity: float
    q_heterogeneity_df: int
    q_heterogeneity_pvalue: float
    q_inconsistency: float
    q_inconsistency_df: int
    q_inconsistency_pvalue: float
    design: DesignDecomposition
    netsplit: Netsplit
    network: Network
    higher_is_better: bool | None = None
    notes: tuple[str, ...] = ()
    manifest: Manifest | None = None

    @property
    def k(self) -> int:
        """Number of studies."""
        return len(self.studies)

    @property
    def m(self) -> int:
        """Number of pairwise contrasts."""
        return self.network.m

    @property
    def n(self) -> int:
        """Number of treatments."""
        return len(self.treatments)

    @property
    def d(self) -> int:
        """Number of designs."""
        return len(self.designs)

    @property
    def tau(self) -> float:
        return float(np.sqrt(self.tau2))

    def estimates(self, model: str = "random") -> NmaEstimates:
        """The common- or random-effects estimates."""
        if model not in MODELS:
            raise choice_error("model", model, MODELS)
        return self.common if model == "common" else self.random

    def _reference(self, reference: str | None) -> int:
        return self.common.index(self.reference if reference is None else reference)

    def conf_int(
        self, level: float = 0.95, model: str = "random", reference: str | None = None
    ) -> pd.DataFrame:
        """Confidence limits of each treatment versus the reference, indexed by treatment."""
        est = self.estimates(model)
        r = self._reference(reference)
        low, high = est.conf_int(level)
        keep = [i for i in range(self.n) if i != r]
        return pd.DataFrame(
            {"ci_low": low[keep, r], "ci_high": high[keep, r]},
            index=pd.Index([self.treatments[i] for i in keep], name="treatment"),
        )

    def pscores(self, higher_is_better: bool | None = None, model: str = "random") -> pd.Series:
        """P-scores (Rücker & Schwarzer 2015) in the direction given, by treatment.

        ``higher_is_better`` defaults to the one given to the analysis; netmeta's default
        ``small.values = "desirable"`` is ``higher_is_better=False``.
        """
        direction = self.higher_is_better if higher_is_better is None else higher_is_better
        if direction is None:
            raise EvsynthError(
                "P-scores need a direction",
                hint="Say whether higher effects are better: pscores(higher_is_better=True) "
                "for a beneficial outcome, False for an adverse one",
            )
        est = self.estimates(model)
        values = p_scores(est.estimate, est.se, higher_is_better=direction)
        return pd.Series(values, index=pd.Index(self.treatments, name="treatment"), name="pscore")

    def to_frame(
        self, model: str | None = None, *, reference: str | None = None, exponentiate: bool = False
    ) -> pd.DataFrame:
        """One row per treatment (and model) versus the reference, tidy.

        Columns: ``model, treatment, reference, estimate, se, ci_low, ci_high, pvalue,
        pi_low, pi_high`` and ``pscore`` when a direction was given.
        """
        models = MODELS if model is None else (model,)
        r = self._reference(reference)
        keep = [i for i in range(self.n) if i != r]
        frames = []
        for name in models:
            est = self.estimates(name)
            low, high = est.conf_int()
            frame = pd.DataFrame(
                {
                    "model": name,
                    "treatment": [self.treatments[i] for i in keep],
                    "reference": self.treatments[r],
                    "estimate": est.estimate[keep, r],
                    "se": est.se[keep, r],
                    "ci_low": low[keep, r],
                    "ci_high": high[keep, r],
                    "pvalue": est.pvalue[keep, r],
                    "pi_low": est.pi_low[keep, r],
                    "pi_high": est.pi_high[keep, r],
                }
            )
            if self.higher_is_better is not None:
                frame["pscore"] = self.pscores(model=name).to_numpy()[keep]
            frames.append(frame)
        out = pd.concat(frames, ignore_index=True)
        if exponentiate:
            for col in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
                out[col] = np.exp(out[col])
        return out

    def league(
        self,
        model: str = "random",
        *,
        level: float | None = None,
        exponentiate: bool = False,
        wide: bool = False,
        digits: int = 2,
    ) -> pd.DataFrame:
        """League table: every ordered pair of treatments with estimate, se, CI and p-value.

        Long format by default (``treatment``, ``comparator``, ``estimate``, ``se``,
        ``ci_low``, ``ci_high``, ``pvalue``: the first treatment versus the comparator). With
        ``wide=True``: an ``n x n`` table of ``"estimate (ci_low, ci_high)"`` strings, cell
        (row, column) = row treatment versus column treatment, treatment names on the
        diagonal (netmeta's ``netleague()`` shows the same numbers).
        """
        est = self.estimates(model)
        low, high = est.conf_int(level)
        value, lo, hi = est.estimate, low, high
        if exponentiate:
            value, lo, hi = np.exp(value), np.exp(lo), np.exp(hi)
        if wide:
            cells = [
                [
                    self.treatments[i]
                    if i == j
                    else f"{value[i, j]:.{digits}f} ({lo[i, j]:.{digits}f}, {hi[i, j]:.{digits}f})"
                    for j in range(self.n)
                ]
                for i in range(self.n)
            ]
            return pd.DataFrame(
                cells,
                index=pd.Index(self.treatments, name="treatment"),
                columns=pd.Index(self.treatments, name="comparator"),
            )
        i, j = np.nonzero(~np.eye(self.n, dtype=bool))
        return pd.DataFrame(
            {
                "treatment": [self.treatments[a] for a in i],
                "comparator": [self.treatments[b] for b in j],
                "estimate": value[i, j],
                "se": est.se[i, j],
                "ci_low": lo[i, j],
                "ci_high": hi[i, j],
                "pvalue": est.pvalue[i, j],
            }
        )

    def contrasts_frame(self) -> pd.DataFrame:
        """The input contrasts as analysed: oriented, with multi-arm adjusted standard errors."""
        net = self.network
        return pd.DataFrame(
            {
                "studlab": [net.studies[s] for s in net.study],
                "treat1": [net.treatments[t] for t in net.treat1],
                "treat2": [net.treatments[t] for t in net.treat2],
                "TE": net.effect,
                "seTE": np.sqrt(net.variance),
                "seTE_adj_common": np.sqrt(self.common.adjusted_variance),
                "seTE_adj_random": np.sqrt(self.random.adjusted_variance),
                "design": [self.designs[net.design[s]] for s in net.study],
                "row": net.rows,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The headline results as plain Python values (what a ``--json`` output prints)."""
        out: dict[str, Any] = {
            "measure": self.measure,
            "method": self.method,
            "level": self.level,
            "reference": self.reference,
            "k": self.k,
            "m": self.m,
            "n": self.n,
            "d": self.d,
            "treatments": list(self.treatments),
            "tau2": self.tau2,
            "tau": self.tau,
            "q": self.q,
            "q_df": self.q_df,
            "q_pvalue": self.q_pvalue,
            "i2": self.i2,
            "i2_ci": [self.i2_ci_low, self.i2_ci_high],
            "q_heterogeneity": self.q_heterogeneity,
            "q_heterogeneity_df": self.q_heterogeneity_df,
            "q_heterogeneity_pvalue": self.q_heterogeneity_pvalue,
            "q_inconsistency": self.q_inconsistency,
            "q_inconsistency_df": self.q_inconsistency_df,
            "q_inconsistency_pvalue": self.q_inconsistency_pvalue,
            "q_inconsistency_random": self.design.q_between_random,
            "tau2_within": self.design.tau2_within,
            "higher_is_better": self.higher_is_better,
            "estimates": self.to_frame().to_dict(orient="records"),
            "notes": list(self.notes),
        }
        return {key: _plain(value) for key, value in out.items()}

    def summary(self, model: str = "random") -> Summary:
        """A display table of each treatment versus the reference, with heterogeneity notes."""
        frame = self.to_frame(model)
        cols = ["treatment", "estimate", "se", "ci_low", "ci_high", "pvalue"]
        if model == "random":
            cols += ["pi_low", "pi_high"]
        if "pscore" in frame.columns:
            cols.append("pscore")
        rows = [[row[c] for c in cols] for row in frame.to_dict(orient="records")]
        i2 = f"I^2 = {100 * self.i2:.1f}% [{100 * self.i2_ci_low:.1f}%, {100 * self.i2_ci_high:.1f}%]"
        notes = [
            f"k = {self.k} studies, m = {self.m} contrasts, n = {self.n} treatments, "
            f"d = {self.d} designs; reference {self.reference}; level {self.level:.0%}",
            f"tau^2 = {self.tau2:.4g} ({METHOD_LABELS.get(self.method, self.method)}); {i2}",
            f"Q = {self.q:.4f} (df = {self.q_df}, p = {self.q_pvalue:.4g}): within designs "
            f"{self.q_heterogeneity:.4f} (df = {self.q_heterogeneity_df}, p = "
            f"{self.q_heterogeneity_pvalue:.4g}), between designs {self.q_inconsistency:.4f} "
            f"(df = {self.q_inconsistency_df}, p = {self.q_inconsistency_pvalue:.4g})",
            f"Design-by-treatment interaction (random effects, tau^2_within = "
            f"{self.design.tau2_within:.4g}): Q = {self.design.q_between_random:.4f} "
            f"(df = {self.design.df_between}, p = {self.design.pvalue_between_random:.4g})",
        ]
        if self.higher_is_better is None:
            notes.append("P-scores: pass higher_is_better to rank the treatments.")
        else:
            better = "higher" if self.higher_is_better else "lower"
            notes.append(f"P-scores rank {better} effects as better.")
        if self.measure in RATIO_MEASURES:
            notes.append(f"Estimates are log {self.measure}s; exponentiate for ratios.")
        notes.extend(self.notes)
        label = "Random effects" if model == "random" else "Common effect"
        return Summary(f"Network meta-analysis ({self.measure}, {label})", cols, rows, notes)

    def plot(self, ax: Axes | None = None, model: str = "random", **kwargs: Any) -> Figure:
        """Forest plot of each treatment versus the reference; returns the figure."""
        from evsynth.plots import forest_plot

        frame = self.to_frame(model)
        ratio = self.measure in RATIO_MEASURES
        kwargs.setdefault("xlabel", f"{self.measure} vs {self.reference}")
        kwargs.setdefault("null_value", 1.0 if ratio else 0.0)
        if ratio:
            kwargs.setdefault("transform", np.exp)
        return forest_plot(
            frame["treatment"].tolist(),
            frame["estimate"].to_numpy(),
            frame["ci_low"].to_numpy(),
            frame["ci_high"].to_numpy(),
            ax=ax,
            **kwargs,
        )

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _plain(value: Any) -> Any:
    """NumPy scalars to Python, NaN to None, recursively through lists and dicts."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
