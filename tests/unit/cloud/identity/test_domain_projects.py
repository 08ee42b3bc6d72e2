"""Projects acting as domains (`is_domain`): a domain made, listed, shown, changed and deleted
through /v3/projects, the same one /v3/domains shows."""

from __future__ import annotations

from tests.unit.cloud.identity.conftest import Client


def test_a_domain_through_the_projects_api(client: Client, admin: str) -> None:
    made = client.post("/v3/projects", json={"project": {"name": "acme", "is_domain": True}},
                       token=admin)  # fmt: skip
    assert made.status_code == 201, made.text
    project = made.json["project"]
    assert (project["is_domain"], project["domain_id"], project["parent_id"]) == (True, None, None)
    domain_id = project["id"]
    assert client.get(f"/v3/domains/{domain_id}", token=admin).json["domain"]["name"] == "acme"
    listed = client.get("/v3/projects", token=admin, query="is_domain=true").json["projects"]
    assert domain_id in [p["id"] for p in listed]
    assert all(p["is_domain"] for p in listed)
    plain = client.get("/v3/projects", token=admin).json["projects"]
    assert domain_id not in [p["id"] for p in plain]
    # Its projects sit in it.
    inner = client.post("/v3/projects",
                        json={"project": {"name": "inner", "domain_id": domain_id}}, token=admin)
    assert inner.status_code == 201, inner.text
    assert inner.json["project"]["parent_id"] == domain_id
    shown = client.get(f"/v3/projects/{domain_id}", token=admin)
    assert shown.json["project"]["is_domain"] is True
    # Deleted as a domain is: disabled first, then with what it holds.
    path = f"/v3/projects/{domain_id}"
    assert client.request("DELETE", path, token=admin).status_code == 403
    disabled = client.request("PATCH", path, json={"project": {"enabled": False}}, token=admin)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json["project"]["enabled"] is False
    assert client.get(f"/v3/domains/{domain_id}", token=admin).json["domain"]["enabled"] is False
    assert client.request("DELETE", path, token=admin).status_code == 204
    assert client.get(f"/v3/domains/{domain_id}", token=admin).status_code == 404
    assert client.get(f"/v3/projects/{inner.json['project']['id']}", token=admin).status_code == 404


def test_refusals(client: Client, admin: str) -> None:
    def create(**fields: object) -> int:
        body = {"project": {"name": "d", "is_domain": True, **fields}}
        return client.post("/v3/projects", json=body, token=admin).status_code

    assert create(domain_id="default") == 400
    assert create(parent_id="default") == 400
    assert create(tags=["a"]) == 400
    assert create(name="Default") == 409
    assert create() == 201
    assert create() == 409
