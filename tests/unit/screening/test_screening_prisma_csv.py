"""PRISMA counts in the PRISMA2020 R package's template (tests/data/prisma/PRISMA2020_template.csv,
Haddaway et al. 2022, Campbell Systematic Reviews 18:e1230, MIT; provenance in the README beside it).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from evsynth.screening import PrismaCounts, prisma_csv, prisma_table
from evsynth.screening._prisma_template import TEMPLATE_CSV
from evsynth.screening.prisma_csv import COLUMNS, prisma_values

UNFILLED = {"NA", "identification", "screening", "included", "total_studies_ma", "total_reports_ma"}
TEMPLATE = Path(__file__).resolve().parents[2] / "data" / "prisma" / "PRISMA2020_template.csv"


def _template() -> list[dict[str, str]]:
    with TEMPLATE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _counts() -> PrismaCounts:
    return PrismaCounts(
        identified_by_source={"MEDLINE": 610, "Embase": 702, "ClinicalTrials.gov": 40},
        registers=("ClinicalTrials.gov",),
        identified=1352,
        duplicates_removed=300,
        records_screened=1052,
        records_excluded=1000,
        reports_sought=52,
        reports_not_retrieved=2,
        reports_assessed=50,
        reports_excluded=40,
        reports_excluded_by_reason={"population, adults": 25, "design": 15},
        other_identified_by_method={"citation_searching": 7, "websites": 2},
        other_reports_sought=5,
        other_reports_not_retrieved=1,
        other_reports_assessed=4,
        other_reports_excluded=3,
        other_reports_excluded_by_reason={"design": 3},
        studies_included=8,
        reports_included=11,
    ).check()


def _rows(text: str) -> dict[str, dict[str, str]]:
    return {row["data"] + "|" + row["box"]: row for row in csv.DictReader(io.StringIO(text))}


def test_embedded_template_is_the_package_template() -> None:
    assert TEMPLATE_CSV == TEMPLATE.read_text(encoding="utf-8")


def test_every_filled_box_id_is_in_the_template() -> None:
    template_ids = {row["data"] for row in _template()}
    filled = set(prisma_values(_counts()))
    assert filled <= template_ids
    # Every count row of the template is filled except the meta-analysis box, which the
    # synthesis fills; the title and phase boxes hold labels, not counts.
    assert template_ids - filled == UNFILLED


def test_output_keeps_the_template_rows_and_columns() -> None:
    rows = list(csv.DictReader(io.StringIO(prisma_csv(_counts()))))
    template = _template()
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == len(template)
    for got, expected in zip(rows, template, strict=True):
        for column in COLUMNS[:-1]:
            assert got[column] == expected[column]
        if expected["data"] in UNFILLED:
            assert got["n"] == expected["n"]


@pytest.mark.parametrize(
    ("data", "box", "n"),
    [
        ("database_results", "box2", "1312"),
        ("database_specific_results", "box2", "MEDLINE, 610; Embase, 702"),
        ("register_results", "box2", "40"),
        ("register_specific_results", "box2", "ClinicalTrials.gov, 40"),
        ("website_results", "box11", "2"),
        ("organisation_results", "box11", "0"),
        ("citations_results", "box11", "7"),
        ("duplicates", "box3", "300"),
        ("excluded_automatic", "box3", "0"),
        ("excluded_other", "box3", "0"),
        ("records_screened", "box4", "1052"),
        ("records_excluded", "box5", "1000"),
        ("dbr_sought_reports", "box6", "52"),
        ("dbr_notretrieved_reports", "box7", "2"),
        ("other_sought_reports", "box12", "5"),
        ("other_notretrieved_reports", "box13", "1"),
        ("dbr_assessed", "box8", "50"),
        # A comma inside a reason would break the "reason, n" format: it is replaced.
        ("dbr_excluded", "box9", "population / adults, 25; design, 15"),
        ("other_assessed", "box14", "4"),
        ("other_excluded", "box15", "design, 3"),
        ("new_studies", "box10", "8"),
        ("new_reports", "box10", "11"),
        ("total_studies", "box16", "8"),
        ("total_reports", "box16", "11"),
        ("previous_studies", "box1", "0"),
    ],
)
def test_numbers_land_in_their_rows(data: str, box: str, n: str) -> None:
    row = _rows(prisma_csv(_counts()))[f"{data}|{box}"]
    assert row["n"] == n


def test_table_matches_csv() -> None:
    table = prisma_table(_counts())
    assert list(table.columns) == list(COLUMNS)
    assert table.set_index("data").loc["records_screened", "n"] == "1052"
    assert len(table) == len(_template())


def test_empty_lists_are_written_as_na() -> None:
    counts = PrismaCounts(
        identified_by_source={"MEDLINE": 3},
        identified=3,
        duplicates_removed=0,
        records_screened=3,
        records_excluded=3,
        reports_sought=0,
        reports_not_retrieved=0,
        reports_assessed=0,
        reports_excluded=0,
        reports_excluded_by_reason={},
        studies_included=0,
        reports_included=0,
    ).check()
    rows = _rows(prisma_csv(counts))
    assert rows["register_specific_results|box2"]["n"] == "NA"
    assert rows["dbr_excluded|box9"]["n"] == "NA"
    assert rows["register_results|box2"]["n"] == "0"
