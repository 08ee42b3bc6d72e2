"""Writes on every database: identical concurrent requests, per-server limits, scoped creation,
booleans as the upstream services parse them, and what a stored tag sends back."""

from __future__ import annotations

import threading
import urllib.parse
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.reliability.conftest import InProcessCloud
from tests.reliability.test_input_classes import glance_error, server_body
from tests.reliability.test_malformed import nova_fault

SERVERS = "/compute/v2.1/servers"
IMAGES = "/image/v2/images"
TAGS_VERSION = {"OpenStack-API-Version": "compute 2.26"}
RACERS = 8


def at_once(count: int, request: Callable[[int], Any]) -> list[Any]:
    """`count` requests released together, each from its own thread."""
    barrier = threading.Barrier(count)

    def one(index: int) -> Any:
        barrier.wait()
        return request(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def new_server(cloud: InProcessCloud, **fields: Any) -> str:
    created = cloud.request("POST", SERVERS, body=server_body(cloud, **fields))
    assert created.status_code == 202, created.text
    server_id: str = created.json["server"]["id"]
    # Tags need a settled server (ACTIVE): the fixture cloud's driver has no delay.
    return server_id


def test_identical_tag_puts_at_once(inprocess_cloud_any_db: InProcessCloud) -> None:
    cloud = inprocess_cloud_any_db
    server = new_server(cloud)
    path = f"{SERVERS}/{server}/tags/same"
    results = at_once(RACERS, lambda _: cloud.request("PUT", path, headers=TAGS_VERSION))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] + [204] * (RACERS - 1), [r.text for r in results]
    tags = cloud.request("GET", f"{SERVERS}/{server}/tags", headers=TAGS_VERSION).json
    assert tags == {"tags": ["same"]}


def test_identical_metadata_writes_at_once(inprocess_cloud_any_db: InProcessCloud) -> None:
    cloud = inprocess_cloud_any_db
    server = new_server(cloud)
    base = f"{SERVERS}/{server}/metadata"
    posts = at_once(RACERS, lambda _: cloud.request("POST", base, body={"metadata": {"k": "v"}}))
    items = at_once(RACERS, lambda _: cloud.request("PUT", f"{base}/j", body={"meta": {"j": "w"}}))
    for result in posts + items:
        assert result.status_code == 200, result.text
    assert cloud.request("GET", base).json == {"metadata": {"k": "v", "j": "w"}}


def test_identical_role_grants_at_once(inprocess_cloud_any_db: InProcessCloud) -> None:
    cloud = inprocess_cloud_any_db
    admin = cloud.admin_token
    suffix = uuid.uuid4().hex[:8]
    made = cloud.request("POST", "/identity/v3/users", token=admin,
                         body={"user": {"name": f"grantee-{suffix}"}})  # fmt: skip
    user = made.json["user"]["id"]
    role = cloud.request("GET", "/identity/v3/roles", token=admin,
                         query_string="name=reader").json["roles"][0]["id"]  # fmt: skip
    project = cloud.member.project_id
    grant = f"/identity/v3/projects/{project}/users/{user}/roles/{role}"
    results = at_once(RACERS, lambda _: cloud.request("PUT", grant, token=admin))
    assert [r.status_code for r in results] == [204] * RACERS, [r.text for r in results]
    roles = cloud.request("GET", f"/identity/v3/projects/{project}/users/{user}/roles",
                          token=admin).json["roles"]  # fmt: skip
    assert [r["id"] for r in roles] == [role]


def test_identical_image_creates_at_once(inprocess_cloud_any_db: InProcessCloud) -> None:
    cloud = inprocess_cloud_any_db
    image_id = str(uuid.uuid4())
    body = {"id": image_id, "name": "twin"}
    results = at_once(RACERS, lambda _: cloud.request("POST", IMAGES, body=body))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] + [409] * (RACERS - 1), [r.text for r in results]
    for result in results:
        if result.status_code == 409:
            assert image_id in glance_error(result, 409)
    assert cloud.request("GET", f"{IMAGES}/{image_id}").json["name"] == "twin"


