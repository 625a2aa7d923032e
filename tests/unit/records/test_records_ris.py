"""RIS: the traps of real exports (asreview and rispy test files, provenance in README)."""

from __future__ import annotations

from pathlib import Path

from evsynth.records import read_records


def test_ovid_trailing_lines_are_ignored_with_one_warning(formats: Path) -> None:
    # Ovid writes "NL  - ..." after ER, then "Link to the Ovid Full Text ..." and "2.".
    result = read_records(formats / "asreview" / "ovid_psycinfo.ris")
    assert len(result.records) == 6
    assert result.n_skipped == 0
    (warning,) = result.warnings
    assert "18 lines outside any record were ignored (lines 1, 26, 28, 30," in warning
    first = result.records[0]
    assert "NL" not in first.original  # the line after ER is not attached to the record
    assert first.title is not None and first.title.startswith("The influence of self-criticism")
    assert first.location.line == 2  # line 1 is the record number "1."


def test_ovid_abstract_in_n2_doi_as_url_and_psycinfo_detected(formats: Path) -> None:
    first = read_records(formats / "asreview" / "ovid_psycinfo.ris").records[0]
    assert first.abstract is not None
    assert first.abstract.startswith("Considering that self-criticism")
    assert first.doi == "10.1002/cpp.2398"  # DO  - http://dx.doi.org/10.1002/cpp.2398
    assert first.original["DO"] == ["http://dx.doi.org/10.1002/cpp.2398"] * 2
    assert first.source_database == "PsycINFO"  # from the Ovid link, D=psyc16
    assert first.pages is None  # Ovid's SP "No" / EP "Specified"
    assert first.authors[:2] == ("Trindade, Ines A", "Irons, Chris")


def test_embase_database_pmid_and_initials(formats: Path) -> None:
    result = read_records(formats / "asreview" / "embase.ris")
    assert result.source_database == "Embase"
    assert result.encoding == "utf-8-sig"
    first, second = result.records[:2]
    assert first.authors == ("Liu, R.", "Adler, D.G.")  # A1 - Liu R.
    assert first.year == 2014  # Y1
    assert first.pages == "152-160"
    assert first.issn == "2226-7190"
    assert first.original["SN"] == ["2226-7190", "2226-7190"]  # repeated tag kept, as a list
    assert second.pmid == "15368318"  # Embase writes the MEDLINE PMID to C5


def test_scopus_pmid_in_c2_and_database(formats: Path) -> None:
    records = read_records(formats / "asreview" / "scopus.ris").records
    assert {r.source_database for r in records} == {"Scopus"}
    # C2 holds the PubMed id in 5 of the 6 records (grep "^C2" scopus.ris).
    assert [r.pmid for r in records if r.pmid] == [
        "31421429",
        "31627144",
        "31574429",
        "30704343",
        "31175206",
    ]


def test_pubmed_via_endnote(formats: Path) -> None:
    result = read_records(formats / "asreview" / "pubmed_endnote.txt")
    assert result.format == "ris"
    assert result.source_database == "PubMed"  # DP  - NLM
    assert result.records[0].pmid == "21553931"  # AN holds the PMID for NLM records
    assert result.records[0].location.line == 2  # the file starts with a blank line


def test_web_of_science_ris_is_detected(formats: Path) -> None:
    result = read_records(formats / "asreview" / "web_of_science.txt")
    assert result.format == "ris"
    assert result.source_database == "Web of Science"  # AN - WOS:..., WE tag
    first = result.records[0]
    assert first.journal == "JOURNAL OF APPLIED RESEARCH IN MEMORY AND COGNITION"
    assert first.original["WE"] == "Social Science Citation Index (SSCI)"  # non-standard tag


def test_unknown_tags_are_kept(formats: Path) -> None:
    (record,) = read_records(formats / "rispy" / "example_multi_unknown_tags.ris").records
    assert record.original["JP"] == "CRISPR"
    assert record.original["DC"] == "Direct Current"
    (record,) = read_records(formats / "rispy" / "example_single_unknown_tag.ris").records
    assert record.original["JP"] == ["CRISPR", "Direct Current"]


def test_multiline_values(formats: Path) -> None:
    records = read_records(formats / "rispy" / "example_multiline.ris").records
    expected = "first line, ER then second line and at the end the last line"
    assert [r.abstract for r in records] == [expected] * 3
    # A continuation line starting "ER " is not an end tag; N1 lines are separate notes.
    assert records[2].original["N1"] == ["first line", "* second line", "* last line"]


def test_rayyan_keywords_one_per_line(formats: Path) -> None:
    first = read_records(formats / "asreview" / "ris_issue_992.txt").records[0]
    assert first.keywords[:3] == ("Health Facility Administration", "Joint Commission", "Standards")


def test_starting_blank_lines_and_record_numbers(formats: Path) -> None:
    (record,) = read_records(formats / "rispy" / "example_starting_newlines.ris").records
    assert record.location.line == 3
    assert record.authors == ("Shannon, Claude E.",)
    assert record.year == 1948  # PY  - 1948/07//
    (record,) = read_records(formats / "rispy" / "example_custom_list_tags.ris").records
    assert record.original["SN"] == ["12345", "ABCDEFG", "666666"]


def test_empty_type_and_empty_records_are_records(formats: Path) -> None:
    records = read_records(formats / "asreview" / "baseline_reference_types.ris").records
    assert records[0].type is None and records[0].original == {"TY": ""}
    assert records[1].type == "GEN"


def test_faulty_year_is_a_warning_not_an_error(formats: Path) -> None:
    result = read_records(formats / "asreview" / "faulty_year.ris")
    (record,) = result.records
    assert record.year is None
    assert record.original["PY"] == "10 15"
    assert result.warnings == (
        "faulty_year.ris, line 1, column 'PY': no year in '10 15'; year left empty",
    )


def test_continuation_after_a_repeated_tag() -> None:
    # rispy 0.10 fails on this (" ".join of a list); evsynth joins it to the last value.
    text = "TY  - JOUR\nPB  - Wiley\nPB  - John Wiley\n      & Sons\nER  - \n"
    (record,) = read_records(text.encode(), name="x.ris").records
    assert record.original["PB"] == ["Wiley", "John Wiley & Sons"]


def test_caller_database_wins(formats: Path) -> None:
    result = read_records(formats / "asreview" / "embase.ris", source_database="medline")
    assert result.source_database == "MEDLINE"
    assert {r.source_database for r in result.records} == {"MEDLINE"}


def test_utf8_characters(formats: Path) -> None:
    (record,) = read_records(formats / "rispy" / "example_utf_chars.ris").records
    assert record.original["N1"] == ["Ä,Ö,Ü,ä,ö,ü,ß"]
    assert record.title is not None and record.title.startswith("Состояние")  # from ST
