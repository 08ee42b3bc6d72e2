"""Nova's floating IP calls as the genuine clients make them, against a real `pocketstack
serve`: the deprecated os-floating-ips and os-floating-ip-pools proxies (up to 2.35) and the
addFloatingIp / removeFloatingIp actions (up to 2.43) through openstacksdk's compute session,
checked against what the network service shows (`openstack floating ip show`) and what Nova
shows of the server's addresses (`openstack server show`).

OSC's `server add floating ip` goes to Neutron itself (and the server's addresses show it as
well), and openstacksdk's
`add_floating_ip_to_server` asks at its newest microversion, where Nova has no such action (a
404, as from Nova): the actions are sent at 2.43, as a client of the old API sends them.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop

CLIENT = """
import json, sys, warnings
warnings.simplefilter("ignore")
import openstack
from openstack import exceptions

conn = openstack.connect()
mode, args = sys.argv[1], sys.argv[2:]
if mode == "allocate":
    made = conn.compute.post("/os-floating-ips", json={"pool": "public"}, microversion="2.35")
    out = {"status": made.status_code, "fip": made.json()["floating_ip"]}
elif mode == "show":
    shown = conn.compute.get(f"/os-floating-ips/{args[0]}", microversion="2.35")
    out = {"status": shown.status_code, "fip": shown.json().get("floating_ip")}
elif mode == "pools":
    out = conn.compute.get("/os-floating-ip-pools", microversion="2.35").json()
elif mode in ("addFloatingIp", "removeFloatingIp"):
    done = conn.compute.post(f"/servers/{args[0]}/action", json={mode: {"address": args[1]}},
                             microversion="2.43")
    out = done.status_code
elif mode == "sdk-add":
    try:
        conn.compute.add_floating_ip_to_server(args[0], args[1])
        out = "added"
    except exceptions.NotFoundException:
        out = "not found"
elif mode == "release":
    out = conn.compute.delete(f"/os-floating-ips/{args[0]}", microversion="2.35").status_code
print(json.dumps(out))
"""


class Client:
    def __init__(self, live: Live, script: Path) -> None:
        self.live = live
        self.script = script

    def __call__(self, *argv: str) -> Any:
        return json.loads(self.live.run("python", str(self.script), *argv))


@pytest.fixture
def client(live: Live, tmp_path: Path) -> Client:
    script = tmp_path / "fip_client.py"
    script.write_text(CLIENT)
    return Client(live, script)


def _addresses(live: Live, server_id: str) -> str:
    """The server's addresses as OSC prints them (Nova's view, from its cache)."""
    return json.dumps(live.json("openstack", "server", "show", server_id)["addresses"])


def test_a_floating_ip_through_compute_on_a_server(live: Live, client: Client) -> None:
    assert client("pools") == {"floating_ip_pools": [{"name": "public"}]}
    live.json("openstack", "network", "create", "fipx-net")
    live.json("openstack", "subnet", "create", "--network", "fipx-net", "--subnet-range",
              "10.67.0.0/24", "fipx-subnet")  # fmt: skip
    live.json("openstack", "router", "create", "fipx-router")
    live.run("openstack", "router", "set", "--external-gateway", "public", "fipx-router")
    live.run("openstack", "router", "add", "subnet", "fipx-router", "fipx-subnet")
    made = client("allocate")
    assert made["status"] == 200
    fip = made["fip"]
    server_id = ""
    try:
        assert live.json("openstack", "floating", "ip", "show", fip["id"])[
            "floating_ip_address"] == fip["ip"]  # fmt: skip
        server = live.json("openstack", "server", "create", "--image", CIRROS_ID, "--flavor",
                           "m1.tiny", "--network", "fipx-net", "--wait", "fipx-vm")  # fmt: skip
        server_id = server["id"]
        assert client("sdk-add", server_id, fip["ip"]) == "not found"
        assert client("addFloatingIp", server_id, fip["ip"]) == 202
        network_view = live.json("openstack", "floating", "ip", "show", fip["id"])
        assert network_view["fixed_ip_address"].startswith("10.67.0.")
        assert client("show", fip["id"])["fip"]["instance_id"] == server_id
        assert fip["ip"] in _addresses(live, server_id)
        assert client("removeFloatingIp", server_id, fip["ip"]) == 202
        assert live.json("openstack", "floating", "ip", "show", fip["id"])["port_id"] is None
        assert fip["ip"] not in _addresses(live, server_id)
        # OSC's own way, through the network service: the server's addresses show it too.
        live.run("openstack", "server", "add", "floating", "ip", server_id, fip["ip"])
        assert fip["ip"] in _addresses(live, server_id)
        live.run("openstack", "server", "remove", "floating", "ip", server_id, fip["ip"])
        assert fip["ip"] not in _addresses(live, server_id)
    finally:
        with contextlib.suppress(AssertionError):
            if server_id:
                live.run("openstack", "server", "delete", "--wait", server_id)
        assert client("release", fip["id"]) == 202
        # The live cloud is shared: a second network of the admin project would make the other
        # tests' `--nic auto` ambiguous (Nova's 409).
        for argv in (("router", "remove", "subnet", "fipx-router", "fipx-subnet"),
                     ("router", "delete", "fipx-router"), ("network", "delete", "fipx-net")):
            with contextlib.suppress(AssertionError):
                live.run("openstack", *argv)
