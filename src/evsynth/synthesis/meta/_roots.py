"""Brent's root finder with R's ``uniroot`` stopping rule.

metafor finds the Paule-Mandel estimate with ``uniroot(tol = .Machine$double.eps^0.25)``; that
tolerance (about 1.2e-4) is coarse, so an exact root can differ from metafor's in the fifth
digit when tau^2 is small. Following the same algorithm (Brent 1973, *Algorithms for
Minimization without Derivatives*, ch. 4; the Forsythe-Malcolm-Moler ``zeroin``) with the same
tolerance and bracket reproduces metafor's value; callers that want the exact root pass a tiny
``tol``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_EPS = float(np.finfo(np.float64).eps)
R_UNIROOT_TOL = _EPS**0.25


def zeroin(
    f: Callable[[float], float],
    lower: float,
    upper: float,
    *,
    tol: float = R_UNIROOT_TOL,
    max_iter: int = 1000,
) -> float:
    """Root of ``f`` in [lower, upper] by Brent's method (bisection, secant, inverse quadratic).

    The step is accepted when interpolation stays inside the bracket and shrinks fast enough;
    otherwise bisection. Iteration stops when half the bracket is within
    ``2 * eps * |b| + tol / 2`` or ``f(b) == 0``.
    """
    a, b = lower, upper
    fa, fb = f(a), f(b)
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    if (fa > 0) == (fb > 0):
        raise ValueError("f(lower) and f(upper) must have opposite signs")
    c, fc = a, fa
    for _ in range(max_iter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            # Keep b the best approximation so far.
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _EPS * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b
