"""Image data received: the upload (`PUT /v2/images/{id}/file`), the staging of an interoperable
import (`PUT .../stage`) and the `glance-direct` import that makes staged data the image's.

Each moves the image's status with a conditional UPDATE (from the status it must have), so of
two requests racing on one image exactly one proceeds and the other is refused with Glance's
409; the data is written outside any transaction, and a write that fails leaves the image as
it was (`queued`) and no file behind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any, cast

import falcon
from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, CloudError, Conflict, Forbidden, NotFound
from pocketstack.cloud.image import data_store, import_tasks
from pocketstack.cloud.image.images import get_visible
from pocketstack.cloud.image.lookup import owns
from pocketstack.cloud.store.models.image import Image

IMPORT_METHODS = data_store.IMPORT_METHODS


class Gone(CloudError):
    status = 410


def denied(rule: str) -> Forbidden:
    return Forbidden(f"You are not authorized to complete {rule} action.")


def owned(session: Session, ctx: RequestContext, image_id: str, rule: str) -> Image:
    """The image, if the caller may change it under Glance's `rule` (admin, or a member of the
    owning project); 404 for an image the caller may not see, 403 for one they may only see."""
    image = get_visible(session, ctx, image_id, lock=True)
    if not ctx.is_admin and (not owns(image.owner, ctx.project_id) or not ctx.can_write):
        raise denied(rule)
    return image


def transition(deps: CloudDeps, session: Session, image: Image, source: str, target: str) -> None:
    """`image` from status `source` to `target`, or Glance's 409 if it is not (or no longer) in
    `source`."""
    if image.status != source:
        raise _not_allowed(image.status, target)
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Image)
            .where(Image.id == image.id, Image.status == source)
            .values(status=target, updated_at=deps.clock.now())
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        # Another request moved it between the read and the update.
        session.expire(image)
        current = session.get(Image, image.id)
        if current is None:
            raise NotFound(f"No image found with ID {image.id}")
        raise _not_allowed(current.status, target)
    image.status = target


def _not_allowed(current: str, target: str) -> Conflict:
    return Conflict(f"Image status transition from {current} to {target} is not allowed")


def _restore(deps: CloudDeps, image_id: str, busy: str) -> None:
    """Back to `queued` after a failed write, as Glance restores an image."""
    with deps.store.session(write=True) as session:
        session.execute(
            update(Image)
            .where(Image.id == image_id, Image.status == busy)
            .values(status="queued", size=None, updated_at=deps.clock.now())
        )


def _gone(image_id: str) -> Gone:
    return Gone(
        f"Image {image_id} could not be found after upload. The image may have been deleted"
        " during the upload, cleaning up the chunks uploaded."
    )


def body_chunks(req: falcon.Request) -> Iterator[bytes]:
    """The request's body chunk by chunk, whether framed by Content-Length or de-chunked by the
    server (see cloud/requestbody.py)."""
    if req.content_length is not None:
        stream: Any = req.bounded_stream
    elif req.env.get("wsgi.input_terminated"):
        stream = req.stream
    else:
        return
    while chunk := stream.read(data_store.CHUNK):
        yield chunk


def receive(
    deps: CloudDeps,
    ctx: RequestContext,
    image_id: str,
    chunks: Iterable[bytes],
    *,
    length: int | None,
    staging: bool,
) -> None:
    """The upload (or, `staging`, the stage) of an image's data: queued -> saving -> active
    (queued -> uploading, the data in the staging directory)."""
    busy = "uploading" if staging else "saving"
    rule = "modify_image" if staging else "upload_image"
    cap = deps.config.image_size_cap
    with deps.store.session(write=True) as session:
        image = owned(session, ctx, image_id, rule)
        # Files are named by the image's own id, whatever form of it the path gave.
        image_id = image.id
        if not staging and (image.disk_format is None or image.container_format is None):
            raise BadRequest(
                "Properties disk_format, container_format must be set prior to saving data."
            )
        owner = image.owner
        room = data_store.quota_room(deps, session, owner, image.id)
        transition(deps, session, image, "queued", busy)
        # What the client announced is refused before a byte of it is read.
        if length is not None and length > cap:
            raise data_store.too_large(cap)
        if length is not None and room is not None and length > room:
            raise data_store.over_quota(deps.config.user_storage_quota)
    directory = data_store.staging_dir(deps) if staging else data_store.images_dir(deps)
    try:
        written = data_store.write(
            directory, chunks, cap=cap, room=room, quota=deps.config.user_storage_quota
        )
    except BaseException:
        _restore(deps, image_id, busy)
        raise
    target = (data_store.staged_path if staging else data_store.data_path)(deps, image_id)
    values: dict[str, Any] = {"size": written.size, "updated_at": deps.clock.now()}
    if not staging:
        values |= data_store.described(written)
    placed = False
    try:
        with deps.store.session(write=True) as session:
            data_store.claim_room(deps, session, owner, image_id, written.size)
            result = cast(
                CursorResult[Any],
                session.execute(
                    update(Image).where(Image.id == image_id, Image.status == busy).values(values)
                ),
            )
            if result.rowcount != 1:
                raise _gone(image_id)
            data_store.place(written, target)
            placed = True
    except Gone:
        data_store.remove(written.path)
        raise
    except BaseException:
        # Not committed: neither the temporary file nor the data put in place stays.
        data_store.remove(target if placed else written.path)
        _restore(deps, image_id, busy)
        raise


@dataclasses.dataclass(frozen=True)
class ImportRequest:
    method: str
    # The body as sent, which the import's task shows as its input.
    body: dict[str, Any]
    # The stores named (None: the default store, or every store with `all_stores`).
    stores: list[Any] | None


def parse_import(body: Any, version: object) -> ImportRequest:
    """A `POST .../import` body, checked as Glance checks it."""
    if not isinstance(body, dict) or "method" not in body:
        raise BadRequest("Import request requires a 'method' field.")
    method = body["method"]
    if not isinstance(method, dict) or "name" not in method:
        raise BadRequest("Import request requires a 'name' field.")
    name = method["name"]
    if name not in IMPORT_METHODS:
        raise BadRequest(f"Unknown import method name '{name}'.")
    for key, default in (("all_stores_must_succeed", True), ("all_stores", False)):
        if not isinstance(body.get(key, default), bool):
            raise BadRequest(f"'{key}' must be boolean value only")
    stores = body.get("stores")
    if stores is not None and not isinstance(stores, list):
        stores = [stores]
    return ImportRequest(str(name), body, stores)


def _import_stores(request: ImportRequest, header: str | None) -> None:
    """Glance's checks of the stores an import names (there is one store: STORE_ID)."""
    if request.body.get("all_stores", False):
        if request.stores is not None or header is not None:
            raise BadRequest(
                "All_stores parameter can't be used with x-image-meta-store header or stores"
                " parameter"
            )
        return
    if request.stores is not None and header is not None:
        raise BadRequest("Stores parameter and x-image-meta-store header can't be both specified")
    for store in request.stores if request.stores is not None else [header]:
        if store is not None and store != data_store.STORE_ID:
            raise Conflict(data_store.unknown_store(str(store)))


