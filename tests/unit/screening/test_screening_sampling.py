"""The double-screening sample: reproducible, order-free, at least the promised share."""

from __future__ import annotations

import numpy as np
import pytest

from evsynth._core.errors import EvsynthError
from evsynth.screening import double_screening_sample
from evsynth.screening.sampling import sample_size

IDS = [f"r{i:04d}" for i in range(2119)]


def test_sample_is_reproducible_and_independent_of_order() -> None:
    first = double_screening_sample(IDS, 0.2, 2019)
    assert first == double_screening_sample(IDS, 0.2, 2019)
    assert first == double_screening_sample(list(reversed(IDS)), 0.2, 2019)
    assert first == double_screening_sample(set(IDS), 0.2, np.random.default_rng(2019))
    assert first != double_screening_sample(IDS, 0.2, 2020)
    assert first <= set(IDS)


def test_sample_is_numpy_default_rng_choice_over_sorted_ids() -> None:
    # The documented algorithm, so other tools can reproduce the sample.
    chosen = np.random.default_rng(7).choice(2119, size=424, replace=False)
    expected = {sorted(IDS)[int(i)] for i in chosen}
    assert double_screening_sample(IDS, 0.2, 7) == expected


@pytest.mark.parametrize(
    ("n", "fraction", "size"),
    [(2119, 0.2, 424), (2000, 0.2, 400), (10, 0.25, 3), (5, 1.0, 5), (0, 0.2, 0)],
)
def test_size_is_the_ceiling_of_the_share(n: int, fraction: float, size: int) -> None:
    assert sample_size(n, fraction) == size
    assert len(double_screening_sample(IDS[:n], fraction, 1)) == size


def test_all_returns_every_record() -> None:
    assert double_screening_sample(IDS, "all", 1) == set(IDS)


@pytest.mark.parametrize("fraction", [0, -0.1, 1.5, "half", True, None])
def test_bad_fractions_are_refused(fraction: object) -> None:
    with pytest.raises(EvsynthError, match="fraction"):
        double_screening_sample(IDS, fraction, 1)  # type: ignore[arg-type]


def test_repeated_ids_and_bad_seeds_are_refused() -> None:
    with pytest.raises(EvsynthError, match="repeated: r0001"):
        double_screening_sample(["r0001", "r0001", "r0002"], 0.5, 1)
    with pytest.raises(EvsynthError, match="seed"):
        double_screening_sample(IDS, 0.2, "2019")  # type: ignore[arg-type]
    with pytest.raises(EvsynthError, match="seed"):
        double_screening_sample(IDS, 0.2, None)  # type: ignore[arg-type]
