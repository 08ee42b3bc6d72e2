"""A security group rule's values checked and normalised as Neutron does (the converters of its
attribute map, then the plugin's checks), in Neutron's words, and the key two rules are compared
by (the same rule twice in a group is refused by a unique key over it).

What a rule holds, once checked: direction, ethertype (IPv4/IPv6), protocol (None for any; a
name or a number as given, lower-case, IPv6's ICMP as `ipv6-icmp`), a port range (TCP, UDP,
SCTP, DCCP, UDP-Lite) or ICMP type and code (ICMP), at most one remote (a prefix of the rule's
ethertype, or a group).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from pocketstack.cloud.network import faults, values

IPV4 = "IPv4"
IPV6 = "IPv6"
ETHERTYPES = (IPV4, IPV6)
DIRECTIONS = ("ingress", "egress")
ANY = "any"

# neutron_lib's IP_PROTOCOL_MAP: the names Neutron takes, and their numbers.
PROTOCOLS: dict[str, int] = {
    "ah": 51, "dccp": 33, "egp": 8, "esp": 50, "gre": 47, "hopopt": 0, "icmp": 1, "igmp": 2,
    "ip": 0, "ipip": 4, "ipv6-encap": 41, "ipv6-frag": 44, "ipv6-icmp": 58, "icmpv6": 58,
    "ipv6-nonxt": 59, "ipv6-opts": 60, "ipv6-route": 43, "ospf": 89, "pgm": 113, "rsvp": 46,
    "sctp": 132, "tcp": 6, "udp": 17, "udplite": 136, "vrrp": 112,
}  # fmt: skip
# A number's name (the last name listed for it; `icmpv6` is only ever an alias).
_NAMES = {str(n): name for name, n in PROTOCOLS.items() if name != "icmpv6"}
_SUPPORTED = (None, ANY, *PROTOCOLS)
# Protocols with ports (SG_PORT_PROTO_NAMES/NUMS) and ICMP's two.
_PORTED = frozenset({6, 17, 33, 132, 136})
_ICMP = frozenset({1, 58})
# Protocols of IPv6 only.
_IPV6_ONLY = frozenset({"ipv6-encap", "ipv6-frag", "ipv6-icmp", "icmpv6", "ipv6-nonxt",
                        "ipv6-opts", "ipv6-route", "41", "44", "58", "59", "60", "43"})  # fmt: skip
_LEGACY_IPV6_ICMP = ("icmp", "icmpv6")
PORT_MIN = 1
PORT_MAX = 65535
_ANY_PREFIXES = ("0.0.0.0/0", "::/0")


def _invalid(kind: str, message: str) -> faults.NeutronError:
    return faults.bad_request(message, kind=kind)


def protocol(value: Any) -> str | None:
    """convert_protocol: None or `any` for any protocol, a number 0 to 255, or a known name."""
    if value is None or value == ANY:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 255:
        return str(value)
    if isinstance(value, str):
        # isascii: "²" is a digit to str.isdigit, and no number to int().
        digits = value.strip()
        if digits.isascii() and digits.isdigit() and len(digits) <= 3 and int(digits) <= 255:
            return str(int(value))
        if value.lower() in PROTOCOLS or value.lower() == ANY:
            return value.lower() if value.lower() != ANY else None
    raise _invalid(
        "SecurityGroupRuleInvalidProtocol",
        f"Security group rule protocol {values.text(value)} not supported. Only protocol values"
        f" {_SUPPORTED!r} and integer representations [0 to 255] are supported.",
    )


def ethertype(value: Any) -> str:
    if isinstance(value, str):
        for known in ETHERTYPES:
            if known.lower() == value.lower():
                return known
    raise _invalid(
        "SecurityGroupRuleInvalidEtherType",
        f"Security group rule for ethertype '{values.text(value)}' not supported. Allowed values"
        f" are {list(ETHERTYPES)}.",
    )


def port(value: Any) -> int | None:
    """convert_validate_port_value: None, or what int() makes of it, 0 to 65535."""
    if value is None:
        return None
    try:
        number = int(value)
    except (ValueError, TypeError, OverflowError):
        number = -1
    if 0 <= number <= PORT_MAX:
        return number
    raise _invalid("SecurityGroupInvalidPortValue", f"Invalid value for port {values.text(value)}")


def _interface(value: Any) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface | None:
    # No IPv6 zone: Neutron's netaddr refuses one, and a rule must have one text.
    if isinstance(value, str) and value == value.strip() and "%" not in value:
        try:
            return ipaddress.ip_interface(value)
        except ValueError:
            pass
    return None


def remote_ip_prefix(value: Any) -> str | None:
    """A prefix as given, its length added when missing (host bits kept, as Neutron keeps them:
    normalized_cidr is the one without)."""
    if not value:
        return None
    interface = _interface(value)
    if interface is None:
        raise _invalid("InvalidCIDR", f"Invalid CIDR {values.text(value)} given as IP prefix.")
    return str(interface)


def normalized_cidr(prefix: str | None) -> str | None:
    interface = _interface(prefix)
    return None if interface is None else str(interface.network)


def protocol_number(name: str) -> int:
    return PROTOCOLS[name] if name in PROTOCOLS else int(name)


def _canonical_ipv6_icmp(rule: dict[str, Any]) -> None:
    if rule["ethertype"] != IPV6:
        return
    if rule["protocol"] in _LEGACY_IPV6_ICMP:
        rule["protocol"] = "ipv6-icmp"
    elif rule["protocol"] == "1":
        rule["protocol"] = "58"


def _check_ports(rule: dict[str, Any]) -> None:
    low, high = rule["port_range_min"], rule["port_range_max"]
    if low == PORT_MIN and high == PORT_MAX:
        # The whole range is no range (Neutron's _make_canonical_port_range).
        rule["port_range_min"] = rule["port_range_max"] = low = high = None
    if low is None and high is None:
        return
    if rule["protocol"] is None:
        raise _invalid("SecurityGroupProtocolRequiredWithPorts",
                       "Must also specify protocol if port range is given.")  # fmt: skip
    number = protocol_number(rule["protocol"])
    if number in _PORTED:
        if low == 0 or high == 0:
            raise _invalid("SecurityGroupInvalidPortValue", "Invalid value for port 0")
        if low is None or high is None or low > high:
            raise _invalid(
                "SecurityGroupInvalidPortRange",
                "For TCP/UDP protocols, port_range_min must be <= port_range_max",
            )
    elif number in _ICMP:
        for value, field, attr in ((low, "type", "port_range_min"),
                                   (high, "code", "port_range_max")):  # fmt: skip
            if value is not None and not 0 <= value <= 255:
                raise _invalid("SecurityGroupInvalidIcmpValue",
                               f"Invalid value for ICMP {field} ({attr}) {value}. It must be 0 to"
                               " 255.")  # fmt: skip
        if low is None:
            raise _invalid("SecurityGroupMissingIcmpType",
                           f"ICMP code (port-range-max) {high} is provided but ICMP type"
                           " (port-range-min) is missing.")  # fmt: skip
    else:
        raise _invalid("SecurityGroupInvalidProtocolForPort",
                       f"Ports cannot be specified for protocol {number}. Ports are only supported"
                       " for DCCP, SCTP, TCP, UDP, UDPLITE.")  # fmt: skip


def check(rule: dict[str, Any]) -> None:
    """The plugin's checks of a converted rule (_validate_base_security_group_rule_attributes),
    normalising it in place."""
    _canonical_ipv6_icmp(rule)
    _check_ports(rule)
    prefix = rule["remote_ip_prefix"]
    if prefix is not None and rule["ethertype"] != f"IPv{ipaddress.ip_interface(prefix).version}":
        raise _invalid(
            "SecurityGroupRuleParameterConflict",
            f"Conflicting value ethertype {rule['ethertype']} for CIDR {prefix}",
        )
    if rule["protocol"] in _IPV6_ONLY and rule["ethertype"] == IPV4:
        raise _invalid(
            "SecurityGroupEthertypeConflictWithProtocol",
            f"Invalid ethertype {rule['ethertype']} for protocol {rule['protocol']}.",
        )
    if prefix is not None and rule["remote_group_id"] is not None:
        raise _invalid("SecurityGroupMultipleRemoteEntites",
                       "Only one of remote_ip_prefix or remote_group_id or remote_address_group_id"
                       " may be provided.")  # fmt: skip


def _protocol_key(name: str | None, ethertype_: str) -> str:
    if name is None:
        return "+"
    if ethertype_ == IPV6 and name in _LEGACY_IPV6_ICMP:
        name = "ipv6-icmp"
    elif ethertype_ == IPV6 and name == "1":
        name = "58"
    if name in PROTOCOLS:
        return f"{name}/{PROTOCOLS[name]}"
    return f"{_NAMES.get(name, name)}/{name}"


def dedup_key(rule: dict[str, Any]) -> str:
    """The attributes Neutron compares two rules of a group by (its _rule_to_key): a protocol's
    name and number are the same protocol, a prefix of every address is no prefix."""
    prefix = rule["remote_ip_prefix"]
    parts = [
        rule["direction"],
        rule["ethertype"],
        "+" if rule["port_range_max"] is None else str(rule["port_range_max"]),
        "+" if rule["port_range_min"] is None else str(rule["port_range_min"]),
        _protocol_key(rule["protocol"], rule["ethertype"]),
        rule["remote_group_id"] or "+",
        "+" if prefix is None or prefix in _ANY_PREFIXES else prefix,
    ]
    return "_".join(parts)
