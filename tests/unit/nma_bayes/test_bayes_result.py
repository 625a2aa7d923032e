"""The result object: frames, summary, draws, ranks, provenance, plots."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import EvsynthError
from evsynth.synthesis.nma.bayes import BayesNmaResult, bayes_nma_normal


def test_to_frame_has_a_row_per_treatment(parkinsons_re: BayesNmaResult) -> None:
    frame = parkinsons_re.to_frame()
    assert list(frame.columns) == [
        "treatment",
        "mean",
        "sd",
        "median",
        "q025",
        "q975",
        "sucra",
        "p_better_than_reference",
    ]
    assert frame["treatment"].tolist() == ["1", "2", "3", "4", "5"]
    assert frame.loc[0, ["mean", "sd"]].tolist() == [0.0, 0.0]
    assert np.isnan(frame.loc[0, "p_better_than_reference"])
    # Lower is better here, so P(better) is P(d < 0).
    assert frame.loc[1, "p_better_than_reference"] > 0.99


def test_other_levels_rename_the_quantile_columns(parkinsons_re: BayesNmaResult) -> None:
    frame = parkinsons_re.to_frame(level=0.9)
    assert {"q050", "q950"} <= set(frame.columns)
    wide = parkinsons_re.to_frame()
    assert (frame["q050"] >= wide["q025"]).all() and (frame["q950"] <= wide["q975"]).all()
    with pytest.raises(EvsynthError):
        parkinsons_re.to_frame(level=1.5)


def test_relative_effects_are_all_pairs_and_consistent(parkinsons_re: BayesNmaResult) -> None:
    rel = parkinsons_re.relative_effects()
    assert len(rel) == 10
    row = rel[(rel.treatment == "4") & (rel.comparator == "2")].iloc[0]
    eff = parkinsons_re.pairwise
    assert row["mean"] == pytest.approx(eff.mean[3, 0] - eff.mean[1, 0])
    assert eff.q025[1, 3] == pytest.approx(-eff.q975[3, 1])
    np.testing.assert_allclose(eff.mean, -eff.mean.T)
    assert (rel["q025"] < rel["median"]).all() and (rel["median"] < rel["q975"]).all()


def test_conf_int(parkinsons_re: BayesNmaResult) -> None:
    ci = parkinsons_re.conf_int()
    assert list(ci.index) == ["2", "3", "4", "5"]
    assert ci.loc["2", "ci_low"] == pytest.approx(parkinsons_re.pairwise.q025[1, 0])
    low, high = parkinsons_re.sd_interval(0.5)
    assert parkinsons_re.sd is not None
    assert parkinsons_re.sd.q025 < low < parkinsons_re.sd.median < high < parkinsons_re.sd.q975


def test_summary_prints_priors_and_dic(parkinsons_re: BayesNmaResult) -> None:
    text = parkinsons_re.summary().as_text()
    assert "tau ~ Uniform(0, 5)" in text
    assert "d ~ Normal(0, 100^2)" in text
    assert "DIC" in text and "TSD2 plug-in" in text
    assert "sd (tau)" in text
    assert "<table" in parkinsons_re._repr_html_()
    assert str(parkinsons_re) == text


def test_fixed_effect_has_no_tau(parkinsons_fe: BayesNmaResult) -> None:
    assert parkinsons_fe.sd is None
    assert "fixed effect" in parkinsons_fe.summary().as_text()
    with pytest.raises(EvsynthError):
        parkinsons_fe.sd_interval()
    with pytest.raises(EvsynthError):
        parkinsons_fe.tau_density()
    draws = parkinsons_fe.draws(5000, rng=1)
    assert "sd" not in draws.columns
    np.testing.assert_allclose(
        draws.mean().to_numpy(), parkinsons_fe.pairwise.mean[1:, 0], atol=0.03
    )


def test_draws_are_reproducible_and_match_the_exact_posterior(
    parkinsons_re: BayesNmaResult,
) -> None:
    a = parkinsons_re.draws(60_000)
    b = parkinsons_re.draws(60_000)
    pd.testing.assert_frame_equal(a, b)  # the result's seed is used when rng is None
    assert list(a.columns) == ["d[2]", "d[3]", "d[4]", "d[5]", "sd"]
    eff = parkinsons_re.pairwise
    se = eff.sd[1:, 0] / np.sqrt(60_000)
    assert np.all(np.abs(a.iloc[:, :4].mean().to_numpy() - eff.mean[1:, 0]) <= 4 * se)
    np.testing.assert_allclose(
        a.iloc[:, :4].quantile([0.025, 0.975]).to_numpy(),
        np.vstack([eff.q025[1:, 0], eff.q975[1:, 0]]),
        atol=0.03,
    )
    assert parkinsons_re.sd is not None
    assert a["sd"].median() == pytest.approx(parkinsons_re.sd.median, abs=0.01)
    assert a["sd"].between(0, 5).all()
    c = parkinsons_re.draws(100, rng=np.random.default_rng(3))
    assert len(c) == 100


def test_ranks(parkinsons_re: BayesNmaResult) -> None:
    ranks = parkinsons_re.ranks(n_draws=20_000)
    assert ranks.seed == parkinsons_re.seed
    frame = ranks.to_frame()
    assert list(frame.columns[:3]) == ["treatment", "rank_1", "rank_2"]
    assert "Monte Carlo SE" in ranks.summary().as_text()
    assert parkinsons_re.ranks(n_draws=20_000).probabilities.tolist() == (
        ranks.probabilities.tolist()
    )
    with pytest.raises(EvsynthError):
        parkinsons_re.ranks(n_draws=0)


def test_studies_frame_adds_up(parkinsons_re: BayesNmaResult) -> None:
    frame = parkinsons_re.studies_frame()
    assert frame["resdev"].sum() == pytest.approx(parkinsons_re.resdev)
    assert frame["leverage"].sum() == pytest.approx(parkinsons_re.pd)
    assert frame["n_contrasts"].sum() == parkinsons_re.n_datapoints == 8


def test_to_dict_is_json(parkinsons_re: BayesNmaResult) -> None:
    out = json.loads(json.dumps(parkinsons_re.to_dict()))
    assert out["prior_tau"] == {"family": "uniform", "parameter": "tau", "lower": 0.0, "upper": 5.0}
    assert out["effects"][0]["p_better_than_reference"] is None


def test_manifest_records_the_seed_and_prior(parkinsons_re: BayesNmaResult) -> None:
    manifest = parkinsons_re.manifest
    assert manifest is not None
    assert manifest.seed == 7 == parkinsons_re.seed
    assert manifest.options["prior_tau"]["family"] == "uniform"
    assert manifest.options["higher_is_better"] is False
    assert manifest.input_hash is not None and len(manifest.input_hash) == 64


def test_seed_from_a_generator_is_recorded(parkinsons: pd.DataFrame) -> None:
    fit = bayes_nma_normal(
        parkinsons,
        study="studyn",
        treatment="trtn",
        effect="diff",
        se="se_diff",
        reference="1",
        higher_is_better=False,
        rng=np.random.default_rng(1),
    )
    assert isinstance(fit.seed, int)
    assert fit.manifest is not None and fit.manifest.seed == fit.seed


def test_plots_return_figures(parkinsons_re: BayesNmaResult) -> None:
    from matplotlib.figure import Figure

    assert isinstance(parkinsons_re.plot(), Figure)
    assert isinstance(parkinsons_re.ranks(n_draws=2000).plot(cumulative=True), Figure)


@pytest.mark.skipif(importlib.util.find_spec("arviz") is not None, reason="arviz is installed")
def test_inference_data_needs_arviz(parkinsons_re: BayesNmaResult) -> None:
    with pytest.raises(EvsynthError, match="arviz"):
        parkinsons_re.to_inference_data()


@pytest.mark.skipif(importlib.util.find_spec("arviz") is None, reason="arviz is not installed")
def test_inference_data(parkinsons_re: BayesNmaResult) -> None:
    idata = parkinsons_re.to_inference_data(n=400, chains=4)
    assert idata.posterior["d"].shape == (4, 100, 4)


def test_league_table_both_directions(parkinsons_re: BayesNmaResult) -> None:
    # The league's "k versus j" is minus "j versus k", and its intervals are the contrasts'.
    long = parkinsons_re.league()
    n = len(parkinsons_re.treatments)
    assert len(long) == n * (n - 1)
    pairs = parkinsons_re.relative_effects().set_index(["treatment", "comparator"])
    for row in long.itertuples():
        if (row.treatment, row.comparator) in pairs.index:
            expected = pairs.loc[(row.treatment, row.comparator)]
            assert row.mean == pytest.approx(expected["mean"])
            assert row.ci_low == pytest.approx(expected["q025"])
        else:
            expected = pairs.loc[(row.comparator, row.treatment)]
            assert row.mean == pytest.approx(-expected["mean"])
            assert row.ci_high == pytest.approx(-expected["q025"])
    wide = parkinsons_re.league(wide=True)
    assert [wide.iloc[i, i] for i in range(n)] == list(parkinsons_re.treatments)
