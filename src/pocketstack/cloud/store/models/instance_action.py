"""The instance action log (Nova's instance_actions and their events) and the moves of servers
(Nova's migrations: resizes and cold migrations).

An action is keyed by the server and the request that started it: the unique pair makes a
second record of the same request a refusal by the database. Actions page newest first by
(instance_uuid, created_at, id), which their index covers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime


class InstanceAction(Base):
    __tablename__ = "instance_action"
    __table_args__ = (
        UniqueConstraint("instance_uuid", "request_id", name="uq_instance_action_request"),
        Index("ix_instance_action_instance_created", "instance_uuid", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_uuid: Mapped[str] = mapped_column(String(36))
    request_id: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(255))
    message: Mapped[str | None] = mapped_column(String(255), default=None)
    start_time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finish_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class InstanceActionEvent(Base):
    __tablename__ = "instance_action_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("instance_action.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(255))
    # None while the driver has not finished ("Success" or "Error" then).
    result: Mapped[str | None] = mapped_column(String(255), default=None)
    traceback: Mapped[str | None] = mapped_column(Text, default=None)
    details: Mapped[str | None] = mapped_column(Text, default=None)
    host: Mapped[str | None] = mapped_column(String(255), default=None)
    start_time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finish_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class Migration(Base):
    """A resize or cold migration: where the server was and what flavor it had, so that a
    revert can put both back."""

    __tablename__ = "migration"
    __table_args__ = (
        Index("ix_migration_instance_status", "instance_uuid", "status"),
        # os-migrations pages newest first (2.59).
        Index("ix_migration_created_id", "created_at", "id"),
        # The moves still in flight, which each read of migrations settles first.
        Index("ix_migration_status_type", "status", "migration_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    instance_uuid: Mapped[str] = mapped_column(String(36))
    project_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(255))
    # "resize" or "migration" (Nova's migration_type).
    migration_type: Mapped[str] = mapped_column(String(32))
    # "finished" while the resize awaits confirmation, then "confirmed" or "reverted".
    status: Mapped[str] = mapped_column(String(32))
    source_compute: Mapped[str | None] = mapped_column(String(255), default=None)
    dest_compute: Mapped[str | None] = mapped_column(String(255), default=None)
    # The flavor copies (JSON: id, name, vcpus, memory_mb, root_gb, ephemeral_gb, swap,
    # extra_specs) before and after.
    old_flavor: Mapped[str] = mapped_column(Text)
    new_flavor: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
