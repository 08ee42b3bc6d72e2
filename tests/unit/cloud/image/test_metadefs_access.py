"""Who sees and changes the metadata definitions catalog (Glance's metadef policy defaults and
namespace visibility), and the catalog on every database backend: unique names hold under
concurrent creates, and a namespace's contents go with it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image.app import create_app
from tests.fixtures.cloud import admin_token, create_user, issue_token

NS = "/v2/metadefs/namespaces"


def _token(deps: CloudDeps, name: str, project: str, roles: tuple[str, ...]) -> dict[str, str]:
    user = create_user(deps, name=name, project_name=project, roles=roles)
    return {"X-Auth-Token": issue_token(deps, user_id=user.id, project_id=user.project_id)}


@pytest.fixture
def people(cloud_deps: CloudDeps) -> dict[str, Any]:
    return {
        "client": testing.TestClient(create_app(cloud_deps)),
        "admin": {"X-Auth-Token": admin_token(cloud_deps)},
        "alice": _token(cloud_deps, "alice", "alpha", ("member",)),
        "reader": _token(cloud_deps, "rita", "alpha", ("reader",)),
        "bob": _token(cloud_deps, "bob", "beta", ("member",)),
        "alpha": create_user(cloud_deps, name="x", project_name="alpha").project_id,
    }


def test_only_an_admin_changes_the_catalog(people: dict[str, Any]) -> None:
    client, admin, alice = people["client"], people["admin"], people["alice"]
    refused = client.simulate_post(NS, headers=alice, json={"namespace": "mine"})
    assert refused.status_code == 403
    assert refused.json["message"].startswith(
        "You are not authorized to complete add_metadef_namespace action."
    )
    assert client.simulate_post(
        NS, headers=admin, json={"namespace": "pub", "visibility": "public"}
    ).status_code == 201  # fmt: skip
    # Alice sees the public namespace, and may not change it or anything in it.
    assert client.simulate_get(f"{NS}/pub", headers=alice).status_code == 200
    for method, path, body in (
        ("PUT", "pub", {"namespace": "pub"}),
        ("DELETE", "pub", None),
        ("POST", "pub/objects", {"name": "o"}),
        ("POST", "pub/tags/t", None),
        ("POST", "pub/properties", {"name": "p", "title": "P", "type": "string"}),
        ("POST", "pub/resource_types", {"name": "OS::Glance::Image"}),
        ("DELETE", "pub/tags", None),
    ):
        result = client.simulate_request(method, f"{NS}/{path}", headers=alice, json=body)
        assert result.status_code == 403, (method, path, result.text)


def test_private_namespaces_are_their_projects_own(people: dict[str, Any]) -> None:
    client, admin = people["client"], people["admin"]
    created = client.simulate_post(
        NS, headers=admin, json={"namespace": "alphas", "owner": people["alpha"],
                                 "tags": [{"name": "t"}]},
    )  # fmt: skip
    assert created.json["owner"] == people["alpha"]
    assert created.json["visibility"] == "private"
    client.simulate_post(NS, headers=admin, json={"namespace": "admins"})

    def names(who: str) -> list[str]:
        listed = client.simulate_get(NS, headers=people[who]).json["namespaces"]
        return sorted(n["namespace"] for n in listed)

    assert names("alice") == ["alphas"]
    assert names("reader") == ["alphas"]
    assert names("bob") == []
    assert names("admin") == ["admins", "alphas"]
    assert client.simulate_get(f"{NS}/alphas/tags", headers=people["reader"]).status_code == 200
    # Another project's private namespace is not found, whatever is asked of it.
    for method, path in (("GET", "alphas"), ("GET", "alphas/tags"), ("DELETE", "alphas"),
                         ("GET", "alphas/objects"), ("DELETE", "alphas/tags/t")):  # fmt: skip
        result = client.simulate_request(method, f"{NS}/{path}", headers=people["bob"])
        assert result.status_code == 404, (method, path)
    assert client.simulate_get(NS, headers=people["bob"],
                               params={"marker": "alphas"}).status_code == 404  # fmt: skip


def test_unknown_token_gets_401(people: dict[str, Any]) -> None:
    client = people["client"]
    assert client.simulate_get("/v2/metadefs/resource_types").status_code == 401
    assert client.simulate_get(NS, headers={"X-Auth-Token": "nope"}).status_code == 401


def _race(client: testing.TestClient, requests: list[tuple[str, str, Any]],
          headers: dict[str, str]) -> list[int]:  # fmt: skip
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []

    def run(method: str, path: str, body: Any) -> None:
        barrier.wait()
        statuses.append(
            client.simulate_request(method, path, headers=headers, json=body).status_code
        )

    threads = [threading.Thread(target=run, args=r) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(statuses)


def test_catalog_on_every_backend(cloud_deps_any_db: CloudDeps) -> None:
    client = testing.TestClient(create_app(cloud_deps_any_db))
    admin = {"X-Auth-Token": admin_token(cloud_deps_any_db)}
    twice = [("POST", NS, {"namespace": "n" * 80})] * 2
    assert _race(client, twice, admin) == [201, 409]
    tag_twice = [("POST", f"{NS}/{'n' * 80}/tags/t", None)] * 2
    assert _race(client, tag_twice, admin) == [201, 409]
    new_type = [("POST", f"{NS}/{'n' * 80}/resource_types", {"name": "New::Type"})] * 2
    assert _race(client, new_type, admin) == [201, 409]
    full = {
        "namespace": "full",
        "description": "é" * 500,
        "properties": {"p" * 80: {"title": "P", "type": "string", "enum": ["a", "b"]}},
        "objects": [{"name": "o" * 80, "properties": {"q": {"title": "Q", "type": "boolean"}}}],
        "resource_type_associations": [{"name": "OS::Glance::Image", "prefix": "x" * 80}],
        "tags": [{"name": "t" * 80}],
    }
    assert client.simulate_post(NS, headers=admin, json=full).status_code == 201
    shown = client.simulate_get(f"{NS}/full", headers=admin).json
    assert shown["description"] == "é" * 500
    assert shown["objects"][0]["properties"] == {"q": {"title": "Q", "type": "boolean"}}
    renamed = client.simulate_put(f"{NS}/full", headers=admin, json={"namespace": "n" * 80})
    assert renamed.status_code == 409
    too_long = client.simulate_post(f"{NS}/full/tags/{'t' * 81}", headers=admin)
    assert too_long.status_code == 400
    assert client.simulate_delete(f"{NS}/full", headers=admin).status_code == 204
    # Recreated empty: nothing of the deleted namespace's contents is left to collide.
    again = client.simulate_post(NS, headers=admin, json={"namespace": "full"})
    assert again.status_code == 201
    assert client.simulate_get(f"{NS}/full/tags", headers=admin).json == {"tags": []}
