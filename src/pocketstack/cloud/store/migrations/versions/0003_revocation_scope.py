"""Revocation events scoped to a domain or to the system, alone or for one user.

Revision ID: 0003_revocation_scope
Revises: 0002_compute
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_revocation_scope"
down_revision = "0002_compute"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no table copy on SQLite): existing events keep their meaning, as the new
    # columns are empty (NULL, false) for them.
    op.add_column("revocation_event", sa.Column("domain_id", sa.String(64), nullable=True))
    op.add_column(
        "revocation_event",
        sa.Column("system", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_revocation_event_domain_id", "revocation_event", ["domain_id"])


def downgrade() -> None:
    op.drop_index("ix_revocation_event_domain_id", table_name="revocation_event")
    with op.batch_alter_table("revocation_event") as batch:
        batch.drop_column("system")
        batch.drop_column("domain_id")
