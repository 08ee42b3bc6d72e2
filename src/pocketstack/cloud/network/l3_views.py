"""Routers and floating IPs as Neutron shows them, and found for a caller: what they may see
as SQL for a list, and as a lookup by id answering Neutron's NotFound for what is missing or
hidden (a router is its project's: readers read it, members change it; admins do anything)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.network import access, faults, policy, router_flags, tags
from pocketstack.cloud.network.views import fixed_ips_of, timestamp
from pocketstack.cloud.store.models.network_l3 import FloatingIP, Router
from pocketstack.cloud.store.models.network_port import Port


def _standard(row: Router | FloatingIP) -> dict[str, Any]:
    return {
        "tenant_id": row.project_id,
        "project_id": row.project_id,
        "description": row.description,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
        "revision_number": row.revision_number,
    }


def router_views(session: Session, routers: Sequence[Router],
                 ctx: RequestContext) -> list[dict[str, Any]]:  # fmt: skip
    gateways = fixed_ips_of(session, [r.gw_port_id for r in routers if r.gw_port_id])
    views = []
    for router in routers:
        info = None
        if router.gw_network_id is not None:
            fixed = list(gateways.get(router.gw_port_id or "", []))
            info = {"network_id": router.gw_network_id, "enable_snat": router.enable_snat,
                    "external_fixed_ips": fixed}  # fmt: skip
        views.append({
            "id": router.id, "name": router.name, "admin_state_up": router.admin_state_up,
            "status": router.status, "external_gateway_info": info,
            "routes": json.loads(router.routes), **_standard(router),
        })  # fmt: skip
    router_flags.fill(session, ctx, views)
    return tags.fill(session, views)


def floatingip_views(session: Session, fips: Sequence[FloatingIP]) -> list[dict[str, Any]]:
    wanted = [f.fixed_port_id for f in fips if f.fixed_port_id]
    ports = {p.id: p for p in session.scalars(select(Port).where(Port.id.in_(wanted)))}
    views = []
    for fip in fips:
        port = ports.get(fip.fixed_port_id or "")
        details = None
        if port is not None:
            details = {"name": port.name, "network_id": port.network_id,
                       "mac_address": port.mac_address, "admin_state_up": port.admin_state_up,
                       "status": port.status, "device_id": port.device_id,
                       "device_owner": port.device_owner}  # fmt: skip
        views.append({
            "id": fip.id, "floating_ip_address": fip.floating_ip_address,
            "floating_network_id": fip.floating_network_id, "router_id": fip.router_id,
            "port_id": fip.fixed_port_id, "fixed_ip_address": fip.fixed_ip_address,
            "status": fip.status, "port_details": details, **_standard(fip),
        })  # fmt: skip
    return tags.fill(session, views)


def visible_routers(ctx: RequestContext) -> ColumnElement[bool]:
    return true() if ctx.is_admin else Router.project_id == access.own_project(ctx)


def visible_floatingips(ctx: RequestContext) -> ColumnElement[bool]:
    return true() if ctx.is_admin else FloatingIP.project_id == access.own_project(ctx)


def sees(ctx: RequestContext, project_id: str) -> bool:
    return ctx.is_admin or policy.reads(ctx, project_id)


def changes(ctx: RequestContext, project_id: str) -> bool:
    return ctx.is_admin or policy.writes(ctx, project_id)


def router_missing(router_id: str) -> faults.NeutronError:
    return faults.not_found("RouterNotFound", f"Router {router_id} could not be found")


def router(session: Session, ctx: RequestContext, router_id: str, *,
           lock: str | None = None) -> Router:  # fmt: skip
    stmt = access.locked(select(Router).where(Router.id == router_id), lock)
    found: Router | None = session.scalars(stmt).first()
    if found is None or not sees(ctx, found.project_id):
        raise router_missing(router_id)
    return found


def floatingip(session: Session, ctx: RequestContext, fip_id: str, *,
               lock: str | None = None) -> FloatingIP:  # fmt: skip
    stmt = access.locked(select(FloatingIP).where(FloatingIP.id == fip_id), lock)
    found: FloatingIP | None = session.scalars(stmt).first()
    if found is None or not sees(ctx, found.project_id):
        raise faults.not_found("FloatingIPNotFound", f"Floating IP {fip_id} could not be found")
    return found
