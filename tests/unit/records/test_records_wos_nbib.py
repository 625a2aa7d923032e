"""Web of Science plain text (rispy's example_wos.ris) and PubMed MEDLINE (.nbib) files."""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth._core.errors import DataError
from evsynth.records import read_records


def test_wos_file_needs_and_gets_the_wos_dialect(formats: Path) -> None:
    result = read_records(formats / "rispy" / "example_wos.ris")
    assert result.format == "wos"
    assert result.source_database == "Web of Science"
    # The name says .ris; the content decides, with a warning.
    assert any("the name suggests RIS" in w for w in result.warnings)
    first, second = result.records
    assert first.title == (
        "Interactions stabilizing the structure of the core light-harvesting complex (LHl) "
        "of photosynthetic bacteria and its subunit (B820)"
    )  # TI continued on a second line
    assert first.authors == ("Parkes-Loach, PS", "Majeed, AP", "Law, CJ", "Loach, PA")
    assert first.doi == "10.1021/bi049798f"
    assert first.pmid == "15170338"
    assert first.year == 2004
    assert first.pages == "7003-7016"
    assert first.journal == "BIOCHEMISTRY"
    assert first.keywords[:2] == ("CHEMICALLY SYNTHESIZED POLYPEPTIDES", "IN-VITRO RECONSTITUTION")
    assert first.location.line == 3
    assert isinstance(first.original["CR"], list) and len(first.original["CR"]) == 59
    assert second.location.line > first.location.line


def test_wos_without_ef_warns_of_truncation(formats: Path) -> None:
    text = (formats / "rispy" / "example_wos.ris").read_text(encoding="utf-8")
    assert text.rstrip().endswith("EF")
    result = read_records(text.rstrip()[:-2].encode(), name="savedrecs.txt")
    assert any("no 'EF' line" in w for w in result.warnings)


def test_wos_cut_inside_a_record(formats: Path) -> None:
    text = (formats / "rispy" / "example_wos.ris").read_text(encoding="utf-8")
    cut = text[: text.rindex("\nAB ")]
    with pytest.raises(DataError, match="line 112: the record starting here has no 'ER' line"):
        read_records(cut.encode(), name="savedrecs.txt")


def test_nbib_single_record(formats: Path) -> None:
    result = read_records(formats / "nbib" / "single.nbib")
    assert result.format == "nbib"
    assert result.source_database == "PubMed"
    (record,) = result.records
    assert record.pmid == "28754806"
    assert record.title == (
        "Impact of balloon guide catheter on technical and clinical outcomes: a systematic "
        "review and meta-analysis."
    )  # joined over the 6-space continuation line
    assert record.authors == ("Brinjikji, Waleed", "Pereira, Vitor M", "Kallmes, David F")
    assert record.doi == "10.1136/neurintsurg-2017-013179"  # AID - ... [doi]
    assert record.year == 2018  # DP  - 2018 Apr
    assert record.journal == "Journal of neurointerventional surgery"  # JT over TA
    assert (record.volume, record.issue, record.pages) == ("10", "4", "335-339")
    assert record.issn == "1759-8486"
    assert record.original["AU"] == ["Brinjikji W", "Pereira VM", "Kallmes DF"]
    assert record.original["PT"] == [
        "Journal Article",
        "Meta-Analysis",
        "Review",
        "Systematic Review",
    ]
    assert "mechanical thrombectomy" in record.keywords


def test_nbib_crlf_set(formats: Path) -> None:
    result = read_records(formats / "nbib" / "pubmed-balloongui-set.nbib")
    assert len(result.records) == 75
    assert all(r.pmid for r in result.records)
    assert len({r.pmid for r in result.records}) == 75
    assert result.records[0].location.line == 1
    velasco = next(r for r in result.records if r.pmid == "26789499")
    assert velasco.authors[0] == "Velasco, Aglaé"
    assert "Alcázar, Pedro" in velasco.authors
    assert velasco.location.line == 396  # grep -n "PMID- 26789499"


def test_pmc_export(formats: Path) -> None:
    # pmc_medlars.txt is not in parse_counts.json; counts by grep: 5 "PMC -" records, one
    # with an empty AB (abstract only at the publisher, OAB), 4 with an "[doi]" AID.
    result = read_records(formats / "nbib" / "pmc_medlars.txt")
    records = result.records
    assert len(records) == 5
    assert result.source_database == "PubMed Central"
    assert sum(r.title is not None for r in records) == 5
    assert sum(r.abstract is not None for r in records) == 4
    assert sum(r.doi is not None for r in records) == 4
    assert records[0].location.line == 2


def test_nbib_damaged_line() -> None:
    text = "PMID- 1\nTI  - A title\nthis line lost its indent\n\nPMID- 2\nTI  - B\n"
    with pytest.raises(DataError, match=r"x\.nbib, line 3: line is neither a MEDLINE tag"):
        read_records(text.encode(), name="x.nbib")
    result = read_records(text.encode(), name="x.nbib", on_error="skip")
    assert [r.pmid for r in result.records] == ["2"]
    assert result.n_skipped == 1
