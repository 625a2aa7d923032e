"""Common-effect methods for 2x2 tables: Mantel-Haenszel (OR, RR, RD) and Peto's odds ratio.

Counts per study: ``a`` events and ``b`` non-events in the treatment group, ``c`` and ``d`` in
the control group; :math:`n_1 = a + b`, :math:`n_2 = c + d`, :math:`n = n_1 + n_2`.

The pooled estimates use the raw counts (no continuity correction is needed). The heterogeneity
test, as in metafor's ``rma.mh``, is Cochran's Q of the study-level inverse-variance effects
(with 1/2 added to tables with a zero cell, for RD too) around the pooled estimate; studies with no events
(or only events) in both groups do not enter Q.

References
----------
Mantel & Haenszel (1959), JNCI 22:719-748, doi:10.1093/jnci/22.4.719.
Robins, Breslow & Greenland (1986), Biometrics 42:311-323, doi:10.2307/2531052 (variance of the MH OR).
Greenland & Robins (1985), Biometrics 41:55-68, doi:10.2307/2530643 (variance of the MH RR).
Sato, Greenland & Robins (1989), Biometrics 45:1323-1324, doi:10.2307/2531784 (variance of the MH RD).
Yusuf et al. (1985), Prog Cardiovasc Dis 27:335-371, doi:10.1016/s0033-0620(85)80003-7 (Peto's method).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from evsynth._core.errors import choice_error
from evsynth.synthesis.meta._wls import FloatArray

MH_MEASURES: tuple[str, ...] = ("OR", "RR", "RD")


@dataclass(frozen=True, slots=True)
class BinaryPooled:
    """Pooled common effect from counts (log scale for OR and RR)."""

    measure: str
    method: str
    estimate: float
    se: float
    q: float
    q_df: int
    q_pvalue: float
    i2: float
    h2: float


def _study_effects(
    a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray, measure: str
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Study effects and variances for Q, with 1/2 added to tables with a zero.

    Unlike the inverse-variance RD (no correction), metafor's ``rma.mh`` corrects zero cells for
    all three measures when it computes Q, so RD is corrected here too.
    """
    keep = ~(((a == 0) & (c == 0)) | ((b == 0) & (d == 0)))
    a, b, c, d = a[keep], b[keep], c[keep], d[keep]
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    add = np.where(zero, 0.5, 0.0)
    a, b, c, d = a + add, b + add, c + add, d + add
    n1, n2 = a + b, c + d
    if measure == "OR":
        y = np.log(a * d / (b * c))
        v = 1 / a + 1 / b + 1 / c + 1 / d
    elif measure == "RR":
        y = np.log((a / n1) / (c / n2))
        v = 1 / a - 1 / n1 + 1 / c - 1 / n2
    else:
        p1, p2 = a / n1, c / n2
        y = p1 - p2
        v = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    return y, v, keep


def _q_stats(
    y: FloatArray, v: FloatArray, estimate: float
) -> tuple[float, int, float, float, float]:
    """Cochran's Q around ``estimate`` with I^2 = (Q - df)/Q and H^2 = Q/df."""
    ok = v > 0
    q = float(np.sum((y[ok] - estimate) ** 2 / v[ok]))
    df = int(ok.sum()) - 1
    pval = float(stats.chi2.sf(q, df)) if df > 0 else float("nan")
    i2 = max(0.0, 100.0 * (q - df) / q) if q > 0 else 0.0
    h2 = q / df if df > 0 else float("nan")
    return q, df, pval, i2, h2


def mantel_haenszel(
    a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray, *, measure: str = "OR"
) -> BinaryPooled:
    """Mantel-Haenszel pooled OR, RR or RD.

    .. math::

        \\hat\\theta_{OR} = \\frac{\\sum a_i d_i / n_i}{\\sum b_i c_i / n_i}, \\quad
        \\hat\\theta_{RR} = \\frac{\\sum a_i n_{2i} / n_i}{\\sum c_i n_{1i} / n_i}, \\quad
        \\hat\\theta_{RD} = \\frac{\\sum (a_i n_{2i} - c_i n_{1i}) / n_i}{\\sum n_{1i} n_{2i} / n_i}

    with the Robins-Breslow-Greenland, Greenland-Robins and Sato-Greenland-Robins variances.
    """
    if measure not in MH_MEASURES:
        raise choice_error("measure", measure, MH_MEASURES)
    a, b, c, d = (np.asarray(x, dtype=np.float64) for x in (a, b, c, d))
    n1, n2 = a + b, c + d
    n = n1 + n2
    if measure == "OR":
        r, s = a * d / n, b * c / n
        big_r, big_s = r.sum(), s.sum()
        p, q = (a + d) / n, (b + c) / n
        var = (
            np.sum(p * r) / (2 * big_r**2)
            + np.sum(p * s + q * r) / (2 * big_r * big_s)
            + np.sum(q * s) / (2 * big_s**2)
        )
        estimate = float(np.log(big_r / big_s))
    elif measure == "RR":
        r, s = a * n2 / n, c * n1 / n
        big_r, big_s = r.sum(), s.sum()
        var = np.sum((n1 * n2 * (a + c) - a * c * n) / n**2) / (big_r * big_s)
        estimate = float(np.log(big_r / big_s))
    else:
        wsum = np.sum(n1 * n2 / n)
        estimate = float(np.sum((a * n2 - c * n1) / n) / wsum)
        p_term = np.sum((n1**2 * c - n2**2 * a + n1 * n2 * (n2 - n1) / 2) / n**2)
        q_term = np.sum((a * (n2 - c) + c * (n1 - a)) / (2 * n))
        var = (estimate * p_term + q_term) / wsum**2
    y, v, _ = _study_effects(a, b, c, d, measure)
    q_stat, df, pval, i2, h2 = _q_stats(y, v, estimate)
    return BinaryPooled(measure, "MH", estimate, float(np.sqrt(var)), q_stat, df, pval, i2, h2)


def peto(a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray) -> BinaryPooled:
    """Peto's one-step log odds ratio.

    .. math::

        E_i = \\frac{n_{1i}(a_i + c_i)}{n_i}, \\quad
        V_i = \\frac{n_{1i} n_{2i} (a_i + c_i)(b_i + d_i)}{n_i^2 (n_i - 1)}, \\quad
        \\hat\\theta = \\frac{\\sum (a_i - E_i)}{\\sum V_i}, \\quad
        \\mathrm{SE} = \\Big(\\sum V_i\\Big)^{-1/2}

    and :math:`Q = \\sum (a_i - E_i)^2 / V_i - (\\sum (a_i - E_i))^2 / \\sum V_i`.
    """
    a, b, c, d = (np.asarray(x, dtype=np.float64) for x in (a, b, c, d))
    n1, n2 = a + b, c + d
    n = n1 + n2
    o_minus_e = a - n1 * (a + c) / n
    var = n1 * n2 * (a + c) * (b + d) / (n**2 * (n - 1))
    ok = var > 0
    estimate = float(o_minus_e.sum() / var.sum())
    q_stat = float(np.sum(o_minus_e[ok] ** 2 / var[ok]) - o_minus_e.sum() ** 2 / var.sum())
    df = int(ok.sum()) - 1
    pval = float(stats.chi2.sf(q_stat, df)) if df > 0 else float("nan")
    i2 = max(0.0, 100.0 * (q_stat - df) / q_stat) if q_stat > 0 else 0.0
    h2 = q_stat / df if df > 0 else float("nan")
    return BinaryPooled(
        "OR", "PETO", estimate, float(np.sqrt(1 / var.sum())), q_stat, df, pval, i2, h2
    )
