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
from pocketstack.cloud.image.lookup import owns
from pocketstack.cloud.image.uploads import denied
from pocketstack.cloud.inputs import decimal


class UnsupportedMediaType(CloudError):
    status = 415


class RangeNotSatisfiable(CloudError):
    status = 416


# ASCII digits only (\d takes '²' too), read by inputs.decimal (no int() of 5,000 digits).
_RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")


def byte_range(header: str, size: int) -> tuple[int, int]:
    """(first, last) byte of a `Range: bytes=...` header, as Glance (webob) reads one: a single
    range, `a-b`, `a-` or the suffix `-n`; 416 for anything else or a start past the end."""
    match = _RANGE.fullmatch(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        raise RangeNotSatisfiable("Invalid Range header.")
    # Numbers past the image's size mean what the size means: capped there.
    first = decimal(match.group(1), cap=size) if match.group(1) else None
    last = decimal(match.group(2), cap=size) if match.group(2) else None
    if first is None:
        assert last is not None
        start = max(size - last, 0)
        end = size - 1
    else:
        start = first
        end = size - 1 if last is None else min(last, size - 1)
        if last is not None and last < start:
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


class ImageUpload:
    """A PUT of the image's data: into its store (`/file`) or, `staging`, into the staging area
    an import takes it from (`/stage`); the two differ only in what uploads.receive does."""

    def __init__(self, deps: CloudDeps, *, staging: bool) -> None:
        self._deps = deps
        self._staging = staging

    def on_put(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        _octet_stream(req)
        uploads.receive(
            self._deps,
            req.context.auth,
            image_id,
            uploads.body_chunks(req),
            length=req.content_length,
            staging=self._staging,
        )
        resp.status = falcon.HTTP_204


class ImageFile(ImageUpload):
    """`/file`: the upload, and the download (whole or a range) of what it stored."""

    def __init__(self, deps: CloudDeps) -> None:
        super().__init__(deps, staging=False)

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
        ctx: RequestContext = req.context.auth
        with self._deps.store.session() as session:
            image = get_visible(session, ctx, image_id)
        # Glance shows a task to the project that ran it (and to admins) only.
        tasks = [t for t in import_tasks.tasks_of(self._deps, image.id)
                 if ctx.is_admin or owns(t.get("owner"), ctx.project_id)]  # fmt: skip
        resp.media = {"tasks": tasks}


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
        "/v2/images/{image_id}/stage": ImageUpload(deps, staging=True),
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
