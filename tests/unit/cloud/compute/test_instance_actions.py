"""The instance action log (os-instance-actions): what each request recorded, its events by
microversion and role, paging, and deleted servers' logs."""

from __future__ import annotations

from typing import Any

from tests.unit.cloud.compute.helpers import Compute, fault
from tests.unit.cloud.compute.test_server_lifecycle import act


def _actions(c: Compute, server_id: str, version: str = "2.96", **params: Any) -> Any:
    return c.get(f"/v2.1/servers/{server_id}/os-instance-actions", headers=c.alice_h,
                 version=version, params=params or None)  # fmt: skip


def test_each_request_is_recorded_newest_first_under_its_request_id(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    stop = act(compute, server_id, {"os-stop": None})
    listed = _actions(compute, server_id)
    assert listed.status_code == 200, listed.text
    actions = listed.json["instanceActions"]
    assert [a["action"] for a in actions] == ["stop", "create"]
    assert actions[0]["request_id"] == stop.headers["x-openstack-request-id"]
    assert actions[0]["user_id"] == compute.alice.id


def test_events_by_role_and_microversion(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    request_id = act(compute, server_id, {"shelve": None}).headers["x-openstack-request-id"]
    path = f"/v2.1/servers/{server_id}/os-instance-actions/{request_id}"
    old = compute.get(path, headers=compute.alice_h, version="2.50")
    assert "events" not in old.json["instanceAction"]
    member = compute.get(path, headers=compute.alice_h, version="2.62")
    (event,) = member.json["instanceAction"]["events"]
    assert (event["event"], event["result"]) == ("compute_shelve_instance", "Success")
    assert "host" not in event
    assert "traceback" not in event
    assert event["hostId"]
    admin = compute.get(path, headers=compute.admin, version="2.84")
    (event,) = admin.json["instanceAction"]["events"]
    assert event["host"].startswith("compute-")
    assert "details" in event
    missing = compute.get(f"/v2.1/servers/{server_id}/os-instance-actions/req-nope",
                          headers=compute.alice_h)  # fmt: skip
    assert fault(missing)[0] == "itemNotFound"


def test_paging_from_258(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    for body in ({"os-stop": None}, {"os-start": None}, {"reboot": {"type": "HARD"}}):
        assert act(compute, server_id, body).status_code == 202
    first = _actions(compute, server_id, limit=2)
    assert [a["action"] for a in first.json["instanceActions"]] == ["reboot", "start"]
    assert "marker=" in first.json["links"][0]["href"]
    marker = first.json["instanceActions"][-1]["request_id"]
    rest = _actions(compute, server_id, limit=2, marker=marker)
    assert [a["action"] for a in rest.json["instanceActions"]] == ["stop", "create"]
    bad = _actions(compute, server_id, marker="req-nope")
    assert bad.status_code == 400
    old = _actions(compute, server_id, version="2.57", limit=1)
    assert len(old.json["instanceActions"]) == 4
    assert "updated_at" not in old.json["instanceActions"][0]


def test_a_deleted_servers_log_from_221(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    deleted = compute.call("DELETE", f"/v2.1/servers/{server_id}", headers=compute.alice_h)
    assert deleted.status_code == 204
    assert _actions(compute, server_id, version="2.20").status_code == 404
    listed = _actions(compute, server_id, version="2.21")
    assert [a["action"] for a in listed.json["instanceActions"]] == ["delete", "create"]


def test_other_projects_cannot_read_the_log(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    other = compute.get(f"/v2.1/servers/{server_id}/os-instance-actions", headers=compute.bob_h)
    assert other.status_code == 404


def test_a_state_reset_is_in_the_log(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    compute.call("POST", f"/v2.1/servers/{server_id}/action", headers=compute.admin,
                 body={"os-resetState": {"state": "error"}})  # fmt: skip
    listed = compute.get(f"/v2.1/servers/{server_id}/os-instance-actions", headers=compute.admin)
    assert "resetState" in {a["action"] for a in listed.json["instanceActions"]}
