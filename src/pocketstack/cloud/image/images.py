"""The image records: list, create, show and delete (Glance v2's /v2/images), and the view of
an image every part of the image API answers with."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from typing import Any

import falcon
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Conflict, Forbidden, NotFound
from pocketstack.cloud.image.lookup import is_visible
from pocketstack.cloud.image.requests import ImageCreate
from pocketstack.cloud.image.schema import STATUSES, VISIBILITIES
from pocketstack.cloud.inputs import decimal
from pocketstack.cloud.store.models.image import Image

DEFAULT_LIMIT = 25
MAX_LIMIT = 1000
CURRENT = "v2.16"


def isotime(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def image_view(image: Image) -> dict[str, Any]:
    view: dict[str, Any] = dict(json.loads(image.properties))
    view.update(
        {
            "id": image.id,
            "name": image.name,
            "status": image.status,
            "visibility": image.visibility,
            "protected": image.protected,
            "os_hidden": image.os_hidden,
            "owner": image.owner,
            "container_format": image.container_format,
            "disk_format": image.disk_format,
            "size": image.size,
            "virtual_size": image.virtual_size,
            "checksum": image.checksum,
            "os_hash_algo": image.os_hash_algo,
            "os_hash_value": image.os_hash_value,
            "min_disk": image.min_disk,
            "min_ram": image.min_ram,
            "tags": json.loads(image.tags),
            "created_at": isotime(image.created_at),
            "updated_at": isotime(image.updated_at),
            "self": f"/v2/images/{image.id}",
            "file": f"/v2/images/{image.id}/file",
            "schema": "/v2/schemas/image",
        }
    )
    return view


def _visible_clause(ctx: RequestContext) -> Any:
    if ctx.is_admin:
        return None
    return or_(
        Image.visibility == "public",
        Image.owner == ctx.project_id,
    )


def get_visible(session: Session, ctx: RequestContext, image_id: str) -> Image:
    image = session.get(Image, image_id)
    if image is None or not is_visible(image, project_id=ctx.project_id, is_admin=ctx.is_admin):
        raise NotFound(f"No image found with ID {image_id}")
    return image


class Versions:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        base = req.prefix.rstrip("/")
        versions = [{"id": CURRENT, "status": "CURRENT",
                     "links": [{"rel": "self", "href": f"{base}/v2/"}]}]  # fmt: skip
        for minor in range(15, -1, -1):
            versions.append(
                {"id": f"v2.{minor}", "status": "SUPPORTED",
                 "links": [{"rel": "self", "href": f"{base}/v2/"}]}
            )  # fmt: skip
        resp.status = falcon.HTTP_300 if req.path in ("", "/") else falcon.HTTP_200
        resp.media = {"versions": versions}


class Images:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        params = dict(urllib.parse.parse_qsl(req.query_string, keep_blank_values=True))
        stmt = select(Image)
        visible = _visible_clause(ctx)
        visibility = params.get("visibility")
        if visibility is not None:
            if visibility not in (*VISIBILITIES, "all"):
                raise BadRequest(f"Invalid visibility value: {visibility}")
            if visibility != "all":
                stmt = stmt.where(Image.visibility == visibility)
            if visibility == "community" and visible is not None:
                visible = or_(visible, Image.visibility == "community")
        if visible is not None:
            stmt = stmt.where(visible)
        if "name" in params:
            stmt = stmt.where(Image.name == params["name"])
        if "status" in params:
            if params["status"] not in STATUSES:
                raise BadRequest(f"Invalid status value: {params['status']}")
            stmt = stmt.where(Image.status == params["status"])
        if "id" in params:
            raw = params["id"]
            if raw.startswith("in:"):
                ids = [i.strip().strip('"') for i in raw[3:].split(",") if i.strip()]
                stmt = stmt.where(Image.id.in_(ids))
            else:
                stmt = stmt.where(Image.id == raw.removeprefix("eq:"))
        if "owner" in params:
            stmt = stmt.where(Image.owner == params["owner"])
        limit = DEFAULT_LIMIT
        if "limit" in params:
            number = decimal(params["limit"], cap=MAX_LIMIT)
            if number is None:
                raise BadRequest("limit param must be an integer")
            limit = number
        with self._deps.store.session() as session:
            marker_id = params.get("marker")
            if marker_id is not None:
                marker = session.get(Image, marker_id)
                if marker is None:
                    raise BadRequest(f"Invalid marker. Image {marker_id} could not be found.")
                stmt = stmt.where(
                    or_(
                        Image.created_at < marker.created_at,
                        and_(Image.created_at == marker.created_at, Image.id < marker.id),
                    )
                )
            stmt = stmt.order_by(Image.created_at.desc(), Image.id.desc()).limit(limit)
            images = list(session.scalars(stmt))
        body: dict[str, Any] = {
            "images": [image_view(i) for i in images],
            "first": "/v2/images",
            "schema": "/v2/schemas/images",
        }
        if images and len(images) == limit:
            pairs = [(k, v) for k, v in params.items() if k != "marker"]
            pairs.append(("marker", images[-1].id))
            body["next"] = f"/v2/images?{urllib.parse.urlencode(pairs)}"
        resp.media = body

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        new = request_of(req, ImageCreate)
        if new.visibility == "public" and not ctx.is_admin:
            raise Forbidden("You are not authorized to complete publicize_image action.")
        now = self._deps.clock.now()
        image = Image(
            id=new.id, name=new.name, status="queued", visibility=new.visibility,
            protected=new.protected, os_hidden=new.os_hidden, owner=ctx.project_id,
            container_format=new.container_format, disk_format=new.disk_format,
            min_disk=new.min_disk, min_ram=new.min_ram, tags=new.tags,
            properties=new.properties, created_at=now, updated_at=now,
        )  # fmt: skip
        with self._deps.store.session(write=True) as session:
            if session.get(Image, image.id) is not None:
                raise _duplicate(image.id)
            session.add(image)
            try:
                session.flush()
            except IntegrityError:
                # An identical create committed between the check and the insert.
                raise _duplicate(image.id) from None
        resp.status = falcon.HTTP_201
        resp.set_header("Location", f"{req.prefix.rstrip('/')}/v2/images/{image.id}")
        resp.media = image_view(image)


def _duplicate(image_id: str) -> Conflict:
    return Conflict(f"Image with identifier {image_id} already exists!")


class ImageItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        with self._deps.store.session() as session:
            resp.media = image_view(get_visible(session, req.context.auth, image_id))

    def on_delete(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            image = get_visible(session, ctx, image_id)
            if not ctx.is_admin and (image.owner != ctx.project_id or not ctx.can_write):
                raise Forbidden("You are not authorized to complete delete_image action.")
            if image.protected:
                raise Forbidden(f"Image {image_id} is protected and cannot be deleted.")
            session.delete(image)
        resp.status = falcon.HTTP_204
