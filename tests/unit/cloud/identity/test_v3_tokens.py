from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.identity import Project, User
from tests.fixtures.cloud import ADMIN_PASSWORD, OffsetClock, create_user
from tests.unit.cloud.identity.conftest import Client

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
GENERIC = "The request you have made requires authentication."


def auth_body(identity: dict[str, Any], scope: Any = None) -> dict[str, Any]:
    auth: dict[str, Any] = {"identity": identity}
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


def password(user: dict[str, Any]) -> dict[str, Any]:
    return {"methods": ["password"], "password": {"user": user}}


ADMIN_BY_NAME = {"name": "admin", "domain": {"name": "Default"}, "password": ADMIN_PASSWORD}


def ids(deps: CloudDeps) -> tuple[str, str]:
    with deps.store.session() as session:
        user = session.scalars(select(User).where(User.name == "admin")).one()
        project = session.scalars(select(Project).where(Project.name == "admin")).one()
        return user.id, project.id


def test_project_scoped_token_body(client: Client, deps: CloudDeps) -> None:
    user_id, project_id = ids(deps)
    result = client.post(
        "/v3/auth/tokens",
        json=auth_body(password(ADMIN_BY_NAME), {"project": {"id": project_id}}),
    )
    assert result.status_code == 201
    token = result.json["token"]
    assert result.headers["X-Subject-Token"]
    assert token["methods"] == ["password"]
    assert token["user"] == {
        "domain": {"id": "default", "name": "Default"},
        "id": user_id,
        "name": "admin",
        "password_expires_at": None,
    }
    assert token["project"] == {
        "domain": {"id": "default", "name": "Default"},
        "id": project_id,
        "name": "admin",
    }
    assert token["is_domain"] is False
    assert [r["name"] for r in token["roles"]] == ["admin"]
    assert TIMESTAMP.match(token["expires_at"])
    assert TIMESTAMP.match(token["issued_at"])
    assert len(token["audit_ids"]) == 1
    types = {s["type"] for s in token["catalog"]}
    assert types == {"identity", "compute", "image", "network"}
    endpoint = token["catalog"][0]["endpoints"][0]
    assert set(endpoint) == {"id", "interface", "region", "region_id", "url"}


def test_user_by_id_and_project_by_name(client: Client, deps: CloudDeps) -> None:
    user_id, project_id = ids(deps)
    result = client.post(
        "/v3/auth/tokens",
        json=auth_body(
            password({"id": user_id, "password": ADMIN_PASSWORD}),
            {"project": {"name": "admin", "domain": {"id": "default"}}},
        ),
    )
    assert result.status_code == 201
    assert result.json["token"]["project"]["id"] == project_id


def test_nocatalog(client: Client) -> None:
    result = client.password_token(query="nocatalog")
    assert result.status_code == 201
    assert "catalog" not in result.json["token"]


def test_default_project_when_no_scope(client: Client, deps: CloudDeps) -> None:
    _, project_id = ids(deps)
    result = client.post("/v3/auth/tokens", json=auth_body(password(ADMIN_BY_NAME)))
    assert result.status_code == 201
    assert result.json["token"]["project"]["id"] == project_id


def test_explicit_unscoped(client: Client) -> None:
    for scope in ("unscoped", {"unscoped": {}}):
        result = client.post("/v3/auth/tokens", json=auth_body(password(ADMIN_BY_NAME), scope))
        assert result.status_code == 201
        token = result.json["token"]
        assert "project" not in token
        assert "roles" not in token
        assert "catalog" not in token


def test_default_project_without_role_gives_unscoped(client: Client, deps: CloudDeps) -> None:
    alice = create_user(deps, name="alice", project_name="p1", roles=())
    result = client.password_token(user="alice", password=alice.password, project=None)
    assert result.status_code == 201
    assert "project" not in result.json["token"]


def test_domain_and_system_scope(client: Client, deps: CloudDeps, admin: str) -> None:
    user_id, _ = ids(deps)
    role_id = client.get("/v3/roles", token=admin, query="name=admin").json["roles"][0]["id"]
    put = client.request("PUT", f"/v3/domains/default/users/{user_id}/roles/{role_id}", token=admin)
    assert put.status_code == 204
    result = client.post(
        "/v3/auth/tokens", json=auth_body(password(ADMIN_BY_NAME), {"domain": {"id": "default"}})
    )
    assert result.status_code == 201
    assert result.json["token"]["domain"] == {"id": "default", "name": "Default"}
    assert "project" not in result.json["token"]
    result = client.post(
        "/v3/auth/tokens", json=auth_body(password(ADMIN_BY_NAME), {"system": {"all": True}})
    )
    assert result.status_code == 201
    assert result.json["token"]["system"] == {"all": True}


