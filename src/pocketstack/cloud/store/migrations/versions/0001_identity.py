"""Identity tables.

Revision ID: 0001_identity
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0001_identity"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "domain",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_domain"),
        sa.UniqueConstraint("name", name="uq_domain_name"),
    )
    op.create_table(
        "project",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("domain_id", ID, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("parent_id", ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_project"),
        sa.ForeignKeyConstraint(["domain_id"], ["domain.id"], name="fk_project_domain_id_domain"),
        sa.ForeignKeyConstraint(["parent_id"], ["project.id"], name="fk_project_parent_id_project"),
        sa.UniqueConstraint("domain_id", "name", name="uq_project_domain_id_name"),
    )
    op.create_table(
        "user",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("domain_id", ID, nullable=False),
        sa.Column("password_hash", sa.String(128), nullable=True),
        sa.Column("password_created_at", UTCDateTime, nullable=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("default_project_id", ID, nullable=True),
        sa.Column("email", sa.String(255), nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_user"),
        sa.ForeignKeyConstraint(["domain_id"], ["domain.id"], name="fk_user_domain_id_domain"),
        sa.ForeignKeyConstraint(
            ["default_project_id"],
            ["project.id"],
            name="fk_user_default_project_id_project",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("domain_id", "name", name="uq_user_domain_id_name"),
    )
    op.create_table(
        "role",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_role"),
        sa.UniqueConstraint("name", name="uq_role_name"),
    )
    op.create_table(
        "role_assignment",
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("role_id", ID, nullable=False),
        sa.PrimaryKeyConstraint(
            "target_type", "target_id", "user_id", "role_id", name="pk_role_assignment"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_role_assignment_user_id_user", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name="fk_role_assignment_role_id_role", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_role_assignment_target", "role_assignment", ["target_type", "target_id"])
    op.create_table(
        "region",
        sa.Column("id", sa.String(255), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("parent_region_id", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_region"),
        sa.ForeignKeyConstraint(
            ["parent_region_id"], ["region.id"], name="fk_region_parent_region_id_region"
        ),
    )
    op.create_table(
        "service",
        sa.Column("id", ID, nullable=False),
        sa.Column("type", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service"),
    )
    op.create_table(
        "endpoint",
        sa.Column("id", ID, nullable=False),
        sa.Column("service_id", ID, nullable=False),
        sa.Column("interface", sa.String(8), nullable=False),
        sa.Column("region_id", sa.String(255), nullable=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_endpoint"),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name="fk_endpoint_service_id_service",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name="fk_endpoint_region_id_region"),
    )
    op.create_table(
        "revocation_event",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("audit_id", sa.String(32), nullable=True),
        sa.Column("user_id", ID, nullable=True),
        sa.Column("project_id", ID, nullable=True),
        sa.Column("issued_before", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_revocation_event"),
    )
    for column in ("audit_id", "user_id", "project_id", "revoked_at"):
        op.create_index(f"ix_revocation_event_{column}", "revocation_event", [column])
    op.create_table(
        "failed_login",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("last_failure_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_failed_login"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_failed_login_user_id_user", ondelete="CASCADE"
        ),
    )


def downgrade() -> None:
    for table in (
        "failed_login",
        "revocation_event",
        "endpoint",
        "service",
        "region",
        "role_assignment",
        "role",
        "user",
        "project",
        "domain",
    ):
        op.drop_table(table)
