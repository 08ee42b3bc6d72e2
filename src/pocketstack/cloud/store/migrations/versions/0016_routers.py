"""The network service's routers, their interfaces, and floating IPs.

Revision ID: 0016_routers
Revises: 0015_migration_index
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0016_routers"
down_revision = "0015_migration_index"
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
        "router",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("admin_state_up", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("gw_network_id", sa.String(36), nullable=True),
        sa.Column("gw_port_id", sa.String(36), nullable=True),
        sa.Column("enable_snat", sa.Boolean, nullable=False),
        sa.Column("routes", sa.Text, nullable=False),
        *_standard(),
        sa.PrimaryKeyConstraint("id", name="pk_router"),
        sa.ForeignKeyConstraint(
            ["gw_port_id"], ["port.id"], name="fk_router_gw_port_id_port", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_router_project_id_id", "router", ["project_id", "id"])
    op.create_index("ix_router_name_id", "router", ["name", "id"])
    op.create_index("ix_router_gw_network_id", "router", ["gw_network_id"])
    op.create_table(
        "router_interface",
        sa.Column("router_id", sa.String(36), nullable=False),
        sa.Column("subnet_id", sa.String(36), nullable=False),
        sa.Column("port_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("router_id", "subnet_id", name="pk_router_interface"),
        sa.ForeignKeyConstraint(
            ["router_id"],
            ["router.id"],
            name="fk_router_interface_router_id_router",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["port_id"], ["port.id"], name="fk_router_interface_port_id_port", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_router_interface_port_id", "router_interface", ["port_id"])
    op.create_index("ix_router_interface_subnet_id", "router_interface", ["subnet_id"])
    op.create_table(
        "floating_ip",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("floating_network_id", sa.String(36), nullable=False),
        sa.Column("floating_port_id", sa.String(36), nullable=False),
        sa.Column("floating_ip_address", sa.String(64), nullable=False),
        sa.Column("fixed_port_id", sa.String(36), nullable=True),
        sa.Column("fixed_ip_address", sa.String(64), nullable=True),
        sa.Column("router_id", sa.String(36), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        *_standard(),
        sa.PrimaryKeyConstraint("id", name="pk_floating_ip"),
        sa.UniqueConstraint("fixed_port_id", "fixed_ip_address",
                            name="uq_floating_ip_fixed_port_id_fixed_ip_address"),
        sa.ForeignKeyConstraint(
            ["floating_network_id"], ["network.id"],
            name="fk_floating_ip_floating_network_id_network",
        ),
        sa.ForeignKeyConstraint(
            ["floating_port_id"], ["port.id"], name="fk_floating_ip_floating_port_id_port"
        ),
        sa.ForeignKeyConstraint(
            ["fixed_port_id"], ["port.id"], name="fk_floating_ip_fixed_port_id_port",
            ondelete="SET NULL",
        ),
    )  # fmt: skip
    op.create_index("ix_floating_ip_project_id_id", "floating_ip", ["project_id", "id"])
    op.create_index("ix_floating_ip_router_id", "floating_ip", ["router_id"])


def downgrade() -> None:
    op.drop_table("floating_ip")
    op.drop_table("router_interface")
    op.drop_table("router")
