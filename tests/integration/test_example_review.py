"""The bundled example review end to end: ``evsynth run`` reproduces the seed review's flow.

Source of the expected numbers: the seed paper, Scope A et al. (2021), British Journal of
Health Psychology 26:1069-1094 (/work/shared/seeds/000_15b6f09af3e90468.txt): "From the 2,119
citations identified from the searches, 58 remained after title and abstract sift ... Twelve
full papers reporting evidence from nine studies were included in the review", and "Given a
Kappa statistic of 0.77 (i.e., above recognized acceptable levels [0.7])". The counts the seed
does not report (400 duplicates, 1,719 screened, the full-text exclusion reasons, records per
database) are the example's own, documented in examples/pps-review/README.md and
examples/pps-review/screening/prisma_counts.csv.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.integration.conftest import EXAMPLE, Cli, count, query

# Records identified per database (main July 2016 search + February 2019 update search).
IDENTIFIED = {
    "MEDLINE": 470 + 42,
    "Embase": 640 + 49,
    "CINAHL": 318,
    "PsycINFO": 301,
    "Science Citation Index": 96,
    "Social Sciences Citation Index": 143,
    "Cochrane Library": 60,
}
EXCLUDED_FULL_TEXT = {
    "Not qualitative data": 14,
    "Not UK study": 9,
    "Not primary care or community setting": 8,
    "Not behavioural intervention": 7,
    "Not persistent physical symptoms population": 4,
    "Conference abstract only": 4,
}
TABLES = (
    "imports",
    "records",
    "duplicate_links",
    "decisions",
    "event_logs",
    "reveals",
    "reports",
    "report_events",
    "studies",
    "report_studies",
)


@pytest.fixture(scope="module")
def example_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of examples/pps-review without its output/ and evsynth.db."""
    target = tmp_path_factory.mktemp("example") / "pps-review"
    shutil.copytree(
        EXAMPLE,
        target,
        ignore=shutil.ignore_patterns("output", "evsynth.db", "evsynth.db-*", "__pycache__"),
    )
    assert not (target / "evsynth.db").exists()
    return target


def _dump(folder: Path) -> list[str]:
    con = sqlite3.connect(folder / "evsynth.db")
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_run_reproduces_the_seed_review_flow_and_is_idempotent(
    cli: Cli, example_copy: Path
) -> None:
    """2,119 identified, 58 to full text, 12 reports of 9 studies, kappa 0.77 >= 0.7.

    Source: the seed paper, /work/shared/seeds/000_15b6f09af3e90468.txt: "From the 2,119
    citations identified ... 58 remained ... Twelve full papers reporting evidence from nine
    studies", "Kappa statistic of 0.77"; the other counts from examples/pps-review/README.md.
    """
    first = cli("run", example_copy, "--json").json()
    prisma = first["prisma"]
    assert prisma["identified_by_source"] == IDENTIFIED
    assert prisma["identified"] == 2119
    assert prisma["duplicates_removed"] == 400
    assert prisma["records_screened"] == 1719
    assert prisma["records_excluded"] == 1661
    assert prisma["reports_sought"] == 58
    assert prisma["reports_not_retrieved"] == 0
    assert prisma["reports_assessed"] == 58
    assert prisma["reports_excluded"] == 46
    assert prisma["reports_excluded_by_reason"] == EXCLUDED_FULL_TEXT
    assert prisma["reports_included"] == 12
    assert prisma["studies_included"] == 9
    assert prisma["records_pending"] == 0
    assert prisma["reports_pending"] == 0
    assert round(first["kappa"], 2) == 0.77

    # The database holds what the flow says: 2,119 records in 9 imports, nothing deleted.
    assert count(example_copy, "records") == 2119
    assert count(example_copy, "imports") == 9
    assert query(example_copy, "PRAGMA integrity_check") == [("ok",)]

    agreement = cli("agreement", "-p", example_copy, "--json").json()
    assert round(agreement["kappa"], 2) == 0.77
    assert agreement["threshold"] == 0.7
    assert agreement["meets_threshold"] is True
    assert agreement["n"] == 344  # AB's 20% sample
    assert agreement["table"] == [[7, 3], [1, 333]]

    report = (example_copy / "output" / "report.html").read_text(encoding="utf-8")
    _assert_report_has_prisma_svg(report)

    before = _dump(example_copy)
    second = cli("run", example_copy, "--json")
    assert "imported searches/" not in second.err  # nothing imported again
    assert second.json()["prisma"] == prisma
    assert second.json()["kappa"] == first["kappa"]
    assert _dump(example_copy) == before  # the second run changed nothing in the database


def _assert_report_has_prisma_svg(report: str) -> None:
    """The report inlines the PRISMA diagram as SVG, with the boxes and their counts."""
    svgs = re.findall(r"<svg\b.*?</svg>", report, flags=re.S)
    diagrams = [s for s in svgs if "Records screened" in s]
    assert len(diagrams) == 1, "no (or several) PRISMA SVG diagrams in the report"
    # matplotlib writes each text as a comment; counts use a no-break space and thousands commas.
    labels = [t.replace("\xa0", " ").strip() for t in re.findall(r"<!-- (.*?) -->", diagrams[0])]
    for expected in (
        "Databases (n = 2,119)",
        "Embase (n = 689)",
        "Duplicate records removed (n = 400)",
        "Not qualitative data (n = 14)",
        "Conference abstract only (n = 4)",
    ):
        assert expected in labels, f"{expected!r} not in the PRISMA diagram"
    for box, n in (
        ("Records screened", "1,719"),
        ("Records excluded", "1,661"),
        ("Reports sought for retrieval", "58"),
        ("Reports not retrieved", "0"),
        ("Reports assessed for eligibility", "58"),
        ("Studies included in review", "9"),
        ("Reports of included studies", "12"),
    ):
        assert labels[labels.index(box) + 1] == f"(n = {n})", box
