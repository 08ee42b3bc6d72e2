"""Subnet pools under concurrency, on SQLite (a file), PostgreSQL and MariaDB: subnets created
at once from one pool never get the same or overlapping prefixes and stop when it is full, two
pools made the default of one IP version at once are not both made, and a pool deleted while
subnets are allocated from it either keeps them or refuses them."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Headers, Net, build_net, race

WORKERS = 6


def _post(net: Net, headers: Headers, path: str, body: Any) -> Callable[[], testing.Result]:
    return lambda: net.call("POST", path, headers, body)


def test_concurrent_allocations_never_overlap(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    # Room for four /26s: the last two creates are refused.
    pool = net.made(
        "/subnetpools",
        net.alice_h,
        {"subnetpool": {"name": "p", "prefixes": ["10.70.0.0/24"], "default_prefixlen": 26}},
    )
    networks = [net.network(net.alice_h)["id"] for _ in range(WORKERS)]
    calls = [
        _post(
            net,
            net.alice_h,
            "/subnets",
            {"subnet": {"network_id": n, "ip_version": 4, "subnetpool_id": pool["id"]}},
        )
        for n in networks
    ]
    results = race(calls)
    made = [r.json["subnet"]["cidr"] for r in results if r.status_code == 201]
    refused = [r.json["NeutronError"]["type"] for r in results if r.status_code != 201]
    assert sorted(made) == [f"10.70.0.{i}/26" for i in (0, 128, 192, 64)]
    assert refused == ["SubnetAllocationError"] * (WORKERS - 4)
    nets = [ipaddress.ip_network(c) for c in made]
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])


def test_one_default_wins(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    calls = [_post(net, net.admin, "/subnetpools", {"subnetpool": {
        "name": f"p{i}", "prefixes": [f"10.{80 + i}.0.0/16"], "is_default": True}})
        for i in range(WORKERS)]  # fmt: skip
    results = race(calls)
    assert sorted(r.status_code for r in results) == [201] + [400] * (WORKERS - 1)
    listed = net.get("/subnetpools", net.admin, query="is_default=true").json["subnetpools"]
    assert len(listed) == 1


def test_delete_races_allocation(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    pool = net.made(
        "/subnetpools",
        net.alice_h,
        {"subnetpool": {"name": "p", "prefixes": ["10.90.0.0/16"], "default_prefixlen": 24}},
    )
    network = net.network(net.alice_h)["id"]
    create = _post(
        net,
        net.alice_h,
        "/subnets",
        {"subnet": {"network_id": network, "ip_version": 4, "subnetpool_id": pool["id"]}},
    )
    results = race([create, lambda: net.call("DELETE", f"/subnetpools/{pool['id']}",
                                              net.alice_h)])  # fmt: skip
    made, deleted = results[0].status_code, results[1].status_code
    # Either the subnet came first (the delete is refused) or the delete did (the pool is gone).
    assert (made, deleted) in ((201, 400), (404, 204))
    kept = net.get(f"/subnetpools/{pool['id']}", net.alice_h).status_code
    assert kept == (200 if made == 201 else 404)
