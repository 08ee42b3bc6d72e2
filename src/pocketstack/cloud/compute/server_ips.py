"""A server's addresses by network (`/servers/{id}/ips`), the basic view: version and address
only, as Nova shows them there (no OS-EXT-IPS attributes)."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud import jsonmedia
from pocketstack.cloud.compute.routing import auth_of
from pocketstack.cloud.compute.servers import get_server
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import NotFound


def _networks(raw: str) -> dict[str, list[dict[str, Any]]]:
    networks: dict[str, list[dict[str, Any]]] = {}
    for entry in jsonmedia.loads(raw):
        networks.setdefault(entry["network"], []).append(
            {"version": entry["version"], "addr": entry["addr"]}
        )
    return networks


class ServerIps:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        with self._deps.store.session() as session:
            row = get_server(session, auth_of(req), server_id)
            resp.media = {"addresses": _networks(row.addresses)}


class ServerIpsOfNetwork:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, server_id: str, network: str
    ) -> None:
        with self._deps.store.session() as session:
            row = get_server(session, auth_of(req), server_id)
            networks = _networks(row.addresses)
        if network not in networks:
            raise NotFound("Instance is not a member of specified network")
        resp.media = {network: networks[network]}
