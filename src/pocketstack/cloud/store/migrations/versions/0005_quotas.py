"""Quotas: per-project and per-class limits, and the lock rows that make their checks race-free.

Revision ID: 0005_quotas
Revises: 0004_keypairs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_quotas"
down_revision = "0004_keypairs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quota_limit",
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("resource", sa.String(64), nullable=False),
        sa.Column("hard_limit", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("project_id", "user_id", "resource", name="pk_quota_limit"),
    )
    op.create_table(
        "quota_class_limit",
        sa.Column("class_name", sa.String(255), nullable=False),
        sa.Column("resource", sa.String(64), nullable=False),
        sa.Column("hard_limit", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("class_name", "resource", name="pk_quota_class_limit"),
    )
    op.create_table(
        "quota_lock",
        sa.Column("scope", sa.String(300), nullable=False),
        sa.Column("taken", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("scope", name="pk_quota_lock"),
    )


def downgrade() -> None:
    for table in ("quota_lock", "quota_class_limit", "quota_limit"):
        op.drop_table(table)
