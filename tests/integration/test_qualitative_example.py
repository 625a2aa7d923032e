"""The qualitative stage of the bundled example through the command line, errors included.

Every test works on a copy of examples/pps-review (without its database and output) and calls
the real entry point; facts about the database are read with sqlite3.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from tests.integration.conftest import EXAMPLE, Cli, count, query


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "pps-review"
    shutil.copytree(
        EXAMPLE,
        target,
        ignore=shutil.ignore_patterns("output", "evsynth.db", "evsynth.db-*", "__pycache__"),
    )
    return target


def test_appraisal_lists_answers_both_ratings_and_flags_morton(cli: Cli, copy: Path) -> None:
    out = cli("appraisal", "--project", copy, "--json").json()
    assert len(out["appraisals"]) == 10 and out["n_disagree"] == 1
    morton = next(a for a in out["appraisals"] if a["study"] == "S8")
    assert morton["label"] == "Morton et al. (2016)"
    assert (morton["rule_rating"], morton["recorded_rating"], morton["disagrees"]) == (
        "Low",
        "Moderate",
        True,
    )
    assert morton["not_met"] == ["3", "7"]
    assert morton["answers"]["7"] == {
        "answer": "No",
        "comment": "only examples of the data were presented",
    }
    text = cli("appraisal", "--project", copy).out
    assert "Morton et al. (2016)" in text and "DISAGREES" in text
    assert "Morton et al. (2016): recorded Moderate but the rule gives Low" in text
    table = cli("appraisal", "--project", copy, "--csv").out.splitlines()
    assert table[0].startswith("study,label,reports,checklist,reviewer,role,q1,q2,q3")
    assert len(table) == 11


def test_two_reviewers_appraise_independently_and_disagreements_are_listed(
    cli: Cli, copy: Path
) -> None:
    yes = [f"--answer={q}=Yes" for q in range(1, 8)]
    cli("appraise", "-p", copy, "--study", "S7", "--reviewer", "ASc", *yes)
    cli("appraise", "-p", copy, "--study", "S7", "--reviewer", "AB", *yes[:6], "--answer", "7=No",
        "--comment", "7=thin data", "--rating", "Moderate")  # fmt: skip
    assert count(copy, "appraisal_events") == 2
    out = cli("appraisal", "-p", copy, "--json").json()
    (d,) = out["reviewer_disagreements"]
    assert d["study"] == "S7" and d["reviewers"] == ["ASc", "AB"]
    assert d["questions"] == [{"question": "7", "answers": ["Yes", "No"]}]
    assert d["ratings"] == ["High", "Moderate"]
    assert d["resolved"]  # the recorded Table 8 appraisal is the team's consensus
    mine = cli("appraisal", "-p", copy, "--reviewer", "AB", "--json").json()["appraisals"]
    assert [(a["study"], a["answers"]["7"]) for a in mine] == [
        ("S7", {"answer": "No", "comment": "thin data"})
    ]
    # Append-only: a changed mind is a new event; the latest counts.
    cli("appraise", "-p", copy, "--study", "S7", "--reviewer", "AB", *yes)
    assert count(copy, "appraisal_events") == 3
    assert cli("appraisal", "-p", copy, "--json").json()["reviewer_disagreements"] == []


def one_line_error(cli: Cli, *args: object) -> str:
    result = cli(*args, ok=False)
    assert result.code == 2, result.err
    return result.error_line


def test_bad_input_is_one_line_and_nothing_saved_is_lost(cli: Cli, copy: Path) -> None:
    yes = [f"--answer={q}=Yes" for q in range(1, 8)]
    cli("appraise", "-p", copy, "--study", "S1", "--reviewer", "AB", *yes, "--note", "first")
    before = query(copy, "SELECT * FROM appraisal_events")
    line = one_line_error(
        cli,
        "appraise",
        "-p",
        copy,
        "--study",
        "S1",
        "--reviewer",
        "AB",
        *yes[:6],
        "--answer",
        "7=Maybe",
    )
    assert (
        "'Maybe' is not an answer to question 7" in line and "Yes, Somewhat, No, Can't tell" in line
    )
    line = one_line_error(cli, "appraise", "-p", copy, "--study", "S10", "--reviewer", "AB", *yes)
    assert "study 'S10' is referenced but not included; the included studies are S1, S2" in line
    line = one_line_error(
        cli,
        "appraise",
        "-p",
        copy,
        "--study",
        "S4",
        "--report",
        "burton2012",
        "--reviewer",
        "AB",
        *yes,
    )
    assert "names report 'burton2012' of study S1" in line
    line = one_line_error(
        cli, "appraise", "-p", copy, "--study", "S1", "--reviewer", "AB", "--checklist", "jbi", *yes
    )
    assert "checklist 'jbi' is not known" in line
    line = one_line_error(
        cli, "appraise", "-p", copy, "--study", "S1", "--reviewer", "AB", *yes, "--rating", "Great"
    )
    assert "recorded rating 'Great' is not a rating" in line
    assert query(copy, "SELECT * FROM appraisal_events") == before


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_broken_files_are_one_line_errors_that_name_the_file(cli: Cli, copy: Path) -> None:
    q = copy / "qualitative"
    findings = (q / "findings.toml").read_text(encoding="utf-8")
    edit(
        q / "findings.toml",
        'reports = ["peters2009"]\nconfidence_explanation',
        "confidence_explanation",
    )
    line = one_line_error(cli, "cerqual", "-p", copy)
    assert (
        "qualitative/findings.toml" in line and "finding 'P05' has no contributing studies" in line
    )
    (q / "findings.toml").write_text(findings, encoding="utf-8")
    edit(
        q / "findings.toml",
        "confidence_explanation = \"As Scope et al. (2021) state it (Results, 'Support')",
        'note = "x',
    )
    line = one_line_error(cli, "cerqual", "-p", copy)
    assert "finding 'P01': confidence 'high' is given but cannot be checked" in line
    (q / "findings.toml").write_text(findings, encoding="utf-8")
    edit(
        q / "findings.toml",
        'reports = ["gerskowitch2015", "chewgraham2011"]',
        'reports = ["gerskowitch2015", "smith2003"]',
    )
    line = one_line_error(cli, "cerqual", "-p", copy)
    assert (
        "finding 'P02': report 'smith2003' is referenced but is not a report of an included study"
        in line
    )
    (q / "findings.toml").write_text(findings, encoding="utf-8")
    edit(
        q / "appraisal_casp.toml",
        '"7" = "No" }\ncomments = { "6" = "qualitative',
        '"7" = "Nope" }\ncomments = { "6" = "qualitative',
    )
    line = one_line_error(cli, "appraisal", "-p", copy)
    assert (
        "qualitative/appraisal_casp.toml, column 'appraisals[0]'" in line
        and "'Nope' is not an answer to question 7" in line
    )
    edit(q / "appraisal_casp.toml", '"Nope"', '"No"')
    edit(q / "excerpts.csv", "E09,S4,dowrick2008", "E09,S10,dowrick2008")
    line = one_line_error(cli, "themes", "-p", copy)
    assert (
        "qualitative/excerpts.csv: excerpt 'E09': study 'S10' is referenced but not included"
        in line
    )


def test_cerqual_tables_as_json_csv_html_and_docx(cli: Cli, copy: Path, tmp_path: Path) -> None:
    out = cli("cerqual", "-p", copy, "--json").json()
    assert len(out["findings"]) == 22 and "22 findings from patients" in out["note"]
    p01 = out["findings"][0]
    assert (p01["id"], p01["confidence"], p01["suggested"]) == ("P01", "high", None)
    assert p01["components"]["methodological_limitations"]["prefilled"] is True
    assert p01["components"]["coherence"] is None
    soqf = cli("cerqual", "-p", copy, "--csv").out.splitlines()
    assert (
        soqf[0]
        == "#,Summary of review finding,CERQual assessment of confidence,Explanation of CERQual assessment,Studies contributing to the review finding"
    )
    profile = cli("cerqual", "-p", copy, "--csv", "--table", "profile").out
    assert "Methodological limitations,Coherence,Adequacy,Relevance" in profile.splitlines()[0]
    html, docx = tmp_path / "cerqual.html", tmp_path / "cerqual.docx"
    cli("cerqual", "-p", copy, "--html", html, "--docx", docx)
    assert "Summary of qualitative findings" in html.read_text(encoding="utf-8")
    with zipfile.ZipFile(docx) as zf:
        assert "word/document.xml" in zf.namelist()
        assert "Evidence profile" in zf.read("word/document.xml").decode("utf-8")
    assert one_line_error(cli, "cerqual", "-p", copy, "--table", "soqf").endswith(
        "choose summary or profile"
    )


def test_themes_and_matrices(cli: Cli, copy: Path) -> None:
    themes = cli("themes", "-p", copy, "--json").json()["themes"]
    assert len(themes) == 18
    first = themes[0]
    assert first["label"] == "Gaining support being validated"
    assert [e["text"] for e in first["excerpts"]][
        1
    ] == "It was just an understanding from her that I didn't, haven't had from anybody else"
    codes = cli("themes", "-p", copy, "--matrix", "codes", "--csv").out.splitlines()
    assert codes[0] == "code,S1,S2,S3,S4,S5,S6,S7,S8,S9"
    assert "Feeling blamed by the GP,0,0,0,0,0,0,0,1,0" in codes
    key = cli("themes", "-p", copy, "--matrix", "key-findings", "--json").json()["rows"]
    assert (
        key[2]["group"] == "Barriers"
        and key[2]["patients"] == "Patient attitudes and beliefs; Poor relationship with HPs"
    )


def test_checklists_are_listed_and_shown(cli: Cli, copy: Path) -> None:
    listed = cli("checklists", "--json").json()["checklists"]
    assert [c["id"] for c in listed] == ["casp-qualitative-scope2021", "casp-qualitative", "rob2"]
    rob2 = cli("checklists", "--show", "rob2", "--json").json()
    assert len(rob2["questions"]) == 22 and rob2["ratings"] == ["Low", "Some concerns", "High"]
    mine = copy / "qualitative" / "mine.toml"
    mine.write_text(
        'id = "mine"\nname = "Mine"\nanswers = ["Yes", "No"]\nratings = ["Good", "Poor"]\n'
        '[[questions]]\nid = "1"\ntext = "Clear?"\n'
        '[rule]\nkind = "count"\nmet = ["Yes"]\nlevels = [{ not_met_at_most = 0, rating = "Good" }, { rating = "Poor" }]\n',
        encoding="utf-8",
    )
    edit(
        copy / "evsynth.toml",
        'appraisals = ["qualitative/appraisal_casp.toml"]',
        'appraisals = ["qualitative/appraisal_casp.toml"]\nchecklists = ["qualitative/mine.toml"]',
    )
    assert "mine" in [c["id"] for c in cli("checklists", "-p", copy, "--json").json()["checklists"]]
    cli(
        "appraise",
        "-p",
        copy,
        "--study",
        "S9",
        "--reviewer",
        "AB",
        "--checklist",
        "mine",
        "--answer",
        "1=No",
    )
    out = cli("appraisal", "-p", copy, "--checklist", "mine", "--json").json()["appraisals"]
    assert [(a["study"], a["rule_rating"]) for a in out] == [("S9", "Poor")]


def test_qdpx_export_and_import_round_trip(cli: Cli, copy: Path, tmp_path: Path) -> None:
    target = tmp_path / "pps.qdpx"
    cli("qdpx", "export", "-p", copy, "--out", target)
    with zipfile.ZipFile(target) as zf:
        assert (
            "project.qde" in zf.namelist()
            and sum(n.startswith("sources/") for n in zf.namelist()) == 13
        )
    out = tmp_path / "imported"
    cli("qdpx", "import", target, "-p", copy, "--out", out)
    assert (
        (out / "excerpts.csv")
        .read_text(encoding="utf-8")
        .splitlines()[0]
        .startswith("id,study,report")
    )
    # Point the project at the imported files: the synthesis is the same.
    before = cli("themes", "-p", copy, "--json").json()
    edit(
        copy / "evsynth.toml",
        'excerpts = "qualitative/excerpts.csv"',
        f'excerpts = "{(out / "excerpts.csv").as_posix()}"',
    )
    edit(
        copy / "evsynth.toml",
        'coding = "qualitative/coding.toml"',
        f'coding = "{(out / "coding.toml").as_posix()}"',
    )
    assert cli("themes", "-p", copy, "--json").json() == before
    # Never overwritten; nothing written when the project does not fit.
    line = one_line_error(cli, "qdpx", "import", target, "-p", copy, "--out", out)
    assert "already exist; nothing was written" in line
    assert "this is not a .qdpx file" in one_line_error(
        cli, "qdpx", "import", copy / "evsynth.toml", "-p", copy, "--out", tmp_path / "x"
    )
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_run_reports_the_qualitative_stage_and_checks_it_against_screening(
    cli: Cli, copy: Path
) -> None:
    out = cli("run", copy, "--json").json()
    qual = out["qualitative"]
    assert (qual["studies"], qual["reports"], qual["themes"]) == (9, 12, 18)
    assert qual["flags"] == [
        "Morton et al. (2016) (review team): recorded Moderate, but the rule gives Low — 2 of 7 criteria not met (3, 7): Low."
    ]
    html = (copy / "output" / "report.html").read_text(encoding="utf-8")
    assert '<section id="qualitative"' in html
    assert "Summary of the key findings" in html and "Quality appraisal" in html
    # Screening linked the 12 reports to 9 included studies: a study the screening did not
    # include is refused.
    assert query(copy, "SELECT count(*) FROM studies")[0][0] == 9
    studies = copy / "qualitative" / "studies.toml"
    studies.write_text(
        studies.read_text(encoding="utf-8")
        + '\n[[studies]]\nid = "S10"\nlabel = "Smith et al. (2003)"\nreports = [{ id = "smith2003", citation = "Smith et al. (2003)" }]\n',
        encoding="utf-8",
    )
    line = one_line_error(cli, "appraisal", "-p", copy)
    assert (
        "study 'S10' is not included at full-text screening; the included studies are S1, S2"
        in line
    )
