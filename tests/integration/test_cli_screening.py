"""``evsynth screen``, ``conflicts``, ``agreement``, ``prisma`` and ``fulltext``: contracts.

Project: the ``project`` fixture (tests/data/project: 10 synthetic records, 2 duplicates, 8 to
screen; reviewers Lee (lead, screener), Ann (screener), Arb (arbiter); blind screening).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.integration.conftest import ROOT, Cli, Result, count, kept_ids, query

TA_REASONS = "Population, Intervention, Study design"


def _decisions_csv(path: Path, rows: list[tuple[object, ...]]) -> Path:
    frame = pd.DataFrame(rows, columns=["record_id", "reviewer", "decision", "reason"])
    frame.to_csv(path, index=False)
    return path


def _decide(
    cli: Cli, project: Path, reviewer: str, record: int, decision: str, *extra: object
) -> Result:
    return cli(
        "screen",
        "-p",
        project,
        "--reviewer",
        reviewer,
        "--record",
        record,
        "--decision",
        decision,
        *extra,
    )


# --- screen -------------------------------------------------------------------------------


def test_screen_stores_one_decision(cli: Cli, project: Path) -> None:
    record = kept_ids(project)[0]
    out = _decide(cli, project, "Lee", record, "exclude", "--reason", "Population", "--json")
    assert out.json() == {"stored": 1, "record_id": record, "decision": "exclude"}
    assert query(
        project, "SELECT record_id, stage, reviewer, decision, reason, role FROM decisions"
    ) == [(record, "title_abstract", "Lee", "exclude", "Population", "screener")]


@pytest.mark.parametrize(
    ("reviewer", "args", "expected"),
    [
        ("Lee", ("--decision", "exclude", "--reason", "Wrong colour"), TA_REASONS),
        ("Zed", ("--decision", "include"), "known reviewers: Lee, Ann, Arb"),
        ("Lee", ("--decision", "perhaps"), "perhaps"),
        ("Arb", ("--decision", "include", "--arbiter"), "no conflict"),
        ("Ann", ("--decision", "include", "--arbiter"), "arbiter"),
        ("Lee", ("--decision", "include", "--stage", "abstracts"), "abstracts"),
        ("Lee", ("--decision", "include", "--stage", "full_text"), "has not reached full text"),
        ("Lee", (), " --decision"),
    ],
    ids=[
        "reason-not-in-protocol",
        "unknown-reviewer",
        "unknown-decision",
        "arbiter-without-conflict",
        "arbiter-role-missing",
        "unknown-stage",
        "full-text-before-title-abstract",
        "no-decision",
    ],
)
def test_screen_refuses_invalid_decisions(
    cli: Cli, project: Path, reviewer: str, args: tuple[str, ...], expected: str
) -> None:
    record = kept_ids(project)[0]
    result = cli(
        "screen", "-p", project, "--reviewer", reviewer, "--record", record, *args, ok=False
    )
    assert result.code == 2
    assert expected in result.error_line
    assert count(project, "decisions") == 0


def test_screen_refuses_a_decision_on_a_duplicate(cli: Cli, project: Path) -> None:
    duplicate = query(project, "SELECT record_id FROM duplicate_links LIMIT 1")[0][0]
    result = cli(
        "screen",
        "-p",
        project,
        "--reviewer",
        "Lee",
        "--record",
        duplicate,
        "--decision",
        "include",
        ok=False,
    )
    assert result.code == 2 and "duplicate" in result.error_line
    assert count(project, "decisions") == 0


def test_screen_from_csv_is_all_or_nothing_and_once(
    cli: Cli, project: Path, tmp_path: Path
) -> None:
    ids = kept_ids(project)
    bad = _decisions_csv(
        tmp_path / "bad.csv",
        [(ids[0], "Lee", "include", None), (ids[1], "Lee", "exclude", "Not a reason")],
    )
    result = cli("screen", "-p", project, "--from-csv", bad, ok=False)
    assert result.code == 2 and "Not a reason" in result.error_line
    # The refused decision is named by its place: the second data row is line 3.
    assert "bad.csv, line 3" in result.error_line
    later = _decisions_csv(
        tmp_path / "later.csv",
        [(r, "Ann", "include", None) for r in ids[:6]]
        + [(ids[6], "Ann", "exclude", "Not a reason")]
        + [(r, "Ann", "include", None) for r in ids[7:]],
    )
    result = cli("screen", "-p", project, "--from-csv", later, ok=False)
    assert "later.csv, line 8" in result.error_line, result.error_line
    assert count(project, "decisions") == 0

    good = _decisions_csv(
        tmp_path / "good.csv",
        [(r, "Lee", "exclude", "Population") for r in ids[:5]]
        + [(r, "Lee", "include", None) for r in ids[5:]],
    )
    assert cli("screen", "-p", project, "--from-csv", good, "--json").json() == {"stored": 8}
    assert count(project, "decisions") == 8
    again = cli("screen", "-p", project, "--from-csv", good, ok=False)
    assert (
        again.code == 2
        and "good.csv" in again.error_line
        and "already imported" in again.error_line
    )
    assert count(project, "decisions") == 8


def test_screen_from_csv_by_record_key_and_database(
    cli: Cli, project: Path, tmp_path: Path
) -> None:
    path = tmp_path / "by_key.csv"
    pd.DataFrame(
        {
            "record_key": ["EMB002", "99900003"],
            "database": ["Embase", "PubMed"],
            "reviewer": ["Ann", "Ann"],
            "decision": ["include", "exclude"],
            "reason": [None, "Intervention"],
            "timestamp": ["2016-08-01T09:12:31+01:00", "2016-08-01T09:13:00+01:00"],
        }
    ).to_csv(path, index=False)
    cli("screen", "-p", project, "--from-csv", path)
    rows = query(
        project,
        "SELECT r.source_key, d.decision, d.created_at FROM decisions d "
        "JOIN records r ON r.id = d.record_id ORDER BY d.id",
    )
    assert [(k, d) for k, d, _ in rows] == [("EMB002", "include"), ("99900003", "exclude")]
    assert rows[0][2].startswith("2016-08-01 08:12:31")  # stored in UTC


# --- blind screening ----------------------------------------------------------------------


def _mine(cli: Cli, project: Path, reviewer: str) -> tuple[bool, set[tuple[str, str]]]:
    out = cli("screen", "-p", project, "--reviewer", reviewer, "--mine", "--json").json()
    return out["blind"], {(d["reviewer"], d["decision"]) for d in out["decisions"]}


def test_blind_mode_hides_others_decisions_until_the_lead_reveals(cli: Cli, project: Path) -> None:
    record = kept_ids(project)[0]
    _decide(cli, project, "Lee", record, "include")
    _decide(cli, project, "Ann", record, "exclude", "--reason", "Population")
    assert _mine(cli, project, "Ann") == (True, {("Ann", "exclude")})
    assert _mine(cli, project, "Lee") == (True, {("Lee", "include")})
    assert _mine(cli, project, "Arb") == (True, set())

    refused = cli("screen", "-p", project, "--reviewer", "Ann", "--reveal", ok=False)
    assert refused.code == 2 and "only a lead" in refused.error_line
    assert _mine(cli, project, "Ann") == (True, {("Ann", "exclude")})

    cli("screen", "-p", project, "--reviewer", "Lee", "--reveal")
    both = {("Lee", "include"), ("Ann", "exclude")}
    assert _mine(cli, project, "Ann") == (False, both)
    assert _mine(cli, project, "Arb") == (False, both)
    assert query(project, "SELECT stage, revealed_by FROM reveals") == [("title_abstract", "Lee")]
    # A reveal at title/abstract leaves full-text screening blind.
    out = cli(
        "screen", "-p", project, "--reviewer", "Ann", "--stage", "full_text", "--mine", "--json"
    )
    assert out.json()["blind"] is True


def test_unblinded_project_shows_every_decision(cli: Cli, project: Path) -> None:
    config = project / "evsynth.toml"
    config.write_text(config.read_text().replace("blind = true", "blind = false"))
    record = kept_ids(project)[0]
    _decide(cli, project, "Lee", record, "include")
    assert _mine(cli, project, "Ann") == (False, {("Lee", "include")})


# --- conflicts and agreement --------------------------------------------------------------


def test_conflict_listed_then_resolved_by_the_arbiter(cli: Cli, project: Path) -> None:
    record, other = kept_ids(project)[:2]
    _decide(cli, project, "Lee", record, "include")
    _decide(cli, project, "Ann", record, "exclude", "--reason", "Study design")
    _decide(cli, project, "Lee", other, "include")
    _decide(cli, project, "Ann", other, "include")
    found = cli("conflicts", "-p", project, "--json").json()
    assert found["n"] == 1
    assert found["conflicts"] == [
        {
            "record_id": str(record),
            "decisions": [
                {"reviewer": "Lee", "decision": "include", "reason": None},
                {"reviewer": "Ann", "decision": "exclude", "reason": "Study design"},
            ],
        }
    ]
    assert cli("status", "-p", project, "--json").json()["conflicts"]["title_abstract"] == 1

    _decide(cli, project, "Arb", record, "include", "--arbiter")
    assert cli("conflicts", "-p", project, "--json").json() == {
        "stage": "title_abstract",
        "n": 0,
        "conflicts": [],
    }
    assert query(project, "SELECT reviewer, role FROM decisions WHERE role = 'arbiter'") == [
        ("Arb", "arbiter")
    ]
    # The screeners' disagreement stays underneath, so the arbiter may change their mind.
    _decide(cli, project, "Arb", record, "exclude", "--arbiter", "--reason", "Population")
    assert cli("conflicts", "-p", project, "--json").json()["n"] == 0


def test_agreement_json(cli: Cli, project: Path, tmp_path: Path) -> None:
    """2x2 table [[2, 1], [1, 4]] by hand: po = 6/8, pe = (3*3 + 5*5)/64, kappa = 7/15."""
    ids = kept_ids(project)
    lee = ["include"] * 3 + ["exclude"] * 5
    ann = ["include", "include", "exclude", "exclude", "exclude", "exclude", "exclude", "include"]
    rows = [(r, "Lee", d, None) for r, d in zip(ids, lee, strict=True)]
    rows += [(r, "Ann", d, None) for r, d in zip(ids, ann, strict=True)]
    cli("screen", "-p", project, "--from-csv", _decisions_csv(tmp_path / "d.csv", rows))
    out = cli("agreement", "-p", project, "--reviewers", "Lee,Ann", "--json").json()
    assert {"kappa", "ci_low", "ci_high", "table", "disagreements", "threshold"} <= set(out)
    assert out["kappa"] == pytest.approx(7 / 15, rel=1e-12)
    assert out["n"] == 8
    assert out["categories"] == ["include", "exclude"]
    assert out["table"] == [[2, 1], [1, 4]]
    assert sorted(out["disagreements"]) == sorted([str(ids[2]), str(ids[7])])
    assert out["ci_low"] < out["kappa"] < out["ci_high"]
    assert out["se"] == pytest.approx(_fleiss_cohen_everitt_se([[2, 1], [1, 4]]), rel=1e-9)
    z = 1.959963984540054  # standard normal 97.5% quantile
    assert out["ci_low"] == pytest.approx(out["kappa"] - z * out["se"], rel=1e-9)
    assert out["ci_high"] == pytest.approx(min(1.0, out["kappa"] + z * out["se"]), rel=1e-9)
    assert (out["threshold"], out["meets_threshold"]) == (0.6, False)
    # The default pair is the two busiest screeners: the same result.
    assert cli("agreement", "-p", project, "--json").json()["kappa"] == out["kappa"]


def _fleiss_cohen_everitt_se(table: list[list[int]]) -> float:
    """Large-sample SE of kappa (Fleiss, Cohen & Everitt 1969, Psychol Bull 72:323-327)."""
    n = sum(map(sum, table))
    p = [[v / n for v in row] for row in table]
    rows = [sum(row) for row in p]
    cols = [sum(col) for col in zip(*p, strict=True)]
    k = len(p)
    po = sum(p[i][i] for i in range(k))
    pe = sum(rows[i] * cols[i] for i in range(k))
    kappa = (po - pe) / (1 - pe)
    a = sum(p[i][i] * (1 - (rows[i] + cols[i]) * (1 - kappa)) ** 2 for i in range(k))
    b = (1 - kappa) ** 2 * sum(
        p[i][j] * (cols[i] + rows[j]) ** 2 for i in range(k) for j in range(k) if i != j
    )
    c = (kappa - pe * (1 - kappa)) ** 2
    return float(((a + b - c) / n) ** 0.5 / (1 - pe))


def test_agreement_needs_two_screeners(cli: Cli, project: Path) -> None:
    _decide(cli, project, "Lee", kept_ids(project)[0], "include")
    result = cli("agreement", "-p", project, ok=False)
    assert result.code == 2 and "two screeners" in result.error_line


# --- prisma and full texts ----------------------------------------------------------------


def _screen_to_full_text(cli: Cli, project: Path, tmp_path: Path) -> list[int]:
    """Lee screens all 8 (4 included); Lee and Ann assess the 4 full texts; returns them."""
    ids = kept_ids(project)
    rows = [(r, "Lee", "exclude", "Population") for r in ids[:4]]
    rows += [(r, "Lee", "include", None) for r in ids[4:]]
    cli("screen", "-p", project, "--from-csv", _decisions_csv(tmp_path / "ta.csv", rows))
    return ids[4:]


def test_prisma_writes_svg_png_and_the_prisma2020_csv(
    cli: Cli, project: Path, tmp_path: Path
) -> None:
    reports = _screen_to_full_text(cli, project, tmp_path)
    for r in reports[:3]:
        for who in ("Lee", "Ann"):
            _decide(cli, project, who, r, "include", "--stage", "full_text")
    for who in ("Lee", "Ann"):
        _decide(
            cli, project, who, reports[3], "exclude", "--stage", "full_text", "--reason", "Setting"
        )
    out_dir = tmp_path / "figures"
    counts = cli("prisma", "-p", project, "--out", out_dir, "--json").json()
    assert (counts["identified"], counts["duplicates_removed"], counts["records_screened"]) == (
        10,
        2,
        8,
    )
    assert (counts["records_excluded"], counts["reports_assessed"], counts["reports_excluded"]) == (
        4,
        4,
        1,
    )
    assert counts["reports_excluded_by_reason"] == {"Setting": 1}
    assert (counts["reports_included"], counts["studies_included"]) == (3, 3)
    assert counts["files"] == [str(out_dir / n) for n in ("prisma.svg", "prisma.png", "prisma.csv")]
    assert "<svg" in (out_dir / "prisma.svg").read_text(encoding="utf-8")
    assert (out_dir / "prisma.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    written = pd.read_csv(out_dir / "prisma.csv", keep_default_na=False)
    template = pd.read_csv(
        ROOT / "tests/data/prisma/PRISMA2020_template.csv", keep_default_na=False
    )
    assert list(written["data"]) == list(template["data"])  # the PRISMA2020 template's box ids
    value = dict(zip(written["data"], written["n"], strict=True))
    assert (value["database_results"], value["duplicates"], value["records_screened"]) == (
        "10",
        "2",
        "8",
    )
    assert (value["dbr_excluded"], value["new_studies"], value["new_reports"]) == (
        "Setting, 1",
        "3",
        "3",
    )
    # Without --out, the files go to PROJECT/exports.
    cli("prisma", "-p", project)
    assert {p.name for p in (project / "exports").iterdir()} >= {
        "prisma.svg",
        "prisma.png",
        "prisma.csv",
    }


def test_fulltext_pdf_not_retrieved_and_study_links(
    cli: Cli, project: Path, tmp_path: Path
) -> None:
    reports = _screen_to_full_text(cli, project, tmp_path)
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% test full text\n%%EOF\n")
    cli("fulltext", reports[0], "-p", project, "--pdf", pdf, "--by", "Lee")
    copied = project / "files" / f"record-{reports[0]}-paper.pdf"
    assert copied.read_bytes() == pdf.read_bytes()
    assert query(project, "SELECT record_id, path FROM reports") == [
        (reports[0], f"files/record-{reports[0]}-paper.pdf")
    ]
    cli("fulltext", reports[1], "-p", project, "--url", "https://example.org/full-text")
    cli("fulltext", reports[3], "-p", project, "--not-retrieved")
    for r in reports[:3]:
        for who in ("Lee", "Ann"):
            _decide(cli, project, who, r, "include", "--stage", "full_text")
    cli("fulltext", reports[0], "-p", project, "--study", "Smith 2015")
    cli("fulltext", reports[1], "-p", project, "--study", "Smith 2015")
    counts = cli("prisma", "-p", project, "--json").json()
    assert (counts["reports_sought"], counts["reports_not_retrieved"]) == (4, 1)
    assert (counts["reports_assessed"], counts["reports_included"]) == (3, 3)
    assert counts["studies_included"] == 2 < counts["reports_included"]
    # The archive carries the attached PDF.
    archive = Path(cli("export", "-p", project, "--json").json()["archive"])
    with zipfile.ZipFile(archive) as zf:
        assert zf.read(f"files/record-{reports[0]}-paper.pdf") == pdf.read_bytes()


@pytest.mark.parametrize(
    "args",
    [("1",), ("999", "--url", "https://example.org"), ("1", "--pdf", "missing.pdf")],
    ids=["no-option", "unknown-record", "missing-pdf"],
)
def test_fulltext_refuses_bad_requests(cli: Cli, project: Path, args: tuple[str, ...]) -> None:
    result = cli("fulltext", *args, "-p", project, ok=False)
    assert result.code == 2
    result.error_line  # noqa: B018 - asserts a one-line error
    assert count(project, "reports") == 0 and count(project, "report_events") == 0


def test_a_blinded_screener_cannot_list_conflicts_or_agreement(cli: Cli, project: Path) -> None:
    # Under blinding, `--as` a screener refuses to show other reviewers' decisions; a lead may.
    refused = cli("conflicts", "-p", project, "--as", "Ann", ok=False)
    assert refused.code == 2 and "blinded" in refused.err
    refused = cli("agreement", "-p", project, "--as", "Ann", ok=False)
    assert refused.code == 2 and "blinded" in refused.err
    assert cli("conflicts", "-p", project, "--as", "Lee", "--json").json()["n"] == 0
