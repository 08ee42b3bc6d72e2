"""The metadata definitions catalog (Glance v2 /v2/metadefs): the flows tempest's
test_images_metadefs_* run, and what Glance refuses."""

from __future__ import annotations

from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image.app import create_app
from tests.fixtures.cloud import admin_token, create_user, issue_token

NS = "/v2/metadefs/namespaces"
Client = tuple[testing.TestClient, dict[str, str], dict[str, str]]


@pytest.fixture
def api(cloud_deps: CloudDeps) -> Client:
    user = create_user(cloud_deps, name="alice", project_name="alpha")
    member = {"X-Auth-Token": issue_token(cloud_deps, user_id=user.id, project_id=user.project_id)}
    return (
        testing.TestClient(create_app(cloud_deps)),
        {"X-Auth-Token": admin_token(cloud_deps)},
        member,
    )


def _namespace(client: testing.TestClient, admin: dict[str, str], **body: Any) -> Any:
    result = client.simulate_post(NS, headers=admin, json={"namespace": "ns1", **body})
    assert result.status_code == 201, result.text
    return result.json


def test_resource_types_are_seeded(api: Client) -> None:
    client, _, member = api
    listed = client.simulate_get("/v2/metadefs/resource_types", headers=member).json
    names = [t["name"] for t in listed["resource_types"]]
    assert {"OS::Glance::Image", "OS::Nova::Flavor", "OS::Cinder::Volume"} <= set(names)
    assert listed["resource_types"][0]["created_at"].endswith("Z")


def test_namespace_lifecycle_like_tempest(api: Client) -> None:
    client, admin, _ = api
    made = _namespace(
        client, admin, visibility="public", description="Tempest", display_name="ns1",
        resource_type_associations=[{"name": "OS::Glance::Image"}], protected=True,
    )  # fmt: skip
    assert made["self"] == f"{NS}/ns1"
    assert made["schema"] == "/v2/schemas/metadefs/namespace"
    assert made["resource_type_associations"] == [{"name": "OS::Glance::Image"}]
    listed = client.simulate_get(NS, headers=admin).json
    assert [n["namespace"] for n in listed["namespaces"]] == ["ns1"]
    assert listed["namespaces"][0]["resource_type_associations"][0]["name"] == "OS::Glance::Image"
    shown = client.simulate_get(f"{NS}/ns1", headers=admin).json
    assert (shown["namespace"], shown["visibility"], shown["protected"]) == ("ns1", "public", True)
    refused = client.simulate_delete(f"{NS}/ns1", headers=admin)
    assert refused.status_code == 403
    assert "is protected and cannot be deleted" in refused.json["message"]
    updated = client.simulate_put(
        f"{NS}/ns1", headers=admin,
        json={"namespace": "ns1", "description": "Tempest", "visibility": "private",
              "display_name": "ns1", "protected": False},
    )  # fmt: skip
    assert updated.status_code == 200
    assert (updated.json["visibility"], updated.json["protected"]) == ("private", False)
    assert client.simulate_delete(f"{NS}/ns1", headers=admin).status_code == 204
    assert client.simulate_get(f"{NS}/ns1", headers=admin).status_code == 404


def test_duplicate_namespace_is_409_and_bad_bodies_are_400(api: Client) -> None:
    client, admin, _ = api
    _namespace(client, admin)
    again = client.simulate_post(NS, headers=admin, json={"namespace": "ns1"})
    assert again.status_code == 409
    assert again.json["message"].startswith("The metadata definition namespace=ns1 already")
    for body, status in (
        ({"namespace": "x" * 81}, 400),
        ({"display_name": "no namespace"}, 400),
        ({"namespace": "n", "visibility": "shared"}, 400),
        ({"namespace": "n", "bogus": 1}, 400),
        ({"namespace": "n", "created_at": "now"}, 403),
        ({"namespace": "n", "properties": {"p": {"type": "string"}}}, 400),
        ({"namespace": "n", "objects": [{"description": "nameless"}]}, 400),
        ({"namespace": "n", "tags": [{"name": "t" * 81}]}, 400),
        ([{"namespace": "n"}], 400),
    ):
        result = client.simulate_post(NS, headers=admin, json=body)
        assert result.status_code == status, (body, result.text)
        assert result.json["code"].startswith(str(status))
    mismatch = client.simulate_post(NS, headers=admin, json={"namespace": 1})
    assert mismatch.json["message"].startswith("Provided object does not match schema 'namespace'")
    assert client.simulate_post(NS, headers=admin, body="{").status_code == 400
    # Nothing half-made was left behind by a refused create.
    assert client.simulate_get(f"{NS}/n", headers=admin).status_code == 404


