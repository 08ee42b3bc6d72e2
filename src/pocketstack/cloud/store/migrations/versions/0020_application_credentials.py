"""Application credentials and the roles each delegates.

Revision ID: 0020_application_credentials
Revises: 0019_shelved_image
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0020_application_credentials"
down_revision = "0019_shelved_image"
branch_labels = None
depends_on = None

ID = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "application_credential",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("secret_hash", sa.String(128), nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("unrestricted", sa.Boolean, nullable=False),
        sa.Column("access_rules", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_application_credential"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name="fk_application_credential_user_id_user",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name="fk_application_credential_project_id_project",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("user_id", "name", name="uq_application_credential_user_id_name"),
    )
    op.create_index(
        "ix_application_credential_project_id", "application_credential", ["project_id"]
    )
    op.create_table(
        "app_credential_role",
        sa.Column("credential_id", ID, nullable=False),
        sa.Column("role_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("credential_id", "role_id", name="pk_app_credential_role"),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["application_credential.id"],
            name="fk_app_credential_role_credential_id_application_credential",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["role.id"],
            name="fk_app_credential_role_role_id_role",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("app_credential_role")
    op.drop_index("ix_application_credential_project_id", "application_credential")
    op.drop_table("application_credential")
