r"""Kernels for 2x2 tables: log odds ratio, log risk ratio and risk difference.

A study's table is

=========  ======  ==========
group      events  non-events
=========  ======  ==========
treatment  ``a``   ``b``
control    ``c``   ``d``
=========  ======  ==========

with ``n1 = a + b`` and ``n2 = c + d``. Zero cells follow metafor's ``escalc`` defaults
(``add=1/2, to="only0"``): 1/2 is added to all four cells of a table that has a zero cell,
for every measure here, the risk difference included (metafor 3.8-1 does so; see
``tests/data/metafor/pairwise_metafor.json``, dat.li2007 studies 16 and 20). Pass ``add=0``
for an uncorrected risk difference, as RevMan computes it.

A double-zero table (no events in either group, or only events in both) carries no
information on a ratio. With ``drop_double_zero=True`` (evsynth's default, as metafor's
``rma.mh``/``rma.peto`` ``drop00=TRUE`` and Cochrane Handbook section 10.4.4.2) its effect
and variance are NaN; ``drop_double_zero=False`` reproduces ``escalc``'s own default
(``drop00=FALSE``), which corrects such a table like any other zero-cell table.

References
----------
Woolf B (1955). On estimating the relation between blood group and disease. Annals of Human
Genetics 19(4):251-253. doi:10.1111/j.1469-1809.1955.tb01348.x
Haldane JBS (1956). The estimation and significance of the logarithm of a ratio of
frequencies. Annals of Human Genetics 20(4):309-311. doi:10.1111/j.1469-1809.1955.tb01285.x
Katz D, Baptista J, Azen SP, Pike MC (1978). Obtaining confidence intervals for the risk
ratio in cohort studies. Biometrics 34(3):469-474. doi:10.2307/2530610
Deeks JJ, Higgins JPT (2010). Statistical algorithms in Review Manager 5. The Cochrane
Collaboration.
Higgins JPT, Thomas J, et al. (eds) (2023). Cochrane Handbook for Systematic Reviews of
Interventions, version 6.4, chapters 6 and 10. www.training.cochrane.org/handbook
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from evsynth._core.errors import EvsynthError, choice_error

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Cells = tuple[FloatArray, FloatArray, FloatArray, FloatArray]

ZERO_CELL_RULES: tuple[str, ...] = ("only0", "all", "if0all", "none")
RD_VTYPES: tuple[str, ...] = ("LS", "UB")


def _cells(ai: npt.ArrayLike, bi: npt.ArrayLike, ci: npt.ArrayLike, di: npt.ArrayLike) -> Cells:
    a, b, c, d = (np.asarray(x, dtype=np.float64) for x in (ai, bi, ci, di))
    shape = np.broadcast_shapes(a.shape, b.shape, c.shape, d.shape)
    return (
        np.broadcast_to(a, shape).copy(),
        np.broadcast_to(b, shape).copy(),
        np.broadcast_to(c, shape).copy(),
        np.broadcast_to(d, shape).copy(),
    )


def has_zero_cell(
    ai: npt.ArrayLike, bi: npt.ArrayLike, ci: npt.ArrayLike, di: npt.ArrayLike
) -> BoolArray:
    """Tables with at least one zero cell (metafor's ``id0``)."""
    a, b, c, d = _cells(ai, bi, ci, di)
    return np.asarray((a == 0) | (b == 0) | (c == 0) | (d == 0), dtype=np.bool_)


def is_double_zero(
    ai: npt.ArrayLike, bi: npt.ArrayLike, ci: npt.ArrayLike, di: npt.ArrayLike
) -> BoolArray:
    r"""Tables with no events in both groups or only events in both (metafor's ``id00``).

    .. math::

        (a = 0 \wedge c = 0) \;\vee\; (b = 0 \wedge d = 0)
    """
    a, b, c, d = _cells(ai, bi, ci, di)
    return np.asarray(((a == 0) & (c == 0)) | ((b == 0) & (d == 0)), dtype=np.bool_)


def add_to_cells(
    ai: npt.ArrayLike,
    bi: npt.ArrayLike,
    ci: npt.ArrayLike,
    di: npt.ArrayLike,
    *,
    add: float = 0.5,
    to: Literal["only0", "all", "if0all", "none"] | str = "only0",
    drop_double_zero: bool = True,
) -> Cells:
    r"""Apply metafor's zero-cell rule and the double-zero rule to the four cells.

    Rules for ``to`` (metafor ``escalc`` argument of the same name; Haldane, 1956 for the
    1/2 correction):

    - ``"only0"`` (default): add ``add`` to every cell of each table with a zero cell;
    - ``"all"``: add it to every cell of every table;
    - ``"if0all"``: add it to every cell of every table if any table has a zero cell;
    - ``"none"``: add nothing.

    .. math::

        (a, b, c, d) \leftarrow (a + h, b + h, c + h, d + h),
        \qquad h = \tfrac12 \text{ by default}

    With ``drop_double_zero=True`` the cells of double-zero tables (:func:`is_double_zero`)
    become NaN first, so every effect computed from them is NaN.

    Returns
    -------
    tuple of numpy.ndarray
        The adjusted cells ``(a, b, c, d)`` as float64.
    """
    if to not in ZERO_CELL_RULES:
        raise choice_error("to", to, ZERO_CELL_RULES)
    if not np.isfinite(add) or add < 0:
        raise EvsynthError(f"add={add!r} must be a number >= 0 (metafor's default is 0.5)")
    a, b, c, d = _cells(ai, bi, ci, di)
    if drop_double_zero:
        double = is_double_zero(a, b, c, d)
        for cell in (a, b, c, d):
            cell[double] = np.nan
    zero = has_zero_cell(a, b, c, d)
    if to == "all" or (to == "if0all" and bool(zero.any())):
        target = np.ones_like(zero)
    elif to == "only0":
        target = zero
    else:
        target = np.zeros_like(zero)
    for cell in (a, b, c, d):
        cell[target] += add
    return a, b, c, d


def log_odds_ratio(
    ai: npt.ArrayLike,
    bi: npt.ArrayLike,
    ci: npt.ArrayLike,
    di: npt.ArrayLike,
    *,
    add: float = 0.5,
    to: str = "only0",
    drop_double_zero: bool = True,
) -> tuple[FloatArray, FloatArray]:
    r"""Log odds ratio and its variance (Woolf, 1955), as metafor's ``measure="OR"``.

    On the cells after :func:`add_to_cells`:

    .. math::

        \log \mathrm{OR} = \log\frac{a\,d}{b\,c}, \qquad
        v = \frac1a + \frac1b + \frac1c + \frac1d

    Parameters
    ----------
    ai, bi, ci, di : array_like
        Events and non-events in the treatment group, then in the control group.
    add, to, drop_double_zero
        Zero-cell rules; see :func:`add_to_cells`.

    Returns
    -------
    effect, variance : numpy.ndarray
        NaN for dropped double-zero tables; infinite when a zero cell is left uncorrected
        (``add=0`` or ``to="none"``).
    """
    a, b, c, d = add_to_cells(ai, bi, ci, di, add=add, to=to, drop_double_zero=drop_double_zero)
    # An uncorrected zero cell (add=0) gives an infinite log odds ratio: reported, not warned.
    with np.errstate(divide="ignore", invalid="ignore"):
        effect = np.log(a) + np.log(d) - np.log(b) - np.log(c)
        variance = 1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d
    return effect, variance


def log_risk_ratio(
    ai: npt.ArrayLike,
    bi: npt.ArrayLike,
    ci: npt.ArrayLike,
    di: npt.ArrayLike,
    *,
    add: float = 0.5,
    to: str = "only0",
    drop_double_zero: bool = True,
) -> tuple[FloatArray, FloatArray]:
    r"""Log risk ratio and its variance (Katz et al., 1978), as metafor's ``measure="RR"``.

    On the cells after :func:`add_to_cells`, with :math:`n_1 = a + b`, :math:`n_2 = c + d`:

    .. math::

        \log \mathrm{RR} = \log\frac{a / n_1}{c / n_2}, \qquad
        v = \frac1a - \frac1{n_1} + \frac1c - \frac1{n_2}

    Parameters
    ----------
    ai, bi, ci, di : array_like
        Events and non-events in the treatment group, then in the control group.
    add, to, drop_double_zero
        Zero-cell rules; see :func:`add_to_cells`.

    Returns
    -------
    effect, variance : numpy.ndarray
        NaN for dropped double-zero tables; infinite when a zero cell is left uncorrected.
    """
    a, b, c, d = add_to_cells(ai, bi, ci, di, add=add, to=to, drop_double_zero=drop_double_zero)
    n1, n2 = a + b, c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        effect = np.log(a / n1) - np.log(c / n2)
        variance = 1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2
    return effect, variance


def risk_difference(
    ai: npt.ArrayLike,
    bi: npt.ArrayLike,
    ci: npt.ArrayLike,
    di: npt.ArrayLike,
    *,
    add: float = 0.5,
    to: str = "only0",
    drop_double_zero: bool = True,
    vtype: Literal["LS", "UB"] | str = "LS",
) -> tuple[FloatArray, FloatArray]:
    r"""Risk difference and its variance, as metafor's ``measure="RD"``.

    On the cells after :func:`add_to_cells` (metafor applies its zero-cell rule to the risk
    difference too; pass ``add=0`` for the uncorrected RevMan value), with
    :math:`p_1 = a / n_1` and :math:`p_2 = c / n_2`:

    .. math::

        \mathrm{RD} = p_1 - p_2

    ``vtype="LS"`` (default): the large-sample (Wald) variance (Deeks & Higgins, 2010;
    metafor's default):

    .. math::

        v = \frac{p_1 (1 - p_1)}{n_1} + \frac{p_2 (1 - p_2)}{n_2}

    ``vtype="UB"``: the unbiased estimator, with :math:`n_j - 1` in the denominators
    (metafor's ``vtype="UB"``).

    Parameters
    ----------
    ai, bi, ci, di : array_like
        Events and non-events in the treatment group, then in the control group.
    add, to, drop_double_zero
        Zero-cell rules; see :func:`add_to_cells`.
    vtype : {"LS", "UB"}, optional
        Variance estimator.

    Returns
    -------
    effect, variance : numpy.ndarray
        NaN for dropped double-zero tables.
    """
    if vtype not in RD_VTYPES:
        raise choice_error("vtype", vtype, RD_VTYPES)
    a, b, c, d = add_to_cells(ai, bi, ci, di, add=add, to=to, drop_double_zero=drop_double_zero)
    n1, n2 = a + b, c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = a / n1, c / n2
        effect = p1 - p2
        if vtype == "LS":
            variance = p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2
        else:
            variance = p1 * (1.0 - p1) / (n1 - 1.0) + p2 * (1.0 - p2) / (n2 - 1.0)
    return effect, variance
