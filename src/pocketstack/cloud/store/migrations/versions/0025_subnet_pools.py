"""Subnet pools and subnets allocated from them (Neutron subnet_allocation).

Revision ID: 0025_subnet_pools
Revises: 0024_image_tombstones
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0025_subnet_pools"
down_revision = "0024_image_tombstones"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subnetpool",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("ip_version", sa.Integer, nullable=False),
        sa.Column("prefixes", sa.Text, nullable=False),
        sa.Column("default_prefixlen", sa.Integer, nullable=False),
        sa.Column("min_prefixlen", sa.Integer, nullable=False),
        sa.Column("max_prefixlen", sa.Integer, nullable=False),
        sa.Column("default_quota", sa.Integer, nullable=True),
        sa.Column("shared", sa.Boolean, nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("default_for", sa.Integer, nullable=True),
        sa.Column("revision_number", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subnetpool"),
        sa.UniqueConstraint("default_for", name="uq_subnetpool_default_for"),
    )
    op.create_index("ix_subnetpool_project_id_id", "subnetpool", ["project_id", "id"])
    op.create_index("ix_subnetpool_name_id", "subnetpool", ["name", "id"])
    op.create_index("ix_subnetpool_shared", "subnetpool", ["shared"])
    op.create_table(
        "subnetpool_subnet",
        sa.Column("subnet_id", sa.String(36), nullable=False),
        sa.Column("subnetpool_id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("cidr", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("subnet_id", name="pk_subnetpool_subnet"),
        sa.UniqueConstraint(
            "subnetpool_id", "cidr", name="uq_subnetpool_subnet_subnetpool_id_cidr"
        ),
        sa.ForeignKeyConstraint(
            ["subnet_id"],
            ["subnet.id"],
            name="fk_subnetpool_subnet_subnet_id_subnet",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subnetpool_id"],
            ["subnetpool.id"],
            name="fk_subnetpool_subnet_subnetpool_id_subnetpool",
        ),
    )
    op.create_index(
        "ix_subnetpool_subnet_subnetpool_id_project_id",
        "subnetpool_subnet",
        ["subnetpool_id", "project_id"],
    )


def downgrade() -> None:
    op.drop_table("subnetpool_subnet")
    op.drop_table("subnetpool")
