"""Non-parametric bootstrap of patient-level costs and QALYs from a trial (kernel).

Briggs, Wonderling & Mooney (1997), Pulling cost-effectiveness analysis up by its bootstraps:
a non-parametric approach to confidence interval estimation. Health Econ 6(4):327-340,
doi:10.1002/(SICI)1099-1050(199707)6:4<327::AID-HEC282>3.0.CO;2-W.

Each replicate resamples patients with replacement **within each arm** (stratified, so every
replicate keeps the trial's arm sizes) and keeps each patient's cost, QALYs and baseline utility
together (paired), which preserves the correlation between costs and effects. A replicate's
statistics are the arm means of cost and QALYs, or with baseline adjustment the ANCOVA means of
:func:`evsynth.economics.qaly.ancova_means` (Manca, Hawkins & Sculpher 2005). The replicates are
then draws for :mod:`evsynth.economics.psa`, exactly as PSA draws are.

The whole ``(B, n_a)`` index matrix of an arm is drawn at once from the caller's
``numpy.random.Generator`` (``rng``: a seed, a Generator or None), so a seed fixes every
replicate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from evsynth._core.rng import RNGLike, as_generator
from evsynth.economics.qaly import ancova_means

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class BootstrapDraws:
    """Kernel output: replicate means, shape (B, n_arms) each."""

    cost: FloatArray
    effect: FloatArray
    effect_unadjusted: FloatArray


def bootstrap_arm_means(
    cost: FloatArray,
    effect: FloatArray,
    arm: NDArray[np.intp],
    n_boot: int,
    rng: RNGLike,
    *,
    baseline: FloatArray | None = None,
) -> BootstrapDraws:
    """Stratified, paired bootstrap replicates of each arm's mean cost and mean effect.

    .. math::

        \\bar C^{*}_{ab} = \\frac{1}{n_a}\\sum_{i=1}^{n_a} C_{I^{*}_{abi}},\\qquad
        \\bar E^{*}_{ab} = \\frac{1}{n_a}\\sum_{i=1}^{n_a} E_{I^{*}_{abi}},\\qquad
        I^{*}_{abi} \\sim \\mathrm{Uniform}\\{\\text{patients of arm } a\\}

    Parameters
    ----------
    cost, effect : array, shape (n,)
        Each patient's total cost and QALYs.
    arm : int array, shape (n,)
        Arm code of each patient (0 to n_arms - 1).
    n_boot : int
        Number of replicates B.
    rng : int, numpy.random.Generator or None
        Seed or generator of the resampling indices.
    baseline : array, shape (n,), optional
        Baseline utilities: when given, ``effect`` holds the ANCOVA means adjusted for baseline
        utility (Manca et al. 2005) and ``effect_unadjusted`` the plain means.

    Returns
    -------
    BootstrapDraws

    Examples
    --------
    >>> draws = bootstrap_arm_means(
    ...     np.array([1.0, 3.0, 10.0]), np.array([0.5, 0.7, 0.9]), np.array([0, 0, 1]),
    ...     4, np.random.default_rng(1))
    >>> draws.cost.shape, bool((draws.cost[:, 1] == 10.0).all())
    ((4, 2), True)
    """
    generator = as_generator(rng)
    codes = np.asarray(arm, dtype=np.intp)
    c = np.asarray(cost, dtype=np.float64)
    e = np.asarray(effect, dtype=np.float64)
    n_arms = int(codes.max()) + 1
    cost_means = np.empty((n_boot, n_arms))
    effect_means = np.empty((n_boot, n_arms))
    effect_resampled: list[FloatArray] = []
    baseline_resampled: list[FloatArray] = []
    for a in range(n_arms):
        members = np.flatnonzero(codes == a)
        # Draw positions within the arm, then map to patients: one (B, n_a) matrix per arm.
        picks = members[generator.integers(0, members.size, size=(n_boot, members.size))]
        cost_means[:, a] = c[picks].mean(axis=1)
        resampled = e[picks]
        effect_means[:, a] = resampled.mean(axis=1)
        if baseline is not None:
            effect_resampled.append(resampled)
            baseline_resampled.append(np.asarray(baseline, dtype=np.float64)[picks])
    adjusted = (
        ancova_means(effect_resampled, baseline_resampled) if baseline is not None else effect_means
    )
    return BootstrapDraws(cost_means, adjusted, effect_means)


def percentile_interval(draws: FloatArray, level: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """Percentile bootstrap interval of each column (Efron & Tibshirani 1993, ch. 13).

    .. math::

        \\left[\\hat F^{-1}(\\alpha/2),\\ \\hat F^{-1}(1 - \\alpha/2)\\right],\\quad
        \\alpha = 1 - \\text{level}
    """
    values = np.asarray(draws, dtype=np.float64)
    alpha = 1.0 - level
    low, high = np.quantile(values, [alpha / 2.0, 1.0 - alpha / 2.0], axis=0)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
