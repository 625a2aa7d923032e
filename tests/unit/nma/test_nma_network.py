"""The network policy: orientation, multi-arm checks, duplicates, disconnected networks, missing data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth.synthesis.nma import network_meta_analysis, subnetworks
from tests.conftest import DATA


@pytest.fixture
def senn() -> pd.DataFrame:
    return pd.read_csv(DATA / "netmeta" / "nma_input_senn2013_pairwise.csv")


def _willms(frame: pd.DataFrame) -> pd.Index:
    return frame.index[frame["studlab"] == "Willms (1999)"]


def test_reversed_contrasts_give_the_same_fit(senn: pd.DataFrame) -> None:
    flipped = senn.rename(columns={"treat1": "treat2", "treat2": "treat1"}).assign(TE=-senn["TE"])
    a = network_meta_analysis(senn, reference="placebo")
    b = network_meta_analysis(flipped, reference="placebo")
    np.testing.assert_allclose(a.random.estimate, b.random.estimate, atol=1e-12)
    assert a.q == pytest.approx(b.q, rel=1e-12)


def test_row_order_and_treatment_order_do_not_matter(senn: pd.DataFrame) -> None:
    a = network_meta_analysis(senn, reference="placebo")
    order = sorted(a.treatments, reverse=True)
    b = network_meta_analysis(senn.iloc[::-1], reference="placebo", treatments=order)
    assert b.treatments == tuple(order)
    fa = a.to_frame().set_index(["model", "treatment"]).sort_index()
    fb = b.to_frame().set_index(["model", "treatment"]).sort_index()
    np.testing.assert_allclose(fa["estimate"], fb["estimate"], atol=1e-12)
    np.testing.assert_allclose(fa["se"], fb["se"], atol=1e-12)
    assert a.design.q_between_random == pytest.approx(b.design.q_between_random, rel=1e-10)


def test_treatments_order_must_list_every_treatment(senn: pd.DataFrame) -> None:
    with pytest.raises(EvsynthError, match="does not list"):
        network_meta_analysis(senn, treatments=["placebo"])


def test_same_treatment_twice_is_refused(senn: pd.DataFrame) -> None:
    senn.loc[0, "treat2"] = senn.loc[0, "treat1"]
    with pytest.raises(DataError, match="compares 'metformin' with itself") as err:
        network_meta_analysis(senn)
    assert err.value.location is not None and err.value.location.row == 1
    assert "arm-level" in str(err.value)


def test_duplicate_comparison_is_refused(senn: pd.DataFrame) -> None:
    doubled = pd.concat([senn, senn.iloc[[0]]], ignore_index=True)
    with pytest.raises(DataError, match="more than once") as err:
        network_meta_analysis(doubled)
    assert err.value.location is not None and err.value.location.row == len(doubled)


def test_incomplete_multiarm_study_is_refused(senn: pd.DataFrame) -> None:
    with pytest.raises(DataError, match=r"has 3 arms but lacks the comparison\(s\) acarbose vs"):
        network_meta_analysis(senn.drop(_willms(senn)[0]))


def test_inconsistent_multiarm_effects_are_refused(senn: pd.DataFrame) -> None:
    senn.loc[_willms(senn)[0], "TE"] += 0.5
    with pytest.raises(DataError, match="inconsistent effects"):
        network_meta_analysis(senn)
    # A looser tolerance accepts the study (netmeta's tol.multiarm).
    network_meta_analysis(senn, tol_multiarm=1.0)


def test_multiarm_variances_violating_the_triangle_condition_are_refused(
    senn: pd.DataFrame,
) -> None:
    senn.loc[_willms(senn)[0], "seTE"] = 5.0
    with pytest.raises(DataError, match="triangle condition") as err:
        network_meta_analysis(senn)
    assert "Willms (1999)" in str(err.value)


def _four_arm(se_shift: float = 0.0) -> pd.DataFrame:
    arm_mean = {"A": 0.0, "B": 0.3, "C": 0.5, "D": 0.1}
    arm_var = {"A": 0.04, "B": 0.05, "C": 0.06, "D": 0.03}
    rows = []
    trts = list(arm_mean)
    for i, a in enumerate(trts):
        for b in trts[i + 1 :]:
            rows.append(("S4", a, b, arm_mean[a] - arm_mean[b], np.sqrt(arm_var[a] + arm_var[b])))
    rows += [("S5", "A", "B", -0.2, 0.3), ("S6", "C", "D", 0.5, 0.25), ("S7", "A", "C", -0.4, 0.2)]
    frame = pd.DataFrame(rows, columns=["studlab", "treat1", "treat2", "TE", "seTE"])
    frame.loc[0, "seTE"] += se_shift
    return frame


def test_four_arm_variance_residual_note_and_tolerance() -> None:
    exact = network_meta_analysis(_four_arm())
    assert not any("not exactly those" in note for note in exact.notes)
    shifted = network_meta_analysis(_four_arm(0.02))
    assert any("not exactly those of independent arms" in note for note in shifted.notes)
    with pytest.raises(DataError, match="no arm variances reproduce them"):
        network_meta_analysis(_four_arm(0.02), tol_multiarm_se=0.001)


def test_four_arm_study_reml_matches_rucker_with_consistent_variances() -> None:
    # With consistent variances the choice of base arm does not matter, and the REML fit's
    # random-effects estimates equal the graph fit at the same tau^2.
    res = network_meta_analysis(_four_arm(), method="REML")
    again = network_meta_analysis(_four_arm(), tau2=res.tau2)
    np.testing.assert_allclose(res.random.estimate, again.random.estimate, atol=1e-12)


def test_disconnected_network_names_the_subnetworks(senn: pd.DataFrame) -> None:
    extra = pd.DataFrame(
        {
            "studlab": ["X", "Y"],
            "treat1": ["A", "A"],
            "treat2": ["B", "C"],
            "TE": [0.1, 0.2],
            "seTE": [0.1, 0.2],
        }
    )
    data = pd.concat([senn, extra], ignore_index=True)
    with pytest.raises(DataError, match="not connected: it has 2 sub-networks") as err:
        network_meta_analysis(data)
    message = str(err.value)
    assert "sub-network 2: treatments A, B, C (studies X, Y)" in message
    assert "subnetwork=" in message
    parts = subnetworks(data)
    assert [p.number for p in parts] == [1, 2]
    assert parts[1].treatments == ("A", "B", "C")
    by_name = network_meta_analysis(data, subnetwork="B")
    by_number = network_meta_analysis(data, subnetwork=2)
    assert by_name.treatments == by_number.treatments == ("A", "B", "C")
    assert any("Analysed sub-network 2" in note for note in by_name.notes)
    assert network_meta_analysis(data, subnetwork=1).n == 10
    with pytest.raises(EvsynthError, match="does not exist"):
        network_meta_analysis(data, subnetwork=3)
    with pytest.raises(EvsynthError, match="not known"):
        network_meta_analysis(data, subnetwork="Z")


def test_missing_values_raise_unless_dropped() -> None:
    data = pd.read_csv(DATA / "netmeta" / "nma_input_dogliotti2014_pairwise.csv")
    with pytest.raises(DataError, match="drop_missing=True") as err:
        network_meta_analysis(data)
    assert err.value.location is not None and err.value.location.row == len(data)
    res = network_meta_analysis(data, drop_missing=True)
    assert res.k == 19
    assert any("WASPO, 2007" in note for note in res.notes)


def test_missing_columns_are_named(senn: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="missing: seTE"):
        network_meta_analysis(senn.drop(columns="seTE"))
    renamed = senn.rename(columns={"TE": "effect", "seTE": "se"})
    res = network_meta_analysis(renamed, columns={"TE": "effect", "seTE": "se"})
    assert res.n == 10
    with pytest.raises(EvsynthError, match="unknown column role"):
        network_meta_analysis(senn, columns={"effect": "TE"})


def test_detaching_a_bridge_design_is_unavailable() -> None:
    # Two triangles of treatments joined by the design C:D only (two studies): detaching it
    # splits the network, so its Q_inc_detach is NaN (netmeta leaves the design out), while
    # detaching any triangle edge keeps the network connected.
    rows = [
        ("s1", "A", "B", 0.1, 0.2),
        ("s2", "B", "C", 0.3, 0.2),
        ("s3", "A", "C", 0.2, 0.25),
        ("s4", "C", "D", 0.5, 0.3),
        ("s5", "C", "D", 0.2, 0.3),
        ("s6", "D", "E", -0.1, 0.2),
        ("s7", "E", "F", 0.4, 0.2),
        ("s8", "D", "F", 0.6, 0.3),
    ]
    data = pd.DataFrame(rows, columns=["studlab", "treat1", "treat2", "TE", "seTE"])
    design = network_meta_analysis(data).design
    frame = design.designs_frame().set_index("design")
    assert np.isnan(frame.loc["C:D", "detach_q"]) and np.isnan(frame.loc["C:D", "detach_df"])
    others = frame.drop(index="C:D")
    assert np.isfinite(others["detach_q"]).all()
    assert (others["detach_df"] == design.df_between - 1).all()


def test_reml_without_residual_degrees_of_freedom_gives_zero_tau2() -> None:
    # A tree of single-study comparisons has no information on tau^2: REML must not divide by
    # zero, and tau^2 stays at zero as the DL estimate does when Q has no degrees of freedom.
    import pandas as pd

    from evsynth.synthesis.nma import network_meta_analysis

    tree = pd.DataFrame(
        {
            "studlab": ["s1", "s2"],
            "treat1": ["A", "B"],
            "treat2": ["B", "C"],
            "TE": [0.1, 0.2],
            "seTE": [0.1, 0.2],
        }
    )
    assert network_meta_analysis(tree, method="REML", reference="A").tau2 == 0.0
    assert network_meta_analysis(tree, method="DL", reference="A").tau2 == 0.0
