"""Nova's image proxy (/images and their metadata; deprecated, gone from 2.36: 404 from then).

Nova relays these to Glance; here they go through the image service's own functions
(image/proxy_ops.py), so Glance's rules for who sees and who changes an image hold, and the
answers are shown in Nova's image view.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import falcon
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.compute.listing import MAX_LIMIT, parse_time
from pocketstack.cloud.compute.requests import MetadataItem, MetadataUpdate
from pocketstack.cloud.compute.routing import Links, auth_of
from pocketstack.cloud.compute.services import query_params
from pocketstack.cloud.compute.views import isotime
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Forbidden, NotFound
from pocketstack.cloud.image import proxy_ops
from pocketstack.cloud.image.proxy_ops import Caller, ImageFilter, ProxyImage
from pocketstack.cloud.image.schema import STATUSES
from pocketstack.cloud.inputs import decimal

_STATUS = {"active": "ACTIVE", "queued": "SAVING", "saving": "SAVING", "deleted": "DELETED",
           "pending_delete": "DELETED", "killed": "ERROR"}  # fmt: skip
_PROGRESS = {"queued": 25, "saving": 50, "active": 100}
_TRUE = frozenset({"1", "t", "true", "on", "y", "yes"})


def _caller(req: falcon.Request) -> Caller:
    ctx = auth_of(req)
    return Caller(project_id=ctx.project_id, is_admin=ctx.is_admin, can_write=ctx.can_write)


@contextmanager
def _image_errors(image_id: str, *, refused: str) -> Iterator[None]:
    """The image service's refusals in Nova's words."""
    try:
        yield
    except proxy_ops.ImageNotFound:
        raise NotFound("Image not found.") from None
    except proxy_ops.NotAllowed:
        raise Forbidden(refused) from None
    except proxy_ops.TooManyProperties:
        raise Forbidden("Image metadata limit exceeded") from None


def _glance_href(links: Links, image_id: str) -> str:
    # The image service answers beside compute in the same cloud.
    root = links.base.removesuffix("/compute")
    return f"{root}/image/images/{image_id}"


def image_view(image: ProxyImage, links: Links) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": image.id, "name": image.name, "minRam": image.min_ram, "minDisk": image.min_disk,
        "metadata": image.properties, "created": isotime(image.created_at),
        "updated": isotime(image.updated_at), "status": _STATUS.get(image.status, "UNKNOWN"),
        "progress": _PROGRESS.get(image.status, 0), "OS-EXT-IMG-SIZE:size": image.size,
        "links": _links(image.id, links),
    }  # fmt: skip
    server = image.properties.get("instance_uuid")
    if server is not None:
        view["server"] = {"id": str(server), "links": links.pair("servers", str(server))}
    disk_config = image.properties.get("auto_disk_config")
    if disk_config is not None:
        view["OS-DCF:diskConfig"] = "AUTO" if str(disk_config).lower() in _TRUE else "MANUAL"
    return view


def _links(image_id: str, links: Links) -> list[dict[str, str]]:
    return [
        *links.pair("images", image_id),
        {"rel": "alternate", "type": "application/vnd.openstack.image",
         "href": _glance_href(links, image_id)},
    ]  # fmt: skip


def _filter(params: dict[str, str]) -> ImageFilter:
    status = params.get("status")
    if status is not None:
        status = status.lower()
        if status not in STATUSES:
            raise BadRequest(f"Invalid status value: {params['status']}")
    changed = params.get("changes-since")
    properties = {k.removeprefix("property-"): v for k, v in params.items()
                  if k.startswith("property-")}  # fmt: skip
    if "server" in params:
        # Nova takes the server's id off the end of a URL as well.
        properties["instance_uuid"] = params["server"].rsplit("/", 1)[-1]
    if "type" in params:
        properties["image_type"] = params["type"]
    return ImageFilter(
        name=params.get("name"),
        status=status,
        changed_since=parse_time("changes-since", changed) if changed is not None else None,
        min_ram=_count(params, "minRam"),
        min_disk=_count(params, "minDisk"),
        properties=properties,
    )


def _count(params: dict[str, str], name: str) -> int | None:
    if name not in params:
        return None
    number = decimal(params[name], cap=2**31 - 1)
    if number is None:
        raise BadRequest(f"Invalid {name} filter [{params[name]}]")
    return number


class ImageList:
    def __init__(self, deps: CloudDeps, *, detail: bool) -> None:
        self._deps = deps
        self._detail = detail

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        params = query_params(req)
        wanted = _filter(params)
        limit = MAX_LIMIT
        if "limit" in params:
            number = decimal(params["limit"], cap=MAX_LIMIT)
            if number is None:
                raise BadRequest("limit param must be an integer")
            limit = number
        marker = params.get("marker")
        with self._deps.store.session() as session:
            try:
                page = proxy_ops.list_images(
                    session, _caller(req), wanted, marker=marker, limit=limit
                )
            except proxy_ops.BadMarker:
                raise BadRequest(f"marker [{marker}] not found") from None
        links = Links(req)
        body: dict[str, Any] = {
            "images": [
                image_view(i, links)
                if self._detail
                else {"id": i.id, "name": i.name, "links": _links(i.id, links)}
                for i in page
            ]
        }
        if page and len(page) == limit:
            pairs = [(k, v) for k, v in params.items() if k != "marker"]
            pairs.append(("marker", page[-1].id))
            collection = "images/detail" if self._detail else "images"
            href = f"{links.collection(collection)}?{urllib.parse.urlencode(sorted(pairs))}"
            body["images_links"] = [{"rel": "next", "href": href}]
        resp.media = body


class ImageItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        with self._deps.store.session() as session, _image_errors(image_id, refused=""):
            image = proxy_ops.get_image(session, image_id, _caller(req))
        resp.media = {"image": image_view(image, Links(req))}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        refused = "You are not allowed to delete the image."
        with (
            self._deps.store.session(write=True) as session,
            _image_errors(image_id, refused=refused),
        ):
            proxy_ops.delete_image(self._deps, session, image_id, _caller(req))
        resp.status = falcon.HTTP_204


class _MetadataBase:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def _read(self, req: falcon.Request, image_id: str) -> dict[str, Any]:
        with self._deps.store.session() as session, _image_errors(image_id, refused=""):
            return proxy_ops.get_image(session, image_id, _caller(req)).properties

    def _change(
        self,
        req: falcon.Request,
        image_id: str,
        change: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> ProxyImage:
        refused = f"Not authorized for image {image_id}."
        session: Session
        with (
            self._deps.store.session(write=True) as session,
            _image_errors(image_id, refused=refused),
        ):
            return proxy_ops.change_properties(
                session, image_id, _caller(req), change, self._deps.clock.now()
            )


class ImageMetadata(_MetadataBase):
    def on_get(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        resp.media = {"metadata": self._read(req, image_id)}

    def on_post(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        items = request_of(req, MetadataUpdate).items
        image = self._change(req, image_id, lambda current: {**current, **items})
        resp.media = {"metadata": image.properties}

    def on_put(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        items = dict(request_of(req, MetadataUpdate).items)
        self._change(req, image_id, lambda current: items)
        resp.media = {"metadata": items}


class ImageMetadataItem(_MetadataBase):
    def on_get(self, req: falcon.Request, resp: falcon.Response, image_id: str, key: str) -> None:
        properties = self._read(req, image_id)
        if key not in properties:
            raise NotFound("The resource could not be found.")
        resp.media = {"meta": {key: properties[key]}}

    def on_put(self, req: falcon.Request, resp: falcon.Response, image_id: str, key: str) -> None:
        item = request_of(req, MetadataItem)
        if item.key != key:
            raise BadRequest("Request body and URI mismatch")
        self._change(req, image_id, lambda current: {**current, key: item.value})
        resp.media = {"meta": {key: item.value}}

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, image_id: str, key: str
    ) -> None:
        def without(current: dict[str, Any]) -> dict[str, Any]:
            if key not in current:
                raise NotFound("Invalid metadata key")
            return {k: v for k, v in current.items() if k != key}

        self._change(req, image_id, without)
        resp.status = falcon.HTTP_204
