"""Host aggregates: the aggregates, their hosts and their metadata.

Revision ID: 0011_aggregates
Revises: 0010_instance_actions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0011_aggregates"
down_revision = "0010_instance_actions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "aggregate",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_aggregate"),
        sa.UniqueConstraint("uuid", name="uq_aggregate_uuid"),
        sa.UniqueConstraint("name", name="uq_aggregate_name"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "aggregate_host",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("aggregate_id", sa.Integer, nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_aggregate_host"),
        sa.UniqueConstraint("aggregate_id", "host", name="uq_aggregate_host_aggregate_id"),
        sa.ForeignKeyConstraint(
            ["aggregate_id"],
            ["aggregate.id"],
            name="fk_aggregate_host_aggregate_id_aggregate",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_aggregate_host_host", "aggregate_host", ["host"])
    op.create_table(
        "aggregate_metadata",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("aggregate_id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_aggregate_metadata"),
        sa.UniqueConstraint("aggregate_id", "key", name="uq_aggregate_metadata_aggregate_id"),
        sa.ForeignKeyConstraint(
            ["aggregate_id"],
            ["aggregate.id"],
            name="fk_aggregate_metadata_aggregate_id_aggregate",
            ondelete="CASCADE",
        ),
    )
    # The zones' listing reads the `availability_zone` entries of every aggregate.
    op.create_index("ix_aggregate_metadata_key", "aggregate_metadata", ["key"])


def downgrade() -> None:
    op.drop_table("aggregate_metadata")
    op.drop_table("aggregate_host")
    op.drop_table("aggregate")
