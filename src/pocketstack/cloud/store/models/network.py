"""The network service's networks and subnets (a Neutron v2.0 subset): data only, nothing here
carries a packet.

A subnet's allocation pools, DNS name servers and host routes are small ordered lists, kept as
JSON text: they are read whole with the subnet and never queried into. The standard attributes
Neutron gives every resource (description, timestamps, revision number) are columns of each
table.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime


class Network(Base):
    __tablename__ = "network"
    __table_args__ = (
        # A project's networks in id order (the default sort and keyset): an index range.
        Index("ix_network_project_id_id", "project_id", "id"),
        Index("ix_network_name_id", "name", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(String(255), default="")
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16))
    shared: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # router:external
    external: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    mtu: Mapped[int] = mapped_column(Integer)
    port_security_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Subnet(Base):
    __tablename__ = "subnet"
    __table_args__ = (
        Index("ix_subnet_network_id_id", "network_id", "id"),
        Index("ix_subnet_project_id_id", "project_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Deleting a network deletes its subnets first, on purpose: no cascade hides a subnet that
    # still has addresses allocated.
    network_id: Mapped[str] = mapped_column(String(36), ForeignKey("network.id"))
    project_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(String(255), default="")
    ip_version: Mapped[int] = mapped_column(Integer)
    # Canonical text: "10.0.0.0/24", "2001:db8::/64".
    cidr: Mapped[str] = mapped_column(String(64))
    gateway_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    enable_dhcp: Mapped[bool] = mapped_column(Boolean, default=True)
    ipv6_ra_mode: Mapped[str | None] = mapped_column(String(16), default=None)
    ipv6_address_mode: Mapped[str | None] = mapped_column(String(16), default=None)
    # JSON: [{"start", "end"}], ["8.8.8.8"], [{"destination", "nexthop"}].
    allocation_pools: Mapped[str] = mapped_column(Text, default="[]")
    dns_nameservers: Mapped[str] = mapped_column(Text, default="[]")
    host_routes: Mapped[str] = mapped_column(Text, default="[]")
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # "<pools fingerprint>:<position>": every pool address before the position is taken, so the
    # search for the lowest free one starts there (ipam.py); stale once the pools change.
    ipam_hint: Mapped[str | None] = mapped_column(String(64), default=None)
