"""``evsynth nma`` refuses bad input with one ``error:`` line on stderr and exit status 2.

Every case runs the real entry point in-process and checks: exit status 2, exactly one non-empty
stderr line, starting ``error:``, no traceback, and the words that tell the user what to do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth.cli.app import main

GOOD = "studlab,treat1,treat2,TE,seTE\ns1,A,B,0.5,0.2\ns2,A,C,0.8,0.25\ns3,B,C,0.4,0.3\n"


def _fail(argv: list[object], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert exc.value.code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err and out == ""
    return lines[0]


def _csv(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_columns_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "studlab,treat1,treat2,TE\ns1,A,B,0.5\n")
    line = _fail(["nma", path, "--reference", "A"], capsys)
    assert "missing column(s) seTE" in line and "data.csv" in line
    assert "the file has: studlab, treat1, treat2, TE" in line


def test_unknown_columns_neither_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, "trial,arm,effect\ns1,A,0.5\n")
    line = _fail(["nma", path, "--reference", "A"], capsys)
    assert "studlab, treat1, treat2, TE, seTE" in line and "arm-level" in line


def test_unknown_reference_lists_the_treatments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _fail(["nma", _csv(tmp_path, GOOD), "--reference", "Placebo"], capsys)
    assert "reference='Placebo' is not known" in line
    assert "choose one of A, B, C" in line


def test_disconnected_network_names_the_subnetworks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "studlab,treat1,treat2,TE,seTE\ns1,A,B,0.5,0.2\ns2,A,B,0.3,0.2\ns3,C,D,0.4,0.3\n"
    line = _fail(["nma", _csv(tmp_path, text), "--reference", "A"], capsys)
    assert "not connected" in line and "2 sub-networks" in line
    assert "sub-network 1: treatments A, B (studies s1, s2)" in line
    assert "sub-network 2: treatments C, D (studies s3)" in line
    assert "the reference is in sub-network 1" in line


def test_text_in_a_number_column_names_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.replace("s2,A,C,0.8,0.25", "s2,A,C,large,0.25")
    line = _fail(["nma", _csv(tmp_path, text), "--reference", "A"], capsys)
    assert "line 3" in line and "column 'TE'" in line and "not a number" in line
    assert "drop_missing" not in line  # a Python option, not a CLI one


def test_text_in_an_arm_level_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "study,treatment,events,n\ns1,A,3,40\ns1,B,five,40\n"
    line = _fail(["nma", _csv(tmp_path, text), "--reference", "A", "--measure", "OR"], capsys)
    assert "line 3" in line and "events" in line


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _fail(["nma", _csv(tmp_path, ""), "--reference", "A"], capsys)
    assert "empty" in line


def test_header_without_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _fail(["nma", _csv(tmp_path, "studlab,treat1,treat2,TE,seTE\n"), "--reference", "A"],
                 capsys)  # fmt: skip
    assert "no data rows" in line


def test_arm_level_data_need_a_measure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "study,treatment,mean,sd,n\ns1,A,1.0,2.0,30\ns1,B,2.0,2.0,30\n"
    line = _fail(["nma", _csv(tmp_path, text), "--reference", "A"], capsys)
    assert "need --measure" in line


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _fail(["nma", tmp_path / "nope.csv", "--reference", "A"], capsys)
    assert "no such file" in line


def test_reml_without_degrees_of_freedom(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One study carries no information on tau^2: REML sets it to 0 with a note, as DL does.
    import json

    from evsynth.cli.app import main

    path = _csv(tmp_path, "studlab,treat1,treat2,TE,seTE\ns1,A,B,0.5,0.2\n")
    main(["nma", str(path), "--reference", "A", "--method", "REML", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert payload["tau2"] == 0.0
    assert any("no degrees of freedom" in note for note in payload["notes"])


def test_grid_needs_a_direction_and_its_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _csv(tmp_path, GOOD)
    line = _fail(["nma", path, "--reference", "A", "--grid"], capsys)
    assert "--higher-is-better" in line
    line = _fail(["nma", path, "--reference", "A", "--grid", "--higher-is-better"], capsys)
    assert "outcome column 'outcome'" in line and "data.csv" in line


def test_bad_level(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _fail(["nma", _csv(tmp_path, GOOD), "--reference", "A", "--level", "95"], capsys)
    assert "--level" in line
