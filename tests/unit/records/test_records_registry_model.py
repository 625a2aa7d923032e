"""The reader registry (entry points) and the Record / ReadResult model."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pandas as pd
import pytest

from evsynth._core.errors import EvsynthError, InputLocation
from evsynth.records import (
    FRAME_COLUMNS,
    Reader,
    Record,
    available_readers,
    get_reader,
    read_records,
    records_to_frame,
    registry,
)
from evsynth.records.registry import Parsed, SniffInput, Source


def _sniff(sample: SniffInput) -> bool:
    return sample.text is not None and sample.text.startswith("REFWORKS")


def _read(source: Source) -> Parsed:
    lines = source.text.split("\n")[1:]
    return Parsed(records=[Record(title=line) for line in lines if line])


PLUGIN = Reader(name="refworks", label="RefWorks", extensions=(".rw",), sniff=_sniff, read=_read)


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[EntryPoint]]:
    """Entry points the registry sees in the evsynth.readers group, reset afterwards."""
    found: list[EntryPoint] = []

    def entry_points(group: str) -> list[EntryPoint]:
        assert group == "evsynth.readers"
        return found

    monkeypatch.setattr(registry, "entry_points", entry_points)
    registry.available_readers.cache_clear()
    yield found
    registry.available_readers.cache_clear()


def test_builtin_readers_in_sniffing_order() -> None:
    assert list(available_readers())[:7] == [
        "endnote",
        "wos",
        "ris",
        "nbib",
        "bibtex",
        "xlsx",
        "csv",
    ]
    assert get_reader("nbib").label == "PubMed MEDLINE format (.nbib)"
    assert ".ris" in get_reader("ris").extensions


def test_unknown_reader_lists_choices() -> None:
    with pytest.raises(EvsynthError, match="format='refworks' is not known; choose one of"):
        get_reader("refworks")


def test_plugin_from_an_entry_point(plugins: list[EntryPoint]) -> None:
    plugins.append(EntryPoint("refworks", f"{__name__}:PLUGIN", "evsynth.readers"))
    assert "refworks" in available_readers()
    result = read_records(b"REFWORKS\nA\nB\n", name="export.rw")
    assert result.format == "refworks"
    assert [r.title for r in result.records] == ["A", "B"]


def test_broken_or_clashing_plugins_are_left_out(plugins: list[EntryPoint]) -> None:
    plugins.append(EntryPoint("broken", "evsynth_no_such_module:READER", "evsynth.readers"))
    plugins.append(EntryPoint("ris", "evsynth.records.readers.nbib:READER", "evsynth.readers"))
    with pytest.warns(RuntimeWarning) as caught:
        names = list(available_readers())
    assert "broken" not in names
    assert available_readers()["ris"].label == "RIS"
    messages = [str(w.message) for w in caught]
    assert any("'broken'" in m and "failed to load" in m for m in messages)
    assert any("repeats a name" in m for m in messages)


def test_records_to_frame(formats: Path) -> None:
    result = read_records(formats / "asreview" / "embase.ris")
    frame = records_to_frame(result.records)
    assert tuple(frame.columns) == FRAME_COLUMNS
    assert len(frame) == 6
    assert frame.loc[0, "authors"] == "Liu, R.; Adler, D.G."
    assert str(frame["year"].dtype) == "Int64"
    assert frame["year"].tolist() == [r.year for r in result.records]
    pd.testing.assert_frame_equal(result.to_frame(), frame)
    empty = records_to_frame([Record()])
    assert empty.loc[0, "authors"] is None
    assert pd.isna(empty.loc[0, "year"])


def test_read_result_audit_fields_and_summary(formats: Path) -> None:
    path = formats / "asreview" / "faulty_year.ris"
    result = read_records(path)
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.file == "faulty_year.ris"
    text = result.summary().as_text()
    assert "Records read from faulty_year.ris" in text
    assert "Warning: faulty_year.ris, line 1" in text
    assert result.summary().rows[0] == ("records", 1)


def test_records_hash_and_compare_without_location() -> None:
    a = Record(title="A", original={"TI": "A"}, location=InputLocation(file="a.ris", line=1))
    b = Record(title="A", original={"TI": "A"}, location=InputLocation(file="b.ris", line=9))
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    with pytest.raises(AttributeError):
        a.title = "B"  # type: ignore[misc]


def test_bytes_need_no_name() -> None:
    result = read_records(b"TY  - JOUR\nTI  - A\nER  - \n")
    assert result.file == "<bytes>"
    assert result.records[0].location.file == "<bytes>"


def test_records_package_keeps_its_readers_subpackage() -> None:
    # The registry function must not share a name with the evsynth.records.readers package,
    # which Python binds on evsynth.records when a built-in reader is first loaded.
    import evsynth.records
    import evsynth.records.readers.ris

    assert callable(evsynth.records.available_readers)
    assert evsynth.records.readers.__name__ == "evsynth.records.readers"
