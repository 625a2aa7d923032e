"""Reading the three layouts, their equivalence, and the errors a user can cause."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth.synthesis.nma.bayes import BayesNmaResult, bayes_nma_normal, read_network

# Arm-level means and standard errors with a three-arm study (s3) and a four-arm study (s5).
ARMS = pd.DataFrame(
    {
        "study": ["s1", "s1", "s2", "s2", "s3", "s3", "s3", "s4", "s4", *["s5"] * 4, "s6", "s6"],
        "treatment": ["A", "B", "A", "C", "A", "B", "D", "C", "D", "A", "B", "C", "D", "B", "C"],
        "mean": [
            0.1,
            -0.4,
            0.0,
            -0.9,
            0.2,
            -0.2,
            -0.5,
            -0.7,
            -0.6,
            0.3,
            0.0,
            -0.4,
            -0.2,
            -0.3,
            -0.8,
        ],
        "se": [0.2, 0.22, 0.15, 0.18, 0.3, 0.28, 0.25, 0.2, 0.21, 0.12, 0.14, 0.13, 0.15, 0.2, 0.2],
    }
)


def _contrast_layout(arms: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for study, g in arms.groupby("study", sort=False):
        base = g.iloc[0]
        rows.append({"study": study, "treatment": base.treatment, "diff": np.nan, "se": base.se})
        for _, arm in g.iloc[1:].iterrows():
            rows.append(
                {
                    "study": study,
                    "treatment": arm.treatment,
                    "diff": arm["mean"] - base["mean"],
                    "se": np.hypot(arm.se, base.se),
                }
            )
    return pd.DataFrame(rows)


def _pairwise_layout(arms: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for study, g in arms.groupby("study", sort=False):
        for (_, a), (_, b) in itertools.combinations(g.iterrows(), 2):
            rows.append(
                {
                    "studlab": study,
                    "treat1": b.treatment,
                    "treat2": a.treatment,
                    "TE": b["mean"] - a["mean"],
                    "seTE": np.hypot(a.se, b.se),
                }
            )
    return pd.DataFrame(rows)


def _fit(data: pd.DataFrame, **kwargs: object) -> BayesNmaResult:
    return bayes_nma_normal(data, reference="A", higher_is_better=True, rng=1, **kwargs)


@pytest.fixture(scope="module")
def arm_fit() -> BayesNmaResult:
    return _fit(ARMS, effect="mean")


def _same(a: BayesNmaResult, b: BayesNmaResult) -> None:
    for name in ("mean", "sd", "median", "q025", "q975"):
        np.testing.assert_allclose(getattr(a.pairwise, name), getattr(b.pairwise, name), atol=1e-9)
    assert a.sd is not None and b.sd is not None
    assert a.sd.median == pytest.approx(b.sd.median, abs=1e-9)
    assert a.resdev == pytest.approx(b.resdev, abs=1e-9)
    assert a.pd == pytest.approx(b.pd, abs=1e-9)
    np.testing.assert_allclose(a.sucra, b.sucra, atol=1e-9)


def test_layouts_are_detected(arm_fit: BayesNmaResult) -> None:
    assert arm_fit.network.layout == "arm"
    assert _fit(_contrast_layout(ARMS)).network.layout == "contrast"
    assert _fit(_pairwise_layout(ARMS)).network.layout == "pairwise"


def test_contrast_layout_equals_arm_layout(arm_fit: BayesNmaResult) -> None:
    _same(arm_fit, _fit(_contrast_layout(ARMS)))


def test_pairwise_layout_equals_arm_layout(arm_fit: BayesNmaResult) -> None:
    _same(arm_fit, _fit(_pairwise_layout(ARMS)))


def test_the_baseline_arm_does_not_matter(arm_fit: BayesNmaResult) -> None:
    # TSD2's model is invariant to which arm is a study's baseline (the random-effects
    # covariance tau^2/2 is what makes it so); reverse the arms within every study.
    reversed_arms = ARMS.iloc[::-1].reset_index(drop=True)
    reversed_arms = reversed_arms.sort_values("study", kind="stable").reset_index(drop=True)
    _same(arm_fit, _fit(reversed_arms, effect="mean"))


def test_multi_arm_covariance(arm_fit: BayesNmaResult) -> None:
    s5 = next(s for s in arm_fit.network.studies if s.label == "s5")
    assert s5.treatments == ("A", "B", "C", "D")
    np.testing.assert_allclose(np.diag(s5.covariance), np.array([0.14, 0.13, 0.15]) ** 2 + 0.0144)
    assert s5.covariance[0, 1] == pytest.approx(0.12**2)


def test_numeric_treatment_codes_sort_naturally() -> None:
    data = ARMS.assign(treatment=ARMS.treatment.map({"A": 1, "B": 2, "C": 10, "D": 3}))
    net = read_network(
        data, study="study", treatment="treatment", effect="mean", se="se", reference="2"
    )
    assert net.treatments == ("2", "1", "3", "10")


def test_lower_is_better_mirrors_sucra(arm_fit: BayesNmaResult) -> None:
    flipped = bayes_nma_normal(ARMS, effect="mean", reference="A", higher_is_better=False, rng=1)
    np.testing.assert_allclose(flipped.sucra, 1 - arm_fit.sucra, atol=1e-12)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.drop(columns="se"), "missing: se"),
        (lambda d: d.assign(se=d.se.where(d.index != 3, -0.1)), "not a positive number"),
        (
            lambda d: d.assign(mean=d["mean"].astype(object).where(d.index != 2, "x")),
            "not a number",
        ),
        (lambda d: d.assign(treatment=d.treatment.where(d.index != 1, "A")), "same treatment"),
        (lambda d: d.iloc[1:], "single arm"),
        (lambda d: d.assign(study=d.study.where(d.index != 4)), "label is missing"),
        (lambda d: d.assign(mean=d["mean"].where(d.index != 0)), "cannot tell the layout"),
    ],
)
def test_bad_arm_data_raise_data_errors(change: object, message: str) -> None:
    data = change(ARMS)
    with pytest.raises(DataError, match=message):
        _fit(data, effect="mean")


def test_disconnected_network() -> None:
    data = pd.concat(
        [
            ARMS,
            pd.DataFrame(
                {"study": ["x", "x"], "treatment": ["E", "F"], "mean": [0, 1], "se": [1, 1]}
            ),
        ],
        ignore_index=True,
    )
    with pytest.raises(EvsynthError, match="disconnected"):
        _fit(data, effect="mean")


def test_unknown_reference_and_options() -> None:
    with pytest.raises(EvsynthError, match="Choose one of A, B, C, D"):
        bayes_nma_normal(ARMS, effect="mean", reference="Z", higher_is_better=True)
    with pytest.raises(EvsynthError, match="model="):
        bayes_nma_normal(ARMS, effect="mean", reference="A", model="common", higher_is_better=True)
    with pytest.raises(EvsynthError, match="only to model='random'"):
        from evsynth.synthesis.nma.bayes import UniformTau

        bayes_nma_normal(
            ARMS,
            effect="mean",
            reference="A",
            model="fixed",
            prior_tau=UniformTau(2),
            higher_is_better=True,
        )
    with pytest.raises(EvsynthError, match="rng"):
        bayes_nma_normal(ARMS, effect="mean", reference="A", higher_is_better=True, rng="x")
    with pytest.raises(EvsynthError, match="layout"):
        bayes_nma_normal(ARMS, effect="mean", reference="A", higher_is_better=True, layout="long")


def test_incomplete_multi_arm_pairwise() -> None:
    pw = _pairwise_layout(ARMS)
    drop = pw.index[(pw.studlab == "s3")][-1]
    with pytest.raises(DataError, match="gives 2 of its 3 comparisons"):
        _fit(pw.drop(index=drop))


def test_inconsistent_multi_arm_pairwise() -> None:
    pw = _pairwise_layout(ARMS)
    row = pw.index[(pw.studlab == "s3")][-1]
    pw.loc[row, "TE"] += 0.3
    with pytest.raises(DataError, match="not consistent"):
        _fit(pw)


def test_contrast_layout_covariance_must_be_positive_definite() -> None:
    data = _contrast_layout(ARMS)
    # A baseline variance larger than a contrast's variance in a three-arm study.
    data.loc[(data.study == "s3") & data["diff"].isna(), "se"] = 5.0
    with pytest.raises(DataError, match="not positive definite"):
        _fit(data)
