"""The report's Bayesian tables beside the frequentist ones (evsynth.report.nma_bayes_view).

Data: TSD2's Parkinson's contrasts (tests/data/bayes/parkinsons_tsd.csv) for the exact engine,
and TSD2's smoking-cessation arms (tests/data/bayes/smoking_tsd.csv) for the binomial model by
MCMC. The numbers shown must be those of the fits (rounded as displayed); the frequentist
columns those of ``network_meta_analysis`` on the same data.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from evsynth.report import nma_bayes_view
from evsynth.report.html import ReviewReport, render_html
from evsynth.report.nma_section import NmaSection
from evsynth.synthesis.nma import network_meta_analysis
from evsynth.synthesis.nma.bayes import bayes_nma_normal, rhodes2015_smd_general
from evsynth.synthesis.nma.bayes.engines import mcmc_function
from tests.conftest import DATA


def _pairwise(data: pd.DataFrame) -> pd.DataFrame:
    """Parkinson's as netmeta contrasts (all pairs of each study, from its arm means)."""
    rows = []
    for study, arms in data.groupby("studyn"):
        a = arms.reset_index(drop=True)
        for i in range(len(a)):
            for j in range(i + 1, len(a)):
                se = math.hypot(a.se[i], a.se[j])
                rows.append((str(study), str(a.trtn[j]), str(a.trtn[i]), a.y[j] - a.y[i], se))
    return pd.DataFrame(rows, columns=["studlab", "treat1", "treat2", "TE", "seTE"])


@pytest.fixture(scope="module")
def section() -> NmaSection:
    contrasts = _pairwise(pd.read_csv(DATA / "bayes" / "parkinsons_tsd.csv"))
    freq = network_meta_analysis(contrasts, reference="1", higher_is_better=False)
    bayes = bayes_nma_normal(contrasts, reference="1", higher_is_better=False, rng=1)
    return NmaSection(
        "parkinsons", "Parkinson's", None, None, "MD", "random", result=freq, bayes=bayes
    )


def test_side_by_side_rows_show_both_fits(section: NmaSection) -> None:
    view = section.views()[0]
    rows = view.bayes_table()
    frame = section.bayes.to_frame().set_index("treatment")
    est = section.result.to_frame("random").set_index("treatment")
    assert [r[0] for r in rows] == ["2", "3", "4", "5", "1 (reference)"]
    for row in rows[:-1]:
        b, f = frame.loc[row[0]], est.loc[row[0]]
        assert row[1] == f"{f.estimate:.2f} ({f.ci_low:.2f} to {f.ci_high:.2f})"
        assert row[2] == f"{b['mean']:.2f} ({b['sd']:.2f})"
        assert row[3] == f"{b['median']:.2f} ({b.q025:.2f} to {b.q975:.2f})"
        assert row[4] == f"{f.pscore:.2f}" and row[5] == f"{b.sucra:.2f}"
        assert row[6] == f"{b.p_better_than_reference:.2f}"
    assert rows[-1][5] == f"{frame.loc['1', 'sucra']:.2f}"


def test_fit_rows_state_tau_dic_priors_and_engine(section: NmaSection) -> None:
    rows = {r[0]: r[1:] for r in section.views()[0].bayes_fit_table()}
    sd = section.bayes.sd
    assert rows["Between-study sd, tau"][1].startswith(f"posterior median {sd.median:.3g}")
    assert f"DIC {section.bayes.dic:.2f}" in rows["Fit"][1] and "(8 data points)" in rows["Fit"][1]
    assert rows["Priors"][1].endswith("tau ~ Uniform(0, 5)")
    assert rows["Engine"][1].startswith("exact: random effects integrated out")


def test_methods_and_citations_follow_the_prior(section: NmaSection) -> None:
    text = section.methods_text()
    assert "Bayesian random-effects model as in NICE DSU Technical Support Document 2" in text
    assert "quadrature grid" in text
    keys = section.method_keys()
    assert {"dias2013", "dias2011tsd2", "salanti2011", "spiegelhalter2002"} <= set(keys)
    assert "rhodes2015" not in keys and "numpyro" not in keys
    rhodes = bayes_nma_normal(
        _pairwise(pd.read_csv(DATA / "bayes" / "parkinsons_tsd.csv")),
        reference="1",
        higher_is_better=False,
        prior_tau=rhodes2015_smd_general(),
        rng=1,
    )
    assert "rhodes2015" in nma_bayes_view.method_keys([rhodes])


def test_rendered_report_has_the_tables_and_references(section: NmaSection) -> None:
    html = render_html(
        ReviewReport(
            title="t",
            registration=None,
            description=None,
            meta_sections=(),
            manifest={"versions": {"evsynth": "0"}, "created": "now"},
            nma_sections=(section,),
        )
    )
    assert 'aria-label="Bayesian and frequentist estimates"' in html
    assert "Posterior median (95% CrI)" in html and "doi:10.1177/0272989X12458724" in html


def test_prior_dominates_note_when_q_has_no_df() -> None:
    one = pd.DataFrame(
        {"studlab": ["s1"], "treat1": ["B"], "treat2": ["A"], "TE": [0.3], "seTE": [0.2]}
    )
    freq = network_meta_analysis(one, reference="A", higher_is_better=True)
    bayes = bayes_nma_normal(one, reference="A", higher_is_better=True, rng=1)
    rows = nma_bayes_view.fit_rows(freq, "random", bayes)
    assert rows[1][2] == nma_bayes_view.PRIOR_DOMINATES
    assert "(1 data point)" in rows[2][2]


@pytest.mark.slow
@pytest.mark.skipif(mcmc_function() is None, reason="the MCMC engine (NumPyro) is not installed")
def test_binomial_fit_is_shown_on_the_odds_ratio_scale() -> None:
    from evsynth.synthesis.nma.bayes.mcmc import bayes_nma_mcmc
    from evsynth.synthesis.nma.bayes.mcmc_diagnostics import ConvergenceWarning

    arms = pd.read_csv(DATA / "bayes" / "smoking_tsd.csv")
    arms = arms.rename(columns={"studyn": "study", "trtc": "treatment", "r": "events"})
    freq = network_meta_analysis(
        arms, measure="OR", reference="No intervention", higher_is_better=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # short chains, checked below
        bayes = bayes_nma_mcmc(
            arms, reference="No intervention", higher_is_better=True, rng=2,
            chains=2, warmup=200, samples=250, sampler="nuts",
        )  # fmt: skip
    section = NmaSection("s", "Smoking", None, None, "OR", "random", result=freq, bayes=bayes)
    view = section.views()[0]
    frame = bayes.to_frame().set_index("treatment")
    row = next(r for r in view.bayes_table() if r[0] == "Group counselling")
    b = frame.loc["Group counselling"]
    # Quantiles transform: the median and CrI exponentiated; the mean (sd) on the log scale.
    assert row[3] == (f"{np.exp(b['median']):.2f} ({np.exp(b.q025):.2f} to {np.exp(b.q975):.2f})")
    assert row[2] == f"{b['mean']:.2f} ({b['sd']:.2f})"
    engine = dict((r[0], r[2]) for r in view.bayes_fit_table())["Engine"]
    assert engine.startswith("MCMC (NumPyro NUTS, 2 chains x 250 draws after 200 warm-up")
    assert ("NOT CONVERGED" in engine) == (not bayes.converged)
    assert {"numpyro", "vehtari2021"} <= set(section.method_keys())
    assert "MCMC" in section.methods_text()
