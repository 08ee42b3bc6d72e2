"""`/v2.0/floatingips`: list, create, show, update (associate, disassociate), delete.

A floating IP is an address on a router:external network held by a port of its own
(device_owner network:floatingip, of no project, as Neutron's), so two creates never get the
same one (ipam.py). Associated with a port's fixed address, it goes through a router that has
the external network as its gateway and an interface on the fixed address's subnet (else
ExternalGatewayForFloatingIPNotFound); one fixed address has at most one floating IP, a
constraint's answer. Status: ACTIVE while associated, DOWN otherwise (no agent to wait for).
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import (
    access,
    faults,
    ipam,
    l3_attributes,
    l3_ports,
    listing,
    quotas,
    tags,
)
from pocketstack.cloud.network import l3_views as views
from pocketstack.cloud.network.body import Creates, Update, is_set
from pocketstack.cloud.network.networks import owner_of
from pocketstack.cloud.store.models.network import Network
from pocketstack.cloud.store.models.network_l3 import FloatingIP, Router, RouterInterface
from pocketstack.cloud.store.models.network_port import IPAllocation

LISTABLE = listing.Listable(
    collection="floatingips",
    attributes=l3_attributes.FLOATINGIP,
    id_column=FloatingIP.id,
    updated_column=FloatingIP.updated_at,
    tagged=True,
    columns={
        "id": FloatingIP.id, "project_id": FloatingIP.project_id,
        "description": FloatingIP.description,
        "floating_ip_address": FloatingIP.floating_ip_address,
        "floating_network_id": FloatingIP.floating_network_id,
        "router_id": FloatingIP.router_id, "port_id": FloatingIP.fixed_port_id,
        "fixed_ip_address": FloatingIP.fixed_ip_address, "status": FloatingIP.status,
        "created_at": FloatingIP.created_at, "updated_at": FloatingIP.updated_at,
        "revision_number": FloatingIP.revision_number,
    },
    nullable=frozenset({"router_id", "port_id", "fixed_ip_address"}),
)  # fmt: skip


def bad_fip(message: str) -> faults.NeutronError:
    return faults.bad_request(f"Bad floatingip request: {message}.", kind="BadRequest")


def _address_wants(session: Session, net: Network, item: dict[str, Any]) -> list[ipam.Want]:
    """Where the address comes from: the one asked for, else the subnet named, else the first
    of the network's IPv4 subnets with room (subnets locked)."""
    subnets = [s for s in ipam.lock_subnets(session, net.id) if s.ip_version == 4]
    if item["subnet_id"] is not None:
        subnets = [s for s in subnets if s.id == item["subnet_id"]]
        if not subnets:
            raise bad_fip(f"Subnet {item['subnet_id']} is not an IPv4 subnet of network"
                          f" {net.id}")  # fmt: skip
    if not subnets:
        raise bad_fip(f"Network {net.id} does not contain any IPv4 subnet")
    address = item["floating_ip_address"]
    if is_set(address):
        for subnet in subnets:
            if ipam.valid_on(subnet, address, l3_ports.FLOATING):
                return [ipam.Want((subnet,), address, named=True)]
        raise faults.bad_request(f"IP address {address} is not a valid IP for any of the"
                                 " subnets on the specified network.",
                                 kind="InvalidIpForNetwork")  # fmt: skip
    return [ipam.Want(tuple(subnets))]


def new_floating_ip(ctx: RequestContext, session: Session, item: dict[str, Any],
                    given: frozenset[str], now: Any) -> FloatingIP:  # fmt: skip
    project = owner_of(ctx, item)
    if not ctx.is_admin and "floating_ip_address" in given:
        raise faults.policy_refused("create_floatingip", "create_floatingip:floating_ip_address")
    net = access.network(session, ctx, item["floating_network_id"], lock=access.SHARE)
    if not net.external:
        raise bad_fip(f"Network {net.id} is not a valid external network")
    fip_id = str(uuid.uuid4())
    port = l3_ports.new_port(session, net, project="", device_owner=l3_ports.FLOATING,
                             device_id=fip_id, fixed_ips=[], now=now)  # fmt: skip
    done = ipam.allocate(session, _address_wants(session, net, item), port_id=port.id,
                         network_id=net.id)  # fmt: skip
    fip = FloatingIP(id=fip_id, project_id=project, description=item["description"],
                     floating_network_id=net.id, floating_port_id=port.id,
                     floating_ip_address=done[0].ip_address, status=l3_ports.DOWN,
                     revision_number=1, created_at=now, updated_at=now)  # fmt: skip
    session.add(fip)
    session.flush()
    if item["port_id"] is not None:
        associate(ctx, session, fip, item["port_id"], item["fixed_ip_address"])
    return fip


def _fixed_address(port_id: str, held: list[str], asked: str | None) -> str:
    if asked is not None:
        if asked not in held:
            raise bad_fip(f"Port {port_id} does not have fixed ip {asked}")
        return asked
    v4 = [a for a in held if ipaddress.ip_address(a).version == 4]
    if not v4:
        raise bad_fip(f"Port {port_id} does not have any IPv4 address")
    if len(v4) > 1:
        raise bad_fip(f"Port {port_id} has multiple fixed IPv4 addresses. Must provide a"
                      " specific IPv4 address when assigning a floating IP")  # fmt: skip
    return v4[0]


