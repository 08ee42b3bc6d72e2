"""Server groups (Nova's instance groups) and their members.

A group has exactly one policy (Nova stores a list of one before 2.64 and shows it either way)
and, for anti-affinity, optional rules. An instance belongs to at most one group: the unique
instance_uuid makes a second join a refusal by the database, not a check that can race.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime


class ServerGroup(Base):
    __tablename__ = "server_group"
    __table_args__ = (
        # A project's listing in creation order (Nova's): a page is an index range scan.
        Index("ix_server_group_project_id_id", "project_id", "id"),
    )

    # Creation order, and the key of keyset paging.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    policy: Mapped[str] = mapped_column(String(32))
    # JSON object: {} or {"max_server_per_host": N} (anti-affinity only).
    rules: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ServerGroupMember(Base):
    __tablename__ = "server_group_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("server_group.id", ondelete="CASCADE"), index=True
    )
    # A purged instance takes its membership with it.
    instance_uuid: Mapped[str] = mapped_column(
        String(36), ForeignKey("instance.uuid", ondelete="CASCADE"), unique=True
    )
