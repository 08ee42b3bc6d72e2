"""The token cache and the completion cache trust only a directory that is the user's alone, and
never write through a link somebody planted: a shared cache home must not leak a token."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pocketstack.cli import servercache
from pocketstack.client import cache as cache_module
from pocketstack.client.cache import AuthStateCache
from pocketstack.client.session import Session
from pocketstack.client.transport.wsgi import WSGITransport
from tests.fixtures.cloud import ADMIN_PASSWORD
from tests.unit.client.conftest import V3_URL, admin_password_plugin

OTHER_UID = 65534  # nobody: the other user of a shared machine


@pytest.fixture(autouse=True)
def _fresh_warnings() -> Iterator[None]:
    # Warnings are once per process and directory; each test starts with none said.
    cache_module._refused.clear()
    yield
    cache_module._refused.clear()


def _needs_root() -> None:
    if os.getuid() != 0:
        pytest.skip("making a file another user's needs root")


def _log_in(transport: WSGITransport, cache: AuthStateCache) -> str:
    plugin = admin_password_plugin(V3_URL, cache=cache)
    plugin.get_access(Session(auth=plugin, transport=transport))
    return plugin.get_cache_id()


def _shared_dir(path: Path, *, owner: int | None) -> Path:
    path.mkdir(parents=True)
    if owner is not None:
        os.chown(path, owner, owner)
    path.chmod(0o777)
    return path


def test_planted_link_in_a_shared_directory_gets_no_token(
    transport: WSGITransport, tmp_path: Path
) -> None:
    # The report: another user made the cache directory 0777 and planted a link where the
    # temporary file would go; the admin's token landed in a file of theirs.
    _needs_root()
    shared = _shared_dir(tmp_path / "auth", owner=OTHER_UID)
    loot = tmp_path / "loot"
    loot.write_text("")
    os.chown(loot, OTHER_UID, OTHER_UID)
    said: list[str] = []
    cache = AuthStateCache(directory=shared, warn=said.append)
    cache_id = admin_password_plugin(V3_URL).get_cache_id()
    for name in (f".{cache_id}.json.{os.getpid()}.tmp", f"{cache_id}.json"):
        os.symlink(loot, shared / name)
        os.lchown(shared / name, OTHER_UID, OTHER_UID)
    _log_in(transport, cache)
    assert loot.read_text() == ""
    assert sorted(p.name for p in shared.iterdir()) == sorted(
        [f".{cache_id}.json.{os.getpid()}.tmp", f"{cache_id}.json"]
    )
    assert said == [
        f"WARNING: not using the token cache in {shared}: it belongs to user id {OTHER_UID},"
        " not to you (remove it, or set XDG_CACHE_HOME to a directory of your own). The"
        " command runs without it.\n"
    ]


def test_a_directory_of_another_user_is_not_read(transport: WSGITransport, tmp_path: Path) -> None:
    _needs_root()
    directory = tmp_path / "auth"
    cache_id = _log_in(transport, AuthStateCache(directory=directory))
    os.chown(directory, OTHER_UID, OTHER_UID)
    said: list[str] = []
    assert AuthStateCache(directory=directory, warn=said.append).load(cache_id) is None
    assert len(said) == 1


def test_own_directory_writable_by_others_is_refused_once(
    transport: WSGITransport, tmp_path: Path
) -> None:
    directory = tmp_path / "auth"
    cache_id = _log_in(transport, AuthStateCache(directory=directory))
    directory.chmod(0o777)
    said: list[str] = []
    cache = AuthStateCache(directory=directory, warn=said.append)
    assert cache.load(cache_id) is None
    cache.save(cache_id, {"auth_token": "new"})
    cache.drop(cache_id)
    assert said == [
        f"WARNING: not using the token cache in {directory}: others can write into it (mode"
        f" 0777); `chmod 700 {directory}` fixes that. The command runs without it.\n"
    ]
    # Nothing was written, nor removed.
    assert [p.name for p in directory.iterdir()] == [f"{cache_id}.json"]
    directory.chmod(0o700)
    assert AuthStateCache(directory=directory).load(cache_id) is not None


def test_a_group_writable_directory_is_refused_a_readable_one_is_not(tmp_path: Path) -> None:
    for mode, kept in ((0o770, False), (0o750, True), (0o755, True)):
        directory = tmp_path / f"auth-{mode:o}"
        directory.mkdir(mode=0o700)
        directory.chmod(mode)
        AuthStateCache(directory=directory, warn=lambda _: None).save("ab", {"x": 1})
        assert (directory / "ab.json").exists() is kept


def test_a_linked_state_file_is_not_followed(transport: WSGITransport, tmp_path: Path) -> None:
    # A link in the token file's place is not read, even to a private file of ours.
    directory = tmp_path / "auth"
    cache_id = _log_in(transport, AuthStateCache(directory=directory))
    real = tmp_path / "elsewhere.json"
    (directory / f"{cache_id}.json").rename(real)
    (directory / f"{cache_id}.json").symlink_to(real)
    assert AuthStateCache(directory=directory).load(cache_id) is None


def test_save_replaces_a_link_and_leaves_no_temporary_file(
    transport: WSGITransport, tmp_path: Path
) -> None:
    directory = tmp_path / "auth"
    directory.mkdir(mode=0o700)
    target = tmp_path / "target"
    target.write_text("untouched")
    cache_id = admin_password_plugin(V3_URL).get_cache_id()
    (directory / f"{cache_id}.json").symlink_to(target)
    old_umask = os.umask(0)
    try:
        _log_in(transport, AuthStateCache(directory=directory))
    finally:
        os.umask(old_umask)
    assert target.read_text() == "untouched"
    (saved,) = directory.iterdir()
    assert saved.name == f"{cache_id}.json"
    info = saved.lstat()
    assert stat.S_ISREG(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == 0o600
    assert ADMIN_PASSWORD not in saved.read_text()


def test_a_fifo_in_place_of_the_file_does_not_hang(tmp_path: Path) -> None:
    directory = tmp_path / "auth"
    directory.mkdir(mode=0o700)
    os.mkfifo(directory / "ab.json", 0o600)
    assert AuthStateCache(directory=directory).load("ab") is None


ROWS = [["11111111-aaaa", "web"], ["22222222-bbbb", "db"]]


def test_completion_cache_is_private_and_atomic(tmp_path: Path) -> None:
    directory = tmp_path / "completion"
    servercache.save(["ID", "Name"], ROWS, directory=directory)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((directory / "servers").stat().st_mode) == 0o600
    assert servercache.load(directory) == [("11111111-aaaa", "web"), ("22222222-bbbb", "db")]
    assert [p.name for p in directory.iterdir()] == ["servers"]


def test_completion_cache_in_a_shared_directory_is_not_used(tmp_path: Path) -> None:
    directory = _shared_dir(tmp_path / "completion", owner=None)
    loot = tmp_path / "loot"
    loot.write_text("")
    (directory / f".servers.{os.getpid()}.tmp").symlink_to(loot)
    said: list[str] = []
    for _ in range(3):  # `list --watch` saves on every refresh: one warning all the same
        servercache.save(["ID", "Name"], ROWS, directory=directory, warn=said.append)
    assert loot.read_text() == ""
    assert not (directory / "servers").exists()
    assert len(said) == 1
    assert said[0].startswith(f"WARNING: not using the completion cache in {directory}:")
    (directory / "servers").write_text("33333333-cccc\tplanted\n")
    assert servercache.load(directory) == []


def test_completion_cache_does_not_follow_a_link(tmp_path: Path) -> None:
    directory = tmp_path / "completion"
    directory.mkdir(mode=0o700)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("33333333-cccc\tplanted\n")
    elsewhere.chmod(0o600)
    (directory / "servers").symlink_to(elsewhere)
    assert servercache.load(directory) == []
    servercache.save(["ID", "Name"], ROWS, directory=directory)
    assert elsewhere.read_text() == "33333333-cccc\tplanted\n"
    assert not (directory / "servers").is_symlink()
    assert servercache.load(directory)[0] == ("11111111-aaaa", "web")
