"""The network service's security groups, their rules, the group each project has as its
`default`, and which groups each port is in. Data only: no rule filters a packet here.

Two guarantees are the database's: a project has at most one default group (the marker's primary
key is the project, so concurrent first requests create it once), and a group never holds the
same rule twice (a unique key over the rule's normalised attributes, `dedup_key`, as Neutron
compares them).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime


class SecurityGroup(Base):
    __tablename__ = "security_group"
    __table_args__ = (
        Index("ix_security_group_project_id_id", "project_id", "id"),
        Index("ix_security_group_name_id", "name", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(String(255), default="")
    stateful: Mapped[bool] = mapped_column(Boolean, default=True)
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DefaultSecurityGroup(Base):
    """The project's `default` group. Deleting the group (an admin may) deletes the marker, and
    the project's next request creates another."""

    __tablename__ = "default_security_group"
    __table_args__ = (
        Index("ix_default_security_group_security_group_id", "security_group_id", unique=True),
    )

    project_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    security_group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("security_group.id", ondelete="CASCADE")
    )


class SecurityGroupRule(Base):
    __tablename__ = "security_group_rule"
    __table_args__ = (
        UniqueConstraint("security_group_id", "dedup_key",
                         name="uq_security_group_rule_security_group_id"),
        Index("ix_security_group_rule_project_id_id", "project_id", "id"),
        Index("ix_security_group_rule_remote_group_id", "remote_group_id"),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # A group's delete deletes its rules, and the rules of other groups that name it as remote.
    security_group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("security_group.id", ondelete="CASCADE")
    )
    project_id: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255), default="")
    direction: Mapped[str] = mapped_column(String(16))
    ethertype: Mapped[str] = mapped_column(String(8))
    # A protocol's name or number as given ("tcp", "17"); NULL: any.
    protocol: Mapped[str | None] = mapped_column(String(40), default=None)
    port_range_min: Mapped[int | None] = mapped_column(Integer, default=None)
    port_range_max: Mapped[int | None] = mapped_column(Integer, default=None)
    # As given, with its prefix length ("10.0.0.5/24"); normalized_cidr without host bits.
    remote_ip_prefix: Mapped[str | None] = mapped_column(String(64), default=None)
    normalized_cidr: Mapped[str | None] = mapped_column(String(64), default=None)
    remote_group_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("security_group.id", ondelete="CASCADE"), default=None
    )
    # The rule's attributes as Neutron compares two rules (sg_rules_validation.dedup_key).
    dedup_key: Mapped[str] = mapped_column(String(255))
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PortSecurityGroup(Base):
    """A port in a group. No cascade from the group: a group in use is refused its delete (409),
    and a binding made while the group is deleted fails on the key instead of vanishing."""

    __tablename__ = "port_security_group"
    __table_args__ = (Index("ix_port_security_group_security_group_id", "security_group_id"),)

    port_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("port.id", ondelete="CASCADE"), primary_key=True
    )
    security_group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("security_group.id"), primary_key=True
    )
