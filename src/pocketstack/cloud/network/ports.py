"""`/v2.0/ports`: list, create (one or a bulk list), show, update, delete.

Nothing binds a port here: it stays DOWN, its vif_type `unbound`, whatever its binding:host_id.
A MAC address is unique on its network (a constraint: a taken one asked for is 409, a generated
one that collides is generated again); addresses come from ipam.py. A port with port security is
in its project's default security group unless it names its groups (or none), as Neutron's
ports are; a network:* port is in none.
"""

from __future__ import annotations

import collections
import json
import uuid
from typing import Any

import falcon
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import (
    access,
    attributes,
    dhcp_options,
    faults,
    ipam,
    l3_ports,
    listing,
    policy,
    quotas,
    sg_store,
    tags,
)
from pocketstack.cloud.network import port_rules as rules
from pocketstack.cloud.network.body import Creates, Update, is_set
from pocketstack.cloud.network.networks import owner_of
from pocketstack.cloud.network.views import fixed_ips_of, port_views
from pocketstack.cloud.store.models.network import Network
from pocketstack.cloud.store.models.network_port import IPAllocation, Port
from pocketstack.cloud.store.models.network_security import PortSecurityGroup

DOWN = "DOWN"


def _fixed_ips_filter(wanted: list[Any]) -> ColumnElement[bool]:
    """`fixed_ips=ip_address=X`, `subnet_id=Y`, `ip_address_substr=Z`: ports holding such an
    address (each kind a condition of its own, as Neutron's)."""
    by_key: dict[str, list[str]] = collections.defaultdict(list)
    for pair in wanted:
        key, sep, value = str(pair).partition("=")
        if not sep or not key.strip():
            raise faults.invalid_input(f"'{pair}' is not of the form <key>=[value]")
        by_key[key.strip()].append(value.strip())
    clauses: list[ColumnElement[bool]] = []
    if "ip_address" in by_key:
        clauses.append(Port.id.in_(select(IPAllocation.port_id).where(
            IPAllocation.ip_address.in_(by_key["ip_address"]))))  # fmt: skip
    if "subnet_id" in by_key:
        clauses.append(Port.id.in_(select(IPAllocation.port_id).where(
            IPAllocation.subnet_id.in_(by_key["subnet_id"]))))  # fmt: skip
    for part in by_key.get("ip_address_substr", []):
        clauses.append(Port.id.in_(select(IPAllocation.port_id).where(
            IPAllocation.ip_address.contains(part, autoescape=True))))  # fmt: skip
    return and_(*clauses)


def _groups_filter(wanted: list[Any]) -> ColumnElement[bool]:
    """`security_groups=X`: ports in any of the groups (port-security-groups-filtering)."""
    return Port.id.in_(select(PortSecurityGroup.port_id).where(
        PortSecurityGroup.security_group_id.in_([str(w) for w in wanted])))  # fmt: skip


LISTABLE = listing.Listable(
    collection="ports",
    attributes=attributes.PORT,
    id_column=Port.id,
    updated_column=Port.updated_at,
    tagged=True,
    columns={
        "id": Port.id, "name": Port.name, "project_id": Port.project_id,
        "description": Port.description, "network_id": Port.network_id,
        "admin_state_up": Port.admin_state_up, "mac_address": Port.mac_address,
        "device_id": Port.device_id, "device_owner": Port.device_owner, "status": Port.status,
        "binding:host_id": Port.binding_host_id, "created_at": Port.created_at,
        "updated_at": Port.updated_at, "revision_number": Port.revision_number,
    },
    hooks={"fixed_ips": _fixed_ips_filter, "security_groups": _groups_filter},
)  # fmt: skip


def _new_groups(ctx: RequestContext, session: Session, item: dict[str, Any], project: str,
                security: bool, default: str | None) -> list[str]:  # fmt: skip
    """A new port's groups (Neutron's _ensure_default_security_group_on_port and
    _get_security_groups_on_port): those asked for, else the project's default group; none
    without port security (asking for some then is a 400), none for a network:* port."""
    asked = item["security_groups"]
    if not security:
        if is_set(asked) and asked:
            raise rules.groups_need_security()
        return []
    if rules.is_trusted(item["device_owner"]):
        return []
    if not is_set(asked):
        asked = [default] if default is not None else []
    return sg_store.groups_for_port(session, ctx, project, asked)


