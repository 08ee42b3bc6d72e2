"""What other services may ask of the image service, as functions: they never read its table.

Compute boots servers from images; it calls `find_visible` with its own request's database
session (one store, one transaction), and gets back a plain value, not the table's row.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.cloud.store.models.image import Image


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


def is_visible(image: Image, *, project_id: str | None, is_admin: bool) -> bool:
    """Glance's rule for reading one image by id: an admin sees all, others public, community
    and their project's own images (shared images have no members here)."""
    return is_admin or image.visibility in ("public", "community") or image.owner == project_id


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
