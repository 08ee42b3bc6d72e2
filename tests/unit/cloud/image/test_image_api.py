"""The Glance v2 subset: versions, list filters and paging, show, create (metadata), delete."""

from __future__ import annotations

import pytest
from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image.app import create_app
from pocketstack.cloud.image.bootstrap import CIRROS_ID, CIRROS_NAME, bootstrap_image
from tests.fixtures.cloud import admin_token, create_user, issue_token


@pytest.fixture
def image(cloud_deps: CloudDeps) -> tuple[testing.TestClient, dict[str, str], dict[str, str]]:
    user = create_user(cloud_deps, name="alice", project_name="alpha")
    member = {"X-Auth-Token": issue_token(cloud_deps, user_id=user.id, project_id=user.project_id)}
    return (
        testing.TestClient(create_app(cloud_deps)),
        {"X-Auth-Token": admin_token(cloud_deps)},
        member,
    )


def test_versions_without_token(image) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = image
    result = client.simulate_get("/")
    assert result.status_code == 300
    assert result.json["versions"][0]["status"] == "CURRENT"


def test_401_like_keystonemiddleware(image) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = image
    result = client.simulate_get("/v2/images")
    assert result.status_code == 401
    assert result.json["error"]["code"] == 401
    assert result.headers["WWW-Authenticate"] == 'Keystone uri="http://cloud.test/identity"'


def test_bootstrap_cirros_listed_and_shown(image, cloud_deps: CloudDeps) -> None:  # type: ignore[no-untyped-def]
    client, _, member = image
    bootstrap_image(cloud_deps)  # idempotent
    listed = client.simulate_get("/v2/images", headers=member).json
    assert [i["name"] for i in listed["images"]] == [CIRROS_NAME]
    assert listed["first"] == "/v2/images"
    cirros = listed["images"][0]
    assert (cirros["status"], cirros["visibility"]) == ("active", "public")
    assert cirros["self"] == f"/v2/images/{CIRROS_ID}"
    assert client.simulate_get(f"/v2/images/{CIRROS_ID}", headers=member).json["id"] == CIRROS_ID
    assert client.simulate_get("/v2/images/nope", headers=member).status_code == 404


def test_create_filter_page_delete(image) -> None:  # type: ignore[no-untyped-def]
    client, admin, member = image
    made = []
    for n in range(3):
        result = client.simulate_post(
            "/v2/images",
            headers=member,
            json={
                "name": f"img{n}",
                "disk_format": "qcow2",
                "container_format": "bare",
                "os_distro": "x",
            },
        )
        assert result.status_code == 201
        assert result.json["status"] == "queued"
        assert result.json["visibility"] == "shared"
        assert result.json["os_distro"] == "x"
        made.append(result.json["id"])
    assert (
        client.simulate_post(
            "/v2/images", headers=member, json={"name": "p", "visibility": "public"}
        ).status_code
        == 403
    )
    assert (
        client.simulate_post("/v2/images", headers=member, json={"status": "active"}).status_code
        == 403
    )
    by_name = client.simulate_get("/v2/images", headers=member, params={"name": "img1"}).json
    assert [i["id"] for i in by_name["images"]] == [made[1]]
    by_ids = client.simulate_get(
        "/v2/images", headers=member, params={"id": f"in:{made[0]},{CIRROS_ID}"}
    ).json
    assert {i["id"] for i in by_ids["images"]} == {made[0], CIRROS_ID}
    active = client.simulate_get("/v2/images", headers=member, params={"status": "active"}).json
    assert [i["id"] for i in active["images"]] == [CIRROS_ID]
    public = client.simulate_get("/v2/images", headers=member, params={"visibility": "public"}).json
    assert [i["id"] for i in public["images"]] == [CIRROS_ID]
    page1 = client.simulate_get("/v2/images", headers=member, params={"limit": "2"}).json
    assert len(page1["images"]) == 2
    assert "marker=" in page1["next"]
    page2 = client.simulate_get(
        "/v2/images", headers=member, params={"limit": "2", "marker": page1["images"][-1]["id"]}
    ).json
    all_ids = [i["id"] for i in page1["images"] + page2["images"]]
    assert sorted(all_ids) == sorted([*made, CIRROS_ID])
    assert (
        client.simulate_get("/v2/images", headers=member, params={"marker": "zzz"}).status_code
        == 400
    )
    assert client.simulate_delete(f"/v2/images/{made[0]}", headers=member).status_code == 204
    assert client.simulate_get(f"/v2/images/{made[0]}", headers=member).status_code == 404
    assert client.simulate_delete(f"/v2/images/{CIRROS_ID}", headers=member).status_code == 403
    assert client.simulate_get("/v2/images", headers=admin).status_code == 200


def _set_sizes(deps: CloudDeps, sizes: dict[str, int | None]) -> None:
    from pocketstack.cloud.store.models.image import Image

    with deps.store.session(write=True) as session:
        for image_id, size in sizes.items():
            row = session.get(Image, image_id)
            assert row is not None
            row.size = size


