"""The test controls: fault rules and the clock's offset (one row).

Revision ID: 0032_test_controls
Revises: 0031_access_rules
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0032_test_controls"
down_revision = "0031_access_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "test_fault_rule",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("service", sa.String(16), nullable=False),
        sa.Column("method", sa.String(10), nullable=True),
        sa.Column("path", sa.String(255), nullable=True),
        sa.Column("project_id", sa.String(64), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("status", sa.Integer, nullable=True),
        sa.Column("message", sa.String(255), nullable=True),
        sa.Column("duration_ms", sa.Integer, nullable=True),
        sa.Column("remaining", sa.Integer, nullable=True),
        sa.Column("injected", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("id", name="uq_test_fault_rule_id"),
    )
    clock = op.create_table(
        "test_clock",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("offset_us", sa.BigInteger, nullable=False),
    )
    # The one row every advance updates in place: never inserted at run time, so never raced.
    op.bulk_insert(clock, [{"id": 1, "offset_us": 0}])


def downgrade() -> None:
    op.drop_table("test_clock")
    op.drop_table("test_fault_rule")
