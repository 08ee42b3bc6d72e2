"""The ids of deleted images, never to be taken again.

Revision ID: 0024_image_tombstones
Revises: 0023_trusts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0024_image_tombstones"
down_revision = "0023_trusts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "image_tombstone",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("deleted_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("image_tombstone")
