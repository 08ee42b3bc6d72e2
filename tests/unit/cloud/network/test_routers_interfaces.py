"""A router's interfaces: added by subnet (a port at the gateway address) or by port, refused
for a subnet attached already, without a gateway or overlapping another, removed by subnet or
port; and the 409s of what a router interface keeps in use."""

from __future__ import annotations

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Net, build_net, error
from tests.unit.cloud.network.l3_helpers import interface, private, router


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps, public=True)


def test_add_and_remove_by_subnet(net: Net) -> None:
    made = router(net, net.alice_h)
    network_id, subnet_id = private(net, net.alice_h)
    added = interface(net, net.alice_h, made["id"], subnet_id=subnet_id)
    assert added.status_code == 200, added.text
    answer = added.json
    assert set(answer) == {"id", "tenant_id", "project_id", "port_id", "subnet_id",
                           "subnet_ids", "network_id"}  # fmt: skip
    assert (answer["id"], answer["subnet_id"], answer["subnet_ids"], answer["network_id"]) == (
        made["id"], subnet_id, [subnet_id], network_id)  # fmt: skip
    assert answer["project_id"] == net.alice.project_id
    port = net.get(f"/ports/{answer['port_id']}", net.alice_h).json["port"]
    assert (port["device_owner"], port["device_id"]) == ("network:router_interface", made["id"])
    assert port["fixed_ips"] == [{"subnet_id": subnet_id, "ip_address": "10.1.0.1"}]
    listed = net.get("/ports", net.reader_h, query=f"device_id={made['id']}").json["ports"]
    assert [p["id"] for p in listed] == [answer["port_id"]]
    # What the interface keeps in use.
    assert error(net.call("DELETE", f"/routers/{made['id']}", net.alice_h))[:2] == (
        409, "RouterInUse")  # fmt: skip
    assert error(net.call("DELETE", f"/ports/{answer['port_id']}", net.alice_h))[:2] == (
        409, "ServicePortInUse")  # fmt: skip
    assert error(net.call("DELETE", f"/subnets/{subnet_id}", net.alice_h))[:2] == (
        409, "SubnetInUse")  # fmt: skip
    assert error(net.call("DELETE", f"/networks/{network_id}", net.alice_h))[:2] == (
        409, "NetworkInUse")  # fmt: skip
    removed = interface(net, net.alice_h, made["id"], "remove", subnet_id=subnet_id)
    assert removed.status_code == 200, removed.text
    assert removed.json == answer
    assert net.get(f"/ports/{answer['port_id']}", net.alice_h).status_code == 404
    assert net.call("DELETE", f"/networks/{network_id}", net.alice_h).status_code == 204
    assert net.call("DELETE", f"/routers/{made['id']}", net.alice_h).status_code == 204


def test_add_and_remove_by_port(net: Net) -> None:
    made = router(net, net.alice_h, gateway=False)
    network_id, subnet_id = private(net, net.alice_h)
    port = net.port(net.alice_h, network_id)
    added = interface(net, net.alice_h, made["id"], port_id=port["id"])
    assert added.status_code == 200, added.text
    assert (added.json["port_id"], added.json["subnet_ids"]) == (port["id"], [subnet_id])
    shown = net.get(f"/ports/{port['id']}", net.alice_h).json["port"]
    assert (shown["device_owner"], shown["device_id"]) == ("network:router_interface", made["id"])
    # A port in use is not attached again.
    again = router(net, net.alice_h, gateway=False)
    assert error(interface(net, net.alice_h, again["id"], port_id=port["id"]))[:2] == (
        409, "PortInUse")  # fmt: skip
    missing = interface(net, net.alice_h, again["id"], "remove", port_id=port["id"])
    assert error(missing)[:2] == (404, "RouterInterfaceNotFound")
    removed = interface(net, net.alice_h, made["id"], "remove", port_id=port["id"])
    assert removed.status_code == 200, removed.text
    assert net.get(f"/ports/{port['id']}", net.alice_h).status_code == 404


def test_refusals(net: Net) -> None:
    made = router(net, net.alice_h, gateway=False)
    _network_id, subnet_id = private(net, net.alice_h)
    assert interface(net, net.alice_h, made["id"], subnet_id=subnet_id).status_code == 200
    status, kind, message = error(interface(net, net.alice_h, made["id"], subnet_id=subnet_id))
    assert (status, kind) == (400, "BadRequest")
    assert f"Router already has a port on subnet {subnet_id}" in message
    _, overlapping = private(net, net.alice_h, "10.1.0.0/16")
    status, _, message = error(interface(net, net.alice_h, made["id"], subnet_id=overlapping))
    assert status == 400
    assert "overlaps" in message
    other = net.network(net.alice_h)
    bare = net.subnet(net.alice_h, other["id"], "10.2.0.0/24", gateway_ip=None)
    status, _, message = error(interface(net, net.alice_h, made["id"], subnet_id=bare["id"]))
    assert status == 400
    assert "must have a gateway IP" in message
    assert error(interface(net, net.alice_h, made["id"]))[0] == 400
    unknown = "00000000-0000-0000-0000-000000000000"
    assert error(interface(net, net.alice_h, made["id"], subnet_id=unknown))[:2] == (
        404, "SubnetNotFound")  # fmt: skip
    assert error(interface(net, net.alice_h, made["id"], "remove", subnet_id=bare["id"]))[:2] == (
        404, "RouterInterfaceNotFoundForSubnet")  # fmt: skip
    # Another project's subnet is not seen; another project's router not either.
    _, bobs = private(net, net.bob_h, "10.3.0.0/24")
    assert interface(net, net.alice_h, made["id"], subnet_id=bobs).status_code == 404
    assert interface(net, net.bob_h, made["id"], subnet_id=bobs).status_code == 404
    assert interface(net, net.reader_h, made["id"], subnet_id=subnet_id).status_code == 403


def test_two_subnets_on_one_router(net: Net) -> None:
    made = router(net, net.alice_h, gateway=False)
    _, first = private(net, net.alice_h, "10.1.0.0/24")
    _, second = private(net, net.alice_h, "10.5.0.0/24")
    assert interface(net, net.alice_h, made["id"], subnet_id=first).status_code == 200
    assert interface(net, net.alice_h, made["id"], subnet_id=second).status_code == 200
    ports = net.get("/ports", net.alice_h, query=f"device_id={made['id']}").json["ports"]
    assert sorted(p["fixed_ips"][0]["ip_address"] for p in ports) == ["10.1.0.1", "10.5.0.1"]
