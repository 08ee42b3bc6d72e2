"""Nova's floating IP proxy (/os-floating-ips, /os-floating-ip-pools; deprecated, 404 from
2.36), on the network service's functions (network/fip_for_compute.py), and what a server's
addresses cache shows of its floating IPs (compute/server_ports.py), changed in the same
transaction as the floating IP."""

from __future__ import annotations

import json
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.compute import server_ports
from pocketstack.cloud.compute.routing import auth_of
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.network import fip_for_compute
from pocketstack.cloud.network.fip_for_compute import Association
from pocketstack.cloud.store.models.compute import Instance


def lock_instance(session: Session, server_uuid: str) -> Instance | None:
    """The live server a floating IP is on, whoever's it is, locked for its cache."""
    stmt = select(Instance).where(Instance.uuid == server_uuid, Instance.deleted.is_(False))
    found: Instance | None = session.scalars(stmt.with_for_update()).first()
    return found


def forget(session: Session, association: Association | None, held: Instance | None) -> None:
    """The floating address gone from the cache of the server it was on (`held` when that is
    the server already locked)."""
    if association is None:
        return
    row = held if held is not None and held.uuid == association.server_uuid else None
    row = row or lock_instance(session, association.server_uuid)
    if row is not None:
        server_ports.drop_floating(row, association.floating_address)


def _pool(req: falcon.Request) -> str | None:
    """Nova's create reads `pool` from a body it does not check, and takes none at all."""
    raw = req.bounded_stream.read()
    if not raw.strip():
        return None
    try:
        body: Any = json.loads(raw)
    except ValueError:
        raise BadRequest("Malformed request body") from None
    pool = body.get("pool") if isinstance(body, dict) else None
    if pool is not None and not isinstance(pool, str):
        raise NotFound("Floating IP pool not found.")
    return pool


class FloatingIPList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self._deps.store.session() as session:
            shown = fip_for_compute.list_fips(session, auth_of(req))
        resp.media = {"floating_ips": shown}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        pool = _pool(req)
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            shown = fip_for_compute.allocate(session, auth_of(req), now, pool)
        resp.media = {"floating_ip": shown}


class FloatingIPItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, floating_ip_id: str) -> None:
        with self._deps.store.session() as session:
            shown = fip_for_compute.show_fip(session, auth_of(req), floating_ip_id)
        resp.media = {"floating_ip": shown}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, floating_ip_id: str) -> None:
        ctx = auth_of(req)
        with self._deps.store.session(write=True) as session:
            # The server first, as the server actions lock it before the floating IP.
            server = fip_for_compute.server_of_fip(session, ctx, floating_ip_id)
            held = lock_instance(session, server) if server is not None else None
            was = fip_for_compute.release(session, ctx, floating_ip_id)
            forget(session, was, held)
        resp.status = falcon.HTTP_202


class FloatingIPPools:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self._deps.store.session() as session:
            names = fip_for_compute.pools(session)
        resp.media = {"floating_ip_pools": [{"name": n} for n in names]}


def routes(deps: CloudDeps) -> dict[str, Any]:
    return {
        "/os-floating-ips": FloatingIPList(deps),
        "/os-floating-ips/{floating_ip_id}": FloatingIPItem(deps),
        "/os-floating-ip-pools": FloatingIPPools(deps),
    }
