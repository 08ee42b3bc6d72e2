"""The network service's quota limits and resource tags (Neutron's `quotas` and
`standard-attr-tag`).

A limit is stored only where an admin set one; every other resource of the project has
Neutron's default (network/quotas.py). Usage is never stored: it is counted from the rows
themselves under the project's quota lock (compute's `quota_lock` table, scope
`network:<project>`).

A tag belongs to one resource of any of the tagged kinds: their ids are UUIDs, so the id alone
names the resource, and the (resource, tag) key keeps a tag once whatever the database.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base

# Neutron's MAX_TAG_LEN.
TAG_LENGTH = 60


class NetworkQuota(Base):
    __tablename__ = "network_quota"

    project_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    resource: Mapped[str] = mapped_column(String(64), primary_key=True)
    # -1: unlimited.
    hard_limit: Mapped[int] = mapped_column(Integer)


class NetworkTag(Base):
    __tablename__ = "network_tag"
    # A list filtered by a tag reads the tag's resources: an index range.
    __table_args__ = (Index("ix_network_tag_tag_resource_id", "tag", "resource_id"),)

    resource_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tag: Mapped[str] = mapped_column(String(TAG_LENGTH), primary_key=True)
