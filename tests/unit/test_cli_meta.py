"""``evsynth meta`` and ``evsynth run`` through the real entry point: outputs, errors, exit codes.

Numbers printed by ``--json`` are checked against metafor 3.8-1
(tests/data/metafor/pairwise_metafor.json, normand1999 SMD, REML, knha).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from evsynth.cli.app import main
from tests.conftest import load_json
from tests.tolerances import CI, COEF, HET, SE
from tests.validation._assert import close

REF = load_json("metafor/pairwise_metafor.json")
ROOT = Path(__file__).resolve().parents[2]


def _normand_csv(tmp_path: Path) -> Path:
    rows = REF["sets"]["normand1999_SMD"]["input"]
    path = tmp_path / "normand.csv"
    pd.DataFrame(rows).drop(columns="study").rename(columns={"source": "study"}).to_csv(
        path, index=False
    )
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract_and_values_match_metafor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _normand_csv(tmp_path)
    code, out, _ = _run(
        ["meta", str(path), "--measure", "SMD", "--method", "REML", "--test", "knha", "--json"],
        capsys,
    )
    assert code == 0
    payload = json.loads(out)
    for key in (
        "k",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "pvalue",
        "tau2",
        "i2",
        "h2",
        "q",
        "q_pvalue",
        "pi_low",
        "pi_high",
        "studies",
    ):
        assert key in payload, key
    ref = next(
        f for f in REF["sets"]["normand1999_SMD"]["fits"] if f["method"] == "REML" and f["knha"]
    )
    assert payload["k"] == 9
    close(payload["estimate"], ref["estimate"], COEF, "cli estimate")
    close(payload["se"], ref["se"], SE, "cli se")
    close([payload["ci_low"], payload["ci_high"]], [ref["ci_lb"], ref["ci_ub"]], CI, "cli CI")
    close(payload["tau2"], ref["tau2"], HET, "cli tau2")
    close(payload["i2"], ref["I2"], HET, "cli I2")
    close([payload["pi_low"], payload["pi_high"]], [ref["pi_lb"], ref["pi_ub"]], CI, "cli PI")
    studies = REF["sets"]["normand1999_SMD"]["studies"]
    close([s["effect"] for s in payload["studies"]], [s["yi"] for s in studies], COEF, "cli yi")
    close([s["variance"] for s in payload["studies"]], [s["vi"] for s in studies], SE, "cli vi")
    assert payload["studies"][0]["study"] == "Edinburgh"


def test_table_and_csv_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _normand_csv(tmp_path)
    code, out, _ = _run(["meta", str(path), "--measure", "SMD"], capsys)
    assert code == 0 and "Random effects (REML)" in out
    code, out, _ = _run(["meta", str(path), "--measure", "SMD", "--csv"], capsys)
    assert code == 0 and out.splitlines()[0].startswith("study,effect,variance")


def test_mantel_haenszel_from_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = REF["sets"]["bcg_OR"]["input"]
    path = tmp_path / "bcg.csv"
    pd.DataFrame(rows).rename(
        columns={"tpos": "ai", "tneg": "bi", "cpos": "ci", "cneg": "di", "author": "study"}
    ).to_csv(path, index=False)
    code, out, _ = _run(["meta", str(path), "--measure", "OR", "--method", "MH", "--json"], capsys)
    assert code == 0
    close(
        json.loads(out)["estimate"], REF["mantel_haenszel_peto"]["bcg_OR"]["estimate"], COEF, "MH"
    )


BAD_INPUTS = {
    "missing column": ("m1i,sd1i,n1i,m2i,sd2i\n1,2,10,1,2\n", "n2i"),
    "negative sd": ("m1i,sd1i,n1i,m2i,sd2i,n2i\n1,2,10,1,2,10\n1,-2,10,1,2,10\n", "line 3"),
    "n below 2": ("m1i,sd1i,n1i,m2i,sd2i,n2i\n1,2,1,1,2,10\n", "n1i"),
    "text in a number column": ("m1i,sd1i,n1i,m2i,sd2i,n2i\n1,2,10,abc,2,10\n", "m2i"),
    "empty file": ("", "empty"),
    "header only": ("m1i,sd1i,n1i,m2i,sd2i,n2i\n", "no data rows"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_clear_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, expected = BAD_INPUTS[case]
    path = tmp_path / "bad.csv"
    path.write_text(text)
    code, out, err = _run(["meta", str(path), "--measure", "SMD"], capsys)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert expected in err, err
    assert str(path) in err


def test_negative_variance_names_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "gen.csv"
    path.write_text("study,yi,vi\nA,0.1,0.02\nB,0.3,-0.01\n")
    code, _, err = _run(["meta", str(path), "--measure", "GEN"], capsys)
    assert code == 2
    assert "line 3" in err and "'vi'" in err


def test_wrong_file_type_and_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xlsx = tmp_path / "book.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    code, _, err = _run(["meta", str(xlsx), "--measure", "SMD"], capsys)
    assert code == 2 and "not a CSV" in err
    code, _, err = _run(["meta", str(tmp_path / "nope.csv")], capsys)
    assert code == 2 and "no such file" in err


def test_unknown_option_value_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _normand_csv(tmp_path)
    code, _, err = _run(["meta", str(path), "--measure", "SDM"], capsys)
    assert code == 2 and "SDM" in err


def test_installed_command_has_no_traceback(tmp_path: Path) -> None:
    # The console script itself, as a user's script would call it.
    path = tmp_path / "bad.csv"
    path.write_text("yi,vi\n0.1,abc\n")
    proc = subprocess.run(
        [sys.executable, "-m", "evsynth.cli.app", "meta", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "line 2" in proc.stderr and "'vi'" in proc.stderr


def test_run_example_review_writes_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(
        ["run", str(ROOT / "examples" / "pps-review"), "--out", str(tmp_path), "--json"], capsys
    )
    assert code == 0
    payload = json.loads(out)
    report = Path(payload["report"])
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") >= 4  # a forest and a funnel plot per analysis
    assert "Knapp G, Hartung J" in html and "Viechtbauer W" in html
    assert {a["name"] for a in payload["analyses"]} == {"f2f-cbt-vs-tau", "multimedia-cbt-vs-tau"}


def test_run_refuses_a_bad_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "evsynth.toml").write_text('[project]\ntitle = "x"\nbogus = 1\n')
    code, _, err = _run(["run", str(tmp_path)], capsys)
    assert code == 2 and "project.bogus" in err
