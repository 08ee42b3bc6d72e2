"""os-hosts' update and power actions, the instance usage audit log, server passwords and
diagnostics through the compute API."""

from __future__ import annotations

import re

import pytest

from tests.unit.cloud.compute.helpers import Compute, fault


def test_updating_a_host_answers_as_novas_fake_driver(compute: Compute) -> None:
    body = {"status": "Disable", "maintenance_mode": "enable"}
    result = compute.call("PUT", "/v2.1/os-hosts/compute-1", headers=compute.admin, body=body)
    assert result.status_code == 200, result.text
    assert result.json == {
        "host": "compute-1",
        "status": "disabled",
        "maintenance_mode": "on_maintenance",
    }
    only = compute.call(
        "PUT", "/v2.1/os-hosts/compute-1", headers=compute.admin, body={"status": "enable"}
    )
    assert only.json == {"host": "compute-1", "status": "enabled"}
    # Nova's schema requires neither field: an empty body changes nothing.
    empty = compute.call("PUT", "/v2.1/os-hosts/compute-1", headers=compute.admin, body={})
    assert empty.json == {"host": "compute-1"}


@pytest.mark.parametrize(
    "body",
    [
        {"status": None, "maintenance_mode": None},
        {"status": "invalid", "maintenance_mode": "enable"},
        {"status": "enable", "maintenance_mode": "invalid"},
        {"status": "enable", "param": "XXX"},
    ],
)
def test_a_bad_host_update_is_refused(compute: Compute, body: dict[str, object]) -> None:
    result = compute.call("PUT", "/v2.1/os-hosts/compute-1", headers=compute.admin, body=body)
    assert result.status_code == 400
    assert fault(result)[0] == "badRequest"


def test_host_updates_and_power_actions_need_an_existing_compute_host_and_an_admin(
    compute: Compute,
) -> None:
    body = {"status": "enable", "maintenance_mode": "enable"}
    missing = compute.call("PUT", "/v2.1/os-hosts/nowhere", headers=compute.admin, body=body)
    assert missing.status_code == 404
    assert fault(missing) == ("itemNotFound", "Host 'nowhere' is not mapped to any cell")
    member = compute.call("PUT", "/v2.1/os-hosts/compute-1", headers=compute.alice_h, body=body)
    assert member.status_code == 403
    for action in ("reboot", "shutdown", "startup"):
        done = compute.get(f"/v2.1/os-hosts/compute-1/{action}", headers=compute.admin)
        assert done.json == {"host": "compute-1", "power_action": action}
        assert (
            compute.get(f"/v2.1/os-hosts/nowhere/{action}", headers=compute.admin).status_code
            == 404
        )
        assert (
            compute.get(f"/v2.1/os-hosts/compute-1/{action}", headers=compute.alice_h).status_code
            == 403
        )
        gone = compute.get(
            f"/v2.1/os-hosts/compute-1/{action}", headers=compute.admin, version="2.43"
        )
        assert gone.status_code == 404
    at_243 = compute.call(
        "PUT", "/v2.1/os-hosts/compute-1", headers=compute.admin, body=body, version="2.43"
    )
    assert at_243.status_code == 404


def test_the_audit_log_shows_the_last_completed_month_with_no_host_audited(
    compute: Compute,
) -> None:
    result = compute.get("/v2.1/os-instance_usage_audit_log", headers=compute.admin)
    assert result.status_code == 200, result.text
    log = result.json["instance_usage_audit_logs"]
    assert re.fullmatch(r"\d{4}-\d\d-01 00:00:00", log["period_beginning"])
    assert log["num_hosts"] == 2
    assert sorted(log["hosts_not_run"]) == ["compute-1", "compute-2"]
    assert log["overall_status"] == "0 of 2 hosts done. 0 errors."
    before = compute.get(
        "/v2.1/os-instance_usage_audit_log/2012-06-01 00:00:00", headers=compute.admin
    )
    shown = before.json["instance_usage_audit_log"]
    assert (shown["period_beginning"], shown["period_ending"]) == (
        "2012-04-01 00:00:00",
        "2012-05-01 00:00:00",
    )
    january = compute.get(
        "/v2.1/os-instance_usage_audit_log/2013-01-15 10:00:00.5", headers=compute.admin
    ).json["instance_usage_audit_log"]
    assert january["period_beginning"] == "2012-12-01 00:00:00"
    bad = compute.get("/v2.1/os-instance_usage_audit_log/yesterday", headers=compute.admin)
    assert fault(bad) == ("badRequest", "Invalid timestamp for date yesterday")
    member = compute.get("/v2.1/os-instance_usage_audit_log", headers=compute.alice_h)
    assert member.status_code == 403


def test_a_servers_password_is_empty_and_clearing_it_keeps_it_so(compute: Compute) -> None:
    server = compute.boot(compute.alice_h)
    path = f"/v2.1/servers/{server}/os-server-password"
    assert compute.get(path, headers=compute.alice_h).json == {"password": ""}
    assert compute.call("DELETE", path, headers=compute.alice_h).status_code == 204
    assert compute.get(path, headers=compute.alice_h).json == {"password": ""}
    assert compute.get(path, headers=compute.bob_h).status_code == 404


def test_diagnostics_are_the_drivers_keys_before_248_and_the_standard_form_from_it(
    compute: Compute,
) -> None:
    server = compute.boot(compute.alice_h)
    path = f"/v2.1/servers/{server}/diagnostics"
    legacy = compute.get(path, headers=compute.admin, version="2.47")
    assert legacy.status_code == 200, legacy.text
    assert legacy.json["cpu0_time"] == 17300000000
    standard = compute.get(path, headers=compute.admin, version="2.48").json
    assert (standard["state"], standard["driver"]) == ("running", "libvirt")
    assert standard["num_cpus"] == len(standard["cpu_details"]) == 1
    assert standard["memory_details"] == {"maximum": 524288, "used": 0}
    assert compute.get(path, headers=compute.alice_h).status_code == 403
    missing = compute.get("/v2.1/servers/nothing/diagnostics", headers=compute.admin)
    assert missing.status_code == 404


def test_an_audit_period_before_year_one_is_400_not_500(compute: Compute) -> None:
    result = compute.get("/v2.1/os-instance_usage_audit_log/0001-01-15 00:00:00",
                         headers=compute.admin)  # fmt: skip
    assert result.status_code == 400


def test_diagnostics_of_a_stopped_server_are_409(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    compute.call("POST", f"/v2.1/servers/{server_id}/action", headers=compute.alice_h,
                 body={"os-stop": None})  # fmt: skip
    result = compute.get(f"/v2.1/servers/{server_id}/diagnostics", headers=compute.admin,
                         version="2.48")  # fmt: skip
    assert result.status_code == 409
    assert "Cannot get_diagnostics" in result.text
