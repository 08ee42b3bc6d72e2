"""OS-INHERIT: grants held on every project below a domain or a project, never on the target
itself; what tokens, effective assignments and the user's project listings show."""

from __future__ import annotations

from typing import Any

from tests.unit.cloud.identity.conftest import IDENTITY, Client
from tests.unit.cloud.identity.test_groups import member_path, new_group, new_project, new_user
from tests.unit.cloud.identity.test_implied_roles import _implies, _project_token, new_role

INHERIT = "/v3/OS-INHERIT"


def _path(target: str, target_id: str, actor: str, actor_id: str, role_id: str) -> str:
    return (
        f"{INHERIT}/{target}s/{target_id}/{actor}s/{actor_id}/roles/{role_id}/inherited_to_projects"
    )


def _world(client: Client, admin: str) -> dict[str, Any]:
    domain = client.post("/v3/domains", json={"domain": {"name": "d1"}}, token=admin).json["domain"]
    top = new_project(client, admin, "top", domain_id=domain["id"])
    leaf = new_project(client, admin, "leaf", parent_id=top["id"], domain_id=domain["id"])
    return {
        "domain": domain, "top": top, "leaf": leaf,
        "user": new_user(client, admin, "erin"), "role": new_role(client, admin, "auditor"),
    }  # fmt: skip


def _effective(client: Client, admin: str, user: dict[str, Any], project: dict[str, Any]) -> Any:
    query = f"effective&user.id={user['id']}&scope.project.id={project['id']}"
    return client.get("/v3/role_assignments", token=admin, query=query).json["role_assignments"]


def test_domain_grant_put_check_list_delete(client: Client, admin: str) -> None:
    w = _world(client, admin)
    path = _path("domain", w["domain"]["id"], "user", w["user"]["id"], w["role"]["id"])
    assert client.request("HEAD", path, token=admin).status_code == 404
    assert client.request("PUT", path, token=admin).status_code == 204
    assert client.request("PUT", path, token=admin).status_code == 204
    assert client.request("HEAD", path, token=admin).status_code == 204
    assert client.get(path, token=admin).status_code == 204
    listing = (
        f"{INHERIT}/domains/{w['domain']['id']}/users/{w['user']['id']}/roles/inherited_to_projects"
    )
    listed = client.get(listing, token=admin)
    assert listed.status_code == 200, listed.text
    assert [r["id"] for r in listed.json["roles"]] == [w["role"]["id"]]
    # Not a direct grant on the domain.
    direct = f"/v3/domains/{w['domain']['id']}/users/{w['user']['id']}/roles"
    assert client.get(direct, token=admin).json["roles"] == []
    by_user = f"user.id={w['user']['id']}"
    as_granted = client.get("/v3/role_assignments", token=admin, query=by_user).json[
        "role_assignments"
    ]
    assert as_granted == [{
        "role": {"id": w["role"]["id"]}, "user": {"id": w["user"]["id"]},
        "scope": {"domain": {"id": w["domain"]["id"]}, "OS-INHERIT:inherited_to": "projects"},
        "links": {"assignment": f"{IDENTITY}{path}"},
    }]  # fmt: skip
    inherited = "scope.OS-INHERIT:inherited_to=projects"
    only = client.get("/v3/role_assignments", token=admin, query=inherited).json["role_assignments"]
    assert [a["role"]["id"] for a in only] == [w["role"]["id"]]
    assert client.request("DELETE", path, token=admin).status_code == 204
    assert client.request("DELETE", path, token=admin).status_code == 404
    assert client.get(listing, token=admin).json["roles"] == []
    absent = _path("domain", "nope", "user", w["user"]["id"], w["role"]["id"])
    assert client.request("PUT", absent, token=admin).status_code == 404


