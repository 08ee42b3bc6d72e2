"""Alembic environment: always run programmatically with a connection handed in by upgrade()."""

from __future__ import annotations

from alembic import context

import pocketstack.cloud.store.models  # noqa: F401  (registers every table)
from pocketstack.cloud.store.base import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
