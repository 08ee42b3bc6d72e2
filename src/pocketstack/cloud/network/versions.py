"""The version documents: `/` lists v2.0 (public, as Neutron's is), `/v2.0/` the core
resources (behind the token, as Neutron's)."""

from __future__ import annotations

import falcon

VERSION = "v2.0"
CORE = (("network", "networks"), ("subnet", "subnets"), ("port", "ports"))


class Versions:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        base = req.prefix.rstrip("/")
        link = {"rel": "self", "href": f"{base}/{VERSION}"}
        resp.media = {"versions": [{"id": VERSION, "status": "CURRENT", "links": [link]}]}


class Resources:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        base = req.prefix.rstrip("/")
        resp.media = {
            "resources": [
                {"name": name, "collection": collection,
                 "links": [{"rel": "self", "href": f"{base}/{VERSION}/{collection}"}]}
                for name, collection in CORE
            ]
        }  # fmt: skip
