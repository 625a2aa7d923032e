"""Alembic environment for evsynth's project databases (run programmatically by storage.db)."""

from __future__ import annotations

from alembic import context

from evsynth.storage.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("evsynth runs its migrations through evsynth.storage.db.open_database")
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things in place
)
with context.begin_transaction():
    context.run_migrations()
