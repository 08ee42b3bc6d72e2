"""The instance list sorted by name or by state inside one project: the dashboard's sortable
columns (and `sort_key=display_name` / `vm_state` in the API) read a page off an index instead of
sorting every server of the project.

Revision ID: 0038_instance_sort_indexes
Revises: 0037_dashboard
"""

from __future__ import annotations

from alembic import op

revision = "0038_instance_sort_indexes"
down_revision = "0037_dashboard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_instance_project_name", "instance",
                    ["project_id", "deleted", "display_name", "created_at", "id"])  # fmt: skip
    op.create_index("ix_instance_project_state", "instance",
                    ["project_id", "deleted", "vm_state", "created_at", "id"])  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_instance_project_state", table_name="instance")
    op.drop_index("ix_instance_project_name", table_name="instance")
