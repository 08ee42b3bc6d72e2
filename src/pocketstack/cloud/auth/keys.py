"""The Fernet key repository, as Keystone lays it out: 0 staged, highest primary, rest secondary.

Several `serve` processes may share one repository and a rotation may happen while they run: the
keys are re-read whenever the directory changes, so a token minted with a freshly promoted key
on one node validates on the others at once.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet

from pocketstack.cloud.errors import ConfigError

# Reads of the repository racing rotations, before giving up.
_LOAD_ATTEMPTS = 10


class _AllKeysVanished(Exception):
    """Every key listed was gone by the time it was read: a rotation ran in between."""


def _check_private(path: Path, *, is_dir: bool) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        kind = "directory" if is_dir else "key file"
        raise ConfigError(
            f"{path}: Fernet {kind} is accessible by group or others "
            f"(mode {stat.S_IMODE(mode):04o}); run chmod {'700' if is_dir else '600'} on it"
        )


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


class KeyRepository:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, tuple[tuple[str, int], ...]] | None = None
        self._fernet: MultiFernet | None = None

    def exists(self) -> bool:
        return self.path.is_dir() and any(self._key_numbers())

    def _key_numbers(self) -> list[int]:
        numbers = []
        for entry in os.listdir(self.path):
            if entry.isdigit():
                numbers.append(int(entry))
        return sorted(numbers)

    def setup(self) -> bool:
        """Create the repository with a staged and a primary key; False if it already had keys."""
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.path, 0o700)
        if self._key_numbers():
            return False
        _write_private(self.path / "0", Fernet.generate_key())
        _write_private(self.path / "1", Fernet.generate_key())
        return True

    def rotate(self, *, max_active_keys: int = 3) -> int:
        """Promote the staged key to primary, stage a new one, drop the oldest secondaries.

        Returns the new primary key's number.
        """
        if max_active_keys < 1:
            raise ConfigError("max_active_keys must be at least 1")
        _check_private(self.path, is_dir=True)
        numbers = self._key_numbers()
        if not numbers:
            raise ConfigError(f"{self.path}: no Fernet keys; run `pocketstack manage fernet-setup`")
        new_primary = max(numbers) + 1
        # Rename first, then write the new staged key: at no moment is there no key 0 AND no
        # primary a running node could need.
        os.replace(self.path / "0", self.path / str(new_primary))
        _write_private(self.path / "0", Fernet.generate_key())
        secondaries = [n for n in self._key_numbers() if n not in (0, new_primary)]
        # The staged key and the primary count towards max_active_keys, as in Keystone.
        keep = max(max_active_keys - 2, 0)
        for number in secondaries[: max(len(secondaries) - keep, 0)]:
            (self.path / str(number)).unlink()
        return new_primary

    def _stamp_now(self) -> tuple[int, tuple[tuple[str, int], ...]]:
        # Each entry's inode too (readdir gives it, no stat per key): a key file replaced under
        # the same name (a snapshot restored, see cloud/snapshots) is a new inode, even within
        # the directory's mtime granularity.
        st = self.path.stat()
        with os.scandir(self.path) as entries:
            return st.st_mtime_ns, tuple(sorted((e.name, e.inode()) for e in entries))

    def fernet(self) -> MultiFernet:
        """All keys as one MultiFernet: the primary first (it encrypts), the rest only decrypt."""
        try:
            stamp = self._stamp_now()
        except FileNotFoundError as exc:
            raise ConfigError(f"{self.path}: no Fernet key repository") from exc
        with self._lock:
            if self._fernet is not None and stamp == self._stamp:
                return self._fernet
            return self._load(stamp)

    def _load(self, stamp: tuple[int, tuple[tuple[str, int], ...]]) -> MultiFernet:
        # Rotations racing this read can remove every key we listed (several of them between
        # our listing and our reads); list again rather than fail, a bounded number of times.
        for _ in range(_LOAD_ATTEMPTS - 1):
            try:
                return self._load_once(stamp)
            except _AllKeysVanished:
                stamp = self._stamp_now()
        return self._load_once(stamp)

    def _load_once(self, stamp: tuple[int, tuple[tuple[str, int], ...]]) -> MultiFernet:
        _check_private(self.path, is_dir=True)
        numbers = self._key_numbers()
        # The primary (highest number) first: MultiFernet encrypts with the first key.
        fernets = []
        for number in sorted(numbers, reverse=True):
            key_path = self.path / str(number)
            try:
                _check_private(key_path, is_dir=False)
                fernets.append(Fernet(key_path.read_bytes().strip()))
            except FileNotFoundError:
                # A rotation (maybe on another node) removed it after we listed the directory:
                # it was an expired secondary, or the staged key now renamed to the primary.
                # Neither can have signed a live token we lack; the changed directory makes the
                # next call load again.
                continue
        if not fernets:
            if numbers:
                raise _AllKeysVanished
            raise ConfigError(f"{self.path}: no Fernet keys")
        self._fernet = MultiFernet(fernets)
        self._stamp = stamp
        return self._fernet
