"""What other services may ask of the image service, as functions: they never read its table.

Compute boots servers from images; it calls `find_visible` with its own request's database
session (one store, one transaction), and gets back a plain value, not the table's row.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from pocketstack.cloud.store.models.image import Image
from pocketstack.cloud.store.models.image_member import ImageMember


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImageInfo:
    """An image as a server booted from it needs to know it."""

    id: str
    name: str | None
    status: str
    min_disk: int
    min_ram: int
    # The image's own free-form properties (os_distro, hw_*, ...), as Glance shows them.
    properties: dict[str, Any]

    @property
    def active(self) -> bool:
        return self.status == "active"


def is_member(session: Session, image_id: str, project_id: str | None) -> bool:
    """Whether `project_id` is a member of the image, whatever its membership's status."""
    if project_id is None:
        return False
    found = session.scalar(
        select(ImageMember.id).where(
            ImageMember.image_id == image_id, ImageMember.member == project_id
        )
    )
    return found is not None


def owns(owner: str | None, project_id: str | None) -> bool:
    """Whether a project owns an image: never when either side has no project (Glance's
    is_image_mutable), so that an image of no owner (the bootstrap ones) is no one's, and a
    token of no project (domain or system scoped) owns nothing."""
    return owner is not None and project_id is not None and owner == project_id


def is_visible(image: Image, *, project_id: str | None, is_admin: bool) -> bool:
    """Glance's rule for reading one image by id: an admin sees all, others public, community
    and their project's own images, and a shared image they are a member of (pending, accepted
    or rejected alike: only listings look at the status)."""
    if is_admin or image.visibility in ("public", "community") or owns(image.owner, project_id):
        return True
    if image.visibility != "shared":
        return False
    # The row's own session answers, in the caller's transaction.
    session = object_session(image)
    return session is not None and is_member(session, image.id, project_id)


def find_visible(
    session: Session, image_id: str, *, project_id: str | None, is_admin: bool
) -> ImageInfo | None:
    """The image `image_id` if the caller may see it; None when it does not exist or may not."""
    image = session.get(Image, image_id)
    if image is None or not is_visible(image, project_id=project_id, is_admin=is_admin):
        return None
    return ImageInfo(
        id=image.id,
        name=image.name,
        status=image.status,
        min_disk=image.min_disk,
        min_ram=image.min_ram,
        properties=json.loads(image.properties),
    )
