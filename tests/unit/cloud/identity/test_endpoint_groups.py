"""Endpoint groups and project endpoints (OS-EP-FILTER) as a client sees them: the group's
CRUD and filters, the associations with projects, and the catalog of a project-scoped token
narrowed to the project's endpoints once it has any."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cloud.identity.conftest import Client

EP = "/v3/OS-EP-FILTER"


def _service(client: Client, admin: str, kind: str) -> str:
    made = client.post("/v3/services", json={"service": {"type": kind, "name": kind}},
                       token=admin)  # fmt: skip
    assert made.status_code == 201, made.text
    return str(made.json["service"]["id"])


def _endpoint(client: Client, admin: str, service: str, interface: str = "public") -> str:
    made = client.post("/v3/endpoints", json={"endpoint": {
        "service_id": service, "interface": interface, "url": f"http://{service}.test/"}},
        token=admin)  # fmt: skip
    assert made.status_code == 201, made.text
    return str(made.json["endpoint"]["id"])


def _group(client: Client, admin: str, filters: dict[str, Any], name: str = "g") -> Any:
    made = client.post(f"{EP}/endpoint_groups", token=admin,
                       json={"endpoint_group": {"name": name, "filters": filters}})  # fmt: skip
    assert made.status_code == 201, made.text
    return made.json["endpoint_group"]


def _project(client: Client, admin: str, name: str) -> str:
    made = client.post("/v3/projects", json={"project": {"name": name}}, token=admin)
    assert made.status_code == 201, made.text
    return str(made.json["project"]["id"])


def _catalog_types(client: Client, admin: str, project: str) -> set[str]:
    auth = {"identity": {"methods": ["token"], "token": {"id": admin}},
            "scope": {"project": {"id": project}}}  # fmt: skip
    grant = client.get("/v3/roles", token=admin, query="name=admin").json["roles"][0]["id"]
    me = client.get("/v3/auth/tokens", token=admin, subject=admin).json["token"]["user"]["id"]
    put = client.request("PUT", f"/v3/projects/{project}/users/{me}/roles/{grant}", token=admin)
    assert put.status_code == 204, put.text
    issued = client.post("/v3/auth/tokens", json={"auth": auth})
    assert issued.status_code == 201, issued.text
    return {entry["type"] for entry in issued.json["token"]["catalog"]}


def test_endpoint_group_crud(client: Client, admin: str) -> None:
    service = _service(client, admin, "alpha")
    group = _group(client, admin, {"service_id": service, "interface": "public"})
    assert group["filters"] == {"service_id": service, "interface": "public"}
    assert group["description"] is None
    item = f"{EP}/endpoint_groups/{group['id']}"
    assert client.get(item, token=admin).json["endpoint_group"] == group
    assert client.request("HEAD", item, token=admin).status_code == 200
    listed = client.get(f"{EP}/endpoint_groups", token=admin, query="name=g")
    assert listed.json["endpoint_groups"] == [group]
    changed = client.request("PATCH", item, token=admin, json={"endpoint_group": {
        "description": "d", "filters": {"region_id": "RegionOne"}}})  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json["endpoint_group"]["filters"] == {"region_id": "RegionOne"}
    assert changed.json["endpoint_group"]["description"] == "d"
    assert client.request("DELETE", item, token=admin).status_code == 204
    assert client.get(item, token=admin).status_code == 404


def test_endpoint_group_refuses_bad_filters_and_non_admins(client: Client, admin: str) -> None:
    for filters in ({}, {"enabled": True}, {"url": "x"}, {"interface": "sideways"}):
        made = client.post(f"{EP}/endpoint_groups", token=admin,
                           json={"endpoint_group": {"name": "g", "filters": filters}})  # fmt: skip
        assert made.status_code == 400, (filters, made.text)
    member = client.password_token(user="admin", project="admin")
    assert member.status_code == 201
    anonymous = client.get(f"{EP}/endpoint_groups")
    assert anonymous.status_code == 401


def test_group_endpoints_and_projects(client: Client, admin: str) -> None:
    alpha = _service(client, admin, "alpha")
    beta = _service(client, admin, "beta")
    public = _endpoint(client, admin, alpha)
    _endpoint(client, admin, alpha, "internal")
    _endpoint(client, admin, beta)
    group = _group(client, admin, {"service_id": alpha, "interface": "public"})
    matched = client.get(f"{EP}/endpoint_groups/{group['id']}/endpoints", token=admin)
    assert [ep["id"] for ep in matched.json["endpoints"]] == [public]
    project = _project(client, admin, "p1")
    link = f"{EP}/endpoint_groups/{group['id']}/projects/{project}"
    assert client.get(link, token=admin).status_code == 404
    assert client.request("PUT", link, token=admin).status_code == 204
    assert client.request("PUT", link, token=admin).status_code == 409
    shown = client.get(link, token=admin)
    assert shown.json["project_endpoint_group"]["project_id"] == project
    projects = client.get(f"{EP}/endpoint_groups/{group['id']}/projects", token=admin)
    assert [p["id"] for p in projects.json["projects"]] == [project]
    groups = client.get(f"{EP}/projects/{project}/endpoint_groups", token=admin)
    assert [g["id"] for g in groups.json["endpoint_groups"]] == [group["id"]]
    endpoints = client.get(f"{EP}/projects/{project}/endpoints", token=admin)
    assert [ep["id"] for ep in endpoints.json["endpoints"]] == [public]
    assert client.request("DELETE", link, token=admin).status_code == 204
    assert client.request("DELETE", link, token=admin).status_code == 404
    missing = client.request("PUT", f"{EP}/endpoint_groups/nope/projects/{project}", token=admin)
    assert missing.status_code == 404


def test_project_endpoint_associations(client: Client, admin: str) -> None:
    endpoint = _endpoint(client, admin, _service(client, admin, "alpha"))
    project = _project(client, admin, "p1")
    link = f"{EP}/projects/{project}/endpoints/{endpoint}"
    assert client.request("HEAD", link, token=admin).status_code == 404
    assert client.request("PUT", link, token=admin).status_code == 204
    assert client.request("HEAD", link, token=admin).status_code == 204
    assert client.get(link, token=admin).status_code == 204
    projects = client.get(f"{EP}/endpoints/{endpoint}/projects", token=admin)
    assert [p["id"] for p in projects.json["projects"]] == [project]
    assert client.request("PUT", f"{EP}/projects/{project}/endpoints/nope",
                          token=admin).status_code == 404  # fmt: skip
    assert client.request("DELETE", link, token=admin).status_code == 204
    assert client.request("DELETE", link, token=admin).status_code == 404
    # The association goes with its endpoint.
    assert client.request("PUT", link, token=admin).status_code == 204
    assert client.request("DELETE", f"/v3/endpoints/{endpoint}", token=admin).status_code == 204
    assert client.get(f"{EP}/projects/{project}/endpoints", token=admin).json["endpoints"] == []


def test_project_catalog_is_filtered_once_associated(client: Client, admin: str) -> None:
    alpha = _service(client, admin, "alpha")
    beta = _service(client, admin, "beta")
    _endpoint(client, admin, alpha)
    beta_endpoint = _endpoint(client, admin, beta)
    project = _project(client, admin, "p1")
    whole = _catalog_types(client, admin, project)
    assert {"alpha", "beta"} <= whole
    link = f"{EP}/projects/{project}/endpoints/{beta_endpoint}"
    assert client.request("PUT", link, token=admin).status_code == 204
    assert _catalog_types(client, admin, project) == {"beta"}
    group = _group(client, admin, {"service_id": alpha})
    glink = f"{EP}/endpoint_groups/{group['id']}/projects/{project}"
    assert client.request("PUT", glink, token=admin).status_code == 204
    assert _catalog_types(client, admin, project) == {"alpha", "beta"}
    assert client.request("DELETE", link, token=admin).status_code == 204
    assert client.request("DELETE", glink, token=admin).status_code == 204
    assert _catalog_types(client, admin, project) == whole


def test_racing_associations_store_one(db_url: str, tmp_path: Path, clock: OffsetClock) -> None:
    """PUTs of one association at once: one stored (204), the others Keystone's 409; never a
    500; on every backend."""
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=clock)
    try:
        client = Client(deps)
        admin = client.admin_token()
        endpoint = _endpoint(client, admin, _service(client, admin, "alpha"))
        project = _project(client, admin, "p1")
        group = _group(client, admin, {"service_id": "x"})
        codes: list[int] = []

        def put(link: str) -> None:
            codes.append(client.request("PUT", link, token=admin).status_code)

        for link in (f"{EP}/projects/{project}/endpoints/{endpoint}",
                     f"{EP}/endpoint_groups/{group['id']}/projects/{project}"):  # fmt: skip
            codes.clear()
            threads = [threading.Thread(target=put, args=(link,)) for _ in range(3)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            assert sorted(codes) == [204, 409, 409]
    finally:
        deps.store.dispose()
