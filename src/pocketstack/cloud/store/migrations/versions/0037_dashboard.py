"""The dashboard's server-side sessions.

Revision ID: 0037_dashboard
Revises: 0036_driver_delay
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0037_dashboard"
down_revision = "0036_driver_delay"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_session",
        sa.Column("cookie_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(255), nullable=False),
        sa.Column("domain_name", sa.String(255), nullable=False),
        sa.Column("unscoped_token", sa.Text, nullable=False),
        sa.Column("scoped_token", sa.Text, nullable=True),
        sa.Column("project_id", sa.String(64), nullable=True),
        sa.Column("project_name", sa.String(255), nullable=True),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("projects", sa.Text, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("cookie_hash", name="pk_dashboard_session"),
    )
    op.create_index("ix_dashboard_session_expires_at", "dashboard_session", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_dashboard_session_expires_at", table_name="dashboard_session")
    op.drop_table("dashboard_session")
