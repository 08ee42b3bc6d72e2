"""The lowest free address, found from each subnet's hint: across pools in their order, past
addresses asked for by name, again after a release, from the new pools after an update, and
under ports created and deleted at once on every database (no address given twice, none lost)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from falcon import testing
from sqlalchemy import delete, func, select

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.network_port import IPAllocation
from tests.unit.cloud.network.helpers import Net, build_net, race


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def _address(port: dict[str, object]) -> str:
    fixed = port["fixed_ips"]
    assert isinstance(fixed, list)
    address: str = fixed[0]["ip_address"]
    return address


def test_the_search_goes_through_the_pools_in_their_order(net: Net) -> None:
    n = net.network(net.alice_h)
    pools = [
        {"start": "10.0.0.200", "end": "10.0.0.201"},
        {"start": "10.0.0.10", "end": "10.0.0.10"},
    ]
    net.subnet(net.alice_h, n["id"], "10.0.0.0/24", allocation_pools=pools)
    got = [_address(net.port(net.alice_h, n["id"])) for _ in range(3)]
    assert got == ["10.0.0.200", "10.0.0.201", "10.0.0.10"]
    full = net.call("POST", "/ports", net.alice_h, {"port": {"network_id": n["id"]}})
    assert full.status_code == 409


def test_addresses_asked_for_are_stepped_over(net: Net) -> None:
    n = net.network(net.alice_h)
    s = net.subnet(net.alice_h, n["id"], "10.0.0.0/24")
    net.port(net.alice_h, n["id"])  # .2
    for named in ("10.0.0.3", "10.0.0.4", "10.0.0.40"):
        net.port(net.alice_h, n["id"], fixed_ips=[{"subnet_id": s["id"], "ip_address": named}])
    # The search window (32 addresses) ends before .40: the one after it is found all the same.
    got = [_address(net.port(net.alice_h, n["id"])) for _ in range(36)]
    assert got[0] == "10.0.0.5"
    assert "10.0.0.40" not in got
    assert got[-1] == "10.0.0.41"


def test_a_released_address_below_the_next_one_is_given_first(net: Net) -> None:
    n = net.network(net.alice_h)
    net.subnet(net.alice_h, n["id"], "10.0.0.0/24")
    ports = [net.port(net.alice_h, n["id"]) for _ in range(6)]  # .2 to .7
    for port in (ports[4], ports[1]):
        assert net.call("DELETE", f"/ports/{port['id']}", net.alice_h).status_code == 204
    got = [_address(net.port(net.alice_h, n["id"])) for _ in range(3)]
    assert got == ["10.0.0.3", "10.0.0.6", "10.0.0.8"]


def test_new_pools_are_searched_from_their_start(net: Net) -> None:
    n = net.network(net.alice_h)
    s = net.subnet(net.alice_h, n["id"], "10.0.0.0/24",
                   allocation_pools=[{"start": "10.0.0.100", "end": "10.0.0.150"}])  # fmt: skip
    assert _address(net.port(net.alice_h, n["id"])) == "10.0.0.100"
    assert _address(net.port(net.alice_h, n["id"])) == "10.0.0.101"
    body = {"subnet": {"allocation_pools": [{"start": "10.0.0.50", "end": "10.0.0.150"}]}}
    assert net.call("PUT", f"/subnets/{s['id']}", net.alice_h, body).status_code == 200
    assert _address(net.port(net.alice_h, n["id"])) == "10.0.0.50"


def test_ports_created_and_deleted_at_once(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    n = net.network(net.alice_h)
    net.subnet(net.alice_h, n["id"], "10.0.0.0/28")  # .2 to .14: 13 addresses
    ports = [net.port(net.alice_h, n["id"]) for _ in range(10)]
    calls: list[Callable[[], testing.Result]] = []
    for port in ports[::2]:
        calls.append(lambda pid=port["id"]: net.call("DELETE", f"/ports/{pid}", net.alice_h))
    for _ in range(8):
        calls.append(lambda: net.call("POST", "/ports", net.alice_h,
                                      {"port": {"network_id": n["id"]}}))  # fmt: skip
    results = race(calls)
    assert [r.status_code for r in results[:5]] == [204] * 5
    made = [r for r in results[5:] if r.status_code == 201]
    # 3 addresses were free before, 5 were freed: every create that found one got it.
    assert all(r.status_code in (201, 409) for r in results[5:])
    assert len(made) >= 3
    listed = net.get("/ports", net.alice_h).json["ports"]
    addresses = [_address(p) for p in listed]
    assert len(addresses) == len(set(addresses)) == 5 + len(made)
    with cloud_deps_any_db.store.session() as session:
        assert session.scalar(select(func.count()).select_from(IPAllocation)) == len(addresses)
    # Whatever the order of that race, the lowest free address is the next one given.
    taken = {int(a.rsplit(".", 1)[1]) for a in addresses}
    free = [i for i in range(2, 15) if i not in taken]
    if free:
        assert _address(net.port(net.alice_h, n["id"])) == f"10.0.0.{free[0]}"


def test_an_address_a_port_update_lets_go_is_given_again(net: Net) -> None:
    n = net.network(net.alice_h)
    net.subnet(net.alice_h, n["id"], "10.0.0.0/29")  # .2 to .6
    ports = [net.port(net.alice_h, n["id"]) for _ in range(5)]
    emptied = net.call("PUT", f"/ports/{ports[1]['id']}", net.alice_h,
                       {"port": {"fixed_ips": []}})  # fmt: skip
    assert emptied.status_code == 200, emptied.text
    assert _address(net.port(net.alice_h, n["id"])) == "10.0.0.3"


def test_a_subnet_is_never_full_while_an_address_is_free(net: Net) -> None:
    n = net.network(net.alice_h)
    s = net.subnet(net.alice_h, n["id"], "10.0.0.0/29")
    [net.port(net.alice_h, n["id"]) for _ in range(5)]
    # An address freed behind the search's back (as a row removed by hand would be).
    with net.deps.store.session(write=True) as session:
        row = (IPAllocation.subnet_id == s["id"]) & (IPAllocation.ip_address == "10.0.0.4")
        session.execute(delete(IPAllocation).where(row))
    assert _address(net.port(net.alice_h, n["id"])) == "10.0.0.4"
