"""Where a move (cold migration, evacuation) may go: the scheduler's rules from the server's
boot still hold — its server group's policy and the zone it asked for — and the server's zone
follows its new host."""

from __future__ import annotations

from typing import Any

from tests.unit.cloud.compute.helpers import Compute, fault
from tests.unit.cloud.compute.test_evacuate import evacuate, force_down, server
from tests.unit.cloud.compute.test_server_crud import SERVER, create


def _migrate(c: Compute, server_id: str) -> Any:
    return c.call("POST", f"/v2.1/servers/{server_id}/action", headers=c.admin, version="2.56",
                  body={"migrate": None})  # fmt: skip


def _group(c: Compute, policy: str) -> str:
    made = c.call("POST", "/v2.1/os-server-groups", headers=c.alice_h, version="2.64",
                  body={"server_group": {"name": "g", "policy": policy}})  # fmt: skip
    assert made.status_code == 200, made.text
    group_id: str = made.json["server_group"]["id"]
    return group_id


def _boot(c: Compute, **extra: Any) -> str:
    made = create(c, {"server": {**SERVER, **extra.pop("server", {})}, **extra})
    assert made.status_code == 202, made.text
    server_id: str = made.json["server"]["id"]
    return server_id


def test_a_move_keeps_anti_affinity(compute: Compute) -> None:
    group = _group(compute, "anti-affinity")
    first = _boot(compute, **{"os:scheduler_hints": {"group": group}})
    second = _boot(compute, **{"os:scheduler_hints": {"group": group}})
    hosts = {server(compute, s)["OS-EXT-SRV-ATTR:host"] for s in (first, second)}
    assert len(hosts) == 2
    # The only other host holds the other member: nowhere to go.
    refused = _migrate(compute, first)
    assert fault(refused) == ("badRequest", "No valid host was found. "
                              "There are not enough hosts available.")  # fmt: skip
    force_down(compute, server(compute, second)["OS-EXT-SRV-ATTR:host"])
    assert evacuate(compute, second, {}).status_code == 200
    assert server(compute, second)["status"] == "ERROR"
    assert {server(compute, s)["OS-EXT-SRV-ATTR:host"] for s in (first, second)} == hosts


def test_a_move_keeps_the_same_host_and_different_host_hints(compute: Compute) -> None:
    anchor = _boot(compute)
    apart = _boot(compute, **{"os:scheduler_hints": {"different_host": [anchor]}})
    together = _boot(compute, **{"os:scheduler_hints": {"same_host": anchor}})
    where = server(compute, anchor)["OS-EXT-SRV-ATTR:host"]
    assert server(compute, apart)["OS-EXT-SRV-ATTR:host"] != where
    assert server(compute, together)["OS-EXT-SRV-ATTR:host"] == where
    # With two hosts, the only one away from the anchor is the anchor's own.
    refused = _migrate(compute, apart)
    assert fault(refused)[1].startswith("No valid host was found.")
    assert fault(_migrate(compute, together))[1].startswith("No valid host was found.")
    # The anchor itself was booted with no hint: it moves, and the hints follow it.
    assert _migrate(compute, anchor).status_code == 202
    assert _migrate(compute, together).status_code == 202


def test_a_move_stays_in_the_zone_asked_for_and_the_zone_follows_the_host(
    compute: Compute,
) -> None:
    made = compute.call("POST", "/v2.1/os-aggregates", headers=compute.admin,
                        body={"aggregate": {"name": "a", "availability_zone": "az1"}})  # fmt: skip
    aggregate = made.json["aggregate"]["id"]
    added = compute.call("POST", f"/v2.1/os-aggregates/{aggregate}/action", headers=compute.admin,
                         body={"add_host": {"host": "compute-1"}})  # fmt: skip
    assert added.status_code == 200, added.text
    pinned = _boot(compute, server={"availability_zone": "az1"})
    assert server(compute, pinned)["OS-EXT-SRV-ATTR:host"] == "compute-1"
    assert _migrate(compute, pinned).status_code == 400
    # A server that asked for no zone goes anywhere, and shows the zone it lands in.
    free = _boot(compute)
    if server(compute, free)["OS-EXT-SRV-ATTR:host"] != "compute-1":
        assert _migrate(compute, free).status_code == 202
        compute.call("POST", f"/v2.1/servers/{free}/action", headers=compute.admin,
                     body={"confirmResize": None})  # fmt: skip
    moved = server(compute, free)
    assert (moved["OS-EXT-SRV-ATTR:host"], moved["OS-EXT-AZ:availability_zone"]) == (
        "compute-1", "az1"
    )  # fmt: skip
    assert _migrate(compute, free).status_code == 202
    moved = server(compute, free)
    assert (moved["OS-EXT-SRV-ATTR:host"], moved["OS-EXT-AZ:availability_zone"]) == (
        "compute-2", "nova"
    )  # fmt: skip
