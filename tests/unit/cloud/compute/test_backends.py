"""The same listings on SQLite, PostgreSQL and MariaDB: regex matching, sorting, paging."""

from __future__ import annotations

import pytest

from pocketstack.cloud.compute import states
from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.compute.helpers import Compute, build_compute, ids, names


@pytest.fixture
def any_db(cloud_deps_any_db: CloudDeps) -> Compute:
    compute = build_compute(cloud_deps_any_db)
    p = compute.alice.project_id
    for minute, name in enumerate(["alpha-1", "Alpha-2", "beta-10", "beta_2", "gamma.3", "ALPHA"]):
        compute.make(project=p, name=name, minutes=minute,
                     key_name=None if minute % 2 else f"k{minute}",
                     tags=("odd",) if minute % 2 else ("even",))  # fmt: skip
    compute.make(project=compute.bob.project_id, name="alpha-bob", minutes=9)
    compute.make(project=p, name="alpha-deleted", minutes=10, vm_state=states.DELETED)
    return compute


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("alpha", ["alpha-1"]),  # case-sensitive everywhere (MariaDB included)
        ("^[aA]", ["ALPHA", "Alpha-2", "alpha-1"]),
        ("a-\\d$", ["Alpha-2", "alpha-1"]),
        ("beta.[0-9]+", ["beta_2", "beta-10"]),
        ("\\.", ["gamma.3"]),
        ("(?:10|3)$", ["gamma.3", "beta-10"]),
        ("^$", []),
    ],
)
def test_regex_same_on_every_backend(any_db: Compute, pattern: str, expected: list[str]) -> None:
    result = any_db.get("/v2.1/servers", headers=any_db.alice_h, params={"name": pattern})
    assert result.status_code == 200, result.text
    assert names(result) == expected


def test_sort_with_nulls_same_on_every_backend(any_db: Compute) -> None:
    result = any_db.get(
        "/v2.1/servers",
        headers=any_db.alice_h,
        query="sort_key=key_name&sort_dir=asc&sort_key=created_at&sort_dir=asc",
    )
    assert names(result) == ["Alpha-2", "beta_2", "ALPHA", "alpha-1", "beta-10", "gamma.3"]


def test_paging_same_on_every_backend(any_db: Compute) -> None:
    query = "sort_key=key_name&sort_dir=desc&limit=2"
    seen: list[str] = []
    marker = ""
    for _ in range(10):
        page = any_db.get("/v2.1/servers", headers=any_db.alice_h, query=query + marker)
        seen += names(page)
        if "servers_links" not in page.json:
            break
        marker = "&marker=" + ids(page)[-1]
    assert seen == ["gamma.3", "beta-10", "alpha-1", "ALPHA", "beta_2", "Alpha-2"]


def test_tags_and_changes_since_on_every_backend(any_db: Compute) -> None:
    result = any_db.get("/v2.1/servers", headers=any_db.alice_h, version="2.26",
                        params={"tags": "odd"})  # fmt: skip
    assert names(result) == ["ALPHA", "beta_2", "Alpha-2"]
    admin = any_db.get(
        "/v2.1/servers/detail",
        headers=any_db.admin,
        params={"all_tenants": "1", "changes-since": "2024-01-01T00:08:00Z"},
    )
    assert names(admin) == ["alpha-deleted", "alpha-bob"]
    assert admin.json["servers"][0]["status"] == "DELETED"


def test_create_and_delete_on_every_backend(any_db: Compute) -> None:
    server_id = any_db.boot(any_db.alice_h, name="fresh")
    shown = any_db.get(f"/v2.1/servers/{server_id}", headers=any_db.alice_h, version="2.100")
    assert shown.json["server"]["status"] == "ACTIVE"
    assert any_db.call("DELETE", f"/v2.1/servers/{server_id}",
                       headers=any_db.alice_h).status_code == 204  # fmt: skip


def test_a_listed_servers_security_groups_and_metadata_on_every_backend(any_db: Compute) -> None:
    """The page's lookups by its servers (ports' groups, metadata, tags) go to the database as
    one list value: the same answer from each."""
    server_id = any_db.boot(any_db.alice_h, name="with-port", metadata={"role": "web"})
    listed = any_db.get("/v2.1/servers/detail", headers=any_db.alice_h, version="2.96").json
    by_id = {s["id"]: s for s in listed["servers"]}
    assert by_id[server_id]["security_groups"] == [{"name": "default"}]
    assert by_id[server_id]["metadata"] == {"role": "web"}
    assert sorted(s["tags"][0] for s in listed["servers"] if s["tags"]) == ["even"] * 3 + [
        "odd"] * 3  # fmt: skip
    # The seeded servers have no port: no groups to show.
    assert all("security_groups" not in s for s in listed["servers"] if s["id"] != server_id)
