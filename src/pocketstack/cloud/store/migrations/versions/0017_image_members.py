"""Image members (the projects a shared image is shared with).

Revision ID: 0017_image_members
Revises: 0016_routers
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0017_image_members"
down_revision = "0016_routers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "image_member",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("image_id", sa.String(36), nullable=False),
        sa.Column("member", sa.String(255), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_image_member"),
        sa.UniqueConstraint("image_id", "member", name="uq_image_member_image_id_member"),
        sa.ForeignKeyConstraint(
            ["image_id"], ["image.id"], name="fk_image_member_image_id_image", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_image_member_member_status", "image_member", ["member", "status"])


def downgrade() -> None:
    op.drop_table("image_member")
