"""Nova's deferred delete through the compute app: with reclaim_instance_interval above 0 a
DELETE leaves the server SOFT_DELETED until restore, forceDelete or the reclaim once the
interval has passed (on the injected clock); the restore and forceDelete actions, their
refusals and policy, the quota and the instance action log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.compute import states
from pocketstack.cloud.config import CloudConfig, load_config
from pocketstack.cloud.errors import ConfigError
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.fixtures.cloud import OffsetClock, create_user, issue_token, make_deps
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault, ids

INTERVAL = 3600


def _compute(
    tmp_path: Path, clock: OffsetClock, db_url: str | None = None, **settings: Any
) -> Iterator[Compute]:
    db_url = db_url or f"sqlite:///{tmp_path / 'd.db'}"
    deps = make_deps(data_dir=tmp_path, db_url=db_url, clock=clock, settings=settings)
    yield build_compute(deps)
    deps.store.dispose()


@pytest.fixture
def soft(tmp_path: Path, clock: OffsetClock) -> Iterator[Compute]:
    """A cloud whose deletes are deferred by an hour (and whose tokens outlive that)."""
    yield from _compute(tmp_path, clock, reclaim_instance_interval=INTERVAL,
                        token_expiration=4 * INTERVAL)  # fmt: skip


@pytest.fixture
def soft_any_db(db_url: str, tmp_path: Path, clock: OffsetClock) -> Iterator[Compute]:
    """The same on SQLite, PostgreSQL and MariaDB."""
    yield from _compute(tmp_path, clock, db_url, reclaim_instance_interval=INTERVAL,
                        token_expiration=4 * INTERVAL)  # fmt: skip


def act(c: Compute, server_id: str, body: Any, *, headers: dict[str, str] | None = None,
        version: str = "2.96") -> testing.Result:  # fmt: skip
    return c.call("POST", f"/v2.1/servers/{server_id}/action", headers=headers or c.alice_h,
                  version=version, body=body)  # fmt: skip


def delete(c: Compute, server_id: str, headers: dict[str, str] | None = None) -> testing.Result:
    return c.call("DELETE", f"/v2.1/servers/{server_id}", headers=headers or c.alice_h)


def show(c: Compute, server_id: str) -> testing.Result:
    return c.get(f"/v2.1/servers/{server_id}", headers=c.admin, version="2.96")


def state(c: Compute, server_id: str) -> tuple[str, str, str | None, int]:
    server = show(c, server_id).json["server"]
    return (server["status"], server["OS-EXT-STS:vm_state"], server["OS-EXT-STS:task_state"],
            server["OS-EXT-STS:power_state"])  # fmt: skip


def listed(c: Compute, query: str = "") -> list[str]:
    result = c.get("/v2.1/servers/detail", headers=c.alice_h, query=query)
    assert result.status_code == 200, result.text
    return ids(result)


def changes(c: Compute, since: dt.datetime) -> dict[str, str]:
    stamp = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    result = c.get("/v2.1/servers/detail", headers=c.alice_h, query=f"changes-since={stamp}")
    assert result.status_code == 200, result.text
    return {s["id"]: s["status"] for s in result.json["servers"]}


def in_use(c: Compute, headers: dict[str, str]) -> tuple[int, int, int]:
    absolute = c.get("/v2.1/limits", headers=headers).json["limits"]["absolute"]
    return absolute["totalInstancesUsed"], absolute["totalCoresUsed"], absolute["totalRAMUsed"]


def test_a_delete_soft_deletes_and_a_restore_brings_the_server_back(soft: Compute) -> None:
    server_id = soft.boot(soft.alice_h)
    assert delete(soft, server_id).status_code == 204
    assert state(soft, server_id) == ("SOFT_DELETED", "soft-delete", None, states.SHUTDOWN)
    assert server_id not in listed(soft)
    # Only an admin's deleted=true listing shows it, as Nova's does.
    admin = soft.get("/v2.1/servers/detail", headers=soft.admin, query="deleted=true&all_tenants=1")
    assert server_id in ids(admin)
    restored = act(soft, server_id, {"restore": None})
    assert restored.status_code == 202, restored.text
    assert restored.text == ""
    assert state(soft, server_id) == ("ACTIVE", "active", None, states.RUNNING)
    assert server_id in listed(soft)


def test_a_stopped_server_restored_comes_back_running(soft: Compute) -> None:
    server_id = soft.boot(soft.alice_h)
    assert act(soft, server_id, {"os-stop": None}).status_code == 202
    delete(soft, server_id)
    assert act(soft, server_id, {"restore": {}}).status_code == 202
    assert state(soft, server_id)[0] == "ACTIVE"


def test_force_delete_ends_a_soft_deleted_server_at_once(soft: Compute, clock: OffsetClock) -> None:
    server_id = soft.boot(soft.alice_h)
    before = clock.now() - dt.timedelta(seconds=1)
    delete(soft, server_id)
    assert changes(soft, before) == {server_id: "SOFT_DELETED"}
    forced = act(soft, server_id, {"forceDelete": None})
    assert forced.status_code == 202, forced.text
    assert show(soft, server_id).status_code == 404
    assert changes(soft, before) == {server_id: "DELETED"}
    assert act(soft, server_id, {"restore": None}).status_code == 404


def test_the_server_is_reclaimed_once_the_interval_has_passed(
    soft_any_db: Compute, clock: OffsetClock
) -> None:
    soft = soft_any_db
    server_id = soft.boot(soft.alice_h)
    before = clock.now() - dt.timedelta(seconds=1)
    delete(soft, server_id)
    clock.advance(INTERVAL - 5)
    assert state(soft, server_id)[0] == "SOFT_DELETED"
    clock.advance(10)
    assert show(soft, server_id).status_code == 404
    assert changes(soft, before) == {server_id: "DELETED"}
    assert act(soft, server_id, {"restore": None}).status_code == 404
    assert act(soft, server_id, {"forceDelete": None}).status_code == 404


def test_a_reclaim_shows_in_the_first_request_after_it_whatever_it_is(
    soft: Compute, clock: OffsetClock
) -> None:
    server_id = soft.boot(soft.alice_h)
    other = soft.boot(soft.alice_h, name="other")
    delete(soft, server_id)
    clock.advance(INTERVAL + 1)
    # A list is the first request to look: it already sees the server deleted for good.
    admin = soft.get("/v2.1/servers/detail", headers=soft.admin, query="deleted=true&all_tenants=1")
    assert {s["id"]: s["status"] for s in admin.json["servers"]} == {server_id: "DELETED"}
    assert listed(soft) == [other]


def test_a_second_delete_starts_the_interval_again(soft: Compute, clock: OffsetClock) -> None:
    server_id = soft.boot(soft.alice_h)
    delete(soft, server_id)
    clock.advance(INTERVAL - 100)
    assert delete(soft, server_id).status_code == 204
    clock.advance(200)
    assert state(soft, server_id)[0] == "SOFT_DELETED"
    clock.advance(INTERVAL)
    assert show(soft, server_id).status_code == 404


def test_a_server_that_never_ran_is_deleted_at_once(soft: Compute) -> None:
    # No host would take it (ERROR, no launch): Nova deletes it rather than soft-deleting.
    server_id = soft.make(project=soft.alice.project_id, vm_state=states.ERROR, host=None,
                          node=None, launched_at=None)  # fmt: skip
    assert delete(soft, server_id).status_code == 204
    assert show(soft, server_id).status_code == 404


def test_a_soft_deleted_server_frees_its_quota_and_a_restore_needs_room(
    soft_any_db: Compute,
) -> None:
    soft = soft_any_db
    project = soft.alice.project_id
    quota = soft.call("PUT", f"/v2.1/os-quota-sets/{project}", headers=soft.admin,
                      body={"quota_set": {"instances": 1}})  # fmt: skip
    assert quota.status_code == 200, quota.text
    first = soft.boot(soft.alice_h)
    assert in_use(soft, soft.alice_h) == (1, 1, 512)
    delete(soft, first)
    # As Nova counts: a soft-deleted server holds no instances, cores or RAM.
    assert in_use(soft, soft.alice_h) == (0, 0, 0)
    second = soft.boot(soft.alice_h, name="second")
    refused = act(soft, first, {"restore": None})
    assert refused.status_code == 403
    assert fault(refused) == (
        "forbidden",
        "Quota exceeded for instances: Requested 1, but already used 1 of 1 instances",
    )
    assert state(soft, first)[0] == "SOFT_DELETED"
    delete(soft, second)
    assert act(soft, first, {"restore": None}).status_code == 202
    assert in_use(soft, soft.alice_h) == (1, 1, 512)


def test_restore_of_a_server_not_soft_deleted_is_409(soft: Compute) -> None:
    server_id = soft.boot(soft.alice_h)
    refused = act(soft, server_id, {"restore": None})
    assert fault(refused) == (
        "conflictingRequest",
        f"Cannot 'restore' instance {server_id} while it is in vm_state active",
    )


def test_without_an_interval_deletes_are_final_and_both_actions_still_answer(
    tmp_path: Path, clock: OffsetClock
) -> None:
    for compute in _compute(tmp_path, clock):
        server_id = compute.boot(compute.alice_h)
        refused = act(compute, server_id, {"restore": None})
        assert refused.status_code == 409
        assert state(compute, server_id)[0] == "ACTIVE"
        # Nova's force delete takes a server in any state, an active one too.
        assert act(compute, server_id, {"forceDelete": None}).status_code == 202
        assert show(compute, server_id).status_code == 404
        other = compute.boot(compute.alice_h)
        assert delete(compute, other).status_code == 204
        assert show(compute, other).status_code == 404


def test_a_locked_server_is_neither_restored_nor_force_deleted_by_its_owner(
    soft: Compute,
) -> None:
    server_id = soft.boot(soft.alice_h)
    delete(soft, server_id)
    assert act(soft, server_id, {"lock": None}).status_code == 202
    restore = act(soft, server_id, {"restore": None})
    assert fault(restore) == (
        "conflictingRequest",
        f"Instance {server_id} is in an invalid state for 'restore'",
    )
    force = act(soft, server_id, {"forceDelete": None})
    assert fault(force) == ("conflictingRequest", f"Instance {server_id} is locked")
    # An admin is not held by a lock.
    assert act(soft, server_id, {"restore": None}, headers=soft.admin).status_code == 202


def test_policy_other_projects_readers_and_admins(soft: Compute) -> None:
    server_id = soft.boot(soft.alice_h)
    delete(soft, server_id)
    for body in ({"restore": None}, {"forceDelete": None}):
        assert act(soft, server_id, body, headers=soft.bob_h).status_code == 404
    rita = create_user(soft.deps, name="rita", project_name="alpha", roles=("reader",))
    rita_h = {"X-Auth-Token": issue_token(soft.deps, user_id=rita.id, project_id=rita.project_id)}
    refused = act(soft, server_id, {"restore": None}, headers=rita_h)
    assert fault(refused) == (
        "forbidden",
        "Policy doesn't allow os_compute_api:os-deferred-delete:restore to be performed.",
    )
    refused = act(soft, server_id, {"forceDelete": None}, headers=rita_h)
    assert fault(refused)[1].startswith("Policy doesn't allow os_compute_api:os-deferred-delete")
    assert act(soft, server_id, {"restore": None}, headers=soft.admin).status_code == 202
    delete(soft, server_id)
    assert act(soft, server_id, {"forceDelete": None}, headers=soft.admin).status_code == 202


def _actions(c: Compute, server_id: str) -> list[tuple[str, str]]:
    """(action, its event) for each action on the server, newest first."""
    path = f"/v2.1/servers/{server_id}/os-instance-actions"
    listed = c.get(path, headers=c.admin, version="2.51").json["instanceActions"]
    found = []
    for action in listed:
        one = c.get(f"{path}/{action['request_id']}", headers=c.admin, version="2.51")
        (event,) = one.json["instanceAction"]["events"]
        assert event["result"] == "Success"
        found.append((action["action"], event["event"]))
    return found


def test_the_action_log_names_what_ran(soft: Compute) -> None:
    server_id = soft.boot(soft.alice_h)
    delete(soft, server_id)
    act(soft, server_id, {"restore": None})
    delete(soft, server_id)
    act(soft, server_id, {"forceDelete": None})
    assert _actions(soft, server_id) == [
        ("delete", "compute_terminate_instance"),
        ("delete", "compute_soft_delete_instance"),
        ("restore", "compute_restore_instance"),
        ("delete", "compute_soft_delete_instance"),
        ("create", "compute__do_build_and_run_instance"),
    ]


def test_with_a_driver_delay_the_tasks_show_and_the_reclaim_counts_from_the_delete(
    tmp_path: Path, clock: OffsetClock
) -> None:
    for c in _compute(tmp_path, clock, reclaim_instance_interval=60, driver_delay=5.0):
        server_id = c.boot(c.alice_h)
        clock.advance(6)
        delete(c, server_id)
        assert state(c, server_id)[:3] == ("ACTIVE", "active", "soft-deleting")
        # A second delete while one runs changes nothing.
        assert delete(c, server_id).status_code == 204
        assert act(c, server_id, {"restore": None}).status_code == 409
        clock.advance(6)
        assert state(c, server_id)[:3] == ("SOFT_DELETED", "soft-delete", None)
        assert act(c, server_id, {"restore": None}).status_code == 202
        assert state(c, server_id)[:3] == ("SOFT_DELETED", "soft-delete", "restoring")
        clock.advance(6)
        assert state(c, server_id)[:3] == ("ACTIVE", "active", None)
        # Restored, it is never reclaimed.
        clock.advance(120)
        assert state(c, server_id)[0] == "ACTIVE"
        delete(c, server_id)
        clock.advance(61)
        assert show(c, server_id).status_code == 404


def test_a_server_being_restored_holds_its_quota_already(
    tmp_path: Path, clock: OffsetClock
) -> None:
    for c in _compute(tmp_path, clock, reclaim_instance_interval=60, driver_delay=5.0):
        quota = c.call("PUT", f"/v2.1/os-quota-sets/{c.alice.project_id}", headers=c.admin,
                       body={"quota_set": {"instances": 1}})  # fmt: skip
        assert quota.status_code == 200, quota.text
        server_id = c.boot(c.alice_h)
        clock.advance(6)
        delete(c, server_id)
        clock.advance(6)
        assert act(c, server_id, {"restore": None}).status_code == 202
        # Still soft-deleted while the driver restores it, but the project is full.
        assert in_use(c, c.alice_h) == (1, 1, 512)
        refused = c.call("POST", "/v2.1/servers", headers=c.alice_h, body={"server": {
            "name": "x", "imageRef": CIRROS_ID, "flavorRef": "1"}})  # fmt: skip
        assert refused.status_code == 403


def test_force_delete_while_soft_deleting_deletes_for_good(
    tmp_path: Path, clock: OffsetClock
) -> None:
    for c in _compute(tmp_path, clock, reclaim_instance_interval=60, driver_delay=5.0):
        server_id = c.boot(c.alice_h)
        clock.advance(6)
        delete(c, server_id)
        assert state(c, server_id)[2] == "soft-deleting"
        assert act(c, server_id, {"forceDelete": None}).status_code == 202
        clock.advance(6)
        assert show(c, server_id).status_code == 404
        assert act(c, server_id, {"restore": None}).status_code == 404


def test_the_setting_is_read_from_the_file_and_never_negative(tmp_path: Path) -> None:
    assert load_config(data_dir=tmp_path).reclaim_instance_interval == 0
    (tmp_path / "pocketstack.toml").write_text("reclaim_instance_interval = 90\n")
    assert load_config(data_dir=tmp_path).reclaim_instance_interval == 90
    (tmp_path / "pocketstack.toml").write_text("reclaim_instance_interval = 1.5\n")
    with pytest.raises(ConfigError):
        load_config(data_dir=tmp_path)
    with pytest.raises(ConfigError):
        CloudConfig(data_dir=tmp_path, db_url="sqlite://", reclaim_instance_interval=-1)
