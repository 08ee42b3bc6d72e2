"""Auth state persisted across processes, so a warm command sends no auth request at all.

One JSON file per identity under the user's cache directory, named by a hash of the auth URL,
user, project and domain (never the password), mode 0600 in a 0700 directory. A file also
carries `extra`: per-service data worth keeping with the token (e.g. a version document).

A cache holds tokens, so where it lives must be the user's alone: a directory owned by someone
else, or one others can write into (where they could plant a symbolic link to catch the next
token written), is not used. The command then runs without the cache — it is only a speed-up,
and failing every command of a user whose cache home is shared would help nobody — and says so
once on stderr, with the fix. Files are created under a random name with O_EXCL|O_NOFOLLOW at
0600, written, then renamed into place; every access goes through a descriptor of the checked
directory, so swapping the directory after the check redirects nothing.
"""

from __future__ import annotations

import os
import stat
import sys

from pocketstack.client import jsoncodec

# Warm-path module: see docs/startup.md. Paths are plain strings inside (no pathlib for three
# joins); the public accessors still hand out Paths.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any

    Warn = Callable[[str], object]

STATE_VERSION = 1
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
# O_NONBLOCK: a FIFO in a file's place must not hang the command (no effect on a file).
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_MAX_FILE = 16 * 1024 * 1024  # far above any token with its catalog; a cap on a junk file
# The directories already refused in this process: one warning each, not one per access.
_refused: set[str] = set()


class CacheRefused(OSError):
    """A cache directory that is not the user's alone."""


def _default_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pocketstack", "auth")


def default_cache_dir() -> Path:
    from pathlib import Path

    return Path(_default_dir())


def _stderr(message: str) -> None:
    sys.stderr.write(message)


def open_private_dir(directory: str, *, create: bool) -> int | None:
    """A descriptor of `directory` once it is known to be the user's alone; None when it does
    not exist (and `create` is false). CacheRefused when it belongs to another user or others
    may write into it; other OSErrors as they come."""
    if create:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    try:
        fd = os.open(directory, _DIR_FLAGS)
    except FileNotFoundError:
        return None
    try:
        info = os.fstat(fd)
        if info.st_uid != os.getuid():
            raise CacheRefused(
                f"it belongs to user id {info.st_uid}, not to you (remove it, or set"
                " XDG_CACHE_HOME to a directory of your own)"
            )
        if info.st_mode & 0o022:
            mode = stat.S_IMODE(info.st_mode)
            raise CacheRefused(
                f"others can write into it (mode {mode:04o}); `chmod 700 {directory}` fixes that"
            )
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_private(dir_fd: int, name: str) -> bytes | None:
    """The file's bytes when it is a regular file of ours that nobody else can read or write
    (not a link planted in our place); None otherwise."""
    try:
        fd = os.open(name, _READ_FLAGS, dir_fd=dir_fd)
    except OSError:
        return None
    with open(fd, "rb") as handle:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.getuid()
            or info.st_mode & 0o077
            or info.st_size > _MAX_FILE
        ):
            return None
        return handle.read(_MAX_FILE + 1)


def write_private(dir_fd: int, name: str, data: bytes) -> None:
    """Replaces `name` with `data` atomically, mode 0600; raises OSError."""
    tmp = f".{name}.{os.urandom(8).hex()}.tmp"
    fd = os.open(tmp, _CREATE_FLAGS, 0o600, dir_fd=dir_fd)
    try:
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        _unlink_quietly(dir_fd, tmp)
        raise


def _unlink_quietly(dir_fd: int, name: str) -> None:
    try:
        os.unlink(name, dir_fd=dir_fd)
    except OSError:
        return


def warn_refused(directory: str, what: str, exc: CacheRefused, warn: Warn | None) -> None:
    """Says once per process and directory that the cache there is not used, and why."""
    if directory in _refused:
        return
    _refused.add(directory)
    (warn or _stderr)(
        f"WARNING: not using the {what} in {directory}: {exc}. The command runs without it.\n"
    )


class AuthStateCache:
    def __init__(
        self, *, directory: str | os.PathLike[str] | None = None, warn: Warn | None = None
    ) -> None:
        self._directory = os.fspath(directory) if directory else _default_dir()
        self._warn = warn

    @property
    def directory(self) -> Path:
        from pathlib import Path

        return Path(self._directory)

    def path_for(self, cache_id: str) -> Path:
        from pathlib import Path

        return Path(os.path.join(self._directory, self._name(cache_id)))

    def _name(self, cache_id: str) -> str:
        if not cache_id or not all(c in "0123456789abcdef" for c in cache_id):
            raise ValueError("cache ids are lowercase hex digests")
        return f"{cache_id}.json"

    def _open_dir(self, *, create: bool) -> int | None:
        try:
            return open_private_dir(self._directory, create=create)
        except CacheRefused as exc:
            warn_refused(self._directory, "token cache", exc, self._warn)
            return None

    def load(self, cache_id: str) -> dict[str, Any] | None:
        name = self._name(cache_id)
        try:
            dir_fd = self._open_dir(create=False)
            if dir_fd is None:
                return None
            try:
                data = read_private(dir_fd, name)
            finally:
                os.close(dir_fd)
            if data is None:
                return None
            state = jsoncodec.loads(data)
        except (OSError, ValueError):
            return None
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            return None
        return state

    def save(self, cache_id: str, state: dict[str, Any]) -> None:
        name = self._name(cache_id)
        data = jsoncodec.dumps({**state, "version": STATE_VERSION}).encode("utf-8")
        try:
            dir_fd = self._open_dir(create=True)
            if dir_fd is None:
                return
            try:
                write_private(dir_fd, name, data)
            finally:
                os.close(dir_fd)
        except OSError:
            # A read-only home must not break the command; it only loses the speed-up.
            return

    def drop(self, cache_id: str) -> None:
        name = self._name(cache_id)
        try:
            dir_fd = self._open_dir(create=False)
            if dir_fd is None:
                return
            try:
                os.unlink(name, dir_fd=dir_fd)
            finally:
                os.close(dir_fd)
        except OSError:
            return
