"""Implied roles (role inference rules) and domain-specific roles' data.

Revision ID: 0028_implied_roles
Revises: 0027_metering
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028_implied_roles"
down_revision = "0027_metering"
branch_labels = None
depends_on = None

ID = sa.String(64)


def _role_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["role.id"], name=f"fk_{table}_{column}_role", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "implied_role",
        sa.Column("prior_role_id", ID, nullable=False),
        sa.Column("implied_role_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("prior_role_id", "implied_role_id", name="pk_implied_role"),
        _role_fk("implied_role", "prior_role_id"),
        _role_fk("implied_role", "implied_role_id"),
    )
    op.create_index("ix_implied_role_implied_role_id", "implied_role", ["implied_role_id"])
    op.create_table(
        "role_domain",
        sa.Column("role_id", ID, nullable=False),
        sa.Column("domain_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("role_id", name="pk_role_domain"),
        _role_fk("role_domain", "role_id"),
    )
    op.create_index("ix_role_domain_domain_id", "role_domain", ["domain_id"])
    for actor, parent in (("user", "user"), ("group", "group")):
        table = f"inherited_{actor}_grant"
        column = f"{actor}_id"
        op.create_table(
            table,
            sa.Column("target_type", sa.String(16), nullable=False),
            sa.Column("target_id", ID, nullable=False),
            sa.Column(column, ID, nullable=False),
            sa.Column("role_id", ID, nullable=False),
            sa.PrimaryKeyConstraint(
                "target_type", "target_id", column, "role_id", name=f"pk_{table}"
            ),
            sa.ForeignKeyConstraint(
                [column], [f"{parent}.id"], name=f"fk_{table}_{column}_{parent}",
                ondelete="CASCADE",
            ),
            _role_fk(table, "role_id"),
        )  # fmt: skip
        op.create_index(f"ix_{table}_target", table, ["target_type", "target_id"])
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for actor in ("group", "user"):
        table = f"inherited_{actor}_grant"
        op.drop_index(f"ix_{table}_{actor}_id", table)
        op.drop_index(f"ix_{table}_target", table)
        op.drop_table(table)
    op.drop_index("ix_role_domain_domain_id", "role_domain")
    op.drop_table("role_domain")
    op.drop_index("ix_implied_role_implied_role_id", "implied_role")
    op.drop_table("implied_role")