def test_create_with_contents_then_show_with_prefix(api: Client) -> None:
    client, admin, _ = api
    prop = {"title": "CPU", "type": "integer", "minimum": 1}
    _namespace(
        client, admin,
        resource_type_associations=[{"name": "OS::Nova::Flavor", "prefix": "hw:"}],
        properties={"cpus": prop},
        objects=[{"name": "o1", "required": ["cpus"], "properties": {"cpus": prop}}],
        tags=[{"name": "t1"}],
    )  # fmt: skip
    shown = client.simulate_get(f"{NS}/ns1", headers=admin).json
    assert shown["properties"] == {"cpus": prop}
    assert shown["tags"] == [{"name": "t1"}]
    assert shown["objects"][0]["self"] == f"{NS}/ns1/objects/o1"
    assert shown["resource_type_associations"][0]["prefix"] == "hw:"
    prefixed = client.simulate_get(
        f"{NS}/ns1", headers=admin, params={"resource_type": "OS::Nova::Flavor"}
    ).json
    assert list(prefixed["properties"]) == ["hw:cpus"]
    assert prefixed["objects"][0]["required"] == ["hw:cpus"]
    assert list(prefixed["objects"][0]["properties"]) == ["hw:cpus"]
    got = client.simulate_get(
        f"{NS}/ns1/properties/hw:cpus", headers=admin,
        params={"resource_type": "OS::Nova::Flavor"},
    )  # fmt: skip
    assert got.json == {"name": "cpus", **prop}
    unprefixed = client.simulate_get(
        f"{NS}/ns1/properties/cpus", headers=admin, params={"resource_type": "OS::Nova::Flavor"}
    )
    assert unprefixed.status_code == 404


def test_objects_like_tempest(api: Client) -> None:
    client, admin, _ = api
    _namespace(client, admin)
    made = client.simulate_post(f"{NS}/ns1/objects", headers=admin, json={"name": "obj"})
    assert made.status_code == 201
    assert made.json["schema"] == "/v2/schemas/metadefs/object"
    assert client.simulate_post(
        f"{NS}/ns1/objects", headers=admin, json={"name": "obj"}
    ).status_code == 409  # fmt: skip
    renamed = client.simulate_put(f"{NS}/ns1/objects/obj", headers=admin, json={"name": "obj2"})
    assert renamed.status_code == 200
    assert renamed.json["name"] == "obj2"
    assert client.simulate_get(f"{NS}/ns1/objects/obj2", headers=admin).json["name"] == "obj2"
    missing = client.simulate_get(f"{NS}/ns1/objects/obj", headers=admin)
    assert missing.status_code == 404
    assert "name=obj was not found in namespace=ns1" in missing.json["message"]
    assert client.simulate_delete(f"{NS}/ns1/objects/obj2", headers=admin).status_code == 204
    listed = client.simulate_get(f"{NS}/ns1/objects", headers=admin).json
    assert listed == {"objects": [], "schema": "v2/schemas/metadefs/objects"}
    bad = client.simulate_post(
        f"{NS}/ns1/objects", headers=admin,
        json={"name": "o", "properties": {"p": {"title": "P", "type": "strings"}}},
    )  # fmt: skip
    assert bad.status_code == 400
    # More than a TEXT column holds on MariaDB is refused alike on every backend.
    huge = {"p": {"title": "P", "type": "string", "description": "x" * 70_000}}
    too_big = client.simulate_post(
        f"{NS}/ns1/objects", headers=admin, json={"name": "big", "properties": huge}
    )
    assert too_big.status_code == 400
    assert "too long to store" in too_big.json["message"]
    assert client.simulate_post(f"{NS}/nope/objects", headers=admin,
                                json={"name": "o"}).status_code == 404  # fmt: skip


