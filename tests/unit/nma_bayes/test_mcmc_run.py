"""Running the MCMC engine: agreement with the exact engine, reproducibility, the convergence
warning, the result object, node-splitting against gemtc and the UME model.

Sources: TSD2's Parkinson's example (``tests/data/bayes/parkinsons_tsd.csv``) with the exact
engine (:func:`bayes_nma_normal`, no Monte Carlo error) as the reference; TSD2's smoking example
(``smoking_tsd.csv``) with gemtc 1.0-2's node-splitting (``bayes_smoking_gemtc.json``: 4 chains
x 20,000; sd ~ U(0, om.scale), d and baselines ~ N(0, (15 om.scale)^2)).
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import EvsynthError
from evsynth.synthesis.nma.bayes import BayesNmaResult, bayes_nma_normal
from evsynth.synthesis.nma.bayes.priors import HalfNormalTau, UniformTau
from tests.conftest import DATA, load_json

pytest.importorskip("numpyro")
from evsynth.synthesis.nma.bayes.mcmc import bayes_nma_mcmc
from evsynth.synthesis.nma.bayes.mcmc_diagnostics import ConvergenceWarning
from evsynth.synthesis.nma.bayes.mcmc_inconsistency import (
    bayes_nodesplit_mcmc,
    bayes_ume_mcmc,
)
from evsynth.synthesis.nma.bayes.mcmc_result import McmcNmaResult

PARKINSONS = {"study": "studyn", "treatment": "trtn", "effect": "diff", "se": "se_diff"}
SE_MULTIPLE = 4.0  # Monte Carlo SEs allowed against an exact value
P_TOL = 0.02  # node-split p-values: beyond Monte Carlo error (gemtc's and ours)


def _parkinsons(**kwargs: object) -> McmcNmaResult:
    data = pd.read_csv(DATA / "bayes" / "parkinsons_tsd.csv")
    args: dict[str, object] = {
        **PARKINSONS,
        "likelihood": "normal",
        "reference": "1",
        "higher_is_better": False,
        "rng": 11,
        "prior_tau": PRIOR,
        "chain_method": "vectorized",
        # Parkinson's tau is weakly identified: a smaller step avoids the odd divergence.
        "target_accept": 0.9,
    }
    args.update(kwargs)
    return bayes_nma_mcmc(data, **args)  # type: ignore[arg-type]


# A non-default prior on tau, so that the comparison also checks the prior (the exact engine
# takes the same prior object).
PRIOR = HalfNormalTau(1.0)


@pytest.fixture(scope="module")
def exact() -> BayesNmaResult:
    data = pd.read_csv(DATA / "bayes" / "parkinsons_tsd.csv")
    return bayes_nma_normal(
        data, **PARKINSONS, reference="1", prior_tau=PRIOR, higher_is_better=False, rng=1
    )


@pytest.fixture(scope="module")
def fit() -> McmcNmaResult:
    # Vectorised chains (one batched program) here; sequential, the default, elsewhere.
    return _parkinsons()


def test_normal_contrasts_match_exact_engine(fit: McmcNmaResult, exact: BayesNmaResult) -> None:
    # Every summary of every contrast within 4 Monte Carlo SEs (or 0.01) of the exact value.
    for stat in ("mean", "sd", "median", "q025", "q975"):
        got, want = getattr(fit.pairwise, stat), getattr(exact.pairwise, stat)
        se = getattr(fit.pairwise_mcse, stat)
        ok = np.abs(got - want) <= np.maximum(SE_MULTIPLE * se, 0.01)
        assert ok.all(), f"{stat}: {got[~ok]} vs {want[~ok]}"
    assert fit.sd is not None and exact.sd is not None and fit.sd_mcse is not None
    assert abs(fit.sd.median - exact.sd.median) <= SE_MULTIPLE * fit.sd_mcse.median
    # Residual deviance and pD (identity link: the two plug-ins coincide).
    assert abs(fit.resdev - exact.resdev) < 0.1
    assert abs(fit.pd - exact.pd) < 0.1
    assert fit.plugins["fitted"] == pytest.approx(fit.plugins["linear_predictor"])
    np.testing.assert_allclose(fit.sucra, exact.sucra, atol=0.02)
    assert fit.n_datapoints == exact.n_datapoints == 8


def test_same_seed_same_draws(fit: McmcNmaResult) -> None:
    again = _parkinsons()
    assert again.sampler.cached  # the compiled sampler is reused
    np.testing.assert_array_equal(again.posterior["d"], fit.posterior["d"])
    other = _parkinsons(rng=12)
    assert not np.array_equal(other.posterior["d"], fit.posterior["d"])


def test_generator_seed_is_recorded() -> None:
    first = _parkinsons(rng=np.random.default_rng(3))
    second = _parkinsons(rng=first.seed)
    np.testing.assert_array_equal(first.posterior["sd"], second.posterior["sd"])
    assert first.manifest is not None and first.manifest.seed == first.seed


def test_prior_is_recorded(fit: McmcNmaResult) -> None:
    assert fit.prior_tau == PRIOR
    assert fit.to_dict()["prior_tau"] == {"family": "half-normal", "parameter": "tau", "scale": 1.0}
    assert fit.manifest is not None
    assert fit.manifest.options["prior_tau"]["family"] == "half-normal"
    assert "tau ~ half-Normal(0, 1^2)" in " ".join(fit.summary().notes)


def test_unconverged_draws_warn_and_note(monkeypatch: pytest.MonkeyPatch) -> None:
    # The sampler's output replaced by two chains whose sd disagree (0.3 against 1.0; the d's
    # are redrawn given sd, so they disagree too) and a divergence: the fit warns once, naming
    # every failed check, and keeps the same words in its notes.
    from evsynth.synthesis.nma.bayes import models_numpyro

    def fake_run(spec: object, data: object, init: object, settings: object, seed: int) -> object:
        gen = np.random.default_rng(seed)
        sd = np.abs(gen.normal(size=(2, 100))) * 0.05 + np.array([[0.3], [1.0]])
        diverging = np.zeros((2, 100), dtype=bool)
        diverging[0, 5] = True
        return models_numpyro.NutsOutput(
            draws={"d": gen.normal(size=(2, 100, 4)), "sd": sd},
            diverging=diverging,
            num_steps=np.full((2, 100), 7),
            accept_prob=np.full((2, 100), 0.8),
            energy=gen.normal(size=(2, 100)),
            step_size=np.array([0.5, 0.5]),
            warmup_steps=np.array([700, 700]),
            trace_s=0.0,
            compile_s=0.0,
            run_s=0.0,
            cached=True,
        )

    monkeypatch.setattr(models_numpyro, "run_nuts", fake_run)
    with pytest.warns(ConvergenceWarning) as record:
        bad = _parkinsons(chains=2, samples=100)
    assert len(record) == 1
    message = str(record[0].message)
    for words in ("R-hat above 1.01", "ESS below 400", "1 divergent transitions"):
        assert words in message
    assert not bad.converged
    assert bad.notes == tuple(bad.convergence_problems())
    assert any("R-hat above 1.01" in n for n in bad.summary().notes)


def test_result_has_the_exact_engines_methods(fit: McmcNmaResult, exact: BayesNmaResult) -> None:
    assert list(fit.to_frame().columns) == list(exact.to_frame().columns)
    assert list(fit.relative_effects().columns)[:8] == list(exact.relative_effects().columns)
    assert fit.conf_int().shape == (4, 2)
    assert fit.to_frame(level=0.9).columns[4] == "q050"
    low, high = fit.sd_interval()
    assert 0 < low < high
    assert fit.ranks().probabilities.sum(axis=1) == pytest.approx(np.ones(5))
    assert "Rank 1 is the best; lower values are better." in fit.ranks().summary().notes
    league = fit.league(wide=True)
    assert league.shape == (5, 5) and league.iloc[0, 0] == "1"
    assert len(fit.league()) == 20
    draws = fit.draws()
    assert list(draws.columns) == ["chain", "draw", "d[2]", "d[3]", "d[4]", "d[5]", "sd"]
    assert len(draws) == fit.sampler.chains * fit.sampler.samples
    json.dumps(fit.to_dict())
    text = str(fit)
    assert "R-hat" in text and "plug-in" in text
    assert fit.studies_frame().shape == (7, 3)
    assert set(fit.dic_frame()["plugin"]) == {"linear_predictor", "fitted"}
    fig = fit.plot()
    assert fig.axes


def test_inference_data_needs_arviz(fit: McmcNmaResult) -> None:
    try:
        import arviz  # noqa: F401
    except ImportError:
        with pytest.raises(EvsynthError, match="arviz"):
            fit.to_inference_data()
    else:  # pragma: no cover - arviz is not a dependency
        assert fit.to_inference_data() is not None


@pytest.fixture(scope="module")
def gemtc() -> dict[str, object]:
    return load_json("bayes/bayes_smoking_gemtc.json")


def _smoking() -> pd.DataFrame:
    data = pd.read_csv(DATA / "bayes" / "smoking_tsd.csv")
    data["trt"] = data["trtn"].map({1: "A", 2: "B", 3: "C", 4: "D"})
    return data


def test_nodesplit_matches_gemtc(gemtc: dict[str, object]) -> None:
    # gemtc's priors (bayes_smoking_gemtc.json): sd ~ U(0, om.scale), d and baselines
    # N(0, (15 om.scale)^2). Its p-values (4 x 20,000 draws) against ours within 3 combined
    # Monte Carlo SEs (ours from our ESS, gemtc's from 4 x 20,000 draws thinned to ESS ~10,000).
    om = float(gemtc["om.scale"])  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        split = bayes_nodesplit_mcmc(
            _smoking(),
            study="studyn",
            treatment="trt",
            events="r",
            n="n",
            reference="A",
            prior_tau=UniformTau(om),
            prior_d_sd=15 * om,
            prior_baseline_sd=15 * om,
            warmup=300,
            samples=600,
            rng=5,
        )
    got = {(s.comparator, s.treatment): s for s in split.splits}
    assert len(got) == 6
    for row in gemtc["nodesplit"]:  # type: ignore[attr-defined]
        t1, t2 = row["comparison"].split()
        s = got[(t1, t2)]
        p = row["p_value"]
        gemtc_mcse = 2 * math.sqrt(min(p, 2 - p) / 2 * (1 - min(p, 2 - p) / 2) / 10_000)
        tol = max(P_TOL, 3 * math.hypot(s.pvalue_mcse, gemtc_mcse))
        assert abs(s.pvalue - p) <= tol, f"{t1} {t2}: {s.pvalue} vs gemtc {p}"
        # gemtc's direct and indirect estimates are posterior medians.
        # Tolerance 0.15 posterior sds: about 4 Monte Carlo SEs of a median from ESS ~1,500.
        assert abs(s.direct["median"] - row["direct"]) < 0.15 * s.direct["sd"], (t1, t2)
        assert abs(s.indirect["median"] - row["indirect"]) < 0.15 * s.indirect["sd"], (t1, t2)
    assert "p = 2 min" in split.summary().notes[0]
    assert set(split.to_frame()["evidence"]) == {"direct", "indirect", "difference"}


def test_ume_model() -> None:
    # TSD4's UME model on smoking: six comparisons; close to the consistency fit's deviance.
    ume = bayes_ume_mcmc(
        _smoking(),
        study="studyn",
        treatment="trt",
        events="r",
        n="n",
        reference="A",
        warmup=300,
        samples=500,
        chains=2,
        rng=3,
    )
    assert ume.posterior["d"].shape == (2, 500, 6)
    frame = ume.to_frame()
    assert list(zip(frame["treatment"], frame["comparator"], strict=True)) == [
        ("B", "A"),
        ("C", "A"),
        ("D", "A"),
        ("C", "B"),
        ("D", "B"),
        ("D", "C"),
    ]
    assert 50 < ume.resdev < 58 and ume.n_datapoints == 50
    assert ume.sd is not None and 0.6 < ume.sd.median < 1.3
    assert "Unrelated mean effects" in str(ume)


def test_docstring_example() -> None:
    import doctest

    from evsynth.synthesis.nma.bayes import mcmc

    result = doctest.testmod(mcmc, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
