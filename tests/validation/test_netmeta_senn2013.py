"""Senn et al. (2013) diabetes network (netmeta's Senn2013): 10 treatments, MD of HbA1c.

Source: tests/data/netmeta/nma_frequentist.json, keys senn2013_netmeta_DL and
senn2013_netmeta_REML (netmeta 3.3-1 on R 4.2.2), fitted to
tests/data/netmeta/nma_input_senn2013_pairwise.csv (26 studies, one of them three-arm). Every
number of the reference is checked: effects versus the reference and their CIs, the league
table, P-scores, prediction intervals, tau^2, I^2 with its CI, Q and its decomposition,
decomp.design() and netsplit(), for the common- and random-effects models with tau^2 by DL and
by REML. Tolerances from tests/tolerances.py: NMA (1e-6 relative); REML (1e-5) for tau^2 from
REML and what is computed from it.
"""

from __future__ import annotations

import pytest

from tests.validation import test_netmeta_grid as grid

DATASET = "senn2013"
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
