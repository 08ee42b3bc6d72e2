"""The image service's metadata definitions catalog.

Revision ID: 0018_metadefs
Revises: 0017_image_members
"""

from __future__ import annotations

revision = "0018_metadefs"
down_revision = "0017_image_members"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
