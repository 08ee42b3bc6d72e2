"""The genuine clients' network commands against our network service (a real
`pocketstack serve`): `openstack network`, `subnet` and `port` create/list/show/set/delete, and
openstacksdk's network proxy (discovery through the catalog's `network` entry, its pages)."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest

from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop


def _fixed_ips(value: Any) -> list[dict[str, str]]:
    """OSC prints a port's fixed IPs as a list (newer) or as a formatted string (older)."""
    if isinstance(value, list):
        return value
    return [json.loads(part.replace("'", '"')) for part in str(value).splitlines()]


def test_openstack_network_subnet_and_port_commands(live: Live) -> None:
    made = live.json("openstack", "network", "create", "--description", "d1", "interop-net")
    assert (made["name"], made["status"], made["mtu"]) == ("interop-net", "ACTIVE", 1500)
    assert made["id"] in {n["ID"] for n in live.json("openstack", "network", "list")}
    live.run("openstack", "network", "set", "--description", "d2", "interop-net")
    shown = live.json("openstack", "network", "show", "interop-net")
    assert (shown["id"], shown["description"]) == (made["id"], "d2")

    v4 = live.json(
        "openstack",
        "subnet",
        "create",
        "--network",
        "interop-net",
        "--subnet-range",
        "10.77.0.0/24",
        "--dns-nameserver",
        "8.8.8.8",
        "interop-v4",
    )
    assert (v4["cidr"], v4["gateway_ip"], v4["ip_version"]) == ("10.77.0.0/24", "10.77.0.1", 4)
    v6 = live.json(
        "openstack",
        "subnet",
        "create",
        "--network",
        "interop-net",
        "--ip-version",
        "6",
        "--subnet-range",
        "2001:db8:77::/64",
        "--ipv6-ra-mode",
        "slaac",
        "--ipv6-address-mode",
        "slaac",
        "interop-v6",
    )
    assert v6["ipv6_address_mode"] == "slaac"
    subnets = live.json("openstack", "subnet", "list", "--network", "interop-net")
    assert {s["Name"] for s in subnets} == {"interop-v4", "interop-v6"}

    first = live.json("openstack", "port", "create", "--network", "interop-net", "interop-p1")
    addresses = {ip["ip_address"] for ip in _fixed_ips(first["fixed_ips"])}
    slaac = ipaddress.ip_network("2001:db8:77::/64")
    assert "10.77.0.2" in addresses
    assert any(ipaddress.ip_address(a) in slaac for a in addresses)
    assert first["mac_address"].startswith("fa:16:3e:")
    chosen = live.json(
        "openstack",
        "port",
        "create",
        "--network",
        "interop-net",
        "--fixed-ip",
        "subnet=interop-v4,ip-address=10.77.0.50",
        "interop-p2",
    )
    assert "10.77.0.50" in {ip["ip_address"] for ip in _fixed_ips(chosen["fixed_ips"])}
    listed = live.json("openstack", "port", "list", "--network", "interop-net")
    assert {p["Name"] for p in listed} == {"interop-p1", "interop-p2"}
    assert live.json("openstack", "port", "show", "interop-p1")["id"] == first["id"]
    by_address = live.json("openstack", "port", "list", "--fixed-ip", "ip-address=10.77.0.50")
    assert [p["ID"] for p in by_address] == [chosen["id"]]

    live.run("openstack", "port", "delete", "interop-p1", "interop-p2")
    live.run("openstack", "subnet", "delete", "interop-v6")
    live.run("openstack", "network", "delete", "interop-net")
    assert "interop-net" not in {n["Name"] for n in live.json("openstack", "network", "list")}


def test_openstacksdk_network_proxy(live: Live) -> None:
    script = """
import json, openstack
conn = openstack.connect()
made = [conn.network.create_network(name=f"sdk-net-{i}") for i in range(3)]
subnet = conn.network.create_subnet(network_id=made[0].id, ip_version=4, cidr="10.88.0.0/28")
port = conn.network.create_port(network_id=made[0].id)
paged = [n.name for n in conn.network.networks(limit=1, sort_key="name", sort_dir="asc")
         if n.name.startswith("sdk-net-")]
found = conn.network.find_network("sdk-net-1").id == made[1].id
extensions = sorted(e.alias for e in conn.network.extensions())
ips = [ip["ip_address"] for ip in port.fixed_ips]
conn.network.delete_port(port)
conn.network.delete_subnet(subnet)
for net in made:
    conn.network.delete_network(net)
print(json.dumps({"paged": paged, "found": found, "extensions": extensions, "ips": ips,
                  "gateway": subnet.gateway_ip, "left": [n.name for n in conn.network.networks()
                                                         if n.name.startswith("sdk-net-")]}))
"""
    result = json.loads(live.run("python", "-c", script))
    assert result["paged"] == ["sdk-net-0", "sdk-net-1", "sdk-net-2"]
    assert result["found"] is True
    assert {"external-net", "net-mtu", "port-security"} <= set(result["extensions"])
    assert "security-group" in result["extensions"]
    assert (result["ips"], result["gateway"], result["left"]) == (["10.88.0.2"], "10.88.0.1", [])
