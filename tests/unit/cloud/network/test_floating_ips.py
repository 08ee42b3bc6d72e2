"""Floating IPs: created on an external network (an address allocated or, by an admin, chosen),
associated with a port a router connects to that network, one per fixed address, disassociated,
deleted (their address freed); and what they keep in use."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Headers, Net, build_net, error
from tests.unit.cloud.network.l3_helpers import (
    PUBLIC_NETWORK_ID,
    interface,
    private,
    router,
)


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps, public=True)


def _fip(net: Net, headers: Headers, **attrs: Any) -> dict[str, Any]:
    body = {"floatingip": {"floating_network_id": PUBLIC_NETWORK_ID, **attrs}}
    return net.made("/floatingips", headers, body)


def _connected(net: Net) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A router with the public gateway and an interface on a subnet holding a port."""
    made = router(net, net.alice_h)
    network_id, subnet_id = private(net, net.alice_h)
    assert interface(net, net.alice_h, made["id"], subnet_id=subnet_id).status_code == 200
    return made, net.port(net.alice_h, network_id), subnet_id


def test_create_show_list_delete(net: Net) -> None:
    made = _fip(net, net.alice_h, description="d")
    assert made["floating_ip_address"] == "172.24.4.2"
    assert (made["status"], made["port_id"], made["router_id"], made["fixed_ip_address"]) == (
        "DOWN", None, None, None)  # fmt: skip
    assert made["port_details"] is None
    assert made["project_id"] == net.alice.project_id
    assert net.get(f"/floatingips/{made['id']}", net.alice_h).json["floatingip"] == made
    assert net.get(f"/floatingips/{made['id']}", net.bob_h).status_code == 404
    assert [f["id"] for f in net.get("/floatingips", net.alice_h).json["floatingips"]] == [
        made["id"]]  # fmt: skip
    assert net.get("/floatingips", net.bob_h).json["floatingips"] == []
    # The address's port: the floating IP's, of no project.
    ports = net.get("/ports", net.admin, query=f"device_id={made['id']}").json["ports"]
    assert [(p["device_owner"], p["project_id"]) for p in ports] == [("network:floatingip", "")]
    assert error(net.call("DELETE", f"/ports/{ports[0]['id']}", net.admin))[:2] == (
        409, "ServicePortInUse")  # fmt: skip
    assert net.call("DELETE", f"/floatingips/{made['id']}", net.alice_h).status_code == 204
    assert net.get(f"/floatingips/{made['id']}", net.alice_h).status_code == 404
    assert net.get(f"/ports/{ports[0]['id']}", net.admin).status_code == 404
    assert _fip(net, net.alice_h)["floating_ip_address"] == "172.24.4.2"  # freed


def test_network_must_be_external_and_the_address_an_admins_choice(net: Net) -> None:
    network_id, _ = private(net, net.alice_h)
    body = {"floatingip": {"floating_network_id": network_id}}
    status, kind, message = error(net.call("POST", "/floatingips", net.alice_h, body))
    assert (status, kind) == (400, "BadRequest")
    assert "is not a valid external network" in message
    chosen = {"floatingip": {"floating_network_id": PUBLIC_NETWORK_ID,
                             "floating_ip_address": "172.24.4.77"}}  # fmt: skip
    assert error(net.call("POST", "/floatingips", net.alice_h, chosen))[:2] == (
        403, "PolicyNotAuthorized")  # fmt: skip
    made = net.made("/floatingips", net.admin, chosen)
    assert made["floating_ip_address"] == "172.24.4.77"
    assert error(net.call("POST", "/floatingips", net.admin, chosen))[:2] == (
        409, "IpAddressAlreadyAllocated")  # fmt: skip
    unknown = {"floatingip": {"floating_network_id": "00000000-0000-0000-0000-000000000000"}}
    assert error(net.call("POST", "/floatingips", net.alice_h, unknown))[:2] == (
        404, "NetworkNotFound")  # fmt: skip


