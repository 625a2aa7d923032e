"""CSV and XLSX: column-name mapping, semicolons, rows, text where a year should be."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from evsynth._core.errors import DataError
from evsynth.records import read_records


def test_embase_csv_columns_and_authors(formats: Path) -> None:
    result = read_records(formats / "asreview" / "embase.csv")
    assert result.format == "csv"
    assert len(result.records) == 6
    first = result.records[0]
    assert (
        first.title
        == "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    )
    assert first.authors == ("Liu, R.", "Adler, D.G.")  # "Author Names": "Liu R., Adler D.G."
    assert first.abstract is not None and first.abstract.startswith("Gastrointestinal tract")
    assert first.original["Original Title"] == ""
    assert first.location.line == 2


def test_semicolon_csv_with_rispy_column_names(formats: Path) -> None:
    result = read_records(formats / "asreview" / "generic_semicolon.csv")
    first, second = result.records
    assert first.title == "Title of reference"
    assert first.authors == ("Marx, Karl", "Lindgren, Astrid")  # first_authors
    assert first.year == 2014  # publication_year
    # asreview writes lists as Python literals; original keeps the cell as written.
    assert first.original["first_authors"] == "['Marx, Karl', 'Lindgren, Astrid']"
    assert first.keywords == ("Pippi", "Nordwind", "Piraten")
    assert second.location.line == 3


def test_generic_labels_csv(formats: Path) -> None:
    records = read_records(formats / "asreview" / "generic_labels.csv").records
    assert len(records) == 6
    assert records[0].original["label_included"] == "1"
    assert records[0].issn is not None


def test_missing_values_and_blank_cells(formats: Path) -> None:
    records = read_records(formats / "asreview" / "missing_values.csv").records
    assert [r.title is not None for r in records] == [True, False, True, False]
    assert [r.abstract is not None for r in records] == [False, True, False, True]


def test_placeholder_dois_are_not_dois(formats: Path) -> None:
    # duplicate_records.csv uses "10.1", "10.3" as stand-ins; a DOI needs 10.<4-9 digits>/...
    records = read_records(formats / "asreview" / "duplicate_records.csv").records
    assert len(records) == 14
    assert all(r.doi is None for r in records)
    assert records[0].original["doi"] == "10.1"


def test_text_where_a_year_should_be(tmp_path: Path) -> None:
    path = tmp_path / "search.csv"
    path.write_text(
        "Title,Abstract,Publication Year,DOI\n"
        "A trial,Some abstract,2019,10.1000/a\n"
        "B trial,Other abstract,in press,https://doi.org/10.1000/B\n"
        '"C trial","An abstract\nover two lines",2021.0,\n',
        encoding="utf-8",
    )
    result = read_records(path)
    assert [r.year for r in result.records] == [2019, None, 2021]
    assert [r.doi for r in result.records] == ["10.1000/a", "10.1000/b", None]
    assert result.warnings == (
        "search.csv, line 3, column 'Publication Year': no year in 'in press'; year left empty",
    )
    assert result.records[1].original["Publication Year"] == "in press"
    assert result.records[2].location.line == 4


def test_ragged_row_is_a_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "search.csv"
    path.write_text("title,abstract\nA,x\nB, with, commas\nC,z\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 3: row has 3 values but the header has 2 columns"):
        read_records(path)
    result = read_records(path, on_error="skip")
    assert [r.title for r in result.records] == ["A", "C"]


def test_csv_without_title_or_abstract_column(tmp_path: Path) -> None:
    path = tmp_path / "search.csv"
    path.write_text("name,summary\nA,x\n", encoding="utf-8")
    with pytest.raises(DataError, match="found no title or abstract column among: 'name'"):
        read_records(path, format="csv")


def test_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "search.tsv"
    path.write_text("TI\tAB\tAU\tPY\nA trial\tText\tSmith, J; Lee, K\t2020\n", encoding="utf-8")
    (record,) = read_records(path).records
    assert record.authors == ("Smith, J", "Lee, K")
    assert record.year == 2020


def test_xlsx(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Article Title", "Abstract", "Authors", "Publication Year", "DOI", "PMID"])
    sheet.append(["A trial", "Some text", "Smith, J; Lee, K", 2019, "10.1000/X", 12345678])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["B trial", None, "WHO Study Group", "unknown", None, None])
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    result = read_records(path)
    assert result.format == "xlsx"
    assert result.encoding is None
    first, second = result.records
    assert (first.year, first.doi, first.pmid) == (2019, "10.1000/x", "12345678")
    assert first.authors == ("Smith, J", "Lee, K")
    assert first.location.row == 2
    assert second.location.row == 4  # the empty row 3 is skipped, numbering is Excel's
    assert second.authors == ("WHO Study Group",)
    assert result.warnings == (
        "export.xlsx, row 4, column 'Publication Year': no year in 'unknown'; year left empty",
    )


def test_corrupt_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"xl/workbook.xml" + b"\x00" * 100)
    with pytest.raises(DataError, match="cannot be opened as an Excel workbook"):
        read_records(path)
