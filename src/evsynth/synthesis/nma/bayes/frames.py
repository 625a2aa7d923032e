"""The tidy tables (and the forest plot) every Bayesian NMA result gives, whichever engine
computed it.

The exact engine (:class:`.result.BayesNmaResult`) and the MCMC engine
(:class:`.mcmc_result.McmcNmaResult`) summarise their posteriors in the same
:class:`.result.EffectSummary` matrices (entry ``[k, j]``: treatment k versus j); these
functions turn them into DataFrames with the same columns for both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas import DataFrame

from evsynth._core.errors import EvsynthError
from evsynth.synthesis.nma.bayes.data import pair_index

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FloatArray = npt.NDArray[np.float64]


def quantile_name(prob: float) -> str:
    """Column name of a posterior quantile: 0.025 -> ``q025``, 0.975 -> ``q975``."""
    return f"q{round(prob * 1000):03d}"


def check_level(level: float) -> float:
    """The credible level, checked: strictly between 0 and 1."""
    if not 0 < level < 1:
        raise EvsynthError(f"level={level} must lie between 0 and 1, e.g. 0.95")
    return float(level)


def p_better_than_reference(prob_beats: FloatArray) -> FloatArray:
    """Posterior probability that each treatment beats the reference (NaN for itself)."""
    out = prob_beats[:, 0].copy()
    out[0] = np.nan
    return np.asarray(out, dtype=np.float64)


def effects_frame(
    treatments: Sequence[str], eff: Any, sucra: FloatArray, prob_beats: FloatArray, level: float
) -> DataFrame:
    """One row per treatment versus the reference, with SUCRA and P(better than reference)."""
    tail = (1 - check_level(level)) / 2
    return pd.DataFrame(
        {
            "treatment": list(treatments),
            "mean": eff.mean[:, 0],
            "sd": eff.sd[:, 0],
            "median": eff.median[:, 0],
            quantile_name(tail): eff.q025[:, 0],
            quantile_name(1 - tail): eff.q975[:, 0],
            "sucra": sucra,
            "p_better_than_reference": p_better_than_reference(prob_beats),
        }
    )


def interval_frame(treatments: Sequence[str], eff: Any) -> DataFrame:
    """Central credible interval of each treatment versus the reference."""
    return pd.DataFrame(
        {"ci_low": eff.q025[1:, 0], "ci_high": eff.q975[1:, 0]},
        index=pd.Index(list(treatments[1:]), name="treatment"),
    )


def contrasts_frame(
    treatments: Sequence[str],
    eff: Any,
    prob_beats: FloatArray,
    level: float,
    extra: Callable[[int, int], dict[str, float]] | None = None,
) -> DataFrame:
    """Every pairwise contrast, treatment versus comparator (:math:`d_k - d_j`, j before k).

    ``extra(k, j)`` adds engine-specific columns (the MCMC engine's Monte Carlo SE).
    """
    tail = (1 - check_level(level)) / 2
    rows = []
    for j, k in pair_index(len(treatments)):
        rows.append(
            {
                "treatment": treatments[k],
                "comparator": treatments[j],
                "mean": eff.mean[k, j],
                "sd": eff.sd[k, j],
                "median": eff.median[k, j],
                quantile_name(tail): eff.q025[k, j],
                quantile_name(1 - tail): eff.q975[k, j],
                "p_better": prob_beats[k, j],
                **(extra(k, j) if extra is not None else {}),
            }
        )
    return pd.DataFrame(rows)


def league_frame(
    treatments: Sequence[str], eff: Any, prob_beats: FloatArray, *, wide: bool, digits: int
) -> DataFrame:
    """League table: every ordered pair, row treatment versus column comparator.

    Long format (``treatment, comparator, mean, sd, ci_low, ci_high, p_better``) or, with
    ``wide=True``, an ``n x n`` table of ``"mean (ci_low, ci_high)"`` strings with the
    treatment names on the diagonal (as :meth:`.NmaResult.league`).
    """
    n = len(treatments)
    if wide:
        cells = [
            [
                treatments[i]
                if i == j
                else f"{eff.mean[i, j]:.{digits}f} ({eff.q025[i, j]:.{digits}f}, "
                f"{eff.q975[i, j]:.{digits}f})"
                for j in range(n)
            ]
            for i in range(n)
        ]
        return pd.DataFrame(
            cells,
            index=pd.Index(list(treatments), name="treatment"),
            columns=pd.Index(list(treatments), name="comparator"),
        )
    i, j = np.nonzero(~np.eye(n, dtype=bool))
    return pd.DataFrame(
        {
            "treatment": [treatments[int(a)] for a in i],
            "comparator": [treatments[int(b)] for b in j],
            "mean": eff.mean[i, j],
            "sd": eff.sd[i, j],
            "ci_low": eff.q025[i, j],
            "ci_high": eff.q975[i, j],
            "p_better": prob_beats[i, j],
        }
    )


def versus_reference_plot(
    treatments: Sequence[str],
    eff: Any,
    higher_is_better: bool,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Figure:
    """Forest plot of each treatment versus the reference (median, 95% CrI)."""
    from evsynth.plots import forest_plot

    reference = treatments[0]
    kwargs.setdefault("xlabel", f"Versus {reference}")
    kwargs.setdefault("null_value", 0.0)
    if higher_is_better:
        kwargs.setdefault("favours", (f"Favours {reference}", "Favours treatment"))
    else:
        kwargs.setdefault("favours", ("Favours treatment", f"Favours {reference}"))
    return forest_plot(
        list(treatments[1:]),
        eff.median[1:, 0],
        eff.q025[1:, 0],
        eff.q975[1:, 0],
        ax=ax,
        **kwargs,
    )
