"""The driver's delay changed while the cloud runs: a server built after it stays in BUILD until
the clock passes it, a reset brings back the configured delay, and only an admin may change it."""

from __future__ import annotations

from typing import Any

from falcon import testing

from pocketstack.cloud.app import WSGIApp
from tests.unit.cloud.compute.helpers import CIRROS_ID
from tests.unit.cloud.controls.conftest import Controlled

DRIVER = "/pocketstack/v1/driver"
CLOCK = "/pocketstack/v1/clock"
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


def _status(controlled: Controlled, server_id: str) -> str:
    shown = controlled.client.simulate_get(f"{SERVERS}/{server_id}", headers=controlled.admin)
    assert shown.status_code == 200, shown.text
    return str(shown.json["server"]["status"])


def _set(controlled: Controlled, body: dict[str, Any]) -> dict[str, Any]:
    answer = controlled.client.simulate_post(DRIVER, headers=controlled.admin, json=body)
    assert answer.status_code == 200, answer.text
    driver: dict[str, Any] = answer.json["driver"]
    return driver


def test_a_server_built_after_a_delay_is_set_stays_in_build_until_the_clock_passes_it(
    controlled: Controlled,
) -> None:
    assert _status(controlled, _boot(controlled)) == "ACTIVE"
    assert _set(controlled, {"delay_seconds": 300}) == {
        "delay_seconds": 300, "configured_seconds": 0, "overridden": True,
    }  # fmt: skip
    held = _boot(controlled)
    assert _status(controlled, held) == "BUILD"
    controlled.client.simulate_post(CLOCK, headers=controlled.admin, json={"advance": 200})
    assert _status(controlled, held) == "BUILD"
    controlled.client.simulate_post(CLOCK, headers=controlled.admin, json={"advance": 101})
    assert _status(controlled, held) == "ACTIVE"


def test_reset_brings_back_the_configured_delay(controlled: Controlled) -> None:
    _set(controlled, {"delay_seconds": 300})
    assert _set(controlled, {"reset": True}) == {
        "delay_seconds": 0, "configured_seconds": 0, "overridden": False,
    }  # fmt: skip
    shown = controlled.client.simulate_get(DRIVER, headers=controlled.admin).json["driver"]
    assert shown["overridden"] is False
    assert _status(controlled, _boot(controlled)) == "ACTIVE"


def test_a_zero_delay_overrides_a_configured_one(controlled_delayed: Controlled) -> None:
    held = _boot(controlled_delayed)
    assert _status(controlled_delayed, held) == "BUILD"
    assert _set(controlled_delayed, {"delay_seconds": 0})["configured_seconds"] == 60
    assert _status(controlled_delayed, _boot(controlled_delayed)) == "ACTIVE"
    assert _set(controlled_delayed, {"reset": True})["delay_seconds"] == 60
    assert _status(controlled_delayed, _boot(controlled_delayed)) == "BUILD"


def test_bounded_and_well_formed(controlled: Controlled) -> None:
    for body in ({"delay_seconds": -1}, {"delay_seconds": 86401}, {"delay_seconds": "5"},
                 {"reset": False}, {}, {"delay_seconds": 1, "reset": True}):  # fmt: skip
        refused = controlled.client.simulate_post(DRIVER, headers=controlled.admin, json=body)
        assert refused.status_code == 400, body
        assert refused.json["error"]["code"] == 400


def test_admin_only(controlled: Controlled) -> None:
    client = controlled.client
    assert client.simulate_get(DRIVER).status_code == 401
    for answer in (client.simulate_get(DRIVER, headers=controlled.member),
                   client.simulate_post(DRIVER, headers=controlled.member,
                                        json={"delay_seconds": 5})):  # fmt: skip
        assert answer.status_code == 403
    assert _status(controlled, _boot(controlled)) == "ACTIVE"


def test_declared_when_on(controlled: Controlled) -> None:
    paths = controlled.client.simulate_get("/openapi.json").json["paths"]
    assert set(paths["/pocketstack/v1/driver"]) == {"get", "post"}


def test_absent_when_off(cloud_app: WSGIApp) -> None:
    off = testing.TestClient(cloud_app)
    assert off.simulate_get(DRIVER).status_code == 404
    assert "/pocketstack/v1/driver" not in off.simulate_get("/openapi.json").json["paths"]
