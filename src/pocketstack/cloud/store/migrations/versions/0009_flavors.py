"""Flavors: the indexes their keyset pages are read by, and the private flavors of a project.

Revision ID: 0009_flavors
Revises: 0008_usage_index
"""

from __future__ import annotations

from alembic import op

revision = "0009_flavors"
down_revision = "0008_usage_index"
branch_labels = None
depends_on = None

_FLAVOR_INDEXES = (
    ("ix_flavor_memory_id", ["memory_mb", "id"]),
    ("ix_flavor_root_id", ["root_gb", "id"]),
    ("ix_flavor_vcpus_id", ["vcpus", "id"]),
    ("ix_flavor_created_id", ["created_at", "id"]),
    ("ix_flavor_public_id", ["is_public", "id"]),
)


def upgrade() -> None:
    for name, columns in _FLAVOR_INDEXES:
        op.create_index(name, "flavor", columns)
    op.create_index("ix_flavor_project_project", "flavor_project", ["project_id", "flavor_id"])


def downgrade() -> None:
    op.drop_index("ix_flavor_project_project", table_name="flavor_project")
    for name, _ in reversed(_FLAVOR_INDEXES):
        op.drop_index(name, table_name="flavor")
