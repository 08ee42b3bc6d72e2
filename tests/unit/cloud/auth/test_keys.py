from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import InvalidToken

from pocketstack.cloud.auth.keys import KeyRepository
from pocketstack.cloud.errors import ConfigError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_setup_creates_private_staged_and_primary_keys(tmp_path: Path) -> None:
    repo = KeyRepository(tmp_path / "keys")
    assert repo.setup() is True
    assert sorted(os.listdir(repo.path)) == ["0", "1"]
    assert _mode(repo.path) == 0o700
    assert _mode(repo.path / "0") == _mode(repo.path / "1") == 0o600
    assert repo.setup() is False


def test_rotation_keeps_old_tokens_while_their_key_is_kept(tmp_path: Path) -> None:
    repo = KeyRepository(tmp_path / "keys")
    repo.setup()
    old = repo.fernet().encrypt(b"payload")
    assert repo.rotate(max_active_keys=3) == 2
    assert sorted(os.listdir(repo.path)) == ["0", "1", "2"]
    assert repo.fernet().decrypt(old) == b"payload"
    repo.rotate(max_active_keys=3)
    # key 1 (the one that made `old`) is now the oldest secondary and is dropped
    assert sorted(os.listdir(repo.path)) == ["0", "2", "3"]
    with pytest.raises(InvalidToken):
        repo.fernet().decrypt(old)


def test_staged_key_decrypts_before_promotion(tmp_path: Path) -> None:
    """Another node may already have promoted the staged key and minted tokens with it."""
    repo = KeyRepository(tmp_path / "keys")
    repo.setup()
    other_node = KeyRepository(repo.path)
    token = other_node.fernet().encrypt(b"x")
    repo.rotate()
    assert other_node.fernet().decrypt(token) == b"x"
    new = repo.fernet().encrypt(b"y")
    assert other_node.fernet().decrypt(new) == b"y"


def test_group_readable_key_is_refused(tmp_path: Path) -> None:
    repo = KeyRepository(tmp_path / "keys")
    repo.setup()
    os.chmod(repo.path / "1", 0o644)
    with pytest.raises(ConfigError, match="accessible by group or others"):
        repo.fernet()


def test_world_readable_directory_is_refused(tmp_path: Path) -> None:
    repo = KeyRepository(tmp_path / "keys")
    repo.setup()
    os.chmod(repo.path, 0o755)
    with pytest.raises(ConfigError, match="chmod 700"):
        repo.fernet()


def test_keys_listed_then_all_gone_are_listed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several rotations between listing and reading remove every listed key: list again."""
    repo = KeyRepository(tmp_path / "keys")
    repo.setup()
    real = repo._key_numbers
    stale = iter([[7, 8, 9]])  # names a rotation already removed, the first time only
    monkeypatch.setattr(repo, "_key_numbers", lambda: next(stale, None) or real())
    assert repo.fernet().decrypt(repo.fernet().encrypt(b"x")) == b"x"
