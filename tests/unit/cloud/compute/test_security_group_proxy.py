"""Nova's security group proxy (os-security-groups, os-security-group-rules up to 2.35): the
network service's groups and ingress rules in Nova's shapes and words, the same groups Neutron's
API shows."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network.app import create_app as network_app
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault

V = "2.35"
WORKERS = 4
Headers = dict[str, str]


@pytest.fixture
def compute(cloud_deps: CloudDeps) -> Compute:
    return build_compute(cloud_deps)


def _call(c: Compute, method: str, path: str, h: Headers, body: Any = None,
          version: str = V) -> testing.Result:  # fmt: skip
    return c.call(method, f"/v2.1{path}", headers=h, version=version, body=body)


def _group(c: Compute, h: Headers, name: str = "web", description: str = "d") -> dict[str, Any]:
    made = _call(c, "POST", "/os-security-groups", h,
                 {"security_group": {"name": name, "description": description}})  # fmt: skip
    assert made.status_code == 200, made.text
    group: dict[str, Any] = made.json["security_group"]
    return group


def _rule(c: Compute, h: Headers, **rule: Any) -> testing.Result:
    return _call(c, "POST", "/os-security-group-rules", h, {"security_group_rule": rule})


def test_create_show_list_update_delete(compute: Compute) -> None:
    h = compute.alice_h
    group = _group(compute, h, name=" spaced name ")
    assert group["name"] == " spaced name "
    assert group["tenant_id"] == compute.alice.project_id
    # Nova shows ingress rules only: a new group's two egress rules are not shown.
    assert group["rules"] == []
    shown = _call(compute, "GET", f"/os-security-groups/{group['id']}", h)
    assert shown.json["security_group"] == group
    listed = _call(compute, "GET", "/os-security-groups", h).json["security_groups"]
    # The project's default group is there too (made on its first use), sorted by name.
    assert [g["name"] for g in listed] == [" spaced name ", "default"]
    default = listed[1]
    assert [(r["ip_protocol"], r["group"]) for r in default["rules"]] == [
        (None, {"name": "default", "tenant_id": compute.alice.project_id})
    ] * 2
    updated = _call(compute, "PUT", f"/os-security-groups/{group['id']}", h,
                    {"security_group": {"name": "new", "description": "nd"}})  # fmt: skip
    assert updated.status_code == 200
    assert (updated.json["security_group"]["name"], updated.json["security_group"]["description"]) \
        == ("new", "nd")  # fmt: skip
    deleted = _call(compute, "DELETE", f"/os-security-groups/{group['id']}", h)
    assert deleted.status_code == 202
    gone = _call(compute, "GET", f"/os-security-groups/{group['id']}", h)
    assert gone.status_code == 404


def test_the_network_service_sees_the_same_groups(compute: Compute) -> None:
    group = _group(compute, compute.alice_h)
    net = testing.TestClient(network_app(compute.deps))
    shown = net.simulate_get(f"/v2.0/security-groups/{group['id']}", headers=compute.alice_h)
    assert shown.status_code == 200
    assert shown.json["security_group"]["name"] == "web"


def test_gone_from_2_36(compute: Compute) -> None:
    listed = _call(compute, "GET", "/os-security-groups", compute.alice_h, version="2.36")
    assert listed.status_code == 404
    body = {"security_group_rule": {"parent_group_id": str(uuid.uuid4())}}
    made = _call(compute, "POST", "/os-security-group-rules", compute.alice_h, body, "2.36")
    assert made.status_code == 404


def test_other_projects_groups_are_not_found(compute: Compute) -> None:
    group = _group(compute, compute.alice_h)
    for method in ("GET", "DELETE"):
        result = _call(compute, method, f"/os-security-groups/{group['id']}", compute.bob_h)
        assert result.status_code == 404
    bob_list = _call(compute, "GET", "/os-security-groups", compute.bob_h).json
    assert [g["name"] for g in bob_list["security_groups"]] == ["default"]
    admin_all = _call(compute, "GET", "/os-security-groups?all_tenants=1", compute.admin).json
    assert group["id"] in [g["id"] for g in admin_all["security_groups"]]


def test_ids_must_be_uuids(compute: Compute) -> None:
    result = _call(compute, "GET", "/os-security-groups/not-a-uuid", compute.alice_h)
    assert result.status_code == 400
    assert fault(result) == ("badRequest", "Security group id should be uuid")
    missing = _call(compute, "DELETE", f"/os-security-groups/{uuid.uuid4()}", compute.alice_h)
    assert missing.status_code == 404


def test_the_default_group_is_not_deleted(compute: Compute) -> None:
    listed = _call(compute, "GET", "/os-security-groups", compute.alice_h).json
    default = listed["security_groups"][0]
    result = _call(compute, "DELETE", f"/os-security-groups/{default['id']}", compute.alice_h)
    assert result.status_code == 400


def test_a_second_default_is_refused(compute: Compute) -> None:
    made = _call(compute, "POST", "/os-security-groups", compute.alice_h,
                 {"security_group": {"name": "default", "description": ""}})  # fmt: skip
    assert made.status_code == 403


def test_list_limit_and_offset(compute: Compute) -> None:
    h = compute.alice_h
    for name in ("a", "b", "c"):
        _group(compute, h, name=name)
    page = _call(compute, "GET", "/os-security-groups?limit=2&offset=1", h).json
    assert len(page["security_groups"]) == 2
    bad = _call(compute, "GET", "/os-security-groups?limit=x", h)
    assert bad.status_code == 400


def test_a_tcp_rule_and_an_icmp_rule(compute: Compute) -> None:
    h = compute.alice_h
    group = _group(compute, h)
    tcp = _rule(compute, h, parent_group_id=group["id"], ip_protocol="tcp", from_port=22,
                to_port=22)  # fmt: skip
    assert tcp.status_code == 200, tcp.text
    rule = tcp.json["security_group_rule"]
    assert {k: rule[k] for k in ("parent_group_id", "ip_protocol", "from_port", "to_port",
                                 "ip_range", "group")} == {
        "parent_group_id": group["id"], "ip_protocol": "tcp", "from_port": 22, "to_port": 22,
        "ip_range": {"cidr": "0.0.0.0/0"}, "group": {},
    }  # fmt: skip
    icmp = _rule(compute, h, parent_group_id=group["id"], ip_protocol="icmp", from_port=-1,
                 to_port=-1, cidr="10.2.3.124/24")  # fmt: skip
    assert icmp.status_code == 200, icmp.text
    assert (icmp.json["security_group_rule"]["from_port"], icmp.json["security_group_rule"]
            ["ip_range"]) == (-1, {"cidr": "10.2.3.124/24"})  # fmt: skip
    rules = _call(compute, "GET", f"/os-security-groups/{group['id']}", h).json
    assert {r["id"] for r in rules["security_group"]["rules"]} == {
        rule["id"], icmp.json["security_group_rule"]["id"]}  # fmt: skip
    deleted = _call(compute, "DELETE", f"/os-security-group-rules/{rule['id']}", h)
    assert deleted.status_code == 202
    again = _call(compute, "DELETE", f"/os-security-group-rules/{rule['id']}", h)
    assert again.status_code == 404


def test_a_rule_naming_a_group(compute: Compute) -> None:
    h = compute.alice_h
    parent, peer = _group(compute, h, name="p"), _group(compute, h, name="peer")
    made = _rule(compute, h, parent_group_id=parent["id"], ip_protocol="tcp",
                 group_id=peer["id"])  # fmt: skip
    assert made.status_code == 200, made.text
    rule = made.json["security_group_rule"]
    # No ports: the protocol's whole range.
    assert (rule["from_port"], rule["to_port"], rule["ip_range"]) == (1, 65535, {})
    assert rule["group"] == {"name": "peer", "tenant_id": compute.alice.project_id}
    # The peer's delete takes the rule with it.
    assert _call(compute, "DELETE", f"/os-security-groups/{peer['id']}", h).status_code == 202
    shown = _call(compute, "GET", f"/os-security-groups/{parent['id']}", h).json
    assert shown["security_group"]["rules"] == []


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"ip_protocol": "tcp", "from_port": 22, "to_port": 21},
         "Invalid port range 22:21. Former value cannot be greater than the later"),
        ({"ip_protocol": "tcp", "from_port": 70000, "to_port": 22},
         "Invalid port range 70000:22. Former value cannot be greater than the later"),
        ({"ip_protocol": "tcp", "from_port": 22, "to_port": 70000},
         "Invalid port range 22:70000. Valid TCP ports should be between 1-65535"),
        ({"ip_protocol": "icmp", "from_port": 300, "to_port": -1},
         "Invalid port range 300:-1. For ICMP, the type:code must be valid"),
        ({"ip_protocol": "x999", "from_port": 22, "to_port": 22}, "Invalid IP protocol x999."),
        ({"ip_protocol": "tcp", "from_port": "a", "to_port": 22},
         "Invalid input received: To and From ports must be integers"),
        ({"ip_protocol": "tcp"}, "Not enough parameters to build a valid rule."),
        ({"ip_protocol": "tcp", "from_port": 1, "to_port": 2, "cidr": "nonsense"},
         "nonsense is not a valid IP network."),
        ({"ip_protocol": "tcp", "from_port": 1, "to_port": 2, "cidr": "10.0.0.0/0"},
         "Bad prefix for network in cidr 10.0.0.0/0"),
    ],
)  # fmt: skip
def test_nova_refuses_a_bad_rule(compute: Compute, rule: dict[str, Any], message: str) -> None:
    group = _group(compute, compute.alice_h)
    result = _rule(compute, compute.alice_h, parent_group_id=group["id"], **rule)
    assert result.status_code == 400
    assert fault(result) == ("badRequest", message)


def test_the_same_rule_twice(compute: Compute) -> None:
    group = _group(compute, compute.alice_h)
    spec = {"parent_group_id": group["id"], "ip_protocol": "tcp", "from_port": 22, "to_port": 22}
    assert _rule(compute, compute.alice_h, **spec).status_code == 200
    again = _rule(compute, compute.alice_h, **spec)
    assert again.status_code == 400
    assert fault(again) == ("badRequest", f"This rule already exists in group {group['id']}")


def test_a_rule_for_a_missing_or_bad_group(compute: Compute) -> None:
    missing = _rule(compute, compute.alice_h, parent_group_id=str(uuid.uuid4()),
                    ip_protocol="tcp", from_port=22, to_port=22)  # fmt: skip
    assert missing.status_code == 404
    bad = _rule(compute, compute.alice_h, parent_group_id="not-a-uuid", ip_protocol="tcp",
                from_port=22, to_port=22)  # fmt: skip
    assert bad.status_code == 400


def test_a_reader_may_not_create(compute: Compute) -> None:
    result = _call(compute, "POST", "/os-security-groups", {"X-Auth-Token": "nonsense"},
                   {"security_group": {"name": "x", "description": ""}})  # fmt: skip
    assert result.status_code == 401


def test_the_same_rule_at_once_is_made_once(cloud_deps_any_db: CloudDeps) -> None:
    compute = build_compute(cloud_deps_any_db)
    group = _group(compute, compute.alice_h)
    spec = {"parent_group_id": group["id"], "ip_protocol": "udp", "from_port": 53, "to_port": 53}
    start = threading.Barrier(WORKERS)
    statuses: list[int] = []

    def create() -> None:
        start.wait()
        statuses.append(_rule(compute, compute.alice_h, **spec).status_code)

    threads = [threading.Thread(target=create) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Counter(statuses) == {200: 1, 400: WORKERS - 1}
    shown = _call(compute, "GET", f"/os-security-groups/{group['id']}", compute.alice_h).json
    assert len(shown["security_group"]["rules"]) == 1
