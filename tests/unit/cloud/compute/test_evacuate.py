"""The evacuate action: only from a host whose compute service is down, to a host given or
chosen, recorded as an `evacuation` migration; its body and answer by microversion."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from falcon import testing

from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault


def evacuate(c: Compute, server_id: str, body: dict[str, Any], *, version: str = "2.94",
             headers: dict[str, str] | None = None) -> testing.Result:  # fmt: skip
    return c.call("POST", f"/v2.1/servers/{server_id}/action", headers=headers or c.admin,
                  version=version, body={"evacuate": body})  # fmt: skip


def server(c: Compute, server_id: str) -> dict[str, Any]:
    shown: dict[str, Any] = c.get(f"/v2.1/servers/{server_id}", headers=c.admin,
                                  version="2.96").json["server"]  # fmt: skip
    return shown


def force_down(c: Compute, host: str, down: bool = True) -> None:
    result = c.call("PUT", "/v2.1/os-services/force-down", headers=c.admin, version="2.11",
                    body={"host": host, "binary": "nova-compute", "forced_down": down})  # fmt: skip
    assert result.status_code == 200, result.text


def booted_on_a_failed_host(c: Compute) -> tuple[str, str]:
    server_id = c.boot(c.alice_h)
    host: str = server(c, server_id)["OS-EXT-SRV-ATTR:host"]
    force_down(c, host)
    return server_id, host


def test_a_server_is_evacuated_only_from_a_host_that_is_down(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    host = server(compute, server_id)["OS-EXT-SRV-ATTR:host"]
    assert evacuate(compute, server_id, {}, headers=compute.alice_h).status_code == 403
    assert fault(evacuate(compute, server_id, {})) == (
        "badRequest", f"Compute service of {host} is still in use."
    )  # fmt: skip
    force_down(compute, host)
    moved = evacuate(compute, server_id, {})
    assert (moved.status_code, moved.text) == (200, "")
    after = server(compute, server_id)
    assert after["status"] == "ACTIVE"
    assert after["OS-EXT-SRV-ATTR:host"] not in (None, host)
    listed = compute.get("/v2.1/os-migrations", headers=compute.admin, version="2.80")
    (migration,) = listed.json["migrations"]
    assert (migration["migration_type"], migration["status"]) == ("evacuation", "done")
    assert (migration["source_compute"], migration["dest_compute"]) == (
        host, after["OS-EXT-SRV-ATTR:host"]
    )  # fmt: skip
    actions = compute.get(f"/v2.1/servers/{server_id}/os-instance-actions", headers=compute.admin)
    request_id = actions.json["instanceActions"][0]["request_id"]
    assert actions.json["instanceActions"][0]["action"] == "evacuate"
    shown = compute.get(f"/v2.1/servers/{server_id}/os-instance-actions/{request_id}",
                        headers=compute.admin, version="2.51")  # fmt: skip
    (event,) = shown.json["instanceAction"]["events"]
    assert (event["event"], event["result"]) == ("compute_rebuild_instance", "Success")


def test_before_214_the_answer_carries_the_admin_password(compute: Compute) -> None:
    server_id, first = booted_on_a_failed_host(compute)
    missing = evacuate(compute, server_id, {}, version="2.13")
    assert missing.status_code == 400
    shared = evacuate(compute, server_id, {"onSharedStorage": True, "adminPass": "x"},
                      version="2.13")  # fmt: skip
    assert fault(shared) == ("badRequest", "admin password can't be changed on existing disk")
    given = evacuate(compute, server_id, {"onSharedStorage": "false", "adminPass": "s3cret"},
                     version="2.1")  # fmt: skip
    assert (given.status_code, given.json) == (200, {"adminPass": "s3cret"})
    # The first host is back and the second one fails: evacuated again, its disk shared.
    force_down(compute, first, down=False)
    force_down(compute, server(compute, server_id)["OS-EXT-SRV-ATTR:host"])
    kept = evacuate(compute, server_id, {"onSharedStorage": True}, version="2.1")
    assert kept.json == {"adminPass": None}
    refused = evacuate(compute, server_id, {"onSharedStorage": True}, version="2.14")
    assert refused.status_code == 400


def test_the_target_host_is_checked(compute: Compute) -> None:
    server_id, host = booted_on_a_failed_host(compute)
    unknown = evacuate(compute, server_id, {"host": "nowhere"})
    assert fault(unknown) == ("itemNotFound", "Compute host nowhere not found.")
    same = evacuate(compute, server_id, {"host": host})
    assert fault(same) == ("badRequest", "The target host can't be the same one.")
    blind = evacuate(compute, server_id, {"force": True}, version="2.29")
    assert fault(blind) == ("badRequest", "Can't force to a non-provided destination")
    assert evacuate(compute, server_id, {"force": False}, version="2.68").status_code == 400
    other = "compute-2" if host == "compute-1" else "compute-1"
    # A disabled host takes nothing from the scheduler, but a forced evacuation goes there.
    body = {"host": other, "binary": "nova-compute"}
    disabled = compute.call("PUT", "/v2.1/os-services/disable", headers=compute.admin, body=body)
    assert disabled.status_code == 200, disabled.text
    # Nova's API accepts the evacuation before the scheduler is asked: the server ends in
    # ERROR with the scheduler's fault, still on its failed host.
    nowhere = evacuate(compute, server_id, {"host": other})
    assert (nowhere.status_code, nowhere.text) == (200, "")
    failed = server(compute, server_id)
    assert (failed["status"], failed["OS-EXT-SRV-ATTR:host"]) == ("ERROR", host)
    assert failed["fault"]["message"] == (
        "No valid host was found. There are not enough hosts available."
    )  # fmt: skip
    listed = compute.get("/v2.1/os-migrations", headers=compute.admin, version="2.80")
    (migration,) = listed.json["migrations"]
    assert (migration["migration_type"], migration["status"]) == ("evacuation", "error")
    forced = evacuate(compute, server_id, {"host": other, "force": "yes"}, version="2.29")
    assert forced.status_code == 200, forced.text
    assert server(compute, server_id)["OS-EXT-SRV-ATTR:host"] == other


def test_only_active_stopped_or_errored_servers_are_evacuated(compute: Compute) -> None:
    paused = compute.make(project=compute.alice.project_id, vm_state="paused")
    force_down(compute, "compute-1")
    result = evacuate(compute, paused, {})
    assert fault(result) == (
        "conflictingRequest", f"Cannot 'evacuate' instance {paused} while it is in vm_state paused"
    )  # fmt: skip
    errored = compute.make(project=compute.alice.project_id, vm_state="error")
    assert evacuate(compute, errored, {}).status_code == 200
    # A rebuild brings it back running.
    assert server(compute, errored)["status"] == "ACTIVE"
    # A server no host took has nothing to evacuate.
    nowhere = compute.make(project=compute.alice.project_id, vm_state="error", host=None)
    assert fault(evacuate(compute, nowhere, {})) == (
        "badRequest", "The target host can't be the same one."
    )  # fmt: skip
    named = evacuate(compute, nowhere, {"host": "compute-2"})
    assert fault(named) == ("conflictingRequest", f"Instance {nowhere} is not ready")


def test_a_stopped_server_stays_stopped_and_from_295_every_server_ends_stopped(
    compute: Compute,
) -> None:
    project = compute.alice.project_id
    stopped = compute.make(project=project, vm_state="stopped", power_state=4)
    running = compute.make(project=project)
    force_down(compute, "compute-1")
    assert evacuate(compute, stopped, {}, version="2.94").status_code == 200
    assert server(compute, stopped)["status"] == "SHUTOFF"
    assert evacuate(compute, running, {}, version="2.95").status_code == 200
    after = server(compute, running)
    assert (after["status"], after["OS-EXT-STS:power_state"]) == ("SHUTOFF", 4)
    assert after["OS-EXT-SRV-ATTR:host"] == "compute-2"


def test_with_a_driver_delay_the_evacuation_is_done_when_the_rebuild_is(tmp_path: Path) -> None:
    clock = OffsetClock()
    deps = make_deps(data_dir=tmp_path, db_url=f"sqlite:///{tmp_path / 'd.db'}", clock=clock)
    deps = dataclasses.replace(deps, config=dataclasses.replace(deps.config, driver_delay=5.0))
    c = build_compute(deps)
    server_id = c.boot(c.alice_h)
    clock.advance(6)
    force_down(c, server(c, server_id)["OS-EXT-SRV-ATTR:host"])
    assert evacuate(c, server_id, {}).status_code == 200
    assert server(c, server_id)["OS-EXT-STS:task_state"] == "rebuilding"

    def status() -> str:
        listed = c.get("/v2.1/os-migrations", headers=c.admin, version="2.80").json
        (migration,) = listed["migrations"]
        found: str = migration["status"]
        return found

    assert status() == "accepted"
    clock.advance(6)
    assert status() == "done"
    assert server(c, server_id)["status"] == "ACTIVE"
    deps.store.dispose()
