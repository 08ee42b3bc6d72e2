"""Lists as Neutron reads them: exact filters (a key repeated for several values), filter
validation, `fields`, `sort_key`/`sort_dir`, keyset pages with `limit`, `marker` and
`page_reverse` and their links, `changed_since`, and a port's fixed_ips filters."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import pytest

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import attributes
from pocketstack.cloud.network.networks import LISTABLE as NETWORKS
from pocketstack.cloud.network.ports import LISTABLE as PORTS
from pocketstack.cloud.network.subnets import LISTABLE as SUBNETS
from tests.fixtures.cloud import OffsetClock
from tests.unit.cloud.network.helpers import Net, build_net, error


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def _names(net: Net, query: str, path: str = "/networks") -> list[str]:
    result = net.get(path, net.alice_h, query=query)
    assert result.status_code == 200, result.text
    return [item["name"] for item in result.json[path.strip("/")]]


def test_every_sort_key_and_filter_has_a_column() -> None:
    for listable in (NETWORKS, SUBNETS, PORTS):
        for name, attr in listable.attributes.items():
            known = name in listable.columns or name in listable.hooks or name == "tenant_id"
            if attr.sortable or attr.query is not None:
                assert known, (listable.collection, name)
    assert attributes.NETWORK["name"].sortable


def test_filters(net: Net) -> None:
    for name in ("a", "b", "c", ""):
        net.network(net.alice_h, name=name, admin_state_up=name != "c")
    assert _names(net, "name=a") == ["a"]
    assert sorted(_names(net, "name=a&name=c")) == ["a", "c"]
    assert _names(net, "name=") == [""]  # empty-string-filtering
    assert _names(net, "admin_state_up=False") == ["c"]
    assert len(_names(net, f"tenant_id={net.alice.project_id}")) == 4
    assert _names(net, "name=nothing") == []
    unknown = net.get("/networks", net.alice_h, query="colour=red&name=a")
    assert error(unknown) == (
        400,
        "HTTPBadRequest",
        "['colour'] is invalid attribute for filtering",
    )
    not_a_filter = net.get("/networks", net.alice_h, query="subnets=x")
    assert error(not_a_filter)[0] == 400
    bad_bool = net.get("/networks", net.alice_h, query="shared=perhaps")
    assert error(bad_bool)[:2] == (400, "InvalidInput")


def test_fields(net: Net) -> None:
    made = net.network(net.alice_h)
    listed = net.get("/networks", net.alice_h, query="fields=id&fields=name&fields=nope").json
    assert listed == {"networks": [{"id": made["id"], "name": made["name"]}]}


def test_sorting(net: Net) -> None:
    for name in ("b", "a", "c"):
        net.network(net.alice_h, name=name, mtu={"a": 1400, "b": 1400, "c": 1300}[name])
    assert _names(net, "sort_key=name&sort_dir=asc") == ["a", "b", "c"]
    assert _names(net, "sort_key=name&sort_dir=desc") == ["c", "b", "a"]
    assert _names(net, "sort_key=mtu&sort_dir=desc&sort_key=name&sort_dir=asc") == ["a", "b", "c"]
    assert _names(net, "sort_key=mtu&sort_dir=asc&sort_key=name&sort_dir=desc") == ["c", "b", "a"]
    cases = [
        ("sort_key=name", "The number of sort_keys and sort_dirs must be same"),
        ("sort_key=shared&sort_dir=asc", "['shared'] is invalid attribute for sort_keys"),
        (
            "sort_key=name&sort_dir=up",
            "['up'] is invalid value for sort_dirs, valid value is 'asc' and 'desc'",
        ),
    ]
    for query, message in cases:
        assert error(net.get("/networks", net.alice_h, query=query)) == (
            400,
            "HTTPBadRequest",
            message,
        )


def _page(net: Net, query: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    body = net.get("/networks", net.alice_h, query=query).json
    links = {
        link["rel"]: dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link["href"]).query))
        for link in body.get("networks_links", [])
    }
    return [n["name"] for n in body["networks"]], links


def test_keyset_pages_and_links(net: Net) -> None:
    for index in range(5):
        net.network(net.alice_h, name=f"n{index}")
    order = "sort_key=name&sort_dir=asc"
    first, links = _page(net, f"limit=2&{order}")
    assert first == ["n0", "n1"]
    assert links["next"]["limit"] == "2"
    assert links["next"]["sort_key"] == "name"
    second, links = _page(net, urllib.parse.urlencode(links["next"]))
    assert second == ["n2", "n3"]
    third, links = _page(net, urllib.parse.urlencode(links["next"]))
    assert third == ["n4"]
    assert "next" not in links
    back, links = _page(net, urllib.parse.urlencode(links["previous"]))
    assert back == ["n2", "n3"]
    assert links["previous"]["page_reverse"] == "True"
    assert _page(net, "limit=0")[1] == {}  # no paging asked
    assert len(_page(net, "limit=0")[0]) == 5
    missing = net.get("/networks", net.alice_h, query="limit=2&marker=nope")
    assert error(missing) == (404, "NetworkNotFound", "Network nope could not be found.")
    bad = net.get("/networks", net.alice_h, query="limit=-1")
    assert error(bad) == (
        400,
        "BadRequest",
        "Bad limit request: Limit must be an integer 0 or greater and not '-1'.",
    )


def test_default_order_is_by_id_and_the_subnet_marker_may_be_unknown(net: Net) -> None:
    n = net.network(net.alice_h)
    made = [net.subnet(net.alice_h, n["id"], f"10.0.{i}.0/24") for i in range(3)]
    ids = [s["id"] for s in net.get("/subnets", net.alice_h).json["subnets"]]
    assert ids == sorted(s["id"] for s in made)
    restart = net.get("/subnets", net.alice_h, query="limit=1&marker=unknown").json["subnets"]
    assert [s["id"] for s in restart] == ids[:1]


def test_changed_since(net: Net, clock: OffsetClock) -> None:
    old = net.network(net.alice_h, name="old")
    clock.advance(120)
    net.network(net.alice_h, name="new")
    created = dt.datetime.fromisoformat(old["updated_at"].replace("Z", "+00:00"))
    between = (created + dt.timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert sorted(_names(net, f"changed_since={old['updated_at']}")) == ["new", "old"]
    assert _names(net, f"changed_since={between}") == ["new"]
    for wrong in ("yesterday", "0001-01-01T00:00:00+05:00"):
        bad = net.get(
            "/networks", net.alice_h, query=urllib.parse.urlencode({"changed_since": wrong})
        )
        assert error(bad)[:2] == (400, "InvalidInput")


def test_port_filters(net: Net) -> None:
    n = net.network(net.alice_h)
    one = net.subnet(net.alice_h, n["id"], "10.0.0.0/24")
    two = net.subnet(net.alice_h, n["id"], "10.0.1.0/24")
    a = net.port(net.alice_h, n["id"], name="a", fixed_ips=[{"ip_address": "10.0.0.15"}])
    b = net.port(
        net.alice_h,
        n["id"],
        name="b",
        fixed_ips=[{"ip_address": "10.0.1.25"}],
        device_id="vm-1",
        device_owner="compute:nova",
    )
    assert _names(net, "fixed_ips=ip_address=10.0.0.15", "/ports") == ["a"]
    assert _names(net, f"fixed_ips=subnet_id={two['id']}", "/ports") == ["b"]
    assert sorted(_names(net, "fixed_ips=ip_address_substr=10.0.", "/ports")) == ["a", "b"]
    assert _names(net, "fixed_ips=ip_address_substr=1.2", "/ports") == ["b"]
    both = f"fixed_ips=subnet_id={one['id']}&fixed_ips=ip_address=10.0.1.25"
    assert _names(net, both, "/ports") == []  # each kind a condition of its own
    assert _names(net, "device_id=vm-1", "/ports") == [b["name"]]
    assert _names(net, f"network_id={n['id']}&device_owner=compute:nova", "/ports") == ["b"]
    assert _names(net, f"mac_address={a['mac_address']}", "/ports") == ["a"]
    malformed = net.get("/ports", net.alice_h, query="fixed_ips=10.0.0.15")
    assert error(malformed)[:2] == (400, "InvalidInput")
