"""Auth state persisted across processes, so a warm command sends no auth request at all.

One JSON file per identity under the user's cache directory, named by a hash of the auth URL,
user, project and domain (never the password), mode 0600 in a 0700 directory. A file also
carries `extra`: per-service data worth keeping with the token (e.g. a version document).
"""

from __future__ import annotations

import os

from pocketstack.client import jsoncodec

# Paths are plain strings inside: `pathlib` (with the `urllib.parse` it imports) costs a warm
# command ~4 ms to import, for three joins. The public accessors still hand out Paths.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

STATE_VERSION = 1


def _default_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pocketstack", "auth")


def default_cache_dir() -> Path:
    from pathlib import Path

    return Path(_default_dir())


class AuthStateCache:
    def __init__(self, *, directory: str | os.PathLike[str] | None = None) -> None:
        self._directory = os.fspath(directory) if directory else _default_dir()

    @property
    def directory(self) -> Path:
        from pathlib import Path

        return Path(self._directory)

    def path_for(self, cache_id: str) -> Path:
        from pathlib import Path

        return Path(self._file(cache_id))

    def _file(self, cache_id: str) -> str:
        if not cache_id or not all(c in "0123456789abcdef" for c in cache_id):
            raise ValueError("cache ids are lowercase hex digests")
        return os.path.join(self._directory, f"{cache_id}.json")

    def load(self, cache_id: str) -> dict[str, Any] | None:
        path = self._file(cache_id)
        try:
            with open(path, "rb") as handle:
                # Somebody else's (or a world-readable) file is not trusted with a token.
                info = os.fstat(handle.fileno())
                if info.st_uid != os.getuid() or info.st_mode & 0o077:
                    return None
                state = jsoncodec.loads(handle.read())
        except (OSError, ValueError):
            return None
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            return None
        return state

    def save(self, cache_id: str, state: dict[str, Any]) -> None:
        path = self._file(cache_id)
        data = jsoncodec.dumps({**state, "version": STATE_VERSION}).encode("utf-8")
        try:
            os.makedirs(self._directory, mode=0o700, exist_ok=True)
            tmp = os.path.join(self._directory, f".{cache_id}.json.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, data)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except OSError:
            # A read-only home must not break the command; it only loses the speed-up.
            return

    def drop(self, cache_id: str) -> None:
        try:
            os.unlink(self._file(cache_id))
        except OSError:
            return
