"""Users' earlier passwords, for Keystone's unique_last_password_count.

Revision ID: 0033_password_history
Revises: 0032_test_controls
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0033_password_history"
down_revision = "0032_test_controls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_history",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "user_id",
            sa.String(64),
            sa.ForeignKey("user.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_password_history_user_id_seq", "password_history", ["user_id", "seq"])


def downgrade() -> None:
    op.drop_table("password_history")
