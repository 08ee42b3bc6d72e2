"""The image service's metadata definitions catalog, with Glance's resource types seeded.

Revision ID: 0018_metadefs
Revises: 0017_image_members
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0018_metadefs"
down_revision = "0017_image_members"
branch_labels = None
depends_on = None

# The resource types Glance's shipped definitions (etc/metadefs) associate namespaces with.
SEEDED_RESOURCE_TYPES = (
    "OS::Glance::Image",
    "OS::Cinder::Volume",
    "OS::Nova::Flavor",
    "OS::Nova::Aggregate",
    "OS::Nova::Server",
    "OS::Trove::Instance",
)


def _stamps() -> list[sa.Column[dt.datetime]]:
    return [
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    ]


def _in_namespace(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("namespace_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.UniqueConstraint("namespace_id", "name", name=f"uq_{table}_namespace_id_name"),
        sa.ForeignKeyConstraint(
            ["namespace_id"],
            ["metadef_namespace.id"],
            name=f"fk_{table}_namespace_id_metadef_namespace",
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "metadef_namespace",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("namespace", sa.String(80), nullable=False),
        sa.Column("display_name", sa.String(80), nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("visibility", sa.String(32), nullable=False),
        sa.Column("protected", sa.Boolean, nullable=False),
        sa.Column("owner", sa.String(255), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name="pk_metadef_namespace"),
        sa.UniqueConstraint("namespace", name="uq_metadef_namespace_namespace"),
    )
    op.create_index("ix_metadef_namespace_owner", "metadef_namespace", ["owner"])
    op.create_table(
        "metadef_object",
        *_in_namespace("metadef_object"),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("required", sa.Text, nullable=False),
        sa.Column("properties", sa.Text, nullable=False),
        *_stamps(),
    )
    op.create_table(
        "metadef_property",
        *_in_namespace("metadef_property"),
        sa.Column("json_schema", sa.Text, nullable=False),
        *_stamps(),
    )
    op.create_table("metadef_tag", *_in_namespace("metadef_tag"), *_stamps())
    resource_type = op.create_table(
        "metadef_resource_type",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("protected", sa.Boolean, nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name="pk_metadef_resource_type"),
        sa.UniqueConstraint("name", name="uq_metadef_resource_type_name"),
    )
    op.create_table(
        "metadef_association",
        sa.Column("resource_type_id", sa.Integer, nullable=False),
        sa.Column("namespace_id", sa.Integer, nullable=False),
        sa.Column("properties_target", sa.String(80), nullable=True),
        sa.Column("prefix", sa.String(80), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("resource_type_id", "namespace_id", name="pk_metadef_association"),
        sa.ForeignKeyConstraint(
            ["resource_type_id"],
            ["metadef_resource_type.id"],
            name="fk_metadef_association_resource_type_id_metadef_resource_type",
        ),
        sa.ForeignKeyConstraint(
            ["namespace_id"],
            ["metadef_namespace.id"],
            name="fk_metadef_association_namespace_id_metadef_namespace",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_metadef_association_namespace_id",
        "metadef_association",
        ["namespace_id"],
    )
    now = dt.datetime.now(dt.UTC)
    assert resource_type is not None
    op.bulk_insert(
        resource_type,
        [
            {"name": name, "protected": True, "created_at": now, "updated_at": now}
            for name in SEEDED_RESOURCE_TYPES
        ],
    )


def downgrade() -> None:
    for table in (
        "metadef_association",
        "metadef_resource_type",
        "metadef_tag",
        "metadef_property",
        "metadef_object",
        "metadef_namespace",
    ):
        op.drop_table(table)
