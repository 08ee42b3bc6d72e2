"""The fake driver's placement: hosts in turn by sequence, addresses only for networked servers."""

from __future__ import annotations

import json

from pocketstack.cloud.compute import driver
from pocketstack.cloud.store.models.compute import Instance
from tests.unit.cloud.compute.helpers import Compute


def _row() -> Instance:
    return Instance(addresses="[]", ip4="", ip6="")


def test_schedule_networked_places_and_addresses() -> None:
    row = _row()
    driver.schedule(row, host="compute-2", seq=7, networked=True)
    assert (row.host, row.node) == ("compute-2", "compute-2")
    entries = json.loads(row.addresses)
    assert [e["version"] for e in entries] == [4, 6]
    assert row.ip4 == entries[0]["addr"]


def test_schedule_without_network_still_has_a_host() -> None:
    row = _row()
    driver.schedule(row, host="compute-1", seq=8, networked=False)
    assert (row.host, row.node) == ("compute-1", "compute-1")
    assert (row.addresses, row.ip4, row.ip6) == ("[]", "", "")


def test_booted_servers_spread_over_the_hosts_with_or_without_network(compute: Compute) -> None:
    first = compute.boot(compute.alice_h, name="a", networks="none")
    second = compute.boot(compute.alice_h, name="b")
    hosts = []
    for server_id in (first, second):
        result = compute.get(f"/v2.1/servers/{server_id}", headers=compute.admin, version="2.16")
        server = result.json["server"]
        assert server["hostId"]
        hosts.append(server["OS-EXT-SRV-ATTR:host"])
    # Placement takes the host with the most free RAM (by name on a tie): one server each.
    assert hosts == ["compute-1", "compute-2"]
