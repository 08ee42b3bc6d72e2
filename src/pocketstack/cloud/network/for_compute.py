"""What the compute service asks of the network service for its servers (Nova's
nova/network/neutron.py API): the networks, ports and fixed IPs a boot requests checked for the
server's project, ports made or bound for the server, its ports found, and released when it
goes. Compute calls these functions, never the network tables; they run in the session compute
hands them, so that a server create that fails leaves no port behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import BadRequest, CloudError, Conflict, Forbidden
from pocketstack.cloud.network import (
    access,
    faults,
    ipam,
    l3_ports,
    policy,
    port_rules,
    quotas,
    sg_store,
    tags,
)
from pocketstack.cloud.store.models.network import Network, Subnet
from pocketstack.cloud.store.models.network_port import IPAllocation, Port
from pocketstack.cloud.store.models.network_security import SecurityGroup

ACTIVE = "ACTIVE"
DOWN = "DOWN"
# Nova's device_owner for an instance's port: "compute:" and the server's zone.
COMPUTE_OWNER = "compute:"


@dataclasses.dataclass(frozen=True)
class PortInfo:
    """A server's port as compute sees it."""

    id: str
    network_id: str
    # (subnet_id, ip_address) in allocation order.
    fixed_ips: tuple[tuple[str, str], ...]
    mac_address: str
    security_group_ids: tuple[str, ...]
    status: str = ACTIVE


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
                 mac_address=p.mac_address, security_group_ids=tuple(groups[p.id]),
                 status=p.status)
        for p in ports
    ]  # fmt: skip


def ports_of_server(session: Session, server_uuid: str) -> list[PortInfo]:
    """The ports bound to the server (device_id), oldest first."""
    stmt = select(Port).where(Port.device_id == server_uuid).order_by(Port.created_at, Port.id)
    return _infos(session, list(session.scalars(stmt)))


@dataclasses.dataclass(frozen=True)
class Nic:
    """One interface a boot asks for: a network (with a fixed IP, maybe) or a port."""

    network_id: str | None = None
    port_id: str | None = None
    fixed_ip: str | None = None


def _usable(project_id: str) -> ColumnElement[bool]:
    """Networks a project's server may be on (Nova's _get_available_networks): its own and the
    shared ones; an external network only when shared."""
    return or_(and_(Network.project_id == project_id, Network.external.is_(False)),
               Network.shared.is_(True))  # fmt: skip


def auto_network(session: Session, project_id: str) -> str:
    """The network a server that names none gets (Nova's `auto`): the only one the project may
    use."""
    found = list(session.scalars(select(Network.id).where(_usable(project_id))
                                 .order_by(Network.id).limit(2)))  # fmt: skip
    if len(found) > 1:
        raise Conflict("Multiple possible networks found, use a Network ID to be more specific.")
    if not found:
        raise BadRequest(f"Unable to automatically allocate a network for project {project_id}")
    return found[0]


def _check_port(session: Session, ctx: RequestContext, port_id: str, project_id: str,
                count: int) -> Port:  # fmt: skip
    if count > 1:
        raise BadRequest(
            "Failed to launch instances: Unable to launch multiple instances with a single"
            " configured port ID. Please launch your instance one by one with different ports."
        )
    port: Port | None = session.scalars(
        access.locked(select(Port).where(Port.id == port_id), access.UPDATE)
    ).first()
    net = session.get(Network, port.network_id) if port is not None else None
    if port is None or net is None or not policy.sees_port(ctx, port, net):
        raise BadRequest(f"Port id {port_id} could not be found.")
    if port.device_id:
        raise Conflict(f"Port {port_id} is still in use.")
    if port.project_id != project_id:
        # Nova's PortNotUsable: a server takes only its own project's ports, an admin's too.
        raise BadRequest(f"Port {port_id} not usable for instance.")
    if not session.scalar(select(IPAllocation.id).where(IPAllocation.port_id == port_id)
                          .limit(1)):  # fmt: skip
        raise BadRequest(f"Port {port_id} requires a FixedIP in order to be used.")
    return port


def _check_network(session: Session, ctx: RequestContext, nic: Nic, project_id: str,
                   count: int) -> None:  # fmt: skip
    assert nic.network_id is not None
    net = session.scalars(access.locked(select(Network).where(Network.id == nic.network_id),
                                        access.SHARE)).first()  # fmt: skip
    usable = net is not None and (ctx.is_admin or net.shared or net.project_id == project_id)
    if net is None or not usable:
        raise BadRequest(f"Network {nic.network_id} could not be found.")
    if net.external and not net.shared and not ctx.is_admin:
        raise Forbidden(f"It is not allowed to create an interface on external network {net.id}")
    if session.scalar(select(Subnet.id).where(Subnet.network_id == net.id).limit(1)) is None:
        raise BadRequest(f"Network {net.id} requires a subnet in order to boot instances on.")
    if nic.fixed_ip is None:
        return
    if count > 1:
        raise BadRequest(
            "Failed to launch instances: max_count cannot be greater than 1 if an fixed_ip is"
            " specified."
        )
    held = session.scalar(select(Port.device_id).join(IPAllocation, IPAllocation.port_id == Port.id)
                          .where(IPAllocation.network_id == net.id,
                                 IPAllocation.ip_address == nic.fixed_ip))  # fmt: skip
    if held is not None:
        raise BadRequest(f"Fixed IP address {nic.fixed_ip} is already in use on instance {held}.")


