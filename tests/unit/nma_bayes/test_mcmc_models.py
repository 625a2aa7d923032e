"""Building the MCMC models: reading arms, plans (consistency, UME, node-split), multi-arm
covariance, priors on tau, deviance. No NUTS run here (the models are evaluated directly).

Data: TSD2's smoking example (``tests/data/bayes/smoking_tsd.csv``: 24 studies, two of them
three-arm) and TSD2's Parkinson's example (``parkinsons_tsd.csv``).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth.synthesis.nma.bayes import bayes_nma_normal
from evsynth.synthesis.nma.bayes.mcmc import bayes_nma_mcmc, read_data
from evsynth.synthesis.nma.bayes.mcmc_data import (
    consistency_plan,
    direct_comparisons,
    model_arrays,
    nodesplit_plan,
    split_problem,
    ume_plan,
)
from evsynth.synthesis.nma.bayes.mcmc_diagnostics import binomial_deviance, gaussian_deviances
from evsynth.synthesis.nma.bayes.priors import (
    HalfNormalTau,
    LogNormalTau2,
    LogTTau2,
    TauPrior,
    UniformTau,
)
from tests.conftest import DATA

jax = pytest.importorskip("jax")
numpyro = pytest.importorskip("numpyro")
from evsynth.synthesis.nma.bayes import models_numpyro  # noqa: E402


def _smoking() -> pd.DataFrame:
    data = pd.read_csv(DATA / "bayes" / "smoking_tsd.csv")
    data["trt"] = data["trtn"].map({1: "A", 2: "B", 3: "C", 4: "D"})
    return data


@pytest.fixture(scope="module")
def smoking() -> object:
    return read_data(
        _smoking(),
        likelihood="binomial",
        study="studyn",
        treatment="trt",
        events="r",
        n="n",
        effect="",
        se="",
        reference="A",
        layout="auto",
    )


def test_read_arms_orders_baseline_first(smoking: object) -> None:
    net = smoking
    assert net.treatments == ("A", "B", "C", "D")
    assert len(net.studies) == 24
    study2 = net.studies[1]  # self-help, individual and group counselling
    assert study2.treatments == ("B", "C", "D")
    np.testing.assert_array_equal(study2.first, [11, 12, 29])
    np.testing.assert_array_equal(study2.second, [78, 85, 170])


def test_consistency_design_multi_arm(smoking: object) -> None:
    plan = consistency_plan(smoking)
    assert plan.parameters == ("B", "C", "D")
    # Study 1 (A, C, D): contrasts C vs A, D vs A; study 2 (B, C, D): C vs B, D vs B.
    np.testing.assert_array_equal(plan.units[0].design, [[0, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(plan.units[1].design, [[-1, 1, 0], [-1, 0, 1]])


def test_ume_plan_comparisons(smoking: object) -> None:
    plan = ume_plan(smoking)
    assert plan.parameters == ("B vs A", "C vs A", "D vs A", "C vs B", "D vs B", "D vs C")
    # Study 2's baseline is B: its contrasts are B-C and B-D.
    np.testing.assert_array_equal(plan.units[1].design, [[0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 1, 0]])


def test_nodesplit_plan_drops_third_arm(smoking: object) -> None:
    plan = nodesplit_plan(smoking, (2, 3))  # C vs D
    assert plan.parameters[-1] == "D vs C (direct)"
    unit = plan.units[0]  # study 1: A, C, D -> baseline C, then D (direct), A out of the likelihood
    assert [smoking.studies[0].treatments[a] for a in unit.arms] == ["C", "D", "A"]
    assert unit.used == (True, True, False)
    np.testing.assert_array_equal(unit.design, [[0, 0, 0, 1], [0, -1, 0, 0]])
    arrays, _ = model_arrays(
        smoking,
        plan,
        prior_d_sd=100,
        prior_baseline_sd=100,
        prior_tau=np.array([5.0, 0, 0]),
        tau_ref=0.8,
    )
    consistency, _ = model_arrays(
        smoking,
        consistency_plan(smoking),
        prior_d_sd=100,
        prior_baseline_sd=100,
        prior_tau=np.array([5.0, 0, 0]),
        tau_ref=0.8,
    )
    # Same shapes as the consistency model's (up to the extra parameter): one compiled sampler
    # serves every split.
    assert arrays["events"].shape == consistency["events"].shape == (50,)
    assert arrays["design"].shape == (26, 4)
    assert arrays["weight"].sum() == 48  # two third arms left out
    assert np.all(arrays["lam"][arrays["weight"][arrays["con_arm"]] == 0] == 0)


def test_nodesplit_four_arm_study_splits_in_two() -> None:
    data = pd.DataFrame(
        {
            "study": ["s1"] * 4 + ["s2", "s2", "s3", "s3", "s4", "s4"],
            "treatment": ["A", "B", "C", "D", "A", "B", "B", "C", "A", "C"],
            "events": [5, 8, 9, 10, 6, 9, 7, 9, 5, 8],
            "n": [50] * 10,
        }
    )
    net = read_data(
        data,
        likelihood="binomial",
        study="study",
        treatment="treatment",
        events="events",
        n="n",
        effect="",
        se="",
        reference="A",
        layout="auto",
    )
    plan = nodesplit_plan(net, (1, 2))  # B vs C
    first, second = plan.units[0], plan.units[1]
    assert [net.studies[0].treatments[a] for a in first.arms] == ["B", "C"]
    assert [net.studies[0].treatments[a] for a in second.arms] == ["A", "D"]
    assert direct_comparisons(net) == [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    # A vs D is only in study 1: no indirect evidence.
    assert split_problem(net, (0, 3)) is not None


def test_split_without_loop_is_refused() -> None:
    data = pd.DataFrame(
        {
            "study": [1, 1, 2, 2],
            "treatment": ["A", "B", "A", "C"],
            "events": [1, 2, 3, 4],
            "n": [10] * 4,
        }
    )
    with pytest.raises(EvsynthError, match="no indirect evidence"):
        from evsynth.synthesis.nma.bayes.mcmc_inconsistency import bayes_nodesplit_mcmc

        bayes_nodesplit_mcmc(data, comparisons=[("A", "B")], reference="A")


@functools.cache
def _log_density() -> object:
    """The binomial RE model's log joint density and linear predictor, compiled once."""
    from numpyro.infer.util import log_density

    def fn(data: dict[str, object], params: dict[str, object]) -> tuple[object, object]:
        value, trace = log_density(
            models_numpyro.binomial_model,
            (data,),
            {"random": True, "tau_family": "uniform"},
            params,
        )
        return value, trace["lp"]["value"]

    return jax.jit(fn)


