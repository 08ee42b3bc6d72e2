"""Nova's security group calls as the genuine clients make them, against a real
`pocketstack serve`: OSC's `server add/remove security group` (Nova's server actions), the
groups novaclient lists for a server (`/servers/{id}/os-security-groups`), and the deprecated
os-security-groups proxy (up to 2.35) through openstacksdk's compute session, each checked
against what the network service shows (`openstack security group show`, `port show`).

novaclient and OSC no longer manage groups through compute, so the proxy's own calls go through
openstacksdk's compute adapter at 2.35, as a client of the old API would send them.
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
import json, os, sys, warnings
warnings.simplefilter("ignore")
import openstack
from novaclient import client as nova

conn = openstack.connect()
mode, args = sys.argv[1], sys.argv[2:]
if mode == "create":
    body = {"security_group": {"name": args[0], "description": "made through compute"}}
    made = conn.compute.post("/os-security-groups", json=body, microversion="2.35")
    out = {"status": made.status_code, "group": made.json()["security_group"]}
elif mode == "rule":
    body = {"security_group_rule": {"parent_group_id": args[0], "ip_protocol": "tcp",
                                    "from_port": 22, "to_port": 22, "cidr": "10.0.0.0/8"}}
    made = conn.compute.post("/os-security-group-rules", json=body, microversion="2.35")
    out = {"status": made.status_code, "rule": made.json().get("security_group_rule")}
elif mode == "delete":
    gone = conn.compute.delete(f"/os-security-groups/{args[0]}", microversion="2.35")
    out = gone.status_code
elif mode == "of-server":
    client = nova.Client("2.35", session=conn.session, region_name=os.environ["OS_REGION_NAME"])
    out = sorted(g.name for g in client.servers.list_security_group(args[0]))
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
    script = tmp_path / "sg_client.py"
    script.write_text(CLIENT)
    return Client(live, script)


def _port_groups(live: Live, server_id: str) -> list[list[str]]:
    ports = live.json("openstack", "port", "list", "--server", server_id)
    shown = [live.json("openstack", "port", "show", p["ID"]) for p in ports]
    return [sorted(p["security_group_ids"]) for p in shown]


def _shown_groups(live: Live, server_id: str) -> Any:
    """What `openstack server show` says of the server's groups (its view's security_groups)."""
    return live.json("openstack", "server", "show", server_id).get("security_groups")


def test_a_group_made_through_compute_and_put_on_a_server(live: Live, client: Client) -> None:
    made = client("create", "interop-sg-web")
    assert made["status"] == 200
    group = made["group"]
    server_id = ""
    try:
        network_view = live.json("openstack", "security", "group", "show", group["id"])
        assert network_view["name"] == "interop-sg-web"
        rule = client("rule", group["id"])
        assert rule["status"] == 200
        assert rule["rule"]["ip_range"] == {"cidr": "10.0.0.0/8"}
        rules = live.json("openstack", "security", "group", "rule", "list", group["id"])
        assert rule["rule"]["id"] in [r["ID"] for r in rules]

        server = live.json("openstack", "server", "create", "--image", CIRROS_ID, "--flavor",
                           "m1.tiny", "--nic", "auto", "--wait", "interop-sg-vm")  # fmt: skip
        server_id = server["id"]
        live.run("openstack", "server", "add", "security", "group", server_id, "interop-sg-web")
        assert all(group["id"] in groups for groups in _port_groups(live, server_id))
        assert "interop-sg-web" in client("of-server", server_id)
        assert "interop-sg-web" in json.dumps(_shown_groups(live, server_id))

        live.run("openstack", "server", "remove", "security", "group", server_id,
                 "interop-sg-web")  # fmt: skip
        assert all(group["id"] not in groups for groups in _port_groups(live, server_id))
        assert "interop-sg-web" not in client("of-server", server_id)
        assert "interop-sg-web" not in json.dumps(_shown_groups(live, server_id))
    finally:
        with contextlib.suppress(AssertionError):
            if server_id:
                live.run("openstack", "server", "delete", "--wait", server_id)
        assert client("delete", group["id"]) == 202
