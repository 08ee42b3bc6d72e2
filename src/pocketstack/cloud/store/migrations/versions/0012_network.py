"""The network service: networks, subnets, ports and their IP allocations.

Revision ID: 0012_network
Revises: 0011_aggregates
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0012_network"
down_revision = "0011_aggregates"
branch_labels = None
depends_on = None


def _standard() -> list[sa.Column[Any]]:
    return [
        sa.Column("revision_number", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "network",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("admin_state_up", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("shared", sa.Boolean, nullable=False),
        sa.Column("external", sa.Boolean, nullable=False),
        sa.Column("mtu", sa.Integer, nullable=False),
        sa.Column("port_security_enabled", sa.Boolean, nullable=False),
        *_standard(),
        sa.PrimaryKeyConstraint("id", name="pk_network"),
    )
    op.create_index("ix_network_project_id_id", "network", ["project_id", "id"])
    op.create_index("ix_network_name_id", "network", ["name", "id"])
    op.create_index("ix_network_shared", "network", ["shared"])
    op.create_index("ix_network_external", "network", ["external"])
    op.create_table(
        "subnet",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("network_id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("ip_version", sa.Integer, nullable=False),
        sa.Column("cidr", sa.String(64), nullable=False),
        sa.Column("gateway_ip", sa.String(64), nullable=True),
        sa.Column("enable_dhcp", sa.Boolean, nullable=False),
        sa.Column("ipv6_ra_mode", sa.String(16), nullable=True),
        sa.Column("ipv6_address_mode", sa.String(16), nullable=True),
        sa.Column("allocation_pools", sa.Text, nullable=False),
        sa.Column("dns_nameservers", sa.Text, nullable=False),
        sa.Column("host_routes", sa.Text, nullable=False),
        *_standard(),
        sa.PrimaryKeyConstraint("id", name="pk_subnet"),
        sa.ForeignKeyConstraint(
            ["network_id"], ["network.id"], name="fk_subnet_network_id_network"
        ),
    )
    op.create_index("ix_subnet_network_id_id", "subnet", ["network_id", "id"])
    op.create_index("ix_subnet_project_id_id", "subnet", ["project_id", "id"])
    op.create_table(
        "port",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("network_id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("mac_address", sa.String(32), nullable=False),
        sa.Column("admin_state_up", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("device_id", sa.String(255), nullable=False),
        sa.Column("device_owner", sa.String(255), nullable=False),
        sa.Column("port_security_enabled", sa.Boolean, nullable=False),
        sa.Column("allowed_address_pairs", sa.Text, nullable=False),
        sa.Column("binding_host_id", sa.String(255), nullable=False),
        sa.Column("binding_vnic_type", sa.String(64), nullable=False),
        sa.Column("binding_profile", sa.Text, nullable=False),
        *_standard(),
        sa.PrimaryKeyConstraint("id", name="pk_port"),
        sa.UniqueConstraint("network_id", "mac_address", name="uq_port_network_id_mac_address"),
        sa.ForeignKeyConstraint(["network_id"], ["network.id"], name="fk_port_network_id_network"),
    )
    op.create_index("ix_port_project_id_id", "port", ["project_id", "id"])
    op.create_index("ix_port_device_id", "port", ["device_id"])
    op.create_index("ix_port_name_id", "port", ["name", "id"])
    op.create_table(
        "ip_allocation",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("port_id", sa.String(36), nullable=False),
        sa.Column("subnet_id", sa.String(36), nullable=False),
        sa.Column("network_id", sa.String(36), nullable=False),
        sa.Column("ip_address", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ip_allocation"),
        sa.UniqueConstraint(
            "subnet_id", "ip_address", name="uq_ip_allocation_subnet_id_ip_address"
        ),
        sa.ForeignKeyConstraint(
            ["port_id"], ["port.id"], name="fk_ip_allocation_port_id_port", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["subnet_id"], ["subnet.id"], name="fk_ip_allocation_subnet_id_subnet"
        ),
    )
    op.create_index("ix_ip_allocation_port_id_id", "ip_allocation", ["port_id", "id"])
    op.create_index("ix_ip_allocation_ip_address", "ip_allocation", ["ip_address"])
    op.create_index("ix_ip_allocation_network_id", "ip_allocation", ["network_id"])


def downgrade() -> None:
    op.drop_table("ip_allocation")
    op.drop_table("port")
    op.drop_table("subnet")
    op.drop_table("network")
