"""Routers and floating IPs under concurrency, on SQLite (a file), PostgreSQL and MariaDB:
floating IPs created together never share an address, one subnet attached to one router twice
at once is attached once, and one fixed address is given one floating IP."""

from __future__ import annotations

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import build_net, error, race
from tests.unit.cloud.network.l3_helpers import PUBLIC_NETWORK_ID, interface, private, router
from tests.unit.cloud.network.test_ip_races import WORKERS


def test_concurrent_floating_ips_never_share_an_address(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db, public=True)
    body = {"floatingip": {"floating_network_id": PUBLIC_NETWORK_ID}}
    results = race([lambda: net.call("POST", "/floatingips", net.alice_h, body)
                     for _ in range(WORKERS)])  # fmt: skip
    assert [r.status_code for r in results] == [201] * WORKERS
    addresses = sorted(r.json["floatingip"]["floating_ip_address"] for r in results)
    assert addresses == sorted(f"172.24.4.{i}" for i in range(2, 2 + WORKERS))


def test_one_subnet_added_twice_at_once_is_attached_once(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db, public=True)
    made = router(net, net.alice_h, gateway=False)
    _, subnet_id = private(net, net.alice_h)
    results = race([lambda: interface(net, net.alice_h, made["id"], subnet_id=subnet_id)
                     for _ in range(2)])  # fmt: skip
    assert sorted(r.status_code for r in results) == [200, 400]
    refused = next(r for r in results if r.status_code == 400)
    assert error(refused)[1] == "BadRequest"
    ports = net.get("/ports", net.alice_h, query=f"device_id={made['id']}").json["ports"]
    assert len(ports) == 1


def test_one_fixed_address_gets_one_floating_ip(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db, public=True)
    made = router(net, net.alice_h)
    network_id, subnet_id = private(net, net.alice_h)
    assert interface(net, net.alice_h, made["id"], subnet_id=subnet_id).status_code == 200
    port = net.port(net.alice_h, network_id)
    body = {"floatingip": {"floating_network_id": PUBLIC_NETWORK_ID, "port_id": port["id"]}}
    results = race([lambda: net.call("POST", "/floatingips", net.alice_h, body)
                     for _ in range(4)])  # fmt: skip
    assert sorted(r.status_code for r in results) == [201, 409, 409, 409]
    listed = net.get("/floatingips", net.alice_h).json["floatingips"]
    assert [f["port_id"] for f in listed] == [port["id"]]
