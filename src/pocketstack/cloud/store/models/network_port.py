"""The network service's ports and the addresses allocated to them.

Two ports of a network never share a MAC address, and two allocations of a subnet never share an
address: both are unique constraints, so that two concurrent creates cannot both succeed with the
same one whatever the database (the allocator also serialises per subnet, network/ipam.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime


class Port(Base):
    __tablename__ = "port"
    __table_args__ = (
        UniqueConstraint("network_id", "mac_address", name="uq_port_network_id_mac_address"),
        Index("ix_port_project_id_id", "project_id", "id"),
        Index("ix_port_device_id", "device_id"),
        Index("ix_port_name_id", "name", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    network_id: Mapped[str] = mapped_column(String(36), ForeignKey("network.id"))
    project_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(String(255), default="")
    # Canonical lower-case "fa:16:3e:00:11:22".
    mac_address: Mapped[str] = mapped_column(String(32))
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16))
    device_id: Mapped[str] = mapped_column(String(255), default="")
    device_owner: Mapped[str] = mapped_column(String(255), default="")
    port_security_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # JSON: [{"ip_address", "mac_address"}].
    allowed_address_pairs: Mapped[str] = mapped_column(Text, default="[]")
    binding_host_id: Mapped[str] = mapped_column(String(255), default="")
    binding_vnic_type: Mapped[str] = mapped_column(String(64), default="normal")
    # JSON object.
    binding_profile: Mapped[str] = mapped_column(Text, default="{}")
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class IPAllocation(Base):
    __tablename__ = "ip_allocation"
    __table_args__ = (
        UniqueConstraint("subnet_id", "ip_address", name="uq_ip_allocation_subnet_id_ip_address"),
        # A port's addresses in allocation order; ports found by address.
        Index("ix_ip_allocation_port_id_id", "port_id", "id"),
        Index("ix_ip_allocation_ip_address", "ip_address"),
        # A network's delete takes its allocations with it.
        Index("ix_ip_allocation_network_id", "network_id"),
    )

    # Allocation order: a port shows its addresses in the order they were given.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    port_id: Mapped[str] = mapped_column(String(36), ForeignKey("port.id", ondelete="CASCADE"))
    # No cascade: a subnet with addresses in use is refused its delete (409), never emptied.
    subnet_id: Mapped[str] = mapped_column(String(36), ForeignKey("subnet.id"))
    network_id: Mapped[str] = mapped_column(String(36))
    # Canonical text ("10.0.0.5", "2001:db8::f816:3eff:fe00:1").
    ip_address: Mapped[str] = mapped_column(String(64))
