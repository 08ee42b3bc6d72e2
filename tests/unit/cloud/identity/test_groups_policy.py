"""Who may read and change groups: Keystone's defaults (admin; readers of the system or of the
group's domain; managers of the group's domain; a user listing their own groups)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.cloud.identity.conftest import Client
from tests.unit.cloud.identity.test_groups import (
    GROUPS,
    member_path,
    new_group,
    new_project,
    new_user,
    role_id,
)


def _token(client: Client, user: dict[str, Any], scope: dict[str, Any]) -> str:
    auth = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"id": user["id"], "password": f"pw-{user['name']}"}},
        },
        "scope": scope,
    }
    issued = client.post("/v3/auth/tokens", json={"auth": auth})
    assert issued.status_code == 201, issued.text
    return str(issued.headers["X-Subject-Token"])


def _role(client: Client, admin: str, name: str) -> str:
    created = client.post("/v3/roles", json={"role": {"name": name}}, token=admin)
    return (
        str(created.json["role"]["id"])
        if created.status_code == 201
        else role_id(client, admin, name)
    )


def _grant(client: Client, admin: str, path: str) -> None:
    assert client.request("PUT", path, token=admin).status_code == 204


@pytest.fixture
def world(client: Client, admin: str) -> dict[str, Any]:
    """A second domain with a group and a user, a group in Default, and a user per role."""
    d1 = client.post("/v3/domains", json={"domain": {"name": "d1"}}, token=admin).json["domain"]
    return {
        "d1": d1,
        "g1": new_group(client, admin, "g1", domain_id=d1["id"]),
        "u1": new_user(client, admin, "u1", domain_id=d1["id"]),
        "g0": new_group(client, admin, "g0"),
        "u0": new_user(client, admin, "u0"),
    }


def test_a_project_member_may_list_only_their_own_groups(
    client: Client, admin: str, world: dict[str, Any]
) -> None:
    project = new_project(client, admin, "p1")
    alice = new_user(client, admin, "alice")
    _grant(client, admin,
           f"/v3/projects/{project['id']}/users/{alice['id']}/roles/"
           f"{role_id(client, admin, 'member')}")  # fmt: skip
    _grant(client, admin, member_path(world["g0"], alice))
    token = _token(client, alice, {"project": {"id": project["id"]}})
    for method, path in (
        ("GET", GROUPS),
        ("GET", f"{GROUPS}/{world['g0']['id']}"),
        ("GET", f"{GROUPS}/{world['g0']['id']}/users"),
        ("HEAD", member_path(world["g0"], alice)),
        ("PUT", member_path(world["g0"], world["u0"])),
        ("DELETE", f"{GROUPS}/{world['g0']['id']}"),
        ("GET", f"/v3/users/{world['u0']['id']}/groups"),
        # A group that does not exist: refused, not revealed as missing.
        ("GET", f"{GROUPS}/nope"),
    ):
        assert client.request(method, path, token=token).status_code == 403, (method, path)
    created = client.post(GROUPS, json={"group": {"name": "mine"}}, token=token)
    assert created.status_code == 403
    assert created.json["error"]["message"] == (
        "You are not authorized to perform the requested action: identity:create_group."
    )
    own = client.get(f"/v3/users/{alice['id']}/groups", token=token)
    assert own.status_code == 200
    assert [g["id"] for g in own.json["groups"]] == [world["g0"]["id"]]


def test_a_domain_reader_reads_the_groups_of_their_domain_only(
    client: Client, admin: str, world: dict[str, Any]
) -> None:
    d1, g1, u1 = world["d1"], world["g1"], world["u1"]
    reader = new_user(client, admin, "reader", domain_id=d1["id"])
    _grant(client, admin,
           f"/v3/domains/{d1['id']}/users/{reader['id']}/roles/"
           f"{role_id(client, admin, 'reader')}")  # fmt: skip
    _grant(client, admin, member_path(g1, u1))
    _grant(client, admin, member_path(g1, world["u0"]))
    token = _token(client, reader, {"domain": {"id": d1["id"]}})
    listed = client.get(GROUPS, token=token).json["groups"]
    assert [g["id"] for g in listed] == [g1["id"]]
    assert client.get(f"{GROUPS}/{g1['id']}", token=token).status_code == 200
    assert client.get(f"{GROUPS}/{world['g0']['id']}", token=token).status_code == 403
    # Members from another domain are left out of a domain-scoped listing (as Keystone does).
    users = client.get(f"{GROUPS}/{g1['id']}/users", token=token).json["users"]
    assert [u["id"] for u in users] == [u1["id"]]
    assert client.request("HEAD", member_path(g1, u1), token=token).status_code == 204
    assert client.request("HEAD", member_path(g1, world["u0"]), token=token).status_code == 403
    assert client.get(f"/v3/users/{u1['id']}/groups", token=token).status_code == 200
    assert client.request("PUT", member_path(g1, reader), token=token).status_code == 403
    assert client.post(GROUPS, json={"group": {"name": "x"}}, token=token).status_code == 403


def test_a_domain_manager_manages_the_groups_of_their_domain(
    client: Client, admin: str, world: dict[str, Any]
) -> None:
    d1, g1, u1 = world["d1"], world["g1"], world["u1"]
    manager = new_user(client, admin, "boss", domain_id=d1["id"])
    _grant(client, admin,
           f"/v3/domains/{d1['id']}/users/{manager['id']}/roles/"
           f"{_role(client, admin, 'manager')}")  # fmt: skip
    token = _token(client, manager, {"domain": {"id": d1["id"]}})
    created = client.post(GROUPS, json={"group": {"name": "team"}}, token=token)
    assert created.status_code == 201
    assert created.json["group"]["domain_id"] == d1["id"]
    elsewhere = client.post(GROUPS, json={"group": {"name": "x", "domain_id": "default"}},
                            token=token)  # fmt: skip
    assert elsewhere.status_code == 403
    assert client.request("PUT", member_path(g1, u1), token=token).status_code == 204
    assert client.request("PUT", member_path(g1, world["u0"]), token=token).status_code == 403
    renamed = client.request(
        "PATCH", f"{GROUPS}/{g1['id']}", json={"group": {"name": "g1b"}}, token=token
    )
    assert renamed.status_code == 200
    g0 = world["g0"]
    assert client.request("DELETE", f"{GROUPS}/{g0['id']}", token=token).status_code == 403
    assert client.request("DELETE", member_path(g1, u1), token=token).status_code == 204
    assert client.request("DELETE", f"{GROUPS}/{g1['id']}", token=token).status_code == 204


def test_a_system_reader_reads_every_group(
    client: Client, admin: str, world: dict[str, Any]
) -> None:
    auditor = new_user(client, admin, "auditor")
    reader = role_id(client, admin, "reader")
    _grant(client, admin, f"/v3/system/users/{auditor['id']}/roles/{reader}")
    token = _token(client, auditor, {"system": {"all": True}})
    listed = client.get(GROUPS, token=token).json["groups"]
    assert {g["id"] for g in listed} == {world["g0"]["id"], world["g1"]["id"]}
    assert client.get(f"{GROUPS}/{world['g1']['id']}", token=token).status_code == 200
    assert client.get(f"{GROUPS}/nope", token=token).status_code == 404
    assert client.post(GROUPS, json={"group": {"name": "x"}}, token=token).status_code == 403
    assert client.request("DELETE", f"{GROUPS}/{world['g0']['id']}", token=token).status_code == 403
