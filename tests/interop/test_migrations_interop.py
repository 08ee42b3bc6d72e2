"""The genuine `openstack server migration list` and `openstack server evacuate` against a real
`pocketstack serve`: a cold migration listed, then an evacuation from a host forced down."""

from __future__ import annotations

import time
from typing import Any

import pytest

from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop


def _settled(live: Live, server_id: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        shown: dict[str, Any] = live.json("openstack", "server", "show", server_id)
        if shown["status"] == status or time.monotonic() > deadline:
            assert shown["status"] == status, shown
            return shown
        time.sleep(0.2)


def _migrations(live: Live, server_id: str, kind: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = live.json(
        "openstack", "server", "migration", "list", "--server", server_id, "--type", kind
    )
    return rows


def test_a_cold_migration_is_listed_and_an_evacuation_leaves_a_failed_host(live: Live) -> None:
    created = live.json(
        "openstack", "server", "create", "--image", CIRROS_ID, "--flavor", "m1.tiny",
        "--nic", "auto", "interop-evacuee",
    )  # fmt: skip
    server_id: str = created["id"]
    _settled(live, server_id, "ACTIVE")
    live.run("openstack", "server", "migrate", server_id)
    _settled(live, server_id, "VERIFY_RESIZE")
    live.run("openstack", "server", "resize", "confirm", server_id)
    source = _settled(live, server_id, "ACTIVE")["OS-EXT-SRV-ATTR:host"]
    (cold,) = _migrations(live, server_id, "cold-migration")
    assert (cold["Type"], cold["Status"], cold["Dest Compute"]) == (
        "migration", "confirmed", source
    )  # fmt: skip
    assert cold["Server UUID"] == server_id
    live.run("openstack", "compute", "service", "set", "--down", source, "nova-compute")
    try:
        live.run("openstack", "server", "evacuate", server_id)
        # At the newest microversion (2.95+) an evacuated server ends stopped.
        moved = _settled(live, server_id, "SHUTOFF")
    finally:
        live.run("openstack", "compute", "service", "set", "--up", source, "nova-compute")
    assert moved["OS-EXT-SRV-ATTR:host"] != source
    (evacuation,) = _migrations(live, server_id, "evacuation")
    assert (evacuation["Source Compute"], evacuation["Dest Compute"]) == (
        source, moved["OS-EXT-SRV-ATTR:host"]
    )  # fmt: skip
    assert evacuation["Status"] == "done"
    events = live.json("openstack", "server", "event", "list", server_id)
    assert events[0]["Action"] == "evacuate"
    live.run("openstack", "server", "delete", server_id)
