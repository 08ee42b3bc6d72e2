"""POST /os-server-external-events: the service role's (or an admin's) events, answered one by
one (200, 400, 404, 422) and as a whole (200 or 207), and what the taken ones do."""

from __future__ import annotations

import uuid
from typing import Any

from falcon import testing

from tests.fixtures.cloud import create_user, issue_token
from tests.unit.cloud.compute.helpers import Compute


def send(c: Compute, events: list[dict[str, Any]], *, version: str = "2.93",
         headers: dict[str, str] | None = None) -> testing.Result:  # fmt: skip
    return c.call("POST", "/v2.1/os-server-external-events", headers=headers or c.admin,
                  version=version, body={"events": events})  # fmt: skip


def actions(c: Compute, server_id: str) -> list[str]:
    listed = c.get(f"/v2.1/servers/{server_id}/os-instance-actions", headers=c.admin)
    return [a["action"] for a in listed.json["instanceActions"]]


def last_event(c: Compute, server_id: str) -> str:
    listed = c.get(f"/v2.1/servers/{server_id}/os-instance-actions", headers=c.admin)
    request_id = listed.json["instanceActions"][0]["request_id"]
    shown = c.get(f"/v2.1/servers/{server_id}/os-instance-actions/{request_id}",
                  headers=c.admin, version="2.51")  # fmt: skip
    (event,) = shown.json["instanceAction"]["events"]
    name: str = event["event"]
    return name


def test_the_service_role_or_an_admin_sends_events(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    event = {"name": "network-changed", "server_uuid": server_id}
    assert send(compute, [event], headers=compute.alice_h).status_code == 403
    service = create_user(compute.deps, name="neutron", project_name="service", roles=("service",))
    token = issue_token(compute.deps, user_id=service.id, project_id=service.project_id)
    taken = send(compute, [event], headers={"X-Auth-Token": token})
    assert taken.status_code == 200, taken.text
    assert taken.json == {"events": [{**event, "status": "completed", "code": 200}]}
    # The network events record nothing (as in Nova).
    assert actions(compute, server_id) == ["create"]


def test_each_event_has_its_code_and_any_failure_makes_a_207(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    nowhere = compute.make(project=compute.alice.project_id, host=None, node=None)
    missing = str(uuid.uuid4())
    events = [
        {"name": "network-vif-plugged", "server_uuid": server_id, "tag": "port-1",
         "status": "in-progress"},
        {"name": "network-vif-deleted", "server_uuid": missing},
        {"name": "power-update", "server_uuid": server_id},
        {"name": "network-changed", "server_uuid": nowhere},
    ]  # fmt: skip
    result = send(compute, events)
    assert result.status_code == 207
    answered = [(e["code"], e["status"]) for e in result.json["events"]]
    assert answered == [(200, "completed"), (404, "failed"), (400, "failed"), (422, "failed")]
    assert result.json["events"][0]["tag"] == "port-1"
    assert "tag" not in result.json["events"][1]
    # Every event failing is still a 207, never a 404 (Nova's bug 1855752 fixed).
    alone = send(compute, [{"name": "network-changed", "server_uuid": missing}])
    assert alone.status_code == 207


def test_event_names_and_bodies_by_microversion(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    power = {"name": "power-update", "server_uuid": server_id, "tag": "POWER_OFF"}
    assert send(compute, [power], version="2.75").status_code == 400
    reimaged = {"name": "volume-reimaged", "server_uuid": server_id, "tag": "v"}
    assert send(compute, [reimaged], version="2.92").status_code == 400
    assert send(compute, [reimaged]).status_code == 200
    assert send(compute, []).status_code == 400
    assert send(compute, [{"name": "network-changed", "server_uuid": "nope"}]).status_code == 400
    long_tag = {"name": "network-changed", "server_uuid": server_id, "tag": "x" * 256}
    assert send(compute, [long_tag]).status_code == 400


def test_power_update_powers_the_server_off_and_on(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    off = {"name": "power-update", "server_uuid": server_id, "tag": "POWER_OFF"}
    assert send(compute, [off], version="2.76").status_code == 200
    shown = compute.get(f"/v2.1/servers/{server_id}", headers=compute.admin).json["server"]
    assert (shown["status"], shown["OS-EXT-STS:power_state"]) == ("SHUTOFF", 4)
    assert actions(compute, server_id)[0] == "stop"
    assert last_event(compute, server_id) == "compute_power_update"
    # Already off: recorded, nothing changes.
    assert send(compute, [off]).status_code == 200
    assert actions(compute, server_id)[:2] == ["stop", "stop"]
    on = {**off, "tag": "POWER_ON"}
    assert send(compute, [on]).status_code == 200
    shown = compute.get(f"/v2.1/servers/{server_id}", headers=compute.admin).json["server"]
    assert shown["status"] == "ACTIVE"
    # An unknown power state is answered 200 and dropped.
    odd = send(compute, [{**off, "tag": "SUSPEND"}])
    assert odd.json["events"][0]["code"] == 200
    assert actions(compute, server_id)[0] == "start"


def test_volume_extended_is_recorded_as_an_extend_volume_action(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    event = {"name": "volume-extended", "server_uuid": server_id, "tag": str(uuid.uuid4())}
    assert send(compute, [event], version="2.50").status_code == 400
    assert send(compute, [event], version="2.51").status_code == 200
    assert actions(compute, server_id)[0] == "extend_volume"
    assert last_event(compute, server_id) == "compute_extend_volume"


def test_an_event_for_a_deleted_server_is_taken_and_changes_nothing(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    deleted = compute.call("DELETE", f"/v2.1/servers/{server_id}", headers=compute.alice_h)
    assert deleted.status_code == 204
    # The network service reports the port gone after the delete, as Nova takes it.
    gone = send(compute, [{"name": "network-vif-deleted", "server_uuid": server_id,
                           "tag": "port-1"}])  # fmt: skip
    assert gone.status_code == 200, gone.text
    powered = send(compute, [{"name": "power-update", "server_uuid": server_id, "tag": "POWER_ON"}])
    assert powered.json["events"][0]["code"] == 200
    shown = compute.get(f"/v2.1/servers/{server_id}", headers=compute.admin)
    assert shown.status_code == 404
