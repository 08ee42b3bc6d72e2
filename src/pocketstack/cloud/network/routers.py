"""`/v2.0/routers`: list, create (one or a bulk list), show, update, delete (Neutron's router,
ext-gw-mode and extraroute extensions). Data only: a router is ACTIVE from its create and routes
nothing.

An external gateway is a port of the router's on a router:external network (device_owner
network:router_gateway, of no project, as Neutron's), with an address on its subnets; SNAT is on
unless an admin turns it off. A route's nexthop must be on a subnet the router is connected to.
Interfaces: router_interfaces.py.
"""

from __future__ import annotations

import ipaddress
import json
import uuid
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import (
    access,
    faults,
    l3_attributes,
    l3_ports,
    listing,
    policy,
    quotas,
    router_flags,
    tags,
)
from pocketstack.cloud.network import l3_views as views
from pocketstack.cloud.network.body import Creates, Update
from pocketstack.cloud.network.networks import owner_of
from pocketstack.cloud.store.models.network import Subnet
from pocketstack.cloud.store.models.network_l3 import FloatingIP, Router, RouterInterface
from pocketstack.cloud.store.models.network_port import IPAllocation

ACTIVE = "ACTIVE"
MAX_ROUTES = 30

LISTABLE = listing.Listable(
    collection="routers",
    attributes=l3_attributes.ROUTER,
    id_column=Router.id,
    updated_column=Router.updated_at,
    tagged=True,
    columns={
        "id": Router.id, "name": Router.name, "project_id": Router.project_id,
        "description": Router.description, "admin_state_up": Router.admin_state_up,
        "status": Router.status, "created_at": Router.created_at,
        "updated_at": Router.updated_at, "revision_number": Router.revision_number,
    },
)  # fmt: skip


def bad_router(message: str) -> faults.NeutronError:
    return faults.bad_request(f"Bad router request: {message}.", kind="BadRequest")


def _gateway_policy(ctx: RequestContext, action: str, info: dict[str, Any] | None) -> None:
    if ctx.is_admin or info is None:
        return
    keys = [key for key in ("enable_snat", "external_fixed_ips") if key in info]
    policy.refuse_attributes(action, [f"external_gateway_info:{key}" for key in keys])


def set_gateway(ctx: RequestContext | None, session: Session, router: Router,
                info: dict[str, Any] | None, now: Any) -> None:  # fmt: skip
    """The router's gateway as `info` asks (None: none), its port replaced when its network or
    addresses change (l3_db's _update_router_gw_info)."""
    if info is None:
        if router.gw_port_id is not None:
            used = session.scalars(select(FloatingIP.id).where(
                FloatingIP.router_id == router.id).limit(1)).first()  # fmt: skip
            if used is not None:
                raise faults.conflict(
                    "RouterExternalGatewayInUseByFloatingIp",
                    f"Gateway cannot be updated for router {router.id}, since a gateway to"
                    f" external network {router.gw_network_id} is required by one or more"
                    " floating IPs.",
                )
            port_id = router.gw_port_id
            router.gw_port_id = None
            session.flush()
            l3_ports.drop_port(session, port_id)
        router.gw_port_id, router.gw_network_id, router.enable_snat = None, None, True
        return
    net = access.network(session, ctx, info["network_id"], lock=access.SHARE)
    if not net.external:
        raise bad_router(f"Network {net.id} is not an external network")
    router.enable_snat = info.get("enable_snat", router.enable_snat
                                  if router.gw_network_id == net.id else True)  # fmt: skip
    fixed = info.get("external_fixed_ips")
    if router.gw_network_id == net.id and router.gw_port_id is not None and fixed is None:
        return
    if router.gw_port_id is not None:
        if router.gw_network_id != net.id:
            set_gateway(ctx, session, router, None, now)
        else:
            port_id = router.gw_port_id
            router.gw_port_id = None
            session.flush()
            l3_ports.drop_port(session, port_id)
    port = l3_ports.new_port(session, net, project="", device_owner=l3_ports.GATEWAY,
                             device_id=router.id, fixed_ips=fixed or None, now=now)  # fmt: skip
    router.gw_port_id, router.gw_network_id = port.id, net.id


def connected_cidrs(session: Session, router: Router) -> list[str]:
    subnets = select(RouterInterface.subnet_id).where(RouterInterface.router_id == router.id)
    cidrs = list(session.scalars(select(Subnet.cidr).where(Subnet.id.in_(subnets))))
    if router.gw_port_id is not None:
        gateway = select(IPAllocation.subnet_id).where(IPAllocation.port_id == router.gw_port_id)
        cidrs += session.scalars(select(Subnet.cidr).where(Subnet.id.in_(gateway)))
    return cidrs


