r"""Prior distributions for the between-study standard deviation :math:`\tau`.

A prior is a frozen object (multinma's ``prior`` objects are the model) that the exact engine
integrates over. Each prior names the variable it is integrated in: :math:`\tau` itself for
priors on the standard deviation, or :math:`\log\tau^2` for the log-normal and log-t priors on
the variance, whose densities in :math:`\tau` are unbounded or extremely peaked near zero.

Priors
------
UniformTau(upper)
    :math:`\tau \sim U(0, \text{upper})`; upper = 5 is NICE DSU TSD2's default (Dias S, Welton
    NJ, Sutton AJ, Ades AE 2011, updated 2016, NICE DSU Technical Support Document 2; Dias S,
    Sutton AJ, Ades AE, Welton NJ 2013, Med Decis Making 33:607-617,
    doi:10.1177/0272989X12458724).
HalfNormalTau(scale)
    :math:`\tau \sim N^+(0, \text{scale}^2)`, multinma's default family (Röver C et al. 2021,
    Res Synth Methods 12:448-474, doi:10.1002/jrsm.1475, on weakly informative priors for
    :math:`\tau`).
LogNormalTau2(mean, sd)
    :math:`\log\tau^2 \sim N(\text{mean}, \text{sd}^2)`: the family of the predictive
    distributions for log odds ratios of Turner RM, Jackson D, Wei Y, Thompson SG, Higgins JPT
    (2015), Stat Med 34:984-998, doi:10.1002/sim.6381.
LogTTau2(location, scale, df)
    :math:`(\log\tau^2 - \text{location})/\text{scale} \sim t_{\text{df}}`: the family of the
    predictive distributions for standardised mean differences of Rhodes KM, Turner RM, Higgins
    JPT (2015), J Clin Epidemiol 68:52-60, doi:10.1016/j.jclinepi.2014.08.012 (df = 5).

Published parameters
--------------------
:func:`rhodes2015_smd_general` and :func:`turner2015_general` return the general-setting
distributions (any outcome type, comparison type and medical area). The values below are the
ones encoded in two independent implementations of those papers: ``bayesmeta::RhodesEtAlPrior()``
with ``outcome = NA`` (C. Röver) and rnmamod's documented "general healthcare setting"
(L. Spineli); for a specific setting (outcome type, intervention comparison, medical area) read
the papers' tables and pass the parameters to :class:`LogTTau2` or :class:`LogNormalTau2`.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from evsynth._core.errors import EvsynthError

FloatArray = npt.NDArray[np.float64]
Variable = Literal["tau", "log_tau2"]

# Prior tail probability beyond which the integration range is cut: the posterior mass left
# out is at most this times the largest likelihood ratio over the range (see quadrature.py).
TAIL = 1e-12
# The log-scale priors are integrated over at most |log tau^2| <= 200 (tau between e^-100 and
# e^100, beyond any scale of effect); wider t tails would overflow tau^2. For Rhodes et al.'s
# t_5(-3.44, 2.59) this leaves out 3.5e-9 of the prior's mass in each tail.
LOG_TAU2_LIMIT = 200.0


def _clip(low: float, high: float) -> tuple[float, float]:
    return max(low, -LOG_TAU2_LIMIT), min(high, LOG_TAU2_LIMIT)


def _positive(name: str, value: float) -> float:
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise EvsynthError(f"{name}={value!r} must be a positive finite number")
    return value


class TauPrior(ABC):
    """A prior on the between-study standard deviation, integrated in :attr:`variable`."""

    __slots__ = ()

    @property
    @abstractmethod
    def variable(self) -> Variable:
        """The integration variable: ``"tau"`` or ``"log_tau2"``."""

    @abstractmethod
    def log_density(self, u: FloatArray) -> FloatArray:
        """Log prior density of the integration variable (not of tau unless it is tau)."""

    @abstractmethod
    def bounds(self) -> tuple[float, float]:
        """The range of the integration variable holding all but :data:`TAIL` of the prior."""

    @abstractmethod
    def describe(self) -> str:
        """A one-line statement of the prior for summaries and reports."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """The prior as plain values, for manifests and JSON output."""

    def to_tau(self, u: FloatArray) -> FloatArray:
        """Map the integration variable to tau."""
        u = np.asarray(u, dtype=np.float64)
        if self.variable == "tau":
            return u
        return np.asarray(np.exp(0.5 * u), dtype=np.float64)

    def from_tau(self, tau: FloatArray) -> FloatArray:
        """Map tau to the integration variable (``-inf`` for tau = 0 on the log scale)."""
        tau = np.asarray(tau, dtype=np.float64)
        if self.variable == "tau":
            return tau
        with np.errstate(divide="ignore"):
            return np.asarray(2.0 * np.log(tau), dtype=np.float64)

    def log_density_tau(self, tau: FloatArray) -> FloatArray:
        r"""Log prior density of tau itself: :math:`p_\tau(\tau) = p_u(u)\,|du/d\tau|`."""
        tau = np.asarray(tau, dtype=np.float64)
        if self.variable == "tau":
            return self.log_density(tau)
        with np.errstate(divide="ignore"):
            # u = log tau^2, du/dtau = 2 / tau
            return np.asarray(
                self.log_density(self.from_tau(tau)) + math.log(2.0) - np.log(tau),
                dtype=np.float64,
            )

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True, slots=True)
class UniformTau(TauPrior):
    r"""Uniform prior :math:`\tau \sim U(0, \text{upper})` (TSD2's default with upper = 5)."""

    upper: float = 5.0

    def __post_init__(self) -> None:
        _positive("upper", self.upper)

    @property
    def variable(self) -> Variable:
        return "tau"

    def log_density(self, u: FloatArray) -> FloatArray:
        u = np.asarray(u, dtype=np.float64)
        inside = (u >= 0) & (u <= self.upper)
        return np.where(inside, -math.log(self.upper), -np.inf)

    def bounds(self) -> tuple[float, float]:
        return 0.0, float(self.upper)

    def describe(self) -> str:
        return f"tau ~ Uniform(0, {self.upper:g})"

    def to_dict(self) -> dict[str, Any]:
        return {"family": "uniform", "parameter": "tau", "lower": 0.0, "upper": self.upper}


@dataclass(frozen=True, slots=True)
class HalfNormalTau(TauPrior):
    r"""Half-normal prior :math:`\tau \sim N^+(0, \text{scale}^2)`.

    .. math::

        p(\tau) = \frac{2}{\text{scale}}\,\phi\!\left(\frac{\tau}{\text{scale}}\right),
        \qquad \tau \ge 0
    """

    scale: float = 1.0

    def __post_init__(self) -> None:
        _positive("scale", self.scale)

    @property
    def variable(self) -> Variable:
        return "tau"

    def log_density(self, u: FloatArray) -> FloatArray:
        u = np.asarray(u, dtype=np.float64)
        z = u / self.scale
        value = math.log(2.0) - math.log(self.scale) - 0.5 * math.log(2 * math.pi) - 0.5 * z * z
        return np.where(u >= 0, value, -np.inf)

    def bounds(self) -> tuple[float, float]:
        return 0.0, float(self.scale * -special.ndtri(TAIL / 2))

    def describe(self) -> str:
        return f"tau ~ half-Normal(0, {self.scale:g}^2)"

    def to_dict(self) -> dict[str, Any]:
        return {"family": "half-normal", "parameter": "tau", "scale": self.scale}


@dataclass(frozen=True, slots=True)
class LogNormalTau2(TauPrior):
    r"""Log-normal prior on the variance: :math:`\log\tau^2 \sim N(\text{mean}, \text{sd}^2)`.

    Integrated in :math:`u = \log\tau^2`, where the density is the normal density; in
    :math:`\tau` it is :math:`p(\tau) = \frac{2}{\tau}\,\phi\!\big((2\log\tau - \text{mean})/
    \text{sd}\big)/\text{sd}` (Turner et al. 2015, doi:10.1002/sim.6381).
    """

    mean: float
    sd: float

    def __post_init__(self) -> None:
        if not math.isfinite(float(self.mean)):
            raise EvsynthError(f"mean={self.mean!r} must be a finite number")
        _positive("sd", self.sd)

    @property
    def variable(self) -> Variable:
        return "log_tau2"

    def log_density(self, u: FloatArray) -> FloatArray:
        z = (np.asarray(u, dtype=np.float64) - self.mean) / self.sd
        return np.asarray(
            -0.5 * z * z - math.log(self.sd) - 0.5 * math.log(2 * math.pi), dtype=np.float64
        )

    def bounds(self) -> tuple[float, float]:
        half = float(-special.ndtri(TAIL / 2)) * self.sd
        return _clip(self.mean - half, self.mean + half)

    def describe(self) -> str:
        return f"log(tau^2) ~ Normal({self.mean:g}, {self.sd:g}^2)"

    def to_dict(self) -> dict[str, Any]:
        return {"family": "log-normal", "parameter": "tau^2", "mean": self.mean, "sd": self.sd}


@dataclass(frozen=True, slots=True)
class LogTTau2(TauPrior):
    r"""Log-t prior on the variance: :math:`(\log\tau^2 - \text{location})/\text{scale} \sim t_\nu`.

    .. math::

        p(u) = \frac{1}{\text{scale}}\, f_{t_\nu}\!\left(\frac{u - \text{location}}{\text{scale}}
        \right), \qquad u = \log\tau^2

    Rhodes et al. (2015), doi:10.1016/j.jclinepi.2014.08.012, use :math:`\nu = 5`.
    """

    location: float
    scale: float
    df: float = 5.0

    def __post_init__(self) -> None:
        if not math.isfinite(float(self.location)):
            raise EvsynthError(f"location={self.location!r} must be a finite number")
        _positive("scale", self.scale)
        _positive("df", self.df)

    @property
    def variable(self) -> Variable:
        return "log_tau2"

    def log_density(self, u: FloatArray) -> FloatArray:
        z = (np.asarray(u, dtype=np.float64) - self.location) / self.scale
        nu = self.df
        const = (
            special.gammaln((nu + 1) / 2)
            - special.gammaln(nu / 2)
            - 0.5 * math.log(nu * math.pi)
            - math.log(self.scale)
        )
        return np.asarray(const - (nu + 1) / 2 * np.log1p(z * z / nu), dtype=np.float64)

    def bounds(self) -> tuple[float, float]:
        half = -float(special.stdtrit(self.df, TAIL / 2)) * self.scale
        return _clip(self.location - half, self.location + half)

    def describe(self) -> str:
        return f"log(tau^2) ~ t_{self.df:g}({self.location:g}, {self.scale:g})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": "log-t",
            "parameter": "tau^2",
            "location": self.location,
            "scale": self.scale,
            "df": self.df,
        }


