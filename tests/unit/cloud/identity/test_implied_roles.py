"""Implied roles and domain-specific roles: the inference rule API, what tokens and effective
role assignments carry, and the tokens that end when a rule changes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.identity.conftest import IDENTITY, Client
from tests.unit.cloud.identity.test_groups import new_project, new_user

ROLES = "/v3/roles"


def new_role(client: Client, admin: str, name: str, **extra: Any) -> dict[str, Any]:
    created = client.post(ROLES, json={"role": {"name": name, **extra}}, token=admin)
    assert created.status_code == 201, created.text
    role: dict[str, Any] = created.json["role"]
    return role


def _implies(prior: dict[str, Any], implied: dict[str, Any]) -> str:
    return f"{ROLES}/{prior['id']}/implies/{implied['id']}"


def _project_token(client: Client, user: dict[str, Any], project: dict[str, Any]) -> Any:
    auth = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"id": user["id"], "password": f"pw-{user['name']}"}},
        },
        "scope": {"project": {"id": project["id"]}},
    }
    return client.post("/v3/auth/tokens", json={"auth": auth})


def _role_names(issued: Any) -> set[str]:
    assert issued.status_code == 201, issued.text
    return {r["name"] for r in issued.json["token"]["roles"]}


def _grant(client: Client, admin: str, project: dict[str, Any], user: dict[str, Any],
           role: dict[str, Any]) -> None:  # fmt: skip
    path = f"/v3/projects/{project['id']}/users/{user['id']}/roles/{role['id']}"
    assert client.request("PUT", path, token=admin).status_code == 204


def _effective(client: Client, admin: str, user: dict[str, Any],
               project: dict[str, Any]) -> list[dict[str, Any]]:  # fmt: skip
    query = f"effective&user.id={user['id']}&scope.project.id={project['id']}"
    listed = client.get("/v3/role_assignments", token=admin, query=query)
    assert listed.status_code == 200, listed.text
    found: list[dict[str, Any]] = listed.json["role_assignments"]
    return found


def test_rule_create_show_check_list_delete(client: Client, admin: str) -> None:
    prior, implied, other = (new_role(client, admin, n) for n in ("lead", "dev", "ops"))
    path = _implies(prior, implied)
    assert client.request("HEAD", path, token=admin).status_code == 404
    created = client.request("PUT", path, token=admin)
    assert created.status_code == 201, created.text
    ref = {
        "id": implied["id"],
        "name": "dev",
        "links": {"self": f"{IDENTITY}{ROLES}/{implied['id']}"},
    }
    prior_ref = {"id": prior["id"], "name": "lead",
                 "links": {"self": f"{IDENTITY}{ROLES}/{prior['id']}"}}  # fmt: skip
    assert created.json == {
        "role_inference": {"prior_role": prior_ref, "implies": ref},
        "links": {"self": f"{IDENTITY}{path}"},
    }
    assert client.get(path, token=admin).json == created.json
    assert client.request("HEAD", path, token=admin).status_code == 204
    assert client.request("PUT", path, token=admin).status_code == 409
    assert client.request("PUT", _implies(prior, other), token=admin).status_code == 201
    listed = client.get(f"{ROLES}/{prior['id']}/implies", token=admin).json
    assert [r["name"] for r in listed["role_inference"]["implies"]] == ["dev", "ops"]
    assert listed["role_inference"]["prior_role"] == prior_ref
    every = client.get("/v3/role_inferences", token=admin).json["role_inferences"]
    mine = [r for r in every if r["prior_role"]["id"] == prior["id"]]
    assert len(mine) == 1
    assert len(mine[0]["implies"]) == 2
    assert client.request("DELETE", path, token=admin).status_code == 204
    gone = client.get(path, token=admin)
    assert gone.status_code == 404
    assert gone.json["error"]["message"] == f"{prior['id']} does not imply {implied['id']}."
    missing = client.request("PUT", f"{ROLES}/nope/implies/{implied['id']}", token=admin)
    assert missing.status_code == 404


def test_rules_keystone_refuses(client: Client, admin: str) -> None:
    admin_role = client.get(ROLES, token=admin, query="name=admin").json["roles"][0]
    lead = new_role(client, admin, "lead")
    refused = client.request("PUT", _implies(lead, admin_role), token=admin)
    assert refused.status_code == 403
    domain = client.post("/v3/domains", json={"domain": {"name": "d1"}}, token=admin).json["domain"]
    scoped = new_role(client, admin, "d1-role", domain_id=domain["id"])
    # A global role may not imply a domain-specific one; the converse is allowed.
    assert client.request("PUT", _implies(lead, scoped), token=admin).status_code == 403
    assert client.request("PUT", _implies(scoped, lead), token=admin).status_code == 201
    # A non-admin is refused.
    user = new_user(client, admin, "erin")
    project = new_project(client, admin, "p1")
    _grant(client, admin, project, user, lead)
    token = _project_token(client, user, project).headers["X-Subject-Token"]
    other = new_role(client, admin, "other")
    assert client.request("PUT", _implies(lead, other), token=token).status_code == 403


def test_tokens_and_effective_assignments_expand_rules(client: Client, admin: str) -> None:
    lead, dev, ops, viewer = (new_role(client, admin, n) for n in ("lead", "dev", "ops", "viewer"))
    for prior, implied in ((lead, dev), (dev, ops), (ops, lead), (ops, viewer)):
        # A cycle (lead > dev > ops > lead) is accepted, as Keystone does.
        assert client.request("PUT", _implies(prior, implied), token=admin).status_code == 201
    user, project = new_user(client, admin, "erin"), new_project(client, admin, "p1")
    _grant(client, admin, project, user, dev)
    assert _role_names(_project_token(client, user, project)) == {"lead", "dev", "ops", "viewer"}
    rows = _effective(client, admin, user, project)
    assert sorted(r["role"]["id"] for r in rows) == sorted(
        r["id"] for r in (lead, dev, ops, viewer)
    )
    implied_row = next(r for r in rows if r["role"]["id"] == viewer["id"])
    assert implied_row["links"]["prior_role"] == f"{IDENTITY}{ROLES}/{dev['id']}"
    grant = f"{IDENTITY}/v3/projects/{project['id']}/users/{user['id']}/roles/{dev['id']}"
    assert implied_row["links"]["assignment"] == grant
    only = client.get(
        "/v3/role_assignments",
        token=admin,
        query=f"effective&user.id={user['id']}&role.id={viewer['id']}",
    ).json
    assert [r["role"]["id"] for r in only["role_assignments"]] == [viewer["id"]]
    # Listed as granted, only the grant itself shows.
    granted = client.get("/v3/role_assignments", token=admin, query=f"user.id={user['id']}")
    assert [r["role"]["id"] for r in granted.json["role_assignments"]] == [dev["id"]]


def test_a_changed_rule_ends_the_tokens_that_carry_it(client: Client, admin: str) -> None:
    lead, dev = new_role(client, admin, "lead"), new_role(client, admin, "dev")
    user, project = new_user(client, admin, "erin"), new_project(client, admin, "p1")
    bystander = new_user(client, admin, "fred")
    _grant(client, admin, project, user, lead)
    _grant(client, admin, project, bystander, dev)
    before = _project_token(client, user, project).headers["X-Subject-Token"]
    kept = _project_token(client, bystander, project).headers["X-Subject-Token"]
    assert client.request("PUT", _implies(lead, dev), token=admin).status_code == 201
    assert client.get("/v3/auth/tokens", token=admin, subject=before).status_code == 404
    assert client.get("/v3/auth/tokens", token=admin, subject=kept).status_code == 200
    with_rule = _project_token(client, user, project)
    assert _role_names(with_rule) == {"lead", "dev"}
    assert client.request("DELETE", _implies(lead, dev), token=admin).status_code == 204
    subject = with_rule.headers["X-Subject-Token"]
    assert client.get("/v3/auth/tokens", token=admin, subject=subject).status_code == 404
    assert _role_names(_project_token(client, user, project)) == {"lead"}
    # Deleting the prior role drops its rules and the tokens holding what they gave.
    assert client.request("PUT", _implies(lead, dev), token=admin).status_code == 201
    again = _project_token(client, user, project).headers["X-Subject-Token"]
    assert client.request("DELETE", f"{ROLES}/{lead['id']}", token=admin).status_code == 204
    assert client.get("/v3/auth/tokens", token=admin, subject=again).status_code == 404
    assert client.get("/v3/role_inferences", token=admin).json["role_inferences"] == []


def test_domain_roles(client: Client, admin: str) -> None:
    domain = client.post("/v3/domains", json={"domain": {"name": "d1"}}, token=admin).json["domain"]
    scoped = new_role(client, admin, "d1-role", domain_id=domain["id"])
    assert scoped["domain_id"] == domain["id"]
    listed = client.get(ROLES, token=admin, query=f"domain_id={domain['id']}").json["roles"]
    assert listed == [scoped]
    assert scoped["id"] not in [r["id"] for r in client.get(ROLES, token=admin).json["roles"]]
    assert client.get(f"{ROLES}/{scoped['id']}", token=admin).json["role"] == scoped
    missing = client.post(ROLES, json={"role": {"name": "x", "domain_id": "nope"}}, token=admin)
    assert missing.status_code == 404
    # Granted alone, a domain-specific role gives nothing: no token, no effective assignment.
    user, project = new_user(client, admin, "erin"), new_project(client, admin, "p1")
    _grant(client, admin, project, user, scoped)
    assert _project_token(client, user, project).status_code == 401
    assert _effective(client, admin, user, project) == []
    # Implying a global role, it gives that role (and still not itself).
    member = new_role(client, admin, "worker")
    assert client.request("PUT", _implies(scoped, member), token=admin).status_code == 201
    assert _role_names(_project_token(client, user, project)) == {"worker"}
    assert [r["role"]["id"] for r in _effective(client, admin, user, project)] == [member["id"]]
    assert client.request("DELETE", f"{ROLES}/{scoped['id']}", token=admin).status_code == 204
    assert client.get(ROLES, token=admin, query=f"domain_id={domain['id']}").json["roles"] == []


@pytest.mark.usefixtures("db_url")
def test_expansion_on_every_database(cloud_deps_any_db: CloudDeps) -> None:
    # The recursive queries (rules, project ancestry) on SQLite, PostgreSQL and MariaDB.
    client = Client(cloud_deps_any_db)
    admin = client.admin_token()
    a, b, c = (new_role(client, admin, n) for n in ("ra", "rb", "rc"))
    for prior, implied in ((a, b), (b, c), (c, a)):
        assert client.request("PUT", _implies(prior, implied), token=admin).status_code == 201
    user = new_user(client, admin, "erin")
    top = new_project(client, admin, "top")
    leaf = new_project(client, admin, "leaf", parent_id=top["id"])
    path = (f"/v3/OS-INHERIT/projects/{top['id']}/users/{user['id']}/roles/{a['id']}"
            "/inherited_to_projects")  # fmt: skip
    assert client.request("PUT", path, token=admin).status_code == 204
    assert _role_names(_project_token(client, user, leaf)) == {"ra", "rb", "rc"}
    assert _project_token(client, user, top).status_code == 401


def _race(workers: int, call: Callable[[], int]) -> list[int]:
    start = threading.Barrier(workers)
    statuses: list[int] = []
    lock = threading.Lock()

    def run() -> None:
        start.wait()
        status = call()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sorted(statuses)


@pytest.mark.usefixtures("db_url")
def test_concurrent_puts_store_one_rule_and_one_grant(cloud_deps_any_db: CloudDeps) -> None:
    client = Client(cloud_deps_any_db)
    admin = client.admin_token()
    lead, dev = new_role(client, admin, "lead"), new_role(client, admin, "dev")
    rule = _implies(lead, dev)
    assert _race(4, lambda: client.request("PUT", rule, token=admin).status_code) == [
        201, 409, 409, 409,
    ]  # fmt: skip
    every = client.get("/v3/role_inferences", token=admin).json["role_inferences"]
    assert [len(r["implies"]) for r in every] == [1]
    user, project = new_user(client, admin, "erin"), new_project(client, admin, "top")
    grant = (f"/v3/OS-INHERIT/projects/{project['id']}/users/{user['id']}/roles/{lead['id']}"
             "/inherited_to_projects")  # fmt: skip
    # PUT of a grant is idempotent, racing or not.
    assert _race(4, lambda: client.request("PUT", grant, token=admin).status_code) == [204] * 4
    listed = client.get("/v3/role_assignments", token=admin, query=f"user.id={user['id']}")
    assert len(listed.json["role_assignments"]) == 1