def test_identical_flavor_creates_at_once(inprocess_cloud_any_db: InProcessCloud) -> None:
    cloud = inprocess_cloud_any_db
    name = f"twin-{uuid.uuid4().hex[:8]}"
    body = {"flavor": {"name": name, "id": name, "ram": 64, "vcpus": 1, "disk": 0}}
    path = "/compute/v2.1/flavors"
    results = at_once(RACERS, lambda _: cloud.request("POST", path, token=cloud.admin_token,
                                                      body=body))  # fmt: skip
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [409] * (RACERS - 1), [r.text for r in results]
    for result in results:
        if result.status_code == 409:
            assert "already exists" in nova_fault(result, 409, "conflictingRequest")


def test_the_tag_limit_holds_under_concurrent_puts(inprocess_cloud_any_db: InProcessCloud) -> None:
    cloud = inprocess_cloud_any_db
    server = new_server(cloud, tags=[f"t{i}" for i in range(45)])
    base = f"{SERVERS}/{server}/tags"
    version = {"OpenStack-API-Version": "compute 2.52"}
    results = at_once(10, lambda i: cloud.request("PUT", f"{base}/new{i}", headers=version))
    assert sorted(r.status_code for r in results) == [201] * 5 + [400] * 5
    assert len(cloud.request("GET", base, headers=version).json["tags"]) == 50


def test_metadata_items_are_limited_to_128(inprocess_cloud_any_db: InProcessCloud) -> None:
    cloud = inprocess_cloud_any_db
    many = {f"k{i}": "v" for i in range(129)}
    message = nova_fault(cloud.request("POST", SERVERS, body=server_body(cloud, metadata=many)),
                         403, "forbidden")  # fmt: skip
    assert message == "Maximum number of metadata items exceeds 128"
    server = new_server(cloud, metadata={f"k{i}": "v" for i in range(120)})
    base = f"{SERVERS}/{server}/metadata"
    nova_fault(cloud.request("PUT", base, body={"metadata": many}), 403, "forbidden")
    more = {f"m{i}": "v" for i in range(9)}
    nova_fault(cloud.request("POST", base, body={"metadata": more}), 403, "forbidden")
    assert len(cloud.request("GET", base).json["metadata"]) == 120
    # Merging into existing keys counts them once: 120 + 8 is the limit, and it is allowed.
    fill = {**{f"k{i}": "w" for i in range(10)}, **{f"m{i}": "v" for i in range(8)}}
    assert cloud.request("POST", base, body={"metadata": fill}).status_code == 200
    nova_fault(cloud.request("PUT", f"{base}/one-more", body={"meta": {"one-more": "v"}}),
               403, "forbidden")  # fmt: skip
    assert cloud.request("PUT", f"{base}/k0", body={"meta": {"k0": "x"}}).status_code == 200
    assert len(cloud.request("GET", base).json["metadata"]) == 128


@pytest.mark.parametrize(
    "metadata",
    [{"k" * 256: "v"}, {"k": "v" * 256}, {"": "v"}, {"caf\u00e9": "v"}, {"a/b": "v"},
     {"k": 1}, {"k": None}],
)  # fmt: skip
def test_metadata_keys_and_values_as_nova(
    inprocess_cloud_any_db: InProcessCloud, metadata: dict[str, Any]
) -> None:
    cloud = inprocess_cloud_any_db
    nova_fault(cloud.request("POST", SERVERS, body=server_body(cloud, metadata=metadata)), 400)
    path = f"{SERVERS}/{cloud.server_ids[0]}/metadata"
    nova_fault(cloud.request("POST", path, body={"metadata": metadata}), 400)