def test_generic_401_for_every_failure(client: Client, deps: CloudDeps) -> None:
    alice = create_user(deps, name="alice", project_name="p1")
    with deps.store.session(write=True) as session:
        session.scalars(select(Project).where(Project.name == "p1")).one().enabled = False
    bob = create_user(deps, name="bob", project_name="p2")
    with deps.store.session(write=True) as session:
        session.scalars(select(User).where(User.name == "bob")).one().enabled = False
    attempts = [
        client.password_token(password="wrong"),
        client.password_token(user="nobody", password="x"),
        client.password_token(user="alice", password=alice.password, project="p1"),
        client.password_token(user="bob", password=bob.password, project="p2"),
        client.password_token(user="alice", password=alice.password, project="admin"),
        client.password_token(project="no-such-project"),
        client.post(
            "/v3/auth/tokens",
            json=auth_body(password({**ADMIN_BY_NAME, "domain": {"name": "Nope"}})),
        ),
    ]
    for result in attempts:
        assert result.status_code == 401, result.text
        assert result.json["error"]["message"] == GENERIC
        assert result.headers["WWW-Authenticate"].startswith('Keystone uri="')


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "Expecting to find auth in request body"),
        # Keystone runs its schema over an empty `auth` before it looks for one.
        ({"auth": {}}, "'identity' is a required property"),
        ({"auth": None}, "Expecting to find auth in request body"),
        ({"auth": {"scope": "unscoped"}}, "'identity' is a required property"),
        ({"auth": {"identity": {}}}, "'methods' is a required property"),
        ({"auth": {"identity": {"methods": ["password"]}}}, "Expecting to find password in"),
        (
            {"auth": {"identity": {"methods": ["password"], "password": {}}}},
            "Expecting to find user in password",
        ),
        (
            auth_body(password({"name": "admin", "password": "x"})),
            "Expecting to find domain in user",
        ),
        (auth_body(password({"password": "x"})), "id or name must be present"),
        (
            auth_body(password(ADMIN_BY_NAME), {"project": {"name": "admin"}}),
            "Expecting to find domain in project",
        ),
        (auth_body(password(ADMIN_BY_NAME), {"project": {}}), "id or name must be present"),
        (auth_body(password(ADMIN_BY_NAME), "everything"), "in scope"),
        (
            auth_body(password(ADMIN_BY_NAME), {"project": {"id": "x"}, "domain": {"id": "y"}}),
            "in scope",
        ),
        (auth_body(password({"id": 5, "password": "x"})), "is not of type 'string'"),
        (auth_body({"methods": "password"}), "is not of type 'array'"),
        (auth_body({"methods": ["token"], "token": {}}), "'id' is a required property"),
    ],
)
def test_malformed_auth_is_400_naming_the_attribute(
    client: Client, body: dict[str, Any], fragment: str
) -> None:
    result = client.post("/v3/auth/tokens", json=body)
    assert result.status_code == 400, result.text
    assert fragment in result.json["error"]["message"]


def test_unsupported_method_is_401(client: Client) -> None:
    result = client.post("/v3/auth/tokens", json=auth_body({"methods": ["mapped"], "mapped": {}}))
    assert result.status_code == 401
    assert result.json["error"]["identity"] == {
        "methods": ["password", "token", "application_credential", "totp", "oauth1"]
    }


def test_token_method_rescopes_keeping_expiry_and_audit_chain(client: Client) -> None:
    unscoped = client.post("/v3/auth/tokens", json=auth_body(password(ADMIN_BY_NAME), "unscoped"))
    first = unscoped.json["token"]
    result = client.post(
        "/v3/auth/tokens",
        json=auth_body(
            {"methods": ["token"], "token": {"id": unscoped.headers["X-Subject-Token"]}},
            {"project": {"name": "admin", "domain": {"name": "Default"}}},
        ),
    )
    assert result.status_code == 201
    token = result.json["token"]
    assert token["project"]["name"] == "admin"
    assert token["expires_at"] == first["expires_at"]
    assert token["audit_ids"][1] == first["audit_ids"][0]
    assert set(token["methods"]) == {"token", "password"}


