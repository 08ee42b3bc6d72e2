"""os-hypervisors over the fake fleet: usage from the servers created through the API, the
microversions where the routes and fields change, paging; the fleet's configuration and the
choice of a host for a new server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pocketstack.cloud.compute import fleet
from pocketstack.cloud.config import FleetHost, load_config
from pocketstack.cloud.errors import ConfigError
from tests.unit.cloud.compute.helpers import Compute


def get(compute: Compute, path: str, version: str = "2.1", query: str | None = None) -> Any:
    return compute.get(f"/v2.1/{path}", headers=compute.admin, version=version, query=query)


def by_name(result: Any) -> dict[str, dict[str, Any]]:
    assert result.status_code == 200, result.text
    return {h["hypervisor_hostname"]: h for h in result.json["hypervisors"]}


def test_usage_counts_the_servers_created_on_each_host(compute: Compute) -> None:
    booted = [compute.boot(compute.alice_h, name=f"vm{i}") for i in range(3)]
    detail = by_name(get(compute, "os-hypervisors/detail", "2.27"))
    assert sum(h["running_vms"] for h in detail.values()) == 3
    # m1.tiny: 1 vCPU, 512 MB, 1 GB.
    assert sum(h["vcpus_used"] for h in detail.values()) == 3
    assert sum(h["memory_mb_used"] for h in detail.values()) == 1536
    assert sum(h["local_gb_used"] for h in detail.values()) == 3
    one = detail["compute-1"]
    assert one["vcpus"] == 1_000_000
    assert one["memory_mb"] == 2_000_000_000
    assert one["local_gb"] == 2_000_000_000
    assert one["free_ram_mb"] == 2_000_000_000 - one["memory_mb_used"]
    assert isinstance(one["cpu_info"], str)
    compute.call("DELETE", f"/v2.1/servers/{booted[0]}", headers=compute.alice_h)
    stats = get(compute, "os-hypervisors/statistics").json["hypervisor_statistics"]
    assert stats["count"] == 2
    assert stats["running_vms"] == 2
    assert stats["vcpus"] == 2_000_000
    assert stats["memory_mb_used"] == 1024


def test_with_servers_lists_each_hosts_servers(compute: Compute) -> None:
    server = compute.boot(compute.alice_h, name="web")
    hosts = by_name(get(compute, "os-hypervisors", "2.75", "with_servers=true"))
    listed = [s for h in hosts.values() for s in h["servers"]]
    assert listed == [{"name": "web", "uuid": server}]
    # From 2.75 a host without servers shows an empty list when they were asked for.
    assert [] in [h["servers"] for h in hosts.values()]
    before = by_name(get(compute, "os-hypervisors/detail", "2.53", "with_servers=1"))
    assert sum("servers" in h for h in before.values()) == 1
    assert all("servers" not in h for h in by_name(get(compute, "os-hypervisors", "2.75")).values())
    assert get(compute, "os-hypervisors", "2.53", "with_servers=maybe").status_code == 400


def test_ids_and_fields_by_microversion(compute: Compute) -> None:
    old = by_name(get(compute, "os-hypervisors/detail", "2.52"))["compute-1"]
    assert isinstance(old["id"], int)
    assert isinstance(old["cpu_info"], dict)
    new = by_name(get(compute, "os-hypervisors/detail", "2.53"))["compute-1"]
    assert len(new["id"]) == 36
    assert len(new["service"]["id"]) == 36
    latest = by_name(get(compute, "os-hypervisors/detail", "2.88"))["compute-1"]
    assert "vcpus" not in latest
    assert "running_vms" not in latest
    assert " up " in latest["uptime"]
    shown = get(compute, f"os-hypervisors/{old['id']}", "2.52")
    assert shown.json["hypervisor"]["hypervisor_hostname"] == "compute-1"
    assert get(compute, f"os-hypervisors/{new['id']}", "2.88").json["hypervisor"]["uptime"]
    assert get(compute, f"os-hypervisors/{old['id']}", "2.53").status_code == 400
    assert get(compute, "os-hypervisors/abc", "2.52").status_code == 404
    gone = "00000000-0000-4000-8000-000000000000"
    assert get(compute, f"os-hypervisors/{gone}", "2.53").status_code == 404


def test_routes_a_microversion_removed_are_not_found_from_it(compute: Compute) -> None:
    first = by_name(get(compute, "os-hypervisors", "2.52"))["compute-1"]["id"]
    assert get(compute, "os-hypervisors/statistics", "2.87").status_code == 200
    assert get(compute, "os-hypervisors/statistics", "2.88").status_code == 404
    uptime = get(compute, f"os-hypervisors/{first}/uptime", "2.52")
    assert " up " in uptime.json["hypervisor"]["uptime"]
    uuid = by_name(get(compute, "os-hypervisors", "2.53"))["compute-1"]["id"]
    assert get(compute, f"os-hypervisors/{uuid}/uptime", "2.87").status_code == 200
    assert get(compute, f"os-hypervisors/{uuid}/uptime", "2.88").status_code == 404
    found = get(compute, "os-hypervisors/compute/search", "2.52")
    assert sorted(h["hypervisor_hostname"] for h in found.json["hypervisors"]) == [
        "compute-1",
        "compute-2",
    ]
    assert get(compute, "os-hypervisors/nothing/search", "2.52").status_code == 404
    assert get(compute, "os-hypervisors/compute/search", "2.53").status_code == 404
    assert get(compute, "os-hypervisors/compute-2/servers", "2.52").status_code == 200
    assert get(compute, "os-hypervisors/compute-2/servers", "2.53").status_code == 404
    pattern = by_name(get(compute, "os-hypervisors", "2.53", "hypervisor_hostname_pattern=-2"))
    assert list(pattern) == ["compute-2"]


def test_a_forced_down_host_shows_down_with_no_uptime(compute: Compute) -> None:
    compute.call(
        "PUT",
        "/v2.1/os-services/force-down",
        headers=compute.admin,
        version="2.11",
        body={"host": "compute-2", "binary": "nova-compute", "forced_down": True},
    )
    hosts = by_name(get(compute, "os-hypervisors/detail", "2.88"))
    assert hosts["compute-2"]["state"] == "down"
    assert hosts["compute-2"]["uptime"] is None
    ident = by_name(get(compute, "os-hypervisors", "2.52"))["compute-2"]["id"]
    assert get(compute, f"os-hypervisors/{ident}/uptime", "2.52").status_code == 400


def test_paging_from_233(compute: Compute) -> None:
    first = get(compute, "os-hypervisors", "2.33", "limit=1")
    assert [h["hypervisor_hostname"] for h in first.json["hypervisors"]] == ["compute-1"]
    link = first.json["hypervisors_links"][0]["href"]
    marker = first.json["hypervisors"][0]["id"]
    assert f"marker={marker}" in link
    assert "limit=1" in link
    second = get(compute, "os-hypervisors", "2.33", f"limit=1&marker={marker}")
    assert [h["hypervisor_hostname"] for h in second.json["hypervisors"]] == ["compute-2"]
    # Before 2.33 there is no paging: limit is ignored.
    assert len(get(compute, "os-hypervisors", "2.32", "limit=1").json["hypervisors"]) == 2
    assert get(compute, "os-hypervisors", "2.33", "marker=999").status_code == 400
    assert get(compute, "os-hypervisors", "2.53", "limit=x").status_code == 400
    refused = get(compute, "os-hypervisors", "2.53", "limit=1&hypervisor_hostname_pattern=c")
    assert refused.status_code == 400


def test_hypervisors_are_for_admins_only(compute: Compute) -> None:
    for path in ("os-hypervisors", "os-hypervisors/detail", "os-hypervisors/statistics"):
        result = compute.get(f"/v2.1/{path}", headers=compute.alice_h)
        assert result.status_code == 403, path


def test_a_disabled_host_leaves_the_statistics(compute: Compute) -> None:
    compute.call(
        "PUT",
        "/v2.1/os-services/disable",
        headers=compute.admin,
        body={"host": "compute-1", "binary": "nova-compute"},
    )
    assert get(compute, "os-hypervisors/statistics").json["hypervisor_statistics"]["count"] == 1
    status = by_name(get(compute, "os-hypervisors"))["compute-1"]["status"]
    assert status == "disabled"


def test_pick_host_takes_enabled_hosts_with_room(compute: Compute) -> None:
    store = compute.deps.store
    with store.session() as session:
        placed = fleet.pick_host(session, vcpus=1, memory_mb=512, disk_gb=1)
        assert placed is not None
        assert placed.availability_zone == "nova"
        # Beyond the biggest host's RAM, or its vCPUs times the 4x overcommit.
        assert fleet.pick_host(session, vcpus=1, memory_mb=2_000_000_001, disk_gb=1) is None
        assert fleet.pick_host(session, vcpus=4_000_001, memory_mb=1, disk_gb=1) is None
        assert (
            fleet.pick_host(session, vcpus=1, memory_mb=1, disk_gb=1, availability_zone="elsewhere")
            is None
        )
        only = fleet.pick_host(session, vcpus=1, memory_mb=1, disk_gb=1, hosts=["compute-2"])
        assert only is not None
        assert only.host == "compute-2"
    compute.call(
        "PUT",
        "/v2.1/os-services/disable",
        headers=compute.admin,
        body={"host": "compute-2", "binary": "nova-compute"},
    )
    with store.session() as session:
        assert (
            fleet.pick_host(session, vcpus=1, memory_mb=1, disk_gb=1, hosts=["compute-2"]) is None
        )


def test_pick_host_prefers_the_host_with_most_free_ram(compute: Compute) -> None:
    compute.make(project=compute.alice.project_id, host="compute-1", memory_mb=60000)
    with compute.deps.store.session() as session:
        placed = fleet.pick_host(session, vcpus=1, memory_mb=8192, disk_gb=1)
    assert placed is not None
    assert placed.host == "compute-2"


def test_the_fleet_comes_from_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "pocketstack.toml").write_text(
        '[[hosts]]\nname = "big-1"\nvcpus = 64\navailability_zone = "az1"\n'
        '[[hosts]]\nname = "small-1"\nmemory_mb = 4096\n'
    )
    config = load_config(data_dir=tmp_path)
    assert config.hosts == (
        FleetHost("big-1", vcpus=64, availability_zone="az1"),
        FleetHost("small-1", memory_mb=4096),
    )
    assert load_config(data_dir=tmp_path / "none").hosts == (
        FleetHost("compute-1"),
        FleetHost("compute-2"),
    )


@pytest.mark.parametrize(
    "text",
    [
        'hosts = "compute-1"\n',
        "[[hosts]]\nvcpus = 4\n",
        '[[hosts]]\nname = "a"\nvcpus = 0\n',
        '[[hosts]]\nname = "a b"\n',
        '[[hosts]]\nname = "a"\ncolour = "red"\n',
        '[[hosts]]\nname = "a"\n[[hosts]]\nname = "a"\n',
        '[[hosts]]\nname = "a"\navailability_zone = "internal"\n',
    ],
)
def test_a_bad_fleet_is_refused_at_start(tmp_path: Path, text: str) -> None:
    (tmp_path / "pocketstack.toml").write_text(text)
    with pytest.raises(ConfigError):
        load_config(data_dir=tmp_path)
