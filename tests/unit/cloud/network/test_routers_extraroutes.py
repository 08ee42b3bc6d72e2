"""add_extraroutes and remove_extraroutes: a router's routes changed in one step, checked as an
update of `routes` is, and never lost to another call at the same time."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Net, build_net, error, race
from tests.unit.cloud.network.l3_helpers import interface, private, router


def _setup(net: Net) -> str:
    _, subnet = private(net, net.alice_h)
    made = router(net, net.alice_h, gateway=False)
    assert interface(net, net.alice_h, made["id"], subnet_id=subnet).status_code == 200
    return str(made["id"])


def _call(net: Net, router_id: str, action: str, routes: Any, headers: Any = None) -> Any:
    return net.call("PUT", f"/routers/{router_id}/{action}_extraroutes", headers or net.alice_h,
                    {"router": {"routes": routes}})  # fmt: skip


def _route(n: int) -> dict[str, str]:
    return {"destination": f"192.168.{n}.0/24", "nexthop": "10.1.0.5"}


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def test_add_and_remove(net: Net) -> None:
    router_id = _setup(net)
    added = _call(net, router_id, "add", [_route(1), _route(2), _route(1)])
    assert added.status_code == 200, added.text
    assert added.json["router"]["routes"] == [_route(1), _route(2)]
    revision = added.json["router"]["revision_number"]
    again = _call(net, router_id, "add", [_route(2), _route(3)]).json["router"]
    assert again["routes"] == [_route(1), _route(2), _route(3)]
    assert again["revision_number"] == revision + 1
    removed = _call(net, router_id, "remove", [_route(1), _route(9)]).json["router"]
    assert removed["routes"] == [_route(2), _route(3)]
    shown = net.get(f"/routers/{router_id}", net.alice_h).json["router"]
    assert shown["routes"] == [_route(2), _route(3)]


def test_refusals(net: Net) -> None:
    router_id = _setup(net)
    far = {"destination": "192.168.5.0/24", "nexthop": "10.99.0.1"}
    assert error(_call(net, router_id, "add", [far]))[:2] == (400, "InvalidRoutes")
    bad = [{"destination": "x", "nexthop": "10.1.0.5"}]
    assert error(_call(net, router_id, "add", bad))[0] == 400
    assert error(_call(net, router_id, "add", "nope"))[0] == 400
    assert error(net.call("PUT", f"/routers/{router_id}/add_extraroutes", net.alice_h,
                          {"router": {}}))[0] == 400  # fmt: skip
    assert error(net.call("PUT", f"/routers/{router_id}/add_extraroutes", net.alice_h,
                          {"routes": []}))[0] == 400  # fmt: skip
    too_many = [_route(n) for n in range(31)]
    assert error(_call(net, router_id, "add", too_many))[:2] == (400, "RoutesExhausted")
    assert error(_call(net, router_id, "add", [_route(1)], net.bob_h))[0] == 404
    assert error(_call(net, router_id, "add", [_route(1)], net.reader_h))[0] == 403
    assert net.get(f"/routers/{router_id}", net.alice_h).json["router"]["routes"] == []


def test_concurrent_adds_lose_nothing(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    router_id = _setup(net)
    results = race([(lambda n=n: _call(net, router_id, "add", [_route(n)])) for n in range(6)])
    assert [r.status_code for r in results] == [200] * 6, [r.text for r in results]
    held = net.get(f"/routers/{router_id}", net.alice_h).json["router"]["routes"]
    assert sorted(r["destination"] for r in held) == sorted(_route(n)["destination"]
                                                            for n in range(6))  # fmt: skip
    results = race([(lambda n=n: _call(net, router_id, "remove", [_route(n)])) for n in range(6)])
    assert [r.status_code for r in results] == [200] * 6
    assert net.get(f"/routers/{router_id}", net.alice_h).json["router"]["routes"] == []
