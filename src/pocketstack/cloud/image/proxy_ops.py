"""What compute's deprecated image proxy (Nova's /images, gone at 2.36) asks of the image
service: list, show and delete images and replace their properties, under Glance's rules for
who sees and who changes an image. Compute gets plain values back, never the table's rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image import data_store
from pocketstack.cloud.image.lookup import is_visible, owns
from pocketstack.cloud.image.requests import is_free_property
from pocketstack.cloud.inputs import too_big_for_text
from pocketstack.cloud.store.models.image import Image

# Glance's image_property_quota default.
MAX_PROPERTIES = 128
# How many rows a page filtered on properties reads at a time (they are JSON text, filtered
# here rather than in SQL).
_BATCH = 200


class ImageNotFound(Exception):
    """The image does not exist or the caller may not see it."""


class NotAllowed(Exception):
    """The caller sees the image but may not change it (not its owner, or it is protected)."""


class BadMarker(Exception):
    """The page's marker names no image the caller sees."""


class TooManyProperties(Exception):
    """Over the properties quota, or more than the store holds."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Caller:
    project_id: str | None
    is_admin: bool
    # Whether the token may write (a member's role, not only a reader's).
    can_write: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProxyImage:
    id: str
    name: str | None
    status: str
    min_disk: int
    min_ram: int
    size: int | None
    properties: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImageFilter:
    name: str | None = None
    status: str | None = None
    changed_since: dt.datetime | None = None
    min_ram: int | None = None
    min_disk: int | None = None
    # Properties that must equal these values (server: instance_uuid, type: image_type, ...).
    properties: Mapping[str, str] = dataclasses.field(default_factory=dict)


def _value(image: Image) -> ProxyImage:
    return ProxyImage(
        id=image.id, name=image.name, status=image.status, min_disk=image.min_disk,
        min_ram=image.min_ram, size=image.size, properties=json.loads(image.properties),
        created_at=image.created_at, updated_at=image.updated_at,
    )  # fmt: skip


def _row(session: Session, image_id: str, caller: Caller, *, lock: bool = False) -> Image:
    stmt = select(Image).where(Image.id == image_id)
    if lock:
        stmt = stmt.with_for_update()
    image = session.scalars(stmt).first()
    if image is None or not is_visible(
        image, project_id=caller.project_id, is_admin=caller.is_admin
    ):
        raise ImageNotFound(image_id)
    return image


def get_image(session: Session, image_id: str, caller: Caller) -> ProxyImage:
    return _value(_row(session, image_id, caller))


def list_images(
    session: Session, caller: Caller, wanted: ImageFilter, *, marker: str | None, limit: int
) -> list[ProxyImage]:
    """One page, newest first (Glance's order), of the images the caller's listing shows:
    an admin's all, anyone else's the public ones and their project's own."""
    stmt = select(Image)
    if not caller.is_admin:
        mine = Image.owner == caller.project_id if caller.project_id is not None else false()
        stmt = stmt.where(or_(Image.visibility == "public", mine))
    if wanted.name is not None:
        stmt = stmt.where(Image.name == wanted.name)
    if wanted.status is not None:
        stmt = stmt.where(Image.status == wanted.status)
    if wanted.changed_since is not None:
        stmt = stmt.where(Image.updated_at >= wanted.changed_since)
    if wanted.min_ram is not None:
        stmt = stmt.where(Image.min_ram >= wanted.min_ram)
    if wanted.min_disk is not None:
        stmt = stmt.where(Image.min_disk >= wanted.min_disk)
    if marker is not None:
        after = session.get(Image, marker)
        if after is None or not is_visible(
            after, project_id=caller.project_id, is_admin=caller.is_admin
        ):
            raise BadMarker(marker)
        stmt = stmt.where(_before(after.created_at, after.id))
    stmt = stmt.order_by(Image.created_at.desc(), Image.id.desc())
    if not wanted.properties:
        return [_value(i) for i in session.scalars(stmt.limit(limit))]
    return _filtered_page(session, stmt, _matches(wanted.properties), limit)


def _before(created_at: dt.datetime, image_id: str) -> Any:
    return or_(
        Image.created_at < created_at, and_(Image.created_at == created_at, Image.id < image_id)
    )


def _matches(wanted: Mapping[str, str]) -> Callable[[ProxyImage], bool]:
    def match(image: ProxyImage) -> bool:
        return all(str(image.properties.get(k)) == v for k, v in wanted.items())

    return match


def _filtered_page(
    session: Session, stmt: Any, match: Callable[[ProxyImage], bool], limit: int
) -> list[ProxyImage]:
    found: list[ProxyImage] = []
    batch_stmt = stmt
    while len(found) < limit:
        rows = list(session.scalars(batch_stmt.limit(_BATCH)))
        found += [v for v in map(_value, rows) if match(v)]
        if len(rows) < _BATCH:
            break
        batch_stmt = stmt.where(_before(rows[-1].created_at, rows[-1].id))
    return found[:limit]


def delete_image(deps: CloudDeps, session: Session, image_id: str, caller: Caller) -> None:
    image = _row(session, image_id, caller, lock=True)
    if image.protected or not _may_change(image, caller):
        raise NotAllowed(image_id)
    data_store.bury(deps, session, image)


def _may_change(image: Image, caller: Caller) -> bool:
    return caller.is_admin or (owns(image.owner, caller.project_id) and caller.can_write)


def change_properties(
    session: Session,
    image_id: str,
    caller: Caller,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    now: dt.datetime,
) -> ProxyImage:
    """Sets the image's properties to what `change` makes of them (it may raise to refuse),
    with the image's row held until the transaction ends so two changes never interleave."""
    image = _row(session, image_id, caller, lock=True)
    current = json.loads(image.properties)
    updated = change(dict(current))
    if not _may_change(image, caller):
        raise NotAllowed(image_id)
    # Glance's rules for what a property may be named hold whichever API asks.
    if any(current.get(k) != v and not is_free_property(k) for k, v in updated.items()):
        raise NotAllowed(image_id)
    text = json.dumps(updated)
    if len(updated) > MAX_PROPERTIES or too_big_for_text(text):
        raise TooManyProperties(image_id)
    image.properties = text
    image.updated_at = now
    session.flush()
    return _value(image)
