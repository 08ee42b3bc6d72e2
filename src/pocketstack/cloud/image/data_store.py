"""Image data on the filesystem (Glance's `file` store): one file per image, named by its id,
under `<data_dir>/images/`, and the staged data of the interoperable import under
`<data_dir>/images/staging/`.

Data is written as it arrives, to a temporary file in the same directory that is renamed into
place once whole, so that a reader never sees half an image and a failed write leaves nothing;
its size, MD5 checksum and sha512 multihash are computed on the way. Directories are 0700 and
files 0600: image data is the owner's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import delete as sa_delete
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from pocketstack.cloud.compute.quotas import lock as quota_lock
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import PayloadTooLarge
from pocketstack.cloud.store.models.image import Image, ImageTombstone
from pocketstack.cloud.store.models.image_member import ImageMember

CHUNK = 64 * 1024
HASH_ALGO = "sha512"
STORE_ID = "file"
# The interoperable import methods this image service offers (no web-download: nothing here
# reaches the internet).
IMPORT_METHODS = ("glance-direct",)


@dataclasses.dataclass(frozen=True)
class Written:
    """Data written to a temporary file, not yet in place."""

    path: Path
    size: int
    checksum: str
    os_hash_value: str


def _directory(path: Path) -> Path:
    # Each level made private: mkdir's mode does not reach the parents it makes.
    if not path.parent.is_dir():
        _directory(path.parent)
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def images_dir(deps: CloudDeps) -> Path:
    return _directory(deps.config.data_dir / "images")


def staging_dir(deps: CloudDeps) -> Path:
    return _directory(deps.config.data_dir / "images" / "staging")


def data_path(deps: CloudDeps, image_id: str) -> Path:
    return images_dir(deps) / image_id


def staged_path(deps: CloudDeps, image_id: str) -> Path:
    return staging_dir(deps) / image_id


def tasks_path(deps: CloudDeps, image_id: str) -> Path:
    """Where the image's import tasks are kept (import_tasks.py)."""
    return _directory(deps.config.data_dir / "images" / "tasks") / f"{image_id}.json"


def stores_of(status: str) -> str | None:
    """The `stores` an image in `status` shows, as a multi-store Glance does: the store that
    holds its data; None when it has none."""
    return STORE_ID if status in ("active", "deactivated") else None


def unknown_store(store: str) -> str:
    """glance_store's words for a store id that is not one."""
    return f"Unknown scheme '{store}' found in URI"


