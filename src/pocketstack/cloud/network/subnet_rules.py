"""A subnet's addressing checked as Neutron checks it (its _validate_subnet and IPAM backend):
the CIDR against the IP version and the DHCP service, the gateway, the allocation pools (inside
the CIDR, apart from each other and from the gateway), name servers, host routes and the IPv6
address modes. Pure functions of the request and the network's other subnets.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from pocketstack.cloud.network import faults
from pocketstack.cloud.network.values import IPNetwork, parse_ip

MAX_DNS_NAMESERVERS = 5
MAX_HOST_ROUTES = 20
AUTO_MODES = ("slaac", "dhcpv6-stateless")
IPV6_MIN_MTU = 1280
IPV4_MIN_MTU = 68

Pool = tuple[int, int]


def bad_subnets(reason: str) -> faults.NeutronError:
    return faults.bad_request(f"Bad subnets request: {reason}.", kind="BadRequest")


def is_auto_address(ra_mode: str | None, address_mode: str | None) -> bool:
    """SLAAC or DHCPv6-stateless: addresses computed from the MAC (EUI-64), not allocated."""
    return address_mode in AUTO_MODES or ra_mode in AUTO_MODES


def network_of(cidr: Any) -> IPNetwork:
    """The subnet's network from a checked CIDR (host bits cleared, as Neutron's create does)."""
    network: IPNetwork = cidr.network
    return network


def check_version(ip_version: int, address: str, name: str) -> None:
    if ipaddress.ip_network(address, strict=False).version != ip_version:
        raise faults.invalid_input(
            f"{name} '{address}' does not match the ip_version '{ip_version}'"
        )


def check_cidr(net: IPNetwork, *, ip_version: int, enable_dhcp: bool, dhcp_was: bool) -> None:
    check_version(ip_version, str(net), "cidr")
    if net.version == 6 and int(net.network_address) == 0:
        raise faults.invalid_input("IPv6 subnet '::' is not supported")
    if enable_dhcp and not dhcp_was:
        if net.prefixlen > (30 if net.version == 4 else 126):
            raise faults.invalid_input(
                "Subnet has a prefix length that is incompatible with DHCP service enabled"
            )
        if net.is_multicast:
            raise faults.invalid_input("Multicast IP subnet is not supported if enable_dhcp is"
                                       " True")  # fmt: skip
        if net.is_loopback:
            raise faults.invalid_input("Loopback IP subnet is not supported if enable_dhcp is"
                                       " True")  # fmt: skip
        if net.version == 4 and int(net.network_address) == 0:
            raise faults.invalid_input(
                "First IP '0.0.0.0' of network is not supported if enable_dhcp is True."
            )


def check_gateway(net: IPNetwork, gateway: str | None, ip_version: int) -> None:
    if not gateway:
        return
    check_version(ip_version, gateway, "gateway_ip")
    address = parse_ip(gateway)
    # Outside the CIDR a gateway is taken as on-link; inside, an IPv4 one may not be the network
    # or broadcast address.
    if address in net and net.version == 4 and address in (net.network_address,
                                                           net.broadcast_address):  # fmt: skip
        raise faults.invalid_input("Gateway is not valid on subnet")


def default_gateway(net: IPNetwork) -> str:
    """Neutron's default as it behaves: the address after the network's own, for both
    versions (its code means the subnet-router anycast address for IPv6, but asks the request
    for a key it never has, so IPv6 subnets get `::1` too, as every devstack shows)."""
    return str(ipaddress.ip_address(int(net.network_address) + 1))


def check_nameservers(servers: Sequence[str], ip_version: int, subnet: str) -> None:
    if len(servers) > MAX_DNS_NAMESERVERS:
        raise faults.bad_request(
            f"Unable to complete operation for {subnet}. The number of DNS nameservers exceeds"
            f" the limit {MAX_DNS_NAMESERVERS}.",
            kind="DNSNameServersExhausted",
        )
    for server in servers:
        check_version(ip_version, server, "dns_nameserver")


def check_routes(routes: Sequence[dict[str, str]], ip_version: int, subnet: str) -> None:
    if len(routes) > MAX_HOST_ROUTES:
        raise faults.bad_request(
            f"Unable to complete operation for {subnet}. The number of host routes exceeds the"
            f" limit {MAX_HOST_ROUTES}.",
            kind="HostRoutesExhausted",
        )
    for route in routes:
        check_version(ip_version, route["nexthop"], "nexthop")
        check_version(ip_version, route["destination"], "destination")


def check_ipv6_modes(
    ip_version: int, ra_mode: str | None, address_mode: str | None, *, enable_dhcp: bool,
    net: IPNetwork,
) -> None:  # fmt: skip
    if ip_version == 4:
        if ra_mode is not None:
            raise faults.invalid_input("ipv6_ra_mode is not valid when ip_version is 4")
        if address_mode is not None:
            raise faults.invalid_input("ipv6_address_mode is not valid when ip_version is 4")
        return
    if (ra_mode or address_mode) and not enable_dhcp:
        raise faults.invalid_input("ipv6_ra_mode or ipv6_address_mode cannot be set when"
                                   " enable_dhcp is set to False")  # fmt: skip
    if ra_mode and address_mode and ra_mode != address_mode:
        raise faults.invalid_input(
            f"ipv6_ra_mode set to '{ra_mode}' with ipv6_address_mode set to '{address_mode}' is"
            " not valid. If both attributes are set, they must be the same value"
        )
    if is_auto_address(ra_mode, address_mode) and net.prefixlen != 64:
        raise faults.invalid_input(
            f"Invalid CIDR {net} for IPv6 address mode. OpenStack uses the EUI-64 address"
            " format, which requires the prefix to be /64"
        )


def check_no_overlap(net: IPNetwork, network_id: str, others: Sequence[str]) -> None:
    if net.prefixlen == 0:
        raise faults.invalid_input("0 is not allowed as CIDR prefix length")
    for other in others:
        if net.overlaps(ipaddress.ip_network(other)):
            # Neutron does not say which subnet: the other may be hidden from the caller.
            raise faults.invalid_input(
                f"Requested subnet with cidr: {net} for network: {network_id} overlaps with"
                " another subnet"
            )


def check_mtu(mtu: int, network_id: str, ip_version: int) -> None:
    if mtu >= IPV6_MIN_MTU:
        return
    if mtu < IPV4_MIN_MTU or ip_version == 6:
        floor = IPV4_MIN_MTU if mtu < IPV4_MIN_MTU else IPV6_MIN_MTU
        raise faults.conflict(
            "NetworkMTUSubnetConflict",
            f"MTU of {network_id} is not valid, subnet requires a minimum of {floor}.",
        )


def _host_bounds(net: IPNetwork) -> Pool:
    first, last = int(net.network_address), int(net.broadcast_address)
    if net.version == 4:
        return (first + 1, last - 1) if net.prefixlen <= 30 else (first, last)
    return first + 1, last


def _text(version: int, value: int) -> str:
    return str(ipaddress.ip_address(value) if version == 4 else ipaddress.IPv6Address(value))


def pool_text(version: int, pool: Pool) -> str:
    return f"{_text(version, pool[0])}-{_text(version, pool[1])}"


def generate_pools(net: IPNetwork, gateway: str | None) -> list[Pool]:
    """The pools of a subnet that names none: every host address but the gateway."""
    first, last = int(net.network_address), int(net.broadcast_address)
    if first == last:
        return [(first, last)]
    low, high = _host_bounds(net)
    pools: list[Pool] = [(low, high)]
    if gateway:
        gw = int(parse_ip(gateway))
        if low <= gw <= high:
            pools = [p for p in ((low, gw - 1), (gw + 1, high)) if p[0] <= p[1]]
    return pools


def parse_pools(given: Sequence[dict[str, str]], net: IPNetwork) -> list[Pool]:
    """Pools a request names, checked: each inside the CIDR's host range and none overlapping."""
    pools: list[Pool] = []
    low, high = _host_bounds(net)
    for pool in given:
        start, end = parse_ip(pool["start"]), parse_ip(pool["end"])
        shown = f"{pool['start']}-{pool['end']}"
        if start.version != net.version or end.version != net.version or int(start) > int(end):
            raise faults.bad_request(f"The allocation pool {shown} is not valid.",
                                     kind="InvalidAllocationPool")  # fmt: skip
        if int(start) < low or int(end) > high:
            raise faults.bad_request(
                f"The allocation pool {shown} spans beyond the subnet cidr {net}.",
                kind="OutOfBoundsAllocationPool",
            )
        pools.append((int(start), int(end)))
    for index, left in enumerate(pools):
        for right in pools[index + 1 :]:
            if left[0] <= right[1] and right[0] <= left[1]:
                raise faults.conflict(
                    "OverlappingAllocationPools",
                    f"Found overlapping allocation pools: {pool_text(net.version, left)}"
                    f" {pool_text(net.version, right)} for subnet {net}.",
                )
    return pools


def check_gateway_outside_pools(gateway: str | None, pools: Sequence[Pool], version: int) -> None:
    if not gateway:
        return
    address = parse_ip(gateway)
    if address.version != version:
        return
    for pool in pools:
        if pool[0] <= int(address) <= pool[1]:
            raise faults.conflict(
                "GatewayConflictWithAllocationPools",
                f"Gateway ip {gateway} conflicts with allocation pool {pool_text(version, pool)}.",
            )


def pools_json(version: int, pools: Sequence[Pool]) -> list[dict[str, str]]:
    return [{"start": _text(version, a), "end": _text(version, b)} for a, b in pools]


def pools_of(stored: Sequence[dict[str, str]]) -> list[Pool]:
    return [(int(parse_ip(p["start"])), int(parse_ip(p["end"]))) for p in stored]
