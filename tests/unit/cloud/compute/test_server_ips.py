"""`/servers/{id}/ips`: the addresses a server shows, by network, in Nova's basic view."""

from __future__ import annotations

from pocketstack.cloud.compute import driver
from tests.unit.cloud.compute.helpers import Compute


def test_ips_match_the_addresses_the_server_shows(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    shown = compute.get(f"/v2.1/servers/{server_id}", headers=compute.alice_h).json["server"]
    ips = compute.get(f"/v2.1/servers/{server_id}/ips", headers=compute.alice_h)
    assert ips.status_code == 200
    expected = {
        net: [{"version": a["version"], "addr": a["addr"]} for a in addrs]
        for net, addrs in shown["addresses"].items()
    }
    assert ips.json == {"addresses": expected}
    assert [a["version"] for a in expected[driver.NETWORK_NAME]] == [4, 6]
    one = compute.get(
        f"/v2.1/servers/{server_id}/ips/{driver.NETWORK_NAME}", headers=compute.alice_h
    )
    assert one.status_code == 200
    assert one.json == {driver.NETWORK_NAME: expected[driver.NETWORK_NAME]}


def test_a_network_the_server_is_not_on_is_404(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    missing = compute.get(f"/v2.1/servers/{server_id}/ips/elsewhere", headers=compute.alice_h)
    assert missing.status_code == 404
    assert missing.json["itemNotFound"]["message"] == (
        "Instance is not a member of specified network"
    )


def test_a_server_without_networks_has_no_addresses(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h, networks="none")
    ips = compute.get(f"/v2.1/servers/{server_id}/ips", headers=compute.alice_h)
    assert ips.json == {"addresses": {}}


def test_another_projects_server_is_not_found_and_admin_sees_it(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert compute.get(f"/v2.1/servers/{server_id}/ips", headers=compute.bob_h).status_code == 404
    assert compute.get(f"/v2.1/servers/{server_id}/ips", headers=compute.admin).status_code == 200
