"""Updating a role (PATCH /v3/roles/{role_id}): its name, unique (409, also when two renames
race), its description; and a rename ends the tokens that carry the old name, as they name
roles (Keystone's name the role's id, so a rename shows at their next validation)."""

from __future__ import annotations

import threading
from pathlib import Path

from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import OffsetClock, create_user, issue_token, make_deps
from tests.unit.cloud.identity.conftest import Client

TOKENS = "/v3/auth/tokens"


def _role(client: Client, admin: str, name: str) -> str:
    made = client.post("/v3/roles", json={"role": {"name": name}}, token=admin)
    assert made.status_code == 201, made.text
    return str(made.json["role"]["id"])


def _patch(client: Client, admin: str, role_id: str, role: object) -> object:
    return client.request("PATCH", f"/v3/roles/{role_id}", json={"role": role}, token=admin)


def test_rename_and_describe(client: Client, admin: str) -> None:
    role_id = _role(client, admin, "auditor")
    changed = client.request(
        "PATCH",
        f"/v3/roles/{role_id}",
        token=admin,
        json={
            "role": {"name": "inspector", "description": "reads", "options": {"immutable": False}}
        },
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json["role"]["name"], changed.json["role"]["description"]) == (
        "inspector",
        "reads",
    )
    listed = client.get("/v3/roles", token=admin, query="name=inspector").json["roles"]
    assert [r["id"] for r in listed] == [role_id]
    assert client.get("/v3/roles", token=admin, query="name=auditor").json["roles"] == []
    # The same name again is no conflict; a null description clears it.
    same = client.request(
        "PATCH",
        f"/v3/roles/{role_id}",
        token=admin,
        json={"role": {"name": "inspector", "description": None}},
    )
    assert same.status_code == 200, same.text
    assert same.json["role"]["description"] is None


def test_duplicate_name_and_bad_bodies(client: Client, admin: str) -> None:
    role_id = _role(client, admin, "one")
    _role(client, admin, "two")
    dup = client.request(
        "PATCH", f"/v3/roles/{role_id}", token=admin, json={"role": {"name": "two"}}
    )
    assert dup.status_code == 409, dup.text
    assert dup.json["error"]["message"] == (
        "Conflict occurred attempting to store role - Duplicate entry found with name two."
    )
    for bad in (
        {},
        {"name": ""},
        {"name": "n" * 256},
        {"name": "   "},
        {"options": {"unknown": True}},
        {"id": "other"},
        {"domain_id": "default"},
    ):
        refused = client.request("PATCH", f"/v3/roles/{role_id}", token=admin, json={"role": bad})
        assert refused.status_code == 400, (bad, refused.text)
    missing = client.request(
        "PATCH", "/v3/roles/nothing", token=admin, json={"role": {"name": "x"}}
    )
    assert missing.status_code == 404, missing.text
    assert client.get(f"/v3/roles/{role_id}", token=admin).json["role"]["name"] == "one"


def test_a_rename_ends_the_tokens_carrying_the_old_name(
    client: Client, admin: str, deps: CloudDeps
) -> None:
    role_id = _role(client, admin, "auditor")
    alice = create_user(deps, name="alice", project_name="p1", roles=("member", "auditor"))
    bob = create_user(deps, name="bob", project_name="p1", roles=("member",))
    alice_token = issue_token(deps, user_id=alice.id, project_id=alice.project_id)
    bob_token = issue_token(deps, user_id=bob.id, project_id=bob.project_id)
    renamed = client.request(
        "PATCH", f"/v3/roles/{role_id}", token=admin, json={"role": {"name": "inspector"}}
    )
    assert renamed.status_code == 200, renamed.text
    assert client.get(TOKENS, token=admin, subject=alice_token).status_code == 404
    # Not a holder: untouched.
    assert client.get(TOKENS, token=admin, subject=bob_token).status_code == 200
    fresh = client.password_token(user="alice", password=alice.password, project="p1")
    assert fresh.status_code == 201, fresh.text
    assert sorted(r["name"] for r in fresh.json["token"]["roles"]) == ["inspector", "member"]
    # A description alone changes no token.
    again = issue_token(deps, user_id=alice.id, project_id=alice.project_id)
    described = client.request(
        "PATCH", f"/v3/roles/{role_id}", token=admin, json={"role": {"description": "reads"}}
    )
    assert described.status_code == 200, described.text
    assert client.get(TOKENS, token=admin, subject=again).status_code == 200


def test_racing_renames_to_one_name_give_one_200_and_409s(
    db_url: str, tmp_path: Path, clock: OffsetClock
) -> None:
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=clock)
    try:
        client = Client(deps)
        admin = client.admin_token()
        workers = 4
        ids = [_role(client, admin, f"racer-{n}") for n in range(workers)]
        start = threading.Barrier(workers)
        statuses: list[int] = []
        lock = threading.Lock()

        def rename(role_id: str) -> None:
            start.wait()
            status = client.request(
                "PATCH", f"/v3/roles/{role_id}", token=admin, json={"role": {"name": "winner"}}
            ).status_code
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=rename, args=(i,)) for i in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sorted(statuses) == [200] + [409] * (workers - 1)
        named = client.get("/v3/roles", token=admin, query="name=winner").json["roles"]
        assert len(named) == 1
    finally:
        deps.store.dispose()