def _router_for(session: Session, fip: FloatingIP, port_id: str, address: str) -> str:
    """The router between the fixed address's subnet and the floating IP's network."""
    subnet_id = session.scalars(select(IPAllocation.subnet_id).where(
        IPAllocation.port_id == port_id, IPAllocation.ip_address == address)).first()  # fmt: skip
    routers = select(RouterInterface.router_id).where(RouterInterface.subnet_id == subnet_id)
    found = session.scalars(select(Router.id).where(
        Router.id.in_(routers), Router.gw_network_id == fip.floating_network_id)
        .order_by(Router.id)).first()  # fmt: skip
    if found is None:
        raise faults.not_found(
            "ExternalGatewayForFloatingIPNotFound",
            f"External network {fip.floating_network_id} is not reachable from subnet"
            f" {subnet_id}.  Therefore, cannot associate Port {port_id} with a Floating IP.",
        )
    return found


def associate(ctx: RequestContext, session: Session, fip: FloatingIP, port_id: str,
               asked: str | None) -> None:  # fmt: skip
    # Locked: a port deleted meanwhile cannot take the association with it.
    port, _ = access.port(session, ctx, port_id, lock=True)
    if not ctx.is_admin and port.project_id != fip.project_id:
        raise bad_fip(f"Cannot create floating IP and bind it to Port {port.id}, since that"
                      " port is owned by a different tenant")  # fmt: skip
    if port.device_owner in l3_ports.OWNED:
        raise bad_fip(f"Port {port.id} has owner {port.device_owner} and therefore cannot be"
                      " associated with a floating IP")  # fmt: skip
    held = list(session.scalars(select(IPAllocation.ip_address).where(
        IPAllocation.port_id == port.id).order_by(IPAllocation.id)))  # fmt: skip
    address = _fixed_address(port.id, held, asked)
    router_id = _router_for(session, fip, port.id, address)
    try:
        # The savepoint first: beginning one flushes what is pending.
        with session.begin_nested():
            fip.fixed_port_id, fip.fixed_ip_address = port.id, address
            fip.router_id, fip.status = router_id, l3_ports.ACTIVE
            session.flush()
    except IntegrityError:
        raise faults.conflict(
            "FloatingIPPortAlreadyAssociated",
            f"Cannot associate floating IP {fip.floating_ip_address} ({fip.id}) with port"
            f" {port.id} using fixed IP {address}, as that fixed IP already has a floating IP"
            f" on external network {fip.floating_network_id}.",
        ) from None


def disassociate(fip: FloatingIP) -> None:
    fip.fixed_port_id = fip.fixed_ip_address = fip.router_id = None
    fip.status = l3_ports.DOWN


class FloatingIPList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        query = listing.parse(req.query_string, LISTABLE)
        stmt = select(FloatingIP).where(views.visible_floatingips(ctx),
                                        *listing.where(LISTABLE, query.filters))  # fmt: skip
        with self._deps.store.session() as session:
            marker = None
            if query.limit is not None and query.marker is not None:
                marker = listing.marker_of(views.floatingip(session, ctx, query.marker),
                                           LISTABLE)  # fmt: skip
            rows = listing.keyset_page(session, stmt, LISTABLE, query, marker)
            shown = views.floatingip_views(session, rows)
        resp.media = listing.page_body(req, query, "floatingips", shown, [r.id for r in rows])

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        new = request_of(req, Creates)
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            quotas.claim(session, "floatingip", [owner_of(ctx, item) for item in new.items])
            made = [new_floating_ip(ctx, session, item, given, now)
                    for item, given in zip(new.items, new.given, strict=True)]  # fmt: skip
            session.flush()
            shown = views.floatingip_views(session, made)
        resp.status = falcon.HTTP_201
        resp.media = {"floatingips": shown} if new.bulk else {"floatingip": shown[0]}


class FloatingIPItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, floatingip_id: str) -> None:
        with self._deps.store.session() as session:
            fip = views.floatingip(session, req.context.auth, floatingip_id)
            view = views.floatingip_views(session, [fip])[0]
        resp.media = {"floatingip": listing.select_fields(view, listing.show_fields(req))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, floatingip_id: str) -> None:
        ctx: RequestContext = req.context.auth
        changes = request_of(req, Update).changes
        with self._deps.store.session(write=True) as session:
            fip = views.floatingip(session, ctx, floatingip_id, lock=access.UPDATE)
            if not views.changes(ctx, fip.project_id):
                raise faults.policy_refused("update_floatingip")
            if "port_id" in changes or "fixed_ip_address" in changes:
                port_id = changes.get("port_id", fip.fixed_port_id)
                disassociate(fip)
                session.flush()
                if port_id is not None:
                    associate(ctx, session, fip, port_id, changes.get("fixed_ip_address"))
            if "description" in changes:
                fip.description = changes["description"]
            fip.revision_number += 1
            fip.updated_at = self._deps.clock.now()
            session.flush()
            view = views.floatingip_views(session, [fip])[0]
        resp.media = {"floatingip": view}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, floatingip_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            fip = views.floatingip(session, ctx, floatingip_id, lock=access.UPDATE)
            if not views.changes(ctx, fip.project_id):
                raise faults.policy_refused("delete_floatingip")
            port_id = fip.floating_port_id
            tags.forget(session, [fip.id])
            session.delete(fip)
            session.flush()
            l3_ports.drop_port(session, port_id)
        resp.status = falcon.HTTP_204
