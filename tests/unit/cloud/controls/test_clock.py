"""The movable clock: forward only, seen by every request, and what it moves (token expiry)."""

from __future__ import annotations

import datetime as dt

from tests.fixtures.cloud import admin_token
from tests.unit.cloud.controls.conftest import Controlled
from tests.unit.cloud.network.helpers import race

CLOCK = "/pocketstack/v1/clock"
FLAVORS = "/compute/v2.1/flavors"


def _now(shown: dict[str, object]) -> dt.datetime:
    return dt.datetime.strptime(str(shown["now"]), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def test_advance_moves_the_clouds_time_and_reset_brings_it_back(
    controlled: Controlled,
) -> None:
    client, admin = controlled.client, controlled.admin
    before = client.simulate_get(CLOCK, headers=admin).json["clock"]
    assert before["offset_seconds"] == 0
    # Less than the admin token's hour: past it, the token that moves the clock expires too.
    moved = client.simulate_post(CLOCK, headers=admin, json={"advance": 1800})
    assert moved.status_code == 200
    assert moved.json["clock"]["offset_seconds"] == 1800
    assert _now(moved.json["clock"]) - _now(before) >= dt.timedelta(minutes=30)
    again = client.simulate_post(CLOCK, headers=admin, json={"advance": 0.5}).json["clock"]
    assert again["offset_seconds"] == 1800.5
    back = client.simulate_post(CLOCK, headers=admin, json={"reset": True}).json["clock"]
    assert back["offset_seconds"] == 0


def test_only_forward(controlled: Controlled) -> None:
    for body in ({"advance": -10}, {"advance": 0}, {"reset": False}, {}, {"advance": "1"},
                 {"advance": 1, "reset": True}):  # fmt: skip
        refused = controlled.client.simulate_post(CLOCK, headers=controlled.admin, json=body)
        assert refused.status_code == 400, body
        assert refused.json["error"]["code"] == 400


def test_at_most_a_century_ahead(controlled: Controlled) -> None:
    client, admin = controlled.client, controlled.admin
    decade = 10 * 366 * 86400
    statuses = []
    for _ in range(11):
        # Each advance expires the token that made it: the next one logs in on the moved clock.
        admin = {"X-Auth-Token": admin_token(controlled.deps)}
        statuses.append(client.simulate_post(CLOCK, headers=admin,
                                             json={"advance": decade}).status_code)  # fmt: skip
    assert statuses == [200] * 10 + [400]
    admin = {"X-Auth-Token": admin_token(controlled.deps)}
    assert client.simulate_get(FLAVORS, headers=admin).status_code == 200
    assert client.simulate_post(CLOCK, headers=admin, json={"reset": True}).status_code == 200


def test_a_token_is_refused_once_the_clock_passes_its_expiry(controlled: Controlled) -> None:
    client, admin = controlled.client, controlled.admin
    assert client.simulate_get(FLAVORS, headers=controlled.member).status_code == 200
    client.simulate_post(CLOCK, headers=admin, json={"advance": 3599})
    assert client.simulate_get(FLAVORS, headers=controlled.member).status_code == 200
    client.simulate_post(CLOCK, headers=admin, json={"advance": 2})
    expired = client.simulate_get(FLAVORS, headers=controlled.member)
    assert expired.status_code == 401
    # The admin's token expired too: the control API refuses it like any service would.
    assert client.simulate_get(CLOCK, headers=admin).status_code == 401


def test_a_new_token_is_issued_on_the_moved_clock(controlled: Controlled) -> None:
    controlled.client.simulate_post(CLOCK, headers=controlled.admin, json={"advance": 86400})
    login = controlled.client.simulate_post("/identity/v3/auth/tokens", json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": "admin-secret-for-tests"}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}})  # fmt: skip
    assert login.status_code == 201
    issued = dt.datetime.fromisoformat(login.json["token"]["issued_at"].replace("Z", "+00:00"))
    assert issued - dt.datetime.now(dt.UTC) > dt.timedelta(hours=23)
    token = {"X-Auth-Token": login.headers["X-Subject-Token"]}
    assert controlled.client.simulate_get(FLAVORS, headers=token).status_code == 200


def test_concurrent_advances_add_up(controlled_any_db: Controlled) -> None:
    controlled = controlled_any_db
    results = race([
        lambda: controlled.client.simulate_post(CLOCK, headers=controlled.admin,
                                                json={"advance": 10})
        for _ in range(8)
    ])  # fmt: skip
    assert [r.status_code for r in results] == [200] * 8
    shown = controlled.client.simulate_get(CLOCK, headers=controlled.admin).json["clock"]
    assert shown["offset_seconds"] == 80