def check_nics(session: Session, ctx: RequestContext, project_id: str, nics: Sequence[Nic],
               count: int) -> None:  # fmt: skip
    """Nova's validate_networks: each network usable by the project (with a subnet, its fixed
    IP free), each port the project's and free; with Nova's errors."""
    for nic in nics:
        if nic.port_id is not None:
            _check_port(session, ctx, nic.port_id, project_id, count)
        else:
            _check_network(session, ctx, nic, project_id, count)


def servers_with_ports(session: Session, project_id: str, nics: Sequence[Nic],
                       max_count: int) -> int:  # fmt: skip
    """How many of `max_count` servers asking for `nics` the project's port quota has room
    for (Nova's validate_networks). A read only: the claim itself, under the quota's lock,
    happens as each server's ports are made."""
    needed = sum(1 for nic in nics if nic.port_id is None)
    limit = quotas.limits(session, project_id)["port"] if needed else -1
    if limit < 0:
        return max_count
    free = max(limit - quotas.used(session, project_id, "port"), 0)
    return min(max_count, free // needed)


def group_ids(session: Session, project_id: str, names: Sequence[str],
              now: dt.datetime) -> list[str]:  # fmt: skip
    """The project's security groups by name or id (Nova's _process_security_groups), the
    project's default group made if it is named and missing."""
    found: list[str] = []
    for name in names:
        if name == sg_store.DEFAULT_NAME:
            found.append(_default_group(session, project_id, now))
            continue
        rows = list(session.scalars(select(SecurityGroup.id).where(
            SecurityGroup.project_id == project_id,
            or_(SecurityGroup.name == name, SecurityGroup.id == name))))  # fmt: skip
        if len(rows) > 1:
            raise Conflict(f"Multiple security groups found matching '{name}'. Use an ID to be"
                           " more specific.")  # fmt: skip
        if not rows:
            raise BadRequest(f"Security group {name} not found.")
        found.append(rows[0])
    return list(dict.fromkeys(found))


def _default_group(session: Session, project_id: str, now: dt.datetime) -> str:
    """The project's default group, inserted here when it has none: a concurrent insert breaks
    the marker's key, and then the other one is read."""
    existing = sg_store.default_group_id(session, project_id)
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            made = sg_store.new_group(session, project=project_id, name=sg_store.DEFAULT_NAME,
                                      description=sg_store.DEFAULT_DESCRIPTION, stateful=True,
                                      now=now, default=True)  # fmt: skip
        return made.id
    except IntegrityError:
        existing = sg_store.default_group_id(session, project_id)
        if existing is None:
            raise
        return existing


@dataclasses.dataclass(frozen=True)
class Binding:
    """Where a server's ports are bound."""

    server_uuid: str
    project_id: str
    host: str
    availability_zone: str
    security_group_ids: tuple[str, ...]


def _new_port(session: Session, nic: Nic, binding: Binding, now: dt.datetime) -> Port:
    assert nic.network_id is not None
    net = access.network(session, None, nic.network_id, lock=access.SHARE)
    port = Port(
        id=str(uuid.uuid4()), network_id=net.id, project_id=binding.project_id, name="",
        description="", mac_address=port_rules.random_mac(), admin_state_up=True,
        status=ACTIVE, device_id=binding.server_uuid,
        device_owner=f"{COMPUTE_OWNER}{binding.availability_zone}",
        port_security_enabled=net.port_security_enabled, allowed_address_pairs="[]",
        binding_host_id=binding.host, binding_vnic_type="normal", binding_profile="{}",
        revision_number=1, created_at=now, updated_at=now,
    )  # fmt: skip
    if not port_rules.insert_port(session, port):
        raise Conflict(f"Unable to generate unique mac on network {net.id}.")
    subnets = ipam.lock_subnets(session, net.id)
    fixed = [{"ip_address": nic.fixed_ip}] if nic.fixed_ip is not None else None
    try:
        wants = ipam.plan(session, fixed, subnets, network_id=net.id, mac=port.mac_address,
                          device_owner=port.device_owner)  # fmt: skip
        ipam.allocate(session, wants, port_id=port.id, network_id=net.id)
    except faults.NeutronError as exc:
        raise _refusal(exc, nic) from None
    if port.port_security_enabled:
        sg_store.bind(session, port.id, binding.security_group_ids, new=True)
    return port


def _refusal(exc: faults.NeutronError, nic: Nic) -> CloudError:
    """Neutron's refusal of an address as Nova reports it."""
    if exc.status == 409 and nic.fixed_ip is not None:
        return BadRequest(f"Fixed IP address {nic.fixed_ip} is already in use on instance.")
    if exc.status == 409:
        return Conflict(f"No more IP addresses available on network {nic.network_id}.")
    return BadRequest(f"Invalid fixed IP address ({nic.fixed_ip}): {exc.message}")


def _bind_port(session: Session, port_id: str, binding: Binding, now: dt.datetime) -> Port:
    port: Port | None = session.scalars(
        access.locked(select(Port).where(Port.id == port_id), access.UPDATE)
    ).first()
    if port is None:
        raise BadRequest(f"Port id {port_id} could not be found.")
    if port.device_id:
        raise Conflict(f"Port {port_id} is still in use.")
    port.device_id = binding.server_uuid
    port.device_owner = f"{COMPUTE_OWNER}{binding.availability_zone}"
    port.binding_host_id = binding.host
    port.status = ACTIVE
    port.revision_number += 1
    port.updated_at = now
    return port


def allocate(session: Session, nics: Sequence[Nic], binding: Binding,
             now: dt.datetime) -> list[PortInfo]:  # fmt: skip
    """The server's ports in the order asked for (Nova's allocate_for_instance): a new port on
    each network asked for, in the server's groups; each port given bound to the server (its
    groups as they are, as Nova leaves them)."""
    new = sum(1 for nic in nics if nic.port_id is None)
    try:
        quotas.claim(session, "port", [binding.project_id] * new)
    except faults.NeutronError as exc:
        # Nova's PortLimitExceeded, answered 403 as its servers and interfaces APIs do.
        raise Forbidden("Maximum number of ports exceeded") from exc
    made: list[Port] = []
    for nic in nics:
        if nic.port_id is not None:
            made.append(_bind_port(session, nic.port_id, binding, now))
        else:
            made.append(_new_port(session, nic, binding, now))
    session.flush()
    return _infos(session, made)


def rebind(session: Session, server_uuid: str, *, host: str | None, availability_zone: str,
           now: dt.datetime) -> None:  # fmt: skip
    """The server's ports bound where the server now runs (Nova updates `binding:host_id` and
    the zone in `device_owner` when a move finishes); unbound while it runs nowhere."""
    stmt = access.locked(select(Port).where(Port.device_id == server_uuid), access.UPDATE)
    for port in session.scalars(stmt).all():
        owner = f"{COMPUTE_OWNER}{availability_zone}"
        if port.binding_host_id == (host or "") and port.device_owner == owner:
            continue
        port.binding_host_id = host or ""
        port.device_owner = owner
        port.revision_number += 1
        port.updated_at = now


def release(session: Session, server_uuid: str, now: dt.datetime, *,
            preexisting: Collection[str] = ()) -> None:  # fmt: skip
    """Nova's deallocate_for_instance: the ports made for the server are deleted with their
    addresses; those a user gave it (`preexisting`) are unbound and kept."""
    stmt = access.locked(select(Port).where(Port.device_id == server_uuid), access.UPDATE)
    for port in session.scalars(stmt).all():
        _let_go(session, port, keep=port.id in preexisting, now=now)
    session.flush()


def detach(session: Session, server_uuid: str, port_id: str, now: dt.datetime, *,
           preexisting: bool) -> bool:  # fmt: skip
    """One port off the server (Nova's detach_interface): deleted if it was made for the
    server, unbound if a user gave it; False when the server has no such port."""
    stmt = select(Port).where(Port.id == port_id, Port.device_id == server_uuid)
    port = session.scalars(access.locked(stmt, access.UPDATE)).first()
    if port is None:
        return False
    _let_go(session, port, keep=preexisting, now=now)
    session.flush()
    return True


def _let_go(session: Session, port: Port, *, keep: bool, now: dt.datetime) -> None:
    if not keep:
        # Its floating IPs stay the project's, unassociated, as Neutron's port delete.
        l3_ports.disassociate_port(session, port.id, now)
        tags.forget(session, [port.id])
        ipam.release(session, port.id)
        session.delete(port)
        return
    port.device_id = ""
    port.device_owner = ""
    port.binding_host_id = ""
    port.status = DOWN
    port.revision_number += 1
    port.updated_at = now


def network_names(session: Session, network_ids: Collection[str]) -> dict[str, str]:
    """The networks' names (what a server's addresses are keyed by)."""
    wanted = list(set(network_ids))
    if not wanted:
        return {}
    rows = session.execute(select(Network.id, Network.name).where(Network.id.in_(wanted)))
    return {str(i): str(n) for i, n in rows}
