"""Batch meta-analysis (``evsynth.synthesis.meta.batch.fit_batch``).

Sources, named in each test and assertion:

- ``tests/data/metafor/pairwise_metafor.json``: metafor 3.8-1 (R 4.2.2) ``rma()`` on nine
  metadat sets; all nine sets are fitted as one NaN-padded batch, and again in equal-k groups.
- Closed forms: with two studies, DL, HE, REML, PM and EB all equal
  ``((y1 - y2)^2 - v1 - v2) / 2``; with equal sampling variances v every estimator has a closed
  form (REML, PM, EB, DL, HE: ``var(y) - v``; ML, HS: ``S/k - v``) and metafor's typical
  within-study variance is v.
- Self-consistency: a batch equals the same function applied row by row.

Tolerances come from ``tests/tolerances.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from evsynth._core.errors import DataError, EvsynthError
from evsynth._core.summary import Summary
from evsynth.synthesis.meta.batch import (
    METHODS,
    _as_batch,
    _halve_into_range,
    _ll0check,
    fit_batch,
)
from tests.conftest import load_json
from tests.tolerances import CI, COEF, HET, PVAL, SE, VAR
from tests.validation._assert import close

SOURCE = "metafor/pairwise_metafor.json"
REF = load_json(SOURCE)
SETS = sorted(REF["sets"])
COMBOS = [("FE", "z")] + [(m, t) for m in METHODS if m != "FE" for t in ("z", "knha")]
FIELDS = (  # evsynth name, metafor name, tolerance
    ("estimate", "estimate", COEF),
    ("se", "se", SE),
    ("ci_low", "ci_lb", CI),
    ("ci_high", "ci_ub", CI),
    ("pvalue", "pval", PVAL),
    ("tau2", "tau2", VAR),
    ("i2", "I2", HET),
    ("h2", "H2", HET),
    ("q", "Q", HET),
)


def _studies(name: str) -> tuple[np.ndarray, np.ndarray]:
    studies = REF["sets"][name]["studies"]
    return np.array([s["yi"] for s in studies]), np.array([s["vi"] for s in studies])


def _stack(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The sets' effects and variances as rows, NaN-padded to the longest."""
    width = max(len(REF["sets"][n]["studies"]) for n in names)
    effect = np.full((len(names), width), np.nan)
    variance = effect.copy()
    for row, name in enumerate(names):
        y, v = _studies(name)
        effect[row, : y.size], variance[row, : v.size] = y, v
    return effect, variance


def _reference(name: str, method: str, test: str) -> dict[str, float]:
    fits = REF["sets"][name]["fits"]
    return next(f for f in fits if f["method"] == method and f["knha"] == (test == "knha"))


def _simulated(seed: int, n: int = 60, max_k: int = 25) -> tuple[np.ndarray, np.ndarray]:
    """Random-effects data with k from 1 to max_k per row, NaN-padded."""
    rng = np.random.default_rng(seed)
    k = rng.integers(1, max_k + 1, size=n)
    k[:3] = (1, 2, max_k)
    variance = 4.0 / rng.integers(20, 201, size=(n, max_k))
    tau2 = rng.choice([0.0, 0.01, 0.05, 0.5], size=(n, 1))
    effect = rng.normal(0.3, np.sqrt(tau2 + variance))
    pad = np.arange(max_k)[None, :] >= k[:, None]
    effect[pad], variance[pad] = np.nan, np.nan
    return effect, variance


# -- (a) validation against metafor ----------------------------------------------------------


def test_case_grid_is_complete() -> None:
    # pairwise_metafor.json: 9 sets x (FE + 8 tau^2 methods x {z, knha}) = 153 fits, and
    # fit_batch supports every one of them; the grid must not shrink silently.
    assert len(SETS) == 9
    for name in SETS:
        seen = {(f["method"], "knha" if f["knha"] else "z") for f in REF["sets"][name]["fits"]}
        assert seen == set(COMBOS), f"{SOURCE}: {name}"
    assert len(SETS) * len(COMBOS) == 153


