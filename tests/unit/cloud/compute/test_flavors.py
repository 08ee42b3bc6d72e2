"""Flavors: list, detail, show, filters, sorting, paging, admin create/delete, bootstrap."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

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


def _many(compute: Compute, count: int) -> None:
    for n in range(count):
        body = {
            "flavor": {
                "name": f"f{n:03}",
                "id": f"f{n:03}",
                "ram": 100 + n % 7,
                "vcpus": 1,
                "disk": n % 3,
            }
        }
        assert (
            compute.call("POST", "/v2.1/flavors", headers=compute.admin, body=body).status_code
            == 200
        )


def _walk(compute: Compute, **params: str) -> list[str]:
    seen: list[str] = []
    marker: str | None = None
    while True:
        query = dict(params, limit="4", **({"marker": marker} if marker else {}))
        page = compute.get("/v2.1/flavors/detail", headers=compute.admin, params=query)
        assert page.status_code == 200, page.text
        ids = [f["id"] for f in page.json["flavors"]]
        seen += ids
        if "flavors_links" not in page.json:
            return seen
        marker = ids[-1]


def test_keyset_pages_follow_every_sort(compute: Compute) -> None:
    _many(compute, 23)
    for key in ("memory_mb", "name", "root_gb", "rxtx_factor", "description", "id", "flavorid"):
        for direction in ("asc", "desc"):
            whole = compute.get(
                "/v2.1/flavors/detail",
                headers=compute.admin,
                params={"sort_key": key, "sort_dir": direction},
            )
            expected = [f["id"] for f in whole.json["flavors"]]
            assert len(expected) == 28
            assert _walk(compute, sort_key=key, sort_dir=direction) == expected, (key, direction)
    by_ram = compute.get(
        "/v2.1/flavors/detail",
        headers=compute.admin,
        params={"sort_key": "memory_mb", "minRam": "105"},
    ).json["flavors"]
    rams = [f["ram"] for f in by_ram]
    assert rams == sorted(rams)
    assert min(rams) >= 105


def test_a_page_is_one_keyset_query(compute: Compute) -> None:
    _many(compute, 40)
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    engine = compute.deps.store.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        page = compute.get(
            "/v2.1/flavors",
            headers=compute.alice_h,
            params={"limit": "3", "marker": "f010", "minRam": "101"},
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert [f["id"] for f in page.json["flavors"]] == ["f011", "f012", "f013"]
    listing = [s for s in statements if "FROM flavor" in s and "LIMIT" in s.upper()]
    # The page's rows come from one statement bounded by the marker and the limit: its cost
    # is the page's, not the table's.
    assert len(listing) == 1
    assert "flavor.id >" in listing[0]
    assert "memory_mb >=" in listing[0]


def test_query_parameters_as_nova(compute: Compute) -> None:
    unknown = compute.get(
        "/v2.1/flavors", headers=compute.alice_h, version="2.75", params={"foo": "1"}
    )
    assert fault(unknown) == (
        "badRequest",
        "Additional properties are not allowed ('foo' was unexpected)",
    )
    ignored = compute.get(
        "/v2.1/flavors", headers=compute.alice_h, version="2.74", params={"foo": "1"}
    )
    assert ignored.status_code == 200
    marker = compute.get("/v2.1/flavors", headers=compute.alice_h, params={"marker": "zz"})
    assert fault(marker) == ("badRequest", "marker [zz] not found")
    assert fault(compute.get("/v2.1/flavors", headers=compute.alice_h, params={"minRam": "x"})) == (
        "badRequest",
        "Invalid minRam filter [x]",
    )
    # int() reads spaces and a sign; a number past any flavor matches none.
    spaced = compute.get("/v2.1/flavors", headers=compute.alice_h, params={"minDisk": " +80 "})
    assert [f["id"] for f in spaced.json["flavors"]] == ["4", "5"]
    huge = compute.get("/v2.1/flavors", headers=compute.alice_h, params={"minRam": "9" * 50})
    assert huge.json["flavors"] == []


def test_numeric_ids_are_checked_as_text(compute: Compute) -> None:
    def create(flavor_id: object, name: str) -> Any:
        body = {"flavor": {"name": name, "id": flavor_id, "ram": 64, "vcpus": 1, "disk": 0}}
        return compute.call("POST", "/v2.1/flavors", headers=compute.admin, body=body)

    assert create(42, "n42").json["flavor"]["id"] == "42"
    exponent = create(1e300, "big")
    assert fault(exponent)[0] == "badRequest"
    assert "'1e+300' does not match" in fault(exponent)[1]
    long = create(10**300, "long")
    assert fault(long)[0] == "badRequest"
    assert "is too long" in fault(long)[1]
    assert fault(create("42", "other")) == (
        "conflictingRequest",
        "Flavor with ID 42 already exists.",
    )
    assert fault(create("43", "n42")) == (
        "conflictingRequest",
        "Flavor with name n42 already exists.",
    )
