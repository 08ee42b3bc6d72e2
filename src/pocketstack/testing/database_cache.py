"""A freshly bootstrapped SQLite database kept between test sessions, so that a session's cloud
starts from a copy instead of running every migration and the bootstrap (most of a start that
is not imports).

The copy is what the first session's bootstrap made; the start then runs the bootstrap again
over it as every `serve` start does, which points the catalog at this cloud's address and sets
this session's admin password (cloud/bootstrap.py). The Fernet and credential keys are the
session's own: the database holds nothing they encrypted.

Kept in `$XDG_CACHE_HOME/pocketstack/testing` (else `~/.cache/...`), a directory only its owner
may write, as a 0600 file named after a digest of the package version, the migration scripts
and the settings the bootstrap reads: a changed migration, even one edited in place in a
checkout, or another fleet or region, is another name. A cache that cannot be used (refused,
unwritable, corrupt) costs only the migrations and the bootstrap.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pocketstack
from pocketstack import __version__
from pocketstack.client.cache import open_private_dir, read_private, write_private
from pocketstack.cloud.store import schema_version

if TYPE_CHECKING:
    from pocketstack.cloud.config import CloudConfig

# Where this cloud is, not what it holds: the bootstrap's second run takes care of these.
_PLACE = frozenset({"data_dir", "db_url", "host", "port", "public_url"})
# The code that makes the bootstrapped contents the second run leaves alone (flavors, the
# fleet's services, the image, the networks: cloud/bootstrap.py), relative to the package: an
# edit in a checkout is another name, as an edited migration is.
_BOOTSTRAP_SOURCES = ("cloud/bootstrap.py", "cloud/compute/bootstrap.py",
                      "cloud/compute/flavors.py", "cloud/compute/fleet.py",
                      "cloud/image/bootstrap.py", "cloud/network/bootstrap.py",
                      "cloud/network/private_network.py")  # fmt: skip


def directory() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pocketstack", "testing")


def _name(config: CloudConfig) -> str:
    digest = hashlib.sha256(__version__.encode())
    for path in schema_version.migration_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    package = Path(pocketstack.__file__).parent
    for name in _BOOTSTRAP_SOURCES:
        digest.update(name.encode() + b"\0" + (package / name).read_bytes() + b"\0")
    settings = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
                if f.name not in _PLACE}  # fmt: skip
    digest.update(repr(sorted(settings.items())).encode())
    return f"bootstrapped-{digest.hexdigest()[:32]}.sqlite"


def place(config: CloudConfig, database: Path) -> bool:
    """Puts the cached database at `database` (which must not exist yet); False when none is
    cached for these settings, or it cannot be read."""
    try:
        fd = open_private_dir(directory(), create=False)
    except OSError:
        return False
    if fd is None:
        return False
    try:
        data = read_private(fd, _name(config))
    finally:
        os.close(fd)
    if not data or not data.startswith(b"SQLite format 3\0"):
        return False
    created = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(created, "wb") as out:
        out.write(data)
    return True


def keep(config: CloudConfig, database: Path) -> None:
    """Keeps the freshly bootstrapped `database` for later sessions (best effort)."""
    try:
        # A consistent copy through SQLite itself, whatever its journal holds.
        with sqlite3.connect(database) as source:
            copy = sqlite3.connect(":memory:")
            try:
                source.backup(copy)
                data = copy.serialize()
            finally:
                copy.close()
        fd = open_private_dir(directory(), create=True)
        if fd is None:
            return
        try:
            write_private(fd, _name(config), data)
        finally:
            os.close(fd)
    except (OSError, sqlite3.Error):
        return
