"""Tags under concurrency, on SQLite (a file), PostgreSQL and MariaDB: the same tag added or
the same list put at once is kept once, and no request fails."""

from __future__ import annotations

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import build_net, race

WORKERS = 8




def test_the_same_tags_at_once_are_kept_once(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    network = net.network(net.alice_h)
    path = f"/networks/{network['id']}/tags"
    body = {"tags": ["a", "b"]}
    calls = [lambda: net.call("PUT", path, net.alice_h, body)] * (WORKERS // 2)
    calls += [lambda: net.call("PUT", f"{path}/a", net.alice_h)] * (WORKERS // 2)
    results = race(calls)
    assert [r.status_code for r in results] == [200] * (WORKERS // 2) + [201] * (WORKERS // 2)
    assert sorted(net.get(path, net.alice_h).json["tags"]) == ["a", "b"]
    shown = net.get(f"/networks/{network['id']}", net.alice_h).json["network"]
    assert sorted(shown["tags"]) == ["a", "b"]
