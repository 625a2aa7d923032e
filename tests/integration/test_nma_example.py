"""The bundled example's network meta-analyses, end to end through ``evsynth run``.

Two ``[[analyses.nma]]`` entries in examples/pps-review/evsynth.toml: the real López-López et al.
(2019) network (examples/pps-review/data/lopez2019_nma_pairwise.csv, a byte copy of
/work/shared/reference/netmeta/nma_input_lopez2019_pairwise.csv pinned in
tests/data/netmeta/README.md) and the SYNTHETIC seed-shaped grid written by
examples/pps-review/tools/make_nma_grid.py. The expected sparse cells are the four the
generator makes on purpose (its module docstring).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from evsynth.cli.app import main
from evsynth.synthesis.nma import network_meta_analysis
from tests.conftest import DATA
from tests.integration.conftest import EXAMPLE

LOPEZ_SHA256 = "bb663d4f81d6264b98fe5204291dbb5aca71af4b630806f48e8ca9cd24a09aa0"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """``evsynth run --json`` on a fresh copy of the example: its JSON and its report."""
    target = tmp_path_factory.mktemp("nma-example") / "pps-review"
    shutil.copytree(
        EXAMPLE,
        target,
        ignore=shutil.ignore_patterns("output", "evsynth.db", "evsynth.db-*", "__pycache__"),
    )
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(["run", str(target), "--json"])
    report = (target / "output" / "report.html").read_text(encoding="utf-8")
    return json.loads(out.getvalue()), report


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
