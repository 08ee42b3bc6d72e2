"""Subnet pools (Neutron's subnet_allocation) and which subnets were allocated from them.

A pool's prefixes are a short list kept as JSON text, read whole with the pool. `default_for`
holds the pool's IP version while it is its family's default and NULL otherwise: its unique
constraint keeps one default per family whatever two admins do at once (NULLs never collide).

A subnet's pool is a row of its own, so that the subnet table stays as it is: deleting the subnet
(or its whole network, which deletes subnets in bulk) deletes it by cascade, while a pool still
referenced cannot be deleted (the foreign key has no cascade).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime


class SubnetPool(Base):
    __tablename__ = "subnetpool"
    __table_args__ = (
        Index("ix_subnetpool_project_id_id", "project_id", "id"),
        Index("ix_subnetpool_name_id", "name", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255), default="")
    ip_version: Mapped[int] = mapped_column(Integer)
    # JSON: ["10.0.0.0/16", ...], merged and sorted.
    prefixes: Mapped[str] = mapped_column(Text)
    default_prefixlen: Mapped[int] = mapped_column(Integer)
    min_prefixlen: Mapped[int] = mapped_column(Integer)
    max_prefixlen: Mapped[int] = mapped_column(Integer)
    # None: no per-project limit.
    default_quota: Mapped[int | None] = mapped_column(Integer, default=None)
    shared: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    default_for: Mapped[int | None] = mapped_column(Integer, default=None, unique=True)
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SubnetPoolSubnet(Base):
    __tablename__ = "subnetpool_subnet"
    __table_args__ = (
        # The last word on two allocations of one prefix (the pool's lock is the first).
        UniqueConstraint("subnetpool_id", "cidr", name="uq_subnetpool_subnet_subnetpool_id_cidr"),
        Index("ix_subnetpool_subnet_subnetpool_id_project_id", "subnetpool_id", "project_id"),
    )

    subnet_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("subnet.id", ondelete="CASCADE"), primary_key=True
    )
    subnetpool_id: Mapped[str] = mapped_column(String(36), ForeignKey("subnetpool.id"))
    project_id: Mapped[str] = mapped_column(String(255))
    # The subnet's CIDR, canonical text (as the subnet's own column).
    cidr: Mapped[str] = mapped_column(String(64))
