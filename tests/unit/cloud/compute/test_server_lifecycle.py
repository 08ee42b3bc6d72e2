"""Lifecycle actions (rebuild, resize, migrate, shelve, rescue, reset state, password, console)
through the compute app: the states a user sees, Nova's refusals and policy."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from falcon import testing

from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault


def act(c: Compute, server_id: str, body: Any, *, headers: dict[str, str] | None = None,
        version: str = "2.96") -> testing.Result:  # fmt: skip
    return c.call("POST", f"/v2.1/servers/{server_id}/action", headers=headers or c.alice_h,
                  version=version, body=body)  # fmt: skip


def show(c: Compute, server_id: str) -> dict[str, Any]:
    result = c.get(f"/v2.1/servers/{server_id}", headers=c.admin, version="2.96")
    assert result.status_code == 200, result.text
    server: dict[str, Any] = result.json["server"]
    return server


def test_rebuild_changes_image_name_metadata_and_answers_the_server(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h, metadata={"old": "1"})
    body = {"rebuild": {"imageRef": CIRROS_ID, "name": "reborn", "metadata": {"new": "2"},
                        "adminPass": "s3cret", "description": "again"}}  # fmt: skip
    result = act(compute, server_id, body)
    assert result.status_code == 202, result.text
    assert result.json["server"]["name"] == "reborn"
    assert result.json["server"]["adminPass"] == "s3cret"
    assert result.json["server"]["metadata"] == {"new": "2"}
    server = show(compute, server_id)
    assert (server["status"], server["description"]) == ("ACTIVE", "again")


def test_a_rebuilds_answer_shows_the_key_from_2_54_and_user_data_from_2_57(
    compute: Compute,
) -> None:
    server_id = compute.boot(compute.alice_h)
    rebuild = {"rebuild": {"imageRef": CIRROS_ID}}
    before = act(compute, server_id, rebuild, version="2.53").json["server"]
    assert "key_name" not in before
    assert "user_data" not in before
    middle = act(compute, server_id, rebuild, version="2.54").json["server"]
    assert ("key_name" in middle, "user_data" in middle) == (True, False)
    after = act(compute, server_id, {"rebuild": {"imageRef": CIRROS_ID, "user_data": "aGk="}},
                version="2.57").json["server"]  # fmt: skip
    assert (after["key_name"], after["user_data"]) == (None, "aGk=")
    # An admin's answer (the full view from 2.75) has it once, not also as the extended field.
    admin = act(compute, server_id, rebuild, headers=compute.admin, version="2.75")
    assert "OS-EXT-SRV-ATTR:user_data" not in admin.json["server"]
    assert "user_data" in admin.json["server"]


def test_rebuild_refusals(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    missing = act(
        compute, server_id, {"rebuild": {"imageRef": "a" * 8 + "-0000-0000-0000-" + "0" * 12}}
    )
    assert missing.status_code == 400
    assert act(compute, server_id, {"pause": None}).status_code == 202
    paused = act(compute, server_id, {"rebuild": {"imageRef": CIRROS_ID}})
    assert paused.status_code == 409
    assert fault(paused)[1] == (
        f"Cannot 'rebuild' instance {server_id} while it is in vm_state paused"
    )


def test_resize_then_confirm(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert act(compute, server_id, {"resize": {"flavorRef": "2"}}).status_code == 202
    server = show(compute, server_id)
    assert server["status"] == "VERIFY_RESIZE"
    assert server["flavor"]["original_name"] == "m1.small"
    assert act(compute, server_id, {"confirmResize": None}).status_code == 204
    server = show(compute, server_id)
    assert (server["status"], server["flavor"]["original_name"]) == ("ACTIVE", "m1.small")
    again = act(compute, server_id, {"confirmResize": None})
    assert fault(again)[1] == (
        f"Cannot 'confirmResize' instance {server_id} while it is in vm_state active"
    )


def test_a_resize_takes_the_disk_config_given_with_it(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert show(compute, server_id)["OS-DCF:diskConfig"] == "MANUAL"
    resized = act(compute, server_id, {"resize": {"flavorRef": "2", "OS-DCF:diskConfig": "AUTO"}})
    assert resized.status_code == 202
    assert show(compute, server_id)["OS-DCF:diskConfig"] == "AUTO"
    act(compute, server_id, {"confirmResize": None})
    assert act(compute, server_id, {"resize": {"flavorRef": "1"}}).status_code == 202
    assert show(compute, server_id)["OS-DCF:diskConfig"] == "AUTO"


def test_resize_revert_restores_the_flavor_and_host(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    before = show(compute, server_id)
    assert act(compute, server_id, {"resize": {"flavorRef": "2"}}).status_code == 202
    assert act(compute, server_id, {"revertResize": None}).status_code == 202
    after = show(compute, server_id)
    assert after["status"] == "ACTIVE"
    assert after["flavor"]["original_name"] == "m1.tiny"
    assert after["OS-EXT-SRV-ATTR:host"] == before["OS-EXT-SRV-ATTR:host"]


def test_resize_to_the_same_flavor_or_a_missing_one_is_400(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    same = act(compute, server_id, {"resize": {"flavorRef": "1"}})
    assert fault(same) == ("badRequest", "When resizing, instances must change flavor!")
    missing = act(compute, server_id, {"resize": {"flavorRef": "nope"}})
    assert fault(missing) == ("badRequest", "Unable to locate requested flavor.")


def test_cold_migrate_is_admin_only_and_moves_the_host(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    refused = act(compute, server_id, {"migrate": None})
    assert refused.status_code == 403
    host = show(compute, server_id)["OS-EXT-SRV-ATTR:host"]
    assert act(compute, server_id, {"migrate": None}, headers=compute.admin).status_code == 202
    moved = show(compute, server_id)
    assert moved["status"] == "VERIFY_RESIZE"
    assert moved["OS-EXT-SRV-ATTR:host"] != host
    unknown = act(compute, server_id, {"migrate": {"host": "nowhere"}}, headers=compute.admin)
    assert unknown.status_code == 409  # VERIFY_RESIZE first
    assert act(compute, server_id, {"confirmResize": None}).status_code == 204
    unknown = act(compute, server_id, {"migrate": {"host": "nowhere"}}, headers=compute.admin)
    assert fault(unknown) == ("badRequest", "Compute host nowhere could not be found.")
    # Before 2.56 migrate takes no host: the argument is not looked at.
    old = act(compute, server_id, {"migrate": {"host": "nowhere"}}, headers=compute.admin,
              version="2.55")  # fmt: skip
    assert old.status_code == 202
    assert show(compute, server_id)["OS-EXT-SRV-ATTR:host"] == host


def test_live_migration_moves_an_active_server(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    host = show(compute, server_id)["OS-EXT-SRV-ATTR:host"]
    body = {"os-migrateLive": {"host": None, "block_migration": "auto"}}
    assert act(compute, server_id, body).status_code == 403
    assert act(compute, server_id, body, headers=compute.admin).status_code == 202
    moved = show(compute, server_id)
    assert (moved["status"], moved["OS-EXT-SRV-ATTR:host"] != host) == ("ACTIVE", True)


def test_shelve_offloads_and_unshelve_places_again(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert act(compute, server_id, {"shelve": None}).status_code == 202
    shelved = show(compute, server_id)
    assert shelved["status"] == "SHELVED_OFFLOADED"
    assert shelved["OS-EXT-SRV-ATTR:host"] is None
    refused = act(compute, server_id, {"shelve": None})
    assert fault(refused)[1] == (
        f"Cannot 'shelve' instance {server_id} while it is in vm_state shelved_offloaded"
    )
    offload = act(compute, server_id, {"shelveOffload": None}, headers=compute.admin)
    assert offload.status_code == 409
    to_host = act(compute, server_id, {"unshelve": {"host": "compute-2"}})
    assert to_host.status_code == 403
    assert act(compute, server_id, {"unshelve": None}).status_code == 202
    back = show(compute, server_id)
    assert back["status"] == "ACTIVE"
    assert back["OS-EXT-SRV-ATTR:host"] is not None


def test_unshelve_to_a_host_from_291(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert act(compute, server_id, {"shelve": None}).status_code == 202
    body = {"unshelve": {"host": "compute-2"}}
    assert act(compute, server_id, body, headers=compute.admin, version="2.90").status_code == 400
    assert act(compute, server_id, body, headers=compute.admin, version="2.91").status_code == 202
    assert show(compute, server_id)["OS-EXT-SRV-ATTR:host"] == "compute-2"


def test_rescue_answers_a_password_and_unrescue_returns(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    result = act(compute, server_id, {"rescue": {"adminPass": "pw"}})
    assert (result.status_code, result.json) == (200, {"adminPass": "pw"})
    assert show(compute, server_id)["status"] == "RESCUE"
    assert act(compute, server_id, {"rescue": None}).status_code == 409
    assert act(compute, server_id, {"unrescue": None}).status_code == 202
    assert show(compute, server_id)["status"] == "ACTIVE"
    assert act(compute, server_id, {"unrescue": None}).status_code == 409


def test_reset_state_is_admin_only(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    body = {"os-resetState": {"state": "error"}}
    assert act(compute, server_id, body).status_code == 403
    assert act(compute, server_id, body, headers=compute.admin).status_code == 202
    assert show(compute, server_id)["status"] == "ERROR"
    back = act(compute, server_id, {"os-resetState": {"state": "active"}}, headers=compute.admin)
    assert back.status_code == 202
    assert show(compute, server_id)["status"] == "ACTIVE"
    bad = act(compute, server_id, {"os-resetState": {"state": "paused"}}, headers=compute.admin)
    assert bad.status_code == 400


def test_inject_network_info_is_admin_only_and_changes_nothing(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    before = show(compute, server_id)
    body = {"injectNetworkInfo": None}
    assert act(compute, server_id, body).status_code == 403
    assert act(compute, server_id, body, headers=compute.admin).status_code == 202
    after = show(compute, server_id)
    assert (after["status"], after["addresses"]) == (before["status"], before["addresses"])
    assert act(compute, "0" * 32, body, headers=compute.admin).status_code == 404


def test_change_password_and_crash_dump(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert act(compute, server_id, {"changePassword": {"adminPass": "x"}}).status_code == 202
    assert act(compute, server_id, {"trigger_crash_dump": None}).status_code == 202
    old = act(compute, server_id, {"trigger_crash_dump": None}, version="2.16")
    assert fault(old)[1] == "There is no such action: trigger_crash_dump"
    assert act(compute, server_id, {"os-stop": None}).status_code == 202
    stopped = act(compute, server_id, {"changePassword": {"adminPass": "x"}})
    assert stopped.status_code == 409


def test_console_output_is_stable_and_tailed(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    whole = act(compute, server_id, {"os-getConsoleOutput": {}})
    assert whole.status_code == 200
    assert server_id in whole.json["output"]
    tail = act(compute, server_id, {"os-getConsoleOutput": {"length": 10}})
    lines = tail.json["output"].split("\n")
    assert len(lines) == 10
    assert whole.json["output"].endswith(tail.json["output"])
    assert (
        act(compute, server_id, {"os-getConsoleOutput": {"length": "3"}}).json["output"].count("\n")
        == 2
    )


def test_locked_server_refuses_lifecycle_actions_to_members(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert act(compute, server_id, {"lock": None}).status_code == 202
    result = act(compute, server_id, {"shelve": None})
    assert fault(result) == ("conflictingRequest", f"Instance {server_id} is locked")


def test_with_a_driver_delay_the_task_shows_and_the_event_finishes_later(tmp_path: Path) -> None:
    clock = OffsetClock()
    deps = make_deps(data_dir=tmp_path, db_url=f"sqlite:///{tmp_path / 'd.db'}", clock=clock)
    deps = dataclasses.replace(deps, config=dataclasses.replace(deps.config, driver_delay=5.0))
    compute = build_compute(deps)
    server_id = compute.boot(compute.alice_h)
    clock.advance(6)
    resized = act(compute, server_id, {"resize": {"flavorRef": "2"}})
    server = show(compute, server_id)
    assert (server["status"], server["OS-EXT-STS:task_state"]) == ("RESIZE", "resize_prep")
    path = f"/v2.1/servers/{server_id}/os-instance-actions/"
    path += resized.headers["x-openstack-request-id"]
    (event,) = compute.get(path, headers=compute.alice_h, version="2.51").json["instanceAction"][
        "events"
    ]
    assert (event["event"], event["finish_time"]) == ("compute_prep_resize", None)
    assert act(compute, server_id, {"confirmResize": None}).status_code == 409
    clock.advance(6)
    assert show(compute, server_id)["status"] == "VERIFY_RESIZE"
    (event,) = compute.get(path, headers=compute.alice_h, version="2.51").json["instanceAction"][
        "events"
    ]
    assert event["result"] == "Success"
    deps.store.dispose()


def test_a_resize_that_grows_past_the_quota_is_403(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)  # m1.tiny: 1 vCPU, 512 MB
    body = {"quota_set": {"ram": 1024}}
    set_ram = compute.call("PUT", f"/v2.1/os-quota-sets/{compute.alice.project_id}",
                           headers=compute.admin, body=body)  # fmt: skip
    assert set_ram.status_code == 200, set_ram.text
    refused = act(compute, server_id, {"resize": {"flavorRef": "2"}})  # m1.small: 2048 MB
    assert refused.status_code == 403
    assert fault(refused)[1] == (
        "Quota exceeded for ram: Requested 1536, but already used 512 of 1024 ram"
    )
    assert show(compute, server_id)["status"] == "ACTIVE"


def test_a_hard_reboot_cannot_interrupt_a_move_or_a_delete(compute: Compute) -> None:
    server_id = compute.make(project=compute.alice.project_id, task_state="resize_prep")
    refused = act(compute, server_id, {"reboot": {"type": "HARD"}})
    assert refused.status_code == 409
    assert "task_state resize_prep" in fault(refused)[1]


def test_an_admin_lock_overrides_the_owners(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert act(compute, server_id, {"lock": None}).status_code == 202
    assert act(compute, server_id, {"lock": None}, headers=compute.admin).status_code == 202
    # Now the admin's lock: the owner may not lift it.
    assert act(compute, server_id, {"unlock": None}).status_code == 403
    assert act(compute, server_id, {"unlock": None}, headers=compute.admin).status_code == 202


def test_a_server_no_host_took_cannot_be_stopped(compute: Compute) -> None:
    server_id = compute.make(project=compute.alice.project_id, vm_state="error", host=None,
                             node=None)  # fmt: skip
    refused = act(compute, server_id, {"os-stop": None})
    assert refused.status_code == 409
    assert fault(refused)[1] == f"Instance {server_id} is not ready"


def test_a_revert_that_would_pass_the_quota_is_403(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h, flavorRef="2")  # m1.small: 2048 MB
    assert act(compute, server_id, {"resize": {"flavorRef": "1"}}).status_code == 202
    body = {"quota_set": {"ram": 1024}}
    compute.call("PUT", f"/v2.1/os-quota-sets/{compute.alice.project_id}",
                 headers=compute.admin, body=body)  # fmt: skip
    refused = act(compute, server_id, {"revertResize": None})
    assert refused.status_code == 403
    assert "Quota exceeded for ram" in fault(refused)[1]


def test_console_output_takes_a_length_of_any_digits(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    result = act(compute, server_id, {"os-getConsoleOutput": {"length": "0" * 4400 + "1"}})
    assert result.status_code == 200
    assert len(result.json["output"].splitlines()) == 1


def test_rebuild_personality_files_count_against_the_quota(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    files = [{"path": f"/etc/f{n}", "contents": "aGk="} for n in range(6)]
    refused = act(compute, server_id, {"rebuild": {"imageRef": CIRROS_ID, "personality": files}},
                  version="2.56")  # fmt: skip
    assert refused.status_code == 403
    assert fault(refused)[1] == "Personality file limit exceeded"
