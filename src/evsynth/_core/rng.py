"""Seeds: every stochastic function takes ``rng`` and turns it into a Generator here."""

from __future__ import annotations

import numpy as np

RNGLike = int | np.random.Generator | None


def as_generator(rng: RNGLike) -> np.random.Generator:
    """Return a NumPy Generator from a seed, a Generator, or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)
