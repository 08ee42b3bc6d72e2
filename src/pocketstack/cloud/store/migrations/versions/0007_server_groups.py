"""Server groups and their members.

Revision ID: 0007_server_groups
Revises: 0006_hosts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0007_server_groups"
down_revision = "0006_hosts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_group",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("policy", sa.String(32), nullable=False),
        sa.Column("rules", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_server_group"),
        sa.UniqueConstraint("uuid", name="uq_server_group_uuid"),
    )
    op.create_index("ix_server_group_project_id_id", "server_group", ["project_id", "id"])
    op.create_table(
        "server_group_member",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("group_id", sa.Integer, nullable=False),
        sa.Column("instance_uuid", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_server_group_member"),
        sa.UniqueConstraint("instance_uuid", name="uq_server_group_member_instance_uuid"),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["server_group.id"],
            name="fk_server_group_member_group_id_server_group",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["instance_uuid"],
            ["instance.uuid"],
            name="fk_server_group_member_instance_uuid_instance",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_server_group_member_group_id", "server_group_member", ["group_id"])


def downgrade() -> None:
    op.drop_table("server_group_member")
    op.drop_table("server_group")
