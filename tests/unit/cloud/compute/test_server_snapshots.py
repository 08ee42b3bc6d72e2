"""A server's snapshots are images with data: createImage, createBackup with its rotation, and
the `-shelved` image a shelve leaves until the server is unshelved or deleted."""

from __future__ import annotations

import json
from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.image.app import create_app as image_app
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.fixtures.cloud import OffsetClock
from tests.unit.cloud.compute.helpers import Compute, fault
from tests.unit.cloud.compute.test_migrations_api import delayed as delayed


@pytest.fixture
def glance(compute: Compute) -> testing.TestClient:
    return testing.TestClient(image_app(compute.deps))


def act(c: Compute, server_id: str, body: dict[str, Any], *, version: str = "2.45",
        headers: dict[str, str] | None = None) -> testing.Result:  # fmt: skip
    return c.call("POST", f"/v2.1/servers/{server_id}/action", headers=headers or c.alice_h,
                  version=version, body=body)  # fmt: skip


def image(glance: testing.TestClient, c: Compute, image_id: str) -> testing.Result:
    return glance.simulate_get(f"/v2/images/{image_id}", headers=c.alice_h)


def test_create_image_makes_an_active_private_image_of_the_servers_project(
    compute: Compute, glance: testing.TestClient
) -> None:
    server_id = compute.boot(compute.alice_h)
    made = act(compute, server_id, {"createImage": {"name": "snap", "metadata": {"k": "v"}}})
    assert made.status_code == 202, made.text
    image_id = made.json["image_id"]
    shown = image(glance, compute, image_id)
    assert shown.status_code == 200, shown.text
    snap = shown.json
    assert (snap["name"], snap["status"], snap["visibility"]) == ("snap", "active", "private")
    assert snap["owner"] == compute.alice.project_id
    assert (snap["image_type"], snap["instance_uuid"], snap["k"]) == ("snapshot", server_id, "v")
    assert snap["base_image_ref"] == CIRROS_ID
    assert snap["size"] > 0
    assert len(snap["checksum"]) == 32
    data = glance.simulate_get(f"/v2/images/{image_id}/file", headers=compute.alice_h)
    assert data.status_code == 200
    assert len(data.content) == snap["size"]
    # Another project neither sees it nor lists it.
    assert image(glance, compute, image_id).status_code == 200
    other = glance.simulate_get(f"/v2/images/{image_id}", headers=compute.bob_h)
    assert other.status_code == 404
    # The server can boot others: the snapshot is a usable image.
    again = compute.call("POST", "/v2.1/servers", headers=compute.alice_h, body={"server": {
        "name": "from-snap", "imageRef": image_id, "flavorRef": "1", "networks": "none"}},
        version="2.45")  # fmt: skip
    assert again.status_code == 202, again.text


