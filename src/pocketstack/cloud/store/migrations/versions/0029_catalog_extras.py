"""Endpoint groups, project endpoint associations, policies, domain configuration and the
users' other attributes.

Revision ID: 0029_catalog_extras
Revises: 0028_implied_roles
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029_catalog_extras"
down_revision = "0028_implied_roles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "endpoint_group",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("filters", sa.Text(), nullable=False),
    )
    op.create_table(
        "project_endpoint_group",
        sa.Column(
            "endpoint_group_id",
            sa.String(64),
            sa.ForeignKey("endpoint_group.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "project_id",
            sa.String(64),
            sa.ForeignKey("project.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index(
        "ix_project_endpoint_group_project_id", "project_endpoint_group", ["project_id"]
    )
    op.create_table(
        "project_endpoint",
        sa.Column(
            "endpoint_id",
            sa.String(64),
            sa.ForeignKey("endpoint.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "project_id",
            sa.String(64),
            sa.ForeignKey("project.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_project_endpoint_project_id", "project_endpoint", ["project_id"])
    op.create_table(
        "policy",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(255), nullable=False),
        sa.Column("blob", sa.Text(), nullable=False),
        sa.Column("extra", sa.Text(), nullable=False),
    )
    op.create_table(
        "domain_config_option",
        sa.Column(
            "domain_id",
            sa.String(64),
            sa.ForeignKey("domain.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("group_name", sa.String(64), primary_key=True),
        sa.Column("option_name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "user_extra",
        sa.Column(
            "user_id",
            sa.String(64),
            sa.ForeignKey("user.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("extra", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("user_extra")
    op.drop_table("domain_config_option")
    op.drop_table("policy")
    op.drop_index("ix_project_endpoint_project_id", table_name="project_endpoint")
    op.drop_table("project_endpoint")
    op.drop_index("ix_project_endpoint_group_project_id", table_name="project_endpoint_group")
    op.drop_table("project_endpoint_group")
    op.drop_table("endpoint_group")
