"""Where a snapshot lives and what its manifest says; names refused unless plainly a name."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import stat
from pathlib import Path

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.errors import CloudError

# The snapshot taken right after the first bootstrap; `reset` puts it back.
BOOTSTRAP = "bootstrap"
DIRECTORY = "snapshots"
MANIFEST = "manifest.json"
DATABASE = "database.sqlite"
# A name is one path component of letters, digits, '.', '_' and '-' that no dot starts (no
# '..', no hidden partial directory), short enough for every filesystem.
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}")


class SnapshotError(CloudError):
    """A snapshot cannot be taken, found or put back; the message says why."""


class SnapshotNotFound(SnapshotError):
    status = 404


@dataclasses.dataclass(frozen=True, kw_only=True)
class Manifest:
    name: str
    created_at: str
    backend: str
    # The schema revision the rows are of: rows of another schema are never put back.
    revision: str
    rows: int
    seconds: float

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2) + "\n"


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise SnapshotError(
            f"invalid snapshot name {name!r}: use 1 to 64 letters, digits, '.', '_' or '-', "
            "not starting with '.'"
        )
    return name


def root(config: CloudConfig) -> Path:
    return config.data_dir / DIRECTORY


def path_of(config: CloudConfig, name: str) -> Path:
    return root(config) / check_name(name)


def private_dir(path: Path) -> Path:
    """`path` made (with its missing parents, each 0700: mkdir's mode does not reach the
    parents it makes) and kept 0700."""
    if not path.parent.is_dir():
        private_dir(path.parent)
    path.mkdir(mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def now_text() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def read_manifest(path: Path) -> Manifest:
    try:
        raw = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        return Manifest(**{f.name: raw[f.name] for f in dataclasses.fields(Manifest)})
    except FileNotFoundError:
        raise SnapshotNotFound(f"no snapshot {path.name!r} in {path.parent}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise SnapshotError(f"the snapshot {path.name!r} is damaged: {exc}") from None


def existing(config: CloudConfig, name: str) -> Path:
    path = path_of(config, name)
    if not path.is_dir():
        raise SnapshotNotFound(
            f"no snapshot {name!r} in {root(config)}; `pocketstack manage snapshots` lists them"
        )
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SnapshotError(f"{path} is accessible by group or others (mode {mode:04o})")
    return path


def manifests(config: CloudConfig) -> list[Manifest]:
    """Every complete snapshot, oldest first (partial ones start with a dot and are skipped)."""
    found = []
    base = root(config)
    if not base.is_dir():
        return []
    for entry in sorted(base.iterdir()):
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        try:
            found.append(read_manifest(entry))
        except SnapshotError:
            continue
    return sorted(found, key=lambda m: (m.created_at, m.name))


def publish(partial: Path, final: Path) -> None:
    """The finished `partial` directory under its name, replacing an older one of that name:
    a reader finds the old snapshot, the new one or (between two renames) none, never a half."""
    if not final.exists():
        os.rename(partial, final)
        return
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    os.rename(final, old)
    os.rename(partial, final)
    shutil.rmtree(old, ignore_errors=True)
