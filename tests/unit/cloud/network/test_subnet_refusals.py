"""A subnet's create refused as Neutron refuses it: each check of the CIDR, the gateway, the
allocation pools, the name servers and the IPv6 modes, with Neutron's status, type and words."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Net, build_net, error


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        (
            {"cidr": "10.0.0.0/24", "ip_version": 6},
            (
                400,
                "InvalidInput",
                "Invalid input for operation: cidr '10.0.0.0/24' does not match the"
                " ip_version '6'.",
            ),
        ),
        (
            {"ip_version": 4},
            (
                400,
                "BadRequest",
                "Bad subnets request: a subnetpool must be specified in the absence of a cidr.",
            ),
        ),
        (
            {"cidr": "10.0.0.0/24"},
            (
                400,
                "HTTPBadRequest",
                "Failed to parse request. Required attribute 'ip_version' not specified",
            ),
        ),
        (
            {"cidr": "10.0.0.0", "ip_version": 4},
            (
                400,
                "HTTPBadRequest",
                "Invalid input for cidr. Reason: '10.0.0.0' is not a valid IP subnet.",
            ),
        ),
        (
            {"cidr": "10.0.0.0/31", "ip_version": 4},
            (
                400,
                "InvalidInput",
                "Invalid input for operation: Subnet has a prefix length that is"
                " incompatible with DHCP service enabled.",
            ),
        ),
        (
            {"cidr": "10.0.0.0/24", "ip_version": 4, "gateway_ip": "10.0.0.255"},
            (400, "InvalidInput", "Invalid input for operation: Gateway is not valid on subnet."),
        ),
        (
            {
                "cidr": "10.0.0.0/24",
                "ip_version": 4,
                "allocation_pools": [{"start": "10.0.0.2", "end": "10.0.1.5"}],
            },
            (
                400,
                "OutOfBoundsAllocationPool",
                "The allocation pool 10.0.0.2-10.0.1.5 spans beyond the subnet cidr 10.0.0.0/24.",
            ),
        ),
        (
            {
                "cidr": "10.0.0.0/24",
                "ip_version": 4,
                "allocation_pools": [{"start": "10.0.0.9", "end": "10.0.0.2"}],
            },
            (400, "InvalidAllocationPool", "The allocation pool 10.0.0.9-10.0.0.2 is not valid."),
        ),
        (
            {
                "cidr": "10.0.0.0/24",
                "ip_version": 4,
                "allocation_pools": [
                    {"start": "10.0.0.2", "end": "10.0.0.9"},
                    {"start": "10.0.0.5", "end": "10.0.0.20"},
                ],
            },
            (
                409,
                "OverlappingAllocationPools",
                "Found overlapping allocation pools: "
                "10.0.0.2-10.0.0.9 10.0.0.5-10.0.0.20 for subnet 10.0.0.0/24.",
            ),
        ),
        (
            {
                "cidr": "10.0.0.0/24",
                "ip_version": 4,
                "allocation_pools": [{"start": "10.0.0.1", "end": "10.0.0.9"}],
            },
            (
                409,
                "GatewayConflictWithAllocationPools",
                "Gateway ip 10.0.0.1 conflicts with allocation pool 10.0.0.1-10.0.0.9.",
            ),
        ),
        (
            {"cidr": "10.0.0.0/24", "ip_version": 4, "dns_nameservers": ["1.1.1.1"] * 2},
            (
                400,
                "HTTPBadRequest",
                "Invalid input for dns_nameservers. Reason: Duplicate nameserver '1.1.1.1'.",
            ),
        ),
        (
            {
                "cidr": "10.0.0.0/24",
                "ip_version": 4,
                "dns_nameservers": [f"1.1.1.{i}" for i in range(6)],
            },
            (
                400,
                "DNSNameServersExhausted",
                "Unable to complete operation for new subnet. The"
                " number of DNS nameservers exceeds the limit 5.",
            ),
        ),
        (
            {"cidr": "10.0.0.0/24", "ip_version": 4, "dns_nameservers": ["2001:db8::1"]},
            (
                400,
                "InvalidInput",
                "Invalid input for operation: dns_nameserver '2001:db8::1' does"
                " not match the ip_version '4'.",
            ),
        ),
        (
            {"cidr": "10.0.0.0/24", "ip_version": 4, "ipv6_ra_mode": "slaac"},
            (
                400,
                "InvalidInput",
                "Invalid input for operation: ipv6_ra_mode is not valid when ip_version is 4.",
            ),
        ),
        (
            {
                "cidr": "2001:db8::/64",
                "ip_version": 6,
                "ipv6_ra_mode": "slaac",
                "ipv6_address_mode": "dhcpv6-stateful",
            },
            (
                400,
                "InvalidInput",
                "Invalid input for operation: ipv6_ra_mode set to 'slaac' with"
                " ipv6_address_mode set to 'dhcpv6-stateful' is not valid. If both"
                " attributes are set, they must be the same value.",
            ),
        ),
        (
            {"cidr": "2001:db8::/80", "ip_version": 6, "ipv6_address_mode": "slaac"},
            (
                400,
                "InvalidInput",
                "Invalid input for operation: Invalid CIDR 2001:db8::/80 for IPv6"
                " address mode. OpenStack uses the EUI-64 address format, which"
                " requires the prefix to be /64.",
            ),
        ),
        (
            {
                "cidr": "2001:db8::/64",
                "ip_version": 6,
                "ipv6_address_mode": "slaac",
                "enable_dhcp": False,
            },
            (
                400,
                "InvalidInput",
                "Invalid input for operation: ipv6_ra_mode or ipv6_address_mode"
                " cannot be set when enable_dhcp is set to False.",
            ),
        ),
        (
            {"cidr": "2001:db8::/64", "ip_version": 6, "ipv6_address_mode": "eui"},
            (
                400,
                "HTTPBadRequest",
                "Invalid input for ipv6_address_mode. Reason: eui is not in"
                " ['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac'].",
            ),
        ),
        (
            {"cidr": "10.0.0.0/24", "ip_version": 4, "subnetpool_id": "p1"},
            (
                400,
                "HTTPBadRequest",
                "Invalid input for subnetpool_id. Reason: 'p1' is not a valid UUID.",
            ),
        ),
    ],
)
def test_create_refusals(net: Net, attrs: dict[str, Any], expected: tuple[int, str, str]) -> None:
    n = net.network(net.alice_h)
    body = {"subnet": {"network_id": n["id"], **attrs}}
    assert error(net.call("POST", "/subnets", net.alice_h, body)) == expected
