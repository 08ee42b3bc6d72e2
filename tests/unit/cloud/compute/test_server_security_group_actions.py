"""addSecurityGroup / removeSecurityGroup and GET /servers/{id}/os-security-groups: a group put
on or taken off every port of the server in the network service, as Nova does through
Neutron."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network.app import create_app as network_app
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault

Headers = dict[str, str]


@pytest.fixture
def compute(cloud_deps: CloudDeps) -> Compute:
    return build_compute(cloud_deps)


def _group(c: Compute, h: Headers, name: str) -> str:
    made = c.call("POST", "/v2.1/os-security-groups", headers=h, version="2.35",
                  body={"security_group": {"name": name, "description": ""}})  # fmt: skip
    assert made.status_code == 200, made.text
    return str(made.json["security_group"]["id"])


def _action(c: Compute, server_id: str, h: Headers, name: str, group: str,
            version: str = "2.1") -> testing.Result:  # fmt: skip
    return c.call("POST", f"/v2.1/servers/{server_id}/action", headers=h, version=version,
                  body={name: {"name": group}})  # fmt: skip


def _port_groups(c: Compute, server_id: str, h: Headers) -> list[list[str]]:
    net = testing.TestClient(network_app(c.deps))
    ports = net.simulate_get("/v2.0/ports", headers=h, query_string=f"device_id={server_id}")
    return [sorted(p["security_groups"]) for p in ports.json["ports"]]


def _server_groups(c: Compute, server_id: str, h: Headers) -> list[dict[str, Any]]:
    listed = c.get(f"/v2.1/servers/{server_id}/os-security-groups", headers=h, version="2.90")
    assert listed.status_code == 200, listed.text
    groups: list[dict[str, Any]] = listed.json["security_groups"]
    return groups


def test_add_and_remove_a_group(compute: Compute) -> None:
    h = compute.alice_h
    server_id = compute.boot(h)
    web = _group(compute, h, "web")
    before = _port_groups(compute, server_id, h)
    assert before
    assert all(web not in groups for groups in before)
    added = _action(compute, server_id, h, "addSecurityGroup", "web", version="2.90")
    assert added.status_code == 202, added.text
    assert all(web in groups for groups in _port_groups(compute, server_id, h))
    assert "web" in [g["name"] for g in _server_groups(compute, server_id, h)]
    # A group a port is in is not deleted (Neutron's 409, Nova's 400).
    refused = compute.call("DELETE", f"/v2.1/os-security-groups/{web}", headers=h,
                           version="2.35")  # fmt: skip
    assert refused.status_code == 400
    removed = _action(compute, server_id, h, "removeSecurityGroup", web)
    assert removed.status_code == 202, removed.text
    assert _port_groups(compute, server_id, h) == before
    assert "web" not in [g["name"] for g in _server_groups(compute, server_id, h)]


def test_an_unknown_group(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    result = _action(compute, server_id, compute.alice_h, "addSecurityGroup", "nope")
    assert result.status_code == 404
    assert fault(result) == (
        "itemNotFound", f"Security group nope is not found for project {compute.alice.project_id}"
    )  # fmt: skip


def test_another_projects_group_is_not_found(compute: Compute) -> None:
    _group(compute, compute.bob_h, "bobs")
    server_id = compute.boot(compute.alice_h)
    result = _action(compute, server_id, compute.alice_h, "addSecurityGroup", "bobs")
    assert result.status_code == 404


def test_removing_a_group_the_server_is_not_in(compute: Compute) -> None:
    _group(compute, compute.alice_h, "web")
    server_id = compute.boot(compute.alice_h)
    result = _action(compute, server_id, compute.alice_h, "removeSecurityGroup", "web")
    assert result.status_code == 404
    assert fault(result) == (
        "itemNotFound", f"Security group web not associated with the instance {server_id}"
    )  # fmt: skip


def test_adding_a_group_twice(compute: Compute) -> None:
    _group(compute, compute.alice_h, "web")
    server_id = compute.boot(compute.alice_h)
    first = _action(compute, server_id, compute.alice_h, "addSecurityGroup", "web")
    assert first.status_code == 202
    again = _action(compute, server_id, compute.alice_h, "addSecurityGroup", "web")
    assert again.status_code == 400


def test_a_name_used_twice_is_a_conflict(compute: Compute) -> None:
    _group(compute, compute.alice_h, "twin")
    _group(compute, compute.alice_h, "twin")
    server_id = compute.boot(compute.alice_h)
    result = _action(compute, server_id, compute.alice_h, "addSecurityGroup", "twin")
    assert result.status_code == 409


def test_by_id_too(compute: Compute) -> None:
    web = _group(compute, compute.alice_h, "web")
    server_id = compute.boot(compute.alice_h)
    assert _action(compute, server_id, compute.alice_h, "addSecurityGroup", web).status_code == 202


def test_a_server_without_ports(compute: Compute) -> None:
    _group(compute, compute.alice_h, "web")
    server_id = compute.make(project=compute.alice.project_id)
    result = _action(compute, server_id, compute.alice_h, "addSecurityGroup", "web")
    assert result.status_code == 404
    assert fault(result) == ("itemNotFound", f"instance_id {server_id} could not be found as"
                             " device id on any ports")  # fmt: skip
    assert _server_groups(compute, server_id, compute.alice_h) == []


@pytest.mark.parametrize("body", [{"addSecurityGroup": {}}, {"addSecurityGroup": {"name": ""}},
                                  {"addSecurityGroup": {"name": "x", "other": 1}}])  # fmt: skip
def test_malformed_bodies(compute: Compute, body: dict[str, Any]) -> None:
    server_id = compute.boot(compute.alice_h)
    result = compute.call("POST", f"/v2.1/servers/{server_id}/action", headers=compute.alice_h,
                          body=body)  # fmt: skip
    assert result.status_code == 400


def test_a_blank_name(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    result = _action(compute, server_id, compute.alice_h, "addSecurityGroup", "  ")
    assert fault(result) == ("badRequest", "Security group name cannot be empty")


def test_another_projects_server_is_not_found(compute: Compute) -> None:
    _group(compute, compute.bob_h, "web")
    server_id = compute.boot(compute.alice_h)
    result = _action(compute, server_id, compute.bob_h, "addSecurityGroup", "web")
    assert result.status_code == 404
    listed = compute.get(f"/v2.1/servers/{server_id}/os-security-groups", headers=compute.bob_h)
    assert listed.status_code == 404


def test_concurrent_adds_of_groups_keep_every_group(cloud_deps_any_db: CloudDeps) -> None:
    """Each add locks the server's ports: of several groups added at once, none is lost."""
    compute = build_compute(cloud_deps_any_db)
    h = compute.alice_h
    server_id = compute.boot(h)
    names = [f"g{n}" for n in range(4)]
    ids = {_group(compute, h, name) for name in names}
    start = threading.Barrier(len(names))
    statuses: list[int] = []

    def add(name: str) -> None:
        start.wait()
        statuses.append(_action(compute, server_id, h, "addSecurityGroup", name).status_code)

    threads = [threading.Thread(target=add, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [202] * len(names)
    assert all(ids <= set(groups) for groups in _port_groups(compute, server_id, h))
    assert {g["name"] for g in _server_groups(compute, server_id, h)} >= set(names)


def test_the_server_views_show_the_ports_groups(compute: Compute) -> None:
    h = compute.alice_h
    server_id = compute.boot(h)
    _group(compute, h, "web")

    def shown() -> dict[str, Any]:
        server: dict[str, Any] = compute.get(f"/v2.1/servers/{server_id}", headers=h).json
        return server["server"]

    def listed() -> dict[str, Any]:
        servers = compute.get("/v2.1/servers/detail", headers=h).json["servers"]
        (server,) = [s for s in servers if s["id"] == server_id]
        found: dict[str, Any] = server
        return found

    assert shown()["security_groups"] == [{"name": "default"}]
    _action(compute, server_id, h, "addSecurityGroup", "web")
    assert sorted(g["name"] for g in shown()["security_groups"]) == ["default", "web"]
    assert sorted(g["name"] for g in listed()["security_groups"]) == ["default", "web"]
    # Without any group, Nova's views have no security_groups at all.
    _action(compute, server_id, h, "removeSecurityGroup", "web")
    _action(compute, server_id, h, "removeSecurityGroup", "default")
    assert "security_groups" not in shown()
    assert "security_groups" not in listed()
