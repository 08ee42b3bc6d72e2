"""The fake fleet's compute services (hosts): their enabled state, reason and forced_down.

Revision ID: 0006_hosts
Revises: 0005_quotas
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0006_hosts"
down_revision = "0005_quotas"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "compute_service",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("node_uuid", sa.String(36), nullable=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("binary", sa.String(255), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("availability_zone", sa.String(255), nullable=False),
        sa.Column("vcpus", sa.Integer, nullable=False),
        sa.Column("memory_mb", sa.Integer, nullable=False),
        sa.Column("local_gb", sa.Integer, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("disabled_reason", sa.String(255), nullable=True),
        sa.Column("forced_down", sa.Boolean, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_compute_service"),
        sa.UniqueConstraint("uuid", name="uq_compute_service_uuid"),
        sa.UniqueConstraint("node_uuid", name="uq_compute_service_node_uuid"),
        sa.UniqueConstraint("host", "binary", name="uq_compute_service_host_binary"),
    )
    op.create_index(
        "ix_compute_service_binary_deleted_id", "compute_service", ["binary", "deleted", "id"]
    )
    # The servers' usage per host (hypervisors, placement) is one grouped scan of this index.
    op.create_index("ix_instance_host_deleted", "instance", ["host", "deleted"])


def downgrade() -> None:
    op.drop_index("ix_instance_host_deleted", table_name="instance")
    op.drop_table("compute_service")
