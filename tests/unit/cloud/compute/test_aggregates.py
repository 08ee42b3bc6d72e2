"""os-aggregates through the compute API: create, list, show, update, delete, the host and
metadata actions, the image cache request, their microversions, statuses and policies."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.unit.cloud.compute.helpers import Compute, fault

AGGREGATES = "/v2.1/os-aggregates"


def create(compute: Compute, name: str = "agg", version: str = "2.1", **extra: Any) -> Any:
    result = compute.call(
        "POST", AGGREGATES, headers=compute.admin, version=version,
        body={"aggregate": {"name": name, **extra}},
    )  # fmt: skip
    assert result.status_code == 200, result.text
    return result.json["aggregate"]


def act(compute: Compute, ident: object, body: Any, version: str = "2.1") -> Any:
    return compute.call(
        "POST", f"{AGGREGATES}/{ident}/action", headers=compute.admin, version=version, body=body
    )


def show(compute: Compute, ident: object, version: str = "2.1") -> Any:
    result = compute.get(f"{AGGREGATES}/{ident}", headers=compute.admin, version=version)
    assert result.status_code == 200, result.text
    return result.json["aggregate"]


def test_create_answers_the_aggregate_without_hosts_or_metadata(compute: Compute) -> None:
    made = create(compute, "rack-1")
    assert set(made) == {
        "availability_zone", "created_at", "deleted", "deleted_at", "id", "name", "updated_at",
    }  # fmt: skip
    assert made["name"] == "rack-1"
    assert made["availability_zone"] is None
    assert made["deleted"] is False
    assert made["deleted_at"] is None
    assert made["updated_at"] is None
    assert isinstance(made["id"], int)
    # Nova's times: naive, with microseconds.
    assert made["created_at"].startswith("20")
    assert "." in made["created_at"]
    assert not made["created_at"].endswith("Z")


def test_uuid_shows_from_241(compute: Compute) -> None:
    made = create(compute, "a", version="2.41")
    assert len(made["uuid"]) == 36
    assert "uuid" not in show(compute, made["id"], "2.40")
    assert show(compute, made["id"], "2.41")["uuid"] == made["uuid"]
    listed = compute.get(AGGREGATES, headers=compute.admin, version="2.41").json["aggregates"]
    assert [a["uuid"] for a in listed] == [made["uuid"]]


def test_list_and_show_carry_hosts_metadata_and_zone(compute: Compute) -> None:
    first = create(compute, "one", availability_zone="az-1")
    second = create(compute, "two")
    assert first["availability_zone"] == "az-1"
    act(compute, second["id"], {"add_host": {"host": "compute-2"}})
    act(compute, second["id"], {"set_metadata": {"metadata": {"ssd": "true"}}})
    listed = compute.get(AGGREGATES, headers=compute.admin).json["aggregates"]
    assert [(a["name"], a["availability_zone"], a["hosts"], a["metadata"]) for a in listed] == [
        ("one", "az-1", [], {"availability_zone": "az-1"}),
        ("two", None, ["compute-2"], {"ssd": "true"}),
    ]
    assert show(compute, second["id"])["hosts"] == ["compute-2"]


def test_a_duplicate_name_is_a_conflict_and_a_delete_frees_the_name(compute: Compute) -> None:
    made = create(compute, "dup")
    again = compute.call("POST", AGGREGATES, headers=compute.admin,
                         body={"aggregate": {"name": "dup"}})  # fmt: skip
    assert again.status_code == 409
    assert fault(again) == ("conflictingRequest", "Aggregate dup already exists.")
    gone = compute.call("DELETE", f"{AGGREGATES}/{made['id']}", headers=compute.admin)
    assert gone.status_code == 200
    assert gone.text == ""
    assert compute.get(f"{AGGREGATES}/{made['id']}", headers=compute.admin).status_code == 404
    assert create(compute, "dup")["id"] != made["id"]


@pytest.mark.parametrize(
    "body",
    [
        {"aggregate": {"name": ""}},
        {"aggregate": {"name": "a" * 256}},
        {"aggregate": {"name": " padded "}},
        {"aggregate": {"name": "x", "availability_zone": "with:colon"}},
        {"aggregate": {"name": "x", "availability_zone": ""}},
        {"aggregate": {"name": "x", "other": 1}},
        {"aggregate": {}},
        {"name": "x"},
    ],
)
def test_create_refuses_bodies_nova_refuses(compute: Compute, body: Any) -> None:
    result = compute.call("POST", AGGREGATES, headers=compute.admin, body=body)
    assert result.status_code == 400, result.text


def test_the_legacy_api_strips_spaces_around_names(compute: Compute) -> None:
    result = compute.call(
        "POST", f"/v2/{compute.admin_project}/os-aggregates", headers=compute.admin,
        body={"aggregate": {"name": "  old  ", "availability_zone": " zone "}},
    )  # fmt: skip
    assert result.status_code == 200, result.text
    assert (result.json["aggregate"]["name"], result.json["aggregate"]["availability_zone"]) == (
        "old",
        "zone",
    )


def test_update_renames_and_rezones_and_sets_updated_at(compute: Compute) -> None:
    made = create(compute, "before", availability_zone="az-a")
    create(compute, "taken")
    body = {"aggregate": {"name": " after ", "availability_zone": "az-b"}}
    result = compute.call("PUT", f"{AGGREGATES}/{made['id']}", headers=compute.admin, body=body)
    assert result.status_code == 200, result.text
    updated = result.json["aggregate"]
    assert (updated["name"], updated["availability_zone"]) == ("after", "az-b")
    assert updated["metadata"] == {"availability_zone": "az-b"}
    assert updated["updated_at"] is not None
    clash = compute.call("PUT", f"{AGGREGATES}/{made['id']}", headers=compute.admin,
                         body={"aggregate": {"name": "taken"}})  # fmt: skip
    assert clash.status_code == 409
    for body in ({"aggregate": {}}, {"aggregate": {"availability_zone": None}},
                 {"aggregate": {"availability_zone": "a:b"}}):  # fmt: skip
        refused = compute.call("PUT", f"{AGGREGATES}/{made['id']}", headers=compute.admin,
                               body=body)  # fmt: skip
        assert refused.status_code == 400, body
    assert show(compute, made["id"])["name"] == "after"


def test_set_metadata_merges_and_null_removes_a_key(compute: Compute) -> None:
    made = create(compute, "meta")
    act(compute, made["id"], {"set_metadata": {"metadata": {"a": "1", "b": "2"}}})
    changes = {"a": None, "b": "3", "c": "4", "gone": None}
    result = act(compute, made["id"], {"set_metadata": {"metadata": changes}})
    assert result.status_code == 200, result.text
    assert result.json["aggregate"]["metadata"] == {"b": "3", "c": "4"}
    assert result.json["aggregate"]["updated_at"] is not None
    assert show(compute, made["id"])["metadata"] == {"b": "3", "c": "4"}
    bad = act(compute, made["id"], {"set_metadata": {"metadata": {"bad/key": "1"}}})
    assert bad.status_code == 400


def test_the_zone_cannot_be_removed_or_emptied_through_metadata(compute: Compute) -> None:
    made = create(compute, "zoned", availability_zone="az-1")
    for zone in (None, ""):
        result = act(
            compute, made["id"], {"set_metadata": {"metadata": {"availability_zone": zone}}}
        )
        assert result.status_code == 400
        assert "does not support empty named availability zone" in fault(result)[1]
    assert show(compute, made["id"])["availability_zone"] == "az-1"


def test_add_and_remove_host_with_nova_statuses(compute: Compute) -> None:
    made = create(compute, "hosts")
    added = act(compute, made["id"], {"add_host": {"host": "compute-1"}})
    assert added.status_code == 200, added.text
    assert added.json["aggregate"]["hosts"] == ["compute-1"]
    again = act(compute, made["id"], {"add_host": {"host": "compute-1"}})
    assert again.status_code == 409
    assert fault(again)[1] == f"Aggregate {made['id']} already has host compute-1."
    unknown = act(compute, made["id"], {"add_host": {"host": "nowhere"}})
    assert unknown.status_code == 404
    assert fault(unknown)[1] == "Compute host nowhere could not be found."
    # The controller runs services, but no compute: not a host an aggregate takes.
    assert act(compute, made["id"], {"add_host": {"host": "controller"}}).status_code == 404
    not_member = act(compute, made["id"], {"remove_host": {"host": "compute-2"}})
    assert not_member.status_code == 404
    assert act(compute, made["id"], {"remove_host": {"host": "nowhere"}}).status_code == 404
    # Not empty: Nova's 400.
    busy = compute.call("DELETE", f"{AGGREGATES}/{made['id']}", headers=compute.admin)
    assert busy.status_code == 400
    assert "Host aggregate is not empty" in fault(busy)[1]
    removed = act(compute, made["id"], {"remove_host": {"host": "compute-1"}})
    assert removed.status_code == 200
    assert removed.json["aggregate"]["hosts"] == []
    assert (
        compute.call("DELETE", f"{AGGREGATES}/{made['id']}", headers=compute.admin).status_code
        == 200
    )


@pytest.mark.parametrize(
    "body",
    [
        {"add_host": {"host": ""}},
        {"add_host": {"host": "bad host"}},
        {"add_host": {}},
        {"remove_host": {"host": "compute-1", "x": 1}},
        {"set_metadata": {}},
        {"add_host": {"host": "compute-1"}, "remove_host": {"host": "compute-1"}},
        {"explode": {}},
    ],
)
def test_actions_refuse_bodies_nova_refuses(compute: Compute, body: Any) -> None:
    made = create(compute, "act")
    assert act(compute, made["id"], body).status_code == 400


@pytest.mark.parametrize(
    ("ident", "status"), [("-1", 404), ("99999", 404), ("99999999999999999999", 404), ("abc", 400),
                          ("1.5", 400)],
)  # fmt: skip
def test_ids_are_integers(compute: Compute, ident: str, status: int) -> None:
    assert compute.get(f"{AGGREGATES}/{ident}", headers=compute.admin).status_code == status
    assert (
        compute.call("DELETE", f"{AGGREGATES}/{ident}", headers=compute.admin).status_code == status
    )
    put = compute.call("PUT", f"{AGGREGATES}/{ident}", headers=compute.admin,
                       body={"aggregate": {"name": "x"}})  # fmt: skip
    assert put.status_code == status
    assert act(compute, ident, {"add_host": {"host": "compute-1"}}).status_code == status


def test_everything_is_an_admins(compute: Compute) -> None:
    made = create(compute, "admins")
    item = f"{AGGREGATES}/{made['id']}"
    checks = [
        ("GET", AGGREGATES, None, "index"),
        ("POST", AGGREGATES, {"aggregate": {"name": "x"}}, "create"),
        ("GET", item, None, "show"),
        ("PUT", item, {"aggregate": {"name": "y"}}, "update"),
        ("DELETE", item, None, "delete"),
        ("POST", item + "/action", {"add_host": {"host": "compute-1"}}, "add_host"),
        ("POST", item + "/action", {"remove_host": {"host": "compute-1"}}, "remove_host"),
        ("POST", item + "/action", {"set_metadata": {"metadata": {}}}, "set_metadata"),
    ]
    for method, path, body, rule in checks:
        result = compute.call(method, path, headers=compute.alice_h, body=body)
        assert result.status_code == 403, (method, path)
        assert f"os_compute_api:os-aggregates:{rule}" in fault(result)[1]
    images = compute.call("POST", item + "/images", headers=compute.alice_h, version="2.81",
                          body={"cache": [{"id": CIRROS_ID}]})  # fmt: skip
    assert images.status_code == 403
    assert "compute:aggregates:images" in fault(images)[1]
    assert show(compute, made["id"])["hosts"] == []


def test_image_cache_requests_check_the_images_and_answer_202(compute: Compute) -> None:
    made = create(compute, "cache")
    path = f"{AGGREGATES}/{made['id']}/images"

    def cache(body: Any, version: str = "2.81") -> Any:
        return compute.call("POST", path, headers=compute.admin, version=version, body=body)

    accepted = cache({"cache": [{"id": CIRROS_ID}]})
    assert accepted.status_code == 202, accepted.text
    assert cache({"cache": [{"id": CIRROS_ID}]}, version="2.80").status_code == 404
    missing = "00000000-0000-4000-8000-000000000000"
    unknown = cache({"cache": [{"id": missing}]})
    assert unknown.status_code == 400
    assert fault(unknown)[1] == f"Image {missing} could not be found."
    duplicated = cache({"cache": [{"id": CIRROS_ID}, {"id": CIRROS_ID}]})
    assert (duplicated.status_code, fault(duplicated)[1]) == (400, "Duplicate images in request")
    assert cache({"cache": []}).status_code == 400
    assert cache({"cache": [{"id": "not-a-uuid"}]}).status_code == 400
    other = compute.call("POST", f"{AGGREGATES}/99999/images", headers=compute.admin,
                         version="2.81", body={"cache": [{"id": CIRROS_ID}]})  # fmt: skip
    assert other.status_code == 404