@pytest.mark.parametrize("lam", [0.0, 0.35, 1.0])
def test_multi_arm_random_effects_density(smoking: object, lam: float) -> None:
    # The density NUTS samples equals TSD2's model written out directly: delta_i ~ MVN(X_i d,
    # tau^2 Sigma), Sigma = (I + J) / 2 (variance tau^2, covariance tau^2 / 2 in a multi-arm
    # trial), for every parameterisation weight lambda, once the Jacobian of w -> delta
    # (prod tau^(1 - lambda) L_kk) is added.
    from scipy import stats

    plan = consistency_plan(smoking)
    arrays, _ = model_arrays(
        smoking,
        plan,
        prior_d_sd=1.0,
        prior_baseline_sd=2.0,
        prior_tau=np.array([2.0, 0, 0]),
        tau_ref=None,
    )
    arrays["lam"] = np.full_like(arrays["lam"], lam)
    gen = np.random.default_rng(4)
    d, mu, tau = gen.normal(size=3), gen.normal(size=24) - 2, 0.7
    delta = gen.normal(size=26)
    mean = arrays["design"] @ d
    omega = models_numpyro.whiten(delta - mean, arrays, arrays["chol_inv"])
    c = models_numpyro.whiten(mu[arrays["con_unit"]] + mean, arrays, arrays["chol_inv"])
    w = lam * c + omega * tau ** (lam - 1.0)
    with models_numpyro.float64():
        data = {k: jax.numpy.asarray(v) for k, v in arrays.items()}
        value, lp_model = _log_density()(data, {"d": d, "mu": mu, "sd": tau, "w": w})
    lp = mu[arrays["arm_unit"]]
    lp[arrays["con_arm"]] += delta
    np.testing.assert_allclose(np.asarray(lp_model), lp, rtol=1e-12)
    expected = stats.norm.logpdf(d, 0, 1).sum() + stats.norm.logpdf(mu, 0, 2).sum() - math.log(2.0)
    units = arrays["con_unit"]
    for u in np.unique(units):
        idx = np.flatnonzero(units == u)
        sigma = 0.5 * (np.eye(len(idx)) + 1.0) * tau**2
        expected += stats.multivariate_normal(mean[idx], sigma).logpdf(delta[idx])
    expected += np.sum(arrays["events"] * lp - arrays["sizes"] * np.logaddexp(0, lp))
    jacobian = np.sum(
        (1 - lam) * math.log(tau) + np.log(np.diag(arrays["chol"])[arrays["con_pos"]])
    )
    assert float(value) == pytest.approx(expected + jacobian, rel=1e-10)


def _tau_log_density(prior: TauPrior, tau: float) -> float:
    from numpyro.infer.util import log_density

    family, vec = models_numpyro.tau_prior_vector(prior)

    def model() -> None:
        models_numpyro._tau(family, jax.numpy.asarray(vec))

    with models_numpyro.float64():
        if family in ("uniform", "half-normal"):
            value, _ = log_density(model, (), {}, {"sd": tau})
            return float(value)
        value, _ = log_density(model, (), {}, {"log_tau2": 2 * math.log(tau)})
        return float(value) + math.log(
            2 / tau
        )  # density of tau = p(log tau^2) |d log tau^2 / d tau|


