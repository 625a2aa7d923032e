"""EndNote XML (tests/data/formats/endnote/endnote_export.xml) and BibTeX."""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth._core.errors import DataError
from evsynth.records import read_records

BIBTEX = r"""% Exported from a reference manager
@string{jns = "Journal of Neurointerventional Surgery"}

@article{Brinjikji2018,
  author = {Brinjikji, Waleed and Vitor M. Pereira and Kallmes, David F.},
  title = {Impact of Balloon Guide Catheter on Technical and Clinical Outcomes: a {S}ystematic Review},
  journal = jns,
  year = {2018},
  volume = {10},
  number = {4},
  pages = {335--339},
  doi = {10.1136/NEURINTSURG-2017-013179},
  pmid = {28754806},
  keywords = {stroke; thrombectomy},
}

@inproceedings{Velasco2016,
  Author = {Aglae Velasco and Ren{\'e} Chapot and {WHO Stroke Group} and Ludwig van Beethoven},
  Title = {Caf{\'e} \& {M}{\"u}ller: 50\% of cases},
  booktitle = {Proceedings},
  year = 2016,
  url = {https://example.org/a%20b},
}

@article{Brinjikji2018,
  title = {A second entry with the same key},
  year = {unknown},
}
"""


def test_endnote_export(formats: Path) -> None:
    result = read_records(formats / "endnote" / "endnote_export.xml")
    assert result.format == "endnote"
    first, second, third, fourth = result.records
    assert first.title == (
        "Impact of balloon guide catheter on technical and clinical outcomes: a systematic "
        "review and meta-analysis"
    )
    assert first.authors == ("Brinjikji, W.", "Pereira, V. M.", "Kallmes, D. F.")
    assert first.journal == "Journal of neurointerventional surgery"  # periodical/full-title
    assert first.year == 2018
    assert first.doi == "10.1136/neurintsurg-2017-013179"
    assert first.pmid == "28754806"  # accession-num of a MEDLINE record
    assert first.issn == "1759-8486"
    assert first.source_database == "MEDLINE"
    assert first.type == "Journal Article"
    assert first.original["ref-type"] == "17"
    assert first.original["database@name"] == "Review.enl"
    assert first.original["isbn"] == "1759-8486 (Electronic)\r1759-8478 (Linking)"
    # Title split over three <style> runs; DOI given as a resolver URL in upper case.
    assert second.title == (
        "Comparison of a Balloon Guide Catheter and a Non-Balloon Guide Catheter for "
        "Mechanical Thrombectomy"
    )
    assert second.doi == "10.1148/radiol.2015150575"
    assert "Alcázar, P." in second.authors
    assert third.pmid is None  # an Embase accession number (L373791783) is not a PMID
    assert third.source_database == "Embase"
    assert fourth.type == "Book Section"
    assert fourth.journal == "Cochrane Handbook for Systematic Reviews of Interventions"
    assert fourth.original["contributors/secondary-authors/author"] == [
        "Higgins, J. P. T.",
        "Thomas, J.",
    ]
    # EndNote writes one line; the record's position tells records apart.
    assert (fourth.location.line, fourth.location.row) == (1, 4)


def test_endnote_truncated_is_a_file_error(formats: Path) -> None:
    data = (formats / "endnote" / "endnote_export.xml").read_bytes()
    with pytest.raises(DataError, match="not well-formed XML") as info:
        read_records(data[: len(data) // 2], name="library.xml")
    assert info.value.location is not None and info.value.location.line == 1
    with pytest.raises(DataError, match="not well-formed XML"):
        read_records(data[: len(data) // 2], name="library.xml", on_error="skip")


def test_other_xml_is_not_endnote() -> None:
    data = b'<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>\n'
    with pytest.raises(DataError, match="not an EndNote XML export"):
        read_records(data, name="pubmed.xml", format="endnote")


def test_endnote_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file://{secret}">]>'
        "<xml><records><record><titles><title>&e;</title></titles></record></records></xml>"
    ).encode()
    (record,) = read_records(data, name="x.xml").records
    assert record.title is None or "SECRET" not in record.title


def test_bibtex(tmp_path: Path) -> None:
    path = tmp_path / "library.bib"
    path.write_text(BIBTEX, encoding="utf-8")
    result = read_records(path)
    assert result.format == "bibtex"
    first, second, third = result.records
    assert first.authors == ("Brinjikji, Waleed", "Pereira, Vitor M.", "Kallmes, David F.")
    assert first.title == (
        "Impact of Balloon Guide Catheter on Technical and Clinical Outcomes: a Systematic Review"
    )
    assert first.journal == "Journal of Neurointerventional Surgery"  # @string resolved
    assert first.pages == "335-339"
    assert first.doi == "10.1136/neurintsurg-2017-013179"
    assert (first.pmid, first.year, first.issue) == ("28754806", 2018, "4")
    assert first.keywords == ("stroke", "thrombectomy")
    assert first.original["ID"] == "Brinjikji2018"
    assert first.location.line == 4
    assert second.authors == (
        "Velasco, Aglae",
        "Chapot, René",
        "WHO Stroke Group",
        "van Beethoven, Ludwig",
    )
    assert second.title == "Café & Müller: 50% of cases"
    assert second.url == "https://example.org/a%20b"  # URLs are not LaTeX-decoded
    assert second.original["title"] == r"Caf{\'e} \& {M}{\"u}ller: 50\% of cases"
    # The repeated key is still a record, with a warning; so is its unreadable year.
    assert third.title == "A second entry with the same key"
    assert any("Duplicate entry key 'Brinjikji2018'" in w for w in result.warnings)
    assert any("line 25, column 'year': no year in 'unknown'" in w for w in result.warnings)
    assert third.original["year"] == "unknown"  # braces removed as for the first entry


def test_bibtex_block_that_does_not_parse(tmp_path: Path) -> None:
    text = BIBTEX.replace("  year = 2016,\n", "  year = {2016,\n")
    path = tmp_path / "library.bib"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        DataError,
        match=r"library.bib, line 17: BibTeX block '@inproceedings\{Velasco2016,' cannot be parsed: ",
    ):
        read_records(path)
    result = read_records(path, on_error="skip")
    assert [r.original["ID"] for r in result.records] == ["Brinjikji2018", "Brinjikji2018"]
    assert result.n_skipped == 1