def check_routes(session: Session, router: Router, routes: list[dict[str, str]]) -> None:
    """extraroute's checks: at most MAX_ROUTES, each nexthop on a connected subnet."""
    if len(routes) > MAX_ROUTES:
        raise faults.bad_request(f"Number of routes exceeds the maximum {MAX_ROUTES}",
                                 kind="RoutesExhausted")  # fmt: skip
    cidrs = [ipaddress.ip_network(c) for c in connected_cidrs(session, router)]
    for route in routes:
        hop = ipaddress.ip_address(route["nexthop"])
        if not any(hop.version == c.version and hop in c for c in cidrs):
            raise faults.bad_request(f"Invalid format for routes: {[route]}, the nexthop is not"
                                     " connected with router.", kind="InvalidRoutes")  # fmt: skip


class RouterList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        query = listing.parse(req.query_string, LISTABLE)
        stmt = select(Router).where(views.visible_routers(ctx),
                                    *listing.where(LISTABLE, query.filters))  # fmt: skip
        with self._deps.store.session() as session:
            marker = None
            if query.limit is not None and query.marker is not None:
                marker = listing.marker_of(views.router(session, ctx, query.marker), LISTABLE)
            rows = listing.keyset_page(session, stmt, LISTABLE, query, marker)
            shown = views.router_views(session, rows, ctx)
        resp.media = listing.page_body(req, query, "routers", shown, [r.id for r in rows])

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        new = request_of(req, Creates)
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            quotas.claim(session, "router", [owner_of(ctx, item) for item in new.items])
            made: list[Router] = []
            for item in new.items:
                router_flags.check_policy(ctx, "create_router", item)
                _gateway_policy(ctx, "create_router", item["external_gateway_info"])
                router = Router(
                    id=str(uuid.uuid4()), project_id=owner_of(ctx, item), name=item["name"],
                    description=item["description"], admin_state_up=item["admin_state_up"],
                    status=ACTIVE, enable_snat=True, routes="[]", revision_number=1,
                    created_at=now, updated_at=now,
                )  # fmt: skip
                session.add(router)
                session.flush()
                router_flags.create(session, router, item)
                set_gateway(ctx, session, router, item["external_gateway_info"], now)
                made.append(router)
            session.flush()
            shown = views.router_views(session, made, ctx)
        resp.status = falcon.HTTP_201
        resp.media = {"routers": shown} if new.bulk else {"router": shown[0]}


class RouterItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, router_id: str) -> None:
        with self._deps.store.session() as session:
            router = views.router(session, req.context.auth, router_id)
            view = views.router_views(session, [router], req.context.auth)[0]
        resp.media = {"router": listing.select_fields(view, listing.show_fields(req))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, router_id: str) -> None:
        ctx: RequestContext = req.context.auth
        changes = request_of(req, Update).changes
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            router = views.router(session, ctx, router_id, lock=access.UPDATE)
            if not views.changes(ctx, router.project_id):
                raise faults.policy_refused("update_router")
            router_flags.check_policy(ctx, "update_router", changes)
            if "external_gateway_info" in changes:
                info = changes["external_gateway_info"]
                _gateway_policy(ctx, "update_router", info)
                set_gateway(ctx, session, router, info, now)
                session.flush()
            if "routes" in changes:
                check_routes(session, router, changes["routes"])
                router.routes = json.dumps(changes["routes"])
            for name in ("name", "description", "admin_state_up"):
                if name in changes:
                    setattr(router, name, changes[name])
            router_flags.update(session, router, changes)
            router.revision_number += 1
            router.updated_at = now
            session.flush()
            view = views.router_views(session, [router], ctx)[0]
        resp.media = {"router": view}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, router_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            router = views.router(session, ctx, router_id, lock=access.UPDATE)
            if not views.changes(ctx, router.project_id):
                raise faults.policy_refused("delete_router")
            attached = session.scalars(select(RouterInterface.port_id).where(
                RouterInterface.router_id == router.id).limit(1)).first()  # fmt: skip
            if attached is not None:
                raise faults.conflict("RouterInUse", f"Router {router.id} still has ports")
            set_gateway(ctx, session, router, None, self._deps.clock.now())
            tags.forget(session, [router.id])
            session.delete(router)
        resp.status = falcon.HTTP_204