@pytest.mark.parametrize(
    "prior",
    [UniformTau(5.0), HalfNormalTau(0.5), LogNormalTau2(-2.56, 1.74), LogTTau2(-3.44, 2.59, 5.0)],
)
def test_priors_match_prior_objects(prior: TauPrior) -> None:
    # The compiled models' priors are the prior objects of the exact engine.
    for tau in (0.05, 0.3, 1.2):
        expected = float(prior.log_density_tau(np.array([tau]))[0])
        assert _tau_log_density(prior, tau) == pytest.approx(expected, rel=1e-10)


def test_binomial_deviance_values() -> None:
    # TSD2's residual deviance: 0 at the observed proportion; r = 0 of 10 at p = 0.1 gives
    # 2 * 10 * log(10 / 9).
    dev = binomial_deviance(
        np.array([5.0, 0.0]), np.array([10.0, 10.0]), np.log([0.5, 0.1]), np.log([0.5, 0.9])
    )
    np.testing.assert_allclose(dev, [0.0, 20 * math.log(10 / 9)], rtol=1e-12)


def test_gaussian_deviance_matches_exact_engine() -> None:
    # Draws from the exact posterior (bayes_nma_normal) through the MCMC engine's
    # Rao-Blackwellised deviance: the posterior mean residual deviance and pD agree with the
    # exact engine's closed forms within Monte Carlo error.
    data = pd.read_csv(DATA / "bayes" / "parkinsons_tsd.csv")
    cols = {"study": "studyn", "treatment": "trtn", "effect": "diff", "se": "se_diff"}
    exact = bayes_nma_normal(data, **cols, reference="1", higher_is_better=False, rng=3)
    draws = exact.draws(40_000)
    net = read_data(
        data, likelihood="normal", events="", n="", reference="1", layout="auto", **cols
    )
    plan = consistency_plan(net)
    arrays, extra = model_arrays(
        net, plan, prior_d_sd=100, prior_baseline_sd=100, prior_tau=None, tau_ref=None
    )
    theta = draws[[f"d[{t}]" for t in net.treatments[1:]]].to_numpy()[None]
    dev = gaussian_deviances(arrays, extra, theta, draws["sd"].to_numpy()[None])
    resdev = float(dev.mean.sum())
    assert abs(resdev - exact.resdev) < 0.05
    assert abs(resdev - float(dev.at_linear_predictor.sum()) - exact.pd) < 0.05


def test_tau_prior_vector() -> None:
    assert models_numpyro.tau_prior_vector(UniformTau(5))[0] == "uniform"
    family, vec = models_numpyro.tau_prior_vector(LogTTau2(-3.44, 2.59, 5.0))
    assert family == "log-t"
    np.testing.assert_array_equal(vec, [-3.44, 2.59, 5.0])


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"events": [11, 200]}, DataError, "not a count"),
        ({"treatment": ["A", "A"]}, DataError, "same treatment"),
    ],
)
def test_bad_arm_data(change: dict[str, list[object]], error: type[Exception], match: str) -> None:
    data = pd.DataFrame(
        {"study": ["s1", "s1"], "treatment": ["A", "B"], "events": [11, 12], "n": [100, 100]}
    )
    for column, values in change.items():
        data[column] = values
    with pytest.raises(error, match=match):
        bayes_nma_mcmc(data, reference="A", higher_is_better=True)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"likelihood": "poisson"}, "likelihood='poisson' is not known"),
        ({"model": "fixed", "prior_tau": UniformTau(2)}, "only to model='random'"),
        ({"chains": 0}, "chains=0"),
        ({"chain_method": "parallel"}, "chain_method='parallel' is not known"),
        ({"plugin": "mean"}, "plugin='mean' is not known"),
        ({"reference": "Z"}, "reference='Z' is not a treatment"),
        ({"rng": 1.5}, "rng=1.5"),
    ],
)
def test_argument_errors(kwargs: dict[str, object], match: str) -> None:
    data = _smoking()
    args: dict[str, object] = {
        "study": "studyn",
        "treatment": "trt",
        "events": "r",
        "reference": "A",
        "higher_is_better": True,
    }
    args.update(kwargs)
    with pytest.raises(EvsynthError, match=match):
        bayes_nma_mcmc(data, **args)  # type: ignore[arg-type]


def test_disconnected_network() -> None:
    data = pd.DataFrame(
        {
            "study": [1, 1, 2, 2],
            "treatment": ["A", "B", "C", "D"],
            "events": [1, 2, 3, 4],
            "n": [10] * 4,
        }
    )
    with pytest.raises(EvsynthError, match="disconnected"):
        bayes_nma_mcmc(data, reference="A", higher_is_better=True)
