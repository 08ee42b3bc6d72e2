"""The compute version documents at `/` and `/v2.1/` (and the legacy `/v2/`)."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.compute.microversion import MAX_VERSION, MIN_VERSION

_DOCS_LINK = {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}


def _version(api_root: str) -> dict[str, Any]:
    if api_root == "v2":
        return {
            "id": "v2.0",
            "status": "DEPRECATED",
            "version": "",
            "min_version": "",
            "updated": "2025-07-04T12:00:00Z",
            "media-types": [
                {
                    "base": "application/json",
                    "type": "application/vnd.openstack.compute+json;version=2",
                }
            ],
        }
    return {
        "id": "v2.1",
        "status": "CURRENT",
        "version": str(MAX_VERSION),
        "min_version": str(MIN_VERSION),
        "updated": "2013-07-23T11:33:21Z",
        "media-types": [
            {
                "base": "application/json",
                "type": "application/vnd.openstack.compute+json;version=2.1",
            }
        ],
    }


class VersionsResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        base = req.prefix.rstrip("/")
        versions = []
        for root in ("v2", "v2.1"):
            doc = _version(root)
            del doc["media-types"]
            doc["links"] = [{"rel": "self", "href": f"{base}/{root}/"}]
            versions.append(doc)
        resp.media = {"versions": versions}


class VersionResource:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        root = req.context.where.api_root
        doc = _version(root)
        base = req.prefix.rstrip("/")
        doc["links"] = [{"rel": "self", "href": f"{base}/{root}/"}, dict(_DOCS_LINK)]
        resp.media = {"version": doc}
