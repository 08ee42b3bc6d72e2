"""Subnet pools: defaults and checks of a create (prefix lengths, merged prefixes, one IP
version), updates that may only grow the prefixes, who sees and changes a pool (shared ones,
admin-only attributes), listing, tags, the prefix operations and the default pool per IP
version."""

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


def _create(net: Net, headers: Headers, **attrs: Any) -> Any:
    return net.call("POST", "/subnetpools", headers, {"subnetpool": attrs})


def _update(net: Net, headers: Headers, pool_id: str, **attrs: Any) -> Any:
    return net.call("PUT", f"/subnetpools/{pool_id}", headers, {"subnetpool": attrs})


def test_create_shows_defaults_and_merges_prefixes(net: Net) -> None:
    made = _pool(net, net.alice_h, ["10.1.0.0/24", "10.1.1.0/24", "10.1.0.128/25",
                                    "192.168.0.7/24"])  # fmt: skip
    assert made["prefixes"] == ["10.1.0.0/23", "192.168.0.0/24"]
    assert made["ip_version"] == 4
    assert (made["min_prefixlen"], made["max_prefixlen"], made["default_prefixlen"]) == (8, 32, 8)
    assert made["default_quota"] is None
    assert made["shared"] is False
    assert made["is_default"] is False
    assert made["address_scope_id"] is None
    assert made["project_id"] == made["tenant_id"] == net.alice.project_id
    assert made["revision_number"] == 1
    assert made["tags"] == []
    v6 = _pool(net, net.alice_h, ["2001:db8::/48"])
    assert (v6["ip_version"], v6["min_prefixlen"], v6["max_prefixlen"]) == (6, 64, 128)
    shown = net.get(f"/subnetpools/{made['id']}", net.reader_h)
    assert shown.status_code == 200
    assert shown.json["subnetpool"]["name"] == "pool"


@pytest.mark.parametrize(("attrs", "status", "kind", "words"), [
    ({"prefixes": ["10.0.0.0/8", "2001:db8::/32"]}, 400, "PrefixVersionMismatch", "mix"),
    ({"prefixes": []}, 400, "EmptySubnetPoolPrefixList", "Empty"),
    ({"prefixes": ["10.0.0.0/8"], "min_prefixlen": 24, "max_prefixlen": 16}, 400,
     "IllegalSubnetPoolPrefixBounds", "min_prefixlen=24, max_prefixlen=16"),
    ({"prefixes": ["10.0.0.0/8"], "max_prefixlen": 33}, 400,
     "IllegalSubnetPoolPrefixBounds", "max_prefixlen=33, ip_version_max=32"),
    ({"prefixes": ["10.0.0.0/8"], "default_prefixlen": 4}, 400,
     "IllegalSubnetPoolPrefixBounds", "default_prefixlen=4, min_prefixlen=8"),
    ({"prefixes": ["10.0.0.0/8"], "min_prefixlen": -1}, 400, "HTTPBadRequest",
     "should be non-negative"),
    ({"prefixes": ["10.0.0.0/8"], "default_quota": 2**31}, 400, "HTTPBadRequest", "too large"),
    ({"prefixes": ["10.0.0.0/8", "10.0.0.0/8"]}, 400, "HTTPBadRequest", "Duplicate"),
    ({"prefixes": ["nope"]}, 400, "HTTPBadRequest", "not a valid IP subnet"),
    ({"prefixes": ["10.0.0.0/8"], "name": ""}, 400, "HTTPBadRequest", "Blank"),
    ({"prefixes": ["10.0.0.0/8"], "address_scope_id": "4d3ea5b2-3c2b-4b6a-9a7e-f1b0d2c3e4f5"},
     404, "AddressScopeNotFound", "could not be found"),
])  # fmt: skip
def test_create_refusals(net: Net, attrs: dict[str, Any], status: int, kind: str,
                         words: str) -> None:  # fmt: skip
    got = error(_create(net, net.alice_h, **{"name": "p", **attrs}))
    assert got[:2] == (status, kind)
    assert words in got[2]


