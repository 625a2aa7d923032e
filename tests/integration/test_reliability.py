"""Reliability: bad files, encodings, a large import, concurrent reviewers, a killed import.

Real export files come from tests/data/formats (asreview and rispy test data; provenance in
tests/data/formats/README.md); the synthetic project from tests/data/project.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evsynth._core.errors import EvsynthError
from evsynth.screening import Decision
from evsynth.storage.project import open_project
from evsynth.storage.screening_repo import add_decisions
from tests.integration.conftest import (
    PYTHON,
    ROOT,
    SEARCHES,
    Cli,
    count,
    kept_ids,
    new_project,
    query,
)

FORMATS = ROOT / "tests" / "data" / "formats"

# --- bad files: exit 2, one line naming the file, nothing added ------------------------------


def _truncated_ris(path: Path) -> None:
    text = (FORMATS / "asreview" / "embase.ris").read_text(encoding="utf-8-sig")
    path.write_text(text[: text.rindex("ER  -")], encoding="utf-8")


def _cut_in_half(path: Path) -> None:
    raw = (SEARCHES / "embase.ris").read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(20240601).randbytes(8192))


def _random_bytes_without_nul(path: Path) -> None:
    rng = random.Random(7)
    path.write_bytes(bytes(rng.randrange(1, 256) for _ in range(8192)))


def _truncated_xml(path: Path) -> None:
    raw = (FORMATS / "endnote" / "endnote_export.xml").read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


def _pdf_renamed(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _blank(path: Path) -> None:
    path.write_text("\n  \n\t\n", encoding="utf-8")


def _header_only_csv(path: Path) -> None:
    path.write_text("title,abstract,year\n", encoding="utf-8")


BAD_FILES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "ris-without-final-ER": ("truncated.ris", _truncated_ris),
    "ris-cut-in-half": ("half.ris", _cut_in_half),
    "random-bytes": ("random.ris", _random_bytes),
    "random-bytes-without-nul": ("noise.txt", _random_bytes_without_nul),
    "truncated-endnote-xml": ("cut.xml", _truncated_xml),
    "pdf-named-ris": ("paper.ris", _pdf_renamed),
    "empty": ("empty.ris", _empty),
    "whitespace-only": ("blank.nbib", _blank),
    "csv-header-only": ("header.csv", _header_only_csv),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_file_is_refused_whole_with_one_line_naming_it(
    cli: Cli, project: Path, tmp_path: Path, case: str
) -> None:
    name, make = BAD_FILES[case]
    path = tmp_path / name
    make(path)
    result = cli("import", path, "-p", project, ok=False)
    assert result.code == 2
    assert name in result.error_line
    assert result.err.strip() == result.error_line  # nothing but that one line
    assert count(project, "records") == 10
    assert count(project, "imports") == 2
    # `records` (no project) refuses the same file the same way.
    assert cli("records", path, ok=False).code == 2


# --- encodings ------------------------------------------------------------------------------


def _stored(folder: Path, file_name: str) -> list[tuple[object, ...]]:
    return query(
        folder,
        "SELECT r.position, r.title, r.abstract, r.authors, r.year, r.journal, r.doi, "
        "r.original FROM records r JOIN imports i ON i.id = r.import_id "
        "WHERE i.file_name = ? ORDER BY r.position",
        file_name,
    )


def _latin1_text() -> str:
    """asreview/scopus.ris with the few characters Latin-1 lacks (dashes, quotes, eta) as '?'."""
    text = (FORMATS / "asreview" / "scopus.ris").read_text(encoding="utf-8-sig")
    return text.encode("latin-1", errors="replace").decode("latin-1")


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("latin-1", _latin1_text),
        ("utf-16", lambda: (FORMATS / "asreview" / "scopus.ris").read_text(encoding="utf-8-sig")),
        ("utf-16-le-bom", lambda: (FORMATS / "asreview" / "embase.ris").read_text("utf-8-sig")),
    ],
    ids=["latin-1", "utf-16", "utf-16-le-bom"],
)
def test_other_encodings_import_the_same_records_as_utf8(
    cli: Cli, tmp_path: Path, encoding: str, text: Callable[[], str]
) -> None:
    folder = new_project(cli, tmp_path / "p")
    content = text()
    reference = tmp_path / "utf8.ris"
    reference.write_text(content, encoding="utf-8")
    encoded = tmp_path / f"{encoding}.ris"
    if encoding == "utf-16-le-bom":
        encoded.write_bytes(b"\xff\xfe" + content.encode("utf-16-le"))
    else:
        encoded.write_bytes(content.encode(encoding))
    cli("import", reference, "-p", folder)
    out = cli("import", encoded, "-p", folder, "--json").json()["imports"][0]
    if encoding == "latin-1":
        assert any("Windows-1252" in w for w in out["warnings"])
    ours, theirs = _stored(folder, reference.name), _stored(folder, encoded.name)
    assert len(ours) == out["n_records"] == 6
    assert theirs == ours


def test_accents_survive_latin1_and_utf16(cli: Cli, tmp_path: Path) -> None:
    folder = new_project(cli, tmp_path / "p")
    latin1 = tmp_path / "scopus-latin1.ris"
    latin1.write_bytes(_latin1_text().encode("latin-1"))
    utf16 = tmp_path / "scopus-utf16.ris"
    utf16.write_bytes((FORMATS / "asreview" / "scopus.ris").read_text("utf-8-sig").encode("utf-16"))
    cli("import", latin1, utf16, "-p", folder)
    for name in (latin1.name, utf16.name):
        original = "\n".join(str(r[-1]) for r in _stored(folder, name))
        for word in ("Hauptstraße", "Simrén", "Jonefjäll", "Öhman", "Høivik", "Köhler-Stiftung"):
            assert word in original, (name, word)
    titles = [r[1] for r in _stored(folder, utf16.name)]
    assert any("microbiome–gut–brain" in str(t) for t in titles)  # en dashes kept in UTF-16
    abstracts = "\n".join(str(r[2]) for r in _stored(folder, latin1.name))
    assert "©" in abstracts


# --- a large import -------------------------------------------------------------------------


def write_big_ris(path: Path, n: int) -> Path:
    """``n`` distinct synthetic RIS records (about 280 bytes each)."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(
                f"TY  - JOUR\nID  - BIG{i}\n"
                f"TI  - Synthetic test record {i} on persistent symptom {i % 997}\n"
                f"AU  - Author{i % 5003}, A\nAU  - Example, B\nPY  - {1990 + i % 30}\n"
                f"JO  - Example Journal {i % 50}\nVL  - {i % 40}\nSP  - {i % 900}\n"
                f"DO  - 10.5555/evsynth-big.{i}\n"
                "AB  - SYNTHETIC TEST RECORD for the large-import test.\nER  - \n\n"
            )
    return path


