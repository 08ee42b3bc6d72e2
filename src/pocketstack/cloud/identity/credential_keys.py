"""The credential key repository: Keystone's [credential] Fernet keys, kept apart from the token
keys (a stolen token key must not open the stored credentials, nor the other way round).

It lies under the data directory, laid out and checked as the token repository is (0700
directory, 0600 key files, 0 staged, the highest number primary; see cloud/auth/keys.py). It is
made at first start; should it be missing when a credential is first written (a data directory
from before credentials existed), it is made then. Several workers may do that at once: each
key file is linked into place, never replaced, so a key one of them has already encrypted with
is never overwritten by another's.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from pocketstack.cloud.auth.keys import KeyRepository
from pocketstack.cloud.config import CloudConfig

DIRECTORY = "credential-keys"


def repository_path(config: CloudConfig) -> Path:
    return config.data_dir / DIRECTORY


class CredentialKeyError(Exception):
    """A stored blob no key of the repository opens (its key was lost or rotated away)."""


def _link_new_key(path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, Fernet.generate_key())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process made it first: theirs is the key
    finally:
        tmp.unlink()


def setup(path: Path) -> bool:
    """Make the repository (a staged and a primary key) unless it has keys; True if made."""
    repo = KeyRepository(path)
    if path.is_dir() and repo.exists():
        return False
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    for name in ("0", "1"):
        _link_new_key(path / name)
    return True


class CredentialKeys:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._repo = KeyRepository(path)

    def _fernet_keys(self) -> KeyRepository:
        if not self._repo.exists():
            setup(self.path)
        return self._repo

    def primary_key_hash(self) -> str:
        """Which key encrypts now: the SHA-1 of the primary key, as Keystone records it."""
        numbers = sorted(int(n) for n in os.listdir(self.path) if n.isdigit())
        key = (self.path / str(numbers[-1])).read_bytes().strip()
        return hashlib.sha1(key, usedforsecurity=False).hexdigest()

    def encrypt(self, blob: str) -> tuple[str, str]:
        """The blob encrypted, and the hash of the key that did it."""
        fernet = self._fernet_keys().fernet()
        return fernet.encrypt(blob.encode("utf-8")).decode("ascii"), self.primary_key_hash()

    def decrypt(self, encrypted: str) -> str:
        try:
            return self._fernet_keys().fernet().decrypt(encrypted.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise CredentialKeyError("no credential key opens this credential") from None
