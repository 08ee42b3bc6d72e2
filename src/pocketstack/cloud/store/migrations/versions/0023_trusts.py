"""Trusts (OS-TRUST) and the roles each delegates.

Revision ID: 0023_trusts
Revises: 0022_credentials
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0023_trusts"
down_revision = "0022_credentials"
branch_labels = None
depends_on = None

ID = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "trust",
        sa.Column("id", ID, nullable=False),
        sa.Column("trustor_user_id", ID, nullable=False),
        sa.Column("trustee_user_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=True),
        sa.Column("impersonation", sa.Boolean, nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("remaining_uses", sa.Integer, nullable=True),
        sa.Column("redelegated_trust_id", ID, nullable=True),
        sa.Column("redelegation_count", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_trust"),
        sa.ForeignKeyConstraint(
            ["trustor_user_id"], ["user.id"], name="fk_trust_trustor_user_id_user",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trustee_user_id"], ["user.id"], name="fk_trust_trustee_user_id_user",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_trust_project_id_project", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["redelegated_trust_id"], ["trust.id"], name="fk_trust_redelegated_trust_id_trust",
            ondelete="CASCADE",
        ),
    )  # fmt: skip
    op.create_index("ix_trust_trustor_user_id", "trust", ["trustor_user_id"])
    op.create_index("ix_trust_trustee_user_id", "trust", ["trustee_user_id"])
    op.create_table(
        "trust_role",
        sa.Column("trust_id", ID, nullable=False),
        sa.Column("role_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("trust_id", "role_id", name="pk_trust_role"),
        sa.ForeignKeyConstraint(
            ["trust_id"], ["trust.id"], name="fk_trust_role_trust_id_trust", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name="fk_trust_role_role_id_role", ondelete="CASCADE"
        ),
    )


def downgrade() -> None:
    op.drop_table("trust_role")
    op.drop_index("ix_trust_trustee_user_id", "trust")
    op.drop_index("ix_trust_trustor_user_id", "trust")
    op.drop_table("trust")
