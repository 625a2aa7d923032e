"""Helpers for the review-project workflow tests: the real CLI entry point, a real SQLite file.

Every test works on a project folder under ``tmp_path``. Facts about the database are read
with the standard library's ``sqlite3`` straight from ``evsynth.db``, independently of the
storage layer under test.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from evsynth.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
PROJECT_DATA = ROOT / "tests" / "data" / "project"
SEARCHES = PROJECT_DATA / "searches"
EXAMPLE = ROOT / "examples" / "pps-review"
PYTHON = sys.executable


@dataclass(frozen=True)
class Result:
    """What one CLI call did: exit status, stdout and stderr."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def error_line(self) -> str:
        """The error message; asserts it is exactly one line starting ``error:``."""
        lines = [line for line in self.err.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("error:")]
        assert len(errors) == 1, self.err
        assert "Traceback" not in self.err, self.err
        return errors[0]


Cli = Callable[..., Result]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """Call ``evsynth ARGS...`` in-process; ``ok=True`` (default) asserts exit status 0."""

    def call(*args: object, ok: bool = True) -> Result:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        result = Result(code, out, err)
        if ok:
            assert code == 0, f"evsynth {' '.join(map(str, args))} exited {code}: {err}"
        return result

    return call


def db_path(folder: Path) -> Path:
    return folder / "evsynth.db"


def query(folder: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Run one read-only query on the project's SQLite file with the standard library."""
    con = sqlite3.connect(f"file:{db_path(folder)}?mode=ro", uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def count(folder: Path, table: str) -> int:
    return int(query(folder, f"SELECT count(*) FROM {table}")[0][0])


def kept_ids(folder: Path) -> list[int]:
    """Records whose latest duplicate-link event is not a link (computed in SQL, not by evsynth)."""
    rows = query(
        folder,
        """
        SELECT r.id FROM records r
        LEFT JOIN (
            SELECT record_id, action FROM duplicate_links d
            WHERE d.id = (SELECT max(id) FROM duplicate_links e WHERE e.record_id = d.record_id)
        ) last ON last.record_id = r.id
        WHERE last.action IS NULL OR last.action = 'unlink'
        ORDER BY r.id
        """,
    )
    return [r[0] for r in rows]


def record_id(folder: Path, source_key: str) -> int:
    rows = query(folder, "SELECT id FROM records WHERE source_key = ? ORDER BY id", source_key)
    assert rows, f"no record with key {source_key}"
    return int(rows[0][0])


def new_project(cli: Cli, folder: Path) -> Path:
    """``evsynth init`` then the test protocol (three reviewers) over the template."""
    cli("init", folder, "--title", "Integration test review", "--lead", "Lee")
    shutil.copyfile(PROJECT_DATA / "evsynth.toml", folder / "evsynth.toml")
    return folder


@pytest.fixture
def project(cli: Cli, tmp_path: Path) -> Path:
    """A project with the two main searches imported and de-duplicated (10 records, 8 kept)."""
    folder = new_project(cli, tmp_path / "review")
    cli("import", SEARCHES / "embase.ris", SEARCHES / "medline.nbib", "-p", folder)
    cli("dedupe", "-p", folder)
    return folder


@pytest.fixture(scope="session")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """``evsynth run --json`` once per test session on a fresh copy of the bundled example.

    Returns its JSON and its report; the tests that read them share the one run (about ten
    seconds) instead of each running the whole review again.
    """
    import contextlib
    import io

    target = tmp_path_factory.mktemp("example-run") / "pps-review"
    shutil.copytree(
        EXAMPLE,
        target,
        ignore=shutil.ignore_patterns("output", "evsynth.db", "evsynth.db-*", "__pycache__"),
    )
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(["run", str(target), "--json"])
    report = (target / "output" / "report.html").read_text(encoding="utf-8")
    return json.loads(out.getvalue()), report
