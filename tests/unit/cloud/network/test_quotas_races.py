"""Quotas under concurrency, on SQLite (a file), PostgreSQL and MariaDB: creates started
together never make more than the limit between them, whether single or bulk, and a project's
checks do not hold up another project's."""

from __future__ import annotations

from typing import Any

from falcon import testing
from sqlalchemy import func, select

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.network import Network
from pocketstack.cloud.store.models.network_port import Port
from pocketstack.cloud.store.models.network_security import SecurityGroup
from tests.unit.cloud.network.helpers import Net, build_net, race

WORKERS = 8




def _count(deps: CloudDeps, column: Any, project: str) -> int:
    with deps.store.session() as session:
        stmt = select(func.count()).select_from(column.class_).where(column == project)
        return int(session.scalar(stmt) or 0)


def _limit(net: Net, project: str, **limits: int) -> None:
    put = net.call("PUT", f"/quotas/{project}", net.admin, {"quota": limits})
    assert put.status_code == 200, put.text


def _statuses(results: list[testing.Result]) -> list[int]:
    return sorted(r.status_code for r in results)


def test_networks_created_at_once_stop_at_the_limit(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    project = net.alice.project_id
    _limit(net, project, network=3)
    body = {"network": {"name": "n"}}
    results = race([lambda: net.call("POST", "/networks", net.alice_h, body)] * WORKERS)
    assert _statuses(results) == [201] * 3 + [409] * (WORKERS - 3)
    refused = [r for r in results if r.status_code == 409]
    assert {r.json["NeutronError"]["type"] for r in refused} == {"OverQuota"}
    assert _count(cloud_deps_any_db, Network.project_id, project) == 3


def test_bulk_ports_at_once_never_exceed_the_limit(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    project = net.alice.project_id
    network = net.network(net.alice_h)
    _limit(net, project, port=5)
    body = {"ports": [{"network_id": network["id"]}] * 2}
    results = race([lambda: net.call("POST", "/ports", net.alice_h, body)] * (WORKERS // 2))
    # Two bulk creates of two fit in five; the others are refused whole.
    assert _statuses(results) == [201] * 2 + [409] * (WORKERS // 2 - 2)
    assert _count(cloud_deps_any_db, Port.project_id, project) == 4


def test_groups_of_two_projects_at_once_each_stop_at_their_own_limit(
    cloud_deps_any_db: CloudDeps,
) -> None:
    net = build_net(cloud_deps_any_db)
    alpha, beta = net.alice.project_id, net.bob.project_id
    # Their default groups first: each then holds one group.
    for h in (net.alice_h, net.bob_h):
        assert net.get("/security-groups", h).status_code == 200
    _limit(net, alpha, security_group=2)
    _limit(net, beta, security_group=3)
    body = {"security_group": {"name": "g"}}
    calls = [lambda: net.call("POST", "/security-groups", net.alice_h, body)] * (WORKERS // 2)
    calls += [lambda: net.call("POST", "/security-groups", net.bob_h, body)] * (WORKERS // 2)
    results = race(calls)
    assert _statuses(results[: WORKERS // 2]) == [201] + [409] * (WORKERS // 2 - 1)
    assert _statuses(results[WORKERS // 2 :]) == [201] * 2 + [409] * (WORKERS // 2 - 2)
    assert _count(cloud_deps_any_db, SecurityGroup.project_id, alpha) == 2
    assert _count(cloud_deps_any_db, SecurityGroup.project_id, beta) == 3
