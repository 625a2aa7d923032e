"""Network meta-analysis against netmeta 3.3-1: the case grid, and the checks every data set runs.

Source: tests/data/netmeta/nma_frequentist.json (copied from the project's outside references;
netmeta 3.3-1, meta 8.2-1 and metafor 3.8-1 on R 4.2.2; provenance and what agrees in
tests/data/netmeta/README.md), fitted to the contrast-level inputs
tests/data/netmeta/nma_input_<dataset>_pairwise.csv. The per-data-set files
(test_netmeta_smoking.py, test_netmeta_senn2013.py, test_netmeta_dogliotti2014.py) call the
``check_*`` functions below for every case of the grid; this module asserts that the grid is
complete, so it cannot quietly shrink.

Conventions of the reference file: ``TE_matrix[i][j]`` is treatment i versus treatment j, ``TE``
(and ``lower``, ``upper``, ``pval``, ``lower_predict``, ``upper_predict``) each treatment versus
``reference``; P-scores use netmeta's default ``small.values = "desirable"`` (lower effects
better); netsplit comparisons are "treat1:treat2" with the reference second; designs in
``decomp_design`` are named with the reference first, so they are matched as sets of treatments.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from evsynth.synthesis.nma import NmaResult, network_meta_analysis
from tests.conftest import DATA, load_json
from tests.tolerances import NMA, REML

REF: dict[str, Any] = load_json("netmeta/nma_frequentist.json")

#: (data set, tau^2 method) pairs in the reference file; Dogliotti 2014 has DL only.
CASES = [
    ("smoking", "DL"),
    ("smoking", "REML"),
    ("senn2013", "DL"),
    ("senn2013", "REML"),
    ("dogliotti2014", "DL"),
]
#: How tau^2 is set: estimated by evsynth, or fixed at netmeta's value (REML only; everything
#: downstream then agrees to 1e-6, isolating rma.mv's optimiser tolerance in tau^2 itself).
VARIANTS = ("estimated", "netmeta tau2")
MODELS = ("common", "random")

NETMETA_FIELDS = {
    "trts", "reference", "k", "m", "n", "d", "designs", "common", "random", "method_tau",
    "tau2", "tau", "I2", "lower_I2", "upper_I2", "Q", "df_Q", "pval_Q", "Q_heterogeneity",
    "df_Q_heterogeneity", "Q_inconsistency", "df_Q_inconsistency", "pval_Q_inconsistency",
    "decomp_design", "netsplit",
}  # fmt: skip
MODEL_FIELDS = {"TE", "seTE", "lower", "upper", "pval", "TE_matrix", "seTE_matrix", "Pscore"}


def key(dataset: str, method: str) -> str:
    return f"{dataset}_netmeta_{method}"


def test_reference_versions() -> None:
    # The pinned versions the issue names (JSON top level).
    assert REF["netmeta_version"] == "3.3.1"
    assert REF["meta_version"] == "8.2.1"
    assert REF["metafor_version"] == "3.8.1"


def test_case_grid_is_complete() -> None:
    netmeta_keys = {k for k in REF if "_netmeta_" in k}
    assert netmeta_keys == {key(d, m) for d, m in CASES}
    assert set(REF) == netmeta_keys | {
        "netmeta_version",
        "meta_version",
        "metafor_version",
        "smoking_metafor_rma.mv",
        "smoking_metafor_rma.mv_FE",
        "timing_s",
    }
    for dataset, method in CASES:
        case = REF[key(dataset, method)]
        assert set(case) == NETMETA_FIELDS, (dataset, method)
        assert case["method_tau"] == method
        assert set(case["common"]) == MODEL_FIELDS
        assert set(case["random"]) == MODEL_FIELDS | {"lower_predict", "upper_predict"}
        n = case["n"]
        assert len(case["trts"]) == n
        assert len(case["netsplit"]["comparison"]) == n * (n - 1) // 2
        assert set(case["decomp_design"]) == {
            "Q_decomp",
            "Q_het_design",
            "Q_inc_detach",
            "Q_inc_random",
            "tau_within",
        }
        assert len(case["decomp_design"]["Q_het_design"]) == case["d"]
        # The data set's input must be pinned beside the reference.
        assert (DATA / "netmeta" / f"nma_input_{dataset}_pairwise.csv").is_file()
    assert set(REF["smoking_metafor_rma.mv"]) == {
        "note", "coef_names", "coef", "se", "ci_lb", "ci_ub", "tau2", "QE", "QE_df", "logLik",
    }  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Shared checks, called by the per-data-set test files.


def close(actual: Any, expected: Any, tol: dict[str, float], what: str) -> None:
    """Relative/absolute comparison that also requires NaN (R's NA, JSON null) to match."""
    a = np.atleast_1d(np.asarray(actual, dtype=float))
    e = np.atleast_1d(
        np.asarray([np.nan if v is None else v for v in np.ravel(expected)], dtype=float)
    )
    e = e.reshape(a.shape) if e.size == a.size else e
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    missing = np.isnan(e)
    assert np.array_equal(np.isnan(a), missing), f"{what}: NaN pattern {a} vs {e}"
    ok = np.abs(a[~missing] - e[~missing]) <= np.maximum(
        tol["rel"] * np.abs(e[~missing]), tol["abs"]
    )
    assert ok.all(), f"{what}: evsynth {a[~missing][~ok]} vs netmeta {e[~missing][~ok]}"


def contrasts(dataset: str) -> pd.DataFrame:
    return pd.read_csv(DATA / "netmeta" / f"nma_input_{dataset}_pairwise.csv")


@functools.cache
def fit(dataset: str, method: str, variant: str = "estimated") -> NmaResult:
    """The evsynth fit of a reference case (Dogliotti 2014 has one comparison with NA: dropped,
    as netmeta does)."""
    case = REF[key(dataset, method)]
    tau2 = case["tau2"] if variant == "netmeta tau2" else None
    return network_meta_analysis(
        contrasts(dataset),
        method=method,
        reference=case["reference"],
        tau2=tau2,
        drop_missing=True,
    )


def tolerance(method: str, model: str, variant: str) -> dict[str, float]:
    """REML tolerance for random-effects results computed from an estimated REML tau^2."""
    return REML if (method == "REML" and model == "random" and variant == "estimated") else NMA


def _order(res: NmaResult, case: dict[str, Any]) -> list[int]:
    return [res.treatments.index(t) for t in case["trts"]]


def check_structure(dataset: str, method: str) -> None:
    case = REF[key(dataset, method)]
    res = fit(dataset, method)
    assert res.treatments == tuple(case["trts"])
    assert (res.k, res.m, res.n, res.d) == (case["k"], case["m"], case["n"], case["d"])
    assert {frozenset(d.split(":")) for d in res.designs} == {
        frozenset(d.split(":")) for d in case["designs"]
    }
    assert res.reference == case["reference"]


def check_effects(dataset: str, method: str, model: str, variant: str) -> None:
    """Each treatment versus the reference: TE, seTE, lower, upper, pval (common/random)."""
    case = REF[key(dataset, method)]
    res = fit(dataset, method, variant)
    tol = tolerance(method, model, variant)
    frame = res.to_frame(model).set_index("treatment")
    trts = [t for t in case["trts"] if t != case["reference"]]
    keep = [i for i, t in enumerate(case["trts"]) if t != case["reference"]]
    ref = case[model]
    for ours, theirs in (
        ("estimate", "TE"),
        ("se", "seTE"),
        ("ci_low", "lower"),
        ("ci_high", "upper"),
        ("pvalue", "pval"),
    ):
        expected = [ref[theirs][i] for i in keep]
        close(frame.loc[trts, ours].to_numpy(), expected, tol, f"{model} {theirs}")
    ci = res.conf_int(model=model).loc[trts]
    close(ci["ci_low"].to_numpy(), [ref["lower"][i] for i in keep], tol, f"{model} conf_int")


def check_league(dataset: str, method: str, model: str, variant: str) -> None:
    """All pairwise estimates and SEs: TE_matrix and seTE_matrix (row versus column)."""
    case = REF[key(dataset, method)]
    res = fit(dataset, method, variant)
    tol = tolerance(method, model, variant)
    league = res.league(model).set_index(["treatment", "comparator"])
    te = np.asarray(case[model]["TE_matrix"]["values"])
    se = np.asarray(case[model]["seTE_matrix"]["values"])
    rows = case[model]["TE_matrix"]["rownames"]
    cols = case[model]["TE_matrix"]["colnames"]
    pairs = [(a, b) for a in rows for b in cols if a != b]
    expected_te = [te[rows.index(a), cols.index(b)] for a, b in pairs]
    expected_se = [se[rows.index(a), cols.index(b)] for a, b in pairs]
    close(league.loc[pairs, "estimate"].to_numpy(), expected_te, tol, f"{model} TE_matrix")
    close(league.loc[pairs, "se"].to_numpy(), expected_se, tol, f"{model} seTE_matrix")
    o = _order(res, case)
    est = res.estimates(model)
    close(est.estimate[np.ix_(o, o)], te, tol, f"{model} estimate matrix")


def check_pscores(dataset: str, method: str, model: str, variant: str) -> None:
    """P-scores with netmeta's small.values = "desirable" (higher_is_better=False)."""
    case = REF[key(dataset, method)]
    res = fit(dataset, method, variant)
    tol = tolerance(method, model, variant)
    lower_better = res.pscores(higher_is_better=False, model=model).loc[case["trts"]]
    close(lower_better.to_numpy(), case[model]["Pscore"], tol, f"{model} Pscore")
    # The other direction is 1 - P (README: for a good outcome read 1 - P).
    higher_better = res.pscores(higher_is_better=True, model=model).loc[case["trts"]]
    close(higher_better.to_numpy(), 1 - np.asarray(case[model]["Pscore"]), tol, "1 - Pscore")


def check_prediction(dataset: str, method: str, variant: str) -> None:
    """Random-effects prediction intervals versus the reference (t on df_Q, netmeta 3.3-1)."""
    case = REF[key(dataset, method)]
    res = fit(dataset, method, variant)
    tol = tolerance(method, "random", variant)
    frame = res.to_frame("random").set_index("treatment")
    keep = [i for i, t in enumerate(case["trts"]) if t != case["reference"]]
    trts = [case["trts"][i] for i in keep]
    close(
        frame.loc[trts, "pi_low"].to_numpy(),
        [case["random"]["lower_predict"][i] for i in keep],
        tol,
        "lower_predict",
    )
    close(
        frame.loc[trts, "pi_high"].to_numpy(),
        [case["random"]["upper_predict"][i] for i in keep],
        tol,
        "upper_predict",
    )
    assert res.random.pi_df == case["df_Q"]


def check_heterogeneity(dataset: str, method: str) -> None:
    """tau^2, tau, I^2 with its CI, Q with df and p, Q split into within and between designs."""
    case = REF[key(dataset, method)]
    res = fit(dataset, method)
    tau_tol = REML if method == "REML" else NMA
    close(res.tau2, case["tau2"], tau_tol, "tau2")
    close(res.tau, case["tau"], tau_tol, "tau")
    close(
        [res.i2, res.i2_ci_low, res.i2_ci_high],
        [case["I2"], case["lower_I2"], case["upper_I2"]],
        NMA,
        "I2",
    )
    close(res.q, case["Q"], NMA, "Q")
    assert res.q_df == case["df_Q"]
    close(res.q_pvalue, case["pval_Q"], NMA, "pval_Q")
    close(res.q_heterogeneity, case["Q_heterogeneity"], NMA, "Q_heterogeneity")
    assert res.q_heterogeneity_df == case["df_Q_heterogeneity"]
    close(res.q_inconsistency, case["Q_inconsistency"], NMA, "Q_inconsistency")
    assert res.q_inconsistency_df == case["df_Q_inconsistency"]
    close(res.q_inconsistency_pvalue, case["pval_Q_inconsistency"], NMA, "pval_Q_inconsistency")


def _design_index(res: NmaResult) -> dict[frozenset[str], int]:
    return {frozenset(t): i for i, t in enumerate(res.design.design_treatments)}


def check_decomp_design(dataset: str, method: str) -> None:
    """decomp.design(): Q_decomp, Q_het_design, Q_inc_detach and Q_inc_random."""
    dd = REF[key(dataset, method)]["decomp_design"]
    res = fit(dataset, method)
    D = res.design
    rows = {r["_row"]: r for r in dd["Q_decomp"]}
    for part, q, df, p in (
        ("Total", D.q_total, D.df_total, D.pvalue_total),
        ("Within designs", D.q_within, D.df_within, D.pvalue_within),
        ("Between designs", D.q_between, D.df_between, D.pvalue_between),
    ):
        close(q, rows[part]["Q"], NMA, f"Q_decomp {part} Q")
        assert df == rows[part]["df"], part
        close(p, rows[part]["pval"], NMA, f"Q_decomp {part} pval")
    index = _design_index(res)
    het = dd["Q_het_design"]
    assert len(index) == len(het)
    at = [index[frozenset(r["design"].split(":"))] for r in het]
    close(D.design_q[at], [r["Q"] for r in het], NMA, "Q_het_design Q")
    assert D.design_df[at].tolist() == [r["df"] for r in het]
    close(D.design_pvalue[at], [r["pval"] for r in het], NMA, "Q_het_design pval")
    detach = dd["Q_inc_detach"]
    at = [index[frozenset(r["design"].split(":"))] for r in detach]
    close(D.detach_q[at], [r["Q"] for r in detach], NMA, "Q_inc_detach Q")
    assert D.detach_df[at].tolist() == [r["df"] for r in detach]
    close(D.detach_pvalue[at], [r["pval"] for r in detach], NMA, "Q_inc_detach pval")
    # netmeta leaves out designs whose detaching disconnects the network; evsynth has NaN there.
    assert int(np.sum(np.isfinite(D.detach_q))) == len(detach)
    (random,) = dd["Q_inc_random"]
    close(D.q_between_random, random["Q"], NMA, "Q_inc_random Q")
    assert D.df_between == random["df"]
    close(D.pvalue_between_random, random["pval"], NMA, "Q_inc_random pval")
    close(D.tau_within, random["tau.within"], NMA, "tau.within")
    assert dd["tau_within"] == {}


def check_netsplit(dataset: str, method: str, model: str, variant: str) -> None:
    """netsplit(): comparisons, k, direct-evidence proportions, direct, indirect, difference."""
    ns = REF[key(dataset, method)]["netsplit"]
    res = fit(dataset, method, variant)
    tol = tolerance(method, model, variant)
    split = res.netsplit
    assert ns["method"] == "Back-calculation"
    assert list(split.comparisons) == ns["comparison"]
    assert split.k.tolist() == ns["k"]
    frame = split.to_frame(model)
    close(frame["prop_direct"].to_numpy(), ns[f"prop_{model}"], tol, f"{model} prop")
    for part, ours in (("direct", "direct"), ("indirect", "indirect"), ("compare", "difference")):
        rows = ns[model][part]
        assert [r["comparison"] for r in rows] == ns["comparison"]
        for theirs, suffix in (
            ("TE", ""),
            ("seTE", "_se"),
            ("lower", "_ci_low"),
            ("upper", "_ci_high"),
        ):
            close(
                frame[ours + suffix].to_numpy(),
                [r[theirs] for r in rows],
                tol,
                f"{model} {part} {theirs}",
            )
        if part == "compare":
            close(frame["pvalue"].to_numpy(), [r["p"] for r in rows], tol, f"{model} compare p")
        else:
            # netsplit's p of the direct or indirect estimate itself (Wald test against 0).
            close(
                frame[f"{ours}_pvalue"].to_numpy(), [r["p"] for r in rows], tol, f"{model} {part} p"
            )
