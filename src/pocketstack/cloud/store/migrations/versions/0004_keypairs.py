"""Key pairs, per user.

Revision ID: 0004_keypairs
Revises: 0003_revocation_scope
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql

from pocketstack.cloud.store.base import UTCDateTime

revision = "0004_keypairs"
down_revision = "0003_revocation_scope"
branch_labels = None
depends_on = None


def _exact() -> sa.types.TypeEngine[str]:
    """Compared and sorted by code point on every backend, whatever the database's locale."""
    return (
        sa.String(255)
        .with_variant(
            mysql.VARCHAR(255, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
        )
        .with_variant(postgresql.VARCHAR(255, collation="C"), "postgresql")
    )


def upgrade() -> None:
    op.create_table(
        "key_pair",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("user_id", _exact(), nullable=False),
        sa.Column("name", _exact(), nullable=False),
        sa.Column("type", sa.String(8), nullable=False),
        sa.Column("fingerprint", sa.String(255), nullable=False),
        sa.Column("public_key", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_key_pair"),
        # Also the index of a user's key pairs by name (keyset paging).
        sa.UniqueConstraint("user_id", "name", name="uq_key_pair_user_id"),
    )


def downgrade() -> None:
    op.drop_table("key_pair")