def test_properties_like_tempest(api: Client) -> None:
    client, admin, _ = api
    _namespace(client, admin)
    name = "OS::Glance::Image"
    linked = client.simulate_post(f"{NS}/ns1/resource_types", headers=admin, json={"name": name})
    assert linked.status_code == 201
    assert linked.json["name"] == name
    enum = ["xen", "qemu", "kvm"]
    made = client.simulate_post(
        f"{NS}/ns1/properties", headers=admin,
        json={"name": name, "title": "hv", "type": "string", "enum": enum},
    )  # fmt: skip
    assert made.status_code == 201
    assert made.json == {"name": name, "title": "hv", "type": "string", "enum": enum}
    assert client.simulate_get(f"{NS}/ns1/properties/{name}", headers=admin).json["name"] == name
    updated = client.simulate_put(
        f"{NS}/ns1/properties/{name}", headers=admin,
        json={"name": name, "title": "hv2", "type": "string", "enum": enum},
    )  # fmt: skip
    assert updated.json["title"] == "hv2"
    listed = client.simulate_get(f"{NS}/ns1/properties", headers=admin).json
    assert listed["properties"][name]["title"] == "hv2"
    assert client.simulate_delete(f"{NS}/ns1/properties/{name}", headers=admin).status_code == 204
    assert client.simulate_get(f"{NS}/ns1/properties", headers=admin).json == {"properties": {}}
    nameless = client.simulate_post(
        f"{NS}/ns1/properties", headers=admin, json={"title": "t", "type": "string"}
    )
    assert nameless.status_code == 400
    assert "schema 'property'" in nameless.json["message"]


def test_tags_like_tempest(api: Client) -> None:
    client, admin, _ = api
    _namespace(client, admin)
    tags = [{"name": f"sample-tag{n}"} for n in (1, 2, 3)]
    made = client.simulate_post(f"{NS}/ns1/tags", headers=admin, json={"tags": tags})
    assert made.status_code == 201
    assert made.json == {"tags": tags}
    listed = client.simulate_get(f"{NS}/ns1/tags", headers=admin).json["tags"]
    assert sorted(t["name"] for t in listed) == [t["name"] for t in tags]
    # Without X-Openstack-Append a list replaces the namespace's tags; with it, adds to them.
    client.simulate_post(f"{NS}/ns1/tags", headers=admin, json={"tags": [{"name": "a"}]})
    client.simulate_post(f"{NS}/ns1/tags", headers={**admin, "X-Openstack-Append": "true"},
                         json={"tags": [{"name": "b"}]})  # fmt: skip
    listed = client.simulate_get(f"{NS}/ns1/tags", headers=admin).json["tags"]
    assert sorted(t["name"] for t in listed) == ["a", "b"]
    one = client.simulate_post(f"{NS}/ns1/tags/tag_name", headers=admin)
    assert one.status_code == 201
    assert one.json["name"] == "tag_name"
    assert client.simulate_post(f"{NS}/ns1/tags/tag_name", headers=admin).status_code == 409
    assert client.simulate_post(f"{NS}/ns1/tags/{'x' * 81}", headers=admin).status_code == 400
    assert client.simulate_get(f"{NS}/ns1/tags/tag_name", headers=admin).json["name"] == "tag_name"
    renamed = client.simulate_put(f"{NS}/ns1/tags/tag_name", headers=admin, json={"name": "new"})
    assert renamed.status_code == 200
    assert renamed.json["name"] == "new"
    assert client.simulate_delete(f"{NS}/ns1/tags/new", headers=admin).status_code == 204
    assert client.simulate_get(f"{NS}/ns1/tags/new", headers=admin).status_code == 404
    repeated = client.simulate_post(
        f"{NS}/ns1/tags", headers=admin, json={"tags": [{"name": "r"}, {"name": "r"}]}
    )
    assert repeated.status_code == 409
    assert client.simulate_delete(f"{NS}/ns1/tags", headers=admin).status_code == 204
    assert client.simulate_get(f"{NS}/ns1/tags", headers=admin).json == {"tags": []}


