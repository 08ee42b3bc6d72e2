from __future__ import annotations

from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import create_user
from tests.unit.cloud.identity.conftest import IDENTITY, Client


def test_user_create_show_list_delete(client: Client, admin: str) -> None:
    created = client.post(
        "/v3/users", json={"user": {"name": "carol", "password": "pw1"}}, token=admin
    )
    assert created.status_code == 201
    user = created.json["user"]
    assert user["domain_id"] == "default"
    assert user["enabled"] is True
    assert user["links"]["self"] == f"{IDENTITY}/v3/users/{user['id']}"
    assert "password" not in user
    shown = client.get(f"/v3/users/{user['id']}", token=admin)
    assert shown.json["user"]["name"] == "carol"
    listed = client.get("/v3/users", token=admin, query="name=carol")
    assert [u["id"] for u in listed.json["users"]] == [user["id"]]
    assert listed.json["links"]["next"] is None
    dup = client.post("/v3/users", json={"user": {"name": "carol"}}, token=admin)
    assert dup.status_code == 409
    assert client.password_token(user="carol", password="pw1", project=None).status_code == 201
    assert client.request("DELETE", f"/v3/users/{user['id']}", token=admin).status_code == 204
    missing = client.get(f"/v3/users/{user['id']}", token=admin)
    assert missing.status_code == 404
    assert missing.json["error"]["message"] == f"Could not find user: {user['id']}."


def test_user_create_validation(client: Client, admin: str) -> None:
    assert client.post("/v3/users", json={}, token=admin).status_code == 400
    no_name = client.post("/v3/users", json={"user": {}}, token=admin)
    assert no_name.status_code == 400
    assert "'name' is a required property" in no_name.json["error"]["message"]
    bad = client.post("/v3/users", json={"user": {"name": "x", "enabled": "yes"}}, token=admin)
    assert bad.status_code == 400
    nodomain = client.post(
        "/v3/users", json={"user": {"name": "x", "domain_id": "nope"}}, token=admin
    )
    assert nodomain.status_code == 404


def test_project_create_and_role_add(client: Client, admin: str) -> None:
    project = client.post("/v3/projects", json={"project": {"name": "demo"}}, token=admin)
    assert project.status_code == 201
    body = project.json["project"]
    assert body["domain_id"] == "default"
    assert body["parent_id"] == "default"
    assert body["is_domain"] is False
    assert (
        client.post("/v3/projects", json={"project": {"name": "demo"}}, token=admin).status_code
        == 409
    )
    user = client.post(
        "/v3/users", json={"user": {"name": "dave", "password": "pw"}}, token=admin
    ).json["user"]
    role = client.get("/v3/roles", token=admin, query="name=member").json["roles"][0]
    grant = f"/v3/projects/{body['id']}/users/{user['id']}/roles/{role['id']}"
    assert client.request("HEAD", grant, token=admin).status_code == 404
    assert client.request("PUT", grant, token=admin).status_code == 204
    assert client.request("PUT", grant, token=admin).status_code == 204
    assert client.request("HEAD", grant, token=admin).status_code == 204
    listed = client.get(f"/v3/projects/{body['id']}/users/{user['id']}/roles", token=admin)
    assert [r["name"] for r in listed.json["roles"]] == ["member"]
    token = client.password_token(user="dave", password="pw", project="demo")
    assert token.status_code == 201
    assert [r["name"] for r in token.json["token"]["roles"]] == ["member"]
    assignments = client.get(
        "/v3/role_assignments",
        token=admin,
        query=f"user.id={user['id']}&scope.project.id={body['id']}&include_names",
    ).json["role_assignments"]
    assert assignments == [
        {
            "role": {"id": role["id"], "name": "member"},
            "user": {
                "id": user["id"],
                "name": "dave",
                "domain": {"id": "default", "name": "Default"},
            },
            "scope": {
                "project": {
                    "id": body["id"],
                    "name": "demo",
                    "domain": {"id": "default", "name": "Default"},
                }
            },
            "links": {"assignment": f"{IDENTITY}{grant}"},
        }
    ]
    projects = client.get(f"/v3/users/{user['id']}/projects", token=admin)
    assert [p["name"] for p in projects.json["projects"]] == ["demo"]
    assert client.request("DELETE", grant, token=admin).status_code == 204
    assert client.request("DELETE", grant, token=admin).status_code == 404
    subject = token.headers["X-Subject-Token"]
    assert client.get("/v3/auth/tokens", token=admin, subject=subject).status_code == 404
    assert client.request("PUT", grant.replace(role["id"], "nope"), token=admin).status_code == 404


