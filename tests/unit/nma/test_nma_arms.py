"""Arm-level data to contrasts (netmeta's pairwise()) through evsynth's effect-size kernels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth.synthesis.effects import log_odds_ratio, mean_difference
from evsynth.synthesis.nma import network_meta_analysis, pairwise


def _binary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "study": ["s1", "s1", "s1", "s2", "s2", "s3", "s3"],
            "treatment": ["A", "B", "C", "A", "B", "B", "C"],
            "events": [10, 15, 20, 0, 4, 7, 9],
            "n": [50, 50, 50, 30, 30, 40, 40],
        }
    )


def _continuous() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "study": ["s1", "s1", "s1", "s2", "s2", "s3", "s3"],
            "treatment": ["A", "B", "C", "A", "B", "B", "C"],
            "mean": [1.0, 1.5, 2.0, 0.8, 1.1, 1.4, 2.1],
            "sd": [1.0, 1.2, 0.9, 1.1, 1.0, 0.8, 1.3],
            "n": [40, 42, 39, 25, 26, 30, 31],
        }
    )


def test_binary_contrasts_use_the_kernels_and_all_pairs() -> None:
    out = pairwise(_binary(), "OR")
    assert list(out.columns[:5]) == ["studlab", "treat1", "treat2", "TE", "seTE"]
    assert out["studlab"].tolist() == ["s1", "s1", "s1", "s2", "s3"]
    assert list(zip(out["treat1"], out["treat2"], strict=True))[:3] == [
        ("A", "B"),
        ("A", "C"),
        ("B", "C"),
    ]
    effect, variance = log_odds_ratio(10, 40, 15, 35)
    assert out["TE"].iloc[0] == pytest.approx(float(effect), rel=1e-14)
    assert out["seTE"].iloc[0] == pytest.approx(float(np.sqrt(variance)), rel=1e-14)
    assert out.attrs["measure"] == "OR"


def test_zero_cell_correction_covers_every_arm_of_the_study() -> None:
    out = pairwise(_binary(), "OR")
    # s2 has a zero cell: 1/2 to all four cells; s1 and s3 untouched.
    effect, _ = log_odds_ratio(0.5, 30.5, 4.5, 26.5, add=0.0, to="none")
    assert out.loc[out["studlab"] == "s2", "TE"].iloc[0] == pytest.approx(float(effect), rel=1e-14)
    assert any("'s2'" in note and "zero cell" in note for note in out.attrs["notes"])
    # A zero cell in one arm of a three-arm study corrects all of its arms, keeping it consistent.
    data = _binary()
    data.loc[0, "events"] = 0
    res = network_meta_analysis(data, measure="OR")
    assert res.n == 3
    everything = pairwise(_binary(), "OR", to="all")
    effect, _ = log_odds_ratio(10.5, 40.5, 15.5, 35.5, add=0.0, to="none")
    assert everything["TE"].iloc[0] == pytest.approx(float(effect), rel=1e-14)
    none = pairwise(_binary().drop(index=[3, 4]), "OR", to="none")
    assert not none.attrs["notes"]


def test_double_zero_studies_are_left_out_with_a_note() -> None:
    data = _binary()
    data.loc[4, "events"] = 0
    out = pairwise(data, "OR")
    assert "s2" not in set(out["studlab"])
    assert any("'s2' has no events in any arm" in note for note in out.attrs["notes"])


def test_continuous_contrasts_are_consistent_for_md() -> None:
    out = pairwise(_continuous(), "MD")
    effect, variance = mean_difference(1.0, 1.0, 40, 1.5, 1.2, 42)
    assert out["TE"].iloc[0] == pytest.approx(float(effect), rel=1e-14)
    assert out["seTE"].iloc[0] == pytest.approx(float(np.sqrt(variance)), rel=1e-14)
    res = network_meta_analysis(_continuous(), measure="MD", reference="A")
    assert res.k == 3 and res.m == 5


def test_duplicate_arms_are_pooled_with_a_note() -> None:
    data = pd.concat(
        [
            _continuous(),
            pd.DataFrame(
                {"study": ["s1"], "treatment": ["B"], "mean": [1.7], "sd": [1.1], "n": [20]}
            ),
        ],
        ignore_index=True,
    )
    out = pairwise(data, "MD")
    assert any("'s1' has 2 arms of 'B'" in note for note in out.attrs["notes"])
    row = out[(out["studlab"] == "s1") & (out["treat1"] == "A") & (out["treat2"] == "B")].iloc[0]
    # Cochrane Handbook Table 6.5.a: combined n, mean and SD of the two B arms.
    n1, m1, s1, n2, m2, s2 = 42, 1.5, 1.2, 20, 1.7, 1.1
    n = n1 + n2
    m = (n1 * m1 + n2 * m2) / n
    sd = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2 + n1 * n2 / n * (m1 - m2) ** 2) / (n - 1))
    assert row["n2"] == n
    assert row["mean2"] == pytest.approx(m, rel=1e-14)
    assert row["sd2"] == pytest.approx(sd, rel=1e-14)
    binary = pd.concat(
        [_binary(), pd.DataFrame({"study": ["s3"], "treatment": ["C"], "events": [3], "n": [10]})],
        ignore_index=True,
    )
    out = pairwise(binary, "OR")
    row = out[out["studlab"] == "s3"].iloc[0]
    assert (row["event2"], row["n2"]) == (12, 50)


def test_single_arm_studies_are_left_out_with_a_note() -> None:
    data = pd.concat(
        [_binary(), pd.DataFrame({"study": ["s9"], "treatment": ["A"], "events": [3], "n": [10]})],
        ignore_index=True,
    )
    out = pairwise(data, "OR")
    assert "s9" not in set(out["studlab"])
    assert any("single arm" in note for note in out.attrs["notes"])


def test_lower_is_better_flips_every_effect() -> None:
    plain = pairwise(_binary(), "RR")
    flipped = pairwise(_binary(), "RR", lower_is_better=True)
    np.testing.assert_allclose(flipped["TE"], -plain["TE"], rtol=0, atol=0)
    assert "lower_is_better" in flipped.attrs["notes"][-1]


def test_column_mapping_and_errors() -> None:
    data = _binary().rename(columns={"study": "trial", "events": "r"})
    out = pairwise(data, "OR", columns={"study": "trial", "events": "r"})
    assert len(out) == 5
    with pytest.raises(DataError, match="missing: events"):
        pairwise(_binary().drop(columns="events"), "OR")
    with pytest.raises(EvsynthError, match="not known"):
        pairwise(_binary(), "HR")
    with pytest.raises(EvsynthError, match="unknown column role"):
        pairwise(_binary(), "OR", columns={"arm": "treatment"})
    bad = _binary()
    bad.loc[2, "events"] = 60
    with pytest.raises(DataError, match="exceed the arm size") as err:
        pairwise(bad, "OR")
    assert err.value.location is not None and err.value.location.row == 3
    with pytest.raises(EvsynthError, match="need measure="):
        network_meta_analysis(_binary())
