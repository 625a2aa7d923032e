"""The bundled example's network meta-analyses, end to end through ``evsynth run``.

Two ``[[analyses.nma]]`` entries in examples/pps-review/evsynth.toml: the real López-López et al.
(2019) network (examples/pps-review/data/lopez2019_nma_pairwise.csv, a byte copy of
/work/shared/reference/netmeta/nma_input_lopez2019_pairwise.csv pinned in
tests/data/netmeta/README.md) and the SYNTHETIC seed-shaped grid written by
examples/pps-review/tools/make_nma_grid.py. The expected sparse cells are the four the
generator makes on purpose (its module docstring).
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from evsynth.synthesis.nma import network_meta_analysis
from tests.conftest import DATA
from tests.integration.conftest import EXAMPLE

LOPEZ_SHA256 = "bb663d4f81d6264b98fe5204291dbb5aca71af4b630806f48e8ca9cd24a09aa0"


@pytest.fixture(scope="module")
def run(example_run: tuple[dict[str, Any], str]) -> tuple[dict[str, Any], str]:
    """``evsynth run --json`` on a fresh copy of the example: its JSON and its report."""
    return example_run


def _section(report: str, name: str) -> str:
    start = report.index(f'<section id="{name}"')
    return report[start : report.index("</section>", start)]


def test_lopez_data_are_the_pinned_reference() -> None:
    path = EXAMPLE / "data" / "lopez2019_nma_pairwise.csv"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == LOPEZ_SHA256
    assert path.read_bytes() == (DATA / "netmeta" / "nma_input_lopez2019_pairwise.csv").read_bytes()


def test_run_reports_the_lopez_network(run: tuple[dict[str, Any], str]) -> None:
    payload, report = run
    entry = next(a for a in payload["nma"] if a["name"] == "lopez2019-nma")
    expected = network_meta_analysis(
        pd.read_csv(DATA / "netmeta" / "nma_input_lopez2019_pairwise.csv"),
        reference="TAU",
        higher_is_better=False,
        measure="SMD",
    )
    assert entry["grid"] is False and entry["reference"] == "TAU"
    assert (entry["k"], entry["n"]) == (73, 7)
    rows = {t["treatment"]: t for t in entry["treatments"]}
    frame = expected.to_frame("random").set_index("treatment")
    np.testing.assert_allclose(
        [rows[t]["estimate"] for t in frame.index], frame["estimate"], rtol=1e-12
    )
    # Lower SMD is better: face-to-face CBT ranks first and is better than TAU.
    best = max(entry["treatments"], key=lambda t: t["pscore"])
    assert best["treatment"] == "F2F CBT" and best["estimate"] < 0
    section = _section(report, "lopez2019-nma")
    assert section.count("<svg") == 4  # graph, forest, league, P-scores
    assert "López-López et al. 2019" in section
    assert "Favours treatment" in report


def test_run_reports_the_synthetic_grid(run: tuple[dict[str, Any], str]) -> None:
    payload, report = run
    entry = next(a for a in payload["nma"] if a["name"] == "synthetic-grid")
    assert entry["grid"] is True
    assert len(entry["outcomes"]) == 8 and entry["timepoints"] == [
        "end of treatment", "<6 months", ">=6 months"
    ]  # fmt: skip
    cells = {(c["outcome"], c["timepoint"]): c for c in entry["cells"]}
    assert len(cells) == 24
    # The deliberately sparse cells (tools/make_nma_grid.py).
    assert cells[("anxiety", ">=6 months")]["error"].startswith("no study reports anxiety")
    assert "not in this network" in cells[("emotional distress", ">=6 months")]["error"]
    single = cells[("impact on daily activities", ">=6 months")]
    assert single["k"] == 1 and [w["kind"] for w in single["warnings"]] == ["few_studies"]
    kinds = {w["kind"] for w in cells[("symptom load", "<6 months")]["warnings"]}
    assert "disconnected" in kinds
    analysed = [c for c in cells.values() if c["error"] is None]
    assert len(analysed) == 22
    section = _section(report, "synthetic-grid")
    assert "SYNTHETIC" in section
    assert section.count("<details") == 22
    assert section.count("<svg") == 2 * 22  # a graph and a forest plot per network
    assert "Node area: participants randomised" in section
    assert "the network is disconnected" in section


def test_report_contents_and_methods_list_both(run: tuple[dict[str, Any], str]) -> None:
    _, report = run
    nav = report[report.index("<nav>") : report.index("</nav>")]
    assert 'href="#lopez2019-nma"' in nav and 'href="#synthetic-grid"' in nav
    methods = report[report.index('id="methods"') :]
    assert "A separate network meta-analysis was run for each of 8 outcomes" in methods
    assert "doi:10.1002/jrsm.1058" in methods
    assert re.search(r"validated against netmeta 3\.3-1", methods)


def _generator() -> Any:
    path = EXAMPLE / "tools" / "make_nma_grid.py"
    spec = importlib.util.spec_from_file_location("make_nma_grid", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_data_regenerate_byte_for_byte(tmp_path: Path) -> None:
    gen = _generator()
    arms = gen.simulate()
    gen.check(arms)
    target = tmp_path / "grid.csv"
    gen.write(gen.contrasts(arms), target)
    bundled = EXAMPLE / "data" / "synthetic_nma_grid_contrasts.csv"
    assert target.read_bytes() == bundled.read_bytes()
    frame = pd.read_csv(bundled)
    assert (frame["provenance"].str.startswith("SYNTHETIC")).all()
    assert frame["studlab"].str.startswith("Synthetic trial").all()
    # Three-arm trials give consistent SMDs (g_AC = g_AB + g_BC up to the file's 4 decimals).
    three = frame.groupby(["studlab", "outcome", "timepoint"]).filter(lambda g: len(g) == 3)
    assert len(three) >= 9


# --- bayes = true: the Bayesian NMA beside the frequentist one --------------------------------


def _table(html: str, label: str) -> list[list[str]]:
    """The cells of the first table with this aria-label, tags stripped, row by row."""
    start = html.index(f'aria-label="{label}"')
    body = html[start : html.index("</table>", start)]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r)]
        for r in rows
    ]


def test_lopez_section_shows_bayes_beside_frequentist(run: tuple[dict[str, Any], str]) -> None:
    from evsynth.synthesis.nma.bayes import bayes_nma_normal

    payload, report = run
    entry = next(a for a in payload["nma"] if a["name"] == "lopez2019-nma")
    bayes = entry["bayes"]
    assert bayes["engine"] == "exact" and bayes["seed"] == 2024
    expected = bayes_nma_normal(
        pd.read_csv(DATA / "netmeta" / "nma_input_lopez2019_pairwise.csv"),
        reference="TAU",
        higher_is_better=False,
        rng=2024,
    )
    frame = expected.to_frame().set_index("treatment")
    rows = {t["treatment"]: t for t in bayes["treatments"]}
    for name in frame.index[1:]:
        assert rows[name]["median"] == pytest.approx(frame.loc[name, "median"], rel=1e-12)
    section = _section(report, "lopez2019-nma")
    table = _table(section, "Bayesian and frequentist estimates")
    assert table[0] == [
        "Treatment vs TAU", "Frequentist SMD (95% CI)", "Posterior mean (sd)",
        "Posterior median (95% CrI)", "P-score", "SUCRA", "P(better than TAU)",
    ]  # fmt: skip
    f2f = next(r for r in table if r[0] == "F2F CBT")
    low, high = frame.loc["F2F CBT", ["q025", "q975"]]
    assert f2f[3] == f"{frame.loc['F2F CBT', 'median']:.2f} ({low:.2f} to {high:.2f})"
    freq = next(t for t in entry["treatments"] if t["treatment"] == "F2F CBT")
    assert f2f[1].startswith(f"{freq['estimate']:.2f} (")
    assert f2f[4] == f"{freq['pscore']:.2f}" and f2f[5] == f"{frame.loc['F2F CBT', 'sucra']:.2f}"
    assert len(table) == 1 + 7  # header, 6 treatments and the reference
    fit = {
        r[0]: r[1:]
        for r in _table(section, "Heterogeneity, fit and priors, frequentist and Bayesian")[1:]
    }
    assert fit["Between-study sd, tau"][0].startswith(f"{entry['tau']:.3g}")
    assert f"posterior median {bayes['sd']['median']:.3g}" in fit["Between-study sd, tau"][1]
    assert f"DIC {bayes['dic']:.2f}" in fit["Fit"][1] and "pD" in fit["Fit"][1]
    assert "tau ~ Uniform(0, 5)" in fit["Priors"][1]
    assert "quadrature" in fit["Engine"][1]
    assert "posterior mean of the linear predictor" in section


def test_grid_section_shows_bayes_per_cell(run: tuple[dict[str, Any], str]) -> None:
    payload, report = run
    entry = next(a for a in payload["nma"] if a["name"] == "synthetic-grid")
    cells = {(c["outcome"], c["timepoint"]): c for c in entry["bayes"]["cells"]}
    assert len(cells) == 24 and sum(c["error"] is None for c in cells.values()) == 22
    section = _section(report, "synthetic-grid")
    overview = _table(section, "Bayesian and frequentist networks by outcome and time point")
    assert len(overview) == 1 + 24
    pain = next(r for r in overview if r[:2] == ["pain", "end of treatment"])
    median = cells[("pain", "end of treatment")]["sd"]["median"]
    assert pain[4].startswith(f"{median:.3g} (")
    # The side-by-side tables in every analysed cell's details.
    assert section.count('aria-label="Bayesian and frequentist estimates"') == 22
    single = section[section.index("impact on daily activities, &gt;=6 months") :]
    assert "the data say little about tau" in single[: single.index("</details>")]


def test_methods_describe_the_exact_bayesian_analysis(run: tuple[dict[str, Any], str]) -> None:
    _, report = run
    methods = report[report.index('id="methods"') :]
    assert "NICE DSU Technical Support Document 2" in methods
    assert "integrated out analytically" in methods and "quadrature grid" in methods
    assert "deviance at the posterior mean of the linear predictor" in methods
    references = report[report.index('id="references"') :]
    for doi in ("10.1177/0272989X12458724", "10.1016/j.jclinepi.2010.03.016",
                "10.1111/1467-9868.00353"):  # fmt: skip
        assert doi in references
