"""The value checks and conversions of Neutron's attributes (neutron_lib's validators and
converters), worded as Neutron words them.

A validator returns the value in its stored form (a canonical address, a lower-case MAC) or
raises `Invalid` with the reason Neutron gives; the request layer (body.py) wraps the reason
as "Invalid input for <attribute>. Reason: <reason>.". A converter's refusal is Neutron's
InvalidInput instead (`faults.invalid_input`), as there.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from typing import Any

from pocketstack.cloud.network import faults

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_TRUE = frozenset({"1", "t", "true", "on", "y", "yes"})
_FALSE = frozenset({"0", "f", "false", "off", "n", "no"})
_MAC = re.compile(r"^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$")
_INVALID_MACS = frozenset({"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"})


class Invalid(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def text(value: Any) -> str:
    """A value as Neutron's messages quote it (`'%s' % value`), cut short."""
    rendered = value if isinstance(value, str) else repr(value)
    return rendered if len(rendered) <= 80 else rendered[:77] + "..."


def boolean(value: Any) -> bool:
    """oslo's bool_from_string, strictly: booleans, 0/1, and the usual words."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise faults.invalid_input(f"'{text(value)}' cannot be converted to boolean")


def integer(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,12}\s*", value):
        return int(value)
    raise faults.invalid_input(f"'{text(value)}' is not an integer")


def string(value: Any, max_len: int | None = None) -> str:
    if not isinstance(value, str):
        raise Invalid(f"'{text(value)}' is not a valid string")
    if max_len is not None and len(value) > max_len:
        raise Invalid(f"'{text(value)}' exceeds maximum length of {max_len}")
    return value


def uuid_like(value: Any) -> str:
    if isinstance(value, str):
        try:
            uuid.UUID(value)
            return value
        except ValueError:
            pass
    raise Invalid(f"'{text(value)}' is not a valid UUID")


def one_of(value: Any, allowed: tuple[Any, ...]) -> Any:
    if value not in allowed:
        raise Invalid(f"{text(value)} is not in {list(allowed)}")
    return value


def parse_ip(value: Any) -> IPAddress:
    """An address as Neutron takes one: no whitespace, IPv4 as a dotted quad without leading
    zeros, IPv6 in any textual form but with no zone (`%eth0`), which Python parses and
    Neutron's netaddr refuses: one address must have one text, for the uniqueness of
    allocations."""
    if isinstance(value, str) and value and value == value.strip() and "%" not in value:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            pass
        else:
            if address.version == 6 or value.count(".") == 3:
                return address
    raise Invalid(f"'{text(value)}' is not a valid IP address")


def ip_address(value: Any) -> str:
    return str(parse_ip(value))


def parse_cidr(value: Any) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
    """A CIDR as Neutron's validate_subnet takes one: a prefix length is required, host bits may
    be set (the subnet's create clears them), IPv4 written canonically, no IPv6 zone."""
    if isinstance(value, str) and "/" in value and value == value.strip() and "%" not in value:
        try:
            interface = ipaddress.ip_interface(value)
        except ValueError:
            pass
        else:
            if interface.version == 6 or str(interface) == value:
                return interface
    raise Invalid(f"'{text(value)}' is not a valid IP subnet")


def route_cidr(value: Any) -> str:
    """A host route's destination: a network (no host bits), not a loopback one."""
    if isinstance(value, str) and "/" in value and value == value.strip() and "%" not in value:
        try:
            network = ipaddress.ip_network(value)
        except ValueError:
            pass
        else:
            if network.is_loopback:
                raise Invalid(f"'{text(value)}' is not a routable CIDR")
            return str(network)
    raise Invalid(f"'{text(value)}' is not a valid CIDR")


def mac_address(value: Any) -> str:
    """A MAC address (':' or '-' separated), stored lower-case with ':'."""
    if isinstance(value, str) and _MAC.match(value):
        mac = value.replace("-", ":").lower()
        if mac not in _INVALID_MACS:
            return mac
    raise Invalid(f"'{text(value)}' is not a valid MAC address")


def _keys(expected: tuple[str, ...], value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"Invalid input. '{text(value)}' must be a dictionary with keys: "
                      f"{list(expected)}")  # fmt: skip
    if set(value) != set(expected):
        raise Invalid(f"Validation of dictionary's keys failed. Expected keys: {set(expected)}"
                      f" Provided keys: {set(value)}")  # fmt: skip
    return value


def ip_pools(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise Invalid(f"Invalid data format for IP pool: '{text(value)}'")
    pools = []
    for pool in value:
        given = _keys(("start", "end"), pool)
        pools.append({"start": ip_address(given["start"]), "end": ip_address(given["end"])})
    return pools


def nameservers(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise Invalid(f"Invalid data format for nameserver: '{text(value)}'")
    servers: list[str] = []
    for host in value:
        try:
            address = ip_address(host)
        except Invalid as error:
            raise Invalid(f"'{text(host)}' is not a valid nameserver. {error.reason}") from None
        if address in servers:
            raise Invalid(f"Duplicate nameserver '{text(host)}'")
        servers.append(address)
    return servers


def host_routes(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise Invalid(f"Invalid data format for hostroute: '{text(value)}'")
    routes: list[dict[str, str]] = []
    for route in value:
        given = _keys(("destination", "nexthop"), route)
        entry = {"destination": route_cidr(given["destination"]),
                 "nexthop": ip_address(given["nexthop"])}  # fmt: skip
        if entry in routes:
            raise Invalid(f"Duplicate hostroute '{text(route)}'")
        routes.append(entry)
    return routes


def fixed_ips(value: Any) -> list[dict[str, str]]:
    """A port's requested addresses: each names a subnet, an address, or both."""
    if not isinstance(value, list):
        raise Invalid(f"Invalid data format for fixed IP: '{text(value)}'")
    requested: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, dict):
            raise Invalid(f"Invalid data format for fixed IP: '{text(item)}'")
        entry: dict[str, str] = {}
        if "ip_address" in item:
            address = ip_address(item["ip_address"])
            if address in seen:
                raise Invalid(f"Duplicate IP address '{text(item['ip_address'])}'")
            seen.add(address)
            entry["ip_address"] = address
        if "subnet_id" in item:
            entry["subnet_id"] = uuid_like(item["subnet_id"])
        requested.append(entry)
    return requested


def address_pairs(value: Any) -> list[dict[str, str | None]]:
    """Allowed address pairs: an address or CIDR each, an optional MAC (None: the port's)."""
    if not isinstance(value, list):
        raise Invalid(f"Allowed address pairs must be a list, not {text(value)}")
    pairs: list[dict[str, str | None]] = []
    for item in value:
        if not isinstance(item, dict) or "ip_address" not in item:
            raise Invalid("AllowedAddressPair must contain ip_address")
        extra = set(item) - {"ip_address", "mac_address"}
        if extra:
            raise Invalid(f"Unrecognized attribute(s) '{', '.join(sorted(extra))}'")
        raw = item["ip_address"]
        try:
            address = str(parse_cidr(raw)) if isinstance(raw, str) and "/" in raw else None
            address = address or ip_address(raw)
        except Invalid:
            raise Invalid(f"'{text(raw)}' is neither a valid IP address, nor is it a valid IP"
                          " subnet") from None  # fmt: skip
        mac = item.get("mac_address")
        entry = {"ip_address": address, "mac_address": None if mac is None else mac_address(mac)}
        if entry in pairs:
            raise Invalid(f"Duplicate address detected: '{text(raw)}'")
        pairs.append(entry)
    return pairs


def json_object(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"'{text(value)}' is not a dictionary")
    return value
