"""The fake fleet through the compute API: os-services, os-hosts and os-availability-zone at the
microversions where they differ, their policies, and disabling, forcing down and deleting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pocketstack.cloud.compute import fleet
from pocketstack.cloud.config import FleetHost
from tests.fixtures.cloud import make_deps
from tests.unit.cloud.compute.helpers import Compute, build_compute


def services(compute: Compute, version: str, query: str | None = None) -> list[dict[str, Any]]:
    result = compute.get("/v2.1/os-services", headers=compute.admin, version=version, query=query)
    assert result.status_code == 200, result.text
    found: list[dict[str, Any]] = result.json["services"]
    return found


def compute_service(compute: Compute, host: str = "compute-1") -> dict[str, Any]:
    (found,) = services(compute, "2.53", f"binary=nova-compute&host={host}")
    return found


def test_the_default_fleet_is_two_computes_and_the_controllers_services(
    compute: Compute,
) -> None:
    listed = {(s["host"], s["binary"], s["zone"]) for s in services(compute, "2.1")}
    assert listed == {
        ("controller", "nova-conductor", "internal"),
        ("controller", "nova-scheduler", "internal"),
        ("compute-1", "nova-compute", "nova"),
        ("compute-2", "nova-compute", "nova"),
    }


def test_ids_are_integers_before_253_uuids_from_it_and_forced_down_shows_from_211(
    compute: Compute,
) -> None:
    (old,) = services(compute, "2.10", "binary=nova-compute&host=compute-1")
    assert isinstance(old["id"], int)
    assert "forced_down" not in old
    (mid,) = services(compute, "2.11", "binary=nova-compute&host=compute-1")
    assert isinstance(mid["id"], int)
    assert mid["forced_down"] is False
    new = compute_service(compute)
    assert len(new["id"]) == 36
    assert new["state"] == "up"
    assert new["status"] == "enabled"


def test_unknown_query_parameters_are_refused_from_275(compute: Compute) -> None:
    assert len(services(compute, "2.74", "foo=1")) == 4
    result = compute.get("/v2.1/os-services?foo=1", headers=compute.admin, version="2.75")
    assert result.status_code == 400


def test_only_admins_see_or_change_services(compute: Compute) -> None:
    result = compute.get("/v2.1/os-services", headers=compute.alice_h)
    assert result.status_code == 403
    assert "os_compute_api:os-services:list" in result.json["forbidden"]["message"]
    ident = compute_service(compute)["id"]
    result = compute.call(
        "PUT",
        f"/v2.1/os-services/{ident}",
        headers=compute.alice_h,
        version="2.53",
        body={"status": "disabled"},
    )
    assert result.status_code == 403


def put(compute: Compute, path: str, body: Any, version: str) -> Any:
    return compute.call(
        "PUT", f"/v2.1/os-services/{path}", headers=compute.admin, version=version, body=body
    )


def test_disable_with_a_reason_then_enable_by_uuid(compute: Compute) -> None:
    ident = compute_service(compute)["id"]
    result = put(compute, ident, {"status": "disabled", "disabled_reason": "maintenance"}, "2.53")
    assert result.status_code == 200, result.text
    assert result.json["service"]["status"] == "disabled"
    assert result.json["service"]["disabled_reason"] == "maintenance"
    assert compute_service(compute)["disabled_reason"] == "maintenance"
    refused = put(compute, ident, {"status": "enabled", "disabled_reason": "x"}, "2.53")
    assert refused.status_code == 400
    result = put(compute, ident, {"status": "enabled"}, "2.53")
    assert result.json["service"]["status"] == "enabled"
    assert result.json["service"]["disabled_reason"] is None


def test_an_update_by_uuid_must_change_something_of_a_compute_service(compute: Compute) -> None:
    ident = compute_service(compute)["id"]
    result = put(compute, ident, {"disabled_reason": "why"}, "2.53")
    assert result.status_code == 400
    assert "No updates were requested" in result.json["badRequest"]["message"]
    (scheduler,) = services(compute, "2.53", "binary=nova-scheduler")
    result = put(compute, scheduler["id"], {"status": "disabled"}, "2.53")
    assert result.status_code == 400
    assert "Only nova-compute services can be updated" in result.json["badRequest"]["message"]
    assert put(compute, "not-a-uuid", {"status": "disabled"}, "2.53").status_code == 400
    missing = "00000000-0000-4000-8000-000000000000"
    assert put(compute, missing, {"status": "disabled"}, "2.53").status_code == 404
    assert put(compute, ident, {"status": "off"}, "2.53").status_code == 400


def test_legacy_actions_name_the_service_in_the_body(compute: Compute) -> None:
    body = {"host": "compute-2", "binary": "nova-compute", "disabled_reason": "noisy"}
    result = put(compute, "disable-log-reason", body, "2.1")
    assert result.status_code == 200, result.text
    assert result.json == {"service": {**body, "status": "disabled"}}
    assert compute_service(compute, "compute-2")["status"] == "disabled"
    plain = {"host": "compute-2", "binary": "nova-compute"}
    assert put(compute, "enable", plain, "2.1").json == {"service": {**plain, "status": "enabled"}}
    assert put(compute, "disable-log-reason", plain, "2.1").status_code == 400
    assert put(compute, "reboot", plain, "2.1").status_code == 404
    gone = put(compute, "disable", {"host": "nowhere", "binary": "nova-compute"}, "2.1")
    assert gone.status_code == 404
    assert gone.json["itemNotFound"]["message"] == (
        "Could not find binary nova-compute on host nowhere."
    )
    # The body of 2.53 is not the body of 2.1.
    assert put(compute, "disable", {"status": "disabled"}, "2.1").status_code == 400


def test_force_down_exists_from_211_and_takes_the_host_down(compute: Compute) -> None:
    body = {"host": "compute-1", "binary": "nova-compute", "forced_down": True}
    assert put(compute, "force-down", body, "2.10").status_code == 400  # not in its schema
    assert put(compute, "force-down", {**body, "forced_down": None}, "2.11").status_code == 400
    result = put(compute, "force-down", body, "2.11")
    assert result.json == {"service": body}
    down = compute_service(compute)
    assert down["state"] == "down"
    assert down["forced_down"] is True
    result = put(compute, down["id"], {"forced_down": "false"}, "2.53")
    assert result.json["service"]["state"] == "up"
    assert result.json["service"]["forced_down"] is False


def test_deleting_a_service_hosting_servers_is_refused_then_allowed(compute: Compute) -> None:
    server = compute.boot(compute.alice_h)
    shown = compute.get(f"/v2.1/servers/{server}", headers=compute.admin, version="2.53")
    host = shown.json["server"]["OS-EXT-SRV-ATTR:host"]
    ident = compute_service(compute, host)["id"]
    delete = compute.call(
        "DELETE", f"/v2.1/os-services/{ident}", headers=compute.admin, version="2.53"
    )
    assert delete.status_code == 409
    assert compute.call("DELETE", f"/v2.1/servers/{server}", headers=compute.alice_h)
    delete = compute.call(
        "DELETE", f"/v2.1/os-services/{ident}", headers=compute.admin, version="2.53"
    )
    assert delete.status_code == 204
    assert services(compute, "2.53", f"host={host}") == []
    again = compute.call(
        "DELETE", f"/v2.1/os-services/{ident}", headers=compute.admin, version="2.53"
    )
    assert again.status_code == 404


def test_legacy_delete_takes_an_integer_id(compute: Compute) -> None:
    (conductor,) = services(compute, "2.52", "binary=nova-conductor")
    path = "/v2.1/os-services/"
    assert compute.call("DELETE", path + "abc", headers=compute.admin).status_code == 400
    assert compute.call("DELETE", path + "99999", headers=compute.admin).status_code == 404
    done = compute.call("DELETE", f"{path}{conductor['id']}", headers=compute.admin)
    assert done.status_code == 204
    assert services(compute, "2.52", "binary=nova-conductor") == []


def zones(compute: Compute, detail: bool, headers: dict[str, str] | None = None) -> Any:
    path = "/v2.1/os-availability-zone" + ("/detail" if detail else "")
    return compute.get(path, headers=headers or compute.admin)


def test_zones_summary_for_readers_detail_for_admins(compute: Compute) -> None:
    summary = zones(compute, False, compute.alice_h)
    assert summary.json == {
        "availabilityZoneInfo": [
            {"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}
        ]
    }
    assert zones(compute, True, compute.alice_h).status_code == 403
    detail = {z["zoneName"]: z for z in zones(compute, True).json["availabilityZoneInfo"]}
    assert set(detail) == {"nova", "internal"}
    assert set(detail["nova"]["hosts"]) == {"compute-1", "compute-2"}
    assert detail["nova"]["hosts"]["compute-1"]["nova-compute"]["active"] is True
    assert set(detail["internal"]["hosts"]["controller"]) == {"nova-conductor", "nova-scheduler"}


def test_a_zone_whose_services_are_all_disabled_is_unavailable(compute: Compute) -> None:
    for host in ("compute-1", "compute-2"):
        put(compute, "disable", {"host": host, "binary": "nova-compute"}, "2.1")
    summary = zones(compute, False).json["availabilityZoneInfo"]
    assert summary == [{"zoneName": "nova", "zoneState": {"available": False}, "hosts": None}]
    put(compute, "enable", {"host": "compute-1", "binary": "nova-compute"}, "2.1")
    detail = {z["zoneName"]: z for z in zones(compute, True).json["availabilityZoneInfo"]}
    assert detail["nova"]["zoneState"] == {"available": True}
    # A disabled service is left out of its zone's hosts.
    assert set(detail["nova"]["hosts"]) == {"compute-1"}


def test_os_hosts_lists_and_shows_until_242_only(compute: Compute) -> None:
    hosts = compute.get("/v2.1/os-hosts", headers=compute.admin, version="2.42")
    assert {(h["host_name"], h["service"], h["zone"]) for h in hosts.json["hosts"]} == {
        ("controller", "conductor", "internal"),
        ("controller", "scheduler", "internal"),
        ("compute-1", "compute", "nova"),
        ("compute-2", "compute", "nova"),
    }
    in_nova = compute.get("/v2.1/os-hosts", headers=compute.admin, query="zone=nova")
    assert {h["host_name"] for h in in_nova.json["hosts"]} == {"compute-1", "compute-2"}
    assert compute.get("/v2.1/os-hosts", headers=compute.admin, version="2.43").status_code == 404
    assert compute.get("/v2.1/os-hosts", headers=compute.alice_h).status_code == 403
    shown = compute.get("/v2.1/os-hosts/compute-1", headers=compute.admin, version="2.42")
    total = shown.json["host"][0]["resource"]
    assert total == {
        "host": "compute-1",
        "project": "(total)",
        "cpu": 1_000_000,
        "memory_mb": 2_000_000_000,
        "disk_gb": 2_000_000_000,
    }
    missing = compute.get("/v2.1/os-hosts/nowhere", headers=compute.admin)
    assert missing.status_code == 404
    assert (
        compute.get("/v2.1/os-hosts/compute-1", headers=compute.admin, version="2.43").status_code
        == 404
    )


def test_the_configured_fleet_is_what_the_services_show(tmp_path: Path, clock: Any) -> None:
    hosts = (FleetHost("big-1", vcpus=64, availability_zone="az1"), FleetHost("small-1"))
    deps = make_deps(data_dir=tmp_path, db_url=f"sqlite:///{tmp_path / 'c.db'}", clock=clock,
                     settings={"hosts": hosts})  # fmt: skip
    try:
        compute = build_compute(deps)
        listed = {(s["host"], s["zone"]) for s in services(compute, "2.53", "binary=nova-compute")}
        assert listed == {("big-1", "az1"), ("small-1", "nova")}
        summary = zones(compute, False).json["availabilityZoneInfo"]
        assert sorted(z["zoneName"] for z in summary) == ["az1", "nova"]
        # A restart keeps what an admin set, and takes new sizes from the configuration.
        put(compute, "disable", {"host": "big-1", "binary": "nova-compute"}, "2.1")
        bigger = (FleetHost("big-1", vcpus=128, availability_zone="az1"), FleetHost("small-1"))
        with deps.store.session(write=True) as session:
            fleet.ensure_services(session, bigger, clock.now())
        (big,) = services(compute, "2.53", "host=big-1")
        assert big["status"] == "disabled"
        stats = compute.get("/v2.1/os-hosts/big-1", headers=compute.admin).json["host"][0]
        assert stats["resource"]["cpu"] == 128
    finally:
        deps.store.dispose()