def _new_port(ctx: RequestContext, session: Session, item: dict[str, Any], given: frozenset[str],
              now: Any, defaults: dict[str, str | None]) -> Port:  # fmt: skip
    net = access.network(session, ctx, item["network_id"], lock=access.SHARE)
    project = owner_of(ctx, item)
    if not policy.is_privileged(ctx) and not net.shared and net.project_id != project:
        raise faults.hidden()
    if not policy.creates_port(ctx, net):
        raise faults.policy_refused("create_port")
    rules.check_attributes("create_port", ctx, net, project, item, given)
    security = item["port_security_enabled"]
    security = net.port_security_enabled if not is_set(security) else security
    pairs = item["allowed_address_pairs"] if is_set(item["allowed_address_pairs"]) else []
    rules.check_security(security, pairs)
    mac = item["mac_address"]
    host = item["binding:host_id"]
    profile = item["binding:profile"]
    port = Port(
        id=str(uuid.uuid4()), network_id=net.id, project_id=project, name=item["name"],
        description=item["description"], mac_address=mac if is_set(mac) else rules.random_mac(),
        admin_state_up=item["admin_state_up"], status=DOWN, device_id=item["device_id"],
        device_owner=item["device_owner"], port_security_enabled=security,
        allowed_address_pairs=json.dumps(pairs), binding_host_id=host if is_set(host) else "",
        binding_vnic_type=item["binding:vnic_type"],
        binding_profile=json.dumps(profile if is_set(profile) else {}), revision_number=1,
        created_at=now, updated_at=now,
    )  # fmt: skip
    if not rules.insert_port(session, port, mac_given=is_set(mac)):
        raise rules.no_free_mac(port.network_id)
    subnets = ipam.lock_subnets(session, net.id)
    fixed = item["fixed_ips"]
    wants = ipam.plan(session, fixed if is_set(fixed) else None, subnets, network_id=net.id,
                      mac=port.mac_address, device_owner=port.device_owner)  # fmt: skip
    ipam.allocate(session, wants, port_id=port.id, network_id=net.id)
    groups = _new_groups(ctx, session, item, project, security, defaults.get(project))
    sg_store.bind(session, port.id, groups, new=True)
    dhcp_options.create(session, port.id, item.get("extra_dhcp_opts"))
    return port


class PortList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        query = listing.parse(req.query_string, LISTABLE)
        stmt = select(Port).where(access.visible_ports(ctx),
                                  *listing.where(LISTABLE, query.filters))  # fmt: skip
        with self._deps.store.session() as session:
            marker = None
            if query.limit is not None and query.marker is not None:
                marker = listing.marker_of(access.port(session, ctx, query.marker)[0], LISTABLE)
            rows = listing.keyset_page(session, stmt, LISTABLE, query, marker)
            views = port_views(session, rows, ctx)
        resp.media = listing.page_body(req, query, "ports", views, [r.id for r in rows])

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        new = request_of(req, Creates)
        now = self._deps.clock.now()
        # The projects' default groups exist before the ports' transaction (their own).
        owners = [owner_of(ctx, item) for item in new.items]
        projects = dict.fromkeys(owners)
        defaults = {p: sg_store.ensure_default(self._deps.store, ctx, p, now) for p in projects}
        with self._deps.store.session(write=True) as session:
            quotas.claim(session, "port", owners)
            made = [_new_port(ctx, session, item, given, now, defaults)
                    for item, given in zip(new.items, new.given, strict=True)]  # fmt: skip
            session.flush()
            views = port_views(session, made, ctx)
        resp.status = falcon.HTTP_201
        resp.media = {"ports": views} if new.bulk else {"port": views[0]}


def readdress(session: Session, port: Port, net: Network, requested: list[dict[str, str]] | None,
               mac_changed: bool) -> None:  # fmt: skip
    """New fixed_ips for the port (Neutron's _get_changed_ips_for_port): addresses asked for and
    held are kept, the rest released, new ones allocated; SLAAC addresses stay (recomputed when
    the MAC changes)."""
    subnets = ipam.lock_subnets(session, net.id)
    by_id = {s.id: s for s in subnets}
    held = [(a["subnet_id"], a["ip_address"]) for a in fixed_ips_of(session, [port.id])[port.id]]
    router = port.device_owner in ipam.ROUTER_OWNERS
    keep: set[tuple[str, str]] = set()
    add: list[dict[str, str]] = []
    if requested is None:
        keep = set(held)
    else:
        by_ip = {ip: (sid, ip) for sid, ip in held}
        for fixed in requested:
            if "ip_address" in fixed and fixed["ip_address"] in by_ip:
                keep.add(by_ip.pop(fixed["ip_address"]))
            elif "ip_address" in fixed:
                add.append(fixed)
        by_subnet: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
        for sid, ip in by_ip.values():
            by_subnet[sid].append((sid, ip))
        for fixed in requested:
            if "ip_address" in fixed:
                continue
            spare = by_subnet.get(fixed.get("subnet_id", ""))
            if spare:
                keep.add(spare.pop())
            else:
                add.append(fixed)
        for sid, ip in held:
            subnet = by_id.get(sid)
            if subnet is not None and ipam.is_auto(subnet) and not router:
                keep.add((sid, ip))
    if mac_changed:
        keep = {(sid, ip) for sid, ip in keep if not (sid in by_id and ipam.is_auto(by_id[sid]))}
    for row in session.scalars(select(IPAllocation).where(IPAllocation.port_id == port.id)):
        if (row.subnet_id, row.ip_address) not in keep:
            session.delete(row)
            ipam.freed(by_id.get(row.subnet_id), row.ip_address)
    session.flush()
    wants = ipam.wants_for_fixed(session, add, subnets, network_id=net.id, mac=port.mac_address,
                                 device_owner=port.device_owner)  # fmt: skip
    handled = {w.subnets[0].id for w in wants} | {sid for sid, _ in keep}
    if not router:
        wants += [ipam.Want((s,), ipam.eui64(s.cidr, port.mac_address)) for s in subnets
                  if ipam.is_auto(s) and s.id not in handled]  # fmt: skip
    ipam.allocate(session, wants, port_id=port.id, network_id=net.id)