def test_validate_head_delete(client: Client, admin: str) -> None:
    subject = client.admin_token()
    result = client.get("/v3/auth/tokens", token=admin, subject=subject)
    assert result.status_code == 200
    assert result.headers["X-Subject-Token"] == subject
    assert result.json["token"]["project"]["name"] == "admin"
    assert [r["name"] for r in result.json["token"]["roles"]] == ["admin"]
    assert "catalog" in result.json["token"]
    assert (
        "catalog"
        not in client.get("/v3/auth/tokens", token=admin, subject=subject, query="nocatalog").json[
            "token"
        ]
    )
    head = client.request("HEAD", "/v3/auth/tokens", token=admin, subject=subject)
    assert head.status_code == 200
    assert head.text == ""
    assert (
        client.request("DELETE", "/v3/auth/tokens", token=admin, subject=subject).status_code == 204
    )
    gone = client.get("/v3/auth/tokens", token=admin, subject=subject)
    assert gone.status_code == 404
    assert (
        client.request("HEAD", "/v3/auth/tokens", token=admin, subject=subject).status_code == 404
    )
    assert (
        client.request("DELETE", "/v3/auth/tokens", token=admin, subject=subject).status_code == 404
    )
    # The revoked token no longer authenticates anyone.
    assert client.get("/v3/users", token=subject).status_code == 401


def test_subject_errors_are_404_caller_errors_401(client: Client, admin: str) -> None:
    assert client.get("/v3/auth/tokens", token=admin, subject="garbage").status_code == 404
    assert client.get("/v3/auth/tokens", token=admin).status_code == 404
    assert client.get("/v3/auth/tokens", token="garbage", subject=admin).status_code == 401
    assert client.get("/v3/auth/tokens", subject=admin).status_code == 401


def test_expired_token(client: Client, admin: str, clock: OffsetClock) -> None:
    subject = client.admin_token()
    clock.advance(3601)
    assert client.get("/v3/auth/tokens", token=subject, subject=subject).status_code == 401
    fresh = client.admin_token()
    assert client.get("/v3/auth/tokens", token=fresh, subject=subject).status_code == 404


def test_users_may_validate_their_own_tokens_only(
    client: Client, deps: CloudDeps, admin: str
) -> None:
    alice = create_user(deps, name="alice", project_name="p1")
    mine = client.password_token(user="alice", password=alice.password, project="p1")
    token = mine.headers["X-Subject-Token"]
    assert client.get("/v3/auth/tokens", token=token, subject=token).status_code == 200
    assert client.get("/v3/auth/tokens", token=token, subject=admin).status_code == 403


def test_auth_catalog_and_projects(client: Client, admin: str, deps: CloudDeps) -> None:
    result = client.get("/v3/auth/catalog", token=admin)
    assert result.status_code == 200
    types = {s["type"] for s in result.json["catalog"]}
    assert types == {"identity", "compute", "image", "network"}
    assert result.json["links"]["self"].endswith("/v3/auth/catalog")
    projects = client.get("/v3/auth/projects", token=admin)
    assert [p["name"] for p in projects.json["projects"]] == ["admin"]
    unscoped = client.post("/v3/auth/tokens", json=auth_body(password(ADMIN_BY_NAME), "unscoped"))
    forbidden = client.get("/v3/auth/catalog", token=unscoped.headers["X-Subject-Token"])
    assert forbidden.status_code == 403


def test_password_change_and_disable_revoke_tokens(
    client: Client, deps: CloudDeps, admin: str, clock: OffsetClock
) -> None:
    alice = create_user(deps, name="alice", project_name="p1")
    token = client.password_token(user="alice", password=alice.password, project="p1").headers[
        "X-Subject-Token"
    ]
    clock.advance(1)
    patch = client.request(
        "PATCH", f"/v3/users/{alice.id}", json={"user": {"password": "new-pw"}}, token=admin
    )
    assert patch.status_code == 200
    assert client.get("/v3/auth/tokens", token=admin, subject=token).status_code == 404
    clock.advance(1)
    assert (
        client.password_token(user="alice", password=alice.password, project="p1").status_code
        == 401
    )
    again = client.password_token(user="alice", password="new-pw", project="p1")
    assert again.status_code == 201
    clock.advance(1)
    client.request("PATCH", f"/v3/users/{alice.id}", json={"user": {"enabled": False}}, token=admin)
    subject = again.headers["X-Subject-Token"]
    assert client.get("/v3/auth/tokens", token=admin, subject=subject).status_code == 404
    assert client.password_token(user="alice", password="new-pw", project="p1").status_code == 401


def test_disabling_a_project_revokes_its_tokens(
    client: Client, deps: CloudDeps, admin: str, clock: OffsetClock
) -> None:
    alice = create_user(deps, name="alice", project_name="p1")
    token = client.password_token(user="alice", password=alice.password, project="p1").headers[
        "X-Subject-Token"
    ]
    clock.advance(1)
    patch = client.request(
        "PATCH",
        f"/v3/projects/{alice.project_id}",
        json={"project": {"enabled": False}},
        token=admin,
    )
    assert patch.status_code == 200
    assert client.get("/v3/auth/tokens", token=admin, subject=token).status_code == 404
