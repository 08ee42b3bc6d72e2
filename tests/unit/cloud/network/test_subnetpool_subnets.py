"""Subnets allocated from subnet pools: any free prefix (the request's length or the pool's
default), a named CIDR that must be free in the pool, the default pool of an IP version, the
pool's prefix length bounds and per-project quota, the subnet showing and filtering by its pool,
and a pool with subnets kept from deletion."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Headers, Net, build_net, error


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def _pool(net: Net, headers: Headers, prefixes: list[str], **attrs: Any) -> dict[str, Any]:
    body = {"subnetpool": {"name": "pool", "prefixes": prefixes, **attrs}}
    return net.made("/subnetpools", headers, body)


def _subnet(net: Net, headers: Headers, network_id: str, **attrs: Any) -> Any:
    body = {"subnet": {"network_id": network_id, "ip_version": 4, **attrs}}
    return net.call("POST", "/subnets", headers, body)


def test_subnets_take_the_lowest_free_prefixes(net: Net) -> None:
    pool = _pool(net, net.alice_h, ["10.10.0.0/16"], default_prefixlen=24)
    network = net.network(net.alice_h)
    first = _subnet(net, net.alice_h, network["id"], subnetpool_id=pool["id"])
    assert first.status_code == 201, first.text
    made = first.json["subnet"]
    assert made["cidr"] == "10.10.0.0/24"
    assert made["subnetpool_id"] == pool["id"]
    assert made["gateway_ip"] == "10.10.0.1"
    assert made["allocation_pools"] == [{"start": "10.10.0.2", "end": "10.10.0.254"}]
    second = _subnet(net, net.alice_h, network["id"], subnetpool_id=pool["id"], prefixlen=26)
    assert second.json["subnet"]["cidr"] == "10.10.1.0/26"
    # A smaller gap is used before a larger one.
    third = _subnet(net, net.alice_h, network["id"], subnetpool_id=pool["id"], prefixlen=26)
    assert third.json["subnet"]["cidr"] == "10.10.1.64/26"
    named = _subnet(net, net.alice_h, network["id"], subnetpool_id=pool["id"],
                    cidr="10.10.9.0/24")  # fmt: skip
    assert named.json["subnet"]["cidr"] == "10.10.9.0/24"
    shown = net.get(f"/subnets/{made['id']}", net.alice_h).json["subnet"]
    assert shown["subnetpool_id"] == pool["id"]
    listed = net.get("/subnets", net.alice_h, query=f"subnetpool_id={pool['id']}")
    assert len(listed.json["subnets"]) == 4
    plain = net.subnet(net.alice_h, net.network(net.alice_h)["id"], "10.99.0.0/24")
    assert plain["subnetpool_id"] is None


@pytest.mark.parametrize(("attrs", "status", "kind", "words"), [
    ({"cidr": "10.10.0.128/25"}, 409, "SubnetAllocationError", "available set of prefixes"),
    ({"cidr": "10.11.0.0/24"}, 409, "SubnetAllocationError", "available set of prefixes"),
    ({"prefixlen": 20}, 400, "MinPrefixSubnetAllocationError", "minimum allowed prefix is 22"),
    ({"prefixlen": 29}, 400, "MaxPrefixSubnetAllocationError", "maximum allowed prefix is 28"),
    ({"cidr": "10.10.4.0/24", "prefixlen": 24}, 400, "BadRequest", "together"),
    ({"ip_version": 6}, 400, "BadRequest", "Cannot allocate IPv6 subnet from IPv4 subnet pool"),
    ({"prefixlen": 24, "allocation_pools": [{"start": "10.10.4.2", "end": "10.10.4.9"}]}, 400,
     "BadRequest", "allocation_pools allowed only for specific subnet requests"),
    ({"use_default_subnetpool": True}, 400, "BadRequest", "cannot both be specified"),
])  # fmt: skip
def test_allocation_refusals(net: Net, attrs: dict[str, Any], status: int, kind: str,
                             words: str) -> None:  # fmt: skip
    pool = _pool(net, net.alice_h, ["10.10.0.0/22"], min_prefixlen=22, max_prefixlen=28,
                 default_prefixlen=24)  # fmt: skip
    network = net.network(net.alice_h)
    assert _subnet(net, net.alice_h, network["id"], subnetpool_id=pool["id"]).status_code == 201
    got = error(_subnet(net, net.alice_h, network["id"], **{"subnetpool_id": pool["id"],
                                                             **attrs}))  # fmt: skip
    assert got[:2] == (status, kind)
    assert words in got[2]


def test_a_full_pool_and_a_missing_one(net: Net) -> None:
    pool = _pool(net, net.alice_h, ["10.10.0.0/24"], default_prefixlen=25)
    network = net.network(net.alice_h)
    for _ in range(2):
        assert _subnet(net, net.alice_h, network["id"], subnetpool_id=pool["id"]).status_code == 201
    full = error(_subnet(net, net.alice_h, network["id"], subnetpool_id=pool["id"]))
    assert full[:2] == (409, "SubnetAllocationError")
    assert "/25" in full[2]
    hidden = _pool(net, net.bob_h, ["10.20.0.0/16"])
    missing = error(_subnet(net, net.alice_h, network["id"], subnetpool_id=hidden["id"]))
    assert missing[:2] == (404, "SubnetPoolNotFound")
    no_cidr = error(_subnet(net, net.alice_h, network["id"]))
    assert no_cidr[0] == 400
    assert "a subnetpool must be specified" in no_cidr[2]


def test_a_shared_pool_serves_every_project(net: Net) -> None:
    pool = _pool(net, net.admin, ["10.30.0.0/16"], shared=True, default_prefixlen=24)
    made = _subnet(net, net.bob_h, net.network(net.bob_h)["id"], subnetpool_id=pool["id"])
    assert made.status_code == 201
    assert made.json["subnet"]["cidr"] == "10.30.0.0/24"


def test_the_default_pool(net: Net) -> None:
    network = net.network(net.alice_h)
    none = error(_subnet(net, net.alice_h, network["id"], use_default_subnetpool=True))
    assert none[0] == 400
    assert "No default subnetpool found for IPv4" in none[2]
    pool = _pool(net, net.admin, ["10.40.0.0/16"], shared=True, is_default=True,
                 default_prefixlen=24)  # fmt: skip
    made = _subnet(net, net.alice_h, network["id"], use_default_subnetpool=True)
    assert made.status_code == 201, made.text
    assert made.json["subnet"]["subnetpool_id"] == pool["id"]
    assert made.json["subnet"]["cidr"] == "10.40.0.0/24"


def test_default_quota_counts_addresses(net: Net) -> None:
    # 512 addresses: two /24s, or one /24 and two /25s.
    pool = _pool(net, net.alice_h, ["10.50.0.0/16"], default_quota=512, default_prefixlen=24)
    network = net.network(net.alice_h)
    for _ in range(2):
        assert _subnet(net, net.alice_h, network["id"], subnetpool_id=pool["id"]).status_code == 201
    over = error(_subnet(net, net.alice_h, network["id"], subnetpool_id=pool["id"], prefixlen=30))
    assert over[:2] == (409, "SubnetPoolQuotaExceeded")


def test_a_pool_with_subnets_is_not_deleted(net: Net) -> None:
    pool = _pool(net, net.alice_h, ["10.60.0.0/16"], default_prefixlen=24)
    network = net.network(net.alice_h)
    subnet = _subnet(net, net.alice_h, network["id"], subnetpool_id=pool["id"]).json["subnet"]
    refused = error(net.call("DELETE", f"/subnetpools/{pool['id']}", net.alice_h))
    assert refused[:2] == (400, "SubnetPoolDeleteError")
    assert net.call("DELETE", f"/subnets/{subnet['id']}", net.alice_h).status_code == 204
    # The freed prefix is given again.
    again = _subnet(net, net.alice_h, network["id"], subnetpool_id=pool["id"]).json["subnet"]
    assert again["cidr"] == "10.60.0.0/24"
    # Deleting the network deletes its subnets and with them their allocations.
    assert net.call("DELETE", f"/networks/{network['id']}", net.alice_h).status_code == 204
    assert net.call("DELETE", f"/subnetpools/{pool['id']}", net.alice_h).status_code == 204
    assert net.get(f"/subnetpools/{pool['id']}", net.alice_h).status_code == 404


def test_ipv6_subnets_from_a_pool(net: Net) -> None:
    pool = _pool(net, net.alice_h, ["2001:db8::/48"])
    network = net.network(net.alice_h)
    made = _subnet(net, net.alice_h, network["id"], ip_version=6, subnetpool_id=pool["id"])
    assert made.status_code == 201, made.text
    assert made.json["subnet"]["cidr"] == "2001:db8::/64"
    assert made.json["subnet"]["gateway_ip"] == "2001:db8::1"
    second = _subnet(net, net.alice_h, network["id"], ip_version=6, subnetpool_id=pool["id"])
    assert second.json["subnet"]["cidr"] == "2001:db8:0:1::/64"
    # A named CIDR of the other version is refused as any subnet's would be.
    mismatch = error(_subnet(net, net.alice_h, network["id"], ip_version=6,
                             subnetpool_id=pool["id"], cidr="10.0.0.0/24"))  # fmt: skip
    assert mismatch[:2] == (400, "InvalidInput")
    assert "does not match the ip_version" in mismatch[2]
