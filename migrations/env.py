"""Alembic environment. ``meldpunt migrate`` hands in a connection that is already the owner role."""

from __future__ import annotations

from alembic import context

from meldpunt.db.base import Base
from meldpunt.models import load_all_models

load_all_models()
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `meldpunt migrate`, which prepares the roles first")
context.configure(connection=connection, target_metadata=Base.metadata, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
