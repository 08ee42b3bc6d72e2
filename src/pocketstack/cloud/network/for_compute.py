"""What the compute service asks of the network service for its servers (Nova's
nova/network/neutron.py API): the networks, ports and fixed IPs a boot requests checked for the
server's project, ports made or bound for the server, its ports found, and released when it
goes. Compute calls these functions, never the network tables; they run in the session compute
hands them, so that a server create that fails leaves no port behind.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.network import sg_store
from pocketstack.cloud.store.models.network_port import IPAllocation, Port


@dataclasses.dataclass(frozen=True)
class PortInfo:
    """A server's port as compute sees it."""

    id: str
    network_id: str
    # (subnet_id, ip_address) in allocation order.
    fixed_ips: tuple[tuple[str, str], ...]
    mac_address: str
    security_group_ids: tuple[str, ...]


def _infos(session: Session, ports: list[Port]) -> list[PortInfo]:
    ids = [p.id for p in ports]
    fixed: dict[str, list[tuple[str, str]]] = {p: [] for p in ids}
    if ids:
        rows = session.execute(
            select(IPAllocation.port_id, IPAllocation.subnet_id, IPAllocation.ip_address)
            .where(IPAllocation.port_id.in_(ids))
            .order_by(IPAllocation.id)
        )
        for port_id, subnet_id, address in rows:
            fixed[port_id].append((subnet_id, address))
    groups = sg_store.groups_of_ports(session, ids)
    return [
        PortInfo(id=p.id, network_id=p.network_id, fixed_ips=tuple(fixed[p.id]),
                 mac_address=p.mac_address, security_group_ids=tuple(groups[p.id]))
        for p in ports
    ]  # fmt: skip


def ports_of_server(session: Session, server_uuid: str) -> list[PortInfo]:
    """The ports bound to the server (device_id), oldest first."""
    stmt = select(Port).where(Port.device_id == server_uuid).order_by(Port.created_at, Port.id)
    return _infos(session, list(session.scalars(stmt)))
