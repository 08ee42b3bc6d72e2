"""The test controls' driver delay: how long a transition takes, set at run time (NULL: the
configured delay).

Revision ID: 0036_driver_delay
Revises: 0035_oauth1
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0036_driver_delay"
down_revision = "0035_oauth1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("test_clock") as batch:
        batch.add_column(sa.Column("driver_delay_ms", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("test_clock") as batch:
        batch.drop_column("driver_delay_ms")
