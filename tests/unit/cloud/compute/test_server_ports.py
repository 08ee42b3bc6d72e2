"""Servers get real ports from the network service: booted on the networks or ports asked for
(or the shared `private` network for `auto`), their addresses those of their ports, and their
ports released when they go."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.compute import driver
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from pocketstack.cloud.network.app import create_app as network_app
from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault

Headers = dict[str, str]


@dataclasses.dataclass
class Both:
    compute: Compute
    net: testing.TestClient

    def neutron(self, method: str, path: str, headers: Headers, body: Any = None) -> Any:
        result = self.net.simulate_request(method, f"/v2.0{path}", headers=headers, json=body)
        assert result.status_code < 300, result.text
        return result.json

    def network(self, headers: Headers, cidr: str = "192.168.10.0/24", **attrs: Any) -> str:
        net = self.neutron("POST", "/networks", headers, {"network": {"name": "n", **attrs}})
        net_id: str = net["network"]["id"]
        version = 6 if ":" in cidr else 4
        body = {"subnet": {"network_id": net_id, "cidr": cidr, "ip_version": version}}
        self.neutron("POST", "/subnets", headers, body)
        return net_id

    def ports_of(self, server_id: str, headers: Headers) -> list[dict[str, Any]]:
        result = self.net.simulate_get("/v2.0/ports", headers=headers,
                                       query_string=f"device_id={server_id}")  # fmt: skip
        ports: list[dict[str, Any]] = result.json["ports"]
        return ports

    def create(self, headers: Headers, version: str = "2.52", **server: Any) -> Any:
        body = {"server": {"name": "vm", "imageRef": CIRROS_ID, "flavorRef": "1", **server}}
        return self.compute.call("POST", "/v2.1/servers", headers=headers, version=version,
                                 body=body)  # fmt: skip

    def boot(self, headers: Headers, version: str = "2.52", **server: Any) -> str:
        result = self.create(headers, version, **server)
        assert result.status_code == 202, result.text
        return str(result.json["server"]["id"])

    def show(self, server_id: str, headers: Headers) -> dict[str, Any]:
        shown = self.compute.get(f"/v2.1/servers/{server_id}", headers=headers)
        assert shown.status_code == 200, shown.text
        server: dict[str, Any] = shown.json["server"]
        return server

    def delete(self, server_id: str, headers: Headers) -> None:
        result = self.compute.call("DELETE", f"/v2.1/servers/{server_id}", headers=headers)
        assert result.status_code == 204, result.text


@pytest.fixture
def both(cloud_deps: CloudDeps) -> Both:
    return Both(build_compute(cloud_deps), testing.TestClient(network_app(cloud_deps)))


def _addresses(server: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(net, a["addr"], a["OS-EXT-IPS-MAC:mac_addr"])
            for net, addrs in server["addresses"].items() for a in addrs]  # fmt: skip


def test_auto_gets_a_port_on_the_shared_private_network(both: Both) -> None:
    h = both.compute.alice_h
    server_id = both.boot(h, networks="auto")
    (port,) = both.ports_of(server_id, h)
    assert port["network_id"] == driver.NETWORK_ID
    assert port["device_owner"] == "compute:nova"
    assert port["project_id"] == both.compute.alice.project_id
    assert port["status"] == "ACTIVE"
    shown = both.show(server_id, h)
    expected = [(driver.NETWORK_NAME, f["ip_address"], port["mac_address"])
                for f in port["fixed_ips"]]  # fmt: skip
    assert _addresses(shown) == expected
    assert [f["ip_address"] for f in port["fixed_ips"]] == ["10.0.128.1", "fd00:10:0:0:1::"]
    ips = both.compute.get(f"/v2.1/servers/{server_id}/ips", headers=h).json["addresses"]
    assert ips == {driver.NETWORK_NAME: [{"version": 4, "addr": "10.0.128.1"},
                                         {"version": 6, "addr": "fd00:10:0:0:1::"}]}  # fmt: skip
    # Before 2.37 a create without networks is `auto`.
    second = both.boot(h, version="2.36")
    (other,) = both.ports_of(second, h)
    assert other["fixed_ips"][0]["ip_address"] == "10.0.128.2"
    listed = both.compute.get("/v2.1/servers/detail", headers=h, query="ip=10.0.128.2").json
    assert [s["id"] for s in listed["servers"]] == [second]


def test_the_servers_security_groups_are_its_ports(both: Both) -> None:
    h = both.compute.alice_h
    made = both.neutron("POST", "/security-groups", h, {"security_group": {"name": "web"}})
    web = made["security_group"]["id"]
    server_id = both.boot(h, networks="auto", security_groups=[{"name": "web"}])
    (port,) = both.ports_of(server_id, h)
    assert port["security_groups"] == [web]
    plain = both.boot(h, networks="auto")
    (port,) = both.ports_of(plain, h)
    groups = both.neutron("GET", "/security-groups?name=default", h)["security_groups"]
    assert port["security_groups"] == [groups[0]["id"]]
    missing = both.create(h, networks="auto", security_groups=[{"name": "nope"}])
    assert missing.status_code == 400


def test_networks_of_the_project_in_order_and_twice(both: Both) -> None:
    h = both.compute.alice_h
    first = both.network(h, "192.168.1.0/24")
    second = both.network(h, "192.168.2.0/24")
    networks = [{"uuid": second}, {"uuid": first}, {"uuid": second}]
    server_id = both.boot(h, networks=networks)
    ports = both.ports_of(server_id, h)
    assert sorted(p["network_id"] for p in ports) == sorted([first, second, second])
    addrs = [a for _, a, _ in _addresses(both.show(server_id, h))]
    # Grouped by network name (both "n"), in the order asked for.
    assert addrs == ["192.168.2.2", "192.168.1.2", "192.168.2.3"]
    # The project now sees three usable networks: `auto` is ambiguous.
    result = both.create(h, networks="auto")
    assert (result.status_code, fault(result)[1]) == (
        409, "Multiple possible networks found, use a Network ID to be more specific.")  # fmt: skip


def test_a_fixed_ip(both: Both) -> None:
    h = both.compute.alice_h
    net = both.network(h, "192.168.5.0/24")
    server_id = both.boot(h, networks=[{"uuid": net, "fixed_ip": "192.168.5.77"}])
    (port,) = both.ports_of(server_id, h)
    assert [f["ip_address"] for f in port["fixed_ips"]] == ["192.168.5.77"]
    again = both.create(h, networks=[{"uuid": net, "fixed_ip": "192.168.5.77"}])
    assert again.status_code == 400
    assert fault(again)[1] == (
        f"Fixed IP address 192.168.5.77 is already in use on instance {server_id}.")  # fmt: skip
    outside = both.create(h, networks=[{"uuid": net, "fixed_ip": "10.9.9.9"}])
    assert outside.status_code == 400
    many = both.create(h, networks=[{"uuid": net, "fixed_ip": "192.168.5.78"}], max_count=2)
    assert (many.status_code, fault(many)[1]) == (400, "Failed to launch instances: max_count"
                                                  " cannot be greater than 1 if an fixed_ip is"
                                                  " specified.")  # fmt: skip
    # No port was left behind by the refused creates.
    ports = both.neutron("GET", f"/ports?network_id={net}", h)["ports"]
    assert [p["id"] for p in ports] == [port["id"]]


def test_networks_not_found(both: Both) -> None:
    a, b = both.compute.alice_h, both.compute.bob_h
    bobs = both.network(b, "192.168.7.0/24")
    for wanted in (bobs, "7d8f1c2e-0000-4000-8000-000000000001"):
        result = both.create(a, networks=[{"uuid": wanted}])
        assert result.status_code == 400
        assert fault(result)[1] == f"Network {wanted} could not be found."
    empty = both.neutron("POST", "/networks", a, {"network": {"name": "bare"}})["network"]["id"]
    result = both.create(a, networks=[{"uuid": empty}])
    assert fault(result)[1] == f"Network {empty} requires a subnet in order to boot instances on."


def test_a_users_port_is_bound_then_unbound(both: Both) -> None:
    h = both.compute.alice_h
    net = both.network(h, "192.168.3.0/24")
    port = both.neutron("POST", "/ports", h, {"port": {"network_id": net}})["port"]
    server_id = both.boot(h, networks=[{"port": port["id"]}])
    (bound,) = both.ports_of(server_id, h)
    assert bound["id"] == port["id"]
    assert bound["device_owner"] == "compute:nova"
    shown = both.show(server_id, h)
    assert _addresses(shown) == [("n", port["fixed_ips"][0]["ip_address"], port["mac_address"])]
    in_use = both.create(h, networks=[{"port": port["id"]}])
    assert (in_use.status_code, fault(in_use)[1]) == (409, f"Port {port['id']} is still in use.")
    both.delete(server_id, h)
    kept = both.neutron("GET", f"/ports/{port['id']}", h)["port"]
    assert (kept["device_id"], kept["device_owner"], kept["status"]) == ("", "", "DOWN")
    assert kept["fixed_ips"] == port["fixed_ips"]


def test_ports_not_found(both: Both) -> None:
    a, b = both.compute.alice_h, both.compute.bob_h
    bobs_net = both.network(b, "192.168.8.0/24")
    bobs = both.neutron("POST", "/ports", b, {"port": {"network_id": bobs_net}})["port"]["id"]
    for wanted in (bobs, "7d8f1c2e-0000-4000-8000-000000000002"):
        result = both.create(a, networks=[{"port": wanted}])
        assert (result.status_code, fault(result)[1]) == (
            400, f"Port id {wanted} could not be found.")  # fmt: skip


def test_delete_releases_the_ports_made(both: Both) -> None:
    h = both.compute.alice_h
    net = both.network(h, "192.168.4.0/24")
    server_id = both.boot(h, networks=[{"uuid": net}, {"uuid": driver.NETWORK_ID}])
    assert len(both.ports_of(server_id, h)) == 2
    both.delete(server_id, h)
    assert both.ports_of(server_id, h) == []
    # The address is free again.
    again = both.boot(h, networks=[{"uuid": net}])
    assert [f["ip_address"] for p in both.ports_of(again, h) for f in p["fixed_ips"]] == [
        "192.168.4.2"]  # fmt: skip


def test_none_has_no_port(both: Both) -> None:
    h = both.compute.alice_h
    result = both.create(h, version="2.37", networks="none")
    assert result.status_code == 202, result.text
    server_id = result.json["server"]["id"]
    assert both.ports_of(server_id, h) == []
    assert both.show(server_id, h)["addresses"] == {}
    both.delete(server_id, h)


def test_networks_required_from_2_37(both: Both) -> None:
    result = both.create(both.compute.alice_h, version="2.37")
    assert result.status_code == 400


def test_a_seeded_server_without_ports_deletes(both: Both) -> None:
    c = both.compute
    server_id = c.make(project=c.alice.project_id, user=c.alice.id)
    assert both.show(server_id, c.alice_h)["addresses"][driver.NETWORK_NAME]
    both.delete(server_id, c.alice_h)
    assert c.get(f"/v2.1/servers/{server_id}", headers=c.alice_h).status_code == 404


@pytest.fixture
def soft_any_db(db_url: str, tmp_path: Path, clock: OffsetClock) -> Iterator[Both]:
    """Deletes deferred by an hour, on SQLite, PostgreSQL and MariaDB."""
    deps = make_deps(data_dir=tmp_path, db_url=db_url, clock=clock,
                     settings={"reclaim_instance_interval": 3600,
                               "token_expiration": 4 * 3600})  # fmt: skip
    yield Both(build_compute(deps), testing.TestClient(network_app(deps)))
    deps.store.dispose()


def test_reclaim_releases_the_ports(soft_any_db: Both, clock: OffsetClock) -> None:
    both = soft_any_db
    h = both.compute.alice_h
    net = both.network(h, "192.168.9.0/24")
    port = both.neutron("POST", "/ports", h, {"port": {"network_id": net}})["port"]
    server_id = both.boot(h, networks=[{"port": port["id"]}, {"uuid": net}])
    assert len(both.ports_of(server_id, h)) == 2
    both.delete(server_id, h)
    # Soft-deleted: restorable, its ports kept.
    assert len(both.ports_of(server_id, h)) == 2
    clock.advance(3601)
    both.compute.get("/v2.1/servers", headers=h)
    assert both.ports_of(server_id, h) == []
    kept = both.neutron("GET", f"/ports/{port['id']}", h)["port"]
    assert kept["device_id"] == ""


def test_concurrent_boots_get_distinct_addresses(soft_any_db: Both) -> None:
    both = soft_any_db
    c = both.compute
    callers = [c.alice_h, c.bob_h] * 3
    barrier = threading.Barrier(len(callers))

    def boot(headers: Headers) -> Any:
        barrier.wait()
        return both.create(headers, networks="auto")

    with ThreadPoolExecutor(max_workers=len(callers)) as pool:
        results = list(pool.map(boot, callers))
    assert [r.status_code for r in results] == [202] * len(callers), [r.text for r in results]
    ips = both.neutron("GET", "/ports", c.admin)["ports"]
    v4 = [f["ip_address"] for p in ips for f in p["fixed_ips"] if ":" not in f["ip_address"]]
    assert sorted(v4) == [f"10.0.128.{n}" for n in range(1, 1 + len(callers))]
    for headers in (c.alice_h, c.bob_h):
        groups = both.neutron("GET", "/security-groups?name=default", headers)["security_groups"]
        assert len(groups) == 1


def test_a_server_takes_no_other_projects_port_even_for_an_admin(both: Both) -> None:
    alices = both.neutron("POST", "/ports", both.compute.alice_h,
                          {"port": {"network_id": driver.NETWORK_ID}})["port"]  # fmt: skip
    result = both.create(both.compute.admin, networks=[{"port": alices["id"]}])
    assert (result.status_code, fault(result)[1]) == (
        400, f"Port {alices['id']} not usable for instance.")  # fmt: skip
    kept = both.neutron("GET", f"/ports/{alices['id']}", both.compute.alice_h)["port"]
    assert kept["device_id"] == ""


def test_the_ports_binding_follows_the_server_as_it_moves(both: Both) -> None:
    c = both.compute
    server_id = both.boot(c.alice_h, networks="auto")

    def bound() -> tuple[str, str]:
        (port,) = both.ports_of(server_id, c.admin)
        return port["binding:host_id"], port["device_owner"]

    def host() -> str:
        shown = c.get(f"/v2.1/servers/{server_id}", headers=c.admin).json["server"]
        return str(shown["OS-EXT-SRV-ATTR:host"])

    def act(body: dict[str, Any], version: str = "2.56") -> None:
        done = c.call("POST", f"/v2.1/servers/{server_id}/action", headers=c.admin,
                      version=version, body=body)  # fmt: skip
        assert done.status_code == 202, done.text

    first = host()
    assert bound() == (first, "compute:nova")
    act({"migrate": None})
    assert host() != first
    assert bound() == (host(), "compute:nova")
    act({"revertResize": None})
    assert bound() == (first, "compute:nova")
    # Shelved, the server is offloaded at once (shelved_offload_time 0, as devstack).
    act({"shelve": None})
    assert bound() == ("", "compute:nova")
    act({"unshelve": None}, version="2.77")
    assert bound() == (host(), "compute:nova")