def test_project_delete(client: Client, admin: str) -> None:
    project = client.post("/v3/projects", json={"project": {"name": "tmp"}}, token=admin).json
    pid = project["project"]["id"]
    assert client.request("DELETE", f"/v3/projects/{pid}", token=admin).status_code == 204
    assert client.get(f"/v3/projects/{pid}", token=admin).status_code == 404


def test_roles_crud(client: Client, admin: str) -> None:
    names = [r["name"] for r in client.get("/v3/roles", token=admin).json["roles"]]
    assert names == ["admin", "manager", "member", "reader", "service"]
    created = client.post("/v3/roles", json={"role": {"name": "auditor"}}, token=admin)
    assert created.status_code == 201
    rid = created.json["role"]["id"]
    assert (
        client.post("/v3/roles", json={"role": {"name": "auditor"}}, token=admin).status_code == 409
    )
    assert client.get(f"/v3/roles/{rid}", token=admin).json["role"]["name"] == "auditor"
    assert client.request("DELETE", f"/v3/roles/{rid}", token=admin).status_code == 204
    assert client.get(f"/v3/roles/{rid}", token=admin).status_code == 404


def test_catalog_admin(client: Client, admin: str) -> None:
    endpoints = client.get("/v3/endpoints", token=admin).json["endpoints"]
    assert len(endpoints) == 12
    assert {e["interface"] for e in endpoints} == {"public", "internal", "admin"}
    services = client.get("/v3/services", token=admin).json["services"]
    assert {(s["type"], s["name"]) for s in services} == {
        ("identity", "keystone"),
        ("compute", "nova"),
        ("image", "glance"),
        ("network", "neutron"),
    }
    region = client.post("/v3/regions", json={"region": {"id": "RegionTwo"}}, token=admin)
    assert region.status_code == 201
    svc = client.post(
        "/v3/services", json={"service": {"type": "volume", "name": "cinder"}}, token=admin
    ).json["service"]
    created = client.post(
        "/v3/endpoints",
        json={
            "endpoint": {
                "service_id": svc["id"],
                "interface": "public",
                "url": "http://cloud.test/volume/$(project_id)s",
                "region_id": "RegionTwo",
            }
        },
        token=admin,
    )
    assert created.status_code == 201
    catalog = client.get("/v3/auth/catalog", token=admin).json["catalog"]
    volume = next(s for s in catalog if s["type"] == "volume")
    assert volume["endpoints"][0]["url"].startswith("http://cloud.test/volume/")
    assert "$(" not in volume["endpoints"][0]["url"]
    bad = client.post(
        "/v3/endpoints",
        json={"endpoint": {"service_id": svc["id"], "interface": "sideways", "url": "http://x"}},
        token=admin,
    )
    assert bad.status_code == 400
    assert client.request("DELETE", "/v3/regions/RegionTwo", token=admin).status_code == 403
    eid = created.json["endpoint"]["id"]
    assert client.request("DELETE", f"/v3/endpoints/{eid}", token=admin).status_code == 204
    assert client.request("DELETE", "/v3/regions/RegionTwo", token=admin).status_code == 204
    assert client.request("DELETE", f"/v3/services/{svc['id']}", token=admin).status_code == 204


def test_domains(client: Client, admin: str) -> None:
    assert client.get("/v3/domains/default", token=admin).json["domain"]["name"] == "Default"
    created = client.post("/v3/domains", json={"domain": {"name": "Other"}}, token=admin)
    assert created.status_code == 201
    did = created.json["domain"]["id"]
    assert client.request("DELETE", f"/v3/domains/{did}", token=admin).status_code == 403
    client.request("PATCH", f"/v3/domains/{did}", json={"domain": {"enabled": False}}, token=admin)
    assert client.request("DELETE", f"/v3/domains/{did}", token=admin).status_code == 204


def test_policy_admin_only_but_users_read_themselves(client: Client, deps: CloudDeps) -> None:
    alice = create_user(deps, name="alice", project_name="p1")
    token = client.password_token(user="alice", password=alice.password, project="p1").headers[
        "X-Subject-Token"
    ]
    for path in ("/v3/users", "/v3/projects", "/v3/roles", "/v3/endpoints", "/v3/services"):
        result = client.get(path, token=token)
        assert result.status_code == 403, path
        assert result.json["error"]["title"] == "Forbidden"
    assert (
        client.post("/v3/projects", json={"project": {"name": "x"}}, token=token).status_code == 403
    )
    assert client.get(f"/v3/users/{alice.id}", token=token).status_code == 200
    assert client.get(f"/v3/users/{alice.id}/projects", token=token).status_code == 200
    mine = client.get("/v3/role_assignments", token=token, query=f"user.id={alice.id}")
    assert mine.status_code == 200
    assert len(mine.json["role_assignments"]) == 1
