"""What Nova's floating IP proxies ask of the network service (nova/network/neutron.py's
floating IP calls): a project's floating IPs in Nova's view, allocated from a pool (an external
network, by name or id) and released, associated with a server's fixed address and
disassociated, and the pools.

Compute calls these, never the network tables. The association goes through the network
service's own rules (floating_ips.py: a router to the external network, one floating IP per
fixed address); Neutron's refusals come back in the words Nova answers with. The functions take
the session compute holds the server in, so the server's addresses cache changes in the same
transaction; each returns what that cache needs (an Association).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import BadRequest, Conflict, Forbidden, NotFound
from pocketstack.cloud.network import access, attributes, faults, floating_ips, l3_ports, quotas
from pocketstack.cloud.network import l3_views as views
from pocketstack.cloud.network.for_compute import ports_of_server
from pocketstack.cloud.store.models.network import Network
from pocketstack.cloud.store.models.network_l3 import FloatingIP
from pocketstack.cloud.store.models.network_port import Port

# Nova's `[neutron] default_floating_pool` as devstack sets it: the bootstrapped external network.
DEFAULT_POOL = "public"


@dataclasses.dataclass(frozen=True)
class Association:
    """A floating IP on a server's fixed address, as the server's addresses cache shows it."""

    server_uuid: str
    port_id: str
    fixed_address: str
    floating_address: str


def floating_of_servers(session: Session, server_uuids: Sequence[str]) -> list[Association]:
    """The floating IPs on the servers' ports now, however they were associated (Nova's proxy,
    or the network API as openstackclient and the SDKs do it): what the servers' views show,
    whatever their addresses caches last heard."""
    if not server_uuids:
        return []
    # One probe first: a cloud with no floating IP in use (most pages of most clouds) pays
    # nothing for the join over the page's servers.
    in_use = select(FloatingIP.id).where(FloatingIP.fixed_port_id.is_not(None)).limit(1)
    if session.scalar(in_use) is None:
        return []
    rows = session.execute(
        select(Port.device_id, FloatingIP.fixed_port_id, FloatingIP.fixed_ip_address,
               FloatingIP.floating_ip_address)
        .join(Port, Port.id == FloatingIP.fixed_port_id)
        .where(Port.device_id.in_(list(server_uuids)))
        .order_by(FloatingIP.created_at, FloatingIP.id)
    )  # fmt: skip
    return [Association(server_uuid=server, port_id=port or "", fixed_address=fixed or "",
                        floating_address=floating)
            for server, port, fixed, floating in rows]  # fmt: skip


# --- Nova's view ---------------------------------------------------------------------------


def _views(session: Session, fips: Sequence[FloatingIP]) -> list[dict[str, Any]]:
    """Nova's floating IP: its pool the network's name (its id when unnamed), its instance the
    device of the port it is on."""
    net_ids = sorted({f.floating_network_id for f in fips})
    port_ids = sorted({f.fixed_port_id for f in fips if f.fixed_port_id})
    rows = session.execute(select(Network.id, Network.name).where(Network.id.in_(net_ids)))
    names = {net_id: name for net_id, name in rows}
    devices: dict[str, str] = {}
    if port_ids:
        found = session.execute(select(Port.id, Port.device_id).where(Port.id.in_(port_ids)))
        devices = {port_id: device for port_id, device in found}
    return [{
        "id": f.id, "ip": f.floating_ip_address,
        "pool": names.get(f.floating_network_id) or f.floating_network_id,
        "fixed_ip": f.fixed_ip_address,
        "instance_id": devices.get(f.fixed_port_id) if f.fixed_port_id else None,
    } for f in fips]  # fmt: skip


def _association(session: Session, fip: FloatingIP) -> Association | None:
    if fip.fixed_port_id is None or fip.fixed_ip_address is None:
        return None
    device = session.scalars(select(Port.device_id).where(Port.id == fip.fixed_port_id)).first()
    if not device:
        return None
    return Association(server_uuid=device, port_id=fip.fixed_port_id,
                       fixed_address=fip.fixed_ip_address,
                       floating_address=fip.floating_ip_address)  # fmt: skip


# --- by id ---------------------------------------------------------------------------------


def _by_id(session: Session, ctx: RequestContext, fip_id: str,
           lock: str | None = None) -> FloatingIP:  # fmt: skip
    try:
        uuid.UUID(fip_id)
        return views.floatingip(session, ctx, fip_id, lock=lock)
    except (ValueError, faults.NeutronError):
        raise NotFound(f"Floating IP not found for ID {fip_id}") from None


def list_fips(session: Session, ctx: RequestContext) -> list[dict[str, Any]]:
    """The caller's project's floating IPs (an admin's too: Nova asks for the project's)."""
    stmt = select(FloatingIP).where(FloatingIP.project_id == (ctx.project_id or ""))
    return _views(session, list(session.scalars(stmt.order_by(FloatingIP.id))))


def show_fip(session: Session, ctx: RequestContext, fip_id: str) -> dict[str, Any]:
    return _views(session, [_by_id(session, ctx, fip_id)])[0]


def server_of_fip(session: Session, ctx: RequestContext, fip_id: str) -> str | None:
    """The server a floating IP is on (compute locks it before the release)."""
    found = _association(session, _by_id(session, ctx, fip_id))
    return None if found is None else found.server_uuid


def release(session: Session, ctx: RequestContext, fip_id: str) -> Association | None:
    """The floating IP and its port deleted; the association it had, if any."""
    fip = _by_id(session, ctx, fip_id, lock=access.UPDATE)
    if not views.changes(ctx, fip.project_id):
        raise Forbidden("rule:delete_floatingip is disallowed by policy")
    was = _association(session, fip)
    port_id = fip.floating_port_id
    session.delete(fip)
    session.flush()
    l3_ports.drop_port(session, port_id)
    return was


# --- pools and allocation ------------------------------------------------------------------


def pools(session: Session) -> list[str]:
    """The external networks' names (every caller sees them), as Nova lists its pools."""
    stmt = select(Network.name).where(Network.external.is_(True))
    return list(session.scalars(stmt.order_by(Network.created_at, Network.id)))


