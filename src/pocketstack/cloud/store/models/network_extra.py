"""Attributes extensions add to ports and routers, kept beside their rows as Neutron keeps
them: a port's extra DHCP options (extra_dhcp_opt; one value per option name and IP version,
by the primary key) and a router's distributed and ha flags (dvr, l3-ha; Neutron's
router_extra_attributes). Both go with their port or router (ON DELETE CASCADE).
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base


class ExtraDhcpOpt(Base):
    __tablename__ = "extra_dhcp_opt"

    port_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("port.id", ondelete="CASCADE"), primary_key=True
    )
    opt_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    ip_version: Mapped[int] = mapped_column(Integer, primary_key=True)
    opt_value: Mapped[str] = mapped_column(String(255))


class RouterExtraAttributes(Base):
    __tablename__ = "router_extra_attributes"

    router_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("router.id", ondelete="CASCADE"), primary_key=True
    )
    distributed: Mapped[bool] = mapped_column(Boolean, default=False)
    ha: Mapped[bool] = mapped_column(Boolean, default=False)
