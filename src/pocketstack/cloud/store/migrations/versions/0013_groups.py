"""Groups: the groups, their members and the roles granted to them.

Revision ID: 0013_groups
Revises: 0012_network
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_groups"
down_revision = "0012_network"
branch_labels = None
depends_on = None

ID = sa.String(64)


def upgrade() -> None:
    op.create_table(
        "group",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("domain_id", ID, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_group"),
        sa.ForeignKeyConstraint(["domain_id"], ["domain.id"], name="fk_group_domain_id_domain"),
        sa.UniqueConstraint("domain_id", "name", name="uq_group_domain_id_name"),
    )
    op.create_table(
        "user_group_membership",
        sa.Column("group_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("group_id", "user_id", name="pk_user_group_membership"),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["group.id"],
            name="fk_user_group_membership_group_id_group",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name="fk_user_group_membership_user_id_user",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_user_group_membership_user_id", "user_group_membership", ["user_id"])
    op.create_table(
        "group_role_assignment",
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_id", ID, nullable=False),
        sa.Column("group_id", ID, nullable=False),
        sa.Column("role_id", ID, nullable=False),
        sa.PrimaryKeyConstraint(
            "target_type", "target_id", "group_id", "role_id", name="pk_group_role_assignment"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["group.id"],
            name="fk_group_role_assignment_group_id_group",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["role.id"],
            name="fk_group_role_assignment_role_id_role",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_group_role_assignment_target", "group_role_assignment", ["target_type", "target_id"]
    )
    op.create_index("ix_group_role_assignment_group_id", "group_role_assignment", ["group_id"])


def downgrade() -> None:
    op.drop_table("group_role_assignment")
    op.drop_table("user_group_membership")
    op.drop_table("group")
