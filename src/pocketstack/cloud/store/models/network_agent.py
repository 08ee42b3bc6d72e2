"""The network service's agents (Neutron's `agents` table), the networks each DHCP agent hosts,
and what a network carries besides its own row: its provider segment and its availability zone
hints.

Every row that belongs to a network goes with it (ON DELETE CASCADE): a network deleted by any
path leaves no segment holding its VLAN or tunnel id.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime


class NetworkAgent(Base):
    __tablename__ = "network_agent"
    __table_args__ = (
        # One agent of a type per host, as Neutron's uniq_agents0agent_type0host: what makes
        # concurrent registrations (each worker's start) safe.
        UniqueConstraint("agent_type", "host", name="uq_network_agent_agent_type"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agent_type: Mapped[str] = mapped_column(String(255))
    binary: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(255))
    host: Mapped[str] = mapped_column(String(255))
    # Only DHCP and L3 agents have a zone.
    availability_zone: Mapped[str | None] = mapped_column(String(255), default=None)
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str | None] = mapped_column(String(255), default="")
    # JSON: the agent's reported configuration.
    configurations: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DhcpBinding(Base):
    """A network hosted by a DHCP agent (Neutron's networkdhcpagentbindings)."""

    __tablename__ = "network_dhcp_binding"
    __table_args__ = (Index("ix_network_dhcp_binding_network_id", "network_id"),)

    agent_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("network_agent.id", ondelete="CASCADE"), primary_key=True
    )
    network_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("network.id", ondelete="CASCADE"), primary_key=True
    )


class DhcpScheduled(Base):
    """A network the automatic scheduling has placed once: from then on an admin's removal
    sticks, as it does in Neutron until something schedules the network again."""

    __tablename__ = "network_dhcp_scheduled"

    network_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("network.id", ondelete="CASCADE"), primary_key=True
    )


class NetworkSegment(Base):
    """A network's one segment (the provider extension's view of ML2's segments)."""

    __tablename__ = "network_segment"
    __table_args__ = (
        # A VLAN on a physical network, a flat physical network, a tunnel id: each taken once.
        # NULLs never collide in a unique index, so "none" is stored as '' and 0.
        UniqueConstraint(
            "network_type",
            "physical_network",
            "segmentation_id",
            name="uq_network_segment_network_type",
        ),
    )

    network_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("network.id", ondelete="CASCADE"), primary_key=True
    )
    network_type: Mapped[str] = mapped_column(String(32))
    # '' for tunnel types.
    physical_network: Mapped[str] = mapped_column(String(64))
    # 0 for flat.
    segmentation_id: Mapped[int] = mapped_column(Integer)


class NetworkZoneHints(Base):
    """A network's availability_zone_hints, when it was given any (JSON list, in order)."""

    __tablename__ = "network_zone_hints"

    network_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("network.id", ondelete="CASCADE"), primary_key=True
    )
    hints: Mapped[str] = mapped_column(Text)
