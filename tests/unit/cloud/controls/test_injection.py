"""Fault rules applied to the services: the service's own error body, counted down across
concurrent requests on every database, matched by method, path and project, logged."""

from __future__ import annotations

import logging
import time

import pytest
from falcon import testing

from tests.unit.cloud.controls.conftest import Controlled
from tests.unit.cloud.network.helpers import race

FLAVORS = "/compute/v2.1/flavors"


def test_an_error_answers_in_each_services_shape(controlled: Controlled) -> None:
    client, admin = controlled.client, controlled.admin
    for service in ("compute", "network", "image", "identity"):
        controlled.add(service=service, action="error", status=503, message="Try later.")
    compute = client.simulate_get(FLAVORS, headers=admin)
    assert compute.status_code == 503
    assert compute.json == {"serviceUnavailable": {"code": 503, "message": "Try later."}}
    network = client.simulate_get("/networking/v2.0/networks", headers=admin)
    assert network.json["NeutronError"]["message"] == "Try later."
    image = client.simulate_get("/image/v2/images", headers=admin)
    assert image.json["code"] == "503 Service Unavailable"
    identity = client.simulate_get("/identity/v3/projects", headers=admin)
    assert identity.json["error"] == {
        "code": 503, "title": "Service Unavailable", "message": "Try later."
    }  # fmt: skip
    assert compute.headers["X-Pocketstack-Fault"]


def test_fail_n_times_then_pass(controlled: Controlled) -> None:
    rule = controlled.add(service="compute", action="error", status=500, times=2)
    statuses = [controlled.client.simulate_get(FLAVORS, headers=controlled.admin).status_code
                for _ in range(4)]  # fmt: skip
    assert statuses == [500, 500, 200, 200]
    shown = controlled.client.simulate_get(
        f"/pocketstack/v1/faults/{rule['id']}", headers=controlled.admin
    ).json["fault"]
    assert shown["times_left"] == 0
    assert shown["injected"] == 2


def test_method_and_path_pattern_and_service_narrow_a_rule(controlled: Controlled) -> None:
    client, admin = controlled.client, controlled.admin
    controlled.add(service="compute", action="error", status=409, method="POST",
                   path="/v2.1/servers*")  # fmt: skip
    assert client.simulate_get("/compute/v2.1/servers", headers=admin).status_code == 200
    assert client.simulate_get(FLAVORS, headers=admin).status_code == 200
    created = client.simulate_post("/compute/v2.1/servers", headers=admin, json={})
    assert created.status_code == 409
    assert created.json["conflictingRequest"]["message"] == "Conflict"
    assert client.simulate_get("/networking/v2.0/networks", headers=admin).status_code == 200


def test_a_project_rule_faults_that_projects_tokens_only(controlled: Controlled) -> None:
    controlled.add(service="compute", action="error", status=503,
                   project_id=controlled.member_project)  # fmt: skip
    client = controlled.client
    assert client.simulate_get(FLAVORS, headers=controlled.admin).status_code == 200
    assert client.simulate_get(FLAVORS).status_code == 401
    assert client.simulate_get(FLAVORS, headers={"X-Auth-Token": "junk"}).status_code == 401
    assert client.simulate_get(FLAVORS, headers=controlled.member).status_code == 503


def test_latency_delays_then_serves(controlled: Controlled) -> None:
    controlled.add(service="compute", action="latency", seconds=0.3, times=1)
    started = time.monotonic()
    slow = controlled.client.simulate_get(FLAVORS, headers=controlled.admin)
    assert slow.status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    controlled.client.simulate_get(FLAVORS, headers=controlled.admin)
    assert time.monotonic() - started < 0.3


def test_drop_marks_the_request_for_the_front_door(controlled: Controlled) -> None:
    controlled.add(service="image", action="drop", times=1)
    environ = testing.create_environ(path="/image/v2/images", headers=controlled.admin)
    statuses: list[str] = []
    body = b"".join(controlled.client.app(environ, lambda s, h: statuses.append(s)))
    assert environ["pocketstack.drop_connection"] is True
    # Without a front door (in-process), a 502 in the image service's shape stands in.
    assert statuses == ["502 Bad Gateway"]
    assert b"502 Bad Gateway" in body


def test_the_control_api_is_never_faulted(controlled: Controlled) -> None:
    for service in ("compute", "network", "image", "identity"):
        controlled.add(service=service, action="error", status=500)
    listed = controlled.client.simulate_get("/pocketstack/v1/faults", headers=controlled.admin)
    assert listed.status_code == 200
    assert len(listed.json["faults"]) == 4


def test_every_injection_is_logged_without_the_token(
    controlled: Controlled, caplog: pytest.LogCaptureFixture
) -> None:
    rule = controlled.add(service="compute", action="error", status=503, times=1)
    with caplog.at_level(logging.INFO, logger="pocketstack.faults"):
        controlled.client.simulate_get(FLAVORS, headers=controlled.admin)
        controlled.client.simulate_get(FLAVORS, headers=controlled.admin)
    lines = [r.getMessage() for r in caplog.records if r.name == "pocketstack.faults"]
    assert len(lines) == 1
    assert rule["id"] in lines[0]
    assert "GET /compute/v2.1/flavors" in lines[0]
    assert controlled.admin["X-Auth-Token"] not in caplog.text


def test_a_token_in_the_path_is_logged_hashed(
    controlled: Controlled, caplog: pytest.LogCaptureFixture
) -> None:
    controlled.add(service="identity", action="error", status=500, path="/v2.0/tokens/*")
    token = controlled.admin["X-Auth-Token"]
    with caplog.at_level(logging.INFO, logger="pocketstack.faults"):
        answer = controlled.client.simulate_get(
            f"/identity/v2.0/tokens/{token}", headers=controlled.admin
        )
    assert answer.status_code == 500
    assert "{SHA256}" in caplog.text
    assert token not in caplog.text


def test_concurrent_requests_share_one_countdown(controlled_any_db: Controlled) -> None:
    controlled = controlled_any_db
    controlled.add(service="compute", action="error", status=503, times=3)
    results = race([
        lambda: controlled.client.simulate_get(FLAVORS, headers=controlled.admin)
        for _ in range(10)
    ])  # fmt: skip
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] * 7 + [503] * 3
    shown = controlled.client.simulate_get("/pocketstack/v1/faults", headers=controlled.admin)
    assert shown.json["faults"][0]["injected"] == 3
