"""Each subnet's IPAM hint: where the search for its lowest free address starts.

Revision ID: 0030_ipam_hint
Revises: 0029_catalog_extras
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_ipam_hint"
down_revision = "0029_catalog_extras"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("subnet", sa.Column("ipam_hint", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subnet") as batch:
        batch.drop_column("ipam_hint")
