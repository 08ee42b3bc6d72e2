"""Compute tables: flavors, servers (instances) and what hangs off a server (tags, metadata).

A server row keeps a copy of its flavor (as Nova's instance does) so that deleting a flavor never
changes how existing servers are shown, and keeps its deleted rows (soft delete) so that
`changes-since` and `deleted=true` listings can show them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime

UUID = String(36)
PROJECT_ID = String(64)


class Flavor(Base):
    __tablename__ = "flavor"
    __table_args__ = (
        # A page of flavors is read in the order asked for (sort_key, then the flavor id, as
        # Nova's keyset): the id order is the primary key's, these are the others' that the
        # size filters (minRam, minDisk) and usual sorts meet.
        Index("ix_flavor_memory_id", "memory_mb", "id"),
        Index("ix_flavor_root_id", "root_gb", "id"),
        Index("ix_flavor_vcpus_id", "vcpus", "id"),
        Index("ix_flavor_created_id", "created_at", "id"),
        Index("ix_flavor_public_id", "is_public", "id"),
    )

    # Nova's public flavor id ("1".."5" for the m1.* set, or any string an admin chooses).
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    root_gb: Mapped[int] = mapped_column(Integer)
    ephemeral_gb: Mapped[int] = mapped_column(Integer, default=0)
    swap: Mapped[int] = mapped_column(Integer, default=0)
    # Stored as text so the wire value (a JSON number) round-trips exactly.
    rxtx_factor: Mapped[str] = mapped_column(String(32), default="1.0")
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    # JSON object of string -> string.
    extra_specs: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class FlavorProject(Base):
    """Which projects may use a private flavor."""

    __tablename__ = "flavor_project"
    __table_args__ = (
        # The private flavors a project may use, looked up for every listing of its flavors.
        Index("ix_flavor_project_project", "project_id", "flavor_id"),
    )

    flavor_id: Mapped[str] = mapped_column(
        String(255), ForeignKey("flavor.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[str] = mapped_column(PROJECT_ID, primary_key=True)


class Instance(Base):
    __tablename__ = "instance"
    __table_args__ = (
        # The default listing order (created_at desc, id desc) inside one project and across all
        # of them: a page is an index range scan, whatever the table size.
        Index("ix_instance_project_created", "project_id", "deleted", "created_at", "id"),
        Index("ix_instance_deleted_created", "deleted", "created_at", "id"),
        # The same, sorted by name or by state (the dashboard's sortable columns).
        Index("ix_instance_project_name", "project_id", "deleted", "display_name", "created_at",
              "id"),
        Index("ix_instance_project_state", "project_id", "deleted", "vm_state", "created_at",
              "id"),
        Index("ix_instance_updated_at", "updated_at"),
        Index("ix_instance_display_name", "display_name"),
        Index("ix_instance_transition_due_at", "transition_due_at"),
        # Usage reports (os-simple-tenant-usage) page in Nova's order: project, then server id.
        Index("ix_instance_project_uuid", "project_id", "uuid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(UUID, unique=True)
    project_id: Mapped[str] = mapped_column(PROJECT_ID)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    display_name: Mapped[str] = mapped_column(String(255))
    display_description: Mapped[str | None] = mapped_column(Text, default=None)
    hostname: Mapped[str] = mapped_column(String(255), default="")
    reservation_id: Mapped[str] = mapped_column(String(255), default="")
    launch_index: Mapped[int] = mapped_column(Integer, default=0)
    image_ref: Mapped[str] = mapped_column(String(255), default="", index=True)
    # A copy of the flavor at boot time.
    flavor_id: Mapped[str] = mapped_column(String(255), index=True)
    flavor_name: Mapped[str] = mapped_column(String(255))
    vcpus: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    root_gb: Mapped[int] = mapped_column(Integer)
    ephemeral_gb: Mapped[int] = mapped_column(Integer, default=0)
    swap: Mapped[int] = mapped_column(Integer, default=0)
    flavor_extra_specs: Mapped[str] = mapped_column(Text, default="{}")
    # JSON object: the image's properties at boot time (microversion 2.98).
    image_properties: Mapped[str] = mapped_column(Text, default="{}")
    vm_state: Mapped[str] = mapped_column(String(255))
    task_state: Mapped[str | None] = mapped_column(String(255), default=None)
    power_state: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    host: Mapped[str | None] = mapped_column(String(255), default=None)
    node: Mapped[str | None] = mapped_column(String(255), default=None)
    availability_zone: Mapped[str | None] = mapped_column(String(255), default=None)
    pinned_availability_zone: Mapped[str | None] = mapped_column(String(255), default=None)
    key_name: Mapped[str | None] = mapped_column(String(255), default=None)
    config_drive: Mapped[str] = mapped_column(String(255), default="")
    access_ip_v4: Mapped[str | None] = mapped_column(String(39), default=None)
    access_ip_v6: Mapped[str | None] = mapped_column(String(39), default=None)
    auto_disk_config: Mapped[bool] = mapped_column(Boolean, default=False)
    kernel_id: Mapped[str] = mapped_column(String(255), default="")
    ramdisk_id: Mapped[str] = mapped_column(String(255), default="")
    root_device_name: Mapped[str | None] = mapped_column(String(255), default=None)
    user_data: Mapped[str | None] = mapped_column(Text, default=None)
    # "owner" or "admin" when locked (Nova's locked_by), None when not.
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_by: Mapped[str | None] = mapped_column(String(16), default=None)
    locked_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # Fixed addresses as a JSON list of {network, addr, version, mac, type}; ip4/ip6 hold the
    # addresses as text so the `ip`/`ip6` filters can run in SQL.
    addresses: Mapped[str] = mapped_column(Text, default="[]")
    ip4: Mapped[str] = mapped_column(String(255), default="")
    ip6: Mapped[str] = mapped_column(String(255), default="")
    # The image a shelve made of the server (Nova's shelved_image_id system metadata): the
    # server comes back from it, and it goes when the server is unshelved or deleted.
    shelved_image_id: Mapped[str | None] = mapped_column(String(36), default=None)
    # JSON object (microversion 2.100).
    scheduler_hints: Mapped[str] = mapped_column(Text, default="{}")
    fault_code: Mapped[int | None] = mapped_column(Integer, default=None)
    fault_message: Mapped[str | None] = mapped_column(Text, default=None)
    fault_details: Mapped[str | None] = mapped_column(Text, default=None)
    fault_created_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    launched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    terminated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the fake driver should finish the current transition (None: nothing pending).
    transition_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class InstanceTag(Base):
    __tablename__ = "instance_tag"

    instance_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("instance.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class InstanceMetadata(Base):
    __tablename__ = "instance_metadata"

    instance_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("instance.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


# Key pairs' user ids and names compare and sort by code point on every backend: MariaDB's default
# collation would take "Key" and "key" for one name, and a database's locale would order a page of
# names differently on PostgreSQL.
_EXACT_255 = (
    String(255)
    .with_variant(
        mysql.VARCHAR(255, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"
    )
    .with_variant(postgresql.VARCHAR(255, collation="C"), "postgresql")
)


class KeyPair(Base):
    """A user's key pair (Nova's are per user, not per project): its public half only."""

    __tablename__ = "key_pair"
    __table_args__ = (
        # One name per user, race-free; also the index a page of a user's key pairs (by name)
        # is read from.
        UniqueConstraint("user_id", "name"),
    )

    # Nova shows an integer id.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(_EXACT_255)
    name: Mapped[str] = mapped_column(_EXACT_255)
    # "ssh" or "x509".
    type: Mapped[str] = mapped_column(String(8))
    fingerprint: Mapped[str] = mapped_column(String(255))
    public_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