_COLUMNS = {
    "name": "name", "description": "description", "admin_state_up": "admin_state_up",
    "device_id": "device_id", "device_owner": "device_owner",
    "port_security_enabled": "port_security_enabled", "binding:host_id": "binding_host_id",
    "binding:vnic_type": "binding_vnic_type",
}  # fmt: skip


def _update(ctx: RequestContext, session: Session, port: Port, net: Network,
            changes: dict[str, Any], now: Any) -> None:  # fmt: skip
    rules.check_attributes("update_port", ctx, net, port.project_id, changes, set(changes))
    new_mac: str = changes.get("mac_address") or port.mac_address
    mac_changed = new_mac != port.mac_address
    if mac_changed and port.device_owner.startswith("network:"):
        raise faults.conflict("UnsupportedPortDeviceOwner",
                              f"Operation mac address update is not supported for device_owner"
                              f" {port.device_owner} on port {port.id}.")  # fmt: skip
    for name, column in _COLUMNS.items():
        if name in changes:
            setattr(port, column, changes[name])
    if "binding:profile" in changes:
        port.binding_profile = json.dumps(changes["binding:profile"])
    pairs = json.loads(port.allowed_address_pairs)
    if "allowed_address_pairs" in changes:
        pairs = changes["allowed_address_pairs"]
        port.allowed_address_pairs = json.dumps(pairs)
    rules.check_security(port.port_security_enabled, pairs)
    _regroup(ctx, session, port, changes)
    if "extra_dhcp_opts" in changes:
        dhcp_options.merge(session, port.id, changes["extra_dhcp_opts"])
    if mac_changed:
        port.mac_address = new_mac
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError:
            raise rules.mac_in_use(port.network_id, new_mac) from None
    if "fixed_ips" in changes or mac_changed:
        readdress(session, port, net, changes.get("fixed_ips"), mac_changed)
    port.revision_number += 1
    port.updated_at = now


def _regroup(ctx: RequestContext, session: Session, port: Port, changes: dict[str, Any]) -> None:
    """The port's groups changed, if asked (Neutron's update_security_group_on_port); without
    port security it may be in none."""
    asked: list[str] | None = changes.get("security_groups")
    current = sg_store.groups_of_ports(session, [port.id])[port.id]
    if not port.port_security_enabled:
        if asked:
            raise rules.groups_need_security()
        if asked is None and current:
            raise rules.has_groups()
    if asked is not None and set(asked) != set(current):
        trusted = rules.is_trusted(changes.get("device_owner", ""))
        groups = [] if trusted else sg_store.groups_for_port(session, ctx, port.project_id, asked)
        sg_store.bind(session, port.id, groups)


class PortItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, port_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session() as session:
            port, _ = access.port(session, ctx, port_id)
            view = port_views(session, [port], ctx)[0]
        resp.media = {"port": listing.select_fields(view, listing.show_fields(req))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, port_id: str) -> None:
        ctx: RequestContext = req.context.auth
        changes = request_of(req, Update).changes
        with self._deps.store.session(write=True) as session:
            port, net = access.port(session, ctx, port_id, lock=True)
            if not policy.updates_port(ctx, port):
                raise faults.policy_refused("update_port")
            _update(ctx, session, port, net, changes, self._deps.clock.now())
            session.flush()
            view = port_views(session, [port], ctx)[0]
        resp.media = {"port": view}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, port_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            port, net = access.port(session, ctx, port_id, lock=True)
            if not policy.deletes_port(ctx, port, net):
                raise faults.policy_refused("delete_port")
            l3_ports.check_port_delete(session, port)
            l3_ports.disassociate_port(session, port.id, self._deps.clock.now())
            ipam.release(session, port.id)
            tags.forget(session, [port.id])
            session.delete(port)
        resp.status = falcon.HTTP_204
