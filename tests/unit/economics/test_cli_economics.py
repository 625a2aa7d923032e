"""``evsynth icers``, ``evsynth cea`` and ``evsynth sf6d`` through the real entry point.

Numbers printed by ``--json`` are checked against the pinned references
(tests/data/economics/reference_values.json: the HERC example, the SF-6D worked example; and
vaccine_eff_cost.csv for the Vaccine example). Bad input gives one ``error:`` line naming the
file, line and column, exit status 2, and no traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from evsynth.cli.app import main
from tests.conftest import load_json
from tests.tolerances import DECIMALS_6, PUBLISHED_ECON, SF6D
from tests.validation._assert import close
from tests.validation.test_bcea_vaccine import vaccine_draws

REF = load_json("economics/reference_values.json")
HERC = "strategy,cost,effect\nE,55000,5\nD,35000,4\nC,25000,3\nB,10000,2\nA,12000,1.5\nUC,5000,1\n"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    assert "Traceback" not in err
    return lines[0]


def test_icers_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "herc.csv"
    path.write_text(HERC, encoding="utf-8")
    code, out, _ = _run(["icers", str(path), "--json"], capsys)
    assert code == 0
    rows = {r["strategy"]: r for r in json.loads(out)["strategies"]}
    status, frontier = REF["herc_dampack"]
    assert {k: v["status"] for k, v in rows.items()} == status
    for name, expected in frontier.items():
        assert rows[name]["icer"] == expected["icer"]
        assert rows[name]["inc_cost"] == expected["inc_cost"]
        assert rows[name]["inc_effect"] == expected["inc_eff"]
    assert list(rows["B"]) == ["strategy", "cost", "effect", "inc_cost", "inc_effect", "icer",
                               "status"]  # fmt: skip
    code, out, _ = _run(["icers", str(path), "--csv"], capsys)
    assert out.splitlines()[0] == "strategy,cost,effect,inc_cost,inc_effect,icer,status"
    code, out, _ = _run(["icers", str(path)], capsys)
    assert code == 0 and "ED" in out and "12,500.00" in out


def test_cea_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "vaccine.csv"
    vaccine_draws().to_csv(path, index=False)
    code, out, _ = _run(
        ["cea", str(path), "--reference", "Vaccination", "--thresholds", "20000,25000", "--json"],
        capsys,
    )
    assert code == 0
    payload = json.loads(out)
    (comparison,) = payload["comparisons"]
    close(comparison["icer"], REF["vaccine_icer"], PUBLISHED_ECON, "ICER")
    at_25k = payload["thresholds"][1]
    assert at_25k["threshold"] == 25000.0 and at_25k["ceac"] == {"Status Quo": 0.529}
    close(at_25k["inb"]["Status Quo"], 1.228428, DECIMALS_6, "INB")
    close(at_25k["evpi"], 2.414467, DECIMALS_6, "EVPI")
    code, out, _ = _run(["cea", str(path), "--reference", "Vaccination"], capsys)
    assert code == 0 and "20,097.59" in out and "30,000" in out
    code, out, _ = _run(["cea", str(path), "--reference", "Vaccination", "--csv"], capsys)
    assert out.splitlines()[0].startswith("threshold,comparator,inc_cost")


def test_sf6d_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = REF["sf36_example"]
    path = tmp_path / "sf36.csv"
    pd.DataFrame([{"id": "p1", **example["responses"]}]).to_csv(path, index=False)
    code, out, _ = _run(["sf6d", str(path), "--instrument", "sf36", "--json"], capsys)
    assert code == 0
    payload = json.loads(out)
    (row,) = payload["respondents"]
    assert row["id"] == "p1" and row["line"] == 2 and row["state"] == example["code"]
    close(row["utility"], example["utility"][0], SF6D, "utility")
    assert payload["value_set"] == "sf36_uk_2002"
    code, out, _ = _run(["sf6d", str(path), "--instrument", "sf36", "--csv"], capsys)
    assert out.splitlines()[0] == "line,id,PF,RL,SF,PAIN,MH,VIT,state,most,utility"
    sf12 = tmp_path / "sf12.csv"
    sf12.write_text("2a,3b,4a,5,6b,6c,7\n3,5,5,1,4,5,5\n", encoding="utf-8")
    for vitality, utility in (("4", 0.845), ("5", 0.922)):
        code, out, _ = _run(["sf6d", str(sf12), "--instrument", "sf12", "--version", "2",
                             "--sf12-most-vitality", vitality, "--json"], capsys)  # fmt: skip
        close(json.loads(out)["respondents"][0]["utility"], utility, SF6D, f"vitality {vitality}")


@pytest.mark.parametrize(
    ("command", "content", "expected"),
    [
        (["icers"], "strategy,cost,effect\nA,1,1\nB,x,2\n", "line 3, column 'cost'"),
        (["icers"], "strategy,cost\nA,1\n", "column(s) effect"),
        (["cea", "--reference", "B"], "draw,strategy,cost,effect\n1,A,1,1\n1,B,2,1\n2,A,1,1\n",
         "draw 2 has no row for strategy B"),
        (["cea", "--reference", "Z"], "draw,strategy,cost,effect\n1,A,1,1\n1,B,2,1\n",
         "reference='Z' is not known; choose one of A, B"),
        (["cea", "--reference", "A", "--thresholds", "20k"],
         "draw,strategy,cost,effect\n1,A,1,1\n1,B,2,1\n", "--thresholds '20k'"),
        (["sf6d"], "3a,3b,3j,4c,5b,10,7,8,9b,9f,9e\n3,3,3,2,2,5,1,1,6,6,1\n3,3,3,4,2,5,1,1,6,6,1\n",
         "line 3, column '4c'"),
        (["sf6d"], "3a,3b\n1,2\n", "item column(s)"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    content: str,
    expected: str,
) -> None:
    path = tmp_path / "input.csv"
    path.write_text(content, encoding="utf-8")
    code, _, err = _run([command[0], str(path), *command[1:]], capsys)
    assert code == 2
    line = _error_line(err)
    assert expected in line, line
    if "line" in expected:
        assert str(path) in line


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["icers", str(tmp_path / "nope.csv")], capsys)
    assert code == 2 and "no such file" in _error_line(err)
