"""The review workflow on PostgreSQL: import -> dedupe -> screen -> conflicts -> prisma.

Runs only when ``EVSYNTH_TEST_POSTGRES_URL`` is set to a SQLAlchemy URL of a database the role
may create schemas in, e.g. ``postgresql+psycopg://evsynth:evsynth@localhost/evsynth_test``
(needs the ``psycopg`` driver). Each test works in a schema of its own, dropped afterwards.
The project reaches PostgreSQL through ``EVSYNTH_DATABASE_URL``, as a team would set it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import EXAMPLE, PROJECT_DATA, SEARCHES, Cli

URL = os.environ.get("EVSYNTH_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(
    not URL, reason="set EVSYNTH_TEST_POSTGRES_URL=postgresql+psycopg://... to run on PostgreSQL"
)


@pytest.fixture
def pg_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh schema on the test server; the project's URL puts it first on the search path."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    assert URL is not None
    schema = f"evsynth_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(URL)
    with admin.begin() as con:
        con.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    joiner = "&" if "?" in URL else "?"
    url = f"{URL}{joiner}options=-csearch_path%3D{schema}"
    monkeypatch.setenv("EVSYNTH_DATABASE_URL", url)
    try:
        yield url
    finally:
        with admin.begin() as con:
            con.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _scalar(url: str, sql: str) -> object:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as con:
            return con.execute(sqlalchemy.text(sql)).scalar_one()
    finally:
        engine.dispose()


def test_import_dedupe_screen_prisma_on_postgresql(cli: Cli, tmp_path: Path, pg_url: str) -> None:
    folder = tmp_path / "team-review"
    out = cli("init", folder, "--title", "On PostgreSQL", "--json").json()
    assert out["database"] == pg_url
    assert not (folder / "evsynth.db").exists()
    (folder / "evsynth.toml").write_bytes((PROJECT_DATA / "evsynth.toml").read_bytes())

    imported = cli(
        "import", SEARCHES / "embase.ris", SEARCHES / "medline.nbib", "-p", folder, "--json"
    )
    assert [i["n_records"] for i in imported.json()["imports"]] == [6, 4]
    assert cli("import", SEARCHES / "embase.ris", "-p", folder, ok=False).code == 2
    assert _scalar(pg_url, "SELECT count(*) FROM records") == 10
    assert _scalar(pg_url, "SELECT version_num FROM alembic_version") == "0002"

    deduped = cli("dedupe", "-p", folder, "--json").json()
    assert (deduped["n_duplicates"], deduped["n_unique"]) == (2, 8)
    kept = _kept_ids(pg_url)
    assert len(kept) == 8
    assert cli("status", "-p", folder, "--json").json()["unique_records"] == 8

    def screen(who: str, record: int, decision: str, *extra: object) -> None:
        cli(
            "screen",
            "-p",
            folder,
            "--reviewer",
            who,
            "--record",
            record,
            "--decision",
            decision,
            *extra,
        )

    # Lee screens everything; Ann double-screens two records and disagrees on one.
    for record in kept[:6]:
        screen("Lee", record, "exclude", "--reason", "Population")
    for record in kept[6:]:
        screen("Lee", record, "include")
    screen("Ann", kept[0], "exclude", "--reason", "Intervention")
    screen("Ann", kept[7], "exclude", "--reason", "Study design")
    conflicts = cli("conflicts", "-p", folder, "--json").json()
    assert [c["record_id"] for c in conflicts["conflicts"]] == [str(kept[7])]
    screen("Arb", kept[7], "include", "--arbiter")
    assert cli("conflicts", "-p", folder, "--json").json()["n"] == 0
    assert cli("screen", "-p", folder, "--reviewer", "Ann", "--mine", "--json").json()["blind"]

    for record in kept[6:]:
        for who in ("Lee", "Ann"):
            screen(who, record, "include", "--stage", "full_text")
    cli("fulltext", kept[6], "-p", folder, "--study", "S1")
    cli("fulltext", kept[7], "-p", folder, "--study", "S1")
    counts = cli("prisma", "-p", folder, "--out", tmp_path / "prisma", "--json").json()
    assert (counts["identified"], counts["duplicates_removed"], counts["records_screened"]) == (
        10,
        2,
        8,
    )
    assert (counts["records_excluded"], counts["reports_assessed"]) == (6, 2)
    assert (counts["reports_included"], counts["studies_included"]) == (2, 1)
    assert (tmp_path / "prisma" / "prisma.svg").is_file()
    assert _scalar(pg_url, "SELECT count(*) FROM decisions") == 15

    agreement = cli("agreement", "-p", folder, "--reviewers", "Lee,Ann", "--json").json()
    assert (agreement["n"], agreement["table"]) == (2, [[0, 1], [0, 1]])  # title/abstract
    refused = cli("export", "-p", folder, ok=False)
    assert refused.code == 2 and "pg_dump" in refused.error_line


def _kept_ids(url: str) -> list[int]:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as con:
            rows = con.execute(
                sqlalchemy.text(
                    "SELECT r.id FROM records r WHERE NOT EXISTS (SELECT 1 FROM duplicate_links d "
                    "WHERE d.record_id = r.id AND d.action = 'link' AND d.id = (SELECT max(id) "
                    "FROM duplicate_links e WHERE e.record_id = r.id)) ORDER BY r.id"
                )
            ).all()
    finally:
        engine.dispose()
    return [int(r[0]) for r in rows]


def test_example_review_runs_on_postgresql(cli: Cli, tmp_path: Path, pg_url: str) -> None:
    """examples/pps-review's flow on PostgreSQL: the seed's 2,119 / 12 reports / 9 studies."""
    folder = tmp_path / "pps-review"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("output", "evsynth.db*"))
    first = cli("run", folder, "--json").json()
    assert not (folder / "evsynth.db").exists()
    assert (first["prisma"]["identified"], first["prisma"]["duplicates_removed"]) == (2119, 400)
    assert (first["prisma"]["reports_included"], first["prisma"]["studies_included"]) == (12, 9)
    assert round(first["kappa"], 2) == 0.77
    assert _scalar(pg_url, "SELECT count(*) FROM records") == 2119
    second = cli("run", folder, "--json").json()
    assert second["prisma"] == first["prisma"]
    assert _scalar(pg_url, "SELECT count(*) FROM records") == 2119
