"""What the network service refuses that Python's parsers would let through, and who may put a
port on a shared network: one address has one text, a protocol is an ASCII number or a name,
and a reader creates nothing."""

from __future__ import annotations

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Net, build_net, error


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def test_an_ipv6_zone_is_no_address(net: Net) -> None:
    n = net.network(net.alice_h)
    subnet = net.subnet(net.alice_h, n["id"], "2001:db8::/64")
    first = net.port(net.alice_h, n["id"], fixed_ips=[{"subnet_id": subnet["id"],
                                                       "ip_address": "2001:db8::5"}])  # fmt: skip
    assert first["fixed_ips"][0]["ip_address"] == "2001:db8::5"
    for zoned in ("2001:db8::5%a", "2001:db8::5%b"):
        body = {"port": {"network_id": n["id"],
                         "fixed_ips": [{"subnet_id": subnet["id"], "ip_address": zoned}]}}
        assert net.call("POST", "/ports", net.alice_h, body).status_code == 400
    zoned_gateway = {"subnet": {"network_id": n["id"], "cidr": "2001:db9::/64", "ip_version": 6,
                                "gateway_ip": "2001:db9::1%zz"}}  # fmt: skip
    assert net.call("POST", "/subnets", net.alice_h, zoned_gateway).status_code == 400
    assert net.call("POST", "/subnets", net.alice_h, {"subnet": {
        "network_id": n["id"], "cidr": "2001:dba::/64%zz", "ip_version": 6}}).status_code == 400


def test_a_rule_takes_no_zone_and_no_unicode_digit(net: Net) -> None:
    group = net.made("/security-groups", net.alice_h, {"security_group": {"name": "g"}})
    for rule in ({"remote_ip_prefix": "2001:db8::/64%" + "z" * 80, "ethertype": "IPv6"},
                 {"protocol": "²"}):  # fmt: skip
        body = {"security_group_rule": {"security_group_id": group["id"], "direction": "ingress",
                                        **rule}}  # fmt: skip
        assert net.call("POST", "/security-group-rules", net.alice_h, body).status_code == 400
    listed = net.get("/security-group-rules", net.alice_h, query="protocol=%C2%B2")
    assert listed.status_code == 400


def test_a_reader_puts_no_port_on_a_shared_network(net: Net) -> None:
    shared = net.network(net.admin, shared=True)
    net.subnet(net.admin, shared["id"], "10.9.0.0/24")
    refused = net.call("POST", "/ports", net.reader_h, {"port": {"network_id": shared["id"]}})
    assert error(refused)[:2] == (403, "PolicyNotAuthorized")
    assert net.port(net.bob_h, shared["id"])["network_id"] == shared["id"]
