"""Take, list, restore and reset snapshots; the cloud may be running meanwhile.

What a running worker keeps in memory is no copy of the database: every request reads the rows
it needs. What outlives a restore elsewhere is handled by the restore itself: tokens issued
since the snapshot carry their user, scope and roles, so those the restored rows no longer back
are revoked in the restore's transaction (stale_tokens.py), and every worker checks the
revocation events on each request; the one thing a worker holds from the data directory is the
Fernet keys, which it reloads when the repository's listing or any key file's inode changes
(auth/keys.py), and the restore replaces key files by renames. Not reset: the login throttle's
counts of failed logins (per address and user name, minutes long), which are no state of the
cloud's resources.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.identity import credential_keys
from pocketstack.cloud.snapshots import files
from pocketstack.cloud.snapshots.dbcopy import copy_database
from pocketstack.cloud.snapshots.dbrestore import check_revision, restore_database
from pocketstack.cloud.snapshots.layout import (
    BOOTSTRAP,
    DATABASE,
    MANIFEST,
    Manifest,
    SnapshotNotFound,
    existing,
    manifests,
    now_text,
    path_of,
    private_dir,
    publish,
    read_manifest,
    root,
    write_private,
)
from pocketstack.cloud.store.db import Store

IMAGES = "images"
KEYS = "keys"


def _key_repositories(config: CloudConfig) -> dict[str, Path]:
    return {
        "fernet-keys": config.key_repository,
        credential_keys.DIRECTORY: credential_keys.repository_path(config),
    }


@contextlib.contextmanager
def _exclusive(config: CloudConfig) -> Iterator[None]:
    """One snapshot or restore at a time per data directory (their file steps must not mix)."""
    private_dir(root(config))
    fd = os.open(root(config) / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        # Holding the lock, no other take is under way: a partial or replaced directory left
        # here is a crashed one's.
        for left in root(config).glob(".*.*-*"):
            if left.is_dir() and (".partial-" in left.name or ".old-" in left.name):
                shutil.rmtree(left, ignore_errors=True)
        yield
    finally:
        os.close(fd)


def take(config: CloudConfig, name: str, store: Store) -> Manifest:
    """Snapshot the cloud as `name`, replacing an older snapshot of that name."""
    final = path_of(config, name)
    with _exclusive(config):
        partial = private_dir(root(config) / f".{name}.partial-{secrets.token_hex(4)}")
        try:
            started = time.perf_counter()
            images = config.data_dir / IMAGES
            # Image files linked before and after the rows are read: between them, every file a
            # row of the copy can name (one deleted meanwhile, or one uploaded meanwhile).
            files.copy_tree(images, partial / IMAGES, link=True)
            revision, rows = copy_database(store.engine, partial / DATABASE)
            files.copy_tree(images, partial / IMAGES, link=True)
            for label, repository in _key_repositories(config).items():
                if repository.is_dir():
                    files.copy_tree(repository, partial / KEYS / label, link=False)
            manifest = Manifest(
                name=name, created_at=now_text(), backend=store.engine.dialect.name,
                revision=revision, rows=rows, seconds=round(time.perf_counter() - started, 3),
            )  # fmt: skip
            write_private(partial / MANIFEST, manifest.to_json().encode("utf-8"))
            publish(partial, final)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    return manifest


def restore(config: CloudConfig, name: str, store: Store) -> Manifest:
    """Put the cloud back as the snapshot `name` has it: its rows, keys and image data."""
    with _exclusive(config):
        saved = existing(config, name)
        manifest = read_manifest(saved)
        # Refused before anything is touched: rows of another schema never go back.
        check_revision(store, manifest.revision)
        for label, repository in _key_repositories(config).items():
            if (saved / KEYS / label).is_dir():
                files.remove(files.put_back(saved / KEYS / label, repository, link=False))
        stale_images = files.put_back(saved / IMAGES, config.data_dir / IMAGES, link=True)
        restore_database(store, saved / DATABASE, expected_revision=manifest.revision)
        # Only now that no row names them.
        files.remove(stale_images)
    return manifest


def reset(config: CloudConfig, store: Store, *, admin_password: str | None = None) -> Manifest:
    """Back to the state right after the first bootstrap; with `admin_password`, bootstrapped
    again (a second transaction) so that the catalog names `config.public_url`, where a cloud
    started again on another port answers now."""
    from pocketstack.cloud.bootstrap import bootstrap
    from pocketstack.cloud.deps import build_deps

    try:
        manifest = restore(config, BOOTSTRAP, store)
    except SnapshotNotFound:
        raise SnapshotNotFound(
            f"no {BOOTSTRAP!r} snapshot in {root(config)}: it is taken when a cloud first starts "
            "on an empty database; `pocketstack manage snapshot NAME` and `restore NAME` do "
            "the same for a state of your choosing"
        ) from None
    if admin_password is not None:
        bootstrap(build_deps(config, store=store), admin_password=admin_password)
    return manifest


def listing(config: CloudConfig) -> list[Manifest]:
    """Every complete snapshot, oldest first."""
    return manifests(config)


def database_is_empty(store: Store) -> bool:
    """Whether no user exists yet: a first start, whose bootstrap is worth a snapshot."""
    from sqlalchemy import func, select

    from pocketstack.cloud.store.models.identity import User

    with store.read() as conn:
        return conn.execute(select(func.count()).select_from(User)).scalar_one() == 0