def import_staged(
    deps: CloudDeps,
    ctx: RequestContext,
    image_id: str,
    request: ImportRequest,
    *,
    store_header: str | None,
) -> None:
    """The `glance-direct` import: the staged data becomes the image's (uploading -> importing
    -> active). Glance runs it as a task after answering 202; here the task is done by then,
    and recorded (import_tasks.py). Staged data found missing fails the task, as in Glance: the
    image is back to `queued`, to be staged again."""
    method = request.method
    with deps.store.session(write=True) as session:
        image = get_visible(session, ctx, image_id)
        if image.status == "active":
            raise Conflict("Image with status active cannot be target for import")
        if image.status != "uploading":
            raise Conflict(f"Image needs to be staged before '{method}' method can be used")
        if not image.container_format:
            raise Conflict("'container_format' needs to be set before import")
        if not image.disk_format:
            raise Conflict("'disk_format' needs to be set before import")
        owned(session, ctx, image_id, "modify_image")
        _import_stores(request, store_header)
        transition(deps, session, image, "uploading", "importing")
    staged = data_store.staged_path(deps, image_id)
    try:
        written = data_store.digest(staged)
    except OSError as exc:
        _restore(deps, image_id, "importing")
        data_store.remove(staged)
        import_tasks.record(
            # The reason, never the path: a task is shown to users, the file system is ours.
            deps, ctx, image_id, body=request.body,
            failure=f"Staged data unreadable: {exc.strerror or type(exc).__name__}",
        )
        return
    target = data_store.data_path(deps, image_id)
    placed = False
    try:
        with deps.store.session(write=True) as session:
            values = data_store.described(written) | {"updated_at": deps.clock.now()}
            result = cast(
                CursorResult[Any],
                session.execute(
                    update(Image)
                    .where(Image.id == image_id, Image.status == "importing")
                    .values(values)
                ),
            )
            if result.rowcount != 1:
                raise _gone(image_id)
            data_store.place(written, target)
            placed = True
    except Gone:
        data_store.discard(deps, image_id)
        return
    except BaseException:
        # Not committed: nothing of the import stays; the image is to be staged again.
        data_store.remove(target if placed else staged)
        data_store.remove(staged)
        _restore(deps, image_id, "importing")
        raise
    import_tasks.record(deps, ctx, image_id, body=request.body, failure=None)