def test_resource_type_associations_like_tempest(api: Client) -> None:
    client, admin, _ = api
    _namespace(client, admin)
    path = f"{NS}/ns1/resource_types"
    made = client.simulate_post(path, headers=admin, json={"name": "OS::Nova::Server",
                                                          "prefix": "p:"})  # fmt: skip
    assert made.status_code == 201
    assert (made.json["name"], made.json["prefix"]) == ("OS::Nova::Server", "p:")
    assert client.simulate_post(path, headers=admin,
                                json={"name": "OS::Nova::Server"}).status_code == 409  # fmt: skip
    listed = client.simulate_get(path, headers=admin).json["resource_type_associations"]
    assert [a["name"] for a in listed] == ["OS::Nova::Server"]
    filtered = client.simulate_get(NS, headers=admin, params={"resource_types": "OS::Nova::Server"})
    assert [n["namespace"] for n in filtered.json["namespaces"]] == ["ns1"]
    other = client.simulate_get(NS, headers=admin, params={"resource_types": "OS::Trove::Instance"})
    assert other.json["namespaces"] == []
    assert client.simulate_delete(f"{path}/OS::Nova::Server", headers=admin).status_code == 204
    gone = client.simulate_delete(f"{path}/OS::Nova::Server", headers=admin)
    assert gone.status_code == 404
    # A type no one has named before is created by its first association.
    assert client.simulate_post(path, headers=admin, json={"name": "My::Type"}).status_code == 201
    names = client.simulate_get("/v2/metadefs/resource_types", headers=admin).json
    assert "My::Type" in [t["name"] for t in names["resource_types"]]


def test_protected_namespace_keeps_its_contents(api: Client) -> None:
    client, admin, _ = api
    _namespace(client, admin, protected=True, tags=[{"name": "t"}],
               objects=[{"name": "o"}])  # fmt: skip
    for path in ("objects", "tags", "properties", "objects/o", "tags/t"):
        assert client.simulate_delete(f"{NS}/ns1/{path}", headers=admin).status_code == 403
    assert client.simulate_get(f"{NS}/ns1/tags/t", headers=admin).status_code == 200


def test_listing_pages_sorts_and_filters(api: Client, clock: Any) -> None:
    client, admin, _ = api
    for n in range(3):
        _namespace(client, admin, namespace=f"n{n}", visibility="public" if n else "private")
        clock.advance(1)
    page = client.simulate_get(NS, headers=admin, params={"limit": "2"}).json
    assert [n["namespace"] for n in page["namespaces"]] == ["n2", "n1"]
    assert page["first"] == f"{NS}?limit=2"
    assert page["next"] == f"{NS}?limit=2&marker=n1"
    rest = client.simulate_get(NS, headers=admin, params={"limit": "2", "marker": "n1"}).json
    assert [n["namespace"] for n in rest["namespaces"]] == ["n0"]
    assert "next" not in rest
    ascending = client.simulate_get(
        NS, headers=admin, params={"sort_key": "namespace", "sort_dir": "asc"}
    ).json
    assert [n["namespace"] for n in ascending["namespaces"]] == ["n0", "n1", "n2"]
    public = client.simulate_get(NS, headers=admin, params={"visibility": "public"}).json
    assert [n["namespace"] for n in public["namespaces"]] == ["n2", "n1"]
    for params in ({"visibility": "shared"}, {"sort_dir": "up"}, {"limit": "x"},
                   {"sort_key": "bogus"}):  # fmt: skip
        assert client.simulate_get(NS, headers=admin, params=params).status_code == 400
    assert client.simulate_get(NS, headers=admin, params={"marker": "nope"}).status_code == 404


def test_schemas_are_published(api: Client) -> None:
    client, _, member = api
    for name in ("namespace", "namespaces", "object", "objects", "property", "properties",
                 "tag", "tags", "resource_type", "resource_types"):  # fmt: skip
        result = client.simulate_get(f"/v2/schemas/metadefs/{name}", headers=member)
        assert result.status_code == 200
        assert "properties" in result.json
    ns = client.simulate_get("/v2/schemas/metadefs/namespace", headers=member).json
    assert ns["name"] == "namespace"
    assert ns["required"] == ["namespace"]
    assert client.simulate_get("/v2/schemas/metadefs/nope", headers=member).status_code == 404
    assert client.simulate_get("/v2/schemas/metadefs/namespace").status_code == 401
