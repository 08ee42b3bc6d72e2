"""Tags under concurrency, on SQLite (a file), PostgreSQL and MariaDB: the same tag added or
the same list put at once is kept once, and no request fails."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import build_net

WORKERS = 8


def _race(calls: list[Callable[[], testing.Result]]) -> list[testing.Result]:
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = calls[index]()
        except BaseException as exc:  # reported below, with the others
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [r for r in results if isinstance(r, BaseException)] == []
    return results


def test_the_same_tags_at_once_are_kept_once(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    network = net.network(net.alice_h)
    path = f"/networks/{network['id']}/tags"
    body = {"tags": ["a", "b"]}
    calls = [lambda: net.call("PUT", path, net.alice_h, body)] * (WORKERS // 2)
    calls += [lambda: net.call("PUT", f"{path}/a", net.alice_h)] * (WORKERS // 2)
    results = _race(calls)
    assert [r.status_code for r in results] == [200] * (WORKERS // 2) + [201] * (WORKERS // 2)
    assert sorted(net.get(path, net.alice_h).json["tags"]) == ["a", "b"]
    shown = net.get(f"/networks/{network['id']}", net.alice_h).json["network"]
    assert sorted(shown["tags"]) == ["a", "b"]
