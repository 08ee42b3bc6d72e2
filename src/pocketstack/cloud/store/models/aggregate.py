"""Host aggregates (Nova's `aggregates`, `aggregate_hosts`, `aggregate_metadata`).

An aggregate's availability zone is its `availability_zone` metadata entry, as in Nova. Names
are unique by constraint (a duplicate is the database's refusal, hence a 409 without a check
that can race); a deleted aggregate's row is removed, not marked, so its name is free again.
A host joins an aggregate at most once: the (aggregate_id, host) constraint turns the second of
two concurrent joins into a 409.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime


class Aggregate(Base):
    __tablename__ = "aggregate"
    # SQLite would otherwise hand a deleted aggregate's id to the next one: a client still
    # holding the old id must find nothing, as on the other backends.
    __table_args__ = {"sqlite_autoincrement": True}

    # The id the API shows (an integer in Nova); creation order.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # None until the first change, as Nova shows it.
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class AggregateHost(Base):
    __tablename__ = "aggregate_host"
    __table_args__ = (UniqueConstraint("aggregate_id", "host"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    aggregate_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("aggregate.id", ondelete="CASCADE")
    )
    # A host name of the fleet (compute_service.host); no foreign key, as in Nova.
    host: Mapped[str] = mapped_column(String(255), index=True)


class AggregateMetadata(Base):
    __tablename__ = "aggregate_metadata"
    __table_args__ = (UniqueConstraint("aggregate_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    aggregate_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("aggregate.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(255), index=True)
    value: Mapped[str] = mapped_column(String(255))
