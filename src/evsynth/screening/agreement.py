"""Agreement between two screeners: Cohen's kappa with its large-sample standard error.

:func:`cohen_kappa` pairs two reviewers' decisions on the records both screened and returns a
:class:`KappaResult`. The standard error is the large-sample (asymptotic, non-null) one of
Fleiss, Cohen & Everitt (1969), which corrected Cohen's (1960) approximation; it is what SAS
PROC FREQ (``ASE``), R's ``vcd::Kappa`` and ``psych::cohen.kappa``, and Fleiss, Levin & Paik
(2003, chapter 18) report. The confidence interval is the Wald interval built from it.

References
----------
Cohen J (1960). A coefficient of agreement for nominal scales. *Educational and Psychological
Measurement* 20:37-46. doi:10.1177/001316446002000104

Fleiss JL, Cohen J, Everitt BS (1969). Large sample standard errors of kappa and weighted kappa.
*Psychological Bulletin* 72:323-327. doi:10.1037/h0028106

Fleiss JL, Levin B, Paik MC (2003). *Statistical Methods for Rates and Proportions*, 3rd ed.,
chapter 18. Wiley. doi:10.1002/0471445428
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from evsynth._core.errors import EvsynthError
from evsynth._core.summary import Summary
from evsynth.screening.events import VERDICTS, Decision, latest_events

FloatArray = npt.NDArray[np.float64]

Ratings = Mapping[str, str] | Iterable[Decision]
"""One reviewer's decisions: ``record_id -> category``, or their Decision events."""


@dataclass(frozen=True, slots=True)
class KappaKernel:
    """What :func:`kappa_from_table` computes from a k x k table of counts."""

    kappa: float
    se: float
    se_null: float
    observed: float
    expected: float
    n: int


def kappa_from_table(counts: npt.ArrayLike) -> KappaKernel:
    """Cohen's kappa and its standard errors from a square table of counts.

    Rows are the first reviewer's categories, columns the second's, in the same order.

    .. math::

        p_{ij} = n_{ij}/n, \\quad p_o = \\sum_i p_{ii}, \\quad
        p_e = \\sum_i p_{i\\cdot}\\,p_{\\cdot i}, \\quad
        \\hat\\kappa = \\frac{p_o - p_e}{1 - p_e}

    Large-sample variance (Fleiss, Cohen & Everitt 1969; Fleiss, Levin & Paik 2003, chapter 18),
    used for the confidence interval:

    .. math::

        \\widehat{\\operatorname{Var}}(\\hat\\kappa) = \\frac{1}{n\\,(1-p_e)^2}\\Big[
            \\sum_i p_{ii}\\,\\{1 - (p_{i\\cdot} + p_{\\cdot i})(1-\\hat\\kappa)\\}^2
            + (1-\\hat\\kappa)^2 \\sum_{i \\ne j} p_{ij}\\,(p_{\\cdot i} + p_{j\\cdot})^2
            - \\{\\hat\\kappa - p_e(1-\\hat\\kappa)\\}^2 \\Big]

    Variance under the null hypothesis :math:`\\kappa = 0` (same sources), used for the z test:

    .. math::

        \\operatorname{Var}_0(\\hat\\kappa) = \\frac{1}{n\\,(1-p_e)^2}\\Big[
            p_e + p_e^2 - \\sum_i p_{i\\cdot}\\,p_{\\cdot i}\\,(p_{i\\cdot} + p_{\\cdot i}) \\Big]

    When both reviewers put every record in the same single category, :math:`p_e = 1` and
    kappa is undefined: every value is NaN.
    """
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2 or table.shape[0] != table.shape[1] or table.shape[0] < 1:
        raise EvsynthError(f"an agreement table must be square, got shape {table.shape}")
    if not np.all(np.isfinite(table)) or np.any(table < 0):
        raise EvsynthError("an agreement table must hold non-negative counts")
    n = float(table.sum())
    if n <= 0:
        raise EvsynthError(
            "no record was screened by both reviewers, so agreement cannot be measured",
            hint="have the second reviewer screen the double-screening sample first",
        )
    p = table / n
    rows = p.sum(axis=1)
    cols = p.sum(axis=0)
    observed = float(np.trace(p))
    expected = float(rows @ cols)
    if math.isclose(expected, 1.0, rel_tol=0.0, abs_tol=1e-12):
        nan = math.nan
        return KappaKernel(nan, nan, nan, observed, expected, round(n))
    # Kappa from the counts themselves, (n sum n_ii - sum n_i. n_.i) / (n^2 - sum n_i. n_.i):
    # exact products for whole counts, so a kappa of 0.4 is 0.4, not 0.39999999999999997.
    row_counts = table.sum(axis=1)
    col_counts = table.sum(axis=0)
    chance = float(row_counts @ col_counts)
    kappa = (n * float(np.trace(table)) - chance) / (n * n - chance)
    # Weight of cell (i, j) in the FCE 1969 sum: [w_ij - (p_.i + p_j.)(1 - kappa)]^2, w = I.
    spread = cols[:, None] + rows[None, :]
    deviation = np.eye(len(p)) - spread * (1.0 - kappa)
    total = float(np.sum(p * deviation**2)) - (kappa - expected * (1.0 - kappa)) ** 2
    scale = n * (1.0 - expected) ** 2
    se = math.sqrt(max(total, 0.0) / scale)
    null = expected + expected**2 - float(np.sum(rows * cols * (rows + cols)))
    se_null = math.sqrt(max(null, 0.0) / scale)
    return KappaKernel(kappa, se, se_null, observed, expected, round(n))


