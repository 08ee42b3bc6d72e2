"""Network agents, their hosted networks, provider attributes and availability zone hints.

Revision ID: 0026_network_agents
Revises: 0025_subnet_pools
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0026_network_agents"
down_revision = "0025_subnet_pools"
branch_labels = None
depends_on = None


def _network_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["network_id"], ["network.id"],
                                   name=f"fk_{table}_network_id_network",
                                   ondelete="CASCADE")  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "network_agent",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("agent_type", sa.String(255), nullable=False),
        sa.Column("binary", sa.String(255), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("availability_zone", sa.String(255), nullable=True),
        sa.Column("admin_state_up", sa.Boolean, nullable=False),
        sa.Column("description", sa.String(255), nullable=True),
        sa.Column("configurations", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_network_agent"),
        sa.UniqueConstraint("agent_type", "host", name="uq_network_agent_agent_type"),
    )
    op.create_table(
        "network_dhcp_binding",
        sa.Column("agent_id", sa.String(36), nullable=False),
        sa.Column("network_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("agent_id", "network_id", name="pk_network_dhcp_binding"),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["network_agent.id"],
            name="fk_network_dhcp_binding_agent_id_network_agent",
            ondelete="CASCADE",
        ),
        _network_fk("network_dhcp_binding"),
    )
    op.create_index("ix_network_dhcp_binding_network_id", "network_dhcp_binding", ["network_id"])
    op.create_table(
        "network_dhcp_scheduled",
        sa.Column("network_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("network_id", name="pk_network_dhcp_scheduled"),
        _network_fk("network_dhcp_scheduled"),
    )
    op.create_table(
        "network_segment",
        sa.Column("network_id", sa.String(36), nullable=False),
        sa.Column("network_type", sa.String(32), nullable=False),
        sa.Column("physical_network", sa.String(64), nullable=False),
        sa.Column("segmentation_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("network_id", name="pk_network_segment"),
        sa.UniqueConstraint(
            "network_type",
            "physical_network",
            "segmentation_id",
            name="uq_network_segment_network_type",
        ),
        _network_fk("network_segment"),
    )
    op.create_table(
        "network_zone_hints",
        sa.Column("network_id", sa.String(36), nullable=False),
        sa.Column("hints", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("network_id", name="pk_network_zone_hints"),
        _network_fk("network_zone_hints"),
    )


def downgrade() -> None:
    op.drop_table("network_zone_hints")
    op.drop_table("network_segment")
    op.drop_table("network_dhcp_scheduled")
    op.drop_index("ix_network_dhcp_binding_network_id", table_name="network_dhcp_binding")
    op.drop_table("network_dhcp_binding")
    op.drop_table("network_agent")
