"""NmaResult and friends: frames, league tables, P-scores, summaries, edge cases, invariances."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from evsynth._core.errors import EvsynthError
from evsynth._core.summary import Summary
from evsynth.synthesis.nma import NmaResult, network_meta_analysis
from tests.conftest import DATA


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / "netmeta" / f"nma_input_{name}_pairwise.csv")


@pytest.fixture(scope="module")
def smoking() -> NmaResult:
    return network_meta_analysis(
        _data("smoking"), measure="OR", reference="no_contact", higher_is_better=True
    )


def test_result_is_frozen_and_records_provenance(smoking: NmaResult) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        smoking.tau2 = 0.0  # type: ignore[misc]
    assert smoking.manifest is not None
    assert smoking.manifest.function == "evsynth.network_meta_analysis"
    assert smoking.manifest.options["method"] == "DL"
    assert smoking.manifest.options["reference"] == "no_contact"
    assert smoking.manifest.input_hash is not None and len(smoking.manifest.input_hash) == 64
    assert "numpy" in smoking.manifest.versions


def test_to_frame_both_models_and_exponentiate(smoking: NmaResult) -> None:
    frame = smoking.to_frame()
    assert list(frame.columns) == [
        "model", "treatment", "reference", "estimate", "se", "ci_low", "ci_high", "pvalue",
        "pi_low", "pi_high", "pscore",
    ]  # fmt: skip
    assert frame["model"].tolist() == ["common"] * 3 + ["random"] * 3
    assert set(frame["treatment"]) == {"grp_counseling", "ind_counseling", "self_help"}
    assert frame.loc[frame["model"] == "common", "pi_low"].isna().all()
    ratio = smoking.to_frame("random", exponentiate=True)
    np.testing.assert_allclose(ratio["estimate"], np.exp(frame.loc[3:, "estimate"]), rtol=1e-14)
    versus = smoking.to_frame("random", reference="self_help")
    assert (versus["reference"] == "self_help").all()


def test_league_long_and_wide(smoking: NmaResult) -> None:
    long = smoking.league()
    assert len(long) == 4 * 3
    pairs = long.set_index(["treatment", "comparator"])
    ab = pairs.loc[("grp_counseling", "no_contact")]
    ba = pairs.loc[("no_contact", "grp_counseling")]
    assert ab["estimate"] == pytest.approx(-ba["estimate"], rel=1e-14)
    assert ab["se"] == pytest.approx(ba["se"], rel=1e-14)
    wide = smoking.league(wide=True, exponentiate=True, digits=3)
    assert wide.loc["no_contact", "no_contact"] == "no_contact"
    odds = np.exp(ab["estimate"])
    assert wide.loc["grp_counseling", "no_contact"].startswith(f"{odds:.3f} (")


def test_conf_int_level(smoking: NmaResult) -> None:
    wide = smoking.conf_int(0.99)
    narrow = smoking.conf_int(0.90)
    assert ((wide["ci_high"] - wide["ci_low"]) > (narrow["ci_high"] - narrow["ci_low"])).all()
    assert list(wide.index) == ["grp_counseling", "ind_counseling", "self_help"]


def test_pscores_need_a_direction() -> None:
    res = network_meta_analysis(_data("smoking"))
    with pytest.raises(EvsynthError, match="need a direction"):
        res.pscores()
    assert "pscore" not in res.to_frame().columns
    up = res.pscores(higher_is_better=True)
    down = res.pscores(higher_is_better=False)
    np.testing.assert_allclose(up + down, 1.0, rtol=1e-14)
    # Smoking cessation is a good outcome: group counselling ranks first when higher is better.
    assert up.idxmax() == "grp_counseling"


def test_q_decomposition_adds_up(smoking: NmaResult) -> None:
    assert smoking.q_heterogeneity + smoking.q_inconsistency == pytest.approx(smoking.q, rel=1e-12)
    assert smoking.q_heterogeneity_df + smoking.q_inconsistency_df == smoking.q_df
    table = smoking.design.to_frame()
    assert table["part"].tolist()[0] == "total"
    designs = smoking.design.designs_frame()
    assert designs["studies"].sum() == smoking.k
    assert designs["q"].sum() == pytest.approx(smoking.q_heterogeneity, rel=1e-12)


def test_summaries_print(smoking: NmaResult) -> None:
    summary = smoking.summary()
    assert isinstance(summary, Summary)
    text = str(smoking)
    assert "Network meta-analysis (OR, Random effects)" in text
    assert "tau^2" in text and "between designs" in text
    assert "log ORs" in text
    assert "<table" in smoking._repr_html_()
    assert "Common effect" in smoking.summary("common").as_text()
    assert "Direct and indirect evidence" in str(smoking.netsplit)


def test_to_dict_is_json(smoking: NmaResult) -> None:
    out = smoking.to_dict()
    text = json.dumps(out, allow_nan=False)
    assert '"reference": "no_contact"' in text
    assert len(out["estimates"]) == 6


def test_plot_returns_a_figure(smoking: NmaResult) -> None:
    assert isinstance(smoking.plot(), Figure)


def test_contrasts_frame_adjusts_multiarm_studies_only(smoking: NmaResult) -> None:
    frame = smoking.contrasts_frame()
    assert len(frame) == smoking.m
    two_arm = frame["design"].str.count(":") == 1
    np.testing.assert_allclose(frame.loc[two_arm, "seTE_adj_common"], frame.loc[two_arm, "seTE"])
    assert (frame.loc[~two_arm, "seTE_adj_common"] > frame.loc[~two_arm, "seTE"]).all()


def test_netsplit_frame(smoking: NmaResult) -> None:
    frame = smoking.netsplit.to_frame("random")
    assert len(frame) == 6
    assert (frame["treatment2"] != "no_contact").sum() == 3
    assert frame["comparison"].iloc[1] == "grp_counseling:no_contact"
    both = smoking.netsplit.to_frame()
    assert set(both["model"]) == {"common", "random"}


def test_reference_changes_nothing_but_the_presentation() -> None:
    a = network_meta_analysis(_data("senn2013"), reference="placebo", method="REML")
    b = network_meta_analysis(_data("senn2013"), reference="acarbose", method="REML")
    assert a.tau2 == pytest.approx(b.tau2, rel=1e-9)
    np.testing.assert_allclose(a.random.estimate, b.random.estimate, atol=1e-9)
    assert a.q_inconsistency == pytest.approx(b.q_inconsistency, rel=1e-10)


def test_two_treatments_only() -> None:
    data = pd.DataFrame(
        {
            "studlab": ["a", "b", "c"],
            "treat1": ["X", "X", "Y"],
            "treat2": ["Y", "Y", "X"],
            "TE": [0.2, 0.5, -0.1],
            "seTE": [0.1, 0.2, 0.15],
        }
    )
    res = network_meta_analysis(data)
    w = 1 / np.array([0.1, 0.2, 0.15]) ** 2
    pooled = np.sum(w * np.array([0.2, 0.5, 0.1])) / np.sum(w)
    assert res.common.estimate[0, 1] == pytest.approx(pooled, rel=1e-12)
    split = res.netsplit.to_frame("common")
    assert split["prop_direct"].tolist() == [1.0]
    assert np.isnan(split["indirect"].iloc[0])
    assert np.isnan(split["pvalue"].iloc[0])
    assert res.q_inconsistency == pytest.approx(0.0, abs=1e-12)


def test_a_tree_has_no_heterogeneity_information() -> None:
    data = pd.DataFrame(
        {
            "studlab": ["a", "b"],
            "treat1": ["X", "X"],
            "treat2": ["Y", "Z"],
            "TE": [0.2, 0.5],
            "seTE": [0.1, 0.2],
        }
    )
    res = network_meta_analysis(data)
    assert res.q_df == 0 and res.tau2 == 0.0
    assert np.isnan(res.i2) and np.isnan(res.q_pvalue)
    assert res.random.pi_df is None and np.isnan(res.random.pi_low).all()
    assert any("no degrees of freedom" in note for note in res.notes)
    # Indirect evidence only for Y vs Z: the "indirect" estimate is the network estimate.
    split = res.netsplit.to_frame("common").set_index("comparison")
    assert split.loc["Y:Z", "k"] == 0
    assert split.loc["Y:Z", "indirect"] == pytest.approx(split.loc["Y:Z", "network"], rel=1e-14)


def test_reml_stops_at_zero_for_homogeneous_data() -> None:
    data = pd.DataFrame(
        {
            "studlab": ["a", "b", "c", "d"],
            "treat1": ["X", "X", "Y", "X"],
            "treat2": ["Y", "Z", "Z", "Y"],
            "TE": [0.2, 0.5, 0.3, 0.2],
            "seTE": [0.3, 0.3, 0.3, 0.3],
        }
    )
    res = network_meta_analysis(data, method="REML")
    assert res.tau2 == 0.0 and res.tau2_converged
    np.testing.assert_allclose(res.random.estimate, res.common.estimate, atol=1e-14)


def test_fixed_tau2_and_invalid_options() -> None:
    res = network_meta_analysis(_data("smoking"), tau2=0.5)
    assert res.tau2 == 0.5 and res.method == "fixed"
    with pytest.raises(EvsynthError, match="tau2"):
        network_meta_analysis(_data("smoking"), tau2=-1.0)
    with pytest.raises(EvsynthError, match="choose one of DL, REML"):
        network_meta_analysis(_data("smoking"), method="PM")
    with pytest.raises(EvsynthError, match="level"):
        network_meta_analysis(_data("smoking"), level=95)
    with pytest.raises(EvsynthError, match="reference='nope' is not known"):
        network_meta_analysis(_data("smoking"), reference="nope")
    with pytest.raises(EvsynthError, match="model='both' is not known"):
        network_meta_analysis(_data("smoking")).to_frame("both")


@pytest.mark.parametrize("method", ["DL", "REML"])
def test_lopez2019_heterogeneous_network_runs(method: str) -> None:
    # Input only in the reference (no netmeta values): a large, very heterogeneous network with
    # three-arm studies. Checks the identities that hold whatever the data.
    res = network_meta_analysis(_data("lopez2019"), method=method, higher_is_better=False)
    assert (res.k, res.m, res.n) == (73, 81, 7)
    assert res.tau2 > 0 and res.tau2_converged
    assert res.q_heterogeneity + res.q_inconsistency == pytest.approx(res.q, rel=1e-10)
    assert res.pscores().sum() == pytest.approx(res.n / 2, rel=1e-12)
    est = res.random.estimate
    np.testing.assert_allclose(est, -est.T, atol=1e-12)
    np.testing.assert_allclose(est[0, 1] + est[1, 2], est[0, 2], atol=1e-12)
