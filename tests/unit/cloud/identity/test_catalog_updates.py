"""Updating regions, services and endpoints (PATCH), and making a region under a chosen id
(PUT), with Keystone's answers: a missing or circular parent region, a reference to nothing,
an id that is not the entity's own, and admins only."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import OffsetClock, create_user, issue_token, make_deps
from tests.unit.cloud.identity.conftest import Client


def _region(client: Client, admin: str, region_id: str, parent: str | None = None) -> None:
    body: dict[str, Any] = {"id": region_id}
    if parent is not None:
        body["parent_region_id"] = parent
    made = client.post("/v3/regions", json={"region": body}, token=admin)
    assert made.status_code == 201, made.text


def _patch(client: Client, admin: str, path: str, body: Any) -> Any:
    return client.request("PATCH", path, json=body, token=admin)


def test_put_makes_a_region_under_the_given_id_once(client: Client, admin: str) -> None:
    made = client.request("PUT", "/v3/regions/east", json={"region": {"description": "E"}},
                          token=admin)  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json["region"]["id"] == "east"
    assert made.json["region"]["description"] == "E"
    shown = client.get("/v3/regions/east", token=admin)
    assert shown.json["region"]["description"] == "E"
    again = client.request("PUT", "/v3/regions/east", json={"region": {}}, token=admin)
    assert again.status_code == 409, again.text
    assert again.json["error"]["message"] == (
        "Conflict occurred attempting to store region - Duplicate ID, east."
    )
    other = client.request("PUT", "/v3/regions/west", json={"region": {"id": "north"}},
                           token=admin)  # fmt: skip
    assert other.status_code == 400, other.text
    assert client.get("/v3/regions/north", token=admin).status_code == 404
    orphan = client.request(
        "PUT", "/v3/regions/south", json={"region": {"parent_region_id": "nowhere"}}, token=admin
    )
    assert orphan.status_code == 404, orphan.text
    too_long = client.request("PUT", "/v3/regions/" + "r" * 256, json={"region": {}},
                              token=admin)  # fmt: skip
    assert too_long.status_code == 400, too_long.text


def test_region_patch_changes_description_and_parent(client: Client, admin: str) -> None:
    _region(client, admin, "top")
    _region(client, admin, "child")
    moved = _patch(
        client,
        admin,
        "/v3/regions/child",
        {"region": {"parent_region_id": "top", "description": "under top"}},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json["region"]["parent_region_id"] == "top"
    assert moved.json["region"]["description"] == "under top"
    listed = client.get("/v3/regions", token=admin, query="parent_region_id=top")
    assert [r["id"] for r in listed.json["regions"]] == ["child"]
    # A null parent makes it a root again; a null description clears it.
    root = _patch(
        client,
        admin,
        "/v3/regions/child",
        {"region": {"parent_region_id": None, "description": None}},
    )
    assert root.status_code == 200, root.text
    assert root.json["region"]["parent_region_id"] is None
    assert root.json["region"]["description"] == ""


def test_region_patch_refuses_unknown_parents_and_cycles(client: Client, admin: str) -> None:
    _region(client, admin, "a")
    _region(client, admin, "b", parent="a")
    _region(client, admin, "c", parent="b")
    unknown = _patch(client, admin, "/v3/regions/a", {"region": {"parent_region_id": "zz"}})
    assert unknown.status_code == 404, unknown.text
    assert unknown.json["error"]["message"] == "Could not find region: zz."
    for parent in ("a", "c"):
        cycle = _patch(client, admin, "/v3/regions/a", {"region": {"parent_region_id": parent}})
        assert cycle.status_code == 400, cycle.text
        assert cycle.json["error"]["message"] == (
            f"The specified parent region {parent} would create a circular region hierarchy."
        )
    assert client.get("/v3/regions/a", token=admin).json["region"]["parent_region_id"] is None
    missing = _patch(client, admin, "/v3/regions/nope", {"region": {"description": "x"}})
    assert missing.status_code == 404, missing.text
    empty = _patch(client, admin, "/v3/regions/a", {"region": {}})
    assert empty.status_code == 400, empty.text
    renamed = _patch(client, admin, "/v3/regions/a", {"region": {"id": "other"}})
    assert renamed.status_code == 400, renamed.text


def test_service_patch(client: Client, admin: str) -> None:
    made = client.post("/v3/services", json={"service": {"type": "volume", "name": "cinder"}},
                       token=admin).json["service"]  # fmt: skip
    path = f"/v3/services/{made['id']}"
    changed = _patch(client, admin, path, {"service": {
        "type": "volumev3", "name": "cinderv3", "description": "blocks", "enabled": False,
        "extra": "kept out"}})  # fmt: skip
    assert changed.status_code == 200, changed.text
    service = client.get(path, token=admin).json["service"]
    assert (service["type"], service["name"], service["description"], service["enabled"]) == (
        "volumev3",
        "cinderv3",
        "blocks",
        False,
    )
    for bad in (
        {"service": {}},
        {"service": {"name": "n" * 256}},
        {"service": {"type": ""}},
        {"service": {"enabled": "yes"}},
        {"other": {}},
    ):
        assert _patch(client, admin, path, bad).status_code == 400, bad
    assert _patch(client, admin, "/v3/services/none", {"service": {"name": "x"}}).status_code == 404


def test_endpoint_patch(client: Client, admin: str) -> None:
    _region(client, admin, "r1")
    service = client.post("/v3/services", json={"service": {"type": "object-store"}},
                          token=admin).json["service"]["id"]  # fmt: skip
    other = client.post("/v3/services", json={"service": {"type": "dns"}},
                        token=admin).json["service"]["id"]  # fmt: skip
    made = client.post("/v3/endpoints", json={"endpoint": {
        "interface": "public", "url": "http://old.test", "service_id": service}},
        token=admin).json["endpoint"]  # fmt: skip
    path = f"/v3/endpoints/{made['id']}"
    changed = _patch(client, admin, path, {"endpoint": {
        "url": "http://new.test", "interface": "internal", "region_id": "r1",
        "service_id": other, "enabled": False}})  # fmt: skip
    assert changed.status_code == 200, changed.text
    shown = client.get(path, token=admin).json["endpoint"]
    assert (
        shown["url"],
        shown["interface"],
        shown["region_id"],
        shown["service_id"],
        shown["enabled"],
    ) == ("http://new.test", "internal", "r1", other, False)
    for ref in ({"region_id": "nowhere"}, {"service_id": "nothing"}):
        refused = _patch(client, admin, path, {"endpoint": ref})
        assert refused.status_code == 400, refused.text
        assert refused.json["error"]["message"].startswith("Expecting to find endpoint")
    cleared = _patch(client, admin, path, {"endpoint": {"region_id": None}})
    assert cleared.json["endpoint"]["region_id"] is None
    for bad in (
        {"endpoint": {"interface": "private"}},
        {"endpoint": {"url": "no-scheme"}},
        {"endpoint": {}},
    ):
        assert _patch(client, admin, path, bad).status_code == 400, bad


def test_updates_are_for_admins(client: Client, admin: str, deps: CloudDeps) -> None:
    _region(client, admin, "mine")
    alice = create_user(deps, name="alice", project_name="p1")
    member = issue_token(deps, user_id=alice.id, project_id=alice.project_id)
    for method, path, body in (
        ("PATCH", "/v3/regions/mine", {"region": {"description": "x"}}),
        ("PUT", "/v3/regions/theirs", {"region": {}}),
        ("PATCH", "/v3/services/any", {"service": {"name": "x"}}),
        ("PATCH", "/v3/endpoints/any", {"endpoint": {"url": "http://x.test"}}),
        ("PATCH", "/v3/roles/any", {"role": {"name": "x"}}),
    ):
        refused = client.request(method, path, json=body, token=member)
        assert refused.status_code == 403, (path, refused.text)
    assert client.get("/v3/regions/mine", token=admin).json["region"]["description"] == ""
    assert client.get("/v3/regions/theirs", token=admin).status_code == 404


def _race(client: Client, requests: list[Callable[[], int]]) -> list[int]:
    start = threading.Barrier(len(requests))
    statuses: list[int] = []
    lock = threading.Lock()

    def run(send: Callable[[], int]) -> None:
        start.wait()
        status = send()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(send,)) for send in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sorted(statuses)


def test_racing_region_writes(db_url: str, tmp_path: Path, clock: OffsetClock) -> None:
    """Two moves that together would close a cycle: one is taken, the other sees it (400);
    PUTs of one id: one 201, the others 409; endpoints making one region: all made. Never a
    500."""
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=clock)
    try:
        client = Client(deps)
        admin = client.admin_token()
        _region(client, admin, "x")
        _region(client, admin, "y")

        def move(region: str, parent: str) -> Callable[[], int]:
            body = {"region": {"parent_region_id": parent}}
            return lambda: _patch(client, admin, f"/v3/regions/{region}", body).status_code

        assert _race(client, [move("x", "y"), move("y", "x")]) == [200, 400]
        parents = {
            r["id"]: r["parent_region_id"]
            for r in client.get("/v3/regions", token=admin).json["regions"]
        }
        assert None in (parents["x"], parents["y"])

        def put() -> int:
            return client.request(
                "PUT", "/v3/regions/z", json={"region": {}}, token=admin
            ).status_code

        assert _race(client, [put] * 3) == [201, 409, 409]

        # Endpoints naming one missing region the legacy way: it is made once, both are made.
        service = client.post(
            "/v3/services", json={"service": {"type": "compute"}}, token=admin
        ).json["service"]["id"]
        legacy = {"endpoint": {"interface": "public", "url": "http://a.test",
                               "service_id": service, "region": "legacy"}}  # fmt: skip

        def endpoint() -> int:
            return client.post("/v3/endpoints", json=legacy, token=admin).status_code

        assert _race(client, [endpoint] * 3) == [201, 201, 201]
    finally:
        deps.store.dispose()


def test_a_legacy_region_name_makes_the_region(client: Client, admin: str) -> None:
    """Keystone's compatibility: `region` alone names a region made if missing, on create and
    update; an unknown region_id is still refused."""
    service = client.post("/v3/services", json={"service": {"type": "compute"}}, token=admin).json[
        "service"
    ]["id"]
    made = client.post("/v3/endpoints", token=admin, json={"endpoint": {
        "interface": "public", "url": "http://a.test", "service_id": service,
        "region": "old-style"}})  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json["endpoint"]["region_id"] == "old-style"
    assert client.get("/v3/regions/old-style", token=admin).status_code == 200
    path = f"/v3/endpoints/{made.json['endpoint']['id']}"
    moved = _patch(client, admin, path, {"endpoint": {"region": "older-style"}})
    assert moved.status_code == 200, moved.text
    assert moved.json["endpoint"]["region_id"] == "older-style"
    assert client.get("/v3/regions/older-style", token=admin).status_code == 200
    unknown = _patch(client, admin, path, {"endpoint": {"region_id": "never-made"}})
    assert unknown.status_code == 400, unknown.text
    assert client.get("/v3/regions/never-made", token=admin).status_code == 404
