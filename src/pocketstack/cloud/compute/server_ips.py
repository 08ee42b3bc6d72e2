"""A server's addresses by network (`/servers/{id}/ips`), the basic view: version and address
only, as Nova shows them there (no OS-EXT-IPS attributes)."""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy.orm import Session

from pocketstack.cloud import jsonmedia
from pocketstack.cloud.compute import server_ports
from pocketstack.cloud.compute.routing import auth_of
from pocketstack.cloud.compute.servers import get_server
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import NotFound
from pocketstack.cloud.store.models.compute import Instance


def _networks(raw: str) -> dict[str, list[dict[str, Any]]]:
    networks: dict[str, list[dict[str, Any]]] = {}
    for entry in jsonmedia.loads(raw):
        networks.setdefault(entry["network"], []).append(
            {"version": entry["version"], "addr": entry["addr"]}
        )
    return networks


def _live(session: Session, row: Instance) -> str:
    live = server_ports.live_addresses(session, [(row.uuid, row.addresses)])
    return live.get(row.uuid, row.addresses)


class ServerIps:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        with self._deps.store.session() as session:
            row = get_server(session, auth_of(req), server_id)
            resp.media = {"addresses": _networks(_live(session, row))}


class ServerIpsOfNetwork:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, server_id: str, network: str
    ) -> None:
        with self._deps.store.session() as session:
            row = get_server(session, auth_of(req), server_id)
            networks = _networks(_live(session, row))
        if network not in networks:
            raise NotFound("Instance is not a member of specified network")
        resp.media = {network: networks[network]}