def rhodes2015_smd_general() -> LogTTau2:
    r"""Rhodes et al. (2015) predictive distribution for an SMD meta-analysis, general setting.

    :math:`\log\tau^2 \sim t_5(-3.44, 2.59)`: the distribution for a meta-analysis of
    standardised mean differences whose outcome type, intervention comparison and medical area
    are not specified (Rhodes KM, Turner RM, Higgins JPT 2015, J Clin Epidemiol 68:52-60,
    doi:10.1016/j.jclinepi.2014.08.012). Values as in ``bayesmeta::RhodesEtAlPrior()`` (outcome
    ``NA``) and rnmamod's "general healthcare setting"; setting-specific values are in the
    paper's Table 3.

    Examples
    --------
    >>> prior = rhodes2015_smd_general()
    >>> prior.describe()
    'log(tau^2) ~ t_5(-3.44, 2.59)'
    """
    return LogTTau2(location=-3.44, scale=2.59, df=5.0)


def turner2015_general() -> LogNormalTau2:
    r"""Turner et al. (2015) predictive distribution for a log odds ratio, general setting.

    :math:`\log\tau^2 \sim N(-2.56, 1.74^2)`, the "general healthcare setting" for binary
    outcomes analysed as log odds ratios (Turner RM, Jackson D, Wei Y, Thompson SG, Higgins JPT
    2015, Stat Med 34:984-998, doi:10.1002/sim.6381), as encoded in rnmamod. It is on the log
    odds ratio scale, not for standardised mean differences.
    """
    return LogNormalTau2(mean=-2.56, sd=1.74)


PRIOR_FAMILIES: tuple[str, ...] = ("uniform", "half-normal", "log-normal", "log-t")
