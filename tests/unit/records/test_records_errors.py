"""Errors: each bad input gives a DataError naming the file, the line and what to do.

Policy (see the evsynth.records docstring): a file with any unreadable record is rejected
as a whole unless ``on_error="skip"``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth._core.errors import DataError, EvsynthError
from evsynth.records import read_records

RECORD = "TY  - JOUR\nTI  - Title {n}\nPY  - 2020\nER  - \n\n"


def _ris(n: int) -> str:
    return "".join(RECORD.format(n=i) for i in range(1, n + 1))


@pytest.mark.parametrize(
    "content",
    [b"", b"   \n\n\t\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n", "\n".encode("utf-16")],
    ids=["zero-bytes", "whitespace", "bom-only", "bom-newline", "utf16-newline"],
)
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "search.ris"
    path.write_bytes(content)
    with pytest.raises(DataError, match="the file is empty") as info:
        read_records(path)
    assert info.value.location is not None
    assert info.value.location.file == "search.ris"
    assert "Export the records again" in str(info.value)


def test_truncated_ris_is_rejected_whole(formats: Path, tmp_path: Path) -> None:
    # scopus.ris cut in the middle of its last record's abstract.
    data = (formats / "asreview" / "scopus.ris").read_bytes()
    cut = data[: data.rindex(b"AB  - ") + 200]
    path = tmp_path / "scopus_cut.ris"
    path.write_bytes(cut)
    starts = [i + 1 for i, line in enumerate(cut.decode().split("\n")) if line == "TY  - JOUR"]
    with pytest.raises(DataError) as info:
        read_records(path)
    error = info.value
    assert "no 'ER  - ' line: the file ends inside it and may be truncated" in error.message
    assert error.location is not None and error.location.line == starts[-1]
    assert "Nothing was imported" in str(error)
    assert "on_error='skip'" in str(error)


def test_truncated_ris_with_skip_keeps_complete_records(formats: Path, tmp_path: Path) -> None:
    data = (formats / "asreview" / "scopus.ris").read_bytes()
    path = tmp_path / "scopus_cut.ris"
    path.write_bytes(data[: data.rindex(b"AB  - ") + 200])
    result = read_records(path, on_error="skip")
    assert len(result.records) == 5
    assert result.n_skipped == 1
    assert any(
        w.startswith("skipped unreadable record: scopus_cut.ris, line") for w in result.warnings
    )


def test_missing_er_before_next_record(tmp_path: Path) -> None:
    text = _ris(3).replace(
        "PY  - 2020\nER  - \n\nTY  - JOUR\nTI  - Title 2",
        "PY  - 2020\n\nTY  - JOUR\nTI  - Title 2",
        1,
    )
    path = tmp_path / "x.ris"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        DataError,
        match=r"line 1: the record starting here has no 'ER  - ' line before the next record at line 5",
    ):
        read_records(path)
    result = read_records(path, on_error="skip")
    assert [r.title for r in result.records] == ["Title 2", "Title 3"]


def test_tagged_lines_without_ty(tmp_path: Path) -> None:
    text = "AU  - Smith, J\nTI  - Orphan\nER  - \n\n" + _ris(1)
    with pytest.raises(
        DataError, match=r"x.ris, line 1: lines 1-3 hold a record without a 'TY  - ' line"
    ):
        read_records(text.encode(), name="x.ris")


def test_every_record_bad_is_rejected_even_with_skip(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no record could be read"):
        read_records(b"TY  - JOUR\nTI  - cut", name="x.ris", on_error="skip")


def test_more_bad_records_are_counted_in_the_message() -> None:
    text = "TY  - JOUR\nTI  - a\nTY  - JOUR\nTI  - b\nTY  - JOUR\nTI  - c\nER  - \n"
    with pytest.raises(DataError, match=r"\(and 1 more unreadable records\)"):
        read_records(text.encode(), name="x.ris")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
        (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "a ZIP container"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "an Office 97-2003 file"),
        (bytes(range(256)) * 4, "a binary file"),
    ],
    ids=["pdf", "docx", "xls", "random"],
)
def test_binary_file(tmp_path: Path, content: bytes, kind: str) -> None:
    path = tmp_path / "search.ris"
    path.write_bytes(content)
    with pytest.raises(DataError, match=kind) as info:
        read_records(path)
    assert "Export the records" in str(info.value)
    with pytest.raises(DataError, match=kind):
        read_records(path, format="ris")


def test_wrong_format_asked_for(formats: Path) -> None:
    with pytest.raises(
        DataError, match="format='ris' was asked for, but the content is Web of Science"
    ) as info:
        read_records(formats / "rispy" / "example_wos.ris", format="ris")
    assert "Pass format='wos'" in str(info.value)


def test_csv_read_as_ris_is_refused(formats: Path) -> None:
    with pytest.raises(DataError, match="the content is CSV"):
        read_records(formats / "asreview" / "embase.csv", format="ris")


def test_unknown_content() -> None:
    with pytest.raises(
        DataError,
        match="could not tell the format: no reader recognised a file starting 'Dear colleague,'",
    ) as info:
        read_records(b"Dear colleague,\nplease find the search attached.\n", name="notes.txt")
    assert "Pass format= one of" in str(info.value)


def test_text_that_no_reader_parses_with_format_given() -> None:
    with pytest.raises(DataError, match="no RIS records found: no line starts with 'TY  - '"):
        read_records(b"Dear colleague\n", name="notes.txt", format="ris")


def test_unknown_format_name_lists_the_choices() -> None:
    with pytest.raises(
        EvsynthError, match=r"format='medline' is not known; choose one of .*nbib.*ris"
    ):
        read_records(b"TY  - JOUR\nER  - \n", format="medline")


def test_unknown_on_error_lists_the_choices() -> None:
    with pytest.raises(
        EvsynthError, match="on_error='ignore' is not known; choose one of raise, skip"
    ):
        read_records(b"TY  - JOUR\nER  - \n", on_error="ignore")  # type: ignore[arg-type]


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_records(tmp_path / "nope.ris")
    with pytest.raises(DataError, match="is a folder"):
        read_records(tmp_path)


def test_ris_with_only_stray_lines() -> None:
    with pytest.raises(DataError, match="no RIS records found"):
        read_records(b"1.\nLink to the Ovid Full Text or citation: x\n", name="x.ris", format="ris")


def test_header_only_csv_has_no_records() -> None:
    with pytest.raises(DataError, match="no records found in this CSV"):
        read_records(b"title,abstract\n", name="x.csv")
