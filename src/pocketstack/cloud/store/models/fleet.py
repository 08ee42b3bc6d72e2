"""The fake fleet's services: one row per (host, binary), as Nova's `services` table.

A host's sizes and zone come from the configuration (CloudConfig.hosts) and are copied here at
start-up, so that choosing a host with room is one query joining this table with the servers'
usage. What an operator changes through the API (disabled and why, forced_down, deleted) lives
only here and survives restarts; a deleted row is kept, so a restart does not bring it back.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime
from pocketstack.cloud.store.models.compute import Instance


class ComputeService(Base):
    __tablename__ = "compute_service"
    __table_args__ = (
        UniqueConstraint("host", "binary", name="uq_compute_service_host_binary"),
        # Hypervisor pages run in id order over the compute services still there.
        Index("ix_compute_service_binary_deleted_id", "binary", "deleted", "id"),
    )

    # The id before microversion 2.53 (of the service and of its hypervisor alike).
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The service's id from 2.53.
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    # The hypervisor's (compute node's) id from 2.53; None for services that are not computes.
    node_uuid: Mapped[str | None] = mapped_column(String(36), unique=True, default=None)
    host: Mapped[str] = mapped_column(String(255))
    binary: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(255))
    availability_zone: Mapped[str] = mapped_column(String(255))
    vcpus: Mapped[int] = mapped_column(Integer, default=0)
    memory_mb: Mapped[int] = mapped_column(Integer, default=0)
    local_gb: Mapped[int] = mapped_column(Integer, default=0)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(String(255), default=None)
    forced_down: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# The servers' usage per host (hypervisors, placement) reads the live servers of a few hosts
# through this index; it belongs to the instance table but serves only the fleet.
Index("ix_instance_host_deleted", Instance.host, Instance.deleted)
