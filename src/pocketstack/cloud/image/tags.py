"""Image tags one at a time (Glance v2's /v2/images/{id}/tags/{tag}): adding one the image has
is a success that changes nothing; removing one it lacks is not found."""

from __future__ import annotations

import json

import falcon

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, NotFound, PayloadTooLarge
from pocketstack.cloud.image.images import get_visible, require_modify
from pocketstack.cloud.image.requests import MAX_TAGS
from pocketstack.cloud.inputs import TEXT_BYTES


class Tag:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_put(
        self, req: falcon.Request, resp: falcon.Response, image_id: str, tag_value: str
    ) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            image = get_visible(session, ctx, image_id, lock=True)
            require_modify(ctx, image)
            if len(tag_value) > 255:
                raise BadRequest(f"Provided object does not match schema 'image': {tag_value!r}"
                                 " is too long")  # fmt: skip
            tags: list[str] = json.loads(image.tags)
            if tag_value not in tags:
                if len(tags) >= MAX_TAGS:
                    raise PayloadTooLarge(
                        "The limit has been exceeded on the number of allowed image tags."
                        f" Attempted: {len(tags) + 1}, Maximum: {MAX_TAGS}"
                    )
                text = json.dumps([*tags, tag_value], ensure_ascii=False)
                if len(text.encode("utf-8")) > TEXT_BYTES:
                    raise BadRequest(
                        "Provided object does not match schema 'image': the tags are too long"
                        f" to store ({TEXT_BYTES} bytes at most)"
                    )
                image.tags = text
                image.updated_at = self._deps.clock.now()
        resp.status = falcon.HTTP_204

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, image_id: str, tag_value: str
    ) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            image = get_visible(session, ctx, image_id, lock=True)
            require_modify(ctx, image)
            tags: list[str] = json.loads(image.tags)
            if tag_value not in tags:
                raise NotFound(f"Tag {tag_value} not found.")
            image.tags = json.dumps([t for t in tags if t != tag_value], ensure_ascii=False)
            image.updated_at = self._deps.clock.now()
        resp.status = falcon.HTTP_204
