"""Credentials (their blobs encrypted) and project tags.

Revision ID: 0022_credentials
Revises: 0021_network_quotas
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_credentials"
down_revision = "0021_network_quotas"
branch_labels = None
depends_on = None

ID = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "credential",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=True),
        sa.Column("type", sa.String(255), nullable=False),
        sa.Column("encrypted_blob", sa.Text, nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_credential"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name="fk_credential_user_id_user", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name="fk_credential_project_id_project",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_credential_user_id", "credential", ["user_id"])
    op.create_table(
        "project_tag",
        sa.Column("project_id", ID, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "name", name="pk_project_tag"),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name="fk_project_tag_project_id_project",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("project_tag")
    op.drop_index("ix_credential_user_id", "credential")
    op.drop_table("credential")