@pytest.mark.parametrize("layout", ["padded", "equal_k"])
@pytest.mark.parametrize(("method", "test"), COMBOS)
def test_batch_matches_metafor(method: str, test: str, layout: str) -> None:
    # Source: tests/data/metafor/pairwise_metafor.json (metafor 3.8-1 rma(yi, vi, method, test)).
    # "padded": all nine sets in one batch; "equal_k": one batch per number of studies.
    if layout == "padded":
        groups = [SETS]
    else:
        by_k: dict[int, list[str]] = {}
        for name in SETS:
            by_k.setdefault(len(REF["sets"][name]["studies"]), []).append(name)
        groups = list(by_k.values())
    for names in groups:
        effect, variance = _stack(names)
        result = fit_batch(effect, variance, method=method, test=test)
        assert result.converged.all()
        for row, name in enumerate(names):
            ref = _reference(name, method, test)
            assert result.n_studies[row] == ref["k"], f"{SOURCE}: {name} k"
            for ours, theirs, tol in FIELDS:
                what = f"{SOURCE}: {name} {method} {test} {theirs}"
                close(getattr(result, ours)[row], ref[theirs], tol, what)


def test_default_stopping_rule_is_metafors_not_the_exact_optimum() -> None:
    # Source: tests/data/metafor/pairwise_metafor.json, li2007 RD, REML. metafor stops Fisher
    # scoring at a change below 1e-5, 5e-3 relative short of the exact REML optimum here; the
    # default reproduces metafor, tol=1e-12 the optimum (where the REML score is zero).
    y, v = _studies("li2007_RD")
    ref = _reference("li2007_RD", "REML", "z")["tau2"]
    close(fit_batch(y, v).tau2, ref, VAR, f"{SOURCE}: li2007_RD REML tau2")
    exact = float(fit_batch(y, v, tol=1e-12).tau2[0])
    assert abs(exact - ref) / ref > 1e-3
    close(exact, _reml_root(y, v), VAR, "REML score root (brentq)")


# -- (b) a batch equals the same function row by row ------------------------------------------


@pytest.mark.parametrize(("method", "test"), COMBOS)
def test_batch_equals_row_by_row(method: str, test: str) -> None:
    # Self-consistency: fit_batch on 60 simulated NaN-padded rows (k = 1..25) equals fit_batch
    # on each row alone, without its padding.
    effect, variance = _simulated(seed=7)
    batch = fit_batch(effect, variance, method=method, test=test)
    for row in range(effect.shape[0]):
        keep = ~np.isnan(effect[row])
        single = fit_batch(effect[row, keep], variance[row, keep], method=method, test=test)
        assert single.n_studies[0] == batch.n_studies[row] == keep.sum()
        assert single.converged[0] == batch.converged[row]
        for ours, _, tol in FIELDS:
            what = f"row {row} {method} {test} {ours}: batch vs single row"
            close(getattr(batch, ours)[row], getattr(single, ours)[0], tol, what)


@pytest.mark.parametrize("method", ["REML", "ML", "PM"])
def test_tight_tolerance_solves_the_estimating_equation(method: str) -> None:
    # Source: the estimating equations (REML/ML score = 0, Viechtbauer 2005; generalised
    # Q = k - 1, Paule & Mandel 1982) solved independently by scipy's brentq.
    effect, variance = _simulated(seed=11, n=20, max_k=15)
    result = fit_batch(effect, variance, method=method, tol=1e-12)
    for row in range(effect.shape[0]):
        keep = ~np.isnan(effect[row])
        if keep.sum() < 2:
            continue
        root = _root(effect[row, keep], variance[row, keep], method)
        close(result.tau2[row], root, VAR, f"row {row} {method}: tau2 vs brentq root")


def _root(y: np.ndarray, v: np.ndarray, method: str) -> float:
    def equation(t: float) -> float:
        w = 1.0 / (v + t)
        r = y - np.sum(w * y) / np.sum(w)
        if method == "PM":
            return float(np.sum(w * r**2) - (y.size - 1))
        if method == "ML":
            return float(np.sum(w**2 * r**2) - np.sum(w))
        return float(np.sum(w**2 * r**2) - (np.sum(w) - np.sum(w**2) / np.sum(w)))

    if equation(0.0) <= 0.0:
        return 0.0
    return float(optimize.brentq(equation, 0.0, 1e3, xtol=1e-15, rtol=1e-14))


def _reml_root(y: np.ndarray, v: np.ndarray) -> float:
    return _root(y, v, "REML")


# -- (c) edge cases ----------------------------------------------------------------------------


def test_tau2_truncated_at_zero() -> None:
    # Closed form: equal variances v with sample variance of y below v. Every estimator but SJ
    # (always positive) is then 0, the pooled effect is the mean with SE sqrt(v/k), I^2 = 0,
    # H^2 = 1 (Q / (k - 1) for FE).
    y = np.array([[0.10, 0.12, 0.11, 0.09], [-0.5, -0.52, -0.49, -0.51]])
    v = np.full_like(y, 0.04)
    for method in METHODS:
        if method == "SJ":
            continue
        result = fit_batch(y, v, method=method)
        assert np.array_equal(result.tau2, [0.0, 0.0]), method
        close(result.estimate, y.mean(axis=1), COEF, f"{method} estimate = mean")
        close(result.se, np.full(2, np.sqrt(0.04 / 4)), SE, f"{method} se")
        close(result.i2, [0.0, 0.0], HET, f"{method} I2")
        # FE has no tau^2: metafor's H^2 is then Q / (k - 1).
        h2 = result.q / 3.0 if method == "FE" else [1.0, 1.0]
        close(result.h2, h2, HET, f"{method} H2")


