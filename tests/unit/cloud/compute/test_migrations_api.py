"""GET /os-migrations and a server's live migrations (list, show, force_complete, abort), with
Nova's project-manager defaults; in-progress live migrations need a driver delay."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import OffsetClock, create_user, issue_token, make_deps
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault

V1_FIELDS = {
    "created_at", "dest_compute", "dest_host", "dest_node", "id", "instance_uuid",
    "new_instance_type_id", "old_instance_type_id", "source_compute", "source_node", "status",
    "updated_at",
}  # fmt: skip


def act(c: Compute, server_id: str, body: Any, *, headers: dict[str, str] | None = None,
        version: str = "2.96") -> testing.Result:  # fmt: skip
    return c.call("POST", f"/v2.1/servers/{server_id}/action", headers=headers or c.alice_h,
                  version=version, body=body)  # fmt: skip


def migrations(c: Compute, *, version: str = "2.80", headers: dict[str, str] | None = None,
               query: str | None = None) -> testing.Result:  # fmt: skip
    return c.get("/v2.1/os-migrations", headers=headers or c.admin, version=version, query=query)


def host_of(c: Compute, server_id: str) -> str:
    result = c.get(f"/v2.1/servers/{server_id}", headers=c.admin, version="2.96")
    host: str = result.json["server"]["OS-EXT-SRV-ATTR:host"]
    return host


def manager_of(c: Compute, project_name: str) -> dict[str, str]:
    user = create_user(c.deps, name=f"mgr-{project_name}", project_name=project_name,
                       roles=("manager",))  # fmt: skip
    return {"X-Auth-Token": issue_token(c.deps, user_id=user.id, project_id=user.project_id)}


@pytest.fixture
def delayed(tmp_path: Path) -> Iterator[tuple[Compute, OffsetClock]]:
    clock = OffsetClock()
    deps = make_deps(data_dir=tmp_path, db_url=f"sqlite:///{tmp_path / 'd.db'}", clock=clock)
    deps = dataclasses.replace(deps, config=dataclasses.replace(deps.config, driver_delay=5.0))
    yield build_compute(deps), clock
    deps.store.dispose()


def live_migrating(c: Compute, clock: OffsetClock) -> tuple[str, str, int]:
    """A server in the middle of a live migration: (server, source host, migration id)."""
    server_id = c.boot(c.alice_h)
    clock.advance(6)
    source = host_of(c, server_id)
    body = {"os-migrateLive": {"host": None, "block_migration": "auto"}}
    assert act(c, server_id, body, headers=c.admin).status_code == 202
    listed = c.get(f"/v2.1/servers/{server_id}/migrations", headers=c.admin, version="2.80")
    (migration,) = listed.json["migrations"]
    return server_id, source, int(migration["id"])


def test_a_resize_is_listed_with_the_fields_of_each_microversion(compute: Compute) -> None:
    assert migrations(compute).json == {"migrations": []}
    server_id = compute.boot(compute.alice_h)
    source = host_of(compute, server_id)
    assert act(compute, server_id, {"resize": {"flavorRef": "2"}}).status_code == 202
    (old,) = migrations(compute, version="2.1").json["migrations"]
    assert set(old) == V1_FIELDS
    assert (old["instance_uuid"], old["status"]) == (server_id, "finished")
    assert (old["source_compute"], old["dest_compute"]) == (source, host_of(compute, server_id))
    assert old["dest_host"].startswith("192.0.2.")
    assert (old["old_instance_type_id"], old["new_instance_type_id"]) == (1, 2)
    (typed,) = migrations(compute, version="2.23").json["migrations"]
    assert set(typed) == V1_FIELDS | {"migration_type"}
    assert typed["migration_type"] == "resize"
    (newest,) = migrations(compute).json["migrations"]
    assert set(newest) == V1_FIELDS | {"migration_type", "uuid", "user_id", "project_id"}
    assert newest["project_id"] == compute.alice.project_id


def test_filters_paging_and_the_query_schema_by_microversion(compute: Compute) -> None:
    servers = [compute.boot(compute.alice_h, name=f"vm{i}") for i in range(3)]
    for server_id in servers:
        assert act(compute, server_id, {"migrate": None}, headers=compute.admin).status_code == 202
    assert act(compute, servers[0], {"confirmResize": None}).status_code == 204
    listed = migrations(compute).json["migrations"]
    # Newest first (created_at, then id, descending).
    assert [m["instance_uuid"] for m in listed] == servers[::-1]
    assert [m["migration_type"] for m in listed] == ["migration"] * 3
    only = migrations(compute, query=f"instance_uuid={servers[1]}").json["migrations"]
    assert [m["instance_uuid"] for m in only] == [servers[1]]
    confirmed = migrations(compute, query="status=confirmed").json["migrations"]
    assert [m["instance_uuid"] for m in confirmed] == [servers[0]]
    assert migrations(compute, query="migration_type=resize").json["migrations"] == []
    assert migrations(compute, query="hidden=1").json["migrations"] == []
    host = listed[0]["dest_compute"]
    by_host = migrations(compute, query=f"host={host}").json["migrations"]
    assert by_host
    assert all(host in (m["source_compute"], m["dest_compute"]) for m in by_host)
    first = migrations(compute, query="limit=2").json
    assert [m["instance_uuid"] for m in first["migrations"]] == servers[:0:-1]
    (link,) = first["migrations_links"]
    assert link["rel"] == "next"
    assert f"marker={first['migrations'][-1]['uuid']}" in link["href"]
    rest = migrations(compute, query=f"limit=2&marker={first['migrations'][-1]['uuid']}").json
    assert [m["instance_uuid"] for m in rest["migrations"]] == servers[:1]
    assert "migrations_links" not in rest
    assert migrations(compute, query="limit=0").json == {"migrations": []}
    # An empty marker is none, as in Nova.
    assert migrations(compute, query="limit=2&marker=").json == first
    assert fault(migrations(compute, query="marker=nope")) == (
        "badRequest", "Marker nope could not be found."
    )  # fmt: skip
    assert migrations(compute, query="limit=-1").status_code == 400
    assert migrations(compute, query="limit=1&limit=2").status_code == 400
    assert migrations(compute, query="sort_key=id").status_code == 400
    assert migrations(compute, version="2.58", query="sort_key=id").status_code == 200
    assert migrations(compute, version="2.79", query="user_id=x").status_code == 400
    reversed_times = "changes-since=2030-01-01T00:00:00Z&changes-before=2020-01-01T00:00:00Z"
    assert migrations(compute, query=reversed_times).status_code == 400
    assert migrations(compute, query="changes-since=2000-01-01T00:00:00Z").json["migrations"]
    assert migrations(compute, query="changes-since=2999-01-01T00:00:00Z").json == {
        "migrations": []
    }
    assert migrations(compute, query="changes-since=yesterday").status_code == 400


def test_a_project_manager_lists_their_own_project_without_hosts(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert act(compute, server_id, {"resize": {"flavorRef": "2"}}).status_code == 202
    bob_server = compute.boot(compute.bob_h)
    assert (
        act(compute, bob_server, {"resize": {"flavorRef": "2"}}, headers=compute.bob_h).status_code
        == 202
    )
    manager = manager_of(compute, "alpha")
    assert migrations(compute, headers=compute.alice_h).status_code == 403
    everyone = migrations(compute, headers=manager)
    assert fault(everyone) == (
        "forbidden",
        "Policy doesn't allow os_compute_api:os-migrations:index:all_projects to be performed.",
    )
    other = migrations(compute, headers=manager, query=f"project_id={compute.bob.project_id}")
    assert other.status_code == 403
    own = migrations(compute, headers=manager, query=f"project_id={compute.alice.project_id}")
    (listed,) = own.json["migrations"]
    assert listed["instance_uuid"] == server_id
    assert (listed["source_compute"], listed["dest_compute"], listed["dest_host"]) == (
        None, None, None
    )  # fmt: skip


def test_a_live_migration_in_progress_is_listed_shown_and_forced_to_complete(
    delayed: tuple[Compute, OffsetClock],
) -> None:
    c, clock = delayed
    server_id, source, mid = live_migrating(c, clock)
    path = f"/v2.1/servers/{server_id}/migrations"
    (listed,) = c.get(path, headers=c.admin, version="2.80").json["migrations"]
    assert (listed["status"], listed["server_uuid"], listed["source_compute"]) == (
        "running", server_id, source
    )  # fmt: skip
    assert listed["memory_total_bytes"] is None
    # The manager of the server's project sees it, without the hosts; only an admin shows it.
    manager = manager_of(c, "alpha")
    (seen,) = c.get(path, headers=manager, version="2.80").json["migrations"]
    assert (seen["id"], seen["source_compute"]) == (mid, None)
    assert c.get(f"{path}/{mid}", headers=manager, version="2.80").status_code == 403
    shown = c.get(f"{path}/{mid}", headers=c.admin, version="2.80").json["migration"]
    assert shown == listed
    (in_list,) = c.get("/v2.1/os-migrations", headers=c.admin, version="2.23").json["migrations"]
    assert [link["rel"] for link in in_list["links"]] == ["self", "bookmark"]
    assert in_list["links"][0]["href"].endswith(f"/v2.1/servers/{server_id}/migrations/{mid}")
    assert c.get(path, headers=c.admin, version="2.22").status_code == 404
    forced = c.call("POST", f"{path}/{mid}/action", headers=manager, version="2.22",
                    body={"force_complete": None})  # fmt: skip
    assert forced.status_code == 202, forced.text
    server = c.get(f"/v2.1/servers/{server_id}", headers=c.admin, version="2.96").json["server"]
    assert (server["status"], server["OS-EXT-STS:task_state"]) == ("ACTIVE", None)
    assert server["OS-EXT-SRV-ATTR:host"] != source
    assert c.get(path, headers=c.admin, version="2.80").json == {"migrations": []}
    (done,) = c.get("/v2.1/os-migrations", headers=c.admin, version="2.23").json["migrations"]
    assert (done["status"], "links" in done) == ("completed", False)
    gone = c.get(f"{path}/{mid}", headers=c.admin, version="2.80")
    assert fault(gone) == (
        "itemNotFound", f"Live migration {mid} for server {server_id} is not in progress."
    )  # fmt: skip
    actions = c.get(f"/v2.1/servers/{server_id}/os-instance-actions", headers=c.admin)
    names = [a["action"] for a in actions.json["instanceActions"]]
    assert names[:2] == ["live_migration_force_complete", "live-migration"]


def test_aborting_a_live_migration_leaves_the_server_on_its_source_host(
    delayed: tuple[Compute, OffsetClock],
) -> None:
    c, clock = delayed
    server_id, source, mid = live_migrating(c, clock)
    path = f"/v2.1/servers/{server_id}/migrations/{mid}"
    assert c.call("DELETE", path, headers=c.admin, version="2.23").status_code == 404
    assert c.call("DELETE", path, headers=c.alice_h, version="2.24").status_code == 403
    aborted = c.call("DELETE", path, headers=c.admin, version="2.24")
    assert aborted.status_code == 202, aborted.text
    server = c.get(f"/v2.1/servers/{server_id}", headers=c.admin, version="2.96").json["server"]
    assert (server["status"], server["OS-EXT-STS:task_state"]) == ("ACTIVE", None)
    assert server["OS-EXT-SRV-ATTR:host"] == source
    (listed,) = c.get("/v2.1/os-migrations", headers=c.admin, version="2.80").json["migrations"]
    assert listed["status"] == "cancelled"
    again = c.call("DELETE", path, headers=c.admin, version="2.24")
    assert fault(again) == (
        "conflictingRequest",
        f"Cannot 'abort live migration' instance {server_id} while it is in task_state None",
    )
    clock.advance(6)  # the migration's delay passes: it stays cancelled
    (listed,) = c.get("/v2.1/os-migrations", headers=c.admin, version="2.80").json["migrations"]
    assert listed["status"] == "cancelled"


def test_a_live_migration_completes_when_its_delay_is_over(
    delayed: tuple[Compute, OffsetClock],
) -> None:
    c, clock = delayed
    server_id, _, mid = live_migrating(c, clock)
    clock.advance(6)
    assert c.get(f"/v2.1/servers/{server_id}/migrations", headers=c.admin,
                 version="2.80").json == {"migrations": []}  # fmt: skip
    (listed,) = c.get("/v2.1/os-migrations", headers=c.admin, version="2.80").json["migrations"]
    assert (listed["id"], listed["status"]) == (mid, "completed")
    forced = c.call("POST", f"/v2.1/servers/{server_id}/migrations/{mid}/action",
                    headers=c.admin, version="2.22", body={"force_complete": None})  # fmt: skip
    assert forced.status_code == 409


def test_refusals_of_force_complete_and_abort(delayed: tuple[Compute, OffsetClock]) -> None:
    c, clock = delayed
    server_id, _, mid = live_migrating(c, clock)
    base = f"/v2.1/servers/{server_id}/migrations"
    unknown = c.call("POST", f"{base}/999/action", headers=c.admin, version="2.22",
                     body={"force_complete": None})  # fmt: skip
    assert fault(unknown) == ("badRequest", f"Migration 999 not found for instance {server_id}")
    bad_body = c.call("POST", f"{base}/{mid}/action", headers=c.admin, version="2.22",
                      body={"force_complete": {}})  # fmt: skip
    assert bad_body.status_code == 400
    not_found = c.call("DELETE", f"{base}/abc", headers=c.admin, version="2.24")
    assert fault(not_found) == ("itemNotFound", f"Migration abc not found for instance {server_id}")
    assert c.get(f"{base}/abc", headers=c.admin, version="2.80").status_code == 404
    lock = act(c, server_id, {"lock": None})
    assert lock.status_code == 202
    manager = manager_of(c, "alpha")
    locked = c.call("DELETE", f"{base}/{mid}", headers=manager, version="2.24")
    assert fault(locked) == ("conflictingRequest", f"Instance {server_id} is locked")


def test_a_resize_migration_is_not_shown_as_a_live_one(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert act(compute, server_id, {"resize": {"flavorRef": "2"}}).status_code == 202
    (listed,) = migrations(compute).json["migrations"]
    shown = compute.get(f"/v2.1/servers/{server_id}/migrations/{listed['id']}",
                        headers=compute.admin, version="2.80")  # fmt: skip
    assert fault(shown) == (
        "itemNotFound", f"Migration {listed['id']} for server {server_id} is not live-migration."
    )  # fmt: skip


def test_a_project_manager_moves_a_server_but_only_an_admin_names_the_host(
    compute: Compute,
) -> None:
    server_id = compute.boot(compute.alice_h)
    manager = manager_of(compute, "alpha")
    live = {"os-migrateLive": {"host": "compute-2", "block_migration": "auto"}}
    refused = act(compute, server_id, live, headers=manager)
    assert fault(refused) == (
        "forbidden",
        "Policy doesn't allow os_compute_api:os-migrate-server:migrate_live:host to be performed.",
    )
    anywhere = {"os-migrateLive": {"host": None, "block_migration": "auto"}}
    assert act(compute, server_id, anywhere, headers=manager).status_code == 202
    assert act(compute, server_id, {"migrate": None}, headers=manager).status_code == 202
    # A manager's role implies member's: the manager also confirms.
    assert act(compute, server_id, {"confirmResize": None}, headers=manager).status_code == 204
    kinds = [m["migration_type"] for m in migrations(compute).json["migrations"]]
    assert kinds == ["migration", "live-migration"]


def test_settling_and_paging_on_every_backend(
    cloud_deps_any_db: CloudDeps, clock: OffsetClock
) -> None:
    config = dataclasses.replace(cloud_deps_any_db.config, driver_delay=5.0)
    c = build_compute(dataclasses.replace(cloud_deps_any_db, config=config))
    servers = [c.boot(c.alice_h, name=f"vm{i}") for i in range(3)]
    clock.advance(6)
    body = {"os-migrateLive": {"host": None, "block_migration": "auto"}}
    for server_id in servers:
        assert act(c, server_id, body, headers=c.admin).status_code == 202
    aborted = servers[1]
    (running,) = c.get(f"/v2.1/servers/{aborted}/migrations", headers=c.admin,
                       version="2.80").json["migrations"]  # fmt: skip
    path = f"/v2.1/servers/{aborted}/migrations/{running['id']}"
    assert c.call("DELETE", path, headers=c.admin, version="2.24").status_code == 202
    clock.advance(6)
    seen: list[tuple[str, str]] = []
    query = "limit=1"
    for _ in range(5):
        page = migrations(c, query=query).json
        seen += [(m["instance_uuid"], m["status"]) for m in page["migrations"]]
        if "migrations_links" not in page:
            break
        query = f"limit=1&marker={page['migrations'][-1]['uuid']}"
    expected = [(server_id, "completed") for server_id in servers[::-1]]
    expected[1] = (aborted, "cancelled")
    assert seen == expected
