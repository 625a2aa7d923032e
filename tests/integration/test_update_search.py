"""An update search added to a screened project: only the new records wait to be screened.

Data: the example review's July 2016 searches, its February 2019 update searches (which re-find
16 papers already screened in 2016 as 17 records) and its recorded screening, split by date
(examples/pps-review: searches/, screening/title_abstract.csv and full_text.csv; README.md
there documents them). The 2019 rows of the title/abstract log are ASc's screening of the
update's new records, so they name exactly the records that must be waiting after the update.
"""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from tests.integration.conftest import EXAMPLE, Cli, count, kept_ids, query

UPDATE = "2019-02-12"


def _searches(update: bool) -> list[dict[str, str]]:
    config = tomllib.loads((EXAMPLE / "evsynth.toml").read_text(encoding="utf-8"))
    return [s for s in config["searches"] if ("update_2019/" in s["file"]) == update]


def _import(cli: Cli, folder: Path, update: bool) -> None:
    for spec in _searches(update):
        cli(
            "import",
            EXAMPLE / spec["file"],
            "-p",
            folder,
            "--database",
            spec["database"],
            "--search-date",
            spec["date"],
        )


def _log(stage: str, before_update: bool, tmp_path: Path) -> Path:
    frame = pd.read_csv(EXAMPLE / "screening" / f"{stage}.csv", dtype=str)
    early = frame["timestamp"] < UPDATE
    part = frame[early if before_update else ~early]
    path = tmp_path / f"{stage}-{'2016' if before_update else '2019'}.csv"
    part.to_csv(path, index=False)
    return path


def _record(folder: Path, key: str, database: str) -> int:
    """The first record with this export key from this database (the 2016 one if both)."""
    rows = query(
        folder,
        "SELECT r.id FROM records r JOIN imports i ON i.id = r.import_id "
        "WHERE r.source_key = ? AND i.source_database = ? ORDER BY r.id",
        key,
        database,
    )
    assert rows, (key, database)
    return int(rows[0][0])


def _kept(folder: Path, record: int) -> int:
    """Follow duplicate links (latest event per record) to the kept record."""
    links = dict(
        query(
            folder,
            "SELECT record_id, CASE action WHEN 'link' THEN duplicate_of END FROM duplicate_links d "
            "WHERE id = (SELECT max(id) FROM duplicate_links e WHERE e.record_id = d.record_id)",
        )
    )
    while links.get(record) is not None:
        record = links[record]
    return record


def _waiting(folder: Path, reviewer: str) -> set[int]:
    decided = {
        r for (r,) in query(folder, "SELECT record_id FROM decisions WHERE reviewer = ?", reviewer)
    }
    return set(kept_ids(folder)) - decided


@pytest.fixture
def screened_2016(cli: Cli, tmp_path: Path) -> Path:
    """A project built from the 2016 searches, de-duplicated and screened as in 2016."""
    folder = tmp_path / "pps-2016"
    cli("init", folder, "--title", "PPS review, 2016 searches", "--lead", "ASc")
    protocol = (EXAMPLE / "screening" / "protocol.toml").read_text(encoding="utf-8")
    (folder / "evsynth.toml").write_text(
        '[project]\ntitle = "PPS review, 2016 searches"\n\n' + protocol, encoding="utf-8"
    )
    _import(cli, folder, update=False)
    cli("dedupe", "-p", folder)
    # The review team's confirmation of one uncertain pair (screening/duplicate_review.csv).
    review = pd.read_csv(EXAMPLE / "screening" / "duplicate_review.csv", dtype=str).iloc[0]
    duplicate = _record(folder, review["record_key"], review["database"])
    kept = _kept(
        folder, _record(folder, review["duplicate_of_key"], review["duplicate_of_database"])
    )
    cli("dedupe", "-p", folder, "--link", duplicate, kept, "--by", review["reviewer"])
    for stage in ("title_abstract", "full_text"):
        cli("screen", "-p", folder, "--from-csv", _log(stage, True, tmp_path), "--stage", stage)
    return folder


def test_update_search_leaves_only_new_records_to_screen(
    cli: Cli, screened_2016: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = screened_2016
    assert count(folder, "records") == 2028  # the July 2016 searches
    assert _waiting(folder, "ASc") == set()  # ASc screened every 2016 record
    decisions_before = query(folder, "SELECT * FROM decisions ORDER BY id")
    links_before = query(folder, "SELECT * FROM duplicate_links ORDER BY id")

    _import(cli, folder, update=True)
    cli("dedupe", "-p", folder)
    assert count(folder, "records") == 2119

    # Every earlier decision and duplicate link is still there, and still on a kept record.
    assert query(folder, "SELECT * FROM decisions ORDER BY id") == decisions_before
    assert (
        query(folder, "SELECT * FROM duplicate_links ORDER BY id")[: len(links_before)]
        == links_before
    )
    kept = set(kept_ids(folder))
    assert {row[1] for row in decisions_before} <= kept

    # Exactly the records ASc screened in 2019 are waiting: the update's new records.
    new_rows = pd.read_csv(_log("title_abstract", False, tmp_path), dtype=str)
    new_rows = new_rows[new_rows["reviewer"] == "ASc"]
    expected = {
        _record(folder, k, d)
        for k, d in zip(new_rows["record_key"], new_rows["database"], strict=True)
    }
    assert len(expected) == 52
    assert _waiting(folder, "ASc") == expected
    status = cli("status", "-p", folder, "--json").json()
    assert status["prisma"]["records_pending"] == 52
    assert status["duplicates"] == 400

    # The update records that re-find 2016 papers are linked to the screened 2016 records.
    gold = pd.read_csv(EXAMPLE / "searches" / "duplicates_gold.csv", dtype=str)
    refound = gold[(gold["search"] == "update") & (gold["duplicate_of_search"] == "main")]
    assert len(refound) == 17
    update_ids = {
        r
        for (r,) in query(
            folder,
            "SELECT r.id FROM records r JOIN imports i ON i.id = r.import_id "
            "WHERE i.search_date = ?",
            UPDATE,
        )
    }
    decided = {row[1] for row in decisions_before}
    for key, database in zip(refound["record_key"], refound["database"], strict=True):
        (record,) = [
            r
            for (r,) in query(
                folder,
                "SELECT r.id FROM records r JOIN imports i ON i.id = r.import_id "
                "WHERE r.source_key = ? AND i.source_database = ? AND i.search_date = ?",
                key,
                database,
                UPDATE,
            )
        ]
        assert record in update_ids
        assert record not in kept and _kept(folder, record) in decided

    # The interactive screen starts on a new record, with 52 left (answer q to quit).
    monkeypatch.setattr("sys.stdin", io.StringIO("q\n"))
    shown = cli("screen", "-p", folder, "--reviewer", "ASc").out
    first = shown.split("\n[", 1)[1]
    assert first.startswith("52 left] record ")
    assert int(first.split("record ")[1].split(":")[0]) in expected

    # Screening the update's records completes the example's flow: the seed's numbers.
    for stage in ("title_abstract", "full_text"):
        cli("screen", "-p", folder, "--from-csv", _log(stage, False, tmp_path), "--stage", stage)
    counts = cli("prisma", "-p", folder, "--out", tmp_path / "prisma", "--json").json()
    assert (counts["identified"], counts["duplicates_removed"]) == (2119, 400)
    assert (counts["records_screened"], counts["records_excluded"]) == (1719, 1661)
    assert (counts["reports_assessed"], counts["reports_excluded"]) == (58, 46)
    assert counts["reports_included"] == 12
