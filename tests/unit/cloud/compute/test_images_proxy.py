"""Nova's image proxy (/images, gone from 2.36) over the image service's own images."""

from __future__ import annotations

from falcon import testing

from pocketstack.cloud.image.app import create_app as image_app
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.unit.cloud.compute.helpers import Compute, fault


def _glance_image(compute: Compute, headers: dict[str, str], **body: object) -> str:
    glance = testing.TestClient(image_app(compute.deps))
    result = glance.simulate_post("/v2/images", headers=headers, json=body)
    assert result.status_code == 201, result.text
    return str(result.json["id"])


def test_images_list_and_show_in_novas_view(compute: Compute) -> None:
    mine = _glance_image(
        compute, compute.alice_h, name="snap", instance_uuid="abc", image_type="snapshot"
    )
    listed = compute.get("/v2.1/images", headers=compute.alice_h)
    assert listed.status_code == 200, listed.text
    assert {i["id"] for i in listed.json["images"]} >= {CIRROS_ID, mine}
    assert set(listed.json["images"][0]) == {"id", "name", "links"}
    shown = compute.get(f"/v2.1/images/{mine}", headers=compute.alice_h).json["image"]
    assert (shown["status"], shown["progress"]) == ("SAVING", 25)
    assert shown["metadata"] == {"instance_uuid": "abc", "image_type": "snapshot"}
    assert shown["server"]["id"] == "abc"
    cirros = compute.get(f"/v2.1/images/{CIRROS_ID}", headers=compute.alice_h).json["image"]
    assert (cirros["status"], cirros["progress"]) == ("ACTIVE", 100)
    assert "server" not in cirros
    # Another project's private image is not there for bob.
    assert compute.get(f"/v2.1/images/{mine}", headers=compute.bob_h).status_code == 404
    assert mine not in {
        i["id"] for i in compute.get("/v2.1/images", headers=compute.bob_h).json["images"]
    }
    assert compute.get("/v2.1/images", headers=compute.alice_h, version="2.36").status_code == 404


def test_filters_and_pages(compute: Compute) -> None:
    snap = _glance_image(compute, compute.alice_h, name="snap", image_type="snapshot")
    detail = compute.get("/v2.1/images/detail", headers=compute.alice_h, query="type=snapshot")
    assert [i["id"] for i in detail.json["images"]] == [snap]
    by_name = compute.get("/v2.1/images/detail", headers=compute.alice_h, query="name=snap")
    assert [i["id"] for i in by_name.json["images"]] == [snap]
    active = compute.get("/v2.1/images", headers=compute.alice_h, query="status=ACTIVE")
    assert (
        compute.get("/v2.1/images", headers=compute.alice_h, query="status=bogus").status_code
        == 400
    )
    # Nova lowercases the status for Glance: ACTIVE finds active images, not a queued one.
    assert CIRROS_ID in {i["id"] for i in active.json["images"]}
    assert snap not in {i["id"] for i in active.json["images"]}
    first = compute.get("/v2.1/images", headers=compute.alice_h, query="limit=1")
    assert len(first.json["images"]) == 1
    assert first.json["images_links"][0]["rel"] == "next"
    marker = first.json["images"][0]["id"]
    rest = compute.get("/v2.1/images", headers=compute.alice_h, query=f"marker={marker}")
    assert marker not in {i["id"] for i in rest.json["images"]}
    assert len(rest.json["images"]) >= 1
    bad = compute.get("/v2.1/images", headers=compute.alice_h, query="marker=nothing")
    assert bad.status_code == 400


def test_metadata_is_read_and_written_through_the_image_service(compute: Compute) -> None:
    image = _glance_image(compute, compute.alice_h, name="mine", color="red")
    path = f"/v2.1/images/{image}/metadata"
    assert compute.get(path, headers=compute.alice_h).json == {"metadata": {"color": "red"}}
    merged = compute.call("POST", path, headers=compute.alice_h, body={"metadata": {"a": "1"}})
    assert merged.json == {"metadata": {"color": "red", "a": "1"}}
    replaced = compute.call("PUT", path, headers=compute.alice_h, body={"metadata": {"b": "2"}})
    assert replaced.json == {"metadata": {"b": "2"}}
    one = compute.call("PUT", f"{path}/c", headers=compute.alice_h, body={"meta": {"c": "3"}})
    assert one.json == {"meta": {"c": "3"}}
    mismatch = compute.call("PUT", f"{path}/c", headers=compute.alice_h, body={"meta": {"d": "3"}})
    assert fault(mismatch) == ("badRequest", "Request body and URI mismatch")
    assert compute.get(f"{path}/c", headers=compute.alice_h).json == {"meta": {"c": "3"}}
    assert compute.call("DELETE", f"{path}/c", headers=compute.alice_h).status_code == 204
    assert compute.get(f"{path}/c", headers=compute.alice_h).status_code == 404
    gone = compute.call("DELETE", f"{path}/c", headers=compute.alice_h)
    assert fault(gone) == ("itemNotFound", "Invalid metadata key")
    assert compute.get(path, headers=compute.alice_h).json == {"metadata": {"b": "2"}}
    # A public image is everyone's to read, only its owner's (an admin's) to change.
    public = f"/v2.1/images/{CIRROS_ID}/metadata"
    refused = compute.call("POST", public, headers=compute.alice_h, body={"metadata": {"x": "1"}})
    assert refused.status_code == 403
    assert compute.get(path, headers=compute.bob_h).status_code == 404


def test_glances_reserved_and_read_only_names_cannot_be_set_as_metadata(
    compute: Compute,
) -> None:
    image = _glance_image(compute, compute.alice_h, name="mine")
    path = f"/v2.1/images/{image}/metadata"
    for key in ("locations", "direct_url", "os_glance_import_task", "deleted", "name"):
        refused = compute.call("POST", path, headers=compute.alice_h,
                               body={"metadata": {key: "x"}})  # fmt: skip
        assert refused.status_code == 403, key
    assert compute.get(path, headers=compute.alice_h).json == {"metadata": {}}


def test_deleting_an_image(compute: Compute) -> None:
    image = _glance_image(compute, compute.alice_h, name="doomed")
    assert (
        compute.call("DELETE", f"/v2.1/images/{CIRROS_ID}", headers=compute.alice_h).status_code
        == 403
    )
    assert compute.call("DELETE", f"/v2.1/images/{image}", headers=compute.bob_h).status_code == 404
    assert (
        compute.call("DELETE", f"/v2.1/images/{image}", headers=compute.alice_h).status_code == 204
    )
    missing = compute.get(f"/v2.1/images/{image}", headers=compute.alice_h)
    assert fault(missing) == ("itemNotFound", "Image not found.")
