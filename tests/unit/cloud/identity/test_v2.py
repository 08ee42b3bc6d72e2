from __future__ import annotations

from typing import Any

from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import ADMIN_PASSWORD, create_user
from tests.unit.cloud.identity.conftest import Client


def v2_password(client: Client, tenant: dict[str, str] | None = None, **creds: Any) -> Any:
    auth: dict[str, Any] = {
        "passwordCredentials": creds or {"username": "admin", "password": ADMIN_PASSWORD}
    }
    auth.update(tenant or {})
    return client.post("/v2.0/tokens", json={"auth": auth})


def test_seed_request_gets_a_scoped_access(client: Client) -> None:
    result = v2_password(client, {"tenantName": "admin"})
    assert result.status_code == 200
    access = result.json["access"]
    token = access["token"]
    assert token["expires"].endswith("Z")
    assert token["issued_at"].endswith("Z")
    assert token["tenant"]["name"] == "admin"
    assert set(token["tenant"]) == {"id", "name", "description", "enabled"}
    assert len(token["audit_ids"]) == 1
    assert access["user"]["username"] == "admin"
    assert access["user"]["roles"] == [{"name": "admin"}]
    assert access["user"]["roles_links"] == []
    assert access["metadata"]["is_admin"] == 0
    assert len(access["metadata"]["roles"]) == 1
    compute = next(s for s in access["serviceCatalog"] if s["type"] == "compute")
    endpoint = compute["endpoints"][0]
    assert endpoint["publicURL"].endswith("/compute/v2.1")
    assert {"internalURL", "adminURL", "region", "id"} <= set(endpoint)
    assert compute["endpoints_links"] == []


def test_tenant_id_and_user_id(client: Client) -> None:
    first = v2_password(client, {"tenantName": "admin"}).json["access"]
    result = v2_password(
        client,
        {"tenantId": first["token"]["tenant"]["id"]},
        userId=first["user"]["id"],
        password=ADMIN_PASSWORD,
    )
    assert result.status_code == 200
    assert result.json["access"]["token"]["tenant"]["id"] == first["token"]["tenant"]["id"]


def test_unscoped_has_no_tenant_and_empty_catalog(client: Client) -> None:
    access = v2_password(client).json["access"]
    assert "tenant" not in access["token"]
    assert access["serviceCatalog"] == []
    assert access["user"]["roles"] == []


def test_token_credentials_rescope(client: Client) -> None:
    unscoped = v2_password(client).json["access"]["token"]
    result = client.post(
        "/v2.0/tokens", json={"auth": {"token": {"id": unscoped["id"]}, "tenantName": "admin"}}
    )
    assert result.status_code == 200
    token = result.json["access"]["token"]
    assert token["tenant"]["name"] == "admin"
    assert token["expires"] == unscoped["expires"]
    assert token["audit_ids"][1] == unscoped["audit_ids"][0]


def test_bad_credentials_are_one_generic_401(client: Client, deps: CloudDeps) -> None:
    create_user(deps, name="alice", project_name="p1")
    bodies = [
        {"passwordCredentials": {"username": "admin", "password": "wrong"}},
        {"passwordCredentials": {"username": "nobody", "password": "x"}},
        {"passwordCredentials": {"username": "alice", "password": "x"}, "tenantName": "p1"},
        {
            "passwordCredentials": {"username": "admin", "password": ADMIN_PASSWORD},
            "tenantName": "missing",
        },
        {"token": {"id": "garbage"}},
    ]
    messages = set()
    for auth in bodies:
        result = client.post("/v2.0/tokens", json={"auth": auth})
        assert result.status_code == 401, auth
        assert "WWW-Authenticate" in result.headers
        messages.add(result.json["error"]["message"])
    assert len(messages) == 1


def test_no_role_on_tenant_is_401(client: Client, deps: CloudDeps) -> None:
    alice = create_user(deps, name="alice", project_name="p1")
    result = v2_password(client, {"tenantName": "admin"}, username="alice", password=alice.password)
    assert result.status_code == 401


def test_malformed_v2_bodies_name_the_attribute(client: Client) -> None:
    cases = [
        ({}, "auth"),
        ({"auth": {}}, "auth"),
        ({"auth": {"passwordCredentials": {"username": "admin"}}}, "password"),
        ({"auth": {"passwordCredentials": {"password": "x"}}}, "username or userId"),
        ({"auth": {"token": {}}}, "id"),
    ]
    for body, attribute in cases:
        result = client.post("/v2.0/tokens", json=body)
        assert result.status_code == 400, body
        assert f"Expecting to find {attribute} in" in result.json["error"]["message"]


def test_validate_check_and_delete(client: Client, admin: str) -> None:
    token = v2_password(client, {"tenantName": "admin"}).json["access"]["token"]
    result = client.get(f"/v2.0/tokens/{token['id']}", token=admin)
    assert result.status_code == 200
    assert result.json["access"]["token"]["id"] == token["id"]
    assert result.json["access"]["token"]["tenant"]["id"] == token["tenant"]["id"]
    assert client.request("HEAD", f"/v2.0/tokens/{token['id']}", token=admin).status_code == 200
    belongs = client.get(f"/v2.0/tokens/{token['id']}", token=admin, query="belongsTo=someone-else")
    assert belongs.status_code == 401
    assert client.request("DELETE", f"/v2.0/tokens/{token['id']}", token=admin).status_code == 204
    assert client.get(f"/v2.0/tokens/{token['id']}", token=admin).status_code == 404
    assert client.get("/v2.0/tokens/garbage", token=admin).status_code == 404
    assert client.get(f"/v2.0/tokens/{admin}", token="garbage").status_code == 401


def test_tenants_lists_the_callers_projects(client: Client, deps: CloudDeps) -> None:
    alice = create_user(deps, name="alice", project_name="p1")
    token = v2_password(
        client, {"tenantName": "p1"}, username="alice", password=alice.password
    ).json["access"]["token"]["id"]
    result = client.get("/v2.0/tenants", token=token)
    assert result.status_code == 200
    assert [t["name"] for t in result.json["tenants"]] == ["p1"]
    assert result.json["tenants_links"] == []
