"""Stopping guidance for prioritised screening: reported to the reviewer, never applied.

Three pieces of evidence, each with its assumption stated:

* records screened since the last include (a heuristic many teams use; e.g. the SAFE procedure
  of Boetje & van de Schoot 2024 asks for at least 50 in a row before switching models);
* an estimate of the recall reached, with a 95% interval;
* the statistical stopping rule of Callaghan & Müller-Hansen (2020): a hypergeometric test of
  the hypothesis that the recall target has *not* been reached.

References
----------
Callaghan, M. W., & Müller-Hansen, F. (2020). Statistical stopping criteria for automated
screening in systematic reviews. Systematic Reviews, 9, 273. doi:10.1186/s13643-020-01521-4

Boetje, J., & van de Schoot, R. (2024). The SAFE procedure: a practical stopping heuristic for
active learning-based screening in systematic reviews and meta-analyses. Systematic Reviews,
13, 81. doi:10.1186/s13643-024-02502-7

Clopper, C. J., & Pearson, E. S. (1934). The use of confidence or fiducial limits illustrated
in the case of the binomial. Biometrika, 26(4), 404-413. doi:10.1093/biomet/26.4.404
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import EvsynthError
from evsynth._core.summary import Summary


def _screened(labels: ArrayLike) -> NDArray[np.int64]:
    out = np.asarray(labels)
    if out.ndim != 1:
        raise EvsynthError("screened labels must be a one-dimensional sequence of 0 and 1")
    if out.size and not np.isin(out, (0, 1)).all():
        raise EvsynthError("screened labels must be 0 (exclude) or 1 (include)")
    return out.astype(np.int64)


def since_last_include(screened_labels: ArrayLike) -> int:
    """Records screened after the last include (all of them when none was included).

    Examples
    --------
    >>> since_last_include([0, 1, 0, 0, 1, 0, 0, 0])
    3
    """
    labels = _screened(screened_labels)
    hits = np.flatnonzero(labels == 1)
    return int(labels.size if hits.size == 0 else labels.size - 1 - hits[-1])


def hypergeometric_stopping_pvalue(
    screened_labels: ArrayLike, n_records: int, target_recall: float = 0.95
) -> float:
    """p-value of "recall is below ``target_recall``" (Callaghan & Müller-Hansen 2020).

    Treat the last ``n`` records screened as if drawn at random, without replacement, from an
    urn made of themselves and the ``U`` records not yet screened (the urn has
    :math:`N_n = n + U` records). If the recall were below the target :math:`\\tau`, the number
    of includes in the whole set would be at least :math:`\\lfloor r/\\tau \\rfloor + 1`, with
    :math:`r` the includes found so far, so the urn would hold at least

    .. math::

        K_n = \\left\\lfloor \\frac{r}{\\tau} - (r - k_n) + 1 \\right\\rfloor

    includes, where :math:`k_n` is the number among the last ``n``. The p-value for that urn is
    the chance of drawing :math:`k_n` or fewer includes in ``n`` draws,
    :math:`P(X \\le k_n)` for :math:`X \\sim \\mathrm{Hypergeometric}(N_n, K_n, n)`, and the
    test reports the smallest over :math:`n = 1, \\dots,` (records screened), as the paper
    does. An urn that cannot hold :math:`K_n` includes gives 0.

    The assumption is the paper's: records screened in prioritised order are at least as
    likely to be includes as the ones left, so treating them as a random sample is
    conservative. ``p < alpha`` means the hypothesis of a missed target is rejected.

    Parameters
    ----------
    screened_labels : array of {0, 1}
        Decisions in the order records were screened (1 include).
    n_records : int
        All records to screen, screened or not.
    target_recall : float, optional
        The recall target :math:`\\tau` in (0, 1).

    Returns
    -------
    float
        The p-value; 1.0 when nothing has been screened or nothing included yet.
    """
    from scipy.stats import hypergeom

    labels = _screened(screened_labels)
    n_seen = labels.size
    if not 0.0 < target_recall < 1.0:
        raise EvsynthError(f"target_recall={target_recall!r} must lie strictly between 0 and 1")
    if n_records < n_seen:
        raise EvsynthError(f"n_records={n_records} is smaller than the {n_seen} records screened")
    r_seen = int(labels.sum())
    if n_seen == 0 or r_seen == 0:
        return 1.0
    k = np.cumsum(labels[::-1])  # includes among the last n, n = 1..n_seen
    n = np.arange(1, n_seen + 1)
    urn = n_records - n_seen + n
    k_min = np.floor(r_seen / target_recall - (r_seen - k) + 1).astype(np.int64)
    possible = k_min <= urn
    p = np.zeros(n_seen)
    p[possible] = hypergeom.cdf(k[possible], urn[possible], k_min[possible], n[possible])
    return float(min(1.0, p.min()))


def recall_estimate(
    screened_labels: ArrayLike, n_records: int, window: int | None = None, level: float = 0.95
) -> tuple[float, float, float, int]:
    """Estimated recall with an interval, from the rate of includes in the last ``window``.

    Records not yet screened are assumed to be no richer in includes than the last ``window``
    screened (prioritised order puts likely includes first). With :math:`r` includes found,
    :math:`U` records left and :math:`x` includes among the last :math:`w`, the rate is
    estimated by the Jeffreys posterior mean :math:`\\hat p = (x + 1/2)/(w + 1)` (never 0, so
    the estimate never claims full recall while records are left) with the Clopper-Pearson
    interval :math:`[p_L, p_U]`, and

    .. math::

        \\widehat{\\text{recall}} = \\frac{r}{r + \\hat p U}, \\qquad
        \\left[\\frac{r}{r + p_U U},\\; \\frac{r}{r + p_L U}\\right]

    Parameters
    ----------
    window : int, optional
        Records in the window; by default the larger of 50 and 10% of those screened.

    Returns
    -------
    (estimate, ci_low, ci_high, window)
        NaN when nothing has been screened or included.
    """
    from scipy.stats import beta

    labels = _screened(screened_labels)
    n_seen = labels.size
    r_seen = int(labels.sum())
    if n_seen == 0 or r_seen == 0:
        return (math.nan, math.nan, math.nan, 0)
    w = window if window is not None else max(50, math.ceil(0.1 * n_seen))
    w = int(min(max(1, w), n_seen))
    x = int(labels[-w:].sum())
    left = n_records - n_seen
    alpha = 1.0 - level
    p_low = 0.0 if x == 0 else float(beta.ppf(alpha / 2, x, w - x + 1))
    p_high = 1.0 if x == w else float(beta.ppf(1 - alpha / 2, x + 1, w - x))
    p = (x + 0.5) / (w + 1)
    return (
        r_seen / (r_seen + p * left),
        r_seen / (r_seen + p_high * left),
        r_seen / (r_seen + p_low * left),
        w,
    )


@dataclass(frozen=True, slots=True)
class StoppingGuidance:
    """Where screening stands and whether the evidence supports stopping; nothing is applied.

    Attributes
    ----------
    n_records, n_screened, n_included : int
        Records to screen, screened so far, includes among them.
    since_last_include : int
        Records screened after the last include.
    estimate, ci_low, ci_high : float
        Estimated recall and its interval (:func:`recall_estimate`).
    level : float
        Confidence level of the interval.
    window : int
        Records whose include rate the estimate uses.
    target_recall, alpha : float
        Recall target and significance level of the stopping test.
    pvalue : float
        Callaghan & Müller-Hansen's p-value (:func:`hypergeometric_stopping_pvalue`).
    """

    n_records: int
    n_screened: int
    n_included: int
    since_last_include: int
    estimate: float
    ci_low: float
    ci_high: float
    level: float
    window: int
    target_recall: float
    alpha: float
    pvalue: float

    @property
    def rule_met(self) -> bool:
        """Whether the stopping test rejects "recall below target" at ``alpha``."""
        return self.pvalue < self.alpha

    def conf_int(self, level: float = 0.95) -> tuple[float, float]:
        """The recall interval (computed at :attr:`level`; another level needs a new call)."""
        if not math.isclose(level, self.level):
            raise EvsynthError(
                f"the interval was computed at level {self.level}",
                hint="call stopping_guidance(..., level=...) for another level",
            )
        return (self.ci_low, self.ci_high)

    def message(self) -> str:
        """One sentence for a reviewer."""
        verdict = (
            f"the stopping rule is met: recall below {self.target_recall:.0%} is rejected "
            f"(p = {self.pvalue:.3g} < {self.alpha})"
            if self.rule_met
            else f"the stopping rule is not met (p = {self.pvalue:.3g}, needs < {self.alpha})"
        )
        return (
            f"{self.n_screened} of {self.n_records} screened, {self.n_included} included, "
            f"{self.since_last_include} since the last include; {verdict}. "
            "Stopping is the review team's decision."
        )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["rule_met"] = self.rule_met
        out["rule"] = "Callaghan & Müller-Hansen 2020 (doi:10.1186/s13643-020-01521-4)"
        return out

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.to_dict()])

    def summary(self) -> Summary:
        rows = [
            ("records screened", f"{self.n_screened} of {self.n_records}"),
            ("includes found", self.n_included),
            ("screened since the last include", self.since_last_include),
            (
                f"estimated recall ({self.level:.0%} interval)",
                f"{self.estimate:.3f} ({self.ci_low:.3f} to {self.ci_high:.3f})"
                if not math.isnan(self.estimate)
                else "not yet estimable",
            ),
            (f"p-value, recall < {self.target_recall:.0%}", self.pvalue),
            ("stopping rule met", "yes" if self.rule_met else "no"),
        ]
        return Summary(
            title="Stopping guidance (reported, not applied)",
            columns=("quantity", "value"),
            rows=rows,
            notes=(
                "Recall estimate: includes left assumed no more frequent than in the last "
                f"{self.window} screened (Clopper-Pearson interval).",
                "Stopping rule: Callaghan & Müller-Hansen 2020, hypergeometric test at "
                f"alpha = {self.alpha}.",
            ),
        )


def stopping_guidance(
    screened_labels: ArrayLike,
    n_records: int,
    *,
    target_recall: float = 0.95,
    alpha: float = 0.05,
    level: float = 0.95,
    window: int | None = None,
) -> StoppingGuidance:
    """Stopping guidance from the decisions so far, in the order they were made.

    Parameters
    ----------
    screened_labels : array of {0, 1}
        Title/abstract decisions in screening order (1 include or maybe, 0 exclude).
    n_records : int
        Records to screen in all.
    target_recall : float, optional
        Recall target of the stopping test (0.95 by default, the paper's main setting).
    alpha : float, optional
        Significance level of the stopping test (0.05).
    level : float, optional
        Confidence level of the recall interval (0.95).
    window : int, optional
        See :func:`recall_estimate`.

    Examples
    --------
    >>> g = stopping_guidance([1, 1, 0, 1] + [0] * 96, n_records=120)
    >>> g.since_last_include, g.rule_met
    (96, False)
    """
    labels = _screened(screened_labels)
    if not 0.0 < alpha < 1.0:
        raise EvsynthError(f"alpha={alpha!r} must lie strictly between 0 and 1")
    estimate, low, high, w = recall_estimate(labels, n_records, window, level)
    return StoppingGuidance(
        n_records=int(n_records),
        n_screened=int(labels.size),
        n_included=int(labels.sum()),
        since_last_include=since_last_include(labels),
        estimate=estimate,
        ci_low=low,
        ci_high=high,
        level=level,
        window=w,
        target_recall=target_recall,
        alpha=alpha,
        pvalue=hypergeometric_stopping_pvalue(labels, n_records, target_recall),
    )
