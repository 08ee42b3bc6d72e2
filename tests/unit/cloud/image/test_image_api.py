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