@pytest.mark.slow
def test_import_of_100000_records(cli: Cli, tmp_path: Path) -> None:
    folder = new_project(cli, tmp_path / "p")
    big = write_big_ris(tmp_path / "big.ris", 100_000)
    start = time.perf_counter()
    out = cli("import", big, "-p", folder, "--json").json()["imports"][0]
    elapsed = time.perf_counter() - start
    assert out["n_records"] == 100_000 and out["n_skipped"] == 0
    assert count(folder, "records") == 100_000
    assert query(folder, "SELECT min(position), max(position) FROM records") == [(0, 99_999)]
    assert elapsed < 60, f"importing 100,000 records took {elapsed:.1f} s"


# --- two reviewers at the same moment ------------------------------------------------------


def test_two_reviewers_deciding_at_once_through_the_storage_api(project: Path) -> None:
    """Each reviewer has their own connection (as two web sessions); 20 rounds, both at once."""
    records = kept_ids(project)
    sessions = {who: open_project(project) for who in ("Lee", "Ann")}
    errors: list[BaseException] = []

    def decide(who: str, record: int, start: threading.Barrier) -> None:
        proj = sessions[who]
        event = Decision(
            record_id=str(record),
            stage="title_abstract",
            reviewer=who,
            decision="include",
            timestamp=datetime.now(UTC),
        )
        start.wait(timeout=10)
        try:
            add_decisions(proj.sessions, proj.protocol(), [event])
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    for i in range(20):
        start = threading.Barrier(2)
        record = records[i % len(records)]
        threads = [threading.Thread(target=decide, args=(w, record, start)) for w in sessions]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors
    assert count(project, "decisions") == 40
    stored = query(project, "SELECT reviewer, count(*) FROM decisions GROUP BY reviewer")
    assert sorted(stored) == [("Ann", 20), ("Lee", 20)]