def test_associate_and_disassociate(net: Net) -> None:
    made, port, _ = _connected(net)
    fip = _fip(net, net.alice_h)
    update = {"floatingip": {"port_id": port["id"]}}
    associated = net.call("PUT", f"/floatingips/{fip['id']}", net.alice_h, update)
    assert associated.status_code == 200, associated.text
    shown = associated.json["floatingip"]
    assert (shown["port_id"], shown["router_id"], shown["status"]) == (
        port["id"], made["id"], "ACTIVE")  # fmt: skip
    assert shown["fixed_ip_address"] == port["fixed_ips"][0]["ip_address"]
    assert shown["port_details"]["mac_address"] == port["mac_address"]
    assert shown["port_details"]["network_id"] == port["network_id"]
    listed = net.get("/floatingips", net.alice_h, query=f"port_id={port['id']}").json
    assert [f["id"] for f in listed["floatingips"]] == [fip["id"]]
    by_router = net.get("/floatingips", net.alice_h, query=f"router_id={made['id']}").json
    assert [f["id"] for f in by_router["floatingips"]] == [fip["id"]]
    # The router's gateway and interface are in use by it.
    assert error(net.call("PUT", f"/routers/{made['id']}", net.alice_h,
                          {"router": {"external_gateway_info": None}}))[:2] == (
        409, "RouterExternalGatewayInUseByFloatingIp")  # fmt: skip
    subnet_id = port["fixed_ips"][0]["subnet_id"]
    assert error(interface(net, net.alice_h, made["id"], "remove", subnet_id=subnet_id))[:2] == (
        409, "RouterInterfaceInUseByFloatingIP")  # fmt: skip
    # One floating IP per fixed address.
    other = _fip(net, net.alice_h)
    taken = net.call("PUT", f"/floatingips/{other['id']}", net.alice_h, update)
    assert error(taken)[:2] == (409, "FloatingIPPortAlreadyAssociated")
    cleared = net.call("PUT", f"/floatingips/{fip['id']}", net.alice_h,
                       {"floatingip": {"port_id": None}})  # fmt: skip
    shown = cleared.json["floatingip"]
    assert (shown["port_id"], shown["router_id"], shown["fixed_ip_address"], shown["status"]) == (
        None, None, None, "DOWN")  # fmt: skip
    assert net.call("PUT", f"/floatingips/{other['id']}", net.alice_h, update).status_code == 200


def test_associate_at_create_and_port_delete_disassociates(net: Net) -> None:
    made, port, _ = _connected(net)
    fip = _fip(net, net.alice_h, port_id=port["id"])
    assert (fip["port_id"], fip["router_id"]) == (port["id"], made["id"])
    assert net.call("DELETE", f"/ports/{port['id']}", net.alice_h).status_code == 204
    shown = net.get(f"/floatingips/{fip['id']}", net.alice_h).json["floatingip"]
    assert (shown["port_id"], shown["router_id"], shown["status"]) == (None, None, "DOWN")


def test_association_needs_a_router_to_the_external_network(net: Net) -> None:
    network_id, subnet_id = private(net, net.alice_h)
    port = net.port(net.alice_h, network_id)
    fip = _fip(net, net.alice_h)
    update = {"floatingip": {"port_id": port["id"]}}
    status, kind, message = error(net.call("PUT", f"/floatingips/{fip['id']}", net.alice_h,
                                           update))  # fmt: skip
    assert (status, kind) == (404, "ExternalGatewayForFloatingIPNotFound")
    assert subnet_id in message
    # A router without the gateway does not do.
    made = router(net, net.alice_h, gateway=False)
    assert interface(net, net.alice_h, made["id"], subnet_id=subnet_id).status_code == 200
    assert net.call("PUT", f"/floatingips/{fip['id']}", net.alice_h, update).status_code == 404
    with_gateway = {"router": {"external_gateway_info": {"network_id": PUBLIC_NETWORK_ID}}}
    assert net.call("PUT", f"/routers/{made['id']}", net.alice_h, with_gateway).status_code == 200
    assert net.call("PUT", f"/floatingips/{fip['id']}", net.alice_h, update).status_code == 200


def test_fixed_address_must_be_the_ports(net: Net) -> None:
    _, port, _ = _connected(net)
    fip = _fip(net, net.alice_h)
    update = {"floatingip": {"port_id": port["id"], "fixed_ip_address": "10.1.0.200"}}
    status, _, message = error(net.call("PUT", f"/floatingips/{fip['id']}", net.alice_h,
                                        update))  # fmt: skip
    assert status == 400
    assert "does not have fixed ip 10.1.0.200" in message
    bobs = net.port(net.bob_h, net.network(net.bob_h)["id"])
    other = {"floatingip": {"port_id": bobs["id"]}}
    assert error(net.call("PUT", f"/floatingips/{fip['id']}", net.alice_h, other))[:2] == (
        404, "PortNotFound")  # fmt: skip


def test_an_external_network_goes_with_its_free_floating_ips(net: Net) -> None:
    ext = net.network(net.admin, **{"router:external": True})
    net.subnet(net.admin, ext["id"], "198.51.100.0/24", enable_dhcp=False)
    body = {"floatingip": {"floating_network_id": ext["id"]}}
    free = net.made("/floatingips", net.alice_h, body)
    assert net.call("DELETE", f"/networks/{ext['id']}", net.admin).status_code == 204
    assert net.get(f"/floatingips/{free['id']}", net.alice_h).status_code == 404
