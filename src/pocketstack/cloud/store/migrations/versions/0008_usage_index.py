"""Instances by project then id, the order usage reports page in.

Revision ID: 0008_usage_index
Revises: 0007_server_groups
"""

from __future__ import annotations

from alembic import op

revision = "0008_usage_index"
down_revision = "0007_server_groups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_instance_project_uuid", "instance", ["project_id", "uuid"])


def downgrade() -> None:
    op.drop_index("ix_instance_project_uuid", table_name="instance")
