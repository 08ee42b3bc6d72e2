"""What Nova's addFixedIp and removeFixedIp actions (os-multinic, up to 2.43) ask of the
network service: one more address for the server's port on a network, or one address less,
as Nova does it through Neutron, by updating the port's fixed_ips."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.network import access, ports
from pocketstack.cloud.network.views import fixed_ips_of
from pocketstack.cloud.store.models.network import Network, Subnet
from pocketstack.cloud.store.models.network_port import Port


def _server_ports(session: Session, server_uuid: str, network_id: str | None = None) -> list[Port]:
    stmt = select(Port).where(Port.device_id == server_uuid)
    if network_id is not None:
        stmt = stmt.where(Port.network_id == network_id)
    return list(session.scalars(access.locked(stmt.order_by(Port.created_at, Port.id),
                                              access.UPDATE)))  # fmt: skip


def add_fixed_ip(session: Session, server_uuid: str, network_id: str) -> bool:
    """An address from the network's first subnet on the server's port there (Nova's
    add_fixed_ip_to_instance); False when the server has no port on such a network."""
    subnet: str | None = session.scalars(select(Subnet.id).where(Subnet.network_id == network_id)
                             .order_by(Subnet.created_at, Subnet.id).limit(1)).first()  # fmt: skip
    found = _server_ports(session, server_uuid, network_id) if subnet is not None else []
    if subnet is None or not found:
        return False
    port = found[0]
    net = session.get(Network, port.network_id)
    assert net is not None
    held = fixed_ips_of(session, [port.id])[port.id]
    wanted = [{"subnet_id": a["subnet_id"], "ip_address": a["ip_address"]} for a in held]
    ports.readdress(session, port, net, [*wanted, {"subnet_id": subnet}], False)
    return True


def remove_fixed_ip(session: Session, server_uuid: str, address: str) -> bool:
    """The address off the server's port that holds it (Nova's remove_fixed_ip_from_instance);
    False when none of its ports does."""
    for port in _server_ports(session, server_uuid):
        held = fixed_ips_of(session, [port.id])[port.id]
        if any(a["ip_address"] == address for a in held):
            net = session.get(Network, port.network_id)
            assert net is not None
            rest = [{"subnet_id": a["subnet_id"], "ip_address": a["ip_address"]}
                    for a in held if a["ip_address"] != address]  # fmt: skip
            ports.readdress(session, port, net, rest, False)
            return True
    return False
