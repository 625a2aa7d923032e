"""``evsynth simulate`` (the issue's CLI contract), ``evsynth rank`` and ``screen --order``.

Bad input gives one ``error:`` line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from evsynth.cli.app import main

DATA = Path(__file__).resolve().parents[2] / "data" / "screening" / "cohen2006_nsaids_subset.csv"
KEYS = ["wss95", "recall10", "recall25", "loss", "n_to_95", "n_to_100", "cpu_s_per_label"]


def _run(argv: list[object], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        main([str(a) for a in argv])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _fail(argv: list[object], capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = _run(argv, capsys)
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err and out == ""
    return lines[0]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 80 rows of the subset (16 includes): quick enough for a CLI round trip."""
    path = tmp_path_factory.mktemp("sim") / "small.csv"
    pd.read_csv(DATA).head(80).to_csv(path, index=False)
    return path


def test_simulate_json_contract(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        ["simulate", small, "--prior-idx", "6,0", "--seed", "1", "--json"], capsys
    )
    assert code == 0, err
    payload = json.loads(out)
    assert list(payload) == KEYS
    assert 0 < payload["n_to_95"] <= payload["n_to_100"] <= 78
    assert -1 < payload["wss95"] < 1 and 0 <= payload["loss"] <= 1
    again = json.loads(
        _run(["simulate", small, "--prior-idx", "6,0", "--seed", "1", "--json"], capsys)[1]
    )
    assert {k: again[k] for k in KEYS[:-1]} == {k: payload[k] for k in KEYS[:-1]}


def test_simulate_table(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["simulate", small, "--prior-idx", "6,0"], capsys)
    assert code == 0 and "WSS@95" in out and "records to 100% recall" in out


def test_missing_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nolabel.csv"
    pd.read_csv(DATA).head(10).drop(columns="label").to_csv(path, index=False)
    line = _fail(["simulate", path, "--prior-idx", "6,0"], capsys)
    assert "missing column(s) label" in line and "nolabel.csv" in line


def test_prior_rows_with_the_wrong_labels(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _fail(["simulate", small, "--prior-idx", "0,1"], capsys)
    assert "one included and one excluded" in line and "row 0 label 0" in line


def test_prior_row_out_of_range(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _fail(["simulate", small, "--prior-idx", "6,80"], capsys)
    assert "prior row 80 is out of range" in line and "rows 0 to 79" in line


def test_prior_idx_not_numbers(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "--prior-idx 12,40" in _fail(["simulate", small, "--prior-idx", "a,b"], capsys)
    assert "needs two rows" in _fail(["simulate", small, "--prior-idx", "6"], capsys)


def test_no_included_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "none.csv"
    pd.read_csv(DATA).head(10).assign(label=0).to_csv(path, index=False)
    line = _fail(["simulate", path, "--prior-idx", "1,0"], capsys)
    assert "no record is included" in line and "none.csv" in line


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no such file" in _fail(["simulate", tmp_path / "x.csv", "--prior-idx", "1,0"], capsys)


# -- a small project: rank and the interactive screen ----------------------------------------


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "review"
    assert _run(["init", folder, "--title", "Ranking test", "--lead", "Lee"], capsys)[0] == 0
    records = pd.read_csv(DATA).head(40)
    csv = tmp_path / "search.csv"
    records[["title", "abstract", "keywords"]].to_csv(csv, index=False)
    code, _, err = _run(["import", csv, "-p", folder, "--database", "PubMed"], capsys)
    assert code == 0, err
    (folder / "labels.json").write_text(json.dumps(records["label"].tolist()))
    return folder


def _decide(folder: Path, record: int, decision: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["screen", "-p", folder, "--reviewer", "Lee", "--record", record, "--decision", decision]
    code, _, err = _run(argv, capsys)
    assert code == 0, err


def test_rank_waits_for_an_include_and_an_exclude(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(["rank", "-p", project, "--json"], capsys)
    payload = json.loads(out)
    assert (
        code == 0
        and payload["ranked"] is False
        and "needs at least one include" in payload["reason"]
    )
    assert payload["stopping"]["n_screened"] == 0


def test_rank_lists_top_records_terms_and_guidance(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = json.loads((project / "labels.json").read_text())
    # Database ids follow import order from 1: row 6 (include) is record 7, row 0 record 1.
    _decide(project, 7, "include", capsys)
    _decide(project, 1, "exclude", capsys)
    _decide(project, 2, "exclude", capsys)
    code, out, err = _run(["rank", "-p", project, "--json", "--top", "5"], capsys)
    assert code == 0, err
    payload = json.loads(out)
    assert payload["ranked"] and payload["n_unscreened"] == 37 and len(payload["records"]) == 5
    first = payload["records"][0]
    assert first["rank"] == 1 and first["top_terms"] and isinstance(first["score"], float)
    top_rows = [int(r["record_id"]) - 1 for r in payload["records"]]
    # Likely includes first: the top 5 hold more includes than 5 random records would (~1.4).
    assert sum(labels[r] for r in top_rows) >= 3
    stop = payload["stopping"]
    assert stop["n_screened"] == 3 and stop["n_included"] == 1 and stop["rule_met"] is False
    assert "Callaghan" in stop["rule"]
    code, out, _ = _run(["rank", "-p", project], capsys)
    assert code == 0 and "why:" in out and "Stopping is the review team's decision" in out


def test_rank_bad_inputs(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "Zed" in _fail(["rank", "-p", project, "--reviewer", "Zed"], capsys)
    assert "stage" in _fail(["rank", "-p", project, "--stage", "abstracts"], capsys)


def test_screen_shows_prioritised_order(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _decide(project, 7, "include", capsys)
    _decide(project, 1, "exclude", capsys)
    code, out, _ = _run(
        ["rank", "-p", project, "--reviewer", "Lee", "--json", "--top", "1"], capsys
    )
    top = json.loads(out)["records"][0]["record_id"]
    monkeypatch.setattr("typer.prompt", lambda *a, **k: "q")
    code, out, err = _run(["screen", "-p", project, "--reviewer", "Lee"], capsys)
    assert code == 0, err
    assert f"record {top}:" in out and "ranked high for:" in out
    code, out, _ = _run(["screen", "-p", project, "--reviewer", "Lee", "--order", "import"], capsys)
    assert "record 2:" in out and "ranked high for" not in out
    assert "--order" in _fail(
        ["screen", "-p", project, "--reviewer", "Lee", "--order", "x"], capsys
    )