def test_a_non_ascii_tag_is_stored_and_its_location_can_be_sent(
    inprocess_cloud_any_db: InProcessCloud,
) -> None:
    cloud = inprocess_cloud_any_db
    server = new_server(cloud)
    tag = "caf\u00e9 \u2603"
    quoted = urllib.parse.quote(tag, safe="")
    result = cloud.request("PUT", f"{SERVERS}/{server}/tags/{quoted}", headers=TAGS_VERSION)
    assert result.status_code == 201, result.text
    location = result.headers["location"]
    assert location.isascii(), location  # gunicorn sends headers as Latin-1: this was its 500
    path = urllib.parse.urlsplit(location).path
    assert path.endswith(f"/servers/{server}/tags/{quoted}")
    shown = cloud.request("GET", f"{SERVERS}/{server}/tags/{quoted}", headers=TAGS_VERSION)
    assert shown.status_code == 204
    assert cloud.request("GET", f"{SERVERS}/{server}/tags", headers=TAGS_VERSION).json == {
        "tags": [tag]
    }


def _scoped_admin_token(cloud: InProcessCloud, **scope: Any) -> str:
    users = cloud.request("GET", "/identity/v3/users", token=cloud.admin_token,
                          query_string="name=admin").json["users"]  # fmt: skip
    return cloud.deps.tokens.issue(
        user_id=users[0]["id"], methods=["password"], roles=("admin", "member", "reader"), **scope
    ).token_id


@pytest.mark.parametrize("scope", [{"system": True}, {"domain_id": "default"}])
def test_an_admin_without_a_project_cannot_create_servers_or_images(
    inprocess_cloud_any_db: InProcessCloud, scope: dict[str, Any]
) -> None:
    cloud = inprocess_cloud_any_db
    token = _scoped_admin_token(cloud, **scope)
    created = cloud.request("POST", SERVERS, token=token, body=server_body(cloud, name="orphan"))
    message = nova_fault(created, 403, "forbidden")
    assert message == "Policy doesn't allow os_compute_api:servers:create to be performed."
    glance_error(cloud.request("POST", IMAGES, token=token, body={"name": "orphan"}), 403)
    listed = cloud.request("GET", f"{SERVERS}/detail", token=cloud.admin_token,
                           query_string="all_tenants=1").json["servers"]  # fmt: skip
    assert all(s["tenant_id"] for s in listed)
    assert "orphan" not in {s["name"] for s in listed}


def test_protected_must_be_a_json_boolean(inprocess_cloud_any_db: InProcessCloud) -> None:
    cloud = inprocess_cloud_any_db
    message = glance_error(cloud.request("POST", IMAGES, body={"protected": "false"}), 400)
    assert "'false' is not of type 'boolean'" in message
    created = cloud.request("POST", IMAGES, body={"protected": False, "name": "unprotected"})
    assert created.status_code == 201
    assert created.json["protected"] is False
    assert cloud.request("DELETE", f"{IMAGES}/{created.json['id']}").status_code == 204


@pytest.mark.parametrize(
    ("value", "public"),
    [("True", True), ("false", False), ("1", True), ("NO", False), (True, True),
     ("maybe", None), ("", None), (1, None), ([], None), ("tRUE", None)],
)  # fmt: skip
def test_flavor_is_public_takes_novas_booleans(
    inprocess_cloud_any_db: InProcessCloud, value: Any, public: bool | None
) -> None:
    """Nova's parameter_types.boolean: JSON booleans and their spellings as strings, no other."""
    cloud = inprocess_cloud_any_db
    name = f"b-{uuid.uuid4().hex[:8]}"
    body = {"flavor": {"name": name, "ram": 64, "vcpus": 1, "disk": 0,
                       "os-flavor-access:is_public": value}}  # fmt: skip
    created = cloud.request("POST", "/compute/v2.1/flavors", token=cloud.admin_token, body=body)
    if public is None:
        nova_fault(created, 400)
        return
    assert created.status_code == 200, created.text
    assert created.json["flavor"]["os-flavor-access:is_public"] is public


@pytest.mark.parametrize(("value", "status"), [("yes", 202), ("maybe", 400), ([], 400)])
def test_config_drive_takes_novas_booleans(
    inprocess_cloud_any_db: InProcessCloud, value: Any, status: int
) -> None:
    cloud = inprocess_cloud_any_db
    result = cloud.request("POST", SERVERS, body=server_body(cloud, config_drive=value))
    assert result.status_code == status, result.text
