"""The users' resource options (multi_factor_auth_rules and the others Keystone registers).

Revision ID: 0034_totp
Revises: 0033_password_history
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034_totp"
down_revision = "0033_password_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_option",
        sa.Column(
            "user_id",
            sa.String(64),
            sa.ForeignKey("user.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("option_name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("user_option")
