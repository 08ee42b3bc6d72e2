"""Ports' extra DHCP options: set on create, shown on show and list, merged on update (a null
value removes an option), and refused as Neutron's key specs refuse them."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Net, build_net, error, race

OPTS = [
    {"opt_name": "bootfile-name", "opt_value": "pxelinux.0"},
    {"opt_name": "tftp-server", "opt_value": "123.123.123.123"},
    {"opt_name": "server-ip-address", "opt_value": "2015::badd", "ip_version": 6},
]


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def _opts(port: dict[str, Any]) -> set[tuple[str, str, int]]:
    return {(o["opt_name"], o["opt_value"], o["ip_version"]) for o in port["extra_dhcp_opts"]}


def test_create_show_list(net: Net) -> None:
    network = net.network(net.alice_h)
    plain = net.port(net.alice_h, network["id"])
    assert plain["extra_dhcp_opts"] == []
    port = net.port(net.alice_h, network["id"], extra_dhcp_opts=OPTS)
    expected = {("bootfile-name", "pxelinux.0", 4), ("tftp-server", "123.123.123.123", 4),
                ("server-ip-address", "2015::badd", 6)}  # fmt: skip
    assert _opts(port) == expected
    assert _opts(net.get(f"/ports/{port['id']}", net.alice_h).json["port"]) == expected
    listed = {p["id"]: p for p in net.get("/ports", net.alice_h).json["ports"]}
    assert _opts(listed[port["id"]]) == expected
    assert listed[plain["id"]]["extra_dhcp_opts"] == []
    # Options without a value are not kept; `router` may be blank.
    other = net.port(
        net.alice_h,
        network["id"],
        extra_dhcp_opts=[
            {"opt_name": "router", "opt_value": ""},
            {"opt_name": "mtu", "opt_value": None},
        ],
    )
    assert _opts(other) == {("router", "", 4)}
    assert net.call("DELETE", f"/ports/{port['id']}", net.alice_h).status_code == 204


def test_update_merges(net: Net) -> None:
    network = net.network(net.alice_h)
    port = net.port(net.alice_h, network["id"], extra_dhcp_opts=OPTS)

    def update(opts: Any) -> dict[str, Any]:
        result = net.call("PUT", f"/ports/{port['id']}", net.alice_h,
                          {"port": {"name": "n", "extra_dhcp_opts": opts}})  # fmt: skip
        assert result.status_code == 200, result.text
        shown: dict[str, Any] = net.get(f"/ports/{port['id']}", net.alice_h).json["port"]
        assert shown == result.json["port"]
        return shown

    changed = update([{"opt_name": "bootfile-name", "opt_value": "new.0"},
                      {"opt_name": "tftp-server", "opt_value": None},
                      {"opt_name": "ntp-server", "opt_value": "10.0.0.1"}])  # fmt: skip
    assert _opts(changed) == {("bootfile-name", "new.0", 4), ("ntp-server", "10.0.0.1", 4),
                              ("server-ip-address", "2015::badd", 6)}  # fmt: skip
    # An option is named by its IP version too: the v4 one is not the v6 one.
    changed = update([{"opt_name": "server-ip-address", "opt_value": None}])
    assert ("server-ip-address", "2015::badd", 6) in _opts(changed)
    changed = update(None)
    assert len(changed["extra_dhcp_opts"]) == 3


@pytest.mark.parametrize("opts", [
    "nope",
    [{"opt_name": "a"}],
    [{"opt_name": "a", "opt_value": "b", "extra": 1}],
    [{"opt_name": "", "opt_value": "b"}],
    [{"opt_name": "a", "opt_value": "two\nlines"}],
    [{"opt_name": "a", "opt_value": "b", "ip_version": 5}],
    [{"opt_name": "a", "opt_value": "b", "ip_version": "x"}],
    [{"opt_name": "a" * 65, "opt_value": "b"}],
    [{"opt_name": "a", "opt_value": "b"}, {"opt_name": "a", "opt_value": "b"}],
    ["a"],
])  # fmt: skip
def test_refused(net: Net, opts: Any) -> None:
    network = net.network(net.alice_h)
    result = net.call(
        "POST",
        "/ports",
        net.alice_h,
        {"port": {"network_id": network["id"], "extra_dhcp_opts": opts}},
    )
    assert error(result)[0] == 400


def test_same_option_twice_is_a_conflict(net: Net) -> None:
    network = net.network(net.alice_h)
    opts = [{"opt_name": "a", "opt_value": "b"}, {"opt_name": "a", "opt_value": "c"}]
    result = net.call(
        "POST",
        "/ports",
        net.alice_h,
        {"port": {"network_id": network["id"], "extra_dhcp_opts": opts}},
    )
    assert error(result)[0] == 409


def test_concurrent_merges_keep_every_option(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    network = net.network(net.alice_h)
    port = net.port(net.alice_h, network["id"])
    results = race(
        [
            (
                lambda n=n: net.call(
                    "PUT",
                    f"/ports/{port['id']}",
                    net.alice_h,
                    {"port": {"extra_dhcp_opts": [{"opt_name": f"o{n}", "opt_value": "v"}]}},
                )
            )
            for n in range(4)
        ]
    )
    assert [r.status_code for r in results] == [200] * 4, [r.text for r in results]
    shown = net.get(f"/ports/{port['id']}", net.alice_h).json["port"]
    assert sorted(o["opt_name"] for o in shown["extra_dhcp_opts"]) == ["o0", "o1", "o2", "o3"]
