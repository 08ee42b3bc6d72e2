"""/v3/groups and their members, through the identity app as a client reaches it."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from pocketstack.cloud.store.models.identity import UserGroupMembership
from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cloud.identity.conftest import IDENTITY, Client

GROUPS = "/v3/groups"


def new_group(client: Client, admin: str, name: str, **extra: Any) -> dict[str, Any]:
    created = client.post(GROUPS, json={"group": {"name": name, **extra}}, token=admin)
    assert created.status_code == 201, created.text
    group: dict[str, Any] = created.json["group"]
    return group


def new_user(client: Client, admin: str, name: str, **extra: Any) -> dict[str, Any]:
    body = {"user": {"name": name, "password": f"pw-{name}", **extra}}
    created = client.post("/v3/users", json=body, token=admin)
    assert created.status_code == 201, created.text
    user: dict[str, Any] = created.json["user"]
    return user


def new_project(client: Client, admin: str, name: str, **extra: Any) -> dict[str, Any]:
    created = client.post("/v3/projects", json={"project": {"name": name, **extra}}, token=admin)
    assert created.status_code == 201, created.text
    project: dict[str, Any] = created.json["project"]
    return project


def role_id(client: Client, admin: str, name: str) -> str:
    found = client.get("/v3/roles", token=admin, query=f"name={name}").json["roles"]
    return str(found[0]["id"])


def member_path(group: dict[str, Any], user: dict[str, Any]) -> str:
    return f"{GROUPS}/{group['id']}/users/{user['id']}"


def test_group_create_show_update_list_delete(client: Client, admin: str) -> None:
    group = new_group(client, admin, "ops", description="operators", color="blue")
    # The admin token is scoped to a project of the Default domain: the group's domain.
    assert group == {
        "id": group["id"],
        "name": "ops",
        "domain_id": "default",
        "description": "operators",
        "links": {"self": f"{IDENTITY}/v3/groups/{group['id']}"},
    }
    assert client.get(f"{GROUPS}/{group['id']}", token=admin).json["group"] == group
    renamed = client.request(
        "PATCH", f"{GROUPS}/{group['id']}", json={"group": {"name": "ops2"}}, token=admin
    )
    assert renamed.status_code == 200
    assert renamed.json["group"]["name"] == "ops2"
    assert renamed.json["group"]["description"] == "operators"
    described = client.request(
        "PATCH", f"{GROUPS}/{group['id']}", json={"group": {"description": "d2"}}, token=admin
    )
    assert described.json["group"]["name"] == "ops2"
    other = new_group(client, admin, "devs")
    listed = client.get(GROUPS, token=admin).json
    assert {g["name"] for g in listed["groups"]} == {"ops2", "devs"}
    assert listed["links"]["self"] == f"{IDENTITY}/v3/groups"
    by_name = client.get(GROUPS, token=admin, query="name=devs").json["groups"]
    assert [g["id"] for g in by_name] == [other["id"]]
    assert client.get(GROUPS, token=admin, query="domain_id=nope").json["groups"] == []
    assert client.request("DELETE", f"{GROUPS}/{group['id']}", token=admin).status_code == 204
    gone = client.get(f"{GROUPS}/{group['id']}", token=admin)
    assert gone.status_code == 404
    assert gone.json["error"]["message"] == f"Could not find group: {group['id']}."
    assert client.request("DELETE", f"{GROUPS}/{group['id']}", token=admin).status_code == 404


def test_group_names_are_unique_per_domain(client: Client, admin: str) -> None:
    new_group(client, admin, "ops")
    dup = client.post(GROUPS, json={"group": {"name": "ops"}}, token=admin)
    assert dup.status_code == 409
    assert dup.json["error"]["message"] == (
        "Conflict occurred attempting to store group - Duplicate entry found with name ops"
        " at domain ID default."
    )
    domain = client.post("/v3/domains", json={"domain": {"name": "other"}}, token=admin)
    elsewhere = new_group(client, admin, "ops", domain_id=domain.json["domain"]["id"])
    assert elsewhere["domain_id"] == domain.json["domain"]["id"]
    devs = new_group(client, admin, "devs")
    clash = client.request(
        "PATCH", f"{GROUPS}/{devs['id']}", json={"group": {"name": "ops"}}, token=admin
    )
    assert clash.status_code == 409


def test_group_bodies_are_validated(client: Client, admin: str) -> None:
    too_long = client.post(GROUPS, json={"group": {"name": "g" * 65}}, token=admin)
    assert too_long.status_code == 400
    assert "is too long" in too_long.json["error"]["message"]
    assert client.post(GROUPS, json={"group": {}}, token=admin).status_code == 400
    assert client.post(GROUPS, json={"group": {"name": " "}}, token=admin).status_code == 400
    missing_domain = client.post(GROUPS, json={"group": {"name": "x", "domain_id": "nope"}},
                                 token=admin)  # fmt: skip
    assert missing_domain.status_code == 404
    group = new_group(client, admin, "ops")
    path = f"{GROUPS}/{group['id']}"
    assert client.request("PATCH", path, json={"group": {}}, token=admin).status_code == 400
    for domain_id in ("x", None, 7):
        moved = client.request("PATCH", path, json={"group": {"domain_id": domain_id}},
                               token=admin)  # fmt: skip
        assert moved.status_code == 400
        assert moved.json["error"]["message"] == "Cannot change Domain ID"
    same = client.request("PATCH", path, json={"group": {"domain_id": "default"}}, token=admin)
    assert same.status_code == 200


def test_membership_add_check_list_remove(client: Client, admin: str) -> None:
    group = new_group(client, admin, "ops")
    carol, dave = new_user(client, admin, "carol"), new_user(client, admin, "dave")
    path = member_path(group, carol)
    assert client.request("HEAD", path, token=admin).status_code == 404
    assert client.request("PUT", path, token=admin).status_code == 204
    assert client.request("PUT", path, token=admin).status_code == 204
    assert client.request("PUT", member_path(group, dave), token=admin).status_code == 204
    assert client.request("HEAD", path, token=admin).status_code == 204
    assert client.request("GET", path, token=admin).status_code == 204
    users = client.get(f"{GROUPS}/{group['id']}/users", token=admin).json
    assert [u["name"] for u in users["users"]] == ["carol", "dave"]
    assert users["users"][0] == carol
    named = client.get(f"{GROUPS}/{group['id']}/users", token=admin, query="name=dave")
    assert [u["id"] for u in named.json["users"]] == [dave["id"]]
    groups = client.get(f"/v3/users/{carol['id']}/groups", token=admin).json["groups"]
    assert groups == [group]
    assert client.request("DELETE", path, token=admin).status_code == 204
    again = client.request("DELETE", path, token=admin)
    assert again.status_code == 404
    assert again.json["error"]["message"] == (
        f"User '{carol['id']}' not found in group '{group['id']}'"
    )
    assert client.get(f"/v3/users/{carol['id']}/groups", token=admin).json["groups"] == []
    unknown_group = client.request("PUT", f"{GROUPS}/nope/users/{carol['id']}", token=admin)
    assert unknown_group.status_code == 404
    assert unknown_group.json["error"]["message"] == "Could not find group: nope."
    unknown_user = client.request("PUT", f"{GROUPS}/{group['id']}/users/nope", token=admin)
    assert unknown_user.json["error"]["message"] == "Could not find user: nope."
    assert client.get(f"{GROUPS}/nope/users", token=admin).status_code == 404
    assert client.get("/v3/users/nope/groups", token=admin).status_code == 404


def test_deleting_a_user_or_a_group_ends_its_memberships(client: Client, admin: str) -> None:
    ops, devs = new_group(client, admin, "ops"), new_group(client, admin, "devs")
    carol, dave = new_user(client, admin, "carol"), new_user(client, admin, "dave")
    for group in (ops, devs):
        for user in (carol, dave):
            assert client.request("PUT", member_path(group, user), token=admin).status_code == 204
    assert client.request("DELETE", f"/v3/users/{carol['id']}", token=admin).status_code == 204
    users = client.get(f"{GROUPS}/{ops['id']}/users", token=admin).json["users"]
    assert [u["id"] for u in users] == [dave["id"]]
    assert client.request("DELETE", f"{GROUPS}/{ops['id']}", token=admin).status_code == 204
    assert client.get(f"/v3/users/{dave['id']}/groups", token=admin).json["groups"] == [devs]


def test_a_domain_s_groups_go_with_it(client: Client, admin: str) -> None:
    """Keystone deletes a (disabled) domain's contents with it."""
    domain = client.post("/v3/domains", json={"domain": {"name": "d1"}}, token=admin).json
    domain_id = domain["domain"]["id"]
    group = new_group(client, admin, "ops", domain_id=domain_id)
    path = f"/v3/domains/{domain_id}"
    disable = {"domain": {"enabled": False}}
    assert client.request("PATCH", path, json=disable, token=admin).status_code == 200
    assert client.request("DELETE", path, token=admin).status_code == 204
    assert client.get(f"{GROUPS}/{group['id']}", token=admin).status_code == 404


def test_identical_concurrent_additions_all_succeed_once(
    db_url: str, tmp_path: Path, clock: OffsetClock
) -> None:
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=clock)
    try:
        client = Client(deps)
        admin = client.admin_token()
        group, carol = new_group(client, admin, "ops"), new_user(client, admin, "carol")
        workers = 6
        start = threading.Barrier(workers)
        statuses: list[int] = []
        lock = threading.Lock()

        def add() -> None:
            start.wait()
            status = client.request("PUT", member_path(group, carol), token=admin).status_code
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=add) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert statuses == [204] * workers
        with deps.store.session() as session:
            rows = session.execute(select(func.count()).select_from(UserGroupMembership))
            assert rows.scalar_one() == 1
    finally:
        deps.store.dispose()
