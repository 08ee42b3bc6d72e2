"""Security groups under concurrency, on SQLite (a file), PostgreSQL and MariaDB: a project's
first requests started together make one default group, the same rule created at once is made
once, a group deleted while ports are put in it is either kept (409) or never bound, and rules
of two groups naming each other are created at once without a deadlock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from falcon import testing
from sqlalchemy import func, select

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.network_security import (
    DefaultSecurityGroup,
    PortSecurityGroup,
    SecurityGroup,
)
from tests.unit.cloud.network.helpers import Net, build_net, race

WORKERS = 8




def _post(net: Net, path: str, body: Any) -> Callable[[], testing.Result]:
    return lambda: net.call("POST", path, net.alice_h, body)


def _count(deps: CloudDeps, model: Any) -> int:
    with deps.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_first_requests_at_once_make_one_default_group(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    network = net.network(net.admin, shared=True)
    lists = [lambda: net.get("/security-groups", net.alice_h) for _ in range(WORKERS // 2)]
    body = {"port": {"network_id": network["id"]}}
    ports = [lambda: net.call("POST", "/ports", net.alice_h, body) for _ in range(WORKERS // 2)]
    results = race(lists + ports)
    assert [r.status_code for r in results] == [200] * (WORKERS // 2) + [201] * (WORKERS // 2)
    listed = {g["id"] for r in results[: WORKERS // 2] for g in r.json["security_groups"]}
    bound = {g for r in results[WORKERS // 2 :] for g in r.json["port"]["security_groups"]}
    assert len(listed) == 1
    assert bound == listed
    with cloud_deps_any_db.store.session() as session:
        names = list(
            session.scalars(
                select(SecurityGroup.name).where(SecurityGroup.project_id == net.alice.project_id)
            )
        )
    assert names == ["default"]
    # Alice's, and the admin's from the network create.
    assert _count(cloud_deps_any_db, DefaultSecurityGroup) == 2


def test_the_same_rule_at_once_is_made_once(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    group = net.made("/security-groups", net.alice_h, {"security_group": {"name": "g"}})
    bodies = [
        {
            "security_group_rule": {
                "security_group_id": group["id"],
                "direction": "ingress",
                "protocol": proto,
                "port_range_min": 22,
                "port_range_max": 22,
            }
        }
        for proto in ("tcp", "6", "TCP", "tcp") * (WORKERS // 4)
    ]
    results = race([_post(net, "/security-group-rules", b) for b in bodies])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] + [409] * (WORKERS - 1)
    made = next(r.json["security_group_rule"] for r in results if r.status_code == 201)
    for refused in (r for r in results if r.status_code == 409):
        assert refused.json["NeutronError"] == {
            "type": "SecurityGroupRuleExists",
            "message": f"Security group rule already exists. Rule id is {made['id']}.",
            "detail": "",
        }
    shown = net.get(f"/security-groups/{group['id']}", net.alice_h).json["security_group"]
    assert len(shown["security_group_rules"]) == 3
    assert shown["revision_number"] == 2


def test_a_group_deleted_while_ports_are_put_in_it(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    network = net.network(net.alice_h)
    group = net.made("/security-groups", net.alice_h, {"security_group": {"name": "g"}})
    body = {"port": {"network_id": network["id"], "security_groups": [group["id"]]}}
    calls: list[Callable[[], testing.Result]] = [
        (lambda: net.call("POST", "/ports", net.alice_h, body)) for _ in range(WORKERS - 1)
    ]
    calls.append(lambda: net.call("DELETE", f"/security-groups/{group['id']}", net.alice_h))
    results = race(calls)
    created = [r for r in results[:-1] if r.status_code == 201]
    assert {r.status_code for r in results[:-1]} <= {201, 404}
    if results[-1].status_code == 204:
        # The delete went first: no port was put in the group.
        assert created == []
    else:
        assert results[-1].json["NeutronError"]["type"] == "SecurityGroupInUse"
        assert created
    assert _count(cloud_deps_any_db, PortSecurityGroup) == len(created)


def test_rules_of_two_groups_naming_each_other(cloud_deps_any_db: CloudDeps) -> None:
    net: Net = build_net(cloud_deps_any_db)
    one = net.made("/security-groups", net.alice_h, {"security_group": {"name": "one"}})
    two = net.made("/security-groups", net.alice_h, {"security_group": {"name": "two"}})
    calls: list[Callable[[], testing.Result]] = []
    for port in range(WORKERS // 2):
        for here, there in ((one, two), (two, one)):
            body = {
                "security_group_rule": {
                    "security_group_id": here["id"],
                    "remote_group_id": there["id"],
                    "direction": "ingress",
                    "protocol": "tcp",
                    "port_range_min": 1000 + port,
                    "port_range_max": 1000 + port,
                }
            }
            calls.append(_post(net, "/security-group-rules", body))
    results = race(calls)
    assert [r.status_code for r in results] == [201] * WORKERS
    listed = net.get(
        "/security-group-rules",
        net.alice_h,
        query="protocol=tcp&sort_key=port_range_min&sort_dir=desc&limit=3",
    )
    assert [r["port_range_min"] for r in listed.json["security_group_rules"]] == [1003, 1003, 1002]
