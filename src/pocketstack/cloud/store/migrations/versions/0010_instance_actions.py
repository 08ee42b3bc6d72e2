"""The instance action log and the moves of servers (resizes, migrations).

Revision ID: 0010_instance_actions
Revises: 0009_flavors
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0010_instance_actions"
down_revision = "0009_flavors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instance_action",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("instance_uuid", sa.String(36), nullable=False),
        sa.Column("request_id", sa.String(255), nullable=False),
        sa.Column("action", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("message", sa.String(255), nullable=True),
        sa.Column("start_time", UTCDateTime, nullable=False),
        sa.Column("finish_time", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_instance_action"),
        sa.UniqueConstraint("instance_uuid", "request_id", name="uq_instance_action_request"),
    )
    op.create_index(
        "ix_instance_action_instance_created",
        "instance_action",
        ["instance_uuid", "created_at", "id"],
    )
    op.create_table(
        "instance_action_event",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("action_id", sa.Integer, nullable=False),
        sa.Column("event", sa.String(255), nullable=False),
        sa.Column("result", sa.String(255), nullable=True),
        sa.Column("traceback", sa.Text, nullable=True),
        sa.Column("details", sa.Text, nullable=True),
        sa.Column("host", sa.String(255), nullable=True),
        sa.Column("start_time", UTCDateTime, nullable=False),
        sa.Column("finish_time", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_instance_action_event"),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["instance_action.id"],
            name="fk_instance_action_event_action_id_instance_action",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_instance_action_event_action_id", "instance_action_event", ["action_id"])
    op.create_table(
        "migration",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("instance_uuid", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("migration_type", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("source_compute", sa.String(255), nullable=True),
        sa.Column("dest_compute", sa.String(255), nullable=True),
        sa.Column("old_flavor", sa.Text, nullable=False),
        sa.Column("new_flavor", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_migration"),
        sa.UniqueConstraint("uuid", name="uq_migration_uuid"),
    )
    op.create_index("ix_migration_instance_status", "migration", ["instance_uuid", "status"])


def downgrade() -> None:
    op.drop_table("migration")
    op.drop_table("instance_action_event")
    op.drop_table("instance_action")
