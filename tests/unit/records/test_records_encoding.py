"""Encodings: UTF-8 with and without BOM, UTF-16 with BOM, Latin-1/Windows-1252, binary.

Each file is made by re-encoding a real export (asreview/pubmed_endnote.txt, rispy's
example_utf_chars.ris) in a temporary folder.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from evsynth._core.errors import DataError
from evsynth.records import read_records


def _text(formats: Path, name: str) -> str:
    return (formats / name).read_text(encoding="utf-8-sig")


def test_utf8_bom_is_removed_before_the_first_tag(formats: Path) -> None:
    result = read_records(formats / "rispy" / "example_bom.ris")
    assert result.encoding == "utf-8-sig"
    assert len(result.records) == 1
    assert result.records[0].type == "JOUR"  # the BOM did not hide the TY line
    assert result.records[0].doi == "10.1186/s40981-020-0316-0"


@pytest.mark.parametrize(
    ("codec", "bom"),
    # Python's "utf-16" codec writes its own byte-order mark.
    [("utf-16", b""), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)],
)
def test_utf16_with_bom_reads_like_utf8(
    formats: Path, tmp_path: Path, codec: str, bom: bytes
) -> None:
    text = _text(formats, "rispy/example_utf_chars.ris")
    path = tmp_path / "utf16.ris"
    path.write_bytes(bom + text.encode(codec))
    expected = read_records(formats / "rispy" / "example_utf_chars.ris").records
    result = read_records(path)
    assert result.encoding == "utf-16"
    assert result.records == expected
    assert result.records[0].authors[0] == "Dobrokhotova, Yu E."
    assert result.records[0].abstract is not None
    assert result.records[0].abstract.startswith("Состояние")


def test_latin1_file_is_read_with_a_warning(formats: Path, tmp_path: Path) -> None:
    # pubmed_endnote.txt re-encoded to Latin-1 after adding accented names to it.
    text = _text(formats, "asreview/pubmed_endnote.txt").replace(
        "AU  - Werz, O.", "AU  - Müller, José"
    )
    path = tmp_path / "latin1.ris"
    path.write_bytes(text.encode("latin-1"))
    result = read_records(path)
    assert result.encoding == "cp1252"
    assert "Müller, José" in result.records[0].authors
    assert len(result.records) == 6
    assert any("not valid UTF-8" in w and "Windows-1252" in w for w in result.warnings)


def test_windows_1252_quotes_are_read_as_quotes(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.ris"
    path.write_bytes("TY  - JOUR\nTI  - The “best” care – a trial\nER  - \n".encode("cp1252"))
    assert read_records(path).records[0].title == "The “best” care – a trial"


def test_bytes_undefined_in_windows_1252_fall_back_to_latin1(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ris"
    path.write_bytes(b"TY  - JOUR\nTI  - Caf\xe9 \x81\nER  - \n")  # 0x81 is undefined in 1252
    result = read_records(path)
    assert result.encoding == "latin-1"
    assert result.records[0].title == "Café \x81"


def test_byte_order_mark_in_the_middle_of_concatenated_exports(
    formats: Path, tmp_path: Path
) -> None:
    # `cat a.ris b.ris` of two BOM-prefixed exports leaves a BOM before the second TY.
    one = (formats / "asreview" / "embase.ris").read_bytes()
    path = tmp_path / "both.ris"
    path.write_bytes(one + b"\n" + one)
    assert len(read_records(path).records) == 12


def test_utf16_without_bom_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "nobom.ris"
    path.write_bytes("TY  - JOUR\nTI  - x\nER  - \n".encode("utf-16-le"))
    with pytest.raises(DataError, match="NUL bytes; UTF-16 text needs a byte-order mark"):
        read_records(path)


def test_crlf_and_cr_line_ends(tmp_path: Path) -> None:
    for newline in ("\r\n", "\r"):
        text = newline.join(["TY  - JOUR", "TI  - A", "ER  - ", "TY  - JOUR", "TI  - B", "ER  - "])
        result = read_records(text.encode(), name="x.ris")
        assert [r.title for r in result.records] == ["A", "B"]
        assert result.records[1].location.line == 4


def test_byte_order_mark_that_lies_is_an_error(tmp_path: Path) -> None:
    # A UTF-8 mark followed by Windows-1252 bytes: the file was damaged or mixed.
    path = tmp_path / "mixed.ris"
    path.write_bytes(codecs.BOM_UTF8 + b"TY  - JOUR\nTI  - Caf\xe9\nER  - \n")
    with pytest.raises(DataError, match=r"mixed\.ris, line 2: the file starts with a utf-8-sig"):
        read_records(path)