def test_two_studies_closed_form() -> None:
    # Closed form for k = 2: DL, HE, REML, PM and EB all give ((y1 - y2)^2 - v1 - v2) / 2,
    # truncated at 0 (the first two rows are truncated). knha uses t(1) quantiles.
    rng = np.random.default_rng(3)
    y = np.vstack([[0.1, 0.12], [0.3, 0.31], rng.normal(0, 1, size=(20, 2))])
    v = rng.uniform(0.01, 0.2, size=y.shape)
    expected = np.maximum(0.0, ((y[:, 0] - y[:, 1]) ** 2 - v.sum(axis=1)) / 2.0)
    assert (expected == 0).sum() >= 2
    for method in ("DL", "HE", "REML", "PM", "EB"):
        result = fit_batch(y, v, method=method, test="knha", tol=1e-12)
        close(result.tau2, expected, VAR, f"k=2 {method} tau2")
        w = 1.0 / (v + expected[:, None])
        close(result.estimate, np.sum(w * y, axis=1) / w.sum(axis=1), COEF, f"k=2 {method}")
        half_width = (result.ci_high - result.ci_low) / 2.0
        close(half_width, 12.706204736174707 * result.se, CI, "t(1) 97.5% quantile")


def test_huge_heterogeneity_equal_variances_closed_forms() -> None:
    # Closed forms with equal variances v: REML, PM, EB, DL, HE give var(y) - v; ML and HS give
    # S/k - v (S the sum of squared deviations); SJ gives t0 S / ((v + t0)(k - 1)), t0 = S/k;
    # I^2 = 100 tau2 / (tau2 + v). tau^2 here is about 1e4, a million times v.
    rng = np.random.default_rng(5)
    y = rng.normal(0.0, 100.0, size=(5, 12))
    v = np.full_like(y, 0.01)
    k = y.shape[1]
    spread = np.sum((y - y.mean(axis=1, keepdims=True)) ** 2, axis=1)
    start = spread / k
    closed = {
        "REML": spread / (k - 1) - 0.01,
        "PM": spread / (k - 1) - 0.01,
        "EB": spread / (k - 1) - 0.01,
        "DL": spread / (k - 1) - 0.01,
        "HE": spread / (k - 1) - 0.01,
        "ML": spread / k - 0.01,
        "HS": spread / k - 0.01,
        "SJ": start * spread / ((0.01 + start) * (k - 1)),
    }
    for method, tau2 in closed.items():
        result = fit_batch(y, v, method=method)
        assert result.converged.all(), method
        close(result.tau2, tau2, VAR, f"equal variances {method} tau2")
        close(result.i2, 100.0 * tau2 / (tau2 + 0.01), HET, f"equal variances {method} I2")
        close(result.h2, (tau2 + 0.01) / 0.01, HET, f"equal variances {method} H2")
        close(result.estimate, y.mean(axis=1), COEF, f"equal variances {method} estimate")


def test_paule_mandel_outside_metafors_bracket_is_flagged() -> None:
    # metafor searches [0, max(100, 10 mad(y)^2)]; with one far outlier mad(y) = 0 and Q(100)
    # still exceeds k - 1, where metafor stops with an error. fit_batch flags the row.
    y = np.array([[0.0, 0.0, 0.0, 0.0, 1e4], [0.1, 0.3, 0.2, 0.5, 0.4]])
    v = np.full_like(y, 0.01)
    result = fit_batch(y, v, method="PM")
    assert result.converged.tolist() == [False, True]
    assert result.tau2[0] == 100.0


def test_single_study_rows_follow_metafor() -> None:
    # metafor's k = 1 rule (rma.uni): tau2 = 0, Q = 0, I^2 = 0, H^2 = 1, and test = "z" even
    # when "knha" is asked for.
    for method in METHODS:
        result = fit_batch(np.array([[0.3, np.nan]]), np.array([[0.04, np.nan]]), method=method)
        knha = fit_batch([[0.3]], [[0.04]], method=method, test="knha")
        for res in (result, knha):
            close(res.estimate, 0.3, COEF, f"k=1 {method}")
            close(res.se, 0.2, SE, f"k=1 {method}")
            close(res.ci_low, 0.3 - 1.959963984540054 * 0.2, CI, f"k=1 {method}")
            assert (res.tau2[0], res.q[0], res.i2[0], res.h2[0]) == (0.0, 0.0, 0.0, 1.0)


