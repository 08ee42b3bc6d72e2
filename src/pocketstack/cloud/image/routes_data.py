"""The image data: upload, download, staging and import, deactivate/reactivate (Glance v2)."""

from __future__ import annotations

import dataclasses
import re

import falcon

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, CloudError, Forbidden
from pocketstack.cloud.image import data_store, import_tasks, uploads
from pocketstack.cloud.image.images import get_visible
from pocketstack.cloud.image.uploads import denied


class UnsupportedMediaType(CloudError):
    status = 415


class RangeNotSatisfiable(CloudError):
    status = 416


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def byte_range(header: str, size: int) -> tuple[int, int]:
    """(first, last) byte of a `Range: bytes=...` header, as Glance (webob) reads one: a single
    range, `a-b`, `a-` or the suffix `-n`; 416 for anything else or a start past the end."""
    match = _RANGE.fullmatch(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        raise RangeNotSatisfiable("Invalid Range header.")
    first, last = match.group(1), match.group(2)
    if first == "":
        start = max(size - int(last), 0)
        end = size - 1
    else:
        start = int(first)
        end = size - 1 if last == "" else min(int(last), size - 1)
        if last != "" and int(last) < start:
            raise RangeNotSatisfiable("Invalid Range header.")
    if start >= size:
        raise RangeNotSatisfiable(
            "Invalid start position in Range header. Start position MUST be in the inclusive"
            f" range [0, {size - 1}]."
        )
    return start, end


def _octet_stream(req: falcon.Request) -> None:
    # Glance takes the data as application/octet-stream only, into a store that exists.
    content_type = req.content_type
    if content_type is None or content_type.split(";")[0].strip() != "application/octet-stream":
        raise UnsupportedMediaType(f"Invalid content type {content_type}")
    store = req.get_header("X-Image-Meta-Store")
    if store is not None and store != data_store.STORE_ID:
        raise BadRequest(data_store.unknown_store(store))


@dataclasses.dataclass(frozen=True)
class _Download:
    size: int | None
    checksum: str | None


class ImageFile:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_put(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        _octet_stream(req)
        uploads.receive(
            self._deps,
            req.context.auth,
            image_id,
            uploads.body_chunks(req),
            length=req.content_length,
            staging=False,
        )
        resp.status = falcon.HTTP_204

    def on_get(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session() as session:
            image = get_visible(session, ctx, image_id)
            if image.status == "deactivated" and not ctx.is_admin:
                raise Forbidden(
                    "The requested image has been deactivated. Image data download is forbidden."
                )
            if not ctx.is_admin and not ctx.can_write:
                raise denied("download_image")
            found = _Download(image.size, image.checksum)
            has_data = image.status in ("active", "deactivated")
        size = found.size
        if not has_data or size is None:
            resp.status = falcon.HTTP_204
            return
        start, end = 0, size - 1
        ranged = req.get_header("Range")
        if ranged is not None:
            start, end = byte_range(ranged, size)
        length = max(end - start + 1, 0)
        try:
            chunks = data_store.read_chunks(
                data_store.data_path(self._deps, image_id), offset=start, length=length
            )
        except FileNotFoundError:
            resp.status = falcon.HTTP_204
            return
        if ranged is not None:
            resp.status = falcon.HTTP_206
            resp.set_header("Content-Range", f"bytes {start}-{end}/{size}")
        resp.content_type = "application/octet-stream"
        if found.checksum:
            resp.set_header("Content-MD5", found.checksum)
        resp.content_length = length
        resp.stream = chunks


class ImageStage:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_put(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        _octet_stream(req)
        uploads.receive(
            self._deps,
            req.context.auth,
            image_id,
            uploads.body_chunks(req),
            length=req.content_length,
            staging=True,
        )
        resp.status = falcon.HTTP_204


class ImageImport:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        uploads.import_staged(
            self._deps,
            req.context.auth,
            image_id,
            request_of(req, uploads.ImportRequest),
            store_header=req.get_header("X-Image-Meta-Store"),
        )
        resp.status = falcon.HTTP_202


class ImageTasks:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        with self._deps.store.session() as session:
            get_visible(session, req.context.auth, image_id)
        resp.media = {"tasks": import_tasks.tasks_of(self._deps, image_id)}


class ImageAction:
    """Deactivate or reactivate: from `source` to `target`; already there, nothing to do."""

    def __init__(self, deps: CloudDeps, *, rule: str, source: str, target: str) -> None:
        self._deps = deps
        self._rule = rule
        self._source = source
        self._target = target

    def on_post(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            image = uploads.owned(session, ctx, image_id, self._rule)
            if image.status not in (self._source, self._target):
                raise Forbidden(f"Not allowed to {self._rule} image in status '{image.status}'")
            if image.status == self._source:
                uploads.transition(self._deps, session, image, self._source, self._target)
        resp.status = falcon.HTTP_204


class ImportInfo:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {
            "import-methods": {
                "description": "Import methods available.",
                "type": "array",
                "value": list(uploads.IMPORT_METHODS),
            }
        }


class StoresInfo:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {
            "stores": [
                {
                    "id": data_store.STORE_ID,
                    "description": "Image data in the cloud's data directory",
                    "default": "true",
                }
            ]
        }


def routes(deps: CloudDeps) -> dict[str, object]:
    """The part's URI templates and the falcon resources that serve them."""
    return {
        "/v2/images/{image_id}/file": ImageFile(deps),
        "/v2/images/{image_id}/stage": ImageStage(deps),
        "/v2/images/{image_id}/import": ImageImport(deps),
        "/v2/images/{image_id}/tasks": ImageTasks(deps),
        "/v2/images/{image_id}/actions/deactivate": ImageAction(
            deps, rule="deactivate", source="active", target="deactivated"
        ),
        "/v2/images/{image_id}/actions/reactivate": ImageAction(
            deps, rule="reactivate", source="deactivated", target="active"
        ),
        "/v2/info/import": ImportInfo(),
        "/v2/info/stores": StoresInfo(),
    }
