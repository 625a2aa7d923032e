"""The result of the effect-size step: one effect and one sampling variance per study."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from evsynth._core.errors import EvsynthError
from evsynth._core.summary import Summary

FloatArray = npt.NDArray[np.float64]

MEASURE_LABELS: dict[str, str] = {
    "SMD": "standardised mean difference (Hedges' g)",
    "MD": "mean difference",
    "OR": "log odds ratio",
    "RR": "log risk ratio",
    "RD": "risk difference",
    "GEN": "generic effect",
}


def _frozen_array(values: npt.ArrayLike) -> FloatArray:
    array = np.array(values, dtype=np.float64, copy=True).reshape(-1)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, slots=True)
class EffectTable:
    """Effect sizes and sampling variances of the studies that enter a meta-analysis.

    Made by :func:`~evsynth.synthesis.effects.effect_sizes`; read by the meta-analysis
    layer. Ratio measures (OR, RR) are on the log scale. Arrays are float64 copies, read-only.

    Attributes
    ----------
    measure : str
        Effect measure code, as metafor: ``"SMD"``, ``"MD"``, ``"OR"``, ``"RR"``, ``"RD"`` or
        ``"GEN"``.
    study : tuple of str
        Study labels of the included studies, in input order.
    effect : numpy.ndarray
        Effect sizes (log scale for OR and RR), aligned with ``study``; sign already flipped
        when ``lower_is_better`` is True.
    variance : numpy.ndarray
        Sampling variances, aligned with ``study``.
    dropped : tuple of str
        Labels of the studies left out (e.g. double-zero tables); ``notes`` says why.
    notes : tuple of str
        Human-readable notes: studies left out and why, zero-cell corrections, direction.
    vtype : str
        Variance estimator code, as metafor (``"LS"``, ``"UB"``, ``"HO"``).
    lower_is_better : bool
        Whether effects were multiplied by -1 so that positive values favour the treatment.
    rows : tuple of int
        1-based data row of each included study in the input (empty when not known).
    index : tuple
        The caller's DataFrame index label of each included study (empty when not known);
        :meth:`to_frame` keeps it.
    """

    measure: str
    study: tuple[str, ...]
    effect: FloatArray
    variance: FloatArray
    dropped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    vtype: str = "LS"
    lower_is_better: bool = False
    rows: tuple[int, ...] = ()
    index: tuple[Hashable, ...] = ()

    def __post_init__(self) -> None:
        effect = _frozen_array(self.effect)
        variance = _frozen_array(self.variance)
        k = len(self.study)
        if effect.shape != (k,) or variance.shape != (k,):
            raise EvsynthError(
                f"EffectTable needs one effect and one variance per study; got {k} studies, "
                f"{effect.size} effects and {variance.size} variances"
            )
        for name, extra in (("rows", self.rows), ("index", self.index)):
            if extra and len(extra) != k:
                raise EvsynthError(f"EffectTable.{name} has {len(extra)} entries for {k} studies")
        object.__setattr__(self, "study", tuple(str(s) for s in self.study))
        object.__setattr__(self, "effect", effect)
        object.__setattr__(self, "variance", variance)
        object.__setattr__(self, "dropped", tuple(self.dropped))
        object.__setattr__(self, "notes", tuple(self.notes))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EffectTable):
            return NotImplemented
        return (
            self.measure == other.measure
            and self.study == other.study
            and np.array_equal(self.effect, other.effect, equal_nan=True)
            and np.array_equal(self.variance, other.variance, equal_nan=True)
            and self.dropped == other.dropped
            and self.notes == other.notes
            and self.vtype == other.vtype
            and self.lower_is_better == other.lower_is_better
            and self.rows == other.rows
            and self.index == other.index
        )

    def __len__(self) -> int:
        return len(self.study)

    @property
    def k(self) -> int:
        """Number of included studies."""
        return len(self.study)

    @property
    def se(self) -> FloatArray:
        """Standard errors, the square roots of ``variance``."""
        return np.sqrt(self.variance)

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Wald confidence intervals of each study's effect, ``effect -/+ z * se``.

        Parameters
        ----------
        level : float, optional
            Confidence level, strictly between 0 and 1.

        Returns
        -------
        pandas.DataFrame
            Columns ``ci_low`` and ``ci_high``, indexed by study label (on the log scale for
            OR and RR).
        """
        if not 0.0 < level < 1.0:
            raise EvsynthError(
                f"level={level!r} must lie strictly between 0 and 1",
                hint="For a 95% interval use 0.95",
            )
        z = float(stats.norm.ppf(0.5 + level / 2.0))
        half = z * self.se
        return pd.DataFrame(
            {"ci_low": self.effect - half, "ci_high": self.effect + half},
            index=pd.Index(self.study, name="study"),
        )

    def to_frame(self, level: float = 0.95) -> pd.DataFrame:
        """Tidy table: ``study, effect, variance, se, ci_low, ci_high``, one row per study.

        The index is the caller's DataFrame index when known, else 0, 1, 2, ...
        """
        ci = self.conf_int(level)
        index = pd.Index(list(self.index)) if self.index else pd.RangeIndex(self.k)
        return pd.DataFrame(
            {
                "study": list(self.study),
                "effect": self.effect,
                "variance": self.variance,
                "se": self.se,
                "ci_low": ci["ci_low"].to_numpy(),
                "ci_high": ci["ci_high"].to_numpy(),
            },
            index=index,
        )

    def summary(self, level: float = 0.95) -> Summary:
        """A display table of the effects with their intervals and the notes."""
        ci = self.conf_int(level)
        label = MEASURE_LABELS.get(self.measure, self.measure)
        columns = zip(
            self.study,
            self.effect.tolist(),
            self.se.tolist(),
            ci["ci_low"].to_numpy().tolist(),
            ci["ci_high"].to_numpy().tolist(),
            strict=True,
        )
        rows = [list(row) for row in columns]
        notes = list(self.notes)
        if self.dropped:
            notes.append(f"Left out: {', '.join(self.dropped)}.")
        return Summary(
            title=f"Effect sizes: {label}, k = {self.k}",
            columns=["study", "effect", "se", "ci_low", "ci_high"],
            rows=rows,
            notes=tuple(notes),
        )
