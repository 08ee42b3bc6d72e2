"""The image records: list, create, show and delete (Glance v2's /v2/images), and the view of
an image every part of the image API answers with."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import falcon
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import Conflict, Forbidden, MethodNotAllowed, NotFound
from pocketstack.cloud.image import data_store, listing, patch
from pocketstack.cloud.image.lookup import is_visible, owns
from pocketstack.cloud.image.requests import ImageCreate, json_reader
from pocketstack.cloud.store.models.image import Image, ImageTombstone

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
    stores = data_store.stores_of(image.status)
    if stores is not None:
        view["stores"] = stores
    return view


def get_visible(
    session: Session, ctx: RequestContext, image_id: str, *, lock: bool = False
) -> Image:
    """The image if the caller may see it, else 404. `lock` for a write: the row is held until
    the transaction ends, so that read-change-write of its JSON columns loses nothing and a
    concurrent delete is seen as one. The id must be the image's own, not one a database
    collation takes for it (MariaDB's ignores case and trailing spaces): files are named by it."""
    image = session.get(Image, image_id, with_for_update=lock)
    if image is None or image.id != image_id:
        raise NotFound(f"No image found with ID {image_id}")
    if not is_visible(image, project_id=ctx.project_id, is_admin=ctx.is_admin):
        raise NotFound(f"No image found with ID {image_id}")
    return image


def require_modify(ctx: RequestContext, image: Image) -> None:
    """Glance's `modify_image`: an admin, or a member of the project that owns the image."""
    if not ctx.is_admin and (not owns(image.owner, ctx.project_id) or not ctx.can_write):
        raise Forbidden("You are not authorized to complete modify_image action.")


def _no_id(req: falcon.Request) -> bool:
    # `/v2/images/` names an image with an empty id (falcon strips the slash): none exists.
    path: str = req.env.get("PATH_INFO", "")
    return path.endswith("/")


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
        if _no_id(req):
            raise NotFound("The resource could not be found.")
        with self._deps.store.session() as session:
            page = listing.list_images(session, req.context.auth, req.query_string)
            body: dict[str, Any] = {
                "images": [image_view(i) for i in page.images],
                "first": "/v2/images",
                "schema": "/v2/schemas/images",
            }
        if page.next is not None:
            body["next"] = f"/v2/images?{page.next}"
        resp.media = body

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        if _no_id(req):
            raise NotFound("The resource could not be found.")
        resp.set_header("Allow", "GET, POST")
        raise MethodNotAllowed("The method specified is not allowed for this resource.")

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        new = request_of(req, ImageCreate)
        owner = new.owner if new.owner_named else ctx.project_id
        if owner != ctx.project_id and not ctx.is_admin:
            raise Forbidden("You are not authorized to complete add_image action.")
        if new.visibility == "public" and not ctx.is_admin:
            raise Forbidden("You are not authorized to complete publicize_image action.")
        now = self._deps.clock.now()
        image = Image(
            id=new.id, name=new.name, status="queued", visibility=new.visibility,
            protected=new.protected, os_hidden=new.os_hidden, owner=owner,
            container_format=new.container_format, disk_format=new.disk_format,
            min_disk=new.min_disk, min_ram=new.min_ram, tags=new.tags,
            properties=new.properties, created_at=now, updated_at=now,
        )  # fmt: skip
        with self._deps.store.session(write=True) as session:
            # A deleted image's id is never taken again (Glance keeps its deleted rows).
            if session.get(Image, image.id) is not None or session.get(
                ImageTombstone, image.id
            ) is not None:
                raise _duplicate(image.id)
            session.add(image)
            try:
                session.flush()
            except IntegrityError:
                # An identical create committed between the check and the insert.
                raise _duplicate(image.id) from None
        resp.status = falcon.HTTP_201
        resp.set_header("Location", f"{req.prefix.rstrip('/')}/v2/images/{image.id}")
        # What Glance tells a client about importing data into the new image: openstacksdk and
        # `openstack image create --import` look for these.
        resp.set_header("OpenStack-image-import-methods", ",".join(data_store.IMPORT_METHODS))
        resp.set_header("OpenStack-image-store-ids", data_store.STORE_ID)
        resp.media = image_view(image)


def _duplicate(image_id: str) -> Conflict:
    return Conflict(f"Image with identifier {image_id} already exists!")


class ImageItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        with self._deps.store.session() as session:
            resp.media = image_view(get_visible(session, req.context.auth, image_id))

    def on_patch(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        ctx: RequestContext = req.context.auth
        kind = patch.media_type(req.content_type)
        changes = patch.parse(json_reader(self._deps.config.max_request_body_size)(req), kind)
        with self._deps.store.session(write=True) as session:
            image = get_visible(session, ctx, image_id, lock=True)
            require_modify(ctx, image)
            patch.apply(image, changes, ctx, kind)
            if changes:
                image.updated_at = self._deps.clock.now()
            session.flush()
            resp.media = image_view(image)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            image = get_visible(session, ctx, image_id, lock=True)
            if not ctx.is_admin and (not owns(image.owner, ctx.project_id) or not ctx.can_write):
                raise Forbidden("You are not authorized to complete delete_image action.")
            if image.protected:
                raise Forbidden(f"Image {image_id} is protected and cannot be deleted.")
            data_store.bury(self._deps, session, image)
        resp.status = falcon.HTTP_204
