"""A cache directory others can write into is not used, and the command still works: it runs
without the cache and says so once on stderr."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pocketstack.client import cache as cache_module
from pocketstack.client.transport.wsgi import WSGITransport
from tests.unit.cli.conftest import Runner


@pytest.fixture(autouse=True)
def _fresh_warnings() -> Iterator[None]:
    cache_module._refused.clear()
    yield
    cache_module._refused.clear()


def test_list_runs_without_a_shared_cache_and_says_so(
    run_cli: Runner, cli_transport: WSGITransport, tmp_path: Path
) -> None:
    auth, completion = tmp_path / "auth-cache", tmp_path / "completion"
    for directory in (auth, completion):
        directory.mkdir()
        directory.chmod(0o777)
    result = run_cli("list")
    assert result.code == 0, result.err
    assert result.out.startswith("+")
    assert result.err.splitlines() == [
        f"WARNING: not using the token cache in {auth}: others can write into it (mode 0777);"
        f" `chmod 700 {auth}` fixes that. The command runs without it.",
        f"WARNING: not using the completion cache in {completion}: others can write into it"
        f" (mode 0777); `chmod 700 {completion}` fixes that. The command runs without it.",
    ]
    assert list(auth.iterdir()) == list(completion.iterdir()) == []
    # No cache, so the next run logs in again (and is not told twice in one process).
    before = len(cli_transport.sent)
    assert run_cli("list").err == ""
    assert [r.method for r in cli_transport.sent[before:]][:2] == ["GET", "POST"]


def test_a_private_cache_says_nothing(run_cli: Runner, tmp_path: Path) -> None:
    assert run_cli("list").err == ""
    assert run_cli("list").err == ""
    assert (tmp_path / "auth-cache").stat().st_mode & 0o777 == 0o700
