"""The random sample of records that a second reviewer screens independently.

Many HTA reviews have one reviewer screen every title and abstract and a second screen a random
share of them (often 10-20%) to measure agreement (Cochrane Handbook, chapter 4; the seed review
double-screened 20% and accepted single screening at kappa 0.77). The sample must be
reproducible from the protocol alone, so it depends only on the set of record ids, the fraction
and the seed, never on the order in which records were imported.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from typing import Literal

import numpy as np

from evsynth._core.errors import EvsynthError
from evsynth._core.rng import as_generator

Fraction = float | Literal["all"]


def check_fraction(fraction: object) -> Fraction:
    """``fraction`` as ``"all"`` or a float in (0, 1], or an error saying what is allowed."""
    if fraction == "all":
        return "all"
    if isinstance(fraction, bool) or not isinstance(fraction, int | float):
        raise EvsynthError(
            f"double-screening fraction {fraction!r} is not known",
            hint='give "all" or a share between 0 and 1, e.g. 0.2',
        )
    value = float(fraction)
    if not 0.0 < value <= 1.0:
        raise EvsynthError(
            f"double-screening fraction {value!r} must lie in (0, 1]",
            hint='give a share such as 0.2 for 20%, or "all"',
        )
    return value


def sample_size(n_records: int, fraction: Fraction) -> int:
    """How many of ``n_records`` are double-screened: ``ceil(fraction * n)``, at least the share.

    The product is rounded to 9 decimals before the ceiling so that 0.2 * 2,000 gives 400, not
    401 through floating-point error.
    """
    if fraction == "all":
        return n_records
    return min(n_records, math.ceil(round(fraction * n_records, 9)))


def double_screening_sample(
    record_ids: Collection[str],
    fraction: Fraction,
    seed: int | np.random.Generator,
) -> frozenset[str]:
    """Draw the records a second reviewer screens independently.

    Parameters
    ----------
    record_ids : collection of str
        The ids of the records to screen (duplicates removed); their order does not matter.
    fraction : "all" or float
        ``"all"`` returns every record; a share in (0, 1] returns ``ceil(fraction * n)``
        records, so the sample is never smaller than the share the protocol promises.
    seed : int or numpy.random.Generator
        Seed of :func:`numpy.random.default_rng`; the same ids, fraction and seed always give
        the same sample.

    Returns
    -------
    frozenset of str
        The sampled record ids.

    Notes
    -----
    The ids are sorted before sampling and drawn without replacement with
    ``Generator.choice``, so the sample depends only on the set of ids, the fraction and the
    seed.

    Examples
    --------
    >>> ids = [f"r{i:04d}" for i in range(2119)]
    >>> len(double_screening_sample(ids, 0.2, seed=2019))
    424
    >>> double_screening_sample(ids, 0.2, 2019) == double_screening_sample(ids[::-1], 0.2, 2019)
    True
    """
    fraction = check_fraction(fraction)
    ids = [str(r) for r in record_ids]
    unique = sorted(set(ids))
    if len(unique) != len(ids):
        repeated = sorted(r for r, count in Counter(ids).items() if count > 1)
        raise EvsynthError(
            f"record ids must be unique; repeated: {', '.join(repeated[:5])}"
            + (f" and {len(repeated) - 5} more" if len(repeated) > 5 else ""),
            hint="pass the ids of the records left after removing duplicates",
        )
    if fraction == "all":
        return frozenset(unique)
    if isinstance(seed, bool) or not isinstance(seed, int | np.random.Generator):
        raise EvsynthError(
            f"seed={seed!r} must be an integer", hint="set screening.seed in evsynth.toml"
        )
    size = sample_size(len(unique), fraction)
    chosen = as_generator(seed).choice(len(unique), size=size, replace=False)
    return frozenset(unique[int(i)] for i in chosen)
