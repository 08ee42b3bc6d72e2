"""Security group rules: what Neutron takes (protocols by name or number, port ranges or ICMP
type and code, one remote of the rule's ethertype), the same rule never twice in a group, bulk
creates, who sees and changes which rules, and their lists (what is refused:
test_security_group_rule_refusals.py)."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Headers, Net, build_net, error


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def _group(net: Net, headers: Headers, name: str = "g", **attrs: Any) -> dict[str, Any]:
    return net.made("/security-groups", headers, {"security_group": {"name": name, **attrs}})


def _post(net: Net, headers: Headers, group_id: str, **attrs: Any) -> Any:
    body = {"security_group_rule": {"security_group_id": group_id, "direction": "ingress", **attrs}}
    return net.call("POST", "/security-group-rules", headers, body)


def _rule(net: Net, group_id: str, **attrs: Any) -> dict[str, Any]:
    result = _post(net, net.alice_h, group_id, **attrs)
    assert result.status_code == 201, result.text
    made: dict[str, Any] = result.json["security_group_rule"]
    return made


def test_rules_as_neutron_stores_them(net: Net) -> None:
    gid = _group(net, net.alice_h)["id"]
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (
            {"protocol": "TCP", "port_range_min": "77", "port_range_max": 77},
            {"protocol": "tcp", "port_range_min": 77, "port_range_max": 77, "ethertype": "IPv4"},
        ),
        ({"protocol": 132}, {"protocol": "132", "port_range_min": None}),
        ({"protocol": "any", "ethertype": "ipv6"}, {"protocol": None, "ethertype": "IPv6"}),
        # The whole port range is no range.
        (
            {"protocol": "udp", "port_range_min": 1, "port_range_max": 65535},
            {"port_range_min": None, "port_range_max": None},
        ),
        (
            {"protocol": "icmp", "port_range_min": 8, "port_range_max": 0},
            {"port_range_min": 8, "port_range_max": 0},
        ),
        ({"protocol": "icmp", "port_range_min": 11}, {"port_range_max": None}),
        # IPv6's ICMP by its legacy names and number is ipv6-icmp.
        ({"protocol": "icmp", "ethertype": "IPv6", "port_range_min": 3}, {"protocol": "ipv6-icmp"}),
        ({"protocol": "icmpv6", "ethertype": "IPv6"}, {"protocol": "ipv6-icmp"}),
        ({"protocol": "1", "ethertype": "IPv6", "direction": "egress"}, {"protocol": "58"}),
        (
            {"protocol": "tcp", "remote_ip_prefix": "10.0.0.5/24"},
            {"remote_ip_prefix": "10.0.0.5/24", "normalized_cidr": "10.0.0.0/24"},
        ),
        (
            {"protocol": "udp", "remote_ip_prefix": "10.1.2.3"},
            {"remote_ip_prefix": "10.1.2.3/32", "normalized_cidr": "10.1.2.3/32"},
        ),
        (
            {"ethertype": "IPv6", "remote_ip_prefix": "2001:DB8::1/64"},
            {"remote_ip_prefix": "2001:db8::1/64", "normalized_cidr": "2001:db8::/64"},
        ),
        (
            {"direction": "egress", "protocol": "gre", "description": "tunnels"},
            {"direction": "egress", "description": "tunnels", "belongs_to_default_sg": False},
        ),
    ]
    for given, expected in cases:
        made = _rule(net, gid, **given)
        assert {k: made[k] for k in expected} == expected, given
        assert made["security_group_id"] == gid
        assert made["project_id"] == net.alice.project_id
        shown = net.get(f"/security-group-rules/{made['id']}", net.alice_h).json
        assert shown == {"security_group_rule": made}
    group = net.get(f"/security-groups/{gid}", net.alice_h).json["security_group"]
    assert len(group["security_group_rules"]) == 2 + len(cases)
    # Each rule added (and the group's delete below) is a revision of the group.
    assert group["revision_number"] == 1 + len(cases)


def test_the_same_rule_twice_is_a_conflict(net: Net) -> None:
    gid = _group(net, net.alice_h)["id"]
    first = _rule(net, gid, protocol="tcp", port_range_min=66, port_range_max=67)
    for same in ({"protocol": "tcp"}, {"protocol": "6"}, {"protocol": 6}):
        again = _post(net, net.alice_h, gid, port_range_min=66, port_range_max=67, **same)
        assert error(again) == (
            409,
            "SecurityGroupRuleExists",
            f"Security group rule already exists. Rule id is {first['id']}.",
        )
    # The group's egress rules cover every address: 0.0.0.0/0 is the same rule.
    [egress] = [
        r
        for r in net.get(f"/security-groups/{gid}", net.alice_h).json["security_group"][
            "security_group_rules"
        ]
        if (r["direction"], r["ethertype"]) == ("egress", "IPv4")
    ]
    anywhere = _post(net, net.alice_h, gid, direction="egress", remote_ip_prefix="0.0.0.0/0")
    assert error(anywhere)[2] == f"Security group rule already exists. Rule id is {egress['id']}."
    # Another group may hold it; another range is another rule.
    assert _rule(
        net,
        _group(net, net.alice_h, "h")["id"],
        protocol="tcp",
        port_range_min=66,
        port_range_max=67,
    )
    assert _rule(net, gid, protocol="tcp", port_range_min=66, port_range_max=68)


def test_bulk_rules(net: Net) -> None:
    gid = _group(net, net.alice_h)["id"]
    rule = {"security_group_id": gid, "direction": "ingress", "protocol": "tcp"}
    made = net.call(
        "POST",
        "/security-group-rules",
        net.alice_h,
        {
            "security_group_rules": [
                {**rule, "port_range_min": 22, "port_range_max": 22},
                {**rule, "port_range_min": 80, "port_range_max": 80},
            ]
        },
    )
    assert made.status_code == 201, made.text
    assert [r["port_range_min"] for r in made.json["security_group_rules"]] == [22, 80]
    twice = net.call(
        "POST",
        "/security-group-rules",
        net.alice_h,
        {"security_group_rules": [{**rule, "protocol": "udp"}] * 2},
    )
    assert error(twice) == (
        409,
        "DuplicateSecurityGroupRuleInPost",
        "Duplicate Security Group Rule in POST.",
    )
    other = _group(net, net.alice_h, "other")["id"]
    two_groups = net.call(
        "POST",
        "/security-group-rules",
        net.alice_h,
        {
            "security_group_rules": [
                {**rule, "protocol": "udp"},
                {**rule, "security_group_id": other},
            ]
        },
    )
    assert error(two_groups) == (
        400,
        "SecurityGroupNotSingleGroupRules",
        "Only allowed to update rules for one security profile at a time",
    )
    # All or nothing: a duplicate of an existing rule refuses the whole request.
    partly = net.call(
        "POST",
        "/security-group-rules",
        net.alice_h,
        {
            "security_group_rules": [
                {**rule, "protocol": "udp"},
                {**rule, "port_range_min": 22, "port_range_max": 22},
            ]
        },
    )
    assert error(partly)[:2] == (409, "SecurityGroupRuleExists")
    listed = net.get("/security-group-rules", net.alice_h, query=f"security_group_id={gid}")
    assert len(listed.json["security_group_rules"]) == 4


def test_rules_are_their_groups(net: Net) -> None:
    mine = _group(net, net.alice_h)
    theirs = _group(net, net.bob_h)
    rule = _rule(net, mine["id"], protocol="tcp")
    path = f"/security-group-rules/{rule['id']}"
    # Another project's member: the rule is not there, nor may they add to the group.
    assert error(net.get(path, net.bob_h)) == (
        404,
        "SecurityGroupRuleNotFound",
        f"Security group rule {rule['id']} does not exist",
    )
    assert error(net.call("DELETE", path, net.bob_h))[:2] == (404, "SecurityGroupRuleNotFound")
    assert error(_post(net, net.bob_h, mine["id"], protocol="udp")) == (
        403,
        "PolicyNotAuthorized",
        "rule:create_security_group_rule is disallowed by policy",
    )
    bob_rules = net.get("/security-group-rules", net.bob_h).json["security_group_rules"]
    assert rule["id"] not in {r["id"] for r in bob_rules}
    # A remote group must be the rule's project's.
    assert error(_post(net, net.alice_h, mine["id"], remote_group_id=theirs["id"]))[:2] == (
        404,
        "SecurityGroupNotFound",
    )
    # The project's reader reads, and may not change.
    assert net.get(path, net.reader_h).json["security_group_rule"] == rule
    assert error(net.call("DELETE", path, net.reader_h)) == (
        403,
        "PolicyNotAuthorized",
        "rule:delete_security_group_rule is disallowed by policy",
    )
    # An admin adds to anyone's group (the rule names the admin's project, as Neutron's does).
    by_admin = _post(net, net.admin, mine["id"], protocol="udp").json["security_group_rule"]
    assert by_admin["project_id"] != net.alice.project_id
    assert by_admin["id"] in {
        r["id"] for r in net.get("/security-group-rules", net.alice_h).json["security_group_rules"]
    }
    assert (
        net.call("DELETE", f"/security-group-rules/{by_admin['id']}", net.alice_h).status_code
        == 204
    )
    assert net.call("DELETE", path, net.alice_h).status_code == 204
    assert net.get(path, net.alice_h).status_code == 404


def test_rule_lists_filter_and_sort(net: Net) -> None:
    gid = _group(net, net.alice_h)["id"]
    for low in (443, 80, 22):
        _rule(
            net,
            gid,
            protocol="tcp",
            port_range_min=low,
            port_range_max=low,
            remote_ip_prefix="10.0.0.9/24",
        )

    def listed(query: str) -> list[dict[str, Any]]:
        result = net.get("/security-group-rules", net.alice_h, query=query)
        assert result.status_code == 200, result.text
        rules: list[dict[str, Any]] = result.json["security_group_rules"]
        return rules

    ports = listed(f"security_group_id={gid}&protocol=TCP&sort_key=port_range_min&sort_dir=asc")
    assert [r["port_range_min"] for r in ports] == [22, 80, 443]
    by_cidr = listed("normalized_cidr=10.0.0.0/24&fields=id&fields=normalized_cidr")
    assert len(by_cidr) == 3
    assert set(by_cidr[0]) == {"id", "normalized_cidr"}
    defaults = listed("belongs_to_default_sg=true")
    assert len(defaults) == 4
    assert {r["belongs_to_default_sg"] for r in defaults} == {True}
    everything = listed(f"security_group_id={gid}&sort_key=port_range_min&sort_dir=desc")
    assert [r["port_range_min"] for r in everything] == [443, 80, 22, None, None]
    page = net.get(
        "/security-group-rules",
        net.alice_h,
        query=f"security_group_id={gid}&limit=2&sort_key=port_range_min&sort_dir=asc",
    )
    first = page.json["security_group_rules"]
    assert [r["port_range_min"] for r in first] == [None, None]
    after = listed(
        f"security_group_id={gid}&limit=2&sort_key=port_range_min&sort_dir=asc"
        f"&marker={first[-1]['id']}"
    )
    assert [r["port_range_min"] for r in after] == [22, 80]
    assert error(net.get("/security-group-rules", net.alice_h, query="protocol=nope"))[:2] == (
        400,
        "SecurityGroupRuleInvalidProtocol",
    )
