"""Server create with quotas, the fleet and server groups: what a user sees when a project is
full, when no host has room, and when servers are booted into a group."""

from __future__ import annotations

from typing import Any

from tests.unit.cloud.compute.helpers import Compute
from tests.unit.cloud.compute.test_server_crud import SERVER, create


def _set_quota(compute: Compute, project_id: str, **limits: int) -> None:
    result = compute.call("PUT", f"/v2.1/os-quota-sets/{project_id}", headers=compute.admin,
                          body={"quota_set": limits})  # fmt: skip
    assert result.status_code == 200, result.text


def _show(compute: Compute, server_id: str, version: str = "2.71") -> dict[str, Any]:
    result = compute.get(f"/v2.1/servers/{server_id}", headers=compute.admin, version=version)
    server: dict[str, Any] = result.json["server"]
    return server


def _service_ids(compute: Compute) -> dict[str, str]:
    listed = compute.get("/v2.1/os-services", headers=compute.admin, version="2.53",
                         params={"binary": "nova-compute"})  # fmt: skip
    return {s["host"]: s["id"] for s in listed.json["services"]}


def test_a_full_project_gets_novas_403_and_no_server(compute: Compute) -> None:
    _set_quota(compute, compute.alice.project_id, instances=1)
    assert create(compute, {"server": SERVER}).status_code == 202
    refused = create(compute, {"server": SERVER})
    assert refused.status_code == 403
    assert refused.json["forbidden"]["message"] == (
        "Quota exceeded for instances: Requested 1, but already used 1 of 1 instances"
    )
    listed = compute.get("/v2.1/servers", headers=compute.alice_h)
    assert len(listed.json["servers"]) == 1


def test_a_multiple_create_gets_what_fits_when_min_count_allows(compute: Compute) -> None:
    _set_quota(compute, compute.alice.project_id, instances=3)
    made = create(compute, {"server": {**SERVER, "min_count": 2, "max_count": 5}})
    assert made.status_code == 202
    listed = compute.get("/v2.1/servers", headers=compute.alice_h)
    assert len(listed.json["servers"]) == 3
    refused = create(compute, {"server": {**SERVER, "min_count": 1, "max_count": 1}})
    assert refused.status_code == 403


def test_metadata_beyond_the_quota_is_403(compute: Compute) -> None:
    _set_quota(compute, compute.alice.project_id, metadata_items=2)
    refused = create(compute, {"server": {**SERVER, "metadata": {"a": "1", "b": "2", "c": "3"}}})
    assert refused.status_code == 403
    assert refused.json["forbidden"]["message"] == "Maximum number of metadata items exceeds 2"


def test_no_host_with_room_leaves_the_server_in_error_with_novas_fault(compute: Compute) -> None:
    for service_id in _service_ids(compute).values():
        body = {"status": "disabled", "disabled_reason": "x"}
        compute.call("PUT", f"/v2.1/os-services/{service_id}", headers=compute.admin,
                     version="2.53", body=body)  # fmt: skip
    made = create(compute, {"server": SERVER})
    assert made.status_code == 202
    server = _show(compute, made.json["server"]["id"])
    assert server["status"] == "ERROR"
    assert server["fault"]["code"] == 500
    assert server["fault"]["message"] == (
        "No valid host was found. There are not enough hosts available."
    )
    assert server["OS-EXT-SRV-ATTR:host"] is None
    assert server["addresses"] == {}


def test_a_disabled_host_gets_no_new_servers(compute: Compute) -> None:
    ids = _service_ids(compute)
    compute.call("PUT", f"/v2.1/os-services/{ids['compute-1']}", headers=compute.admin,
                 version="2.53", body={"status": "disabled"})  # fmt: skip
    hosts = {_show(compute, compute.boot(compute.alice_h))["OS-EXT-SRV-ATTR:host"]
             for _ in range(3)}  # fmt: skip
    assert hosts == {"compute-2"}


def test_an_unknown_zone_or_host_is_400(compute: Compute) -> None:
    zone = create(compute, {"server": {**SERVER, "availability_zone": "elsewhere"}})
    assert zone.status_code == 400
    assert zone.json["badRequest"]["message"] == (
        "The requested availability zone is not available"
    )
    host = compute.call("POST", "/v2.1/servers", headers=compute.admin, version="2.74",
                        body={"server": {**SERVER, "host": "compute-9"}})  # fmt: skip
    assert host.status_code == 400
    assert host.json["badRequest"]["message"] == "Compute host compute-9 could not be found."
    placed = compute.call("POST", "/v2.1/servers", headers=compute.admin, version="2.74",
                          body={"server": {**SERVER, "host": "compute-2"}})  # fmt: skip
    assert _show(compute, placed.json["server"]["id"])["OS-EXT-SRV-ATTR:host"] == "compute-2"


def _group(compute: Compute, policy: str) -> str:
    made = compute.call("POST", "/v2.1/os-server-groups", headers=compute.alice_h, version="2.64",
                        body={"server_group": {"name": policy, "policy": policy}})  # fmt: skip
    assert made.status_code == 200, made.text
    return str(made.json["server_group"]["id"])


def _boot_into(compute: Compute, group_id: str) -> str:
    body = {"server": SERVER, "os:scheduler_hints": {"group": group_id}}
    made = compute.call("POST", "/v2.1/servers", headers=compute.alice_h, version="2.64",
                        body=body)  # fmt: skip
    assert made.status_code == 202, made.text
    return str(made.json["server"]["id"])