def test_the_same_file_imported_by_two_processes_at_once_is_stored_once(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Check-then-insert under the write lock: the second import sees the first and refuses.

    Each "process" has its own connection. The barrier holds each after its check "was this
    file imported?" until the other has checked too, which without the lock makes both insert
    (the check passes twice); with the lock the second is still waiting for the lock when the
    first reaches the barrier, which then times out and lets the first commit.
    """
    from evsynth.records import read_records
    from evsynth.storage import records_repo

    source = tmp_path / "update.ris"
    source.write_bytes((FORMATS / "asreview" / "embase.ris").read_bytes())
    result = read_records(source)
    real = records_repo.find_import_by_hash
    both_checked = threading.Barrier(2)

    def check_then_wait(session: object, sha256: str) -> object:
        found = real(session, sha256)  # type: ignore[arg-type]
        try:
            both_checked.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(records_repo, "find_import_by_hash", check_then_wait)
    before = count(project, "imports")
    outcomes: list[str] = []

    def run() -> None:
        proj = open_project(project)
        try:
            records_repo.store_import(
                proj.sessions, result, source_database="Embase", search_date=None, imported_by="Lee"
            )
            outcomes.append("stored")
        except EvsynthError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert outcomes.count("stored") == 1, outcomes
    assert any("already imported" in o for o in outcomes), outcomes
    assert count(project, "imports") == before + 1


def test_times_are_stored_as_utc_whatever_their_zone(project: Path) -> None:
    """An aware time in another zone is stored as its UTC clock time (naive), on any server."""
    from datetime import timedelta, timezone

    from sqlalchemy import select

    from evsynth.storage.models import RevealRow

    proj = open_project(project)
    paris_summer = datetime(2026, 7, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    with proj.sessions.begin() as session:
        session.add(RevealRow(stage="title_abstract", revealed_by="Lee", created_at=paris_summer))
    with proj.sessions() as session:
        stored = session.scalars(select(RevealRow.created_at)).one()
    assert stored == datetime(2026, 7, 1, 12, 30)


def test_opening_one_project_from_many_threads_at_once(project: Path) -> None:
    """A web server opens the project per request: every opening succeeds (migrations lock)."""
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_it() -> None:
        start.wait(timeout=10)
        try:
            open_project(project)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


def test_two_reviewers_deciding_at_once_through_the_cli(project: Path) -> None:
    """Two ``evsynth screen`` processes, started together, decide on the same record."""
    record = kept_ids(project)[0]
    procs = [
        subprocess.Popen(
            [
                PYTHON,
                "-m",
                "evsynth.cli.app",
                "screen",
                *("-p", str(project), "--reviewer", who, "--record", str(record)),
                *("--decision", decision),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who, decision in (("Lee", "include"), ("Ann", "exclude"))
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    stored = set(query(project, "SELECT record_id, reviewer, decision FROM decisions"))
    assert stored == {(record, "Lee", "include"), (record, "Ann", "exclude")}


def test_a_failed_write_of_a_decision_log_stores_none_of_its_decisions(
    cli: Cli, project: Path, tmp_path: Path
) -> None:
    """The log's record and its decisions are one transaction; the database refuses the first."""
    log = tmp_path / "decisions.csv"
    log.write_text(
        "record_id,reviewer,decision\n" + "".join(f"{r},Lee,include\n" for r in kept_ids(project))
    )
    con = sqlite3.connect(project / "evsynth.db")
    with con:
        con.execute(
            "CREATE TRIGGER full BEFORE INSERT ON event_logs "
            "BEGIN SELECT RAISE(ABORT, 'simulated failure: disk full'); END"
        )
    failed = cli("screen", "-p", project, "--from-csv", log, ok=False)
    # A database failure ends in one line and exit status 2, not a traceback.
    assert failed.code == 2 and "simulated failure" in failed.err
    assert len(failed.err.strip().splitlines()) == 1
    assert count(project, "decisions") == 0 and count(project, "event_logs") == 0
    with con:
        con.execute("DROP TRIGGER full")
    con.close()
    assert cli("screen", "-p", project, "--from-csv", log, "--json").json() == {"stored": 8}
    assert count(project, "decisions") == 8 and count(project, "event_logs") == 1


# --- an import killed while it writes ------------------------------------------------------


@pytest.mark.slow
def test_import_killed_midway_leaves_no_partial_import(cli: Cli, tmp_path: Path) -> None:
    folder = new_project(cli, tmp_path / "p")
    big = write_big_ris(tmp_path / "big.ris", 30_000)
    wal = folder / "evsynth.db-wal"
    proc = subprocess.Popen(
        [PYTHON, "-m", "evsynth.cli.app", "import", str(big), "-p", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # The import writes its records in one transaction; once the write-ahead log passes 1 MB,
    # pages of the uncommitted transaction are being written: kill the process then.
    deadline = time.monotonic() + 50
    killed_while_writing = False
    while proc.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 1_000_000:
            os.kill(proc.pid, signal.SIGKILL)
            killed_while_writing = True
            break
        time.sleep(0.01)
    proc.wait(timeout=30)
    assert killed_while_writing, "the import finished (or stalled) before the WAL grew"
    assert proc.returncode == -signal.SIGKILL

    # The project opens cleanly, the file is intact, and the import is all there or absent.
    status = cli("status", "-p", folder, "--json").json()
    assert query(folder, "PRAGMA integrity_check") == [("ok",)]
    imports = query(folder, "SELECT id, n_records FROM imports")
    per_import = dict(query(folder, "SELECT import_id, count(*) FROM records GROUP BY import_id"))
    assert all(per_import.get(i, 0) == n for i, n in imports)
    assert count(folder, "records") == sum(n for _, n in imports) == status["records"]
    assert imports == []  # killed mid-transaction: nothing of it was committed

    out = cli("import", big, "-p", folder, "--json").json()["imports"][0]
    assert out["n_records"] == 30_000
    assert count(folder, "records") == 30_000