def too_large(cap: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The incoming image is too large: Maximum image size is {cap} bytes")


def over_quota(quota: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Image exceeds the storage quota: The size of the data would exceed the storage quota"
        f" of {quota} bytes"
    )


def remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def write(
    directory: Path, chunks: Iterable[bytes], *, cap: int, room: int | None, quota: int
) -> Written:
    """`chunks` written to a new temporary file in `directory`; 413 (and nothing left behind)
    past `cap` bytes, or past `room` bytes (what the owner's storage `quota` leaves; None: no
    quota)."""
    md5 = hashlib.md5(usedforsecurity=False)
    sha = hashlib.new(HASH_ALGO)
    size = 0
    # mkstemp creates the file 0600.
    fd, name = tempfile.mkstemp(dir=directory, prefix=".part-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                if not chunk:
                    continue
                size += len(chunk)
                if size > cap:
                    raise too_large(cap)
                if room is not None and size > room:
                    raise over_quota(quota)
                md5.update(chunk)
                sha.update(chunk)
                out.write(chunk)
    except BaseException:
        remove(path)
        raise
    return Written(path, size, md5.hexdigest(), sha.hexdigest())


def place(written: Written, target: Path) -> None:
    """The written data in place at `target` (atomically, replacing what was there)."""
    os.replace(written.path, target)


def quota_room(deps: CloudDeps, session: Session, owner: str | None, image_id: str) -> int | None:
    """How many bytes `owner` may still store for `image_id` under `user_storage_quota`; None
    when there is no quota."""
    quota = deps.config.user_storage_quota
    if quota == 0:
        return None
    used = session.scalar(
        select(func.coalesce(func.sum(Image.size), 0)).where(
            Image.owner == owner, Image.id != image_id, Image.size.is_not(None)
        )
    )
    return max(quota - int(used or 0), 0)


def claim_room(deps: CloudDeps, session: Session, owner: str | None, image_id: str,
               size: int) -> None:  # fmt: skip
    """The owner's storage quota checked again where the size is recorded, under the owner's
    quota lock: two uploads that each fit alone cannot both be kept if together they do not
    (the lock holds until the caller's transaction commits)."""
    quota = deps.config.user_storage_quota
    if quota == 0 or owner is None:
        return
    quota_lock(session, f"image:{owner}")
    room = quota_room(deps, session, owner, image_id)
    if room is not None and size > room:
        raise over_quota(quota)


def digest(path: Path) -> Written:
    """The data of a file already written (staged data), described as `write` describes it."""
    md5 = hashlib.md5(usedforsecurity=False)
    sha = hashlib.new(HASH_ALGO)
    size = 0
    for chunk in read_chunks(path):
        size += len(chunk)
        md5.update(chunk)
        sha.update(chunk)
    return Written(path, size, md5.hexdigest(), sha.hexdigest())


def described(written: Written) -> dict[str, Any]:
    """The image columns that describe `written`, the image being active with it."""
    return {
        "status": "active",
        "size": written.size,
        "checksum": written.checksum,
        "os_hash_algo": HASH_ALGO,
        "os_hash_value": written.os_hash_value,
    }


def put_data(deps: CloudDeps, session: Session, image: Image, chunks: Iterable[bytes]) -> None:
    """Stores `chunks` as the data of `image` (a row of `session`) and makes it active, within
    the caller's transaction: sets size, checksum, os_hash_algo/os_hash_value and status. The
    image size cap and the owner's storage quota apply (PayloadTooLarge, nothing stored). The
    file is in place when this returns; if the transaction then rolls back it is removed."""
    written = write(
        images_dir(deps),
        chunks,
        cap=deps.config.image_size_cap,
        room=quota_room(deps, session, image.owner, image.id),
        quota=deps.config.user_storage_quota,
    )
    try:
        claim_room(deps, session, image.owner, image.id, written.size)
    except BaseException:
        remove(written.path)
        raise
    target = data_path(deps, image.id)
    try:
        place(written, target)
    except BaseException:
        remove(written.path)
        raise
    for name, value in described(written).items():
        setattr(image, name, value)
    _remove_on_rollback(session, target)


def _remove_on_rollback(session: Session, target: Path) -> None:
    # Listeners cannot be removed while the session dispatches its events: they stay (as long
    # as the session does) and act once, on whichever of commit and rollback comes first.
    settled = False

    def rolled_back(_session: Session) -> None:
        nonlocal settled
        if not settled:
            settled = True
            remove(target)

    def committed(_session: Session) -> None:
        nonlocal settled
        settled = True

    event.listen(session, "after_rollback", rolled_back)
    event.listen(session, "after_commit", committed)


def bury(deps: CloudDeps, session: Session, image: Image) -> None:
    """The image deleted for good in the caller's transaction: its members, its row, its id
    kept as a tombstone (never taken again), and its data once the delete commits."""
    session.execute(sa_delete(ImageMember).where(ImageMember.image_id == image.id))
    session.add(ImageTombstone(id=image.id, deleted_at=deps.clock.now()))
    session.delete(image)
    session.flush()
    discard_on_commit(deps, session, image.id)


def discard_on_commit(deps: CloudDeps, session: Session, image_id: str) -> None:
    """`discard` once the transaction that deletes the image commits: one that rolls back
    keeps the image, and so its data."""
    event.listen(session, "after_commit", lambda _s: discard(deps, image_id), once=True)


def discard(deps: CloudDeps, image_id: str) -> None:
    """Removes whatever is kept for `image_id`: data, staged data, import tasks (nothing there
    is fine)."""
    remove(data_path(deps, image_id))
    remove(staged_path(deps, image_id))
    remove(tasks_path(deps, image_id))


def read_chunks(path: Path, *, offset: int = 0, length: int | None = None) -> Iterator[bytes]:
    """The file's bytes from `offset`, `length` of them (None: to the end), chunk by chunk. The
    file is opened at once, so that data removed after this call is still read whole."""
    handle = path.open("rb")

    def chunks() -> Iterator[bytes]:
        with handle:
            handle.seek(offset)
            left = length
            while left is None or left > 0:
                chunk = handle.read(CHUNK if left is None else min(CHUNK, left))
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk

    return chunks()


def open_data(deps: CloudDeps, image_id: str) -> Iterator[bytes] | None:
    """The stored data of `image_id`, chunk by chunk; None when it has none."""
    try:
        return read_chunks(data_path(deps, image_id))
    except FileNotFoundError:
        return None
