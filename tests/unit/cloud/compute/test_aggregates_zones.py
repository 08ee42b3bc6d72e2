"""Availability zones made by host aggregates: what os-availability-zone, os-services and new
servers show, placement into an aggregate's zone, and Nova's refusals of a host in two zones or
of a change that would move servers between zones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pocketstack.cloud.compute import fleet
from pocketstack.cloud.config import FleetHost
from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault
from tests.unit.cloud.compute.test_aggregates import AGGREGATES, act, create, show


def zone_of_services(compute: Compute) -> dict[str, str]:
    listed = compute.get(
        "/v2.1/os-services", headers=compute.admin, params={"binary": "nova-compute"}
    )
    return {s["host"]: s["zone"] for s in listed.json["services"]}


def zone_names(compute: Compute) -> list[str]:
    info = compute.get("/v2.1/os-availability-zone", headers=compute.alice_h).json
    return sorted(z["zoneName"] for z in info["availabilityZoneInfo"])


def boot_in(compute: Compute, zone: str | None) -> Any:
    extra = {} if zone is None else {"availability_zone": zone}
    server_id = compute.boot(compute.alice_h, **extra)
    result = compute.get(f"/v2.1/servers/{server_id}", headers=compute.admin, version="2.71")
    return result.json["server"]


def test_a_host_in_a_zoned_aggregate_is_in_its_zone(compute: Compute) -> None:
    agg = create(compute, "east", availability_zone="az-east")
    # An aggregate's zone with no host in it is no zone anyone can use yet, as in Nova.
    assert zone_names(compute) == ["nova"]
    act(compute, agg["id"], {"add_host": {"host": "compute-1"}})
    assert zone_names(compute) == ["az-east", "nova"]
    assert zone_of_services(compute) == {"compute-1": "az-east", "compute-2": "nova"}
    detail = compute.get("/v2.1/os-availability-zone/detail", headers=compute.admin).json
    hosts = {z["zoneName"]: sorted(z["hosts"] or {}) for z in detail["availabilityZoneInfo"]}
    assert hosts["az-east"] == ["compute-1"]
    assert hosts["nova"] == ["compute-2"]
    act(compute, agg["id"], {"remove_host": {"host": "compute-1"}})
    assert zone_of_services(compute) == {"compute-1": "nova", "compute-2": "nova"}
    assert zone_names(compute) == ["nova"]


def test_servers_go_to_the_zone_they_ask_for_and_show_it(compute: Compute) -> None:
    agg = create(compute, "east", availability_zone="az-east")
    act(compute, agg["id"], {"add_host": {"host": "compute-2"}})
    for _ in range(2):
        server = boot_in(compute, "az-east")
        assert server["OS-EXT-SRV-ATTR:host"] == "compute-2"
        assert server["OS-EXT-AZ:availability_zone"] == "az-east"
    default = boot_in(compute, "nova")
    assert default["OS-EXT-SRV-ATTR:host"] == "compute-1"
    assert default["OS-EXT-AZ:availability_zone"] == "nova"
    listed = compute.get("/v2.1/servers/detail", headers=compute.alice_h,
                         params={"availability_zone": "az-east"}, version="2.83")  # fmt: skip
    assert len(listed.json["servers"]) == 2
    unknown = compute.call("POST", "/v2.1/servers", headers=compute.alice_h, body={"server": {
        "name": "x", "imageRef": default["image"]["id"], "flavorRef": "1",
        "availability_zone": "az-west"}})  # fmt: skip
    assert unknown.status_code == 400


def test_a_zone_rename_moves_an_empty_hosts_new_servers(compute: Compute) -> None:
    agg = create(compute, "rename", availability_zone="az-1")
    act(compute, agg["id"], {"add_host": {"host": "compute-1"}})
    result = compute.call("PUT", f"{AGGREGATES}/{agg['id']}", headers=compute.admin,
                          body={"aggregate": {"availability_zone": "az-2"}})  # fmt: skip
    assert result.status_code == 200, result.text
    assert zone_of_services(compute)["compute-1"] == "az-2"
    act(compute, agg["id"], {"set_metadata": {"metadata": {"availability_zone": "az-3"}}})
    assert zone_of_services(compute)["compute-1"] == "az-3"
    assert boot_in(compute, "az-3")["OS-EXT-SRV-ATTR:host"] == "compute-1"


def test_a_host_cannot_be_in_two_zones(compute: Compute) -> None:
    first = create(compute, "first", availability_zone="az-1")
    second = create(compute, "second", availability_zone="az-2")
    same = create(compute, "same", availability_zone="az-1")
    plain = create(compute, "plain")
    act(compute, first["id"], {"add_host": {"host": "compute-1"}})
    refused = act(compute, second["id"], {"add_host": {"host": "compute-1"}})
    assert refused.status_code == 409
    assert fault(refused)[1] == (
        f"Cannot add host to aggregate {second['id']}. Reason: One or more hosts already in"
        " availability zone(s) ['az-1']."
    )
    assert act(compute, same["id"], {"add_host": {"host": "compute-1"}}).status_code == 200
    assert act(compute, plain["id"], {"add_host": {"host": "compute-1"}}).status_code == 200
    # A zone given to an aggregate whose host another aggregate zones differently: Nova's 400.
    for body in ({"set_metadata": {"metadata": {"availability_zone": "az-9"}}},):
        rezone = act(compute, plain["id"], body)
        assert rezone.status_code == 400
        assert "already in availability zone(s) ['az-1']" in fault(rezone)[1]
    body = {"aggregate": {"name": "renamed", "availability_zone": "az-9"}}
    update = compute.call("PUT", f"{AGGREGATES}/{plain['id']}", headers=compute.admin, body=body)
    assert update.status_code == 400
    # Nothing of a refused update stays, the name included.
    assert show(compute, plain["id"])["name"] == "plain"
    assert act(compute, plain["id"], {"set_metadata": {"metadata": {"availability_zone": "az-1"}}}
               ).status_code == 200  # fmt: skip
    assert zone_of_services(compute)["compute-1"] == "az-1"
    # Leaving one of three aggregates of the zone keeps the host in it.
    act(compute, first["id"], {"remove_host": {"host": "compute-1"}})
    assert zone_of_services(compute)["compute-1"] == "az-1"


def test_servers_never_change_zone_under_an_aggregate_change(compute: Compute) -> None:
    zoned = create(compute, "zoned", availability_zone="az-1")
    act(compute, zoned["id"], {"add_host": {"host": "compute-2"}})
    server = boot_in(compute, "az-1")
    assert server["OS-EXT-SRV-ATTR:host"] == "compute-2"
    # Leaving the aggregate would put the host (and its server) back in "nova".
    leave = act(compute, zoned["id"], {"remove_host": {"host": "compute-2"}})
    assert leave.status_code == 409
    assert "would change from 'az-1' to 'nova'" in fault(leave)[1]
    rename = compute.call("PUT", f"{AGGREGATES}/{zoned['id']}", headers=compute.admin,
                          body={"aggregate": {"availability_zone": "az-2"}})  # fmt: skip
    assert rename.status_code == 400
    assert "One or more hosts contain instances in this zone" in fault(rename)[1]
    # The other host, with a server in "nova", cannot join a zone either.
    boot_in(compute, "nova")
    join = act(compute, zoned["id"], {"add_host": {"host": "compute-1"}})
    assert join.status_code == 409
    assert "would change from 'nova' to 'az-1'" in fault(join)[1]
    # An aggregate of the zone the host is in already moves nothing: allowed.
    same = create(compute, "same", availability_zone="nova")
    assert act(compute, same["id"], {"add_host": {"host": "compute-1"}}).status_code == 200
    plain = create(compute, "plain")
    assert act(compute, plain["id"], {"add_host": {"host": "compute-2"}}).status_code == 200
    assert act(compute, plain["id"], {"remove_host": {"host": "compute-2"}}).status_code == 200
    assert boot_in(compute, "az-1")["OS-EXT-AZ:availability_zone"] == "az-1"


def test_a_restart_keeps_the_aggregates_zones(compute: Compute) -> None:
    agg = create(compute, "kept", availability_zone="az-kept")
    act(compute, agg["id"], {"add_host": {"host": "compute-1"}})
    with compute.deps.store.session(write=True) as session:
        fleet.ensure_services(session, compute.deps.config.hosts, compute.deps.clock.now())
    assert zone_of_services(compute) == {"compute-1": "az-kept", "compute-2": "nova"}


@pytest.fixture
def east_west(tmp_path: Path, clock: OffsetClock) -> Iterator[Compute]:
    hosts = (FleetHost("e-1", availability_zone="east"), FleetHost("w-1", availability_zone="west"))
    deps = make_deps(data_dir=tmp_path, db_url=f"sqlite:///{tmp_path / 'c.db'}", clock=clock,
                     settings={"hosts": hosts})  # fmt: skip
    try:
        yield build_compute(deps)
    finally:
        deps.store.dispose()


def test_a_host_leaving_its_aggregates_returns_to_its_configured_zone(east_west: Compute) -> None:
    compute = east_west
    agg = create(compute, "central", availability_zone="central")
    act(compute, agg["id"], {"add_host": {"host": "e-1"}})
    act(compute, agg["id"], {"add_host": {"host": "w-1"}})
    assert zone_names(compute) == ["central"]
    act(compute, agg["id"], {"remove_host": {"host": "w-1"}})
    assert zone_of_services(compute) == {"e-1": "central", "w-1": "west"}
    assert zone_names(compute) == ["central", "west"]


def test_a_deleted_compute_service_leaves_its_aggregates(compute: Compute) -> None:
    agg = create(compute, "doomed-host", availability_zone="az-1")
    act(compute, agg["id"], {"add_host": {"host": "compute-2"}})
    listed = compute.get("/v2.1/os-services", headers=compute.admin, version="2.53",
                         params={"binary": "nova-compute", "host": "compute-2"})  # fmt: skip
    (service,) = listed.json["services"]
    gone = compute.call("DELETE", f"/v2.1/os-services/{service['id']}", headers=compute.admin,
                        version="2.53")  # fmt: skip
    assert gone.status_code == 204
    assert show(compute, agg["id"])["hosts"] == []
    assert (
        compute.call("DELETE", f"{AGGREGATES}/{agg['id']}", headers=compute.admin).status_code
        == 200
    )
