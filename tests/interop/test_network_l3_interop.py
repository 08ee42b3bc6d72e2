"""The genuine clients' router and floating IP commands against our network service (a real
`pocketstack serve`): `openstack router create/set --external-gateway/add subnet/remove
subnet/delete`, `openstack floating ip create/set --port/unset --port/delete`, and openstacksdk's
routers and floating IPs."""

from __future__ import annotations

import json

import pytest

from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop


def test_openstack_router_and_floating_ip_commands(live: Live) -> None:
    live.json("openstack", "network", "create", "l3-net")
    live.json("openstack", "subnet", "create", "--network", "l3-net", "--subnet-range",
              "10.66.0.0/24", "l3-subnet")  # fmt: skip
    port = live.json("openstack", "port", "create", "--network", "l3-net", "l3-port")
    made = live.json("openstack", "router", "create", "l3-router")
    assert (made["name"], made["status"]) == ("l3-router", "ACTIVE")
    live.run("openstack", "router", "set", "--external-gateway", "public", "l3-router")
    shown = live.json("openstack", "router", "show", "l3-router")
    gateway = shown["external_gateway_info"]
    if isinstance(gateway, str):  # older OSC prints it formatted
        gateway = json.loads(gateway.replace("'", '"').replace("True", "true"))
    assert gateway["external_fixed_ips"][0]["ip_address"].startswith("172.24.4.")
    live.run("openstack", "router", "add", "subnet", "l3-router", "l3-subnet")
    interfaces = live.json("openstack", "port", "list", "--router", "l3-router")
    assert any(p["Fixed IP Addresses"] and "10.66.0.1" in str(p["Fixed IP Addresses"])
               for p in interfaces)  # fmt: skip

    fip = live.json("openstack", "floating", "ip", "create", "public")
    assert fip["floating_ip_address"].startswith("172.24.4.")
    live.run("openstack", "floating", "ip", "set", "--port", "l3-port", fip["id"])
    associated = live.json("openstack", "floating", "ip", "show", fip["id"])
    assert (associated["port_id"], associated["router_id"]) == (port["id"], made["id"])
    assert associated["fixed_ip_address"] == "10.66.0.2"
    listed = live.json("openstack", "floating", "ip", "list", "--port", "l3-port")
    assert [f["ID"] for f in listed] == [fip["id"]]
    live.run("openstack", "floating", "ip", "unset", "--port", fip["id"])
    assert live.json("openstack", "floating", "ip", "show", fip["id"])["port_id"] is None
    live.run("openstack", "floating", "ip", "delete", fip["id"])

    live.run("openstack", "router", "remove", "subnet", "l3-router", "l3-subnet")
    live.run("openstack", "router", "delete", "l3-router")
    assert "l3-router" not in {r["Name"] for r in live.json("openstack", "router", "list")}
    live.run("openstack", "port", "delete", "l3-port")
    live.run("openstack", "network", "delete", "l3-net")


def test_openstacksdk_routers_and_floating_ips(live: Live) -> None:
    script = """
import json, openstack
conn = openstack.connect()
public = conn.network.find_network("public")
net = conn.network.create_network(name="sdk-l3-net")
subnet = conn.network.create_subnet(network_id=net.id, ip_version=4, cidr="10.67.0.0/24")
port = conn.network.create_port(network_id=net.id)
router = conn.network.create_router(name="sdk-router",
                                    external_gateway_info={"network_id": public.id})
conn.network.add_interface_to_router(router, subnet_id=subnet.id)
fip = conn.network.create_ip(floating_network_id=public.id, port_id=port.id)
routers = [r.name for r in conn.network.routers() if r.name == "sdk-router"]
fips = [f.id for f in conn.network.ips(port_id=port.id)]
conn.network.delete_ip(fip)
conn.network.remove_interface_from_router(router, subnet_id=subnet.id)
conn.network.delete_router(router)
conn.network.delete_port(port)
conn.network.delete_subnet(subnet)
conn.network.delete_network(net)
print(json.dumps({"routers": routers, "fips": fips, "fip": fip.id, "router": fip.router_id,
                  "router_id": router.id, "external": public.is_router_external}))
"""
    result = json.loads(live.run("python", "-c", script))
    assert result["routers"] == ["sdk-router"]
    assert result["fips"] == [result["fip"]]
    assert result["router"] == result["router_id"]
    assert result["external"] is True
