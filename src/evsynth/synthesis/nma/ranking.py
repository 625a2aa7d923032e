r"""P-scores: a frequentist analogue of SUCRA (Rücker & Schwarzer 2015).

Method
------
Rücker G, Schwarzer G (2015). Ranking treatments in frequentist network meta-analysis works
without resampling methods. BMC Medical Research Methodology 15:58.
doi:10.1186/s12874-015-0060-8

.. math::

    P_i = \frac{1}{n - 1} \sum_{j \ne i} \Phi\!\left(s\,
        \frac{\hat\theta_{ij}}{\operatorname{SE}(\hat\theta_{ij})}\right), \qquad
    s = \begin{cases} +1 & \text{higher values are better} \\
                      -1 & \text{lower values are better} \end{cases}

where :math:`\hat\theta_{ij}` is treatment :math:`i` versus :math:`j`: the mean certainty that
:math:`i` is better than a competitor. netmeta's default ``small.values = "desirable"`` is
``higher_is_better=False`` (lower effects are better, e.g. for mortality or a log odds ratio of
an adverse event); for a beneficial outcome, such as smoking cessation, the P-scores that rank
the most effective treatment first are ``1 - P`` of netmeta's default.
"""

from __future__ import annotations

import numpy as np

from evsynth.synthesis.nma._dist import normal_cdf
from evsynth.synthesis.nma.graph import FloatArray


def p_scores(estimate: FloatArray, se: FloatArray, *, higher_is_better: bool) -> FloatArray:
    """P-score of every treatment from the ``n x n`` estimates (row versus column) and SEs.

    Examples
    --------
    >>> import numpy as np
    >>> estimate = np.array([[0.0, 1.0], [-1.0, 0.0]])
    >>> se = np.array([[0.0, 0.5], [0.5, 0.0]])
    >>> p_scores(estimate, se, higher_is_better=True).round(4)
    array([0.9772, 0.0228])
    """
    n = estimate.shape[0]
    if n < 2:
        return np.full(n, np.nan)
    sign = 1.0 if higher_is_better else -1.0
    off = ~np.eye(n, dtype=bool)
    z = np.zeros((n, n))
    z[off] = sign * estimate[off] / se[off]
    probs = np.where(off, normal_cdf(z), 0.0)
    return np.asarray(probs.sum(axis=1) / (n - 1), dtype=np.float64)