def _pool(session: Session, name_or_id: str) -> Network:
    stmt = select(Network).where(Network.external.is_(True))
    try:
        uuid.UUID(name_or_id)
        stmt = stmt.where(Network.id == name_or_id)
    except ValueError:
        stmt = stmt.where(Network.name == name_or_id)
    found = list(session.scalars(stmt.limit(2)))
    if not found:
        raise NotFound("Floating IP pool not found.")
    if len(found) > 1:
        raise BadRequest(f"Multiple floating IP pools matches found for name '{name_or_id}'")
    return found[0]


def allocate(session: Session, ctx: RequestContext, now: dt.datetime,
             pool: str | None) -> dict[str, Any]:  # fmt: skip
    """A new floating IP of the caller's project from the pool (Nova's default one unless
    named): Neutron's full network is Nova's 404."""
    net = _pool(session, pool or DEFAULT_POOL)
    item = {"floating_network_id": net.id, "subnet_id": None,
            "floating_ip_address": attributes.UNSET, "description": "", "port_id": None,
            "fixed_ip_address": None}  # fmt: skip
    try:
        quotas.claim(session, "floatingip", [ctx.project_id] if ctx.project_id else [])
    except faults.NeutronError as exc:
        # Nova's FloatingIpLimitExceeded, as its floating IPs API words it.
        where = f" in pool {pool}" if pool else ""
        raise Forbidden(f"IP allocation over quota{where}.") from exc
    try:
        fip = floating_ips.new_floating_ip(ctx, session, item, frozenset(), now)
    except faults.NeutronError as exc:
        if exc.kind == "IpAddressGenerationFailure":
            if pool:
                raise NotFound(f"No more floating IPs in pool {pool}.") from None
            raise NotFound("No more floating IPs available.") from None
        raise BadRequest(exc.message) from None
    session.flush()
    return _views(session, [fip])[0]


# --- association ---------------------------------------------------------------------------


def _by_address(session: Session, ctx: RequestContext, address: str, missing: str) -> FloatingIP:
    stmt = select(FloatingIP).where(FloatingIP.floating_ip_address == address,
                                    views.visible_floatingips(ctx))  # fmt: skip
    found: FloatingIP | None = session.scalars(access.locked(stmt, access.UPDATE)).first()
    if found is None:
        raise NotFound(missing)
    return found


def associate(session: Session, ctx: RequestContext, now: dt.datetime, server_uuid: str,
              address: str, fixed_address: str,
              ) -> tuple[Association, Association | None]:  # fmt: skip
    """The floating IP moved onto the server's port holding `fixed_address` (from wherever it
    was, as Neutron's update does): the new association and the one it left."""
    fip = _by_address(session, ctx, address, "floating IP not found")
    if not views.changes(ctx, fip.project_id):
        raise Forbidden("rule:update_floatingip is disallowed by policy")
    port_id = next((p.id for p in ports_of_server(session, server_uuid)
                    if any(a == fixed_address for _, a in p.fixed_ips)), None)  # fmt: skip
    if port_id is None:
        raise BadRequest("Specified fixed address not assigned to instance")
    was = _association(session, fip)
    floating_ips.disassociate(fip)
    session.flush()
    try:
        floating_ips.associate(ctx, session, fip, port_id, fixed_address)
    except faults.NeutronError as exc:
        if exc.status == 409:
            raise BadRequest(exc.message) from None
        raise BadRequest(f"Unable to associate floating IP {address} to fixed IP"
                         f" {fixed_address} for instance {server_uuid}."
                         f" Error: {exc.message}") from None  # fmt: skip
    fip.revision_number += 1
    fip.updated_at = now
    session.flush()
    now_on = Association(server_uuid=server_uuid, port_id=port_id, fixed_address=fixed_address,
                         floating_address=fip.floating_ip_address)  # fmt: skip
    return now_on, was


def disassociate(session: Session, ctx: RequestContext, now: dt.datetime, server_uuid: str,
                 address: str) -> Association:  # fmt: skip
    """The floating IP taken off the server; Nova's 409 when it is not on that server."""
    fip = _by_address(session, ctx, address, f"Floating IP not found for address {address}.")
    was = _association(session, fip)
    if was is None or was.server_uuid != server_uuid:
        raise Conflict(f"Floating IP {address} is not associated with instance {server_uuid}.")
    if not views.changes(ctx, fip.project_id):
        raise Forbidden("rule:update_floatingip is disallowed by policy")
    floating_ips.disassociate(fip)
    fip.revision_number += 1
    fip.updated_at = now
    session.flush()
    return was
