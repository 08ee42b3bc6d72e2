"""The network service's security groups: groups, rules, each project's default group, and the
groups of each port.

Revision ID: 0014_security_groups
Revises: 0013_groups
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0014_security_groups"
down_revision = "0013_groups"
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
        "security_group",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("stateful", sa.Boolean, nullable=False),
        *_standard(),
        sa.PrimaryKeyConstraint("id", name="pk_security_group"),
    )
    op.create_index("ix_security_group_project_id_id", "security_group", ["project_id", "id"])
    op.create_index("ix_security_group_name_id", "security_group", ["name", "id"])
    op.create_table(
        "default_security_group",
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("security_group_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("project_id", name="pk_default_security_group"),
        sa.ForeignKeyConstraint(
            ["security_group_id"],
            ["security_group.id"],
            name="fk_default_security_group_security_group_id_security_group",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_default_security_group_security_group_id",
        "default_security_group",
        ["security_group_id"],
        unique=True,
    )
    op.create_table(
        "security_group_rule",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("security_group_id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("ethertype", sa.String(8), nullable=False),
        sa.Column("protocol", sa.String(40), nullable=True),
        sa.Column("port_range_min", sa.Integer, nullable=True),
        sa.Column("port_range_max", sa.Integer, nullable=True),
        sa.Column("remote_ip_prefix", sa.String(64), nullable=True),
        sa.Column("normalized_cidr", sa.String(64), nullable=True),
        sa.Column("remote_group_id", sa.String(36), nullable=True),
        sa.Column("dedup_key", sa.String(255), nullable=False),
        *_standard(),
        sa.PrimaryKeyConstraint("id", name="pk_security_group_rule"),
        sa.UniqueConstraint(
            "security_group_id", "dedup_key", name="uq_security_group_rule_security_group_id"
        ),
        sa.ForeignKeyConstraint(
            ["security_group_id"],
            ["security_group.id"],
            name="fk_security_group_rule_security_group_id_security_group",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["remote_group_id"],
            ["security_group.id"],
            name="fk_security_group_rule_remote_group_id_security_group",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_security_group_rule_project_id_id", "security_group_rule", ["project_id", "id"]
    )
    op.create_index(
        "ix_security_group_rule_remote_group_id", "security_group_rule", ["remote_group_id"]
    )
    op.create_table(
        "port_security_group",
        sa.Column("port_id", sa.String(36), nullable=False),
        sa.Column("security_group_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("port_id", "security_group_id", name="pk_port_security_group"),
        sa.ForeignKeyConstraint(
            ["port_id"], ["port.id"], name="fk_port_security_group_port_id_port", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["security_group_id"],
            ["security_group.id"],
            name="fk_port_security_group_security_group_id_security_group",
        ),
    )
    op.create_index(
        "ix_port_security_group_security_group_id", "port_security_group", ["security_group_id"]
    )


def downgrade() -> None:
    op.drop_table("port_security_group")
    op.drop_table("security_group_rule")
    op.drop_table("default_security_group")
    op.drop_table("security_group")