def test_name_and_prefixes_are_required(net: Net) -> None:
    assert error(_create(net, net.alice_h, prefixes=["10.0.0.0/8"]))[0] == 400
    assert error(_create(net, net.alice_h, name="p"))[0] == 400


def test_update_may_grow_prefixes_but_never_shrink_them(net: Net) -> None:
    pool = _pool(net, net.alice_h, ["10.1.0.0/24"], min_prefixlen=24)
    grown = _update(net, net.alice_h, pool["id"], prefixes=["10.1.0.0/24", "10.1.1.0/24"],
                    name="renamed", max_prefixlen=30)  # fmt: skip
    assert grown.status_code == 200, grown.text
    shown = grown.json["subnetpool"]
    assert shown["prefixes"] == ["10.1.0.0/23"]
    assert shown["name"] == "renamed"
    assert shown["max_prefixlen"] == 30
    assert shown["revision_number"] == 2
    status, kind, message = error(_update(net, net.alice_h, pool["id"], prefixes=["10.1.1.0/24"]))
    assert (status, kind) == (400, "IllegalSubnetPoolPrefixUpdate")
    assert "subset" in message
    refused = error(_update(net, net.alice_h, pool["id"], default_prefixlen=31))
    assert refused[:2] == (400, "IllegalSubnetPoolPrefixBounds")
    read_only = error(_update(net, net.alice_h, pool["id"], shared=True))
    assert read_only[0] == 400
    assert "read-only" in read_only[2]


def test_visibility_and_policy(net: Net) -> None:
    own = _pool(net, net.alice_h, ["10.1.0.0/16"])
    shared = _pool(net, net.admin, ["10.2.0.0/16"], shared=True)
    hidden = _pool(net, net.admin, ["10.3.0.0/16"])
    listed = net.get("/subnetpools", net.alice_h).json["subnetpools"]
    assert sorted(p["id"] for p in listed) == sorted([own["id"], shared["id"]])
    assert net.get(f"/subnetpools/{hidden['id']}", net.alice_h).status_code == 404
    assert error(net.get(f"/subnetpools/{own['id']}", net.bob_h))[1] == "SubnetPoolNotFound"
    assert net.get(f"/subnetpools/{shared['id']}", net.bob_h).status_code == 200
    assert error(_update(net, net.bob_h, shared["id"], name="x"))[:2] == (
        403,
        "PolicyNotAuthorized",
    )
    assert net.call("DELETE", f"/subnetpools/{shared['id']}", net.bob_h).status_code == 403
    assert _update(net, net.reader_h, own["id"], name="x").status_code == 403
    refused = error(_create(net, net.alice_h, name="p", prefixes=["10.9.0.0/16"], shared=True))
    assert refused[:2] == (403, "PolicyNotAuthorized")
    assert "create_subnetpool:shared" in refused[2]
    assert _create(net, net.alice_h, name="p", prefixes=["10.9.0.0/16"],
                   shared=False).status_code == 201  # fmt: skip
    refused = error(_update(net, net.alice_h, own["id"], is_default=False))
    assert refused[0] == 403
    assert "update_subnetpool:is_default" in refused[2]
    assert error(_create(net, net.reader_h, name="p", prefixes=["10.8.0.0/16"]))[0] == 403


def test_one_default_per_ip_version(net: Net) -> None:
    first = _pool(net, net.admin, ["10.1.0.0/16"], is_default=True)
    assert first["is_default"] is True
    status, kind, message = error(_create(net, net.admin, name="p", prefixes=["10.2.0.0/16"],
                                          is_default=True))  # fmt: skip
    assert (status, kind) == (400, "InvalidInput")
    assert "default subnetpool" in message
    # The other family has its own default.
    assert _pool(net, net.admin, ["2001:db8::/48"], is_default=True)["is_default"] is True
    other = _pool(net, net.admin, ["10.2.0.0/16"])
    assert error(_update(net, net.admin, other["id"], is_default=True))[1] == "InvalidInput"
    assert _update(net, net.admin, first["id"], is_default=False).status_code == 200
    assert _update(net, net.admin, other["id"], is_default=True).status_code == 200


