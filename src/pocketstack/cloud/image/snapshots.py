"""What the compute service asks of the image service when a server is snapshotted: a new
image with the server's data (createImage, createBackup, shelve), and its removal when a
shelved server no longer needs it. Compute calls these with its own request's session (one
store, one transaction); it never touches the image table itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image import data_store
from pocketstack.cloud.store.models.image import Image

# Glance's default formats for an image that has no base to inherit them from (a server
# booted from a volume, or from an image deleted since).
_DEFAULT_FORMATS = ("qcow2", "bare")
# A server's disk when its image holds no data to copy: the fake hypervisor's stand-in, the
# same bytes for the same server so that equal snapshots have equal checksums.
_FAKE_DISK_BLOCKS = 4


@dataclasses.dataclass(frozen=True, kw_only=True)
class Snapshot:
    """The image a server's snapshot becomes, as Nova's compute API describes it to Glance."""

    image_id: str
    name: str
    owner: str
    server_uuid: str
    # The image the server was booted from ("" for none): formats and data come from it.
    base_image_id: str
    properties: Mapping[str, str]
    # At least; the base image's own minimums hold for its snapshots too.
    min_disk: int
    min_ram: int


def create(deps: CloudDeps, session: Session, snap: Snapshot, *, now: dt.datetime) -> None:
    """The snapshot's image, private to the server's project, active with the server's data."""
    base = session.get(Image, snap.base_image_id) if snap.base_image_id else None
    disk, container = _DEFAULT_FORMATS
    min_disk, min_ram = snap.min_disk, snap.min_ram
    if base is not None:
        disk, container = base.disk_format or disk, base.container_format or container
        min_disk, min_ram = max(min_disk, base.min_disk), max(min_ram, base.min_ram)
    image = Image(
        id=snap.image_id, name=snap.name, status="queued", visibility="private",
        protected=False, os_hidden=False, owner=snap.owner, container_format=container,
        disk_format=disk, min_disk=min_disk, min_ram=min_ram, tags="[]",
        properties=json.dumps(dict(snap.properties)), created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(image)
    session.flush()
    chunks = data_store.open_data(deps, base.id) if base is not None else None
    data_store.put_data(deps, session, image, chunks or _fake_disk(snap.server_uuid))


def _fake_disk(server_uuid: str) -> Iterator[bytes]:
    block = f"pocketstack fake disk of server {server_uuid}\n".encode().ljust(1024, b"\0")
    for _ in range(_FAKE_DISK_BLOCKS):
        yield block


def delete(deps: CloudDeps, session: Session, image_id: str) -> None:
    """The image gone with its data, if it is still there (a user may have deleted it) and
    not protected (Glance refuses that delete, and Nova leaves the image)."""
    image = session.get(Image, image_id)
    if image is not None and image.protected:
        return
    if image is not None:
        data_store.bury(deps, session, image)


def backups_to_rotate(
    session: Session, *, owner: str, server_uuid: str, backup_type: str, keep: int
) -> list[str]:
    """The server's backups of this type beyond the newest `keep`, oldest last (Nova's
    rotation deletes them)."""
    rows = session.scalars(
        select(Image)
        .where(Image.owner == owner, Image.properties.contains(server_uuid))
        .order_by(Image.created_at.desc(), Image.id.desc())
    )
    mine = []
    for image in rows:
        props = json.loads(image.properties)
        if (props.get("image_type"), props.get("instance_uuid"), props.get("backup_type")) == (
            "backup", server_uuid, backup_type
        ):  # fmt: skip
            mine.append(image.id)
    return mine[keep:]
