"""Opening a project database: SQLite by default, any SQLAlchemy URL (PostgreSQL) for a team.

The schema is created and upgraded by the Alembic migrations shipped in
``evsynth/storage/migrations``; opening a database always brings it to the latest revision.
SQLite runs in WAL mode with a busy timeout, so two reviewers writing at the same moment wait
for each other instead of failing, and a killed process never leaves a half-written import
(every write is one transaction).
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from evsynth._core.errors import EvsynthError

BUSY_TIMEOUT_MS = 30_000


def _migrations_dir() -> str:
    return str(resources.files("evsynth.storage") / "migrations")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", _migrations_dir())
    return cfg


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and foreign keys.

    Connections are not pooled: each session's connection is closed when the session ends, so
    an opened project never holds a database connection (or a PostgreSQL server slot) open
    after its work is done, and nothing is left for the garbage collector to close.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, poolclass=NullPool
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, poolclass=NullPool)


# Alembic keeps the running migration's context in module globals (alembic.context, alembic.op),
# so two threads opening projects at once (a web server's requests) must take turns.
_MIGRATION_LOCK = threading.Lock()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the latest migration."""
    cfg = alembic_config()
    with _MIGRATION_LOCK, engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def lock_for_write(session: Session) -> None:
    """Take the database's write lock at the start of a check-then-write transaction.

    Without it, two processes can both check ("was this file imported?", "is this decision
    valid given the history?") before either writes, and both write. The lock is held until
    the transaction ends, so the second waits (up to the busy timeout) and then checks what the
    first committed. SQLite: a write that changes nothing takes the database's write lock
    (called first, before the transaction has read anything, so it waits instead of failing
    on a stale snapshot). PostgreSQL: a transaction-scoped advisory lock.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(text("UPDATE imports SET id = id WHERE 0 = 1"))
    elif dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('evsynth-write'))"))


def open_database(url: str) -> sessionmaker[Session]:
    """Open (creating or upgrading) a project database and return a session factory."""
    try:
        engine = make_engine(url)
        upgrade(engine)
    except EvsynthError:
        raise
    except Exception as exc:
        raise EvsynthError(
            f"cannot open the project database {url} ({type(exc).__name__}: {exc})",
            hint="Check the path or URL; a damaged SQLite file can be restored from an export",
        ) from None
    return sessionmaker(engine, expire_on_commit=False)