def test_list_filters_sorts_pages_and_fields(net: Net) -> None:
    for index, prefix in enumerate(["10.1.0.0/16", "10.2.0.0/16", "2001:db8::/48"]):
        _pool(net, net.alice_h, [prefix], name=f"p{index}")
    v4 = net.get("/subnetpools", net.alice_h, query="ip_version=4&sort_key=name&sort_dir=desc")
    assert [p["name"] for p in v4.json["subnetpools"]] == ["p1", "p0"]
    page = net.get("/subnetpools", net.alice_h, query="limit=2&sort_key=name&sort_dir=asc")
    assert [p["name"] for p in page.json["subnetpools"]] == ["p0", "p1"]
    marker = page.json["subnetpools"][-1]["id"]
    rest = net.get("/subnetpools", net.alice_h,
                   query=f"limit=2&sort_key=name&sort_dir=asc&marker={marker}")  # fmt: skip
    assert [p["name"] for p in rest.json["subnetpools"]] == ["p2"]
    cut = net.get("/subnetpools", net.alice_h, query="fields=id&fields=prefixes&name=p2")
    assert [set(p) for p in cut.json["subnetpools"]] == [{"id", "prefixes"}]
    assert net.get("/subnetpools", net.alice_h, query="bogus=1").status_code == 400


def test_tags_on_a_pool(net: Net) -> None:
    pool = _pool(net, net.alice_h, ["10.1.0.0/16"])
    path = f"/subnetpools/{pool['id']}/tags"
    assert net.call("PUT", f"{path}/red", net.alice_h).status_code == 201
    replaced = net.call("PUT", path, net.alice_h, {"tags": ["blue", "green"]})
    assert replaced.json == {"tags": ["blue", "green"]}
    assert net.get(f"/subnetpools/{pool['id']}", net.alice_h).json["subnetpool"]["tags"] == [
        "blue", "green"]  # fmt: skip
    found = net.get("/subnetpools", net.alice_h, query="tags=blue").json["subnetpools"]
    assert [p["id"] for p in found] == [pool["id"]]
    assert net.get("/subnetpools", net.alice_h, query="not-tags=blue").json["subnetpools"] == []
    assert net.call("PUT", f"{path}/x", net.bob_h).status_code == 404
    assert net.call("DELETE", path, net.alice_h).status_code == 204
    assert net.get(path, net.alice_h).json == {"tags": []}


def test_prefix_operations(net: Net) -> None:
    pool = _pool(net, net.alice_h, ["10.1.0.0/24"])
    base = f"/subnetpools/{pool['id']}"
    added = net.call("PUT", f"{base}/add_prefixes", net.alice_h, {"prefixes": ["10.1.1.0/24"]})
    assert added.json == {"prefixes": ["10.1.0.0/23"]}
    mixed = net.call("PUT", f"{base}/add_prefixes", net.alice_h, {"prefixes": ["2001:db8::/64"]})
    assert error(mixed)[1] == "PrefixVersionMismatch"
    assert net.call("PUT", f"{base}/add_prefixes", net.alice_h, {"prefixes": []}).status_code == 400
    network = net.network(net.alice_h)
    net.subnet(net.alice_h, network["id"], "10.1.0.0/28", subnetpool_id=pool["id"])
    in_use = net.call("PUT", f"{base}/remove_prefixes", net.alice_h,
                      {"prefixes": ["10.1.0.0/24"]})  # fmt: skip
    assert error(in_use)[:2] == (400, "IllegalSubnetPoolPrefixUpdate")
    removed = net.call("PUT", f"{base}/remove_prefixes", net.alice_h,
                       {"prefixes": ["10.1.1.0/25"]})  # fmt: skip
    assert removed.json == {"prefixes": ["10.1.0.0/24", "10.1.1.128/25"]}
    shown = net.get(base, net.alice_h).json["subnetpool"]
    assert shown["prefixes"] == ["10.1.0.0/24", "10.1.1.128/25"]
    assert net.call("PUT", f"{base}/add_prefixes", net.bob_h,
                    {"prefixes": ["10.2.0.0/24"]}).status_code == 404  # fmt: skip
