"""Key repositories copied between nodes, as README.md's "Running the cloud on several machines"
tells operators to do it: rotate on one node, copy the new primary first, then the rest with the
deletions, and only then rotate again. Each claim of that section is checked here."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from cryptography.fernet import InvalidToken

from pocketstack.cloud.auth.keys import KeyRepository


def _copy_file(source: Path, target: Path) -> None:
    # As rsync does: a temporary name, then a rename into place.
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copy2(source, tmp)
    os.replace(tmp, target)


def copy_all_but_staged(source: Path, target: Path) -> None:
    """`rsync -a --exclude=0 SOURCE/ TARGET/`"""
    for entry in sorted(os.listdir(source)):
        if entry.isdigit() and entry != "0":
            _copy_file(source / entry, target / entry)


def copy_with_deletions(source: Path, target: Path) -> None:
    """`rsync -a --delete SOURCE/ TARGET/`"""
    wanted = set(os.listdir(source))
    for entry in os.listdir(target):
        if entry not in wanted:
            (target / entry).unlink()
    for entry in sorted(wanted):
        _copy_file(source / entry, target / entry)


def sign(repository: Path) -> bytes:
    return KeyRepository(repository).fernet().encrypt(b"payload")


def accepts(repository: Path, token: bytes) -> bool:
    # A fresh repository object each time: what a node loads after the directory changed.
    try:
        return KeyRepository(repository).fernet().decrypt(token) == b"payload"
    except InvalidToken:
        return False


@pytest.fixture
def nodes(tmp_path: Path) -> tuple[Path, Path]:
    """Node a's repository, and node b's copy of it made before b's first start."""
    a, b = tmp_path / "a", tmp_path / "b"
    KeyRepository(a).setup()
    shutil.copytree(a, b)
    return a, b


def test_the_old_copy_accepts_the_rotating_nodes_new_tokens_at_once(
    nodes: tuple[Path, Path],
) -> None:
    a, b = nodes
    before = sign(a)
    KeyRepository(a).rotate(max_active_keys=3)
    after = sign(a)
    # b still has the old repository: its staged key 0 is a's new primary.
    assert accepts(b, after)
    assert accepts(b, before)
    assert accepts(a, sign(b))


def test_the_described_copy_keeps_every_token_valid_at_every_step(
    nodes: tuple[Path, Path],
) -> None:
    a, b = nodes
    for _ in range(4):
        tokens = [sign(a), sign(b)]
        KeyRepository(a).rotate(max_active_keys=3)
        tokens.append(sign(a))
        for step in (copy_all_but_staged, copy_with_deletions):
            step(a, b)
            tokens.append(sign(b))
            for token in tokens:
                assert accepts(a, token), step.__name__
                assert accepts(b, token), step.__name__
        assert sorted(os.listdir(a)) == sorted(os.listdir(b))
        assert {n: (a / n).read_bytes() for n in os.listdir(a)} == {
            n: (b / n).read_bytes() for n in os.listdir(b)
        }


def test_the_new_staged_key_before_the_new_primary_refuses_new_tokens(
    nodes: tuple[Path, Path],
) -> None:
    a, b = nodes
    KeyRepository(a).rotate(max_active_keys=3)
    new = sign(a)
    # The wrong order: the new key 0 arrives first, replacing b's copy of a's new primary.
    _copy_file(a / "0", b / "0")
    assert not accepts(b, new)
    copy_all_but_staged(a, b)
    assert accepts(b, new)


def test_a_node_that_missed_a_rotation_refuses_after_the_next(nodes: tuple[Path, Path]) -> None:
    a, b = nodes
    KeyRepository(a).rotate(max_active_keys=3)
    KeyRepository(a).rotate(max_active_keys=3)
    assert not accepts(b, sign(a))


def test_two_nodes_rotating_stage_different_keys(nodes: tuple[Path, Path]) -> None:
    a, b = nodes
    KeyRepository(a).rotate(max_active_keys=3)
    KeyRepository(b).rotate(max_active_keys=3)
    # Same primary (the old staged key), different new staged keys: the next rotation on
    # either leaves the other without its primary.
    assert (a / "2").read_bytes() == (b / "2").read_bytes()
    assert (a / "0").read_bytes() != (b / "0").read_bytes()
    KeyRepository(a).rotate(max_active_keys=3)
    assert not accepts(b, sign(a))


def test_with_three_keys_a_token_outlives_one_rotation_only(nodes: tuple[Path, Path]) -> None:
    a, _ = nodes
    token = sign(a)
    KeyRepository(a).rotate(max_active_keys=3)
    assert accepts(a, token)
    KeyRepository(a).rotate(max_active_keys=3)
    assert not accepts(a, token)
    # More keys, more rotations survived.
    token = sign(a)
    for _ in range(2):
        KeyRepository(a).rotate(max_active_keys=4)
    assert accepts(a, token)
