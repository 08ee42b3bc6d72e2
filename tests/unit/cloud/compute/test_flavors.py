"""Flavors: list, detail, show, filters, sorting, paging, admin create/delete, bootstrap."""

from __future__ import annotations

from pocketstack.cloud.compute.bootstrap import bootstrap_compute
from tests.unit.cloud.compute.helpers import Compute, fault


def test_bootstrap_flavors_and_idempotence(compute: Compute) -> None:
    bootstrap_compute(compute.deps)
    result = compute.get("/v2.1/flavors", headers=compute.alice_h)
    assert [(f["id"], f["name"]) for f in result.json["flavors"]] == [
        ("1", "m1.tiny"), ("2", "m1.small"), ("3", "m1.medium"), ("4", "m1.large"),
        ("5", "m1.xlarge"),
    ]  # fmt: skip
    assert set(result.json["flavors"][0]) == {"id", "name", "links"}


def test_detail_fields_by_version(compute: Compute) -> None:
    old = compute.get("/v2.1/flavors/detail", headers=compute.alice_h).json["flavors"][0]
    assert old["swap"] == ""
    assert (old["ram"], old["vcpus"], old["disk"]) == (512, 1, 1)
    assert old["os-flavor-access:is_public"] is True
    assert "description" not in old
    assert "extra_specs" not in old
    new = compute.get("/v2.1/flavors/detail", headers=compute.alice_h, version="2.75")
    flavor = new.json["flavors"][0]
    assert flavor["swap"] == 0
    assert flavor["description"] is None
    assert flavor["extra_specs"] == {}


def test_filters_sort_paging(compute: Compute) -> None:
    def listing(**params: str) -> list[str]:
        result = compute.get("/v2.1/flavors", headers=compute.alice_h, params=params)
        assert result.status_code == 200, result.text
        return [f["id"] for f in result.json["flavors"]]

    assert listing(minRam="4096") == ["3", "4", "5"]
    assert listing(minDisk="80") == ["4", "5"]
    assert listing(sort_key="memory_mb", sort_dir="desc") == ["5", "4", "3", "2", "1"]
    assert listing(limit="2") == ["1", "2"]
    assert listing(limit="2", marker="2") == ["3", "4"]
    page = compute.get("/v2.1/flavors", headers=compute.alice_h, params={"limit": "2"})
    assert "marker=2" in page.json["flavors_links"][0]["href"]
    for bad in ({"minRam": "x"}, {"sort_key": "nope"}, {"marker": "zz"}, {"limit": "-1"}):
        assert compute.get("/v2.1/flavors", headers=compute.alice_h,
                           params=bad).status_code == 400  # fmt: skip


def test_show_and_404(compute: Compute) -> None:
    assert compute.get("/v2.1/flavors/3", headers=compute.alice_h).json["flavor"]["name"] == (
        "m1.medium"
    )
    assert fault(compute.get("/v2.1/flavors/99", headers=compute.alice_h)) == (
        "itemNotFound",
        "Flavor 99 could not be found.",
    )


def test_admin_create_private_flavor_and_delete(compute: Compute) -> None:
    body = {"flavor": {"name": "p1", "ram": 64, "vcpus": 1, "disk": 0, "id": "p1",
                       "os-flavor-access:is_public": False}}  # fmt: skip
    member = compute.call("POST", "/v2.1/flavors", headers=compute.alice_h, body=body)
    assert member.status_code == 403
    created = compute.call("POST", "/v2.1/flavors", headers=compute.admin, body=body)
    assert created.status_code == 200
    assert created.json["flavor"]["os-flavor-access:is_public"] is False
    again = compute.call("POST", "/v2.1/flavors", headers=compute.admin, body=body)
    assert again.status_code == 409
    assert compute.get("/v2.1/flavors/p1", headers=compute.alice_h).status_code == 404
    listed = compute.get("/v2.1/flavors", headers=compute.admin, params={"is_public": "None"})
    assert "p1" in [f["id"] for f in listed.json["flavors"]]
    public_only = compute.get("/v2.1/flavors", headers=compute.admin)
    assert "p1" not in [f["id"] for f in public_only.json["flavors"]]
    assert compute.call("DELETE", "/v2.1/flavors/p1", headers=compute.admin).status_code == 202
    assert compute.get("/v2.1/flavors/p1", headers=compute.admin).status_code == 404
