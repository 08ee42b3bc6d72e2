"""A server's password (os-server-password), as the metadata service would hold it.

A guest posts its encrypted password to the metadata service, which this cloud has not: no
password is ever set, so a server's is always empty and clearing it leaves it so. The server
must still be one the caller may see.
"""

from __future__ import annotations

import falcon

from pocketstack.cloud.compute.routing import auth_of
from pocketstack.cloud.compute.servers import get_server
from pocketstack.cloud.deps import CloudDeps


class ServerPassword:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        with self._deps.store.session() as session:
            get_server(session, auth_of(req), server_id)
        resp.media = {"password": ""}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        with self._deps.store.session() as session:
            get_server(session, auth_of(req), server_id)
        resp.status = falcon.HTTP_204
