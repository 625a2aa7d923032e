"""The effect axis shared by the forest and funnel plots: back-transformation and ratio scales.

Effects arrive on the analysis scale (log odds ratios, say). A ``transform`` such as ``np.exp``
maps them to the reporting scale before drawing, and ratio measures are drawn on a log axis, so
that an odds ratio of 0.5 sits as far from 1 as an odds ratio of 2 (metafor's ``atransf=exp``
gives the same picture). Ticks on a log axis are the "nice" ratios 0.1, 0.2, 0.5, 1, 2, 5, ...
written as plain numbers rather than powers of ten.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import EvsynthError

Transform = Callable[[NDArray[np.float64]], ArrayLike]

_NICE_MANTISSAS = (1.0, 2.0, 5.0)
_MAX_TICKS = 8


def uses_log_scale(transform: Transform | None, log_scale: bool | None) -> bool:
    """``log_scale`` if given, else True exactly when ``transform`` is ``np.exp``."""
    if log_scale is not None:
        return bool(log_scale)
    return transform is np.exp


def apply(
    transform: Transform | None, values: NDArray[np.float64], name: str
) -> NDArray[np.float64]:
    """``transform(values)`` checked to be finite and of the same shape."""
    if transform is None:
        return values
    out = np.asarray(transform(values), dtype=np.float64)
    if out.shape != values.shape or not np.all(np.isfinite(out)):
        raise EvsynthError(
            f"transform did not return one finite number for each {name} value",
            hint="Pass an element-wise function such as np.exp, or None",
        )
    return out


def require_positive(values: NDArray[np.float64], name: str) -> None:
    """Values drawn on a log axis must be positive."""
    if np.any(values <= 0.0):
        raise EvsynthError(
            f"{name} has values <= 0, which a log axis cannot show",
            hint="Pass effects on the log scale with transform=np.exp, or log_scale=False",
        )


def padded_limits(low: float, high: float, *, log: bool, pad: float = 0.05) -> tuple[float, float]:
    """``(low, high)`` widened by ``pad`` of the range on each side (in log space on a log axis)."""
    if log:
        lo, hi = math.log(low), math.log(high)
    else:
        lo, hi = low, high
    span = hi - lo
    if span <= 0.0:
        span = max(abs(lo), 1.0) * 0.5
    lo, hi = lo - pad * span, hi + pad * span
    if log:
        return math.exp(lo), math.exp(hi)
    return lo, hi


def log_ticks(low: float, high: float) -> list[float]:
    """Nice ratio ticks (1, 2, 5 times a power of ten) inside ``[low, high]``."""
    first = math.floor(math.log10(low)) - 1
    last = math.ceil(math.log10(high)) + 1
    candidates = [m * 10.0**k for k in range(first, last + 1) for m in _NICE_MANTISSAS]
    ticks = [t for t in candidates if low <= t <= high]
    if len(ticks) > _MAX_TICKS:
        ticks = [t for t in ticks if math.isclose(t / 10.0 ** round(math.log10(t)), 1.0)]
    if len(ticks) < 3:
        # A narrow range such as 0.8 to 1.3 has too few nice ratios; use evenly spaced values.
        ticks = [t for t in MaxNLocator(nbins=5).tick_values(low, high) if low <= t <= high]
    return ticks


def _plain_number(value: float, _position: object = None) -> str:
    return f"{value:g}".replace("-", "\N{MINUS SIGN}")


def set_effect_axis(ax: Axes, low: float, high: float, *, log: bool) -> None:
    """Set scale, limits and ticks of the x (effect) axis."""
    if log:
        ax.set_xscale("log")
        ax.set_xlim(low, high)
        ax.xaxis.set_major_locator(FixedLocator(log_ticks(low, high)))
        ax.xaxis.set_major_formatter(FuncFormatter(_plain_number))
        ax.xaxis.set_minor_locator(NullLocator())
    else:
        ax.set_xlim(low, high)


def format_number(value: float, digits: int) -> str:
    """``value`` to ``digits`` decimals with a true minus sign; never prints ``-0.00``."""
    text = f"{value:.{digits}f}"
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text.replace("-", "\N{MINUS SIGN}")


def format_interval(low: float, high: float, digits: int) -> str:
    """``"[low, high]"`` with ``format_number``."""
    return f"[{format_number(low, digits)}, {format_number(high, digits)}]"
