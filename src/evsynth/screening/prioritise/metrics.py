"""Performance of a screening order on labelled data: WSS@r, recall@x%, loss, records to recall.

Every metric reads one array: the true labels (1 include, 0 exclude) in the order the records
were screened, followed by the records never screened in any order (they hold no includes once
a simulation has found them all). Prior (starting) records are left out, as ASReview does, so
``N`` below is the number of records minus the priors and ``R`` the includes among them.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from evsynth._core.errors import EvsynthError


def _labels(order_labels: ArrayLike) -> NDArray[np.int64]:
    labels = np.asarray(order_labels)
    if labels.ndim != 1 or labels.size == 0:
        raise EvsynthError("the screening order must be a non-empty one-dimensional array")
    if not np.isin(labels, (0, 1)).all():
        raise EvsynthError("labels in the screening order must be 0 (exclude) or 1 (include)")
    out = labels.astype(np.int64)
    if out.sum() == 0:
        raise EvsynthError(
            "the screening order holds no included record",
            hint="metrics need at least one include outside the starting labels",
        )
    return out


def _check_share(name: str, value: float) -> float:
    if not 0.0 < float(value) <= 1.0:
        raise EvsynthError(f"{name}={value!r} must lie in (0, 1]")
    return float(value)


def n_to_recall(order_labels: ArrayLike, recall: float = 0.95) -> int:
    """Records screened until a share ``recall`` of the includes is found.

    .. math:: n_r = \\min\\{n : \\textstyle\\sum_{k \\le n} y_k \\ge \\lceil rR \\rceil\\}

    Parameters
    ----------
    order_labels : array of {0, 1}
        True labels in screening order (priors left out).
    recall : float, optional
        The share of includes to reach, in (0, 1].

    Examples
    --------
    >>> n_to_recall([1, 0, 1, 0, 0, 1, 0, 0], recall=0.5)
    3
    """
    labels = _labels(order_labels)
    target = math.ceil(_check_share("recall", recall) * labels.sum() - 1e-9)
    return int(np.searchsorted(np.cumsum(labels), target) + 1)


def wss(order_labels: ArrayLike, recall: float = 0.95) -> float:
    """Work saved over sampling at recall ``r`` (Cohen et al. 2006), as a share of ``N``.

    .. math:: \\mathrm{WSS@}r = \\frac{N - n_r}{N} - (1 - r)

    Examples
    --------
    >>> round(wss([1, 0, 1, 0, 0, 1, 0, 0, 0, 0], recall=0.95), 4)
    0.35
    """
    labels = _labels(order_labels)
    n = labels.size
    return (n - n_to_recall(labels, recall)) / n - (1.0 - recall)


def recall_at(order_labels: ArrayLike, share: float = 0.10) -> float:
    """Share of the includes found after screening ``share`` of the records.

    The records screened are :math:`\\lceil xN \\rceil`, the fewest that make at least ``x``.

    Examples
    --------
    >>> recall_at([1, 0, 1, 0, 0, 1, 0, 0, 0, 0], share=0.25)
    0.6666666666666666
    """
    labels = _labels(order_labels)
    n = math.ceil(_check_share("share", share) * labels.size - 1e-9)
    return float(labels[:n].sum() / labels.sum())


def loss(order_labels: ArrayLike) -> float:
    """Normalised loss: the recall-curve area missed, from 0 (best order) to 1 (worst).

    With :math:`c_n = \\sum_{k \\le n} y_k` the includes found after ``n`` records, the area is
    :math:`A = \\sum_{n=1}^{N} c_n`; all includes first gives the optimum and all last the worst:

    .. math::

        A_{\\text{opt}} = NR - \\tfrac{R(R-1)}{2}, \\qquad
        A_{\\text{worst}} = \\tfrac{R(R+1)}{2}, \\qquad
        \\text{loss} = \\frac{A_{\\text{opt}} - A}{A_{\\text{opt}} - A_{\\text{worst}}}
                     = \\frac{A_{\\text{opt}} - A}{R(N - R)}

    the datasets README's definition, equal to ``asreview.metrics.loss`` in ASReview LAB 2 and 3.

    Examples
    --------
    >>> loss([1, 0, 1, 0])
    0.25
    """
    labels = _labels(order_labels)
    n, r = labels.size, int(labels.sum())
    if r == n:
        raise EvsynthError("loss needs at least one excluded record in the screening order")
    area = float(np.cumsum(labels).sum())
    optimum = n * r - r * (r - 1) / 2
    return (optimum - area) / (r * (n - r))
