"""Many independent random-effects meta-analyses fitted at once, vectorised over the batch.

:func:`fit_batch` takes effects and sampling variances as ``(n_analyses, k)`` arrays, one row per
meta-analysis, and returns a :class:`BatchResult` of arrays. Every step is NumPy arithmetic over
the whole batch; the only Python loops run over iterations of the iterative estimators (Fisher
scoring, Brent's root finder), and rows that have converged drop out of them. This is the path
for simulation studies, bootstrap and leave-one-out grids and living-review dashboards, where a
loop of single fits (``metafor::rma`` takes about a millisecond each) is the bottleneck.

The numbers are those of ``metafor::rma.uni`` (Viechtbauer 2010, doi:10.18637/jss.v036.i03) for
intercept-only models, including its stopping rules: by default Fisher scoring stops when tau^2
changes by less than metafor's ``threshold`` (1e-5) and the Paule-Mandel root is found with R's
``uniroot`` tolerance (``.Machine$double.eps^0.25``, about 1.2e-4). Those rules leave metafor's
tau^2 up to 5e-3 relative away from the exact optimum when tau^2 is small (li2007 RD in
``tests/data/metafor/pairwise_metafor.json``), so a tighter default would *disagree* with metafor;
pass ``tol`` for the exact optimum instead.

Rows may have different numbers of studies: pad the shorter rows with NaN in both arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from evsynth._core.errors import DataError, EvsynthError, InputLocation, choice_error
from evsynth._core.summary import Summary

if TYPE_CHECKING:
    import pandas as pd

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]
_Objective = Callable[[FloatArray, IntArray], FloatArray]
_Bracket = tuple[FloatArray, FloatArray, FloatArray, FloatArray]

METHODS: Final = ("FE", "DL", "HE", "HS", "SJ", "PM", "ML", "REML", "EB")
TESTS: Final = ("z", "knha")

_EPS: Final = float(np.finfo(np.float64).eps)
METAFOR_THRESHOLD: Final = 1e-5
"""metafor's ``control=list(threshold=)``: Fisher scoring stops when tau^2 changes less."""
R_UNIROOT_TOL: Final = _EPS**0.25
"""R's ``uniroot`` default ``tol``, which metafor uses for the Paule-Mandel root."""
_LL0_TOL: Final = _EPS**0.25  # metafor's con$tol in ll0check
_TAU2_MAX_FLOOR: Final = 100.0  # metafor's PM bracket is [0, max(100, 10 * mad(yi)^2)]
_ARRAYS: Final = ("estimate", "se", "ci_low", "ci_high", "pvalue", "tau2", "q", "i2", "h2")


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Results of :func:`fit_batch`, one element per analysis (row of the input).

    Attributes
    ----------
    estimate, se : ndarray
        Pooled effect and its standard error (Knapp-Hartung scaled when ``test="knha"``).
    ci_low, ci_high : ndarray
        Confidence interval at ``level``.
    pvalue : ndarray
        Two-sided p-value of the test that the pooled effect is zero.
    tau2 : ndarray
        Between-study variance (0 for ``FE``).
    q : ndarray
        Cochran's Q with fixed-effect weights, on ``n_studies - 1`` degrees of freedom.
    i2, h2 : ndarray
        metafor's I^2 (percent) and H^2.
    converged : ndarray of bool
        False where an iterative estimator ran out of iterations or, for ``PM``, where Q at
        metafor's upper bracket still exceeds ``k - 1``; tau^2 is then the last iterate or the
        bracket.
    n_studies : ndarray of int
        Studies in each analysis (the non-NaN entries of its row).
    method, test, level
        The options used.
    """

    estimate: FloatArray
    se: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    pvalue: FloatArray
    tau2: FloatArray
    q: FloatArray
    i2: FloatArray
    h2: FloatArray
    converged: BoolArray
    n_studies: IntArray
    method: str
    test: str
    level: float

    def __len__(self) -> int:
        return int(self.estimate.shape[0])

    def conf_int(self, level: float = 0.95) -> FloatArray:
        """Confidence intervals at ``level`` as an ``(n_analyses, 2)`` array (low, high)."""
        _check_level(level)
        crit = _critical_value(self.n_studies, self.test, level)
        return np.column_stack([self.estimate - crit * self.se, self.estimate + crit * self.se])

    def to_frame(self) -> pd.DataFrame:
        """One row per analysis: ``analysis, n_studies, estimate, se, ..., h2, converged``."""
        import pandas as pd

        columns = {"analysis": np.arange(len(self)), "n_studies": self.n_studies}
        columns.update({name: getattr(self, name) for name in _ARRAYS})
        return pd.DataFrame({**columns, "converged": self.converged})

    def summary(self) -> Summary:
        """The spread of each result over the batch (minimum, quartiles, maximum)."""
        rows: list[list[object]] = []
        for name in ("estimate", "se", "tau2", "i2", "q"):
            values = getattr(self, name)
            quantiles = np.nanquantile(values, [0.0, 0.25, 0.5, 0.75, 1.0])
            rows.append([name, *(float(x) for x in quantiles)])
        note = (
            f"{len(self)} analyses; method={self.method}, test={self.test}, "
            f"level={self.level:g}; {int(np.sum(~self.converged))} did not converge."
        )
        columns = ("statistic", "min", "25%", "median", "75%", "max")
        return Summary("Batch of meta-analyses", columns, rows, notes=(note,))


def fit_batch(
    effect: ArrayLike,
    variance: ArrayLike,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    tol: float | None = None,
    max_iter: int = 100,
) -> BatchResult:
    """Fit one random-effects (or fixed-effect) meta-analysis per row.

    Parameters
    ----------
    effect, variance : array_like
        Effect sizes and their sampling variances, shape ``(n_analyses, k)`` (a 1-D array is
        one analysis). Pad rows with fewer studies with NaN at the same positions in both.
        Variances must be positive.
    method : {"REML", "FE", "DL", "HE", "HS", "SJ", "PM", "ML", "EB"}, optional
        Estimator of tau^2, with metafor's codes:

        - ``FE``: fixed (common) effect, tau^2 = 0 (Hedges & Olkin 1985, *Statistical Methods
          for Meta-Analysis*).
        - ``DL``: DerSimonian & Laird (1986), doi:10.1016/0197-2456(86)90046-2.
        - ``HE``: Hedges (1983), doi:10.1037/0033-2909.93.2.388.
        - ``HS``: Hunter & Schmidt (2004), *Methods of Meta-Analysis*, 2nd ed.
        - ``SJ``: Sidik & Jonkman (2005), doi:10.1111/j.1467-9876.2005.00489.x.
        - ``PM``: Paule & Mandel (1982), doi:10.6028/jres.087.022.
        - ``ML``: maximum likelihood (Viechtbauer 2005, doi:10.3102/10769986030003261).
        - ``REML``: restricted maximum likelihood (Viechtbauer 2005,
          doi:10.3102/10769986030003261); the default, as in metafor.
        - ``EB``: empirical Bayes (Morris 1983, doi:10.1080/01621459.1983.10477920).
    test : {"z", "knha"}, optional
        ``z``: Wald test, normal quantiles. ``knha``: Knapp & Hartung (2003),
        doi:10.1002/sim.1482, t(k - 1) quantiles. As in metafor, one-study analyses use ``z``.
    level : float, optional
        Confidence level, 0.95 by default.
    tol : float, optional
        Convergence tolerance of the iterative estimators (PM, ML, REML, EB). ``None`` (default)
        uses metafor's rules (threshold 1e-5 on the change in tau^2 for Fisher scoring, R's
        ``uniroot`` tolerance for PM), which reproduce metafor's estimates; a small value such
        as ``1e-10`` gives the exact optimum instead.
    max_iter : int, optional
        Iteration limit (metafor's ``maxiter``, 100).

    Returns
    -------
    BatchResult

    Raises
    ------
    DataError
        Shapes differ, NaN patterns differ, a value is infinite, a variance is not positive, or
        a row has no studies.
    EvsynthError
        ``method``, ``test``, ``level``, ``tol`` or ``max_iter`` is not valid.

    Notes
    -----
    tau^2 is truncated at zero, and an analysis with one study gets tau^2 = 0, as in metafor.
    As metafor's ``ll0check``, ML and REML estimates are set to 0 when the (restricted)
    likelihood at tau^2 = 0 is higher by more than ``eps^0.25``. FE with ``knha`` is computed
    (metafor warns that it is not meant for FE).

    Examples
    --------
    >>> import numpy as np
    >>> effect = np.array([[0.1, 0.3, 0.5], [0.2, 0.2, np.nan]])
    >>> variance = np.array([[0.01, 0.02, 0.03], [0.01, 0.02, np.nan]])
    >>> result = fit_batch(effect, variance, method="DL")
    >>> result.n_studies.tolist()
    [3, 2]
    >>> round(float(result.estimate[1]), 6)
    0.2
    """
    threshold, uniroot_tol = _check_options(method, test, level, tol, max_iter)
    data = _as_batch(effect, variance)
    fe = _fixed_effect(data)
    q = np.where(data.multi, np.maximum(0.0, fe.q), 0.0)
    converged = np.ones(data.k.size, dtype=np.bool_)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "FE":
            tau2 = np.zeros(data.k.size)
        elif method in ("DL", "HE", "HS", "SJ"):
            tau2 = _tau2_moments(method, data, q, fe)
        elif method == "PM":
            tau2, converged = _tau2_pm(data, uniroot_tol, max_iter)
        else:
            start = np.maximum(0.0, _tau2_moments("HE", data, q, fe))
            tau2, converged = _tau2_fisher(data, start, method, threshold, max_iter)
            if method in ("ML", "REML"):
                tau2 = _ll0check(data, tau2, converged & data.multi, method == "REML", threshold)
    tau2 = np.where(data.multi, np.maximum(0.0, tau2), 0.0)

    pooled = _pool(data, tau2, test, level)
    i2, h2 = _heterogeneity(q, data.k, tau2, fe, fixed=method == "FE")
    n_studies = data.k.astype(np.intp)
    return BatchResult(*pooled, tau2, q, i2, h2, converged, n_studies, method, test, float(level))


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise EvsynthError(f"level={level!r} is not in (0, 1)", hint="Give 0.95 for 95%")


def _check_options(
    method: str, test: str, level: float, tol: float | None, max_iter: int
) -> tuple[float, float]:
    """Validate the options; return the Fisher-scoring threshold and the root-finder tol."""
    if method not in METHODS:
        raise choice_error("method", method, METHODS)
    if test not in TESTS:
        raise choice_error("test", test, TESTS)
    _check_level(level)
    if tol is not None and not tol > 0.0:
        raise EvsynthError(f"tol={tol!r} must be positive", hint="Or None for metafor's rules")
    if max_iter < 1:
        raise EvsynthError(f"max_iter={max_iter!r} must be at least 1")
    return (METAFOR_THRESHOLD, R_UNIROOT_TOL) if tol is None else (tol, tol)


@dataclass(frozen=True, slots=True)
class _Batch:
    """Checked input. Padding is an effect of 0 with infinite variance: weight exactly 0."""

    y: FloatArray  # effects
    yc: FloatArray  # effects centred by their row mean, as metafor's scale(yi, scale = FALSE)
    v: FloatArray
    present: BoolArray
    k: FloatArray  # studies per row, as float for arithmetic
    multi: BoolArray  # rows with at least two studies


def _as_batch(effect: ArrayLike, variance: ArrayLike) -> _Batch:
    y = np.array(effect, dtype=np.float64, ndmin=2)
    v = np.array(variance, dtype=np.float64, ndmin=2)
    if y.ndim != 2 or y.shape != v.shape:
        raise DataError(
            f"effect has shape {y.shape} and variance {v.shape}",
            hint="Give two arrays of the same shape (n_analyses, n_studies)",
        )
    missing = np.isnan(y)
    checks = (
        (missing != np.isnan(v), "effect and variance disagree on NaN padding", "variance"),
        (np.isinf(y), "effect is infinite", "effect"),
        (np.isinf(v), "variance is infinite", "variance"),
        (~missing & ~(v > 0), "variance is not positive", "variance"),
    )
    for bad, message, field in checks:
        if bad.any():
            row, col = (int(i) for i in np.argwhere(bad)[0])
            value = float((y if field == "effect" else v)[row, col])
            raise DataError(
                f"{message} (study {col}: {value!r})",
                location=InputLocation(row=row, field=field),
                hint="Correct or drop that study; pad with NaN in both arrays",
            )
    present = ~missing
    k = present.sum(axis=1).astype(np.float64)
    if np.any(k == 0):
        raise DataError(
            "analysis has no studies (every entry is NaN)",
            location=InputLocation(row=int(np.argmin(k))),
            hint="Drop empty rows before fitting",
        )
    y = np.where(present, y, 0.0)
    yc = np.where(present, y - (np.sum(y, axis=1) / k)[:, None], 0.0)
    return _Batch(y, yc, np.where(present, v, np.inf), present, k, k >= 2)


@dataclass(frozen=True, slots=True)
class _FixedSums:
    sum_w: FloatArray
    sum_w2: FloatArray
    q: FloatArray


def _weighted_q(y: FloatArray, w: FloatArray) -> FloatArray:
    r"""Generalised Q by row; with :math:`w_i = 1/v_i` it is Cochran's Q.

    .. math::

        Q(w) = \sum_i w_i (y_i - \hat\mu_w)^2, \qquad
        \hat\mu_w = \frac{\sum_i w_i y_i}{\sum_i w_i}
    """
    mean = np.sum(w * y, axis=1) / np.sum(w, axis=1)
    out: FloatArray = np.sum(w * (y - mean[:, None]) ** 2, axis=1)
    return out


def _fixed_effect(data: _Batch) -> _FixedSums:
    """Sums of the fixed-effect weights :math:`w_i = 1/v_i`, and Cochran's Q."""
    w = 1.0 / data.v
    return _FixedSums(np.sum(w, axis=1), np.sum(w * w, axis=1), _weighted_q(data.yc, w))


def _tau2_moments(method: str, data: _Batch, q: FloatArray, fe: _FixedSums) -> FloatArray:
    r"""The closed-form (method-of-moments) estimators DL, HE, HS and SJ.

    With fixed-effect weights :math:`w_i = 1/v_i`, Cochran's Q, and
    :math:`S = \sum_i (y_i - \bar y)^2`:

    .. math::

        \hat\tau^2_{DL} = \frac{Q - (k - 1)}{\sum w_i - \sum w_i^2 / \sum w_i}, \qquad
        \hat\tau^2_{HE} = \frac{S}{k - 1} - \frac{1}{k}\sum_i v_i, \qquad
        \hat\tau^2_{HS} = \frac{Q - k}{\sum w_i},

        \hat\tau^2_{SJ} = \frac{\hat\tau^2_0}{k - 1}\,
        Q\!\left(w_i = \frac{1}{v_i + \hat\tau^2_0}\right), \quad \hat\tau^2_0 = \frac{S}{k}

    DerSimonian & Laird (1986); Hedges (1983), also metafor's start for ML, REML and EB;
    Hunter & Schmidt (2004) in metafor's form; Sidik & Jonkman (2005).
    """
    k = data.k
    if method == "DL":
        out: FloatArray = (q - (k - 1.0)) / (fe.sum_w - fe.sum_w2 / fe.sum_w)
    elif method == "HS":
        out = (q - k) / fe.sum_w
    else:
        deviation = np.where(data.present, data.yc - (np.sum(data.yc, axis=1) / k)[:, None], 0.0)
        spread = np.sum(deviation**2, axis=1)
        if method == "HE":
            out = spread / (k - 1.0) - np.sum(np.where(data.present, data.v, 0.0), axis=1) / k
        else:
            start = spread / k
            out = start * _weighted_q(data.yc, 1.0 / (data.v + start[:, None])) / (k - 1.0)
    return out


def _tau2_pm(data: _Batch, tol: float, max_iter: int) -> tuple[FloatArray, BoolArray]:
    r"""Paule & Mandel (1982): the tau^2 at which the generalised Q equals its expectation.

    .. math::

        Q\!\left(w_i = \frac{1}{v_i + \tau^2}\right) = k - 1

    Q decreases in tau^2, so the root is unique. As metafor: 0 when Q(0) < k - 1; otherwise
    Brent's method on [0, max(100, 10 mad(y)^2)], not converged when Q there exceeds k - 1.
    """
    tau2 = np.zeros(data.k.size)
    converged = np.ones(data.k.size, dtype=np.bool_)

    def objective(t: FloatArray, rows: IntArray) -> FloatArray:
        w = 1.0 / (data.v[rows] + t[:, None])
        return _weighted_q(data.yc[rows], w) - (data.k[rows] - 1.0)

    rows = np.flatnonzero(data.multi)
    f_low = objective(np.zeros(rows.size), rows)
    rows, f_low = rows[f_low >= 0.0], f_low[f_low >= 0.0]
    upper = np.maximum(_TAU2_MAX_FLOOR, 10.0 * _mad(data.yc[rows], data.present[rows]) ** 2)
    f_up = objective(upper, rows)
    high = f_up > 0.0
    tau2[rows[high]], converged[rows[high]] = upper[high], False
    rows, upper, f_low, f_up = rows[~high], upper[~high], f_low[~high], f_up[~high]
    bracket = (np.zeros(rows.size), upper, f_low, f_up)
    tau2[rows], converged[rows] = _zeroin(
        lambda t, i: objective(t, rows[i]), bracket, tol, max_iter
    )
    return tau2, converged


def _mad(y: FloatArray, present: BoolArray) -> FloatArray:
    """R's ``mad()``: 1.4826 times the median absolute deviation from the median, by row."""
    values = np.where(present, y, np.nan)
    centre = np.nanmedian(values, axis=1, keepdims=True)
    out: FloatArray = 1.4826 * np.nanmedian(np.abs(values - centre), axis=1)
    return out


def _zeroin(
    f: _Objective, bracket: _Bracket, tol: float, max_iter: int
) -> tuple[FloatArray, BoolArray]:
    """Brent's root finder (Brent 1973, ch. 4), step for step R's ``R_zeroin2``, over rows.

    ``bracket`` is ``(a, b, f(a), f(b))`` with a sign change in each row; ``f(x, rows)``
    evaluates the rows ``rows`` at ``x``. Following R's iterates exactly, not only to ``tol``,
    is what makes the Paule-Mandel estimate agree with metafor's.
    """
    a, b, fa, fb = (x.copy() for x in bracket)
    c, fc, root = a.copy(), fa.copy(), b.copy()
    root[fa == 0.0] = a[fa == 0.0]
    converged = (fa == 0.0) | (fb == 0.0)
    active = np.flatnonzero(~converged)
    for _ in range(max_iter + 1):
        if active.size == 0:
            break
        a_, b_, c_, fa_, fb_, fc_ = (x[active] for x in (a, b, c, fa, fb, fc))
        prev_step = b_ - a_
        # Keep b the best approximation: a, b, c = b, c, b where |f(c)| < |f(b)|.
        swap = np.abs(fc_) < np.abs(fb_)
        a_, b_, c_ = np.where(swap, b_, a_), np.where(swap, c_, b_), np.where(swap, b_, c_)
        fa_, fb_, fc_ = np.where(swap, fb_, fa_), np.where(swap, fc_, fb_), np.where(swap, fb_, fc_)
        tol_act = 2.0 * _EPS * np.abs(b_) + tol / 2.0
        step = (c_ - b_) / 2.0
        done = (np.abs(step) <= tol_act) | (fb_ == 0.0)
        root[active[done]], converged[active[done]] = b_[done], True
        # Secant (two distinct points) or inverse quadratic interpolation, accepted when it
        # stays inside the bracket and shrinks fast enough; otherwise bisection.
        cb, t1_lin = c_ - b_, fb_ / fa_
        ratio, t1, t2 = fa_ / fc_, fb_ / fc_, fb_ / fa_
        linear = a_ == c_
        p = np.where(linear, cb * t1_lin, t2 * (cb * ratio * (ratio - t1) - (b_ - a_) * (t1 - 1)))
        q = np.where(linear, 1.0 - t1_lin, (ratio - 1.0) * (t1 - 1.0) * (t2 - 1.0))
        q, p = np.where(p > 0.0, -q, q), np.abs(p)
        accept = (np.abs(prev_step) >= tol_act) & (np.abs(fa_) > np.abs(fb_))
        accept &= (p < 0.75 * cb * q - np.abs(tol_act * q) / 2.0) & (p < np.abs(prev_step * q / 2))
        step = np.where(accept, p / q, step)
        # A step shorter than the tolerance becomes +tol_act if positive, else -tol_act.
        step = np.where(np.abs(step) < tol_act, np.where(step > 0.0, tol_act, -tol_act), step)
        go = ~done
        active = active[go]
        a_, fa_, b_ = b_[go], fb_[go], b_[go] + step[go]
        fb_, c_, fc_ = f(b_, active), c_[go], fc_[go]
        same_sign = ((fb_ > 0.0) & (fc_ > 0.0)) | ((fb_ < 0.0) & (fc_ < 0.0))
        a[active], fa[active], b[active], fb[active], root[active] = a_, fa_, b_, fb_, b_
        c[active], fc[active] = np.where(same_sign, a_, c_), np.where(same_sign, fa_, fc_)
    return root, converged


def _tau2_fisher(
    data: _Batch, start: FloatArray, method: str, threshold: float, max_iter: int
) -> tuple[FloatArray, BoolArray]:
    r"""ML, REML (Viechtbauer 2005) and EB (Morris 1983) by metafor's Fisher scoring.

    With :math:`w_i = 1/(v_i + \tau^2)`, :math:`r_i = y_i - \hat\mu_w`, and for an intercept
    :math:`\operatorname{tr} P = \sum w_i - \sum w_i^2/\sum w_i`,
    :math:`\operatorname{tr} P^2 = \sum w_i^2 - 2\sum w_i^3/\sum w_i + (\sum w_i^2/\sum w_i)^2`:

    .. math::

        \Delta_{ML} = \frac{\sum w_i^2 r_i^2 - \sum w_i}{\sum w_i^2}, \quad
        \Delta_{REML} = \frac{\sum w_i^2 r_i^2 - \operatorname{tr} P}{\operatorname{tr} P^2},
        \quad \Delta_{EB} = \frac{\frac{k}{k-1}\sum w_i r_i^2 - k}{\sum w_i}

    :math:`\tau^2 \leftarrow \tau^2 + \Delta` from :math:`\max(0, \hat\tau^2_{HE})`, halving
    :math:`\Delta` while it would make tau^2 negative, until the change is at most
    ``threshold``. As metafor, a row still running at step ``max_iter + 1`` has not converged.
    """
    tau2 = start.copy()
    converged = np.ones(tau2.size, dtype=np.bool_)
    active = np.flatnonzero(data.multi)
    for iteration in range(1, max_iter + 2):
        if active.size == 0:
            break
        t, y = tau2[active], data.yc[active]
        w = 1.0 / (data.v[active] + t[:, None])
        w2 = w * w
        sum_w, sum_w2 = np.sum(w, axis=1), np.sum(w2, axis=1)
        r2 = (y - (np.sum(w * y, axis=1) / sum_w)[:, None]) ** 2
        if method == "ML":
            step = (np.sum(w2 * r2, axis=1) - sum_w) / sum_w2
        elif method == "REML":
            tr_p = sum_w - sum_w2 / sum_w
            tr_pp = sum_w2 - 2.0 * np.sum(w2 * w, axis=1) / sum_w + (sum_w2 / sum_w) ** 2
            step = (np.sum(w2 * r2, axis=1) - tr_p) / tr_pp
        else:
            k = data.k[active]
            step = (np.sum(w * r2, axis=1) * k / (k - 1.0) - k) / sum_w
        new = t + _halve_into_range(t, np.where(np.isnan(step), 0.0, step))
        tau2[active] = new
        if iteration > max_iter:
            converged[active] = False
            break
        active = active[np.abs(t - new) > threshold]
    return tau2, converged


def _halve_into_range(tau2: FloatArray, step: FloatArray) -> FloatArray:
    """metafor's ``while (tau2 + adj < 0) adj <- adj / 2``, for each row."""
    # From tau2 = 0 R halves a negative step until it underflows to -0: the same as no step.
    step = np.where((tau2 == 0.0) & (step < 0.0), 0.0, step)
    # Any finite step reaches -0 within 1075 halvings; an infinite one never would (R hangs).
    for _ in range(1100):
        negative = tau2 + step < 0.0
        if not negative.any():
            return step
        step = np.where(negative, step / 2.0, step)
    return np.where(tau2 + step < 0.0, 0.0, step)


def _ll0check(
    data: _Batch, tau2: FloatArray, check: BoolArray, reml: bool, threshold: float
) -> FloatArray:
    r"""metafor's ``ll0check``: tau^2 = 0 when the (restricted) likelihood there is higher.

    With :math:`w_i = 1/(v_i + \tau^2)`, up to constants that cancel:

    .. math::

        \ell_{ML}(\tau^2) = -\tfrac12 \sum_i \log(v_i + \tau^2) - \tfrac12 Q(w), \qquad
        \ell_{REML}(\tau^2) = \ell_{ML}(\tau^2) - \tfrac12 \log \textstyle\sum_i w_i
    """
    rows = np.flatnonzero(check & (tau2 > threshold))
    if rows.size == 0:
        return tau2
    present = data.present[rows]

    def loglik(t: FloatArray) -> FloatArray:
        total = data.v[rows] + t[:, None]
        w = 1.0 / total
        log_total = np.sum(np.log(np.where(present, total, 1.0)), axis=1)
        ll = -0.5 * log_total - 0.5 * _weighted_q(data.yc[rows], w)
        out: FloatArray = ll - 0.5 * np.log(np.sum(w, axis=1)) if reml else ll
        return out

    higher_at_zero = loglik(np.zeros(rows.size)) - loglik(tau2[rows]) > _LL0_TOL
    out = tau2.copy()
    out[rows[higher_at_zero]] = 0.0
    return out


def _critical_value(k: ArrayLike, test: str, level: float) -> FloatArray:
    """Normal quantile, or t(k - 1) for ``knha`` (one-study analyses use the normal)."""
    upper = 1.0 - (1.0 - level) / 2.0
    k = np.asarray(k, dtype=np.float64)
    normal = np.full(k.shape, special.ndtri(upper))
    if test == "z":
        return normal
    out: FloatArray = np.where(k >= 2, special.stdtrit(np.maximum(k - 1.0, 1.0), upper), normal)
    return out


def _pool(
    data: _Batch, tau2: FloatArray, test: str, level: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    r"""Inverse-variance pooled estimate, standard error, interval and p-value.

    .. math::

        w_i = \frac{1}{v_i + \hat\tau^2}, \quad
        \hat\mu = \frac{\sum w_i y_i}{\sum w_i}, \quad
        \mathrm{SE}(\hat\mu) = \sqrt{1/\textstyle\sum w_i}

    Knapp & Hartung (2003) multiply the SE by :math:`\sqrt{s^2_w}` and use t(k - 1):

    .. math::

        s^2_w = \frac{1}{k - 1}\sum_i w_i (y_i - \hat\mu)^2

    (metafor sets :math:`s^2_w = 0` when the sum is below machine epsilon).
    """
    k, y = data.k, data.y
    w = 1.0 / (data.v + tau2[:, None])
    sum_w = np.sum(w, axis=1)
    estimate = np.sum(w * y, axis=1) / sum_w
    se = np.sqrt(1.0 / sum_w)
    use_t = data.multi & (test == "knha")
    with np.errstate(divide="ignore", invalid="ignore"):
        if test == "knha":
            rss = np.sum(w * (y - estimate[:, None]) ** 2, axis=1)
            s2w = np.where(rss <= _EPS, 0.0, rss / (k - 1.0))
            se = np.where(use_t, se * np.sqrt(s2w), se)
        statistic = -np.abs(estimate / se)
        pvalue = 2.0 * special.ndtr(statistic)
        if test == "knha":
            t_tail = special.stdtr(np.maximum(k - 1.0, 1.0), statistic)
            pvalue = np.where(use_t, 2.0 * t_tail, pvalue)
    crit = _critical_value(k, test, level)
    return estimate, se, estimate - crit * se, estimate + crit * se, pvalue


def _heterogeneity(
    q: FloatArray, k: FloatArray, tau2: FloatArray, fe: _FixedSums, *, fixed: bool
) -> tuple[FloatArray, FloatArray]:
    r"""metafor's I^2 and H^2 (Higgins & Thompson 2002, doi:10.1002/sim.1186).

    With the "typical" within-study variance
    :math:`s^2 = (k - 1)\sum w_i / ((\sum w_i)^2 - \sum w_i^2)`, :math:`w_i = 1/v_i`:

    .. math::

        I^2 = 100\,\frac{\hat\tau^2}{\hat\tau^2 + s^2}, \qquad H^2 = \frac{\hat\tau^2 + s^2}{s^2}

    For ``FE`` (no tau^2) metafor uses the Q forms
    :math:`I^2 = \max(0, 100\,(Q - (k-1))/Q)` and :math:`H^2 = Q/(k-1)`. With one study,
    :math:`I^2 = 0` and :math:`H^2 = 1`.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if fixed:
            i2 = np.maximum(0.0, 100.0 * (q - (k - 1.0)) / q)
            h2 = q / (k - 1.0)
        else:
            typical = (k - 1.0) * fe.sum_w / (fe.sum_w**2 - fe.sum_w2)
            i2 = 100.0 * tau2 / (typical + tau2)
            h2 = tau2 / typical + 1.0
    return np.where(k >= 2, i2, 0.0), np.where(k >= 2, h2, 1.0)
