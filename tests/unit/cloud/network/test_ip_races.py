"""Addresses under concurrency, on SQLite (a file), PostgreSQL and MariaDB: port creates started
together on one small subnet never share an address and stop at its size, one address asked for
twice at once is given once, two overlapping subnets created at once are not both made, and a
network deleted while ports are created on it either keeps them (409) or refuses them (404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from falcon import testing
from sqlalchemy import func, select

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.network_port import IPAllocation, Port
from tests.unit.cloud.network.helpers import Net, build_net, race

WORKERS = 8




def _post(net: Net, path: str, body: Any) -> Callable[[], testing.Result]:
    return lambda: net.call("POST", path, net.alice_h, body)


def test_concurrent_port_creates_never_share_an_address(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    network = net.network(net.alice_h)
    net.subnet(net.alice_h, network["id"], "10.0.0.0/29")  # five addresses: .2 to .6
    body = {"port": {"network_id": network["id"]}}
    results = race([_post(net, "/ports", body) for _ in range(WORKERS)])
    made = [r.json["port"] for r in results if r.status_code == 201]
    refused = [r.json["NeutronError"]["type"] for r in results if r.status_code != 201]
    assert len(made) == 5
    assert refused == ["IpAddressGenerationFailure"] * (WORKERS - 5)
    addresses = [p["fixed_ips"][0]["ip_address"] for p in made]
    assert sorted(addresses) == [f"10.0.0.{i}" for i in range(2, 7)]
    assert len({p["mac_address"] for p in made}) == 5
    with cloud_deps_any_db.store.session() as session:
        assert session.scalar(select(func.count()).select_from(IPAllocation)) == 5


def test_one_address_asked_for_twice_at_once_is_given_once(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    network = net.network(net.alice_h)
    net.subnet(net.alice_h, network["id"], "10.0.0.0/24")
    body = {"port": {"network_id": network["id"], "fixed_ips": [{"ip_address": "10.0.0.9"}]}}
    results = race([_post(net, "/ports", body) for _ in range(4)])
    assert sorted(r.status_code for r in results) == [201, 409, 409, 409]
    assert {r.json["NeutronError"]["type"] for r in results if r.status_code == 409} == {
        "IpAddressAlreadyAllocated"
    }


def test_overlapping_subnets_created_at_once(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    network = net.network(net.alice_h)
    bodies = [
        {"subnet": {"network_id": network["id"], "ip_version": 4, "cidr": f"10.0.0.{i}/24"}}
        for i in range(4)
    ]
    results = race([_post(net, "/subnets", body) for body in bodies])
    assert sorted(r.status_code for r in results) == [201, 400, 400, 400]
    shown = net.get(f"/networks/{network['id']}", net.alice_h).json["network"]
    assert len(shown["subnets"]) == 1


def test_a_network_deleted_while_ports_are_created(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    network = net.network(net.alice_h)
    net.subnet(net.alice_h, network["id"], "10.0.0.0/24")
    body = {"port": {"network_id": network["id"]}}
    calls = [_post(net, "/ports", body) for _ in range(WORKERS - 1)]
    calls.append(lambda: net.call("DELETE", f"/networks/{network['id']}", net.alice_h))
    results = race(calls)
    created = [r for r in results[:-1] if r.status_code == 201]
    deleted = results[-1].status_code
    assert {r.status_code for r in results[:-1]} <= {201, 404}
    with cloud_deps_any_db.store.session() as session:
        ports = session.scalar(select(func.count()).select_from(Port))
    if deleted == 204:
        assert ports == 0
    else:
        assert deleted == 409
        assert created
        assert ports == len(created)


def test_a_subnet_deleted_while_ports_take_addresses_on_it(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    network = net.network(net.alice_h)
    subnet = net.subnet(net.alice_h, network["id"], "10.0.0.0/24")
    body = {"port": {"network_id": network["id"]}}
    calls = [_post(net, "/ports", body) for _ in range(WORKERS - 1)]
    calls.append(lambda: net.call("DELETE", f"/subnets/{subnet['id']}", net.alice_h))
    results = race(calls)
    ports = [r.json["port"] for r in results[:-1]]
    addressed = [p for p in ports if p["fixed_ips"]]
    if results[-1].status_code == 204:
        # The delete went first: the ports after it have no address, none has one there.
        assert addressed == []
    else:
        assert results[-1].status_code == 409
        assert addressed
    with cloud_deps_any_db.store.session() as session:
        held = session.scalar(select(func.count()).select_from(IPAllocation))
    assert held == len(addressed)
