"""Migrations by creation time, the order os-migrations pages in from 2.59, and by status, how
the moves still in flight are found.

Revision ID: 0015_migration_index
Revises: 0014_security_groups
"""

from __future__ import annotations

from alembic import op

revision = "0015_migration_index"
down_revision = "0014_security_groups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_migration_created_id", "migration", ["created_at", "id"])
    op.create_index("ix_migration_status_type", "migration", ["status", "migration_type"])


def downgrade() -> None:
    op.drop_index("ix_migration_status_type", table_name="migration")
    op.drop_index("ix_migration_created_id", table_name="migration")
