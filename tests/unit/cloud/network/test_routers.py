"""Routers: create, show, list, update, delete; the external gateway (its network external,
its port project-less, SNAT an admin's to change) and static routes (nexthops on connected
subnets)."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Net, build_net, error
from tests.unit.cloud.network.l3_helpers import (
    PUBLIC_NETWORK_ID,
    PUBLIC_SUBNET_ID,
    interface,
    private,
    router,
)


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps, public=True)


def test_bootstrap_made_an_external_public_network(net: Net) -> None:
    public = net.get(f"/networks/{PUBLIC_NETWORK_ID}", net.alice_h).json["network"]
    assert (public["name"], public["router:external"], public["shared"]) == ("public", True, False)
    subnet = net.get(f"/subnets/{PUBLIC_SUBNET_ID}", net.alice_h).json["subnet"]
    assert subnet["cidr"] == "172.24.4.0/24"
    assert subnet["gateway_ip"] == "172.24.4.1"
    assert subnet["allocation_pools"] == [{"start": "172.24.4.2", "end": "172.24.4.254"}]


def test_router_crud_with_a_gateway(net: Net) -> None:
    made = router(net, net.alice_h, description="d")
    assert made["status"] == "ACTIVE"
    assert made["admin_state_up"] is True
    assert made["routes"] == []
    assert made["project_id"] == made["tenant_id"] == net.alice.project_id
    info = made["external_gateway_info"]
    assert info["network_id"] == PUBLIC_NETWORK_ID
    assert info["enable_snat"] is True
    assert info["external_fixed_ips"] == [
        {"subnet_id": PUBLIC_SUBNET_ID, "ip_address": "172.24.4.2"}
    ]
    # The gateway port: the router's, of no project, seen by admins only.
    ports = net.get("/ports", net.admin, query=f"device_id={made['id']}").json["ports"]
    assert [(p["device_owner"], p["project_id"]) for p in ports] == [("network:router_gateway", "")]
    assert net.get("/ports", net.alice_h, query=f"device_id={made['id']}").json["ports"] == []
    shown = net.get(f"/routers/{made['id']}", net.alice_h).json["router"]
    assert shown == made
    assert [r["id"] for r in net.get("/routers", net.alice_h).json["routers"]] == [made["id"]]
    assert net.get("/routers", net.bob_h).json["routers"] == []
    assert error(net.get(f"/routers/{made['id']}", net.bob_h))[:2] == (404, "RouterNotFound")
    renamed = net.call("PUT", f"/routers/{made['id']}", net.alice_h,
                       {"router": {"name": "r2", "admin_state_up": False}})  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json["router"]["name"], renamed.json["router"]["admin_state_up"]) == (
        "r2", False)  # fmt: skip
    assert renamed.json["router"]["revision_number"] == made["revision_number"] + 1
    # The gateway removed: its port and address go.
    cleared = net.call("PUT", f"/routers/{made['id']}", net.alice_h,
                       {"router": {"external_gateway_info": {}}})  # fmt: skip
    assert cleared.json["router"]["external_gateway_info"] is None
    assert net.get("/ports", net.admin, query=f"device_id={made['id']}").json["ports"] == []
    assert net.call("DELETE", f"/routers/{made['id']}", net.alice_h).status_code == 204
    assert net.get(f"/routers/{made['id']}", net.alice_h).status_code == 404


def test_router_delete_frees_its_gateway_address(net: Net) -> None:
    first = router(net, net.alice_h)
    assert net.call("DELETE", f"/routers/{first['id']}", net.alice_h).status_code == 204
    again = router(net, net.alice_h)
    assert again["external_gateway_info"]["external_fixed_ips"][0]["ip_address"] == "172.24.4.2"


def test_gateway_network_must_be_external(net: Net) -> None:
    network_id, _ = private(net, net.alice_h)
    body = {"router": {"external_gateway_info": {"network_id": network_id}}}
    status, kind, message = error(net.call("POST", "/routers", net.alice_h, body))
    assert (status, kind) == (400, "BadRequest")
    assert f"Network {network_id} is not an external network" in message
    assert net.get("/routers", net.alice_h).json["routers"] == []


def test_snat_and_fixed_ips_of_a_gateway_are_an_admins(net: Net) -> None:
    body: dict[str, Any] = {"router": {"external_gateway_info": {
        "network_id": PUBLIC_NETWORK_ID, "enable_snat": False}}}  # fmt: skip
    status, kind, message = error(net.call("POST", "/routers", net.alice_h, body))
    assert (status, kind) == (403, "PolicyNotAuthorized")
    assert "create_router:external_gateway_info:enable_snat" in message
    body["router"]["project_id"] = net.alice.project_id
    body["router"]["external_gateway_info"]["external_fixed_ips"] = [
        {"subnet_id": PUBLIC_SUBNET_ID, "ip_address": "172.24.4.100"}
    ]
    made = net.made("/routers", net.admin, body)
    info = made["external_gateway_info"]
    assert info["enable_snat"] is False
    assert info["external_fixed_ips"][0]["ip_address"] == "172.24.4.100"
    # A member may still change what is theirs to change.
    update = {"router": {"external_gateway_info": {"network_id": PUBLIC_NETWORK_ID,
                                                   "enable_snat": True}}}  # fmt: skip
    assert net.call("PUT", f"/routers/{made['id']}", net.alice_h, update).status_code == 403
    assert net.call("PUT", f"/routers/{made['id']}", net.admin, update).status_code == 200


def test_routes_need_a_connected_nexthop(net: Net) -> None:
    made = router(net, net.alice_h)
    _, subnet_id = private(net, net.alice_h)
    assert interface(net, net.alice_h, made["id"], subnet_id=subnet_id).status_code == 200
    routes = [{"destination": "192.168.0.0/24", "nexthop": "10.1.0.5"}]
    result = net.call("PUT", f"/routers/{made['id']}", net.alice_h, {"router": {"routes": routes}})
    assert result.status_code == 200, result.text
    assert result.json["router"]["routes"] == routes
    far = [{"destination": "192.168.0.0/24", "nexthop": "10.9.0.5"}]
    refused = net.call("PUT", f"/routers/{made['id']}", net.alice_h, {"router": {"routes": far}})
    assert error(refused)[:2] == (400, "InvalidRoutes")
    # An interface a route goes through stays.
    status, kind, _ = error(interface(net, net.alice_h, made["id"], "remove",
                                      subnet_id=subnet_id))  # fmt: skip
    assert (status, kind) == (409, "RouterInterfaceInUseByRoute")
    clear = {"router": {"routes": None}}
    assert net.call("PUT", f"/routers/{made['id']}", net.alice_h, clear).json["router"][
        "routes"] == []  # fmt: skip
    assert interface(net, net.alice_h, made["id"], "remove", subnet_id=subnet_id).status_code == 200


def test_routes_are_not_given_on_create(net: Net) -> None:
    body: dict[str, Any] = {"router": {"routes": []}}
    assert error(net.call("POST", "/routers", net.alice_h, body))[0] == 400


def test_others_may_not_change_a_router(net: Net) -> None:
    made = router(net, net.alice_h, gateway=False)
    change = {"router": {"name": "x"}}
    assert net.call("PUT", f"/routers/{made['id']}", net.bob_h, change).status_code == 404
    assert net.call("PUT", f"/routers/{made['id']}", net.reader_h, change).status_code == 403
    assert net.call("DELETE", f"/routers/{made['id']}", net.reader_h).status_code == 403
    assert net.call("POST", "/routers", net.reader_h, {"router": {}}).status_code == 403


def test_router_list_filters_and_fields(net: Net) -> None:
    a = router(net, net.alice_h, gateway=False, name="a")
    router(net, net.alice_h, gateway=False, name="b")
    listed = net.get("/routers", net.alice_h, query="name=a&fields=id&fields=name").json
    assert listed == {"routers": [{"id": a["id"], "name": "a"}]}
    sorted_names = net.get("/routers", net.alice_h, query="sort_key=name&sort_dir=desc").json
    assert [r["name"] for r in sorted_names["routers"]] == ["b", "a"]
    assert error(net.get("/routers", net.alice_h, query="nope=1"))[0] == 400


def test_external_network_with_a_gateway_is_in_use(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps, public=True)
    ext = net.network(net.admin, **{"router:external": True})
    net.subnet(net.admin, ext["id"], "198.51.100.0/24")
    body = {"router": {"external_gateway_info": {"network_id": ext["id"]}}}
    made = net.made("/routers", net.alice_h, body)
    assert error(net.call("DELETE", f"/networks/{ext['id']}", net.admin))[:2] == (
        409, "NetworkInUse")  # fmt: skip
    gateway = net.get("/ports", net.admin, query=f"device_id={made['id']}").json["ports"][0]
    assert error(net.call("DELETE", f"/ports/{gateway['id']}", net.admin))[:2] == (
        409, "ServicePortInUse")  # fmt: skip
    assert net.call("DELETE", f"/routers/{made['id']}", net.alice_h).status_code == 204
    assert net.call("DELETE", f"/networks/{ext['id']}", net.admin).status_code == 204


def test_a_gateway_network_stays_external(net: Net) -> None:
    router(net, net.alice_h)
    change = {"network": {"router:external": False}}
    refused = net.call("PUT", f"/networks/{PUBLIC_NETWORK_ID}", net.admin, change)
    assert error(refused)[:2] == (409, "ExternalNetworkInUse")
    shown = net.get(f"/networks/{PUBLIC_NETWORK_ID}", net.admin).json["network"]
    assert shown["router:external"] is True
