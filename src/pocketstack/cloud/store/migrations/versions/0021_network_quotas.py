"""The network service's quota limits and resource tags.

Revision ID: 0021_network_quotas
Revises: 0020_application_credentials
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_network_quotas"
down_revision = "0020_application_credentials"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_quota",
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("resource", sa.String(64), nullable=False),
        sa.Column("hard_limit", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("project_id", "resource", name="pk_network_quota"),
    )
    op.create_table(
        "network_tag",
        sa.Column("resource_id", sa.String(36), nullable=False),
        sa.Column("tag", sa.String(60), nullable=False),
        sa.PrimaryKeyConstraint("resource_id", "tag", name="pk_network_tag"),
    )
    op.create_index("ix_network_tag_tag_resource_id", "network_tag", ["tag", "resource_id"])


def downgrade() -> None:
    op.drop_index("ix_network_tag_tag_resource_id", "network_tag")
    op.drop_table("network_tag")
    op.drop_table("network_quota")
