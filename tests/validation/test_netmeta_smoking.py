"""Smoking cessation network (Hasselblad 1998; netmeta's smokingcessation): 4 treatments, OR.

Source: tests/data/netmeta/nma_frequentist.json, keys smoking_netmeta_DL, smoking_netmeta_REML,
smoking_metafor_rma.mv and smoking_metafor_rma.mv_FE (netmeta 3.3-1, metafor 3.8-1 on R 4.2.2),
fitted to tests/data/netmeta/nma_input_smoking_pairwise.csv (24 studies, two of them three-arm;
log odds ratios from netmeta's pairwise() with 1/2 added to the two studies with a zero cell)
and, for rma.mv, to the arm-level tests/data/netmeta/smoking_tsd_arms.csv. Every number of the
reference is checked: effects versus the reference and their CIs, the league table, P-scores,
prediction intervals, tau^2, I^2 with its CI, Q and its decomposition, decomp.design() and
netsplit(), for the common- and random-effects models with tau^2 by DL and by REML. Tolerances
from tests/tolerances.py: NMA (1e-6 relative); REML (1e-5) for tau^2 from REML and what is
computed from it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from evsynth.synthesis.nma import network_meta_analysis, pairwise
from tests.conftest import DATA
from tests.tolerances import NMA, REML
from tests.validation import test_netmeta_grid as grid
from tests.validation.test_netmeta_grid import close

DATASET = "smoking"
METHODS = ["DL", "REML"]
# (method, tau^2 variant): REML is also run with tau^2 fixed at netmeta's value.
RUNS = [(m, v) for m in METHODS for v in grid.VARIANTS if m == "REML" or v == "estimated"]


@pytest.mark.parametrize("method", METHODS)
def test_network_structure(method: str) -> None:
    # trts, k, m, n, d, designs, reference.
    grid.check_structure(DATASET, method)


@pytest.mark.parametrize("model", grid.MODELS)
@pytest.mark.parametrize(("method", "variant"), RUNS)
def test_effects_versus_reference(method: str, variant: str, model: str) -> None:
    # <case>.<model>.TE / seTE / lower / upper / pval.
    grid.check_effects(DATASET, method, model, variant)


@pytest.mark.parametrize("model", grid.MODELS)
@pytest.mark.parametrize(("method", "variant"), RUNS)
def test_league_table(method: str, variant: str, model: str) -> None:
    # <case>.<model>.TE_matrix and seTE_matrix.
    grid.check_league(DATASET, method, model, variant)


@pytest.mark.parametrize("model", grid.MODELS)
@pytest.mark.parametrize(("method", "variant"), RUNS)
def test_pscores(method: str, variant: str, model: str) -> None:
    # <case>.<model>.Pscore (small.values = "desirable").
    grid.check_pscores(DATASET, method, model, variant)


@pytest.mark.parametrize(("method", "variant"), RUNS)
def test_prediction_intervals(method: str, variant: str) -> None:
    # <case>.random.lower_predict / upper_predict.
    grid.check_prediction(DATASET, method, variant)


@pytest.mark.parametrize("method", METHODS)
def test_heterogeneity_and_q_split(method: str) -> None:
    # <case>.tau2, tau, I2, lower_I2, upper_I2, Q, df_Q, pval_Q, Q_heterogeneity, Q_inconsistency.
    grid.check_heterogeneity(DATASET, method)


@pytest.mark.parametrize("method", METHODS)
def test_design_by_treatment_decomposition(method: str) -> None:
    # <case>.decomp_design.
    grid.check_decomp_design(DATASET, method)


@pytest.mark.parametrize("model", grid.MODELS)
@pytest.mark.parametrize(("method", "variant"), RUNS)
def test_netsplit(method: str, variant: str, model: str) -> None:
    # <case>.netsplit: comparison, k, prop_<model>, <model>.direct / indirect / compare.
    grid.check_netsplit(DATASET, method, model, variant)


# ---------------------------------------------------------------------------------------------
# Arm level: NICE DSU TSD2's smoking data (tests/data/netmeta/smoking_tsd_arms.csv, the same 24
# studies numbered in another order) through evsynth.synthesis.nma.pairwise.

TSD_NAMES = {
    "No intervention": "no_contact",
    "Self-help": "self_help",
    "Individual counselling": "ind_counseling",
    "Group counselling": "grp_counseling",
}
# TSD's treatment codes 1-4; rma.mv's data took each study's lowest code as its baseline arm.
TSD_ORDER = ["no_contact", "self_help", "ind_counseling", "grp_counseling"]


def arms() -> pd.DataFrame:
    raw = pd.read_csv(DATA / "netmeta" / "smoking_tsd_arms.csv")
    return pd.DataFrame(
        {
            "study": raw["studyn"].astype(str),
            "treatment": raw["trtc"].map(TSD_NAMES),
            "events": raw["r"],
            "n": raw["n"],
        }
    )


def _oriented(frame: pd.DataFrame) -> list[tuple[str, str, float, float]]:
    out = []
    for row in frame.itertuples(index=False):
        a, b, te = row.treat1, row.treat2, row.TE
        if a > b:
            a, b, te = b, a, -te
        out.append((a, b, te, row.seTE))
    return sorted(out)


def test_arm_level_contrasts_equal_netmeta_pairwise() -> None:
    # nma_input_smoking_pairwise.csv is netmeta's pairwise(sm = "OR") output: 1/2 added to all
    # cells of studies with a zero cell (two studies here). Study labels differ between the two
    # sources, so the 28 contrasts are compared as a sorted multiset.
    ours = pairwise(arms(), "OR")
    theirs = grid.contrasts(DATASET)
    assert len(ours) == len(theirs) == 28
    for (a1, b1, te1, se1), (a2, b2, te2, se2) in zip(
        _oriented(ours), _oriented(theirs), strict=True
    ):
        assert (a1, b1) == (a2, b2)
        close(te1, te2, NMA, "TE")
        close(se1, se2, NMA, "seTE")
    assert any("zero cell" in note for note in ours.attrs["notes"])


def test_arm_level_fit_equals_contrast_level_fit() -> None:
    res = network_meta_analysis(arms(), measure="OR", reference="no_contact")
    ref = grid.REF["smoking_netmeta_DL"]
    close(res.tau2, ref["tau2"], NMA, "tau2 from arm-level data")
    close(res.q, ref["Q"], NMA, "Q from arm-level data")


def test_metafor_rma_mv_contrast_based_reml() -> None:
    # smoking_metafor_rma.mv: rma.mv(yi, V, mods = ~ treatments - 1, random = ~ comp | study,
    # rho = 1/2, method = "REML") on log odds ratios with 1/2 added to every cell (to="all").
    # The model is netmeta's REML model, so evsynth's random-effects estimates versus
    # no_contact are rma.mv's coefficients and Q is QE. Treatments in TSD order give rma.mv's
    # baseline arms, which metafor's restricted log-likelihood depends on (via log|X'X|).
    ref = grid.REF["smoking_metafor_rma.mv"]
    res = network_meta_analysis(
        arms(), measure="OR", method="REML", reference="no_contact", to="all", treatments=TSD_ORDER
    )
    frame = res.to_frame("random").set_index("treatment").loc[ref["coef_names"]]
    close(frame["estimate"].to_numpy(), ref["coef"], REML, "rma.mv coef")
    close(frame["se"].to_numpy(), ref["se"], REML, "rma.mv se")
    close(frame["ci_low"].to_numpy(), ref["ci_lb"], REML, "rma.mv ci_lb")
    close(frame["ci_high"].to_numpy(), ref["ci_ub"], REML, "rma.mv ci_ub")
    close(res.tau2, ref["tau2"], REML, "rma.mv tau2")
    close(res.q, ref["QE"], NMA, "rma.mv QE")
    assert res.q_df == ref["QE_df"]
    assert res.log_lik is not None
    close(res.log_lik, ref["logLik"], REML, "rma.mv logLik")


def test_metafor_rma_mv_common_effect() -> None:
    # smoking_metafor_rma.mv_FE: the same data and model without random effects.
    ref = grid.REF["smoking_metafor_rma.mv_FE"]
    names = grid.REF["smoking_metafor_rma.mv"]["coef_names"]
    res = network_meta_analysis(arms(), measure="OR", reference="no_contact", to="all")
    frame = res.to_frame("common").set_index("treatment").loc[names]
    close(frame["estimate"].to_numpy(), ref["coef"], NMA, "rma.mv FE coef")
    close(frame["se"].to_numpy(), ref["se"], NMA, "rma.mv FE se")
