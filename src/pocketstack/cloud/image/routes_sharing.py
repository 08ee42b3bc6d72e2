"""Sharing images: members, tags, and the schemas clients read (Glance v2)."""

from __future__ import annotations

import falcon

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image import members, tags
from pocketstack.cloud.image.schema_docs import DOCUMENTS


class _Schema:
    def __init__(self, name: str) -> None:
        self._document = DOCUMENTS[name]

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self._document


def routes(deps: CloudDeps) -> dict[str, object]:
    """The part's URI templates and the falcon resources that serve them."""
    found: dict[str, object] = {
        "/v2/images/{image_id}/members": members.Members(deps),
        "/v2/images/{image_id}/members/{member_id}": members.Member(deps),
        "/v2/images/{image_id}/tags/{tag_value}": tags.Tag(deps),
    }
    for name in DOCUMENTS:
        found[f"/v2/schemas/{name}"] = _Schema(name)
    return found
