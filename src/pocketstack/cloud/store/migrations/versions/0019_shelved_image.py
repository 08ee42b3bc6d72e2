"""The image a shelve made of a server.

Revision ID: 0019_shelved_image
Revises: 0018_metadefs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_shelved_image"
down_revision = "0018_metadefs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: every database takes it without copying the instance table.
    op.add_column("instance", sa.Column("shelved_image_id", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("instance") as batch:
        batch.drop_column("shelved_image_id")
