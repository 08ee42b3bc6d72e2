"""Image members (the projects a shared image is shared with).

Revision ID: 0017_image_members
Revises: 0016_routers
"""

from __future__ import annotations

revision = "0017_image_members"
down_revision = "0016_routers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
