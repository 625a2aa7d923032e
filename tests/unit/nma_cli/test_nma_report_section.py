"""The report's network meta-analysis section: figures, tables, methods and citations.

Networks: smoking cessation (tests/data/netmeta/nma_input_smoking_pairwise.csv; netmeta 3.3-1
values in nma_frequentist.json) and a small synthetic grid built here.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from evsynth._core.errors import DataError
from evsynth.report.html import ReviewReport, render_html
from evsynth.report.nma_section import NmaSection
from evsynth.storage.config import load_config
from evsynth.synthesis.nma import network_meta_analysis
from evsynth.synthesis.nma.grid import nma_grid
from tests.conftest import DATA, load_json

REF = load_json("netmeta/nma_frequentist.json")
MANIFEST = {"versions": {"evsynth": "test"}, "created": "2026-01-01"}


def _smoking() -> pd.DataFrame:
    return pd.read_csv(DATA / "netmeta" / "nma_input_smoking_pairwise.csv")


def _report(*sections: NmaSection) -> str:
    report = ReviewReport(
        title="NMA report",
        registration=None,
        description=None,
        meta_sections=(),
        manifest=MANIFEST,
        nma_sections=sections,
    )
    return render_html(report)


@pytest.fixture(scope="module")
def single_html() -> str:
    result = network_meta_analysis(
        _smoking(), measure="OR", reference="no_contact", higher_is_better=True
    )
    return _report(NmaSection("smoking", "Smoking cessation", "Hasselblad 1998", None,
                              "Odds ratio", "random", result=result))  # fmt: skip


def test_single_network_section_has_its_four_figures(single_html: str) -> None:
    section = single_html[single_html.index('<section id="smoking"') :]
    section = section[: section.index("</section>")]
    # Network graph, forest plot, league heat map, P-score plot.
    assert section.count("<svg") == 4
    for caption in ("network of comparisons", "each treatment versus no_contact",
                    "league table", "P-scores"):  # fmt: skip
        assert caption in section, caption
    assert "Node area: number of studies" in section
    assert "shaded polygons: multi-arm studies" in section


def test_single_network_tables_show_netmeta_numbers(single_html: str) -> None:
    # Odds ratios versus no_contact: exp of netmeta's random TE (smoking_netmeta_DL), 2 d.p.
    ref = REF["smoking_netmeta_DL"]
    for name, te in zip(ref["trts"], ref["random"]["TE"], strict=True):
        if name != "no_contact":
            assert f'<td>{name}</td><td class="num">{math.exp(te):.2f} (' in single_html, name
    assert f"{ref['Q_inconsistency']:.2f} (df = {ref['df_Q_inconsistency']}, p = " in single_html
    assert "Design-by-treatment interaction (random effects)" in single_html
    assert "Direct and indirect evidence" in single_html  # netsplit table
    assert "no_contact (reference)" in single_html


def test_methods_cite_the_network_papers(single_html: str) -> None:
    methods = single_html[single_html.index('id="methods"') :]
    assert "graph-theoretical method" in methods and "P-scores" in methods
    for doi in ("10.1002/jrsm.1058", "10.1186/s12874-015-0060-8", "10.1186/1471-2288-13-35",
                "10.1002/sim.3767", "10.18637/jss.v106.i02", "10.1002/sim.6236",
                "10.1002/sim.6001"):  # fmt: skip
        assert f"doi:{doi}" in methods, doi
    # No pairwise meta-analysis here, so metafor is not cited.
    assert "metafor package" not in methods
    assert 'href="#smoking"' in single_html


def test_grid_section_has_an_overview_and_one_block_per_network() -> None:
    smoking = _smoking().replace("no_contact", "UC")
    data = pd.concat(
        [
            smoking.assign(outcome="cessation", timepoint="end"),
            smoking.iloc[:1].assign(outcome="cessation", timepoint="12 months"),
            smoking.iloc[:0].assign(outcome="relapse", timepoint="end"),
        ],
        ignore_index=True,
    )
    grid = nma_grid(data, reference="UC", higher_is_better=True,
                    outcomes=["cessation", "relapse"], timepoints=["end", "12 months"])  # fmt: skip
    html = _report(NmaSection("grid", "A grid", None, None, "log OR", "random", grid=grid))
    section = html[html.index('<section id="grid"') : html.index("</section>")]
    # Two networks analysed (end: 24 studies; 12 months: 1 study), each with a graph and a forest.
    assert section.count("<details") == 2
    assert section.count("<svg") == 4
    assert "not analysed: no study reports relapse at end" in section
    assert "only 1 study" in section  # the sparse-network warning
    assert "A separate network meta-analysis was run for each of 2 outcomes" in html


def test_section_needs_one_result() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        NmaSection("x", "x", None, None, "SMD", "random")


def _config(tmp_path: Path, body: str) -> Path:
    (tmp_path / "evsynth.toml").write_text('[project]\ntitle = "t"\n' + body, encoding="utf-8")
    return tmp_path


def test_config_accepts_nma_entries(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, """
[[analyses.nma]]
name = "one"
title = "One network"
data = "a.csv"
reference = "UC"
higher_is_better = false

[[analyses.nma]]
name = "grid"
title = "Grid"
data = "b.csv"
reference = "UC"
grid = true
method = "REML"
higher_is_better = { pain = false, "physical functioning" = true }
timepoints = ["end", "6 months"]
"""))  # fmt: skip
    one, grid = config.analyses.nma
    assert one.model == "random" and one.method == "DL" and one.higher_is_better is False
    assert grid.higher_is_better == {"pain": False, "physical functioning": True}
    assert grid.outcome_column == "outcome" and grid.timepoints == ["end", "6 months"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('reference = "UC"\n', "higher_is_better"),
        ('reference = "UC"\nhigher_is_better = { pain = false }\n', "only with grid = true"),
        ('reference = "UC"\nhigher_is_better = true\nmethod = "PM"\n', "method"),
        ('reference = "UC"\nhigher_is_better = true\nrefernce = "UC"\n', "refernce"),
    ],
)
def test_config_refuses_bad_nma_entries(tmp_path: Path, body: str, words: str) -> None:
    with pytest.raises(DataError) as exc:
        load_config(_config(tmp_path, f'[[analyses.nma]]\nname = "x"\ntitle = "x"\n'
                                      f'data = "a.csv"\n{body}'))  # fmt: skip
    assert re.search(re.escape(words), str(exc.value)), str(exc.value)
