"""The credential key repository: made once, private, never overwritten by a racing setup, and
its keys open what they sealed (also after a rotation of the repository)."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from pocketstack.cloud.auth.keys import KeyRepository
from pocketstack.cloud.identity import credential_keys
from pocketstack.cloud.identity.credential_keys import CredentialKeyError, CredentialKeys


def _keys(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def test_setup_once_private_and_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "credential-keys"
    assert credential_keys.setup(path) is True
    first = _keys(path)
    assert sorted(first) == ["0", "1"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    assert all(stat.S_IMODE((path / n).stat().st_mode) == 0o600 for n in first)
    assert credential_keys.setup(path) is False
    assert _keys(path) == first


def test_racing_setups_agree_on_one_set_of_keys(tmp_path: Path) -> None:
    path = tmp_path / "credential-keys"
    workers = 8
    start = threading.Barrier(workers)
    sealed: list[str] = []
    lock = threading.Lock()

    def seal() -> None:
        start.wait()
        token, _ = CredentialKeys(path).encrypt("secret")
        with lock:
            sealed.append(token)

    threads = [threading.Thread(target=seal) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(sealed) == workers
    # Whatever each one sealed with, the keys that stayed open it.
    keys = CredentialKeys(path)
    assert {keys.decrypt(t) for t in sealed} == {"secret"}
    assert not [p for p in path.iterdir() if p.name.endswith(".tmp")]


def test_rotation_keeps_old_blobs_readable_and_foreign_keys_cannot(tmp_path: Path) -> None:
    keys = CredentialKeys(tmp_path / "a")
    old, old_hash = keys.encrypt("blob")
    KeyRepository(tmp_path / "a").rotate()
    new, new_hash = keys.encrypt("blob")
    assert old_hash != new_hash
    assert keys.decrypt(old) == keys.decrypt(new) == "blob"
    with pytest.raises(CredentialKeyError):
        CredentialKeys(tmp_path / "b").decrypt(old)