def _critical(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise EvsynthError(
            f"level={level!r} must lie strictly between 0 and 1", hint="0.95 is usual"
        )
    return float(stats.norm.ppf(0.5 + level / 2.0))


@dataclass(frozen=True, slots=True)
class KappaResult:
    """Cohen's kappa between two reviewers, with its standard error and Wald interval.

    Attributes
    ----------
    estimate : float
        Cohen's kappa (also available as ``kappa``).
    se : float
        Large-sample standard error (Fleiss, Cohen & Everitt 1969), used for the interval.
    ci_low, ci_high : float
        Wald interval ``estimate -/+ z * se`` at ``level``, clipped to [-1, 1] as
        ``vcd::confint.Kappa`` does.
    se_null, statistic, pvalue : float
        Standard error under kappa = 0, the z statistic ``estimate / se_null`` and its
        two-sided p-value.
    observed_agreement, expected_agreement : float
        :math:`p_o` and the chance agreement :math:`p_e`.
    n : int
        Records both reviewers decided.
    categories : tuple of str
        Row and column labels of the table.
    counts : numpy.ndarray
        The k x k table (rows: first reviewer); see :attr:`table` for a DataFrame.
    disagreements : tuple of str
        Ids of the records the two reviewers put in different categories (empty when the
        result comes from a table; ``n_disagreements`` counts them either way).
    reviewers : tuple of str
        Labels of the two reviewers.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    level: float
    se_null: float
    statistic: float
    pvalue: float
    observed_agreement: float
    expected_agreement: float
    n: int
    categories: tuple[str, ...]
    counts: npt.NDArray[np.int64]
    disagreements: tuple[str, ...]
    reviewers: tuple[str, str] = ("a", "b")
    notes: tuple[str, ...] = ()

    @property
    def kappa(self) -> float:
        return self.estimate

    @property
    def n_disagreements(self) -> int:
        """Records the reviewers put in different categories (off the table's diagonal)."""
        return int(self.counts.sum() - np.trace(self.counts))

    @property
    def table(self) -> pd.DataFrame:
        """The k x k agreement table: rows the first reviewer, columns the second."""
        a, b = self.reviewers
        return pd.DataFrame(
            np.array(self.counts, copy=True),
            index=pd.Index(self.categories, name=a),
            columns=pd.Index(self.categories, name=b),
        )

    def conf_int(self, level: float = 0.95) -> tuple[float, float]:
        """Wald confidence interval of kappa at ``level``, clipped to [-1, 1]."""
        half = _critical(level) * self.se
        return _clip(self.estimate - half), _clip(self.estimate + half)

    def meets(self, threshold: float, *, use: str = "estimate") -> bool:
        """Whether agreement reaches the protocol's threshold (e.g. 0.7).

        ``use="ci_low"`` asks the lower confidence limit to reach it, a stricter reading.
        An undefined kappa never meets a threshold.
        """
        if use not in ("estimate", "ci_low"):
            raise EvsynthError(f"use={use!r} is not known; choose one of estimate, ci_low")
        value = self.estimate if use == "estimate" else self.ci_low
        return bool(not math.isnan(value) and value >= threshold)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (what ``--json`` prints)."""
        return {
            "kappa": _plain(self.estimate),
            "se": _plain(self.se),
            "ci_low": _plain(self.ci_low),
            "ci_high": _plain(self.ci_high),
            "level": self.level,
            "se_null": _plain(self.se_null),
            "statistic": _plain(self.statistic),
            "pvalue": _plain(self.pvalue),
            "observed_agreement": self.observed_agreement,
            "expected_agreement": self.expected_agreement,
            "n": self.n,
            "categories": list(self.categories),
            "table": [[int(v) for v in row] for row in self.counts],
            "disagreements": list(self.disagreements),
            "reviewers": list(self.reviewers),
            "notes": list(self.notes),
        }

    def to_frame(self) -> pd.DataFrame:
        """One tidy row: ``kappa, se, ci_low, ci_high, ..., n, n_disagreements``."""
        row = self.to_dict()
        for key in ("categories", "table", "disagreements", "reviewers", "notes"):
            row.pop(key)
        row["n_disagreements"] = self.n_disagreements
        row["reviewer_a"], row["reviewer_b"] = self.reviewers
        return pd.DataFrame([row])

    def summary(self) -> Summary:
        """A display table of kappa, its interval and the agreement."""
        pct = f"{100 * self.level:g}%"
        rows = [
            ["kappa", self.estimate],
            ["se", self.se],
            [f"ci_low ({pct})", self.ci_low],
            [f"ci_high ({pct})", self.ci_high],
            ["observed agreement", self.observed_agreement],
            ["expected agreement", self.expected_agreement],
            ["z (kappa = 0)", self.statistic],
            ["pvalue", self.pvalue],
            ["records", self.n],
            ["disagreements", self.n_disagreements],
        ]
        notes = (
            f"Reviewers {self.reviewers[0]} and {self.reviewers[1]}; categories "
            f"{', '.join(self.categories)}.",
            "Standard error: Fleiss, Cohen & Everitt (1969) large-sample variance; Wald interval.",
            *self.notes,
        )
        return Summary("Cohen's kappa", ("statistic", "value"), rows, notes=notes)


def _clip(value: float) -> float:
    """Kappa lies in [-1, 1]; a Wald limit beyond it is clipped (NaN stays NaN)."""
    return value if math.isnan(value) else min(1.0, max(-1.0, value))


def _plain(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _ratings(ratings: Ratings, which: str) -> tuple[dict[str, str], str | None]:
    """``record_id -> category`` and the reviewer's name (when events name exactly one)."""
    if isinstance(ratings, Mapping):
        return {str(k): str(v) for k, v in ratings.items()}, None
    events = latest_events(ratings)
    stages = {e.stage for e in events}
    if len(stages) > 1:
        raise EvsynthError(
            f"the decisions of reviewer {which} mix stages ({', '.join(sorted(stages))})",
            hint="compute kappa for one stage at a time",
        )
    reviewers = {e.reviewer for e in events}
    if len(reviewers) > 1:
        raise EvsynthError(
            f"the decisions of reviewer {which} come from several reviewers: "
            f"{', '.join(sorted(reviewers))}",
            hint="pass one reviewer's events on each side",
        )
    out: dict[str, str] = {}
    for event in events:
        if event.role == "screener":
            out[event.record_id] = event.decision
    return out, reviewers.pop() if reviewers else None


def _categories(values: Iterable[str], given: Sequence[str] | None) -> tuple[str, ...]:
    seen = set(values)
    if given is not None:
        unknown = sorted(seen - set(given))
        if unknown:
            raise EvsynthError(
                f"decision(s) {', '.join(unknown)} are not among categories {', '.join(given)}"
            )
        return tuple(given)
    ordered = [v for v in VERDICTS if v in seen]
    return tuple(ordered + sorted(seen - set(VERDICTS)))


def cohen_kappa(
    decisions_a: Ratings,
    decisions_b: Ratings,
    level: float = 0.95,
    *,
    categories: Sequence[str] | None = None,
    reviewers: tuple[str, str] | None = None,
) -> KappaResult:
    """Cohen's kappa between two reviewers on the records both screened.

    Parameters
    ----------
    decisions_a, decisions_b : mapping or iterable of Decision
        Each reviewer's decisions: ``record_id -> decision``, or their Decision events for one
        stage (the latest screener decision per record counts). Records only one reviewer
        decided are left out, so a second reviewer who screened a 20% sample is compared on
        that sample.
    level : float, optional
        Confidence level of the interval; 0.95 by default.
    categories : sequence of str, optional
        The table's categories in order; by default the decisions that occur, in the order
        include, exclude, maybe. Give ``("include", "exclude")`` to keep a 2x2 table when one
        category happens to be unused.
    reviewers : tuple of str, optional
        Labels of the two reviewers; taken from the events when not given.

    Returns
    -------
    KappaResult
        Kappa, its standard error (Fleiss, Cohen & Everitt 1969) and interval, observed and
        expected agreement, the table, and the ids of the records the reviewers disagree on.

    Notes
    -----
    See :func:`kappa_from_table` for the formulas. The interval is a Wald interval: adequate
    for a few hundred records, as in a 20% sample of a typical search; for small samples or
    kappa near 1 it is only a rough guide.

    Examples
    --------
    The first example of the Wikipedia article "Cohen's kappa": two readers of 50 grant
    proposals, 20 accepted by both, 15 rejected by both, 5 and 10 split.

    >>> a = {f"p{i}": "include" if i < 25 else "exclude" for i in range(50)}
    >>> b = {f"p{i}": "include" if i < 20 or 25 <= i < 35 else "exclude" for i in range(50)}
    >>> result = cohen_kappa(a, b)
    >>> round(result.kappa, 4), round(result.observed_agreement, 2), len(result.disagreements)
    (0.4, 0.7, 15)
    """
    ratings_a, name_a = _ratings(decisions_a, "a")
    ratings_b, name_b = _ratings(decisions_b, "b")
    shared = [r for r in ratings_a if r in ratings_b]
    if not shared:
        raise EvsynthError(
            "no record was screened by both reviewers, so agreement cannot be measured",
            hint="have the second reviewer screen the double-screening sample first",
        )
    unpaired = len(set(ratings_a) ^ set(ratings_b))
    labels = _categories(
        [ratings_a[r] for r in shared] + [ratings_b[r] for r in shared], categories
    )
    index = {c: i for i, c in enumerate(labels)}
    counts = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for record_id in shared:
        counts[index[ratings_a[record_id]], index[ratings_b[record_id]]] += 1
    disagreements = tuple(r for r in shared if ratings_a[r] != ratings_b[r])
    notes = []
    if unpaired:
        notes.append(f"{unpaired} record(s) decided by only one reviewer were left out.")
    names = reviewers or (name_a or "a", name_b or "b")
    return _result(counts, labels, disagreements, level, names, tuple(notes))


def cohen_kappa_from_table(
    table: npt.ArrayLike | pd.DataFrame,
    level: float = 0.95,
    *,
    categories: Sequence[str] | None = None,
    reviewers: tuple[str, str] = ("a", "b"),
) -> KappaResult:
    """Cohen's kappa from a square table of counts (rows: first reviewer), e.g. a published one.

    A DataFrame's index gives the categories unless ``categories`` is given. No record ids are
    known, so ``disagreements`` is empty.
    """
    if isinstance(table, pd.DataFrame):
        labels = tuple(str(c) for c in (categories or table.index))
        values = table.to_numpy()
    else:
        values = np.asarray(table)
        labels = tuple(categories) if categories else tuple(str(i) for i in range(len(values)))
    counts = np.asarray(values, dtype=np.float64)
    if counts.ndim != 2 or len(labels) != counts.shape[0]:
        raise EvsynthError(f"{len(labels)} categories do not fit a table of shape {counts.shape}")
    if not np.allclose(counts, np.round(counts)):
        raise EvsynthError("an agreement table must hold whole counts, not proportions")
    return _result(np.round(counts).astype(np.int64), labels, (), level, reviewers, ())


def _result(
    counts: npt.NDArray[np.int64],
    labels: tuple[str, ...],
    disagreements: tuple[str, ...],
    level: float,
    reviewers: tuple[str, str],
    notes: tuple[str, ...],
) -> KappaResult:
    crit = _critical(level)
    core = kappa_from_table(counts)
    if math.isnan(core.kappa):
        notes = (
            *notes,
            "Both reviewers put every record in the same category: kappa is undefined.",
        )
    statistic = core.kappa / core.se_null if core.se_null > 0 else math.nan
    pvalue = float(2.0 * stats.norm.sf(abs(statistic))) if not math.isnan(statistic) else math.nan
    counts = np.array(counts, copy=True)
    counts.setflags(write=False)
    return KappaResult(
        estimate=core.kappa,
        se=core.se,
        ci_low=_clip(core.kappa - crit * core.se),
        ci_high=_clip(core.kappa + crit * core.se),
        level=level,
        se_null=core.se_null,
        statistic=statistic,
        pvalue=pvalue,
        observed_agreement=core.observed,
        expected_agreement=core.expected,
        n=core.n,
        categories=labels,
        counts=counts,
        disagreements=disagreements,
        reviewers=reviewers,
        notes=notes,
    )
