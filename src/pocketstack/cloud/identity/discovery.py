"""Version discovery: `GET /` (300 + Location), `GET /v3`, `GET /v2.0`."""

from __future__ import annotations

from typing import Any

import falcon

MEDIA_TYPE = "application/vnd.openstack.identity-{}+json"


def v3_document(base: str) -> dict[str, Any]:
    return {
        "id": "v3.14",
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": f"{base}/v3/"}],
        "media-types": [{"base": "application/json", "type": MEDIA_TYPE.format("v3")}],
    }


def v2_document(base: str) -> dict[str, Any]:
    # v2.0 is served for the legacy clients of the seed, flagged deprecated as Keystone did.
    return {
        "id": "v2.0",
        "status": "deprecated",
        "updated": "2016-08-04T00:00:00Z",
        "links": [
            {"rel": "self", "href": f"{base}/v2.0/"},
            {
                "rel": "describedby",
                "type": "text/html",
                "href": "https://docs.openstack.org/",
            },
        ],
        "media-types": [{"base": "application/json", "type": MEDIA_TYPE.format("v2.0")}],
    }


class Versions:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        base = req.prefix
        resp.status = falcon.HTTP_300
        resp.set_header("Location", f"{base}/v3/")
        resp.media = {"versions": {"values": [v3_document(base), v2_document(base)]}}

    on_head = on_get


class V3Version:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"version": v3_document(req.prefix)}

    on_head = on_get


class V2Version:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"version": v2_document(req.prefix)}

    on_head = on_get
