"""The network service's routers and floating IPs (Neutron's L3: router, ext-gw-mode,
extraroute).

A router's interfaces are rows of `router_interface`, one per subnet it is attached to: the
(router, subnet) key is what refuses a subnet attached twice, whatever the database. A floating
IP holds its address through a port of its own on the external network (device_owner
network:floatingip), so the address is unique by the allocation's constraint; the (port, fixed
address) pair it is associated with is unique too.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime


class Router(Base):
    __tablename__ = "router"
    __table_args__ = (
        Index("ix_router_project_id_id", "project_id", "id"),
        Index("ix_router_name_id", "name", "id"),
        Index("ix_router_gw_network_id", "gw_network_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(String(255), default="")
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16))
    # The external gateway: its network and port (None: no gateway).
    gw_network_id: Mapped[str | None] = mapped_column(String(36), default=None)
    gw_port_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("port.id", ondelete="SET NULL"), default=None
    )
    enable_snat: Mapped[bool] = mapped_column(Boolean, default=True)
    # JSON: [{"destination", "nexthop"}] (extraroute).
    routes: Mapped[str] = mapped_column(Text, default="[]")
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RouterInterface(Base):
    """A subnet a router is attached to, through one of its interface ports."""

    __tablename__ = "router_interface"
    __table_args__ = (
        Index("ix_router_interface_port_id", "port_id"),
        Index("ix_router_interface_subnet_id", "subnet_id"),
    )

    router_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("router.id", ondelete="CASCADE"), primary_key=True
    )
    subnet_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    port_id: Mapped[str] = mapped_column(String(36), ForeignKey("port.id", ondelete="CASCADE"))


class FloatingIP(Base):
    __tablename__ = "floating_ip"
    __table_args__ = (
        UniqueConstraint(
            "fixed_port_id",
            "fixed_ip_address",
            name="uq_floating_ip_fixed_port_id_fixed_ip_address",
        ),
        Index("ix_floating_ip_project_id_id", "project_id", "id"),
        Index("ix_floating_ip_router_id", "router_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255), default="")
    floating_network_id: Mapped[str] = mapped_column(String(36), ForeignKey("network.id"))
    # The port holding the address (deleted with the floating IP).
    floating_port_id: Mapped[str] = mapped_column(String(36), ForeignKey("port.id"))
    floating_ip_address: Mapped[str] = mapped_column(String(64))
    # The association: all three set, or none.
    fixed_port_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("port.id", ondelete="SET NULL"), default=None
    )
    fixed_ip_address: Mapped[str | None] = mapped_column(String(64), default=None)
    router_id: Mapped[str | None] = mapped_column(String(36), default=None)
    status: Mapped[str] = mapped_column(String(16))
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
