"""Security group rules refused in Neutron's words: port ranges and ICMP type and code out of
their bounds, unknown protocols and ethertypes, a remote prefix of the other ethertype or not a
prefix, two remotes, a missing group or remote group."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Headers, Net, build_net, error


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def _group(net: Net, headers: Headers, name: str = "g") -> dict[str, Any]:
    return net.made("/security-groups", headers, {"security_group": {"name": name}})


def _post(net: Net, headers: Headers, group_id: str, **attrs: Any) -> Any:
    body = {"security_group_rule": {"security_group_id": group_id, "direction": "ingress", **attrs}}
    return net.call("POST", "/security-group-rules", headers, body)


def _refusal(net: Net, gid: str, attrs: dict[str, Any]) -> tuple[int, str, str]:
    return error(_post(net, net.alice_h, gid, **attrs))


def test_rules_refused_in_neutrons_words(net: Net) -> None:
    gid = _group(net, net.alice_h)["id"]
    other = _group(net, net.alice_h, "other")["id"]
    tcp = {"protocol": "tcp"}
    icmp = {"protocol": "icmp"}
    cases: list[tuple[dict[str, Any], tuple[int, str, str]]] = [
        (
            {**tcp, "port_range_min": -16, "port_range_max": 80},
            (400, "SecurityGroupInvalidPortValue", "Invalid value for port -16"),
        ),
        (
            {**tcp, "port_range_min": 80, "port_range_max": 79},
            (
                400,
                "SecurityGroupInvalidPortRange",
                "For TCP/UDP protocols, port_range_min must be <= port_range_max",
            ),
        ),
        (
            {**tcp, "port_range_min": 80, "port_range_max": 65536},
            (400, "SecurityGroupInvalidPortValue", "Invalid value for port 65536"),
        ),
        (
            {**tcp, "port_range_min": None, "port_range_max": 6},
            (
                400,
                "SecurityGroupInvalidPortRange",
                "For TCP/UDP protocols, port_range_min must be <= port_range_max",
            ),
        ),
        (
            {**tcp, "port_range_min": 0, "port_range_max": 10},
            (400, "SecurityGroupInvalidPortValue", "Invalid value for port 0"),
        ),
        (
            {**tcp, "port_range_min": "eighty"},
            (400, "SecurityGroupInvalidPortValue", "Invalid value for port eighty"),
        ),
        (
            {**icmp, "port_range_min": 1, "port_range_max": 256},
            (
                400,
                "SecurityGroupInvalidIcmpValue",
                "Invalid value for ICMP code (port_range_max) 256. It must be 0 to 255.",
            ),
        ),
        (
            {**icmp, "port_range_min": 300, "port_range_max": 1},
            (
                400,
                "SecurityGroupInvalidIcmpValue",
                "Invalid value for ICMP type (port_range_min) 300. It must be 0 to 255.",
            ),
        ),
        (
            {**icmp, "port_range_min": None, "port_range_max": 6},
            (
                400,
                "SecurityGroupMissingIcmpType",
                "ICMP code (port-range-max) 6 is provided but ICMP type (port-range-min) is"
                " missing.",
            ),
        ),
        (
            {"protocol": "gre", "port_range_min": 5, "port_range_max": 5},
            (
                400,
                "SecurityGroupInvalidProtocolForPort",
                "Ports cannot be specified for protocol 47. Ports are only supported for DCCP,"
                " SCTP, TCP, UDP, UDPLITE.",
            ),
        ),
        (
            {"port_range_min": 5, "port_range_max": 5},
            (
                400,
                "SecurityGroupProtocolRequiredWithPorts",
                "Must also specify protocol if port range is given.",
            ),
        ),
        (
            {"ethertype": "bad_ethertype"},
            (
                400,
                "SecurityGroupRuleInvalidEtherType",
                "Security group rule for ethertype 'bad_ethertype' not supported. Allowed values"
                " are ['IPv4', 'IPv6'].",
            ),
        ),
        (
            {"protocol": "ipv6-frag"},
            (
                400,
                "SecurityGroupEthertypeConflictWithProtocol",
                "Invalid ethertype IPv4 for protocol ipv6-frag.",
            ),
        ),
        (
            {"ethertype": "IPv6", "remote_ip_prefix": "10.0.0.0/24"},
            (
                400,
                "SecurityGroupRuleParameterConflict",
                "Conflicting value ethertype IPv6 for CIDR 10.0.0.0/24",
            ),
        ),
        (
            {"remote_ip_prefix": "10.0.0.0/24", "remote_group_id": other},
            (
                400,
                "SecurityGroupMultipleRemoteEntites",
                "Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be"
                " provided.",
            ),
        ),
        (
            {"direction": "sideways"},
            (
                400,
                "HTTPBadRequest",
                "Invalid input for direction. Reason: sideways is not in ['ingress', 'egress'].",
            ),
        ),
        (
            {"remote_group_id": "bad_group_id"},
            (404, "SecurityGroupNotFound", "Security group bad_group_id does not exist"),
        ),
        (
            {"remote_address_group_id": other},
            (400, "HTTPBadRequest", "Unrecognized attribute(s) 'remote_address_group_id'"),
        ),
    ]
    for prefix in ("192.168.1./24", "192.168.1.1/33", "bad_prefix", "256", " 10.0.0.1"):
        cases.append(
            (
                {"remote_ip_prefix": prefix},
                (400, "InvalidCIDR", f"Invalid CIDR {prefix} given as IP prefix."),
            )
        )
    for protocol in ("bad_protocol_name", 256, -1, True, "1.5"):
        kind, message = _refusal(net, gid, {"protocol": protocol})[1:]
        assert kind == "SecurityGroupRuleInvalidProtocol"
        assert message.startswith(
            f"Security group rule protocol {protocol} not supported. Only"
            " protocol values (None, 'any', 'ah', "
        )
    for attrs, expected in cases:
        assert _refusal(net, gid, attrs) == expected, attrs
    missing = "6bf0b0c8-0cda-4d1e-9b31-0b1e8bd1d7c0"
    assert error(_post(net, net.alice_h, missing)) == (
        404,
        "SecurityGroupNotFound",
        f"Security group {missing} does not exist",
    )
    no_direction = net.call(
        "POST",
        "/security-group-rules",
        net.alice_h,
        {"security_group_rule": {"security_group_id": gid}},
    )
    assert error(no_direction) == (
        400,
        "HTTPBadRequest",
        "Failed to parse request. Required attribute 'direction' not specified",
    )
    rules = net.get("/security-group-rules", net.alice_h, query=f"security_group_id={gid}")
    assert len(rules.json["security_group_rules"]) == 2
