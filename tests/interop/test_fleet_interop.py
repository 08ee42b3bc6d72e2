"""The genuine upstream clients against the fake fleet.

- tempest's own response schemas validate the bodies of os-services, os-hypervisors, os-hosts
  and os-availability-zone at the microversions where they change;
- python-openstackclient's `compute service list/set`, `hypervisor list/show/stats` and
  `availability zone list` against a real `pocketstack serve`.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.interop.test_compute_interop import _validate
from tests.unit.cloud.compute.helpers import Compute, build_compute

pytestmark = pytest.mark.interop


def _case(resource: str, schema: str, minor: int, result: Any) -> dict[str, Any]:
    return {
        "resource": resource,
        "schema": schema,
        "minor": minor,
        "status": result.status_code,
        "body": result.json,
    }


def test_tempest_schemas_validate_the_fleets_bodies(
    interop_venv: Path, cloud_deps: CloudDeps
) -> None:
    c: Compute = build_compute(cloud_deps)
    c.boot(c.alice_h)
    cases: list[dict[str, Any]] = []
    for minor in (1, 11, 28, 33, 52, 53, 75, 87):
        v = f"2.{minor}"
        cases.append(
            _case(
                "services",
                "list_services",
                minor,
                c.get("/v2.1/os-services", headers=c.admin, version=v),
            )
        )
        listing = c.get("/v2.1/os-hypervisors", headers=c.admin, version=v)
        cases.append(_case("hypervisors", "list_search_hypervisors", minor, listing))
        cases.append(
            _case(
                "hypervisors",
                "list_hypervisors_detail",
                minor,
                c.get("/v2.1/os-hypervisors/detail", headers=c.admin, version=v),
            )
        )
        ident = listing.json["hypervisors"][0]["id"]
        cases.append(
            _case(
                "hypervisors",
                "get_hypervisor",
                minor,
                c.get(f"/v2.1/os-hypervisors/{ident}", headers=c.admin, version=v),
            )
        )
        cases.append(
            _case(
                "hypervisors",
                "get_hypervisor_uptime",
                minor,
                c.get(f"/v2.1/os-hypervisors/{ident}/uptime", headers=c.admin, version=v),
            )
        )
        cases.append(
            _case(
                "hypervisors",
                "get_hypervisor_statistics",
                minor,
                c.get("/v2.1/os-hypervisors/statistics", headers=c.admin, version=v),
            )
        )
        if minor <= 52:
            cases.append(
                _case(
                    "hypervisors",
                    "get_hypervisors_servers",
                    minor,
                    c.get("/v2.1/os-hypervisors/compute/servers", headers=c.admin, version=v),
                )
            )
    for legacy, schema in (
        ("disable-log-reason", "disable_log_reason"),
        ("enable", "enable_disable_service"),
    ):
        body = {"host": "compute-1", "binary": "nova-compute", "disabled_reason": "x"}
        if legacy == "enable":
            body.pop("disabled_reason")
        cases.append(
            _case(
                "services",
                schema,
                1,
                c.call("PUT", f"/v2.1/os-services/{legacy}", headers=c.admin, body=body),
            )
        )
    forced = {"host": "compute-1", "binary": "nova-compute", "forced_down": False}
    cases.append(
        _case(
            "services",
            "update_forced_down",
            11,
            c.call(
                "PUT", "/v2.1/os-services/force-down", headers=c.admin, version="2.11", body=forced
            ),
        )
    )
    service = c.get("/v2.1/os-services?binary=nova-compute", headers=c.admin, version="2.53")
    cases.append(
        _case(
            "services",
            "update_service",
            53,
            c.call(
                "PUT",
                f"/v2.1/os-services/{service.json['services'][0]['id']}",
                headers=c.admin,
                version="2.53",
                body={"status": "enabled"},
            ),
        )
    )
    cases.append(_case("hosts", "list_hosts", 1, c.get("/v2.1/os-hosts", headers=c.admin)))
    cases.append(
        _case("hosts", "get_host_detail", 1, c.get("/v2.1/os-hosts/compute-1", headers=c.admin))
    )
    cases.append(
        _case(
            "availability_zone",
            "list_availability_zone_list",
            1,
            c.get("/v2.1/os-availability-zone", headers=c.alice_h),
        )
    )
    cases.append(
        _case(
            "availability_zone",
            "list_availability_zone_list_detail",
            1,
            c.get("/v2.1/os-availability-zone/detail", headers=c.admin),
        )
    )
    assert [e for e in _validate(interop_venv, cases) if e] == []


def _openstack(venv: Path, env: dict[str, str], *argv: str) -> Any:
    result = subprocess.run(
        [str(venv / "bin" / "openstack"), *argv, "-f", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{argv}: {result.stderr}"
    return json.loads(result.stdout) if result.stdout.strip() else None


def _set(venv: Path, env: dict[str, str], *argv: str) -> None:
    result = subprocess.run(
        [str(venv / "bin" / "openstack"), "compute", "service", "set", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{argv}: {result.stderr}"


def test_openstackclient_services_hypervisors_and_zones(
    interop_venv: Path, live_cloud: Any
) -> None:
    env = live_cloud.client_env()
    env["OS_COMPUTE_API_VERSION"] = "2.latest"
    listed = _openstack(interop_venv, env, "compute", "service", "list")
    assert {(s["Binary"], s["Host"], s["Zone"]) for s in listed} >= {
        ("nova-conductor", "controller", "internal"),
        ("nova-scheduler", "controller", "internal"),
        ("nova-compute", "compute-1", "nova"),
        ("nova-compute", "compute-2", "nova"),
    }
    try:
        _set(
            interop_venv,
            env,
            "--disable",
            "--disable-reason",
            "interop",
            "compute-2",
            "nova-compute",
        )
        (row,) = _openstack(
            interop_venv, env, "compute", "service", "list", "--host", "compute-2", "--long"
        )
        assert row["Status"] == "disabled"
        assert row["Disabled Reason"] == "interop"
        _set(interop_venv, env, "--down", "compute-2", "nova-compute")
        (row,) = _openstack(
            interop_venv, env, "compute", "service", "list", "--host", "compute-2", "--long"
        )
        assert row["State"] == "down"
        assert row["Forced Down"] is True
    finally:
        _set(interop_venv, env, "--enable", "--up", "compute-2", "nova-compute")
    (row,) = _openstack(interop_venv, env, "compute", "service", "list", "--host", "compute-2")
    assert row["Status"] == "enabled"
    assert row["State"] == "up"

    hypervisors = _openstack(interop_venv, env, "hypervisor", "list")
    assert sorted(h["Hypervisor Hostname"] for h in hypervisors) == ["compute-1", "compute-2"]
    shown = _openstack(interop_venv, env, "hypervisor", "show", "compute-1")
    assert shown["hypervisor_hostname"] == "compute-1"
    assert shown["state"] == "up"
    # Statistics went away at 2.88: the client asks for them at an older version.
    old = {**env, "OS_COMPUTE_API_VERSION": "2.87"}
    stats = _openstack(interop_venv, old, "hypervisor", "stats", "show")
    assert stats["count"] == 2
    assert stats["vcpus"] == 2 * 1_000_000  # two default hosts
    zones = _openstack(interop_venv, env, "availability", "zone", "list", "--compute")
    # As an admin the client reads the detail, which shows the control services' zone too.
    assert {(z["Zone Name"], z["Zone Status"]) for z in zones} == {
        ("nova", "available"),
        ("internal", "available"),
    }