def test_anti_affinity_spreads_members_and_errors_when_hosts_run_out(compute: Compute) -> None:
    group_id = _group(compute, "anti-affinity")
    servers = [_boot_into(compute, group_id) for _ in range(3)]
    shown = [_show(compute, s) for s in servers]
    assert sorted(s["OS-EXT-SRV-ATTR:host"] for s in shown[:2]) == ["compute-1", "compute-2"]
    assert shown[2]["status"] == "ERROR"
    group = compute.get(f"/v2.1/os-server-groups/{group_id}", headers=compute.alice_h)
    assert set(group.json["server_group"]["members"]) == set(servers)
    assert shown[0]["server_groups"] == [group_id]


def test_affinity_keeps_members_together(compute: Compute) -> None:
    group_id = _group(compute, "affinity")
    hosts = {_show(compute, _boot_into(compute, group_id))["OS-EXT-SRV-ATTR:host"]
             for _ in range(3)}  # fmt: skip
    assert len(hosts) == 1


def test_a_group_the_caller_cannot_see_is_400(compute: Compute) -> None:
    body = {"server": SERVER, "os:scheduler_hints": {"group": _group(compute, "affinity")}}
    made = compute.call("POST", "/v2.1/servers", headers=compute.bob_h, version="2.64",
                        body=body)  # fmt: skip
    assert made.status_code == 400
    assert "could not be found" in made.json["badRequest"]["message"]


def test_personality_files_count_against_the_injected_file_quotas(compute: Compute) -> None:
    files = [{"path": f"/etc/f{n}", "contents": "aGk="} for n in range(6)]
    refused = compute.call("POST", "/v2.1/servers", headers=compute.alice_h, version="2.56",
                           body={"server": {**SERVER, "personality": files}})  # fmt: skip
    assert refused.status_code == 403
    assert refused.json["forbidden"]["message"] == "Personality file limit exceeded"
    allowed = compute.call("POST", "/v2.1/servers", headers=compute.alice_h, version="2.56",
                           body={"server": {**SERVER, "personality": files[:5]}})  # fmt: skip
    assert allowed.status_code == 202, allowed.text


def test_a_host_dropped_from_the_configuration_takes_no_new_servers(compute: Compute) -> None:
    from pocketstack.cloud.compute import fleet
    from pocketstack.cloud.config import FleetHost

    with compute.deps.store.session(write=True) as session:
        fleet.ensure_services(session, (FleetHost("compute-1"),), compute.deps.clock.now())
    listed = compute.get("/v2.1/os-services", headers=compute.admin, version="2.53",
                         params={"binary": "nova-compute"})  # fmt: skip
    states = {s["host"]: (s["status"], s["disabled_reason"]) for s in listed.json["services"]}
    assert states == {
        "compute-1": ("enabled", None),
        "compute-2": ("disabled", "not in the configuration"),
    }
    hosts = {_show(compute, compute.boot(compute.alice_h))["OS-EXT-SRV-ATTR:host"]
             for _ in range(2)}  # fmt: skip
    assert hosts == {"compute-1"}


def test_a_users_own_server_group_limit_holds_inside_the_project(compute: Compute) -> None:
    project, user = compute.alice.project_id, compute.alice.id
    body = {"quota_set": {"server_groups": 1}}
    result = compute.call("PUT", f"/v2.1/os-quota-sets/{project}?user_id={user}",
                          headers=compute.admin, body=body)  # fmt: skip
    assert result.status_code == 200, result.text
    _group(compute, "affinity")
    second = {"server_group": {"name": "two", "policy": "affinity"}}
    refused = compute.call("POST", "/v2.1/os-server-groups", headers=compute.alice_h,
                           version="2.64", body=second)  # fmt: skip
    assert refused.status_code == 403
    assert refused.json["forbidden"]["message"] == "Quota exceeded, too many server groups."


def _boot_with_hints(compute: Compute, hints: dict[str, Any]) -> dict[str, Any]:
    made = create(compute, {"server": SERVER, "os:scheduler_hints": hints})
    assert made.status_code == 202, made.text
    return _show(compute, made.json["server"]["id"])


def test_same_host_and_different_host_hints_pick_the_host(compute: Compute) -> None:
    first = _show(compute, compute.boot(compute.alice_h))
    for _ in range(3):
        same = _boot_with_hints(compute, {"same_host": first["id"]})
        assert same["OS-EXT-SRV-ATTR:host"] == first["OS-EXT-SRV-ATTR:host"]
        apart = _boot_with_hints(compute, {"different_host": [first["id"]]})
        assert apart["status"] == "ACTIVE"
        assert apart["OS-EXT-SRV-ATTR:host"] != first["OS-EXT-SRV-ATTR:host"]


def test_different_host_from_every_host_finds_no_valid_host(compute: Compute) -> None:
    first = _show(compute, compute.boot(compute.alice_h))
    second = _boot_with_hints(compute, {"different_host": first["id"]})
    third = _boot_with_hints(compute, {"different_host": [first["id"], second["id"]]})
    assert third["status"] == "ERROR"
    assert third["fault"]["message"].startswith("No valid host was found.")


def test_same_host_as_a_deleted_server_finds_no_valid_host(compute: Compute) -> None:
    first = compute.boot(compute.alice_h)
    assert compute.call("DELETE", f"/v2.1/servers/{first}", headers=compute.alice_h).status_code \
        == 204
    server = _boot_with_hints(compute, {"same_host": [first]})
    assert server["status"] == "ERROR"