def test_domain_grant_holds_on_its_projects_not_the_domain(client: Client, admin: str) -> None:
    w = _world(client, admin)
    path = _path("domain", w["domain"]["id"], "user", w["user"]["id"], w["role"]["id"])
    assert client.request("PUT", path, token=admin).status_code == 204
    for project in (w["top"], w["leaf"]):
        issued = _project_token(client, w["user"], project)
        assert issued.status_code == 201, issued.text
        assert [r["name"] for r in issued.json["token"]["roles"]] == ["auditor"]
        rows = _effective(client, admin, w["user"], project)
        assert [(r["role"]["id"], r["scope"]) for r in rows] == [
            (w["role"]["id"], {"project": {"id": project["id"]}})
        ]
        assert rows[0]["links"]["assignment"] == f"{IDENTITY}{path}"
    domain_scope = {"domain": {"id": w["domain"]["id"]}}
    password = {"user": {"id": w["user"]["id"], "password": "pw-erin"}}
    auth = {
        "identity": {"methods": ["password"], "password": password},
        "scope": domain_scope,
    }
    assert client.post("/v3/auth/tokens", json={"auth": auth}).status_code == 401
    token = _project_token(client, w["user"], w["top"]).headers["X-Subject-Token"]
    projects = client.get("/v3/auth/projects", token=token).json["projects"]
    assert sorted(p["name"] for p in projects) == ["leaf", "top"]
    # Revoking it ends the tokens it gave.
    assert client.request("DELETE", path, token=admin).status_code == 204
    assert client.get("/v3/auth/tokens", token=admin, subject=token).status_code == 404
    assert _project_token(client, w["user"], w["top"]).status_code == 401
    assert _effective(client, admin, w["user"], w["leaf"]) == []


def test_project_grant_holds_below_only_through_groups_too(client: Client, admin: str) -> None:
    w = _world(client, admin)
    group = new_group(client, admin, "ops", domain_id=w["domain"]["id"])
    assert client.request("PUT", member_path(group, w["user"]), token=admin).status_code == 204
    path = _path("project", w["top"]["id"], "group", group["id"], w["role"]["id"])
    assert client.request("PUT", path, token=admin).status_code == 204
    assert client.request("HEAD", path, token=admin).status_code == 204
    # An implied role comes along.
    extra = new_role(client, admin, "extra")
    assert client.request("PUT", _implies(w["role"], extra), token=admin).status_code == 201
    assert _project_token(client, w["user"], w["top"]).status_code == 401
    issued = _project_token(client, w["user"], w["leaf"])
    assert sorted(r["name"] for r in issued.json["token"]["roles"]) == ["auditor", "extra"]
    rows = _effective(client, admin, w["user"], w["leaf"])
    assert sorted(r["role"]["id"] for r in rows) == sorted([w["role"]["id"], extra["id"]])
    assert all(r["links"]["membership"].endswith(f"/groups/{group['id']}/users/{w['user']['id']}")
               for r in rows)  # fmt: skip
    assert client.request("DELETE", path, token=admin).status_code == 204
    gone = issued.headers["X-Subject-Token"]
    assert client.get("/v3/auth/tokens", token=admin, subject=gone).status_code == 404
    assert _effective(client, admin, w["user"], w["leaf"]) == []


def test_non_admins_are_refused(client: Client, admin: str) -> None:
    w = _world(client, admin)
    member = new_role(client, admin, "helper")
    path = f"/v3/projects/{w['top']['id']}/users/{w['user']['id']}/roles/{member['id']}"
    assert client.request("PUT", path, token=admin).status_code == 204
    token = _project_token(client, w["user"], w["top"]).headers["X-Subject-Token"]
    grant = _path("domain", w["domain"]["id"], "user", w["user"]["id"], member["id"])
    assert client.request("PUT", grant, token=token).status_code == 403


def test_losing_an_inherited_role_through_a_group_ends_the_tokens(
    client: Client, admin: str
) -> None:
    w = _world(client, admin)
    group = new_group(client, admin, "auditors", domain_id=w["domain"]["id"])
    member = member_path(group, w["user"])
    path = _path("domain", w["domain"]["id"], "group", group["id"], w["role"]["id"])
    assert client.request("PUT", path, token=admin).status_code == 204

    def token_on_leaf() -> str:
        assert client.request("PUT", member, token=admin).status_code == 204
        issued = _project_token(client, w["user"], w["leaf"])
        assert [r["name"] for r in issued.json["token"]["roles"]] == ["auditor"]
        return str(issued.headers["X-Subject-Token"])

    def revoked(token: str) -> bool:
        return client.get("/v3/auth/tokens", token=admin, subject=token).status_code == 404

    # Removed from the group...
    token = token_on_leaf()
    assert client.request("DELETE", member, token=admin).status_code == 204
    assert revoked(token)
    # ...the role deleted...
    token = token_on_leaf()
    spare = new_role(client, admin, "spare")
    assert client.request("PUT", _path("domain", w["domain"]["id"], "group", group["id"],
                                       spare["id"]), token=admin).status_code == 204  # fmt: skip
    assert client.request("DELETE", f"/v3/roles/{spare['id']}", token=admin).status_code == 204
    assert revoked(token)
    # ...or the group deleted.
    token = token_on_leaf()
    assert client.request("DELETE", f"/v3/groups/{group['id']}", token=admin).status_code == 204
    assert revoked(token)
