"""`PUT /v2.0/routers/{id}/add_router_interface` and `remove_router_interface`: a router
attached to a subnet through a port at the subnet's gateway address (by subnet), or through a
port the caller made (by port), as Neutron's l3_db does.

A subnet is attached to a router once: the (router, subnet) key refuses the second, whoever
tries at once; the router's row, read FOR UPDATE first, keeps two changes of its interfaces from
interleaving, so overlapping subnets are never both attached.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import access, faults, ipam, l3_ports
from pocketstack.cloud.network import l3_views as views
from pocketstack.cloud.network.api.l3 import Interface
from pocketstack.cloud.network.routers import bad_router
from pocketstack.cloud.store.models.network import Subnet
from pocketstack.cloud.store.models.network_l3 import FloatingIP, Router, RouterInterface
from pocketstack.cloud.store.models.network_port import IPAllocation, Port


def _answer(router: Router, port: Port, subnet_ids: list[str]) -> dict[str, Any]:
    return {"id": router.id, "tenant_id": port.project_id, "project_id": port.project_id,
            "port_id": port.id, "subnet_id": subnet_ids[0] if subnet_ids else "",
            "subnet_ids": subnet_ids, "network_id": port.network_id}  # fmt: skip


def _check_new(session: Session, router: Router, subnets: list[Subnet]) -> None:
    """400 for a subnet attached to the router (locked by the caller) already, or overlapping
    one that is."""
    attached = select(RouterInterface.subnet_id).where(RouterInterface.router_id == router.id)
    others = list(session.scalars(select(Subnet).where(Subnet.id.in_(attached))))
    for subnet in subnets:
        if any(o.id == subnet.id for o in others):
            raise bad_router(f"Router already has a port on subnet {subnet.id}")
        cidr = ipaddress.ip_network(subnet.cidr)
        for other in others:
            if cidr.overlaps(ipaddress.ip_network(other.cidr)):
                raise bad_router(f"Cidr {subnet.cidr} of subnet {subnet.id} overlaps with cidr"
                                 f" {other.cidr} of subnet {other.id}")  # fmt: skip
        others.append(subnet)


def _record(session: Session, router: Router, subnets: list[Subnet], port_id: str) -> None:
    """The attachments stored; their key refuses one made meanwhile (400 as well)."""
    for subnet in subnets:
        try:
            with session.begin_nested():
                session.add(RouterInterface(router_id=router.id, subnet_id=subnet.id,
                                            port_id=port_id))  # fmt: skip
        except IntegrityError:
            raise bad_router(f"Router already has a port on subnet {subnet.id}") from None


def _by_subnet(ctx: RequestContext, session: Session, router: Router, subnet_id: str,
               now: Any) -> tuple[Port, list[str]]:  # fmt: skip
    subnet, _ = access.subnet(session, ctx, subnet_id)
    if not subnet.gateway_ip:
        raise bad_router("Subnet for router interface must have a gateway IP")
    return attach_subnet(session, router, subnet, now), [subnet.id]


def attach_subnet(session: Session, router: Router, subnet: Subnet, now: Any) -> Port:
    """The router's interface on `subnet` (which has a gateway) at its gateway address; the
    caller has checked who asks (the bootstrap: nobody)."""
    net = access.network(session, None, subnet.network_id, lock=access.SHARE)
    # Before the port: a refused attachment is told as such, not as its address taken.
    _check_new(session, router, [subnet])
    fixed = [{"subnet_id": subnet.id, "ip_address": subnet.gateway_ip or ""}]
    port = l3_ports.new_port(session, net, project=subnet.project_id,
                             device_owner=l3_ports.INTERFACE, device_id=router.id,
                             fixed_ips=fixed, now=now)  # fmt: skip
    _record(session, router, [subnet], port.id)
    return port


def _by_port(ctx: RequestContext, session: Session, router: Router,
             port_id: str) -> tuple[Port, list[str]]:  # fmt: skip
    port, net = access.port(session, ctx, port_id, lock=True)
    if port.device_id or port.device_owner:
        raise faults.conflict(
            "PortInUse", f"Unable to complete operation on port {port.id} for network"
            f" {net.id}. Port already has an attached device {port.device_id}.")  # fmt: skip
    held = list(session.scalars(select(IPAllocation.subnet_id).where(
        IPAllocation.port_id == port.id).order_by(IPAllocation.id)))  # fmt: skip
    if not held:
        raise bad_router("Router port must have at least one fixed IP")
    subnets = list(session.scalars(select(Subnet).where(Subnet.id.in_(held))))
    if len([s for s in subnets if s.ip_version == 4]) > 1:
        raise bad_router("Cannot have multiple IPv4 subnets on router port")
    _check_new(session, router, subnets)
    _record(session, router, subnets, port.id)
    # Up as soon as it is the router's (no agent to wait for), as the router's own ports are.
    port.device_id, port.device_owner, port.status = router.id, l3_ports.INTERFACE, "ACTIVE"
    return port, list(dict.fromkeys(held))


def _check_unused(session: Session, router: Router, port: Port, subnet_ids: list[str]) -> None:
    """An interface a floating IP or a route goes through stays (409)."""
    cidrs = [ipaddress.ip_network(c) for c in
             session.scalars(select(Subnet.cidr).where(Subnet.id.in_(subnet_ids)))]  # fmt: skip
    for route in json.loads(router.routes):
        hop = ipaddress.ip_address(route["nexthop"])
        if any(hop.version == c.version and hop in c for c in cidrs):
            raise faults.conflict(
                "RouterInterfaceInUseByRoute", f"Router interface for subnet {subnet_ids[0]} on"
                f" router {router.id} cannot be deleted, as it is required by one or more"
                " routes.")  # fmt: skip
    fixed = select(IPAllocation.port_id).where(IPAllocation.subnet_id.in_(subnet_ids))
    used = session.scalars(
        select(FloatingIP.id)
        .where(FloatingIP.router_id == router.id, FloatingIP.fixed_port_id.in_(fixed))
        .limit(1)
    ).first()
    if used is not None:
        raise faults.conflict(
            "RouterInterfaceInUseByFloatingIP", f"Router interface for subnet {subnet_ids[0]}"
            f" on router {router.id} cannot be deleted, as it is required by one or more"
            " floating IPs.")  # fmt: skip


def _remove(session: Session, router: Router, wanted: Interface) -> tuple[Port, list[str]]:
    rows = select(RouterInterface).where(RouterInterface.router_id == router.id)
    if wanted.port_id is not None:
        found = list(session.scalars(rows.where(RouterInterface.port_id == wanted.port_id)))
        if not found:
            raise faults.not_found("RouterInterfaceNotFound", f"Router {router.id} does not"
                                   f" have an interface with id {wanted.port_id}")  # fmt: skip
        if wanted.subnet_id is not None and wanted.subnet_id not in {r.subnet_id for r in found}:
            raise faults.conflict("SubnetMismatchForPort", f"Subnet {wanted.subnet_id} on port"
                                  f" {wanted.port_id} does not match.")  # fmt: skip
    else:
        found = list(session.scalars(rows.where(RouterInterface.subnet_id == wanted.subnet_id)))
        if not found:
            raise faults.not_found("RouterInterfaceNotFoundForSubnet", f"Router {router.id} has"
                                   f" no interface on subnet {wanted.subnet_id}")  # fmt: skip
    port = session.get(Port, found[0].port_id)
    assert port is not None
    subnet_ids = [r.subnet_id for r in found]
    _check_unused(session, router, port, subnet_ids)
    for row in found:
        session.delete(row)
    session.flush()
    remaining = session.scalars(select(RouterInterface.subnet_id).where(
        RouterInterface.port_id == port.id).limit(1)).first()  # fmt: skip
    if remaining is None:
        l3_ports.drop_port(session, port.id)
    else:
        ipam.release(session, port.id, subnet_ids)
    return port, subnet_ids


class RouterInterfaces:
    """Both actions, told apart by the route's last segment."""

    def __init__(self, deps: CloudDeps, action: str) -> None:
        self._deps = deps
        self._action = action

    def on_put(self, req: falcon.Request, resp: falcon.Response, router_id: str) -> None:
        ctx: RequestContext = req.context.auth
        wanted = request_of(req, Interface)
        with self._deps.store.session(write=True) as session:
            router = views.router(session, ctx, router_id, lock=access.UPDATE)
            if not views.changes(ctx, router.project_id):
                raise faults.policy_refused(f"{self._action}_router_interface")
            if self._action == "remove":
                port, subnet_ids = _remove(session, router, wanted)
            elif wanted.port_id is not None:
                if wanted.subnet_id is not None:
                    raise bad_router("Cannot specify both subnet-id and port-id")
                port, subnet_ids = _by_port(ctx, session, router, wanted.port_id)
            else:
                assert wanted.subnet_id is not None
                port, subnet_ids = _by_subnet(ctx, session, router, wanted.subnet_id,
                                              self._deps.clock.now())  # fmt: skip
            router.revision_number += 1
            router.updated_at = self._deps.clock.now()
            session.flush()
            resp.media = _answer(router, port, subnet_ids)
