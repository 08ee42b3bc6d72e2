"""What the compute service asks of the network service about a server's security groups
(Nova's nova/network/security_group_api.py): the groups on the server's ports, in Nova's shapes
for its os-security-groups list and for its server views, and a group added to or removed from
every port of the server (Nova's addSecurityGroup, removeSecurityGroup).

These run in the session compute holds the server in; the ports are locked FOR UPDATE before
their groups change, and the groups bound as the network service binds a port's
(sg_store.groups_for_port, FOR SHARE), so that no group is deleted while a port joins it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import BadRequest, Conflict, NotFound
from pocketstack.cloud.network import access, faults, sg_for_compute, sg_store
from pocketstack.cloud.store.inlist import in_values
from pocketstack.cloud.store.models.network import Network
from pocketstack.cloud.store.models.network_port import IPAllocation, Port
from pocketstack.cloud.store.models.network_security import SecurityGroup


def server_groups(session: Session, ctx: RequestContext, port_groups: Sequence[Sequence[str]],
                  ) -> list[dict[str, Any]]:  # fmt: skip
    """Nova's groups of a server: each group on each of its ports (once a port) that the
    caller sees, sorted by project and name."""
    wanted = sorted({g for groups in port_groups for g in groups})
    rows = session.scalars(select(SecurityGroup).where(SecurityGroup.id.in_(wanted),
                                                       access.visible_groups(ctx)))  # fmt: skip
    found = {g.id: g for g in rows}
    views = {v["id"]: v for v in sg_for_compute.group_views(session, list(found.values()))}
    return sg_for_compute.sorted_views(
        [views[g] for groups in port_groups for g in groups if g in views]
    )


def group_names_of_servers(
    session: Session, ctx: RequestContext, server_uuids: Sequence[str]
) -> dict[str, list[dict[str, str]]]:
    """Nova's security_groups of servers' views (its bindings, not detailed): for each server
    with any, `{"name": ...}` for each group on each of its ports that the caller sees (a
    group without a name by its id)."""
    if not server_uuids:
        return {}
    dialect = session.get_bind().dialect.name
    stmt = select(Port.id, Port.device_id).where(
        in_values(Port.device_id, list(server_uuids), dialect)
    )
    ports = session.execute(stmt.order_by(Port.created_at, Port.id)).all()
    bound = sg_store.groups_of_ports(session, [p for p, _ in ports])
    wanted = sorted({g for groups in bound.values() for g in groups})
    names = dict(session.execute(select(SecurityGroup.id, SecurityGroup.name).where(
        SecurityGroup.id.in_(wanted), access.visible_groups(ctx))).all())  # fmt: skip
    found: dict[str, list[dict[str, str]]] = {}
    for port_id, server in ports:
        for group in bound[port_id]:
            if group in names:
                found.setdefault(server, []).append({"name": names[group] or group})
    return found


def put_groups_in_views(
    session: Session, ctx: RequestContext, views: Sequence[dict[str, Any]]
) -> None:
    """Nova's servers' views show the groups of each server's ports (by name, once a port),
    and no `security_groups` when there are none: each view that has the key gets its
    server's."""
    shown = [v for v in views if "security_groups" in v]
    found = group_names_of_servers(session, ctx, [v["id"] for v in shown])
    for view in shown:
        if view["id"] in found:
            view["security_groups"] = found[view["id"]]
        else:
            del view["security_groups"]


def _by_name_or_id(session: Session, ctx: RequestContext, name: str) -> str:
    """neutronclient's find_resourceid_by_name_or_id within the caller's project: an id first,
    then a name (more than one: Nova's 409)."""
    project = ctx.project_id or ""
    mine = SecurityGroup.project_id == project
    by_id = session.scalar(select(SecurityGroup.id).where(SecurityGroup.id == name, mine))
    if by_id is not None:
        return str(by_id)
    named = list(session.scalars(select(SecurityGroup.id).where(SecurityGroup.name == name,
                                                                 mine).limit(2)))  # fmt: skip
    if len(named) > 1:
        raise Conflict(f"Multiple security_group matches found for name '{name}', use an ID to"
                       " be more specific.")  # fmt: skip
    if not named:
        raise NotFound(f"Security group {name} is not found for project {project}")
    return str(named[0])


def _server_ports(session: Session, server_uuid: str) -> list[Port]:
    """The server's ports, locked as a port's update locks them: their networks FOR SHARE (in
    id order), then the ports FOR UPDATE (id order), so that a network's delete and a port's
    update never wait on this in turn."""
    mine = Port.device_id == server_uuid
    networks = sorted(set(session.scalars(select(Port.network_id).where(mine))))
    if networks:
        stmt = select(Network.id).where(Network.id.in_(networks)).order_by(Network.id)
        session.scalars(access.locked(stmt, access.SHARE)).all()
    ports = list(session.scalars(access.locked(select(Port).where(mine).order_by(Port.id),
                                               access.UPDATE)))  # fmt: skip
    if not ports:
        raise NotFound(f"instance_id {server_uuid} could not be found as device id on any ports")
    return sorted(ports, key=lambda p: (p.created_at, p.id))


def add_to_server(session: Session, ctx: RequestContext, now: dt.datetime, server_uuid: str,
                  name: str) -> None:  # fmt: skip
    """Nova's add_to_instance: the group (by name or id, the caller's project's) added to every
    port of the server; a port without an address or port security takes none (400), one that
    has the group already is refused as Neutron refuses a group twice."""
    group_id = _by_name_or_id(session, ctx, name)
    ports = _server_ports(session, server_uuid)
    current = sg_store.groups_of_ports(session, [p.id for p in ports])
    addressed = _addressed(session, [p.id for p in ports])
    for port in ports:
        if not port.port_security_enabled or port.id not in addressed:
            raise BadRequest("Network requires port_security_enabled and subnet associated in"
                             " order to apply security groups.")  # fmt: skip
        if group_id in current[port.id]:
            raise BadRequest(f"Invalid input for security_groups. Reason: Duplicate items in the"
                             f" list: '{group_id}'.")  # fmt: skip
        wanted = [*current[port.id], group_id]
        try:
            wanted = sg_store.groups_for_port(session, ctx, port.project_id, wanted)
        except faults.NeutronError as exc:
            raise (Conflict if exc.status == 409 else BadRequest)(exc.message) from None
        sg_store.bind(session, port.id, wanted)
        port.revision_number += 1
        port.updated_at = now


def remove_from_server(session: Session, ctx: RequestContext, now: dt.datetime,
                       server_uuid: str, name: str) -> None:  # fmt: skip
    """Nova's remove_from_instance: the group taken off every port of the server that has it;
    on none of them, 404."""
    group_id = _by_name_or_id(session, ctx, name)
    ports = _server_ports(session, server_uuid)
    current = sg_store.groups_of_ports(session, [p.id for p in ports])
    found = False
    for port in ports:
        if group_id not in current[port.id]:
            continue
        sg_store.bind(session, port.id, [g for g in current[port.id] if g != group_id])
        port.revision_number += 1
        port.updated_at = now
        found = True
    if not found:
        raise NotFound(f"Security group {name} not associated with the instance {server_uuid}")


def _addressed(session: Session, port_ids: list[str]) -> set[str]:
    return set(session.scalars(select(IPAllocation.port_id).where(
        IPAllocation.port_id.in_(port_ids))))  # fmt: skip
