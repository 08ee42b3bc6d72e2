"""Subnets: addressing defaults and checks (CIDR, gateway, allocation pools, name servers, host
routes, IPv6 modes), overlapping CIDRs, updates, deletes with addresses in use, and who may
create and see them."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Net, build_net, error


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def _create(net: Net, network_id: str, **attrs: Any) -> Any:
    return net.call(
        "POST", "/subnets", net.alice_h, {"subnet": {"network_id": network_id, **attrs}}
    )


def test_ipv4_defaults(net: Net) -> None:
    n = net.network(net.alice_h)
    made = net.subnet(net.alice_h, n["id"], "10.0.0.77/24", name="s")
    assert made["cidr"] == "10.0.0.0/24"  # host bits cleared
    assert made["gateway_ip"] == "10.0.0.1"
    assert made["allocation_pools"] == [{"start": "10.0.0.2", "end": "10.0.0.254"}]
    assert (made["enable_dhcp"], made["ipv6_ra_mode"], made["subnetpool_id"]) == (True, None, None)
    assert (made["dns_nameservers"], made["host_routes"]) == ([], [])
    assert made["router:external"] is False
    assert made["project_id"] == net.alice.project_id
    assert net.get(f"/subnets/{made['id']}", net.alice_h).json["subnet"] == made
    assert net.get(f"/networks/{n['id']}", net.alice_h).json["network"]["revision_number"] == 2


def test_ipv6_defaults_and_no_gateway(net: Net) -> None:
    n = net.network(net.alice_h)
    v6 = net.subnet(net.alice_h, n["id"], "2001:DB8:0:1::/64")
    # Neutron's IPv6 default gateway as it behaves: the address after the network's own.
    assert (v6["cidr"], v6["gateway_ip"]) == ("2001:db8:0:1::/64", "2001:db8:0:1::1")
    assert v6["allocation_pools"] == [
        {"start": "2001:db8:0:1::2", "end": "2001:db8:0:1:ffff:ffff:ffff:ffff"}
    ]
    bare = net.subnet(net.alice_h, n["id"], "10.1.0.0/29", gateway_ip=None)
    assert bare["gateway_ip"] is None
    assert bare["allocation_pools"] == [{"start": "10.1.0.1", "end": "10.1.0.6"}]
    mid = net.subnet(net.alice_h, n["id"], "10.2.0.0/28", gateway_ip="10.2.0.5")
    assert mid["allocation_pools"] == [
        {"start": "10.2.0.1", "end": "10.2.0.4"},
        {"start": "10.2.0.6", "end": "10.2.0.14"},
    ]
    outside = net.subnet(net.alice_h, n["id"], "10.3.0.0/24", gateway_ip="192.168.0.1")
    assert outside["gateway_ip"] == "192.168.0.1"


def test_given_pools_routes_and_name_servers(net: Net) -> None:
    n = net.network(net.alice_h)
    made = net.subnet(
        net.alice_h,
        n["id"],
        "10.0.0.0/24",
        gateway_ip="10.0.0.254",
        allocation_pools=[{"start": "10.0.0.10", "end": "10.0.0.20"}],
        dns_nameservers=["8.8.4.4", "8.8.8.8"],
        host_routes=[{"destination": "10.20.0.0/32", "nexthop": "10.100.1.1"}],
    )
    assert made["allocation_pools"] == [{"start": "10.0.0.10", "end": "10.0.0.20"}]
    assert made["dns_nameservers"] == ["8.8.4.4", "8.8.8.8"]
    assert made["host_routes"] == [{"destination": "10.20.0.0/32", "nexthop": "10.100.1.1"}]


def test_overlapping_cidrs_on_one_network_are_refused(net: Net) -> None:
    n = net.network(net.alice_h)
    net.subnet(net.alice_h, n["id"], "10.0.0.0/24")
    overlapping = error(_create(net, n["id"], cidr="10.0.0.128/25", ip_version=4))
    assert overlapping == (
        400,
        "InvalidInput",
        "Invalid input for operation: Requested subnet"
        f" with cidr: 10.0.0.128/25 for network: {n['id']} overlaps with"
        " another subnet.",
    )
    other = net.network(net.alice_h)
    assert net.subnet(net.alice_h, other["id"], "10.0.0.0/24")["cidr"] == "10.0.0.0/24"


def test_ipv6_modes(net: Net) -> None:
    n = net.network(net.alice_h)
    for index, mode in enumerate(("slaac", "dhcpv6-stateless", "dhcpv6-stateful")):
        made = net.subnet(
            net.alice_h,
            n["id"],
            f"2001:db8:{index}::/64",
            ipv6_ra_mode=mode,
            ipv6_address_mode=mode,
        )
        assert (made["ipv6_ra_mode"], made["ipv6_address_mode"]) == (mode, mode)
    only_ra = net.subnet(net.alice_h, n["id"], "2001:db8:9::/64", ipv6_ra_mode="slaac")
    assert only_ra["ipv6_address_mode"] is None


def test_update(net: Net) -> None:
    n = net.network(net.alice_h)
    made = net.subnet(
        net.alice_h,
        n["id"],
        "10.100.0.0/28",
        gateway_ip="10.100.0.1",
        allocation_pools=[{"start": "10.100.0.3", "end": "10.100.0.7"}],
    )
    path = f"/subnets/{made['id']}"
    changed = net.call(
        "PUT",
        path,
        net.alice_h,
        {
            "subnet": {
                "name": "New_subnet",
                "gateway_ip": "10.100.0.2",
                "enable_dhcp": True,
                "dns_nameservers": ["7.8.8.8", "7.8.4.4"],
                "host_routes": [{"destination": "10.20.0.0/32", "nexthop": "10.100.1.2"}],
            }
        },
    )
    body = changed.json["subnet"]
    assert (body["name"], body["gateway_ip"], body["revision_number"]) == (
        "New_subnet",
        "10.100.0.2",
        2,
    )
    assert body["dns_nameservers"] == ["7.8.8.8", "7.8.4.4"]
    assert body["allocation_pools"] == [{"start": "10.100.0.3", "end": "10.100.0.7"}]
    into_pool = net.call("PUT", path, net.alice_h, {"subnet": {"gateway_ip": "10.100.0.5"}})
    assert error(into_pool)[:2] == (409, "GatewayConflictWithAllocationPools")
    pools = net.call(
        "PUT",
        path,
        net.alice_h,
        {"subnet": {"allocation_pools": [{"start": "10.100.0.8", "end": "10.100.0.14"}]}},
    )
    assert pools.json["subnet"]["allocation_pools"] == [
        {"start": "10.100.0.8", "end": "10.100.0.14"}
    ]
    cidr = net.call("PUT", path, net.alice_h, {"subnet": {"cidr": "10.9.0.0/24"}})
    assert error(cidr) == (400, "HTTPBadRequest", "Cannot update read-only attribute cidr")
    no_gateway = net.call("PUT", path, net.alice_h, {"subnet": {"gateway_ip": None}})
    assert no_gateway.json["subnet"]["gateway_ip"] is None


def test_dhcp_cannot_be_disabled_under_ipv6_modes(net: Net) -> None:
    n = net.network(net.alice_h)
    made = net.subnet(net.alice_h, n["id"], "2001:db8::/64", ipv6_address_mode="slaac")
    off = net.call("PUT", f"/subnets/{made['id']}", net.alice_h, {"subnet": {"enable_dhcp": False}})
    assert error(off) == (
        400,
        "InvalidInput",
        "Invalid input for operation: Cannot disable enable_dhcp with ipv6 attributes set.",
    )


def test_delete_with_addresses_in_use(net: Net) -> None:
    n = net.network(net.alice_h)
    v4 = net.subnet(net.alice_h, n["id"], "10.0.0.0/24")
    slaac = net.subnet(net.alice_h, n["id"], "2001:db8::/64", ipv6_address_mode="slaac")
    port = net.port(net.alice_h, n["id"])
    assert {ip["subnet_id"] for ip in port["fixed_ips"]} == {v4["id"], slaac["id"]}
    in_use = error(net.call("DELETE", f"/subnets/{v4['id']}", net.alice_h))
    assert in_use == (
        409,
        "SubnetInUse",
        f"Unable to complete operation on subnet {v4['id']}:"
        " One or more ports have an IP allocation from this subnet.",
    )
    # A SLAAC subnet goes, and its ports lose their addresses on it.
    assert net.call("DELETE", f"/subnets/{slaac['id']}", net.alice_h).status_code == 204
    shown = net.get(f"/ports/{port['id']}", net.alice_h).json["port"]
    assert [ip["subnet_id"] for ip in shown["fixed_ips"]] == [v4["id"]]
    assert net.call("DELETE", f"/ports/{port['id']}", net.alice_h).status_code == 204
    assert net.call("DELETE", f"/subnets/{v4['id']}", net.alice_h).status_code == 204
    assert net.get(f"/networks/{n['id']}", net.alice_h).json["network"]["subnets"] == []


def test_who_creates_and_sees_subnets(net: Net) -> None:
    private = net.network(net.alice_h)
    shared = net.network(net.admin, shared=True)
    external = net.network(net.admin, **{"router:external": True})
    on_private = net.subnet(net.alice_h, private["id"], "10.0.0.0/24")
    on_shared = net.subnet(net.admin, shared["id"], "10.1.0.0/24")
    on_external = net.subnet(net.admin, external["id"], "10.2.0.0/24")
    assert on_external["router:external"] is True
    hidden = _create(net, private["id"], cidr="10.9.0.0/24", ip_version=4)
    assert error(
        net.call(
            "POST",
            "/subnets",
            net.bob_h,
            {"subnet": {"network_id": private["id"], "cidr": "10.9.0.0/24", "ip_version": 4}},
        )
    )[:2] == (404, "NetworkNotFound")
    assert hidden.status_code == 201
    not_owner = net.call(
        "POST",
        "/subnets",
        net.bob_h,
        {"subnet": {"network_id": shared["id"], "cidr": "10.8.0.0/24", "ip_version": 4}},
    )
    assert error(not_owner) == (
        403,
        "PolicyNotAuthorized",
        "rule:create_subnet is disallowed by policy",
    )
    seen = {s["id"] for s in net.get("/subnets", net.bob_h).json["subnets"]}
    assert seen == {on_shared["id"], on_external["id"]}
    assert error(net.get(f"/subnets/{on_private['id']}", net.bob_h))[:2] == (404, "SubnetNotFound")
    delete = net.call("DELETE", f"/subnets/{on_shared['id']}", net.bob_h)
    assert error(delete) == (
        403,
        "PolicyNotAuthorized",
        "rule:delete_subnet is disallowed by policy",
    )
    external_only = net.get("/subnets", net.bob_h, query="router:external=true").json["subnets"]
    assert [s["id"] for s in external_only] == [on_external["id"]]
