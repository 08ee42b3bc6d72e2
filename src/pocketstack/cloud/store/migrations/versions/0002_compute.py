"""Compute and image tables.

Revision ID: 0002_compute
Revises: 0001_identity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0002_compute"
down_revision = "0001_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flavor",
        sa.Column("id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("vcpus", sa.Integer, nullable=False),
        sa.Column("memory_mb", sa.Integer, nullable=False),
        sa.Column("root_gb", sa.Integer, nullable=False),
        sa.Column("ephemeral_gb", sa.Integer, nullable=False),
        sa.Column("swap", sa.Integer, nullable=False),
        sa.Column("rxtx_factor", sa.String(32), nullable=False),
        sa.Column("is_public", sa.Boolean, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("extra_specs", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_flavor"),
        sa.UniqueConstraint("name", name="uq_flavor_name"),
    )
    op.create_table(
        "flavor_project",
        sa.Column("flavor_id", sa.String(255), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("flavor_id", "project_id", name="pk_flavor_project"),
        sa.ForeignKeyConstraint(
            ["flavor_id"],
            ["flavor.id"],
            name="fk_flavor_project_flavor_id_flavor",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "instance",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("display_description", sa.Text, nullable=True),
        sa.Column("hostname", sa.String(255), nullable=False),
        sa.Column("reservation_id", sa.String(255), nullable=False),
        sa.Column("launch_index", sa.Integer, nullable=False),
        sa.Column("image_ref", sa.String(255), nullable=False),
        sa.Column("flavor_id", sa.String(255), nullable=False),
        sa.Column("flavor_name", sa.String(255), nullable=False),
        sa.Column("vcpus", sa.Integer, nullable=False),
        sa.Column("memory_mb", sa.Integer, nullable=False),
        sa.Column("root_gb", sa.Integer, nullable=False),
        sa.Column("ephemeral_gb", sa.Integer, nullable=False),
        sa.Column("swap", sa.Integer, nullable=False),
        sa.Column("flavor_extra_specs", sa.Text, nullable=False),
        sa.Column("image_properties", sa.Text, nullable=False),
        sa.Column("vm_state", sa.String(255), nullable=False),
        sa.Column("task_state", sa.String(255), nullable=True),
        sa.Column("power_state", sa.Integer, nullable=False),
        sa.Column("progress", sa.Integer, nullable=False),
        sa.Column("host", sa.String(255), nullable=True),
        sa.Column("node", sa.String(255), nullable=True),
        sa.Column("availability_zone", sa.String(255), nullable=True),
        sa.Column("pinned_availability_zone", sa.String(255), nullable=True),
        sa.Column("key_name", sa.String(255), nullable=True),
        sa.Column("config_drive", sa.String(255), nullable=False),
        sa.Column("access_ip_v4", sa.String(39), nullable=True),
        sa.Column("access_ip_v6", sa.String(39), nullable=True),
        sa.Column("auto_disk_config", sa.Boolean, nullable=False),
        sa.Column("kernel_id", sa.String(255), nullable=False),
        sa.Column("ramdisk_id", sa.String(255), nullable=False),
        sa.Column("root_device_name", sa.String(255), nullable=True),
        sa.Column("user_data", sa.Text, nullable=True),
        sa.Column("locked", sa.Boolean, nullable=False),
        sa.Column("locked_by", sa.String(16), nullable=True),
        sa.Column("locked_reason", sa.Text, nullable=True),
        sa.Column("addresses", sa.Text, nullable=False),
        sa.Column("ip4", sa.String(255), nullable=False),
        sa.Column("ip6", sa.String(255), nullable=False),
        sa.Column("scheduler_hints", sa.Text, nullable=False),
        sa.Column("fault_code", sa.Integer, nullable=True),
        sa.Column("fault_message", sa.Text, nullable=True),
        sa.Column("fault_details", sa.Text, nullable=True),
        sa.Column("fault_created_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("launched_at", UTCDateTime, nullable=True),
        sa.Column("terminated_at", UTCDateTime, nullable=True),
        sa.Column("deleted_at", UTCDateTime, nullable=True),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("transition_due_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_instance"),
        sa.UniqueConstraint("uuid", name="uq_instance_uuid"),
    )
    op.create_index(
        "ix_instance_project_created", "instance", ["project_id", "deleted", "created_at", "id"]
    )
    op.create_index("ix_instance_deleted_created", "instance", ["deleted", "created_at", "id"])
    op.create_index("ix_instance_updated_at", "instance", ["updated_at"])
    op.create_index("ix_instance_display_name", "instance", ["display_name"])
    op.create_index("ix_instance_transition_due_at", "instance", ["transition_due_at"])
    op.create_index("ix_instance_user_id", "instance", ["user_id"])
    op.create_index("ix_instance_image_ref", "instance", ["image_ref"])
    op.create_index("ix_instance_flavor_id", "instance", ["flavor_id"])
    op.create_table(
        "instance_tag",
        sa.Column("instance_id", sa.Integer, nullable=False),
        sa.Column("tag", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("instance_id", "tag", name="pk_instance_tag"),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name="fk_instance_tag_instance_id_instance",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_instance_tag_tag", "instance_tag", ["tag"])
    op.create_table(
        "instance_metadata",
        sa.Column("instance_id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("instance_id", "key", name="pk_instance_metadata"),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name="fk_instance_metadata_instance_id_instance",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "image",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("visibility", sa.String(20), nullable=False),
        sa.Column("protected", sa.Boolean, nullable=False),
        sa.Column("os_hidden", sa.Boolean, nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("container_format", sa.String(32), nullable=True),
        sa.Column("disk_format", sa.String(32), nullable=True),
        sa.Column("size", sa.BigInteger, nullable=True),
        sa.Column("virtual_size", sa.BigInteger, nullable=True),
        sa.Column("checksum", sa.String(32), nullable=True),
        sa.Column("os_hash_algo", sa.String(64), nullable=True),
        sa.Column("os_hash_value", sa.String(128), nullable=True),
        sa.Column("min_disk", sa.Integer, nullable=False),
        sa.Column("min_ram", sa.Integer, nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("properties", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_image"),
    )
    op.create_index("ix_image_created", "image", ["created_at", "id"])
    op.create_index("ix_image_name", "image", ["name"])
    op.create_index("ix_image_owner", "image", ["owner"])


def downgrade() -> None:
    for table in (
        "image",
        "instance_metadata",
        "instance_tag",
        "instance",
        "flavor_project",
        "flavor",
    ):
        op.drop_table(table)