def test_sort_and_keyset_pages(cloud_deps_any_db: CloudDeps) -> None:
    # On every backend: PostgreSQL orders NULLs unlike SQLite and MariaDB.
    cloud_deps = cloud_deps_any_db
    user = create_user(cloud_deps, name="alice", project_name="alpha")
    member = {"X-Auth-Token": issue_token(cloud_deps, user_id=user.id, project_id=user.project_id)}
    client = testing.TestClient(create_app(cloud_deps))
    names = ["d", "b", "a", "c", "b", None]
    made = []
    for n, name in enumerate(names):
        body = {
            "name": name,
            "disk_format": "raw" if n % 2 else "qcow2",
            "container_format": "bare",
        }
        made.append(client.simulate_post("/v2/images", headers=member, json=body).json["id"])
    _set_sizes(cloud_deps, dict(zip(made, [5, 3, None, 9, 3, 1], strict=True)))

    def walk(params: dict[str, str]) -> list[str]:
        seen: list[str] = []
        query = {**params, "limit": "2", "visibility": "shared"}
        while True:
            page = client.simulate_get("/v2/images", headers=member, params=query)
            assert page.status_code == 200, page.text
            seen += [i["id"] for i in page.json["images"]]
            if "next" not in page.json:
                return seen
            query["marker"] = page.json["images"][-1]["id"]

    by_size = walk({"sort": "size:desc,name:asc"})
    sizes = {i: s for i, s in zip(made, [5, 3, None, 9, 3, 1], strict=True)}
    assert [sizes[i] for i in by_size] == [9, 5, 3, 3, 1, None]
    assert sorted(by_size) == sorted(made)  # every image once across the pages
    by_name = walk({"sort_key": "name", "sort_dir": "asc"})
    assert [names[made.index(i)] for i in by_name] == [None, "a", "b", "b", "c", "d"]
    classic = walk({"sort_key": "size", "sort_dir": "asc"})
    assert [sizes[i] for i in classic] == [None, 1, 3, 3, 5, 9]
    listed = client.simulate_get(
        "/v2/images", headers=member, params={"size_min": "3", "size_max": "5"}
    ).json["images"]
    assert sorted(i["size"] for i in listed) == [3, 3, 5]
    raw = client.simulate_get("/v2/images", headers=member, params={"disk_format": "raw"}).json
    assert {i["disk_format"] for i in raw["images"]} == {"raw"}
    assert len(raw["images"]) == 3


@pytest.mark.parametrize(
    "params",
    [
        {"sort_key": "owner"},
        {"sort_dir": "up"},
        {"sort": "name:sideways"},
        {"sort": "name", "sort_key": "size"},
        {"sort_key": ["name", "size", "id"], "sort_dir": ["asc", "desc"]},
        {"limit": "-1"},
        {"limit": "many"},
        {"size_min": "big"},
        {"member_status": "maybe"},
        {"visibility": "everyone"},
        {"os_hidden": "yes"},
        {"protected": "1"},
        {"changes-since": "2020-01-01"},
    ],
)
def test_list_refuses_bad_values(image, params: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    client, _, member = image
    result = client.simulate_get("/v2/images", headers=member, params=params)
    assert result.status_code == 400
    assert result.json["code"] == "400 Bad Request"


def test_hidden_protected_and_property_filters(image) -> None:  # type: ignore[no-untyped-def]
    client, _, member = image
    hidden = client.simulate_post("/v2/images", headers=member, json={"os_hidden": True}).json
    kept = client.simulate_post(
        "/v2/images", headers=member, json={"protected": True, "os_distro": "arch"}
    ).json
    default = [i["id"] for i in client.simulate_get("/v2/images", headers=member).json["images"]]
    assert hidden["id"] not in default
    assert kept["id"] in default
    only_hidden = client.simulate_get("/v2/images", headers=member, params={"os_hidden": "true"})
    assert [i["id"] for i in only_hidden.json["images"]] == [hidden["id"]]
    protected = client.simulate_get("/v2/images", headers=member, params={"protected": "true"})
    assert [i["id"] for i in protected.json["images"]] == [kept["id"]]
    by_property = client.simulate_get("/v2/images", headers=member, params={"os_distro": "arch"})
    assert [i["id"] for i in by_property.json["images"]] == [kept["id"]]


def test_empty_image_id_is_not_found(image) -> None:  # type: ignore[no-untyped-def]
    client, _, member = image
    assert client.simulate_get("/v2/images/", headers=member).status_code == 404
    assert client.simulate_delete("/v2/images/", headers=member).status_code == 404
    collection = client.simulate_delete("/v2/images", headers=member)
    assert collection.status_code == 405
    assert collection.headers["Allow"] == "GET, POST"


@pytest.mark.parametrize(
    "body",
    [
        {"disk_format": "floppy"},
        {"container_format": "box"},
        {"min_disk": -1},
        {"min_ram": "512"},
        {"protected": "false"},
        {"os_hidden": 1},
    ],
)
def test_create_validates_as_glance(image, body: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    client, _, member = image
    assert client.simulate_post("/v2/images", headers=member, json=body).status_code == 400


def test_owner_named_on_create(image, cloud_deps: CloudDeps) -> None:  # type: ignore[no-untyped-def]
    client, admin, member = image
    made = client.simulate_post("/v2/images", headers=admin, json={"owner": "elsewhere"})
    assert made.status_code == 201
    assert made.json["owner"] == "elsewhere"
    refused = client.simulate_post("/v2/images", headers=member, json={"owner": "elsewhere"})
    assert refused.status_code == 403
    assert "add_image" in refused.json["message"]
    own = create_user(cloud_deps, name="dave", project_name="delta")
    headers = {"X-Auth-Token": issue_token(cloud_deps, user_id=own.id, project_id=own.project_id)}
    named = client.simulate_post("/v2/images", headers=headers, json={"owner": own.project_id})
    assert named.status_code == 201
    assert named.json["owner"] == own.project_id