def test_iteration_limit_flags_rows() -> None:
    # metafor flags a row still changing at step max_iter + 1 as not converged.
    effect, variance = _simulated(seed=13)
    assert fit_batch(effect, variance).converged.all()
    capped = fit_batch(effect, variance, max_iter=1)
    assert not capped.converged.all()


def test_ll0check_resets_a_worse_maximum() -> None:
    # metafor's ll0check: a REML estimate whose likelihood is lower than at tau^2 = 0 is
    # replaced by 0 (homogeneous data, tau^2 = 1 clearly worse); a true maximum is kept.
    data = _as_batch([[0.10, 0.11, 0.09], [0.1, 0.9, -0.7]], [[0.01, 0.02, 0.03]] * 2)
    tau2 = np.array([1.0, fit_batch([0.1, 0.9, -0.7], [0.01, 0.02, 0.03]).tau2[0]])
    checked = _ll0check(data, tau2, np.array([True, True]), True, 1e-5)
    assert checked[0] == 0.0
    assert checked[1] == tau2[1] > 0.0


def test_step_halving_follows_metafor() -> None:
    # metafor's Fisher scoring: while (tau2 + adj < 0) adj <- adj / 2. From 0.5, a step of -4
    # halves to -0.5; from 0 a negative step vanishes; an infinite step (where R would loop
    # forever) becomes 0; a positive step is kept.
    tau2 = np.array([0.5, 0.0, 1e-300, 2.0])
    step = _halve_into_range(tau2, np.array([-4.0, -1.0, -np.inf, 1.0]))
    assert step.tolist() == [-0.5, 0.0, 0.0, 1.0]


# -- results object and input checks ------------------------------------------------------


def test_results_object() -> None:
    effect, variance = _simulated(seed=17, n=8)
    result = fit_batch(effect, variance, test="knha")
    frame = result.to_frame()
    assert len(frame) == len(result) == 8
    assert list(frame.columns) == [
        *("analysis", "n_studies", "estimate", "se", "ci_low", "ci_high", "pvalue"),
        *("tau2", "q", "i2", "h2", "converged"),
    ]
    close(result.conf_int(), np.column_stack([result.ci_low, result.ci_high]), CI, "conf_int")
    narrower = result.conf_int(0.9)
    assert np.all(narrower[:, 0] > result.ci_low) and np.all(narrower[:, 1] < result.ci_high)
    summary = result.summary()
    assert isinstance(summary, Summary)
    assert "8 analyses; method=REML, test=knha" in summary.as_text()
    with pytest.raises(AttributeError):
        result.tau2 = result.tau2  # type: ignore[misc]


@pytest.mark.parametrize(
    ("effect", "variance", "message"),
    [
        ([[0.1, 0.2]], [[0.1, 0.2, 0.3]], "shape"),
        ([[0.1, np.nan]], [[0.1, 0.2]], "NaN padding"),
        ([[0.1, 0.2]], [[0.1, -0.2]], "variance is not positive"),
        ([[0.1, 0.2]], [[0.1, 0.0]], "variance is not positive"),
        ([[0.1, np.inf]], [[0.1, 0.2]], "effect is infinite"),
        ([[0.1, 0.2], [np.nan, np.nan]], [[0.1, 0.2], [np.nan, np.nan]], "no studies"),
    ],
)
def test_bad_data_is_refused(effect: object, variance: object, message: str) -> None:
    with pytest.raises(DataError, match=message):
        fit_batch(effect, variance)  # type: ignore[arg-type]


def test_bad_data_error_says_where() -> None:
    with pytest.raises(DataError) as info:
        fit_batch([[0.1, 0.2], [0.3, 0.4]], [[0.1, 0.2], [0.3, -1.0]])
    assert info.value.location is not None
    assert (info.value.location.row, info.value.location.field) == (1, "variance")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "SDL"}, "choose one of FE, DL, HE, HS, SJ, PM, ML, REML, EB"),
        ({"test": "t"}, "choose one of z, knha"),
        ({"level": 95}, "level=95"),
        ({"tol": 0.0}, "tol=0.0"),
        ({"max_iter": 0}, "max_iter=0"),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(EvsynthError, match=message):
        fit_batch([[0.1, 0.2]], [[0.1, 0.2]], **options)  # type: ignore[arg-type]
