"""The genuine clients boot servers on the network service's networks and ports (a real
`pocketstack serve`): `openstack server create --network` and `--nic port-id=`, the ports
`openstack port list --server` finds, and what `server delete` does to them."""

from __future__ import annotations

import contextlib

import pytest

from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop


def _boot(live: Live, name: str, *nic: str) -> str:
    made = live.json("openstack", "server", "create", "--image", CIRROS_ID, "--flavor",
                     "m1.tiny", *nic, "--wait", name)  # fmt: skip
    server_id: str = made["id"]
    return server_id


def test_servers_on_a_network_and_a_port(live: Live) -> None:
    net = live.json("openstack", "network", "create", "interop-nic-net")
    port_id = ""
    try:
        live.run("openstack", "subnet", "create", "--network", net["id"], "--subnet-range",
                 "192.168.77.0/24", "interop-nic-subnet")  # fmt: skip
        on_net = _boot(live, "interop-nic-a", "--network", net["id"])
        (made,) = live.json("openstack", "port", "list", "--server", on_net)
        shown = live.json("openstack", "server", "show", on_net)
        address = made["Fixed IP Addresses"][0]["ip_address"]
        assert shown["addresses"] == {"interop-nic-net": [address]}

        port = live.json("openstack", "port", "create", "--network", net["id"], "interop-nic-p")
        port_id = port["id"]
        on_port = _boot(live, "interop-nic-b", "--nic", f"port-id={port_id}")
        (bound,) = live.json("openstack", "port", "list", "--server", on_port)
        assert bound["ID"] == port_id
        assert live.json("openstack", "port", "show", port_id)["device_owner"] == "compute:nova"

        live.run("openstack", "server", "delete", "--wait", on_net, on_port)
        ports = live.json("openstack", "port", "list", "--network", net["id"])
        # The port made for the server went with it; the user's port stays, unbound.
        assert [p["ID"] for p in ports] == [port_id]
        kept = live.json("openstack", "port", "show", port_id)
        assert (kept["device_id"], kept["device_owner"]) == ("", "")
    finally:
        with contextlib.suppress(AssertionError):
            if port_id:
                live.run("openstack", "port", "delete", port_id)
            live.run("openstack", "network", "delete", net["id"])
