"""Metering labels and rules, ports' extra DHCP options, routers' distributed and ha flags.

Revision ID: 0027_metering
Revises: 0026_network_agents
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027_metering"
down_revision = "0026_network_agents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metering_label",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(1024), nullable=False),
        sa.Column("shared", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metering_label"),
    )
    op.create_index("ix_metering_label_project_id_id", "metering_label", ["project_id", "id"])
    op.create_index("ix_metering_label_name_id", "metering_label", ["name", "id"])
    op.create_table(
        "metering_label_rule",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("metering_label_id", sa.String(36), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("excluded", sa.Boolean, nullable=False),
        sa.Column("remote_ip_prefix", sa.String(64), nullable=True),
        sa.Column("source_ip_prefix", sa.String(64), nullable=True),
        sa.Column("destination_ip_prefix", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_metering_label_rule"),
        sa.ForeignKeyConstraint(
            ["metering_label_id"], ["metering_label.id"],
            name="fk_metering_label_rule_metering_label_id_metering_label", ondelete="CASCADE",
        ),
    )  # fmt: skip
    op.create_index("ix_metering_label_rule_metering_label_id_id", "metering_label_rule",
                    ["metering_label_id", "id"])  # fmt: skip
    op.create_table(
        "extra_dhcp_opt",
        sa.Column("port_id", sa.String(36), nullable=False),
        sa.Column("opt_name", sa.String(64), nullable=False),
        sa.Column("ip_version", sa.Integer, nullable=False),
        sa.Column("opt_value", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("port_id", "opt_name", "ip_version", name="pk_extra_dhcp_opt"),
        sa.ForeignKeyConstraint(["port_id"], ["port.id"], name="fk_extra_dhcp_opt_port_id_port",
                                ondelete="CASCADE"),
    )  # fmt: skip
    op.create_table(
        "router_extra_attributes",
        sa.Column("router_id", sa.String(36), nullable=False),
        sa.Column("distributed", sa.Boolean, nullable=False),
        sa.Column("ha", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("router_id", name="pk_router_extra_attributes"),
        sa.ForeignKeyConstraint(["router_id"], ["router.id"],
                                name="fk_router_extra_attributes_router_id_router",
                                ondelete="CASCADE"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("router_extra_attributes")
    op.drop_table("extra_dhcp_opt")
    op.drop_table("metering_label_rule")
    op.drop_table("metering_label")
