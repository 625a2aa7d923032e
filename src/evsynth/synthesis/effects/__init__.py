r"""Effect sizes and their sampling variances, one per study: evsynth's ``escalc``.

The first of metafor's two steps: :func:`effect_sizes` turns a DataFrame of study data into
an :class:`EffectTable` (``measure``, ``study``, ``effect``, ``variance``, ``dropped``,
``notes``), which the meta-analysis layer pools. The kernels underneath take and return
NumPy arrays and can be used on their own; :mod:`~evsynth.synthesis.effects.conversions`
turns what papers report (SEs, confidence intervals, t and F statistics, change scores)
into their inputs. Results agree with metafor 3.8-1 ``escalc`` to 1e-6 relative
(``tests/validation/test_metafor_escalc.py``).

Measures (metafor's codes)
--------------------------
``SMD``, ``MD`` (columns ``m1i, sd1i, n1i, m2i, sd2i, n2i``), ``OR``, ``RR``, ``RD``
(``ai, bi, ci, di`` or ``ai, n1i, ci, n2i``) and ``GEN`` (``yi, vi`` or ``yi, sei``). Other
column names are mapped by role in full words: ``mean_treatment``, ``sd_treatment``,
``n_treatment``, ``mean_control``, ``sd_control``, ``n_control``, ``events_treatment``,
``non_events_treatment``, ``events_control``, ``non_events_control``, ``effect``,
``variance``, ``se``. The treatment is the first group, the control the second.

Definitional choices
--------------------
SMD is Hedges' g with the exact correction
    :math:`g = J(m)\, d`, :math:`J(m) = \Gamma(m/2) / (\sqrt{m/2}\,\Gamma((m-1)/2))`,
    :math:`m = n_1 + n_2 - 2` (Hedges, 1981), not the approximation
    :math:`1 - 3/(4m - 1)` that RevMan 5 uses (they differ by less than 1e-3 for
    :math:`m \ge 10`); ``d`` uses the pooled SD. As metafor does.
SMD variance: ``vtype="LS"`` (default) or ``"UB"``
    ``"LS"`` is metafor's large-sample :math:`1/n_1 + 1/n_2 + g^2/(2(n_1+n_2))`; RevMan
    divides by :math:`2(n_1+n_2-3.94)` instead, so its variances differ slightly. ``"UB"`` is
    the unbiased :math:`1/n_1 + 1/n_2 + (1 - (m-2)/(m J^2))\, g^2` (Hedges, 1983).
MD variance
    :math:`s_1^2/n_1 + s_2^2/n_2` (no equal-variance assumption; metafor's default);
    ``vtype="HO"`` pools the SDs.
Zero cells (OR, RR, RD)
    As metafor's ``escalc`` default (``add=1/2, to="only0"``): 1/2 is added to all four
    cells of each table with a zero cell, and nothing to other tables. metafor does this for
    the risk difference too, and evsynth follows it so the values match; ``add=0`` gives the
    uncorrected risk difference that RevMan reports. Each correction is recorded in
    ``EffectTable.notes``.
Double-zero studies (no events in either group, or only events in both)
    Are left out with a note naming the study and the reason (``drop_double_zero=True``), as
    metafor's ``rma.mh``/``rma.peto`` (``drop00=TRUE``) and the Cochrane Handbook (section
    10.4.4.2) do. metafor's ``escalc`` itself defaults to ``drop00=FALSE``; pass
    ``drop_double_zero=False`` to keep them (corrected by ``add``).
Direction: ``lower_is_better=True``
    Multiplies every effect by -1 so that positive values favour the treatment, e.g. for pain,
    fatigue or mortality. For OR and RR the log ratio changes sign, i.e. the ratio becomes
    control over treatment: for the OR that is the same as counting non-events, for the RR it
    is not (the RR of non-events is another measure). A note in ``EffectTable.notes`` says so.
Missing or invalid data
    Raise :class:`~evsynth._core.errors.DataError` naming the 1-based row and the column;
    nothing is dropped silently (metafor instead sets such studies to NA).
Ratio measures are stored on the log scale
    ``effect`` is :math:`\log \mathrm{OR}` or :math:`\log \mathrm{RR}`; exponentiate the
    estimate and the interval limits to report ratios.

References
----------
Hedges LV (1981). Journal of Educational Statistics 6(2):107-128.
doi:10.3102/10769986006002107
Hedges LV (1983). Psychological Bulletin 93(2):388-395. doi:10.1037/0033-2909.93.2.388
Woolf B (1955). Annals of Human Genetics 19(4):251-253.
doi:10.1111/j.1469-1809.1955.tb01348.x
Katz D, Baptista J, Azen SP, Pike MC (1978). Biometrics 34(3):469-474. doi:10.2307/2530610
Haldane JBS (1956). Annals of Human Genetics 20(4):309-311.
doi:10.1111/j.1469-1809.1955.tb01285.x
Higgins JPT, Thomas J, et al. (eds) (2023). Cochrane Handbook for Systematic Reviews of
Interventions, version 6.4, chapters 6 and 10.
Viechtbauer W (2010). Journal of Statistical Software 36(3):1-48. doi:10.18637/jss.v036.i03
"""

from evsynth.synthesis.effects.binary import (
    add_to_cells,
    has_zero_cell,
    is_double_zero,
    log_odds_ratio,
    log_risk_ratio,
    risk_difference,
)
from evsynth.synthesis.effects.continuous import (
    hedges_correction,
    mean_difference,
    pooled_sd,
    smd_variance,
    standardized_mean_difference,
)
from evsynth.synthesis.effects.conversions import (
    align_direction,
    correlation_from_sds,
    sd_change,
    sd_from_ci,
    sd_from_se,
    se_from_ci,
    smd_from_f,
    smd_from_t,
    variance_from_se,
)
from evsynth.synthesis.effects.labelled import MEASURES, effect_sizes
from evsynth.synthesis.effects.table import EffectTable

__all__ = [
    "MEASURES",
    "EffectTable",
    "add_to_cells",
    "align_direction",
    "correlation_from_sds",
    "effect_sizes",
    "has_zero_cell",
    "hedges_correction",
    "is_double_zero",
    "log_odds_ratio",
    "log_risk_ratio",
    "mean_difference",
    "pooled_sd",
    "risk_difference",
    "sd_change",
    "sd_from_ci",
    "sd_from_se",
    "se_from_ci",
    "smd_from_f",
    "smd_from_t",
    "smd_variance",
    "standardized_mean_difference",
    "variance_from_se",
]
