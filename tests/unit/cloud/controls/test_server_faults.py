"""Fault rules on servers: a build held in BUILD until the clock passes it, a build that ends in
ERROR with its fault, and a delete that fails as Nova's compute fails one (ERROR, a fault)."""

from __future__ import annotations

from typing import Any

from tests.fixtures.cloud import admin_token
from tests.unit.cloud.compute.helpers import CIRROS_ID
from tests.unit.cloud.controls.conftest import Controlled

SERVERS = "/compute/v2.1/servers"


def _boot(controlled: Controlled) -> str:
    body = {"server": {"name": "vm", "imageRef": CIRROS_ID, "flavorRef": "1",
                       "networks": "none"}}  # fmt: skip
    made = controlled.client.simulate_post(
        SERVERS, headers={**controlled.member, "OpenStack-API-Version": "compute 2.52"},
        json=body,
    )  # fmt: skip
    assert made.status_code == 202, made.text
    return str(made.json["server"]["id"])


def _server(controlled: Controlled, server_id: str) -> dict[str, Any]:
    shown = controlled.client.simulate_get(f"{SERVERS}/{server_id}", headers=controlled.admin)
    assert shown.status_code == 200, shown.text
    server: dict[str, Any] = shown.json["server"]
    return server


def test_a_build_stays_in_build_until_the_clock_passes_it(controlled: Controlled) -> None:
    controlled.add(service="compute", action="build_delay", seconds=600, times=1)
    held = _boot(controlled)
    assert _server(controlled, held)["status"] == "BUILD"
    assert _server(controlled, _boot(controlled))["status"] == "ACTIVE"
    controlled.client.simulate_post("/pocketstack/v1/clock", headers=controlled.admin,
                                    json={"advance": 601})  # fmt: skip
    assert _server(controlled, held)["status"] == "ACTIVE"


def test_a_build_ends_in_error_with_the_fault(controlled: Controlled) -> None:
    controlled.add(service="compute", action="build_error", message="Disk full",
                   project_id=controlled.member_project)  # fmt: skip
    server = _server(controlled, _boot(controlled))
    assert server["status"] == "ERROR"
    assert server["fault"]["code"] == 500
    assert server["fault"]["message"] == "Disk full"


def test_a_failed_delete_leaves_the_server_in_error_then_a_delete_goes_through(
    controlled: Controlled,
) -> None:
    controlled.add(service="compute", action="delete_error", times=1)
    server_id = _boot(controlled)
    first = controlled.client.simulate_delete(f"{SERVERS}/{server_id}", headers=controlled.member)
    assert first.status_code == 204
    failed = _server(controlled, server_id)
    assert failed["status"] == "ERROR"
    assert "Failed to terminate instance" in failed["fault"]["message"]
    second = controlled.client.simulate_delete(f"{SERVERS}/{server_id}", headers=controlled.member)
    assert second.status_code == 204
    gone = controlled.client.simulate_get(f"{SERVERS}/{server_id}", headers=controlled.admin)
    assert gone.status_code == 404


def test_server_actions_belong_to_compute_and_match_no_request(controlled: Controlled) -> None:
    for fault in ({"service": "image", "action": "build_error"},
                  {"service": "compute", "action": "delete_error", "path": "/v2.1/servers"},
                  {"service": "compute", "action": "build_delay"}):  # fmt: skip
        refused = controlled.client.simulate_post(
            "/pocketstack/v1/faults", headers=controlled.admin, json={"fault": fault}
        )
        assert refused.status_code == 400, fault


def test_the_clock_reclaims_a_soft_deleted_server(controlled_reclaiming: Controlled) -> None:
    controlled = controlled_reclaiming
    server_id = _boot(controlled)
    deleted = controlled.client.simulate_delete(f"{SERVERS}/{server_id}", headers=controlled.member)
    assert deleted.status_code == 204
    assert _server(controlled, server_id)["status"] == "SOFT_DELETED"
    controlled.client.simulate_post("/pocketstack/v1/clock", headers=controlled.admin,
                                    json={"advance": 3601})  # fmt: skip
    # The admin's token of an hour ago has expired with the rest: a new one reads the server.
    fresh = {"X-Auth-Token": admin_token(controlled.deps)}
    gone = controlled.client.simulate_get(f"{SERVERS}/{server_id}", headers=fresh)
    assert gone.status_code == 404
