"""Key repositories and image data in and out of a snapshot.

Keys are copied (a few bytes each). Image data files are hard-linked when the snapshot is on the
same filesystem, else copied: the image service never changes a data file in place (it writes a
new one and renames it over, see image/data_store.py), so a link keeps the bytes of the moment.
Temporary files (`.part-*`) of uploads under way are left out.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pocketstack.cloud.snapshots.layout import private_dir


def _files(base: Path) -> list[Path]:
    """The regular files under `base`, relative to it, without hidden (temporary) ones."""
    if not base.is_dir():
        return []
    found = []
    for folder, dirs, names in os.walk(base):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            path = Path(folder, name)
            if not name.startswith(".") and path.is_file() and not path.is_symlink():
                found.append(path.relative_to(base))
    return sorted(found)


def _place(source: Path, target: Path, *, link: bool) -> None:
    """`source`'s bytes at `target` (0600), put there by a rename: never half a file."""
    private_dir(target.parent)
    tmp = target.with_name(f".{target.name}.snapshot-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    if link:
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
    else:
        shutil.copyfile(source, tmp)
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)


def copy_tree(source: Path, target: Path, *, link: bool) -> int:
    """The files of `source` under `target` (made 0700); how many."""
    private_dir(target)
    names = _files(source)
    for name in names:
        _place(source / name, target / name, link=link)
    return len(names)


def put_back(saved: Path, live: Path, *, link: bool) -> list[Path]:
    """The snapshot's files into `live` over what is there; the live files the snapshot lacks,
    which the caller removes with `remove` once the database no longer names them."""
    private_dir(live)
    wanted = set(_files(saved))
    for name in sorted(wanted):
        _place(saved / name, live / name, link=link)
    return [live / name for name in _files(live) if name not in wanted]


def remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
