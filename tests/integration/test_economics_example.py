"""The bundled example's economic evaluation, end to end through ``evsynth run``.

The ``[[analyses.economics]]`` entry of examples/pps-review/evsynth.toml is a within-trial
cost-utility analysis of SYNTHETIC patient-level data written by
examples/pps-review/tools/make_economics_trial.py (SF-36 version 2 at 0, 3, 6 and 12 months and
costs, two arms). The numbers ``evsynth run --json`` prints must be those of the library call
with the same options (its steps are validated against tests/data/economics/ in
tests/validation/), and the report must show the section with its figures, methods and
references.
"""

from __future__ import annotations

import importlib.util
import math
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evsynth.economics import sf12_items_from_sf36, within_trial_evaluation
from tests.integration.conftest import EXAMPLE
from tests.tolerances import EXACT
from tests.validation._assert import close

NAME = "synthetic-trial-cea"


@pytest.fixture(scope="module")
def run(example_run: tuple[dict[str, Any], str]) -> tuple[dict[str, Any], str]:
    """``evsynth run --json`` on a fresh copy of the example: its JSON and its report."""
    return example_run


def _spec() -> dict[str, Any]:
    config = tomllib.loads((EXAMPLE / "evsynth.toml").read_text(encoding="utf-8"))
    (spec,) = [s for s in config["analyses"]["economics"] if s["name"] == NAME]
    return dict(spec)


def _section(report: str) -> str:
    start = report.index(f'<section id="{NAME}"')
    return report[start : report.index("</section>", start)]


def test_run_prints_the_library_results(run: tuple[dict[str, Any], str]) -> None:
    payload, _ = run
    (entry,) = [e for e in payload["economics"] if e["name"] == NAME]
    spec = _spec()
    responses = pd.read_csv(EXAMPLE / spec["responses"])
    costs = pd.read_csv(EXAMPLE / spec["costs"])
    options = {
        "reference": spec["reference"],
        "version": spec["version"],
        "time": spec["time"],
        "n_boot": spec["n_boot"],
        "rng": spec["seed"],
        "thresholds": spec["thresholds"],
    }
    direct = within_trial_evaluation(responses, costs, **options)
    assert entry["n_patients"] == 300 and entry["n_included"] == direct.n_included
    (comparison,) = entry["comparisons"]
    assert comparison["comparator"] == "Usual care"
    close(comparison["icer"], direct.cea.icer[0], EXACT, "ICER")
    close(comparison["inc_cost"], direct.cea.inc_cost[0], EXACT, "incremental cost")
    for at_k, t in zip(entry["thresholds"], range(2), strict=True):
        assert at_k["ceac"]["Usual care"] == direct.cea.ceac[0, t]  # the same seeded bootstrap
        close(at_k["evpi"], direct.cea.evpi[t], EXACT, "EVPI")
    # The example is shaped like the seed: an ICER below 30,000 per QALY with real uncertainty.
    assert comparison["quadrant"] == "NE" and 0 < comparison["icer"] < 30000
    assert 0.3 < entry["thresholds"][0]["ceac"]["Usual care"] < 0.95
    sensitivity = within_trial_evaluation(
        sf12_items_from_sf36(responses), costs, instrument="sf12", **options
    )
    close(entry["sensitivity"]["comparisons"][0]["icer"], sensitivity.cea.icer[0], EXACT, "SF-12")


def test_report_shows_the_economic_evaluation(run: tuple[dict[str, Any], str]) -> None:
    _, report = run
    nav = report[report.index("<nav>") : report.index("</nav>")]
    assert f'href="#{NAME}"' in nav
    section = _section(report)
    assert "SYNTHETIC" in section
    for text in (
        "Incremental analysis",
        "Decision uncertainty",
        "cost-effectiveness plane",
        "acceptability curves",
        "perfect information",
        "Sensitivity analysis",
        "Complete-case analysis",
    ):
        assert text in section, text
    assert section.count("<svg") == 3  # CE plane, CEAC with CEAF, EVPI
    methods = report[report.index('id="methods"') :]
    paragraph = methods[methods.index("SYNTHETIC example: within-trial") :]
    paragraph = paragraph[: paragraph.index("</p>")]
    assert "baseline utility" in paragraph and "bootstrap" in paragraph
    assert paragraph.count("[") >= 6  # each method cites its paper
    for doi in (
        "doi:10.1016/S0167-6296(01)00130-8",  # Brazier, Roberts & Deverill 2002
        "doi:10.1097/01.mlr.0000135827.18610.0d",  # Brazier & Roberts 2004
        "doi:10.1002/hec.944",  # Manca, Hawkins & Sculpher 2005
        "doi:10.1002/(SICI)1099-1050(199707)6:4<327::AID-HEC282>3.0.CO;2-W",  # Briggs 1997
        "doi:10.1002/hec.4730030505",  # van Hout 1994
        "doi:10.1002/hec.635",  # Fenwick, Claxton & Sculpher 2001
        "doi:10.1016/S0167-6296(98)00039-3",  # Claxton 1999
    ):
        assert doi.replace("<", "&lt;").replace(">", "&gt;") in methods, doi


def _generator() -> Any:
    path = EXAMPLE / "tools" / "make_economics_trial.py"
    spec = importlib.util.spec_from_file_location("make_economics_trial", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_data_regenerate_byte_for_byte(tmp_path: Path) -> None:
    gen = _generator()
    responses, costs = gen.simulate()
    for rows, columns, bundled in (
        (responses, gen.RESPONSE_COLUMNS, gen.RESPONSES),
        (costs, gen.COST_COLUMNS, gen.COSTS),
    ):
        target = tmp_path / bundled.name
        gen.write(rows, columns, target)
        assert target.read_bytes() == bundled.read_bytes(), bundled.name
        frame = pd.read_csv(bundled)
        assert (frame["provenance"] == gen.PROVENANCE).all()
        assert frame["patient"].str.startswith("SYN-").all()
    answers = pd.read_csv(gen.RESPONSES)
    assert sorted(answers["month"].unique()) == [0, 3, 6, 12]
    assert answers.groupby("arm")["patient"].nunique().to_dict() == {"CBT": 150, "Usual care": 150}
    assert not math.isnan(pd.read_csv(gen.COSTS)["cost"].sum())
