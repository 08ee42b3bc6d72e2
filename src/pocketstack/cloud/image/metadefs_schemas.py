"""The metadata definitions catalog's schemas (/v2/schemas/metadefs/{name}), as Glance
publishes them for clients that read them (python-glanceclient builds its commands on them)."""

from __future__ import annotations

import falcon

from pocketstack.cloud.errors import NotFound
from pocketstack.cloud.image.metadefs_schema import PUBLISHED


class MetadefSchema:
    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        found = PUBLISHED.get(name)
        if found is None:
            raise NotFound("The resource could not be found.")
        resp.media = found
