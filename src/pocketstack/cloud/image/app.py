"""The image API: the Glance v2 subset the compute clients call (metadata only, no image data)."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
import uuid
from typing import Any

import falcon
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.auth.middleware import TokenAuthMiddleware
from pocketstack.cloud.compute import jsonbody
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import (
    BadRequest,
    CloudError,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
)
from pocketstack.cloud.store.models.image import Image

DEFAULT_LIMIT = 25
MAX_LIMIT = 1000
CURRENT = "v2.16"
_CORE_WRITABLE = {"name", "id", "visibility", "container_format", "disk_format", "min_disk",
                  "min_ram", "protected", "tags", "os_hidden"}  # fmt: skip
_READ_ONLY = {"status", "owner", "size", "virtual_size", "checksum", "os_hash_algo",
              "os_hash_value", "created_at", "updated_at", "self", "file", "schema",
              "locations", "direct_url"}  # fmt: skip
_VISIBILITIES = ("public", "private", "shared", "community")
_STATUSES = ("queued", "saving", "active", "killed", "deleted", "pending_delete", "deactivated",
             "uploading", "importing")  # fmt: skip


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


def _error(resp: falcon.Response, status: int, title: str, message: str) -> None:
    # Glance's errors are webob's plain-text pages.
    resp.status = status
    resp.content_type = "text/plain; charset=UTF-8"
    resp.text = f"{status} {title}\n\n{message}\n\n   "


_TITLES = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           409: "Conflict", 413: "Request Entity Too Large"}  # fmt: skip


def _cloud_error(req: falcon.Request, resp: falcon.Response, exc: CloudError, params: Any) -> None:
    _error(resp, exc.status, _TITLES.get(exc.status, "Error"), exc.message)


def _http_error(
    req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError, params: Any
) -> None:
    message = "The resource could not be found." if exc.status_code == 404 else (exc.title or "")
    _error(resp, exc.status_code, _TITLES.get(exc.status_code, "Error"), message)


def _visible_clause(ctx: RequestContext) -> Any:
    if ctx.is_admin:
        return None
    return or_(
        Image.visibility == "public",
        Image.owner == ctx.project_id,
    )


def _get(session: Session, ctx: RequestContext, image_id: str) -> Image:
    image = session.get(Image, image_id)
    if image is None or not (
        ctx.is_admin or image.visibility in ("public", "community") or image.owner == ctx.project_id
    ):
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
            if visibility not in (*_VISIBILITIES, "all"):
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
            if params["status"] not in _STATUSES:
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
            if not params["limit"].isdigit():
                raise BadRequest("limit param must be an integer")
            limit = min(MAX_LIMIT, int(params["limit"]))
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
        if not ctx.is_admin and (ctx.project_id is None or not ctx.can_write):
            raise Forbidden("You are not authorized to complete add_image action.")
        limit = self._deps.config.max_request_body_size
        raw = req.bounded_stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge("Request Entity Too Large")
        try:
            body = json.loads(raw or b"{}")
        except (ValueError, RecursionError):
            raise BadRequest("Body expected in request.") from None
        if not isinstance(body, dict):
            raise BadRequest("Body expected in request.")
        for key in body:
            if key in _READ_ONLY:
                raise Forbidden(f"Attribute '{key}' is read-only.")
        visibility = body.get("visibility", "shared")
        if visibility not in _VISIBILITIES:
            raise BadRequest(f"Invalid visibility value: {visibility}")
        if visibility == "public" and not ctx.is_admin:
            raise Forbidden("You are not authorized to complete publicize_image action.")
        properties = {k: v for k, v in body.items() if k not in _CORE_WRITABLE}
        for key, value in properties.items():
            if not isinstance(value, str):
                raise BadRequest(
                    f"Provided object does not match schema 'image': {key} is not a string"
                )
        tags = body.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise BadRequest("Provided object does not match schema 'image': tags")
        name = body.get("name")
        if name is not None and (not isinstance(name, str) or len(name) > 255):
            raise BadRequest("Provided object does not match schema 'image': name")
        image_id = body.get("id") or str(uuid.uuid4())
        try:
            image_id = str(uuid.UUID(str(image_id)))
        except ValueError:
            raise BadRequest(
                f"Provided object does not match schema 'image': id {image_id}"
            ) from None
        now = self._deps.clock.now()
        image = Image(
            id=image_id, name=name, status="queued", visibility=visibility,
            protected=bool(body.get("protected", False)),
            os_hidden=bool(body.get("os_hidden", False)),
            owner=ctx.project_id, container_format=body.get("container_format"),
            disk_format=body.get("disk_format"), min_disk=int(body.get("min_disk", 0) or 0),
            min_ram=int(body.get("min_ram", 0) or 0), tags=json.dumps(tags),
            properties=json.dumps(properties), created_at=now, updated_at=now,
        )  # fmt: skip
        with self._deps.store.session(write=True) as session:
            if session.get(Image, image.id) is not None:
                raise Conflict(f"Image with identifier {image.id} already exists!")
            session.add(image)
        resp.status = falcon.HTTP_201
        resp.set_header("Location", f"{req.prefix.rstrip('/')}/v2/images/{image.id}")
        resp.media = image_view(image)


class ImageItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        with self._deps.store.session() as session:
            resp.media = image_view(_get(session, req.context.auth, image_id))

    def on_delete(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            image = _get(session, ctx, image_id)
            if not ctx.is_admin and (image.owner != ctx.project_id or not ctx.can_write):
                raise Forbidden("You are not authorized to complete delete_image action.")
            if image.protected:
                raise Forbidden(f"Image {image_id} is protected and cannot be deleted.")
            session.delete(image)
        resp.status = falcon.HTTP_204


class _RequestId:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.request_id = f"req-{uuid.uuid4()}"

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, req_succeeded: bool
    ) -> None:
        resp.set_header("x-openstack-request-id", req.context.request_id)


def _is_public(req: falcon.Request) -> bool:
    return req.path in ("", "/", "/versions")


def create_app(deps: CloudDeps) -> falcon.App[falcon.Request, falcon.Response]:
    middleware: list[Any] = [_RequestId(), TokenAuthMiddleware(deps=deps, is_public=_is_public)]
    app: falcon.App[falcon.Request, falcon.Response] = falcon.App(middleware=middleware)
    app.req_options.keep_blank_qs_values = True
    app.req_options.strip_url_path_trailing_slash = True
    app.add_error_handler(falcon.HTTPError, _http_error)
    app.add_error_handler(CloudError, _cloud_error)
    jsonbody.install(app)
    versions = Versions()
    app.add_route("/", versions)
    app.add_route("/versions", versions)
    app.add_route("/v2/images", Images(deps))
    app.add_route("/v2/images/{image_id}", ImageItem(deps))
    return app