def test_before_245_the_image_is_named_by_a_location_header(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    made = act(compute, server_id, {"createImage": {"name": "snap"}}, version="2.44")
    assert (made.status_code, made.text) == (202, "")
    assert made.headers["Location"].rsplit("/", 2)[-2] == "images"


def test_create_image_is_checked(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert act(compute, server_id, {"createImage": {"name": "x" * 256}}).status_code == 400
    assert act(compute, server_id, {"createImage": {}}).status_code == 400
    bad_meta = {"createImage": {"name": "s", "metadata": {"k": "v" * 256}}}
    assert act(compute, server_id, bad_meta).status_code == 400
    assert act(compute, server_id, {"createImage": {"name": "s"}},
               headers=compute.bob_h).status_code == 404  # fmt: skip
    assert act(compute, "0" * 32, {"createImage": {"name": "s"}}).status_code == 404
    compute.call("DELETE", f"/v2.1/servers/{server_id}", headers=compute.alice_h)
    assert act(compute, server_id, {"createImage": {"name": "s"}}).status_code == 404


def test_a_second_snapshot_waits_for_the_first(delayed: tuple[Compute, OffsetClock]) -> None:
    c, clock = delayed
    server_id = c.make(project=c.alice.project_id)
    first = act(c, server_id, {"createImage": {"name": "one"}})
    assert first.status_code == 202, first.text
    shown = c.get(f"/v2.1/servers/{server_id}", headers=c.alice_h).json["server"]
    assert (shown["status"], shown["OS-EXT-STS:task_state"]) == ("ACTIVE", "image_snapshot")
    second = act(c, server_id, {"createImage": {"name": "two"}})
    assert fault(second) == ("conflictingRequest", f"Cannot 'createImage' instance {server_id}"
                             " while it is in task_state image_snapshot")  # fmt: skip
    clock.advance(6)
    assert act(c, server_id, {"createImage": {"name": "two"}}).status_code == 202


def test_backups_rotate(compute: Compute, glance: testing.TestClient) -> None:
    server_id = compute.boot(compute.alice_h)
    made = []
    for n in range(3):
        body = {"createBackup": {"name": f"b{n}", "backup_type": "daily", "rotation": "2"}}
        result = act(compute, server_id, body)
        assert result.status_code == 202, result.text
        made.append(result.json["image_id"])
    assert image(glance, compute, made[0]).status_code == 404
    kept = image(glance, compute, made[2]).json
    assert (kept["image_type"], kept["backup_type"]) == ("backup", "daily")
    assert image(glance, compute, made[1]).status_code == 200
    weekly = act(compute, server_id,
                 {"createBackup": {"name": "w", "backup_type": "weekly", "rotation": 0}})
    assert weekly.status_code == 202
    # Rotation 0 keeps none of its type, and leaves the other types alone.
    assert image(glance, compute, weekly.json["image_id"]).status_code == 404
    assert image(glance, compute, made[2]).status_code == 200
    missing = act(compute, server_id, {"createBackup": {"name": "b", "backup_type": "daily"}})
    assert missing.status_code == 400


def _shelved_images(glance: testing.TestClient, c: Compute, name: str) -> list[dict[str, Any]]:
    listed = glance.simulate_get("/v2/images", headers=c.alice_h,
                                 query_string=f"name={name}-shelved")  # fmt: skip
    images: list[dict[str, Any]] = listed.json["images"]
    return images


def test_shelve_leaves_an_image_until_unshelve(
    compute: Compute, glance: testing.TestClient
) -> None:
    server_id = compute.boot(compute.alice_h)
    shown = compute.get(f"/v2.1/servers/{server_id}", headers=compute.alice_h)
    name = shown.json["server"]["name"]
    assert act(compute, server_id, {"shelve": None}).status_code == 202
    (shelved,) = _shelved_images(glance, compute, name)
    assert (shelved["status"], shelved["instance_uuid"]) == ("active", server_id)
    assert act(compute, server_id, {"unshelve": None}).status_code == 202
    assert _shelved_images(glance, compute, name) == []
    # Shelved again, then deleted: the image goes with the server.
    assert act(compute, server_id, {"shelve": None}).status_code == 202
    assert len(_shelved_images(glance, compute, name)) == 1
    gone = compute.call("DELETE", f"/v2.1/servers/{server_id}", headers=compute.alice_h)
    assert gone.status_code == 204
    assert _shelved_images(glance, compute, name) == []


def test_a_flavor_smaller_than_the_images_minimums_is_refused(
    compute: Compute, glance: testing.TestClient
) -> None:
    made = glance.simulate_post("/v2/images", headers=compute.alice_h, json={
        "name": "big", "disk_format": "raw", "container_format": "bare", "min_ram": 4096,
        "min_disk": 30})  # fmt: skip
    image_id = made.json["id"]
    put = glance.simulate_put(f"/v2/images/{image_id}/file", headers={
        **compute.alice_h, "Content-Type": "application/octet-stream"}, body=b"x" * 1024)
    assert put.status_code == 204, put.text

    def boot(flavor: str) -> testing.Result:
        return compute.call("POST", "/v2.1/servers", headers=compute.alice_h, version="2.45",
                            body={"server": {"name": "s", "imageRef": image_id,
                                             "flavorRef": flavor, "networks": "none"}})

    assert fault(boot("1")) == ("badRequest", "Flavor's memory is too small for requested image.")
    # m1.medium: 4096 MB, 40 GB of disk; m1.small's 20 GB are under the image's 30.
    assert boot("3").status_code == 202
    patched = glance.simulate_patch(f"/v2/images/{image_id}", headers={
        **compute.alice_h, "Content-Type": "application/openstack-images-v2.1-json-patch"},
        body=json.dumps([{"op": "replace", "path": "/min_ram", "value": 0}]))  # fmt: skip
    assert patched.status_code == 200, patched.text
    assert fault(boot("2"))[1].startswith("Flavor's disk is smaller than the minimum size")
