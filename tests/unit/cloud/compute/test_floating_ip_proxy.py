"""Nova's floating IP proxy (/os-floating-ips, /os-floating-ip-pools, up to 2.35) and the
addFloatingIp / removeFloatingIp actions (up to 2.43), on the network service's floating IPs:
what Nova shows of them and of the server's addresses."""

from __future__ import annotations

from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network.app import create_app as network_app
from tests.fixtures.cloud import create_user, issue_token
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault

Headers = dict[str, str]


@pytest.fixture
def compute(cloud_deps: CloudDeps) -> Compute:
    return build_compute(cloud_deps)


def _net(c: Compute) -> testing.TestClient:
    return testing.TestClient(network_app(c.deps))


def _routed(c: Compute) -> None:
    """devstack's router1: `public` its gateway, an interface on the private subnet."""
    net = _net(c)
    public = net.simulate_get("/v2.0/networks", headers=c.admin, query_string="name=public")
    subnets = net.simulate_get("/v2.0/subnets", headers=c.admin,
                               query_string="name=private-subnet")  # fmt: skip
    made = net.simulate_post("/v2.0/routers", headers=c.admin, json={"router": {
        "name": "router1",
        "external_gateway_info": {"network_id": public.json["networks"][0]["id"]}}})  # fmt: skip
    assert made.status_code == 201, made.text
    added = net.simulate_put(f"/v2.0/routers/{made.json['router']['id']}/add_router_interface",
                             headers=c.admin,
                             json={"subnet_id": subnets.json["subnets"][0]["id"]})  # fmt: skip
    assert added.status_code == 200, added.text


def _allocate(c: Compute, h: Headers, body: Any = None, version: str = "2.35") -> testing.Result:
    return c.call("POST", "/v2.1/os-floating-ips", headers=h, version=version, body=body)


def _fip(c: Compute, h: Headers) -> dict[str, Any]:
    made = _allocate(c, h, {"pool": "public"})
    assert made.status_code == 200, made.text
    fip: dict[str, Any] = made.json["floating_ip"]
    return fip


def _action(c: Compute, server_id: str, h: Headers, name: str, body: dict[str, Any],
            version: str = "2.43") -> testing.Result:  # fmt: skip
    return c.call("POST", f"/v2.1/servers/{server_id}/action", headers=h, version=version,
                  body={name: body})  # fmt: skip


def _addresses(c: Compute, server_id: str, h: Headers) -> list[tuple[str, str]]:
    shown = c.get(f"/v2.1/servers/{server_id}", headers=h, version="2.43")
    assert shown.status_code == 200, shown.text
    return [(a["addr"], a["OS-EXT-IPS:type"])
            for found in shown.json["server"]["addresses"].values() for a in found]  # fmt: skip


def test_allocate_list_show_release(compute: Compute) -> None:
    h = compute.alice_h
    fip = _fip(compute, h)
    assert fip["pool"] == "public"
    assert fip["ip"].startswith("172.24.4.")
    assert fip["fixed_ip"] is None
    assert fip["instance_id"] is None
    # No body at all: the default pool.
    other = _allocate(compute, h)
    assert other.status_code == 200, other.text
    assert other.json["floating_ip"]["pool"] == "public"
    listed = compute.get("/v2.1/os-floating-ips", headers=h, version="2.35")
    assert sorted(f["id"] for f in listed.json["floating_ips"]) == sorted(
        [fip["id"], other.json["floating_ip"]["id"]])  # fmt: skip
    shown = compute.get(f"/v2.1/os-floating-ips/{fip['id']}", headers=h, version="2.35")
    assert shown.json == {"floating_ip": fip}
    # Another project sees none of them.
    assert compute.get("/v2.1/os-floating-ips", headers=compute.bob_h,
                       version="2.35").json == {"floating_ips": []}  # fmt: skip
    hidden = compute.get(f"/v2.1/os-floating-ips/{fip['id']}", headers=compute.bob_h,
                         version="2.35")  # fmt: skip
    assert hidden.status_code == 404
    assert compute.call("DELETE", f"/v2.1/os-floating-ips/{fip['id']}", headers=compute.bob_h,
                        version="2.35").status_code == 404  # fmt: skip
    gone = compute.call("DELETE", f"/v2.1/os-floating-ips/{fip['id']}", headers=h,
                        version="2.35")  # fmt: skip
    assert gone.status_code == 202
    again = compute.get(f"/v2.1/os-floating-ips/{fip['id']}", headers=h, version="2.35")
    assert fault(again) == ("itemNotFound", f"Floating IP not found for ID {fip['id']}")
    net_side = _net(compute).simulate_get("/v2.0/floatingips", headers=h)
    assert [f["id"] for f in net_side.json["floatingips"]] == [other.json["floating_ip"]["id"]]


def test_unknown_pool_and_ids(compute: Compute) -> None:
    h = compute.alice_h
    missing = _allocate(compute, h, {"pool": "nope"})
    assert fault(missing) == ("itemNotFound", "Floating IP pool not found.")
    assert compute.get("/v2.1/os-floating-ips/not-a-uuid", headers=h,
                       version="2.35").status_code == 404  # fmt: skip


def test_pools(compute: Compute) -> None:
    pools = compute.get("/v2.1/os-floating-ip-pools", headers=compute.alice_h, version="2.35")
    assert pools.json == {"floating_ip_pools": [{"name": "public"}]}


def test_gone_from_2_36(compute: Compute) -> None:
    h = compute.alice_h
    for path in ("/v2.1/os-floating-ips", "/v2.1/os-floating-ip-pools"):
        assert compute.get(path, headers=h, version="2.36").status_code == 404
    assert _allocate(compute, h, {}, version="2.36").status_code == 404


def test_readers_list_but_may_not_allocate_or_associate(compute: Compute) -> None:
    reader = create_user(compute.deps, name="carol", project_name="alpha", roles=("reader",))
    h = {"X-Auth-Token": issue_token(compute.deps, user_id=reader.id,
                                     project_id=reader.project_id)}  # fmt: skip
    fip = _fip(compute, compute.alice_h)
    listed = compute.get("/v2.1/os-floating-ips", headers=h, version="2.35")
    assert [f["id"] for f in listed.json["floating_ips"]] == [fip["id"]]
    assert _allocate(compute, h, {}).status_code == 403
    assert compute.call("DELETE", f"/v2.1/os-floating-ips/{fip['id']}", headers=h,
                        version="2.35").status_code == 403  # fmt: skip
    server_id = compute.boot(compute.alice_h)
    refused = _action(compute, server_id, h, "addFloatingIp", {"address": fip["ip"]})
    assert refused.status_code == 403


def test_associate_and_disassociate(compute: Compute) -> None:
    _routed(compute)
    h = compute.alice_h
    server_id = compute.boot(h)
    fixed = [a for a, kind in _addresses(compute, server_id, h) if kind == "fixed"]
    fip = _fip(compute, h)
    added = _action(compute, server_id, h, "addFloatingIp", {"address": fip["ip"]})
    assert added.status_code == 202, added.text
    assert (fip["ip"], "floating") in _addresses(compute, server_id, h)
    shown = compute.get(f"/v2.1/os-floating-ips/{fip['id']}", headers=h, version="2.35")
    assert shown.json["floating_ip"]["instance_id"] == server_id
    assert shown.json["floating_ip"]["fixed_ip"] == fixed[0]
    # The network service shows the association too.
    net_fip = _net(compute).simulate_get(f"/v2.0/floatingips/{fip['id']}", headers=h)
    assert net_fip.json["floatingip"]["fixed_ip_address"] == fixed[0]
    removed = _action(compute, server_id, h, "removeFloatingIp", {"address": fip["ip"]})
    assert removed.status_code == 202, removed.text
    assert all(kind == "fixed" for _, kind in _addresses(compute, server_id, h))
    again = _action(compute, server_id, h, "removeFloatingIp", {"address": fip["ip"]})
    assert fault(again) == ("conflictingRequest", f"Floating IP {fip['ip']} is not associated"
                            f" with instance {server_id}.")  # fmt: skip


def test_moving_to_another_server_and_releasing(compute: Compute) -> None:
    _routed(compute)
    h = compute.alice_h
    first, second = compute.boot(h, name="a"), compute.boot(h, name="b")
    fip = _fip(compute, h)
    assert _action(compute, first, h, "addFloatingIp", {"address": fip["ip"]}).status_code == 202
    assert _action(compute, second, h, "addFloatingIp",
                   {"address": fip["ip"]}).status_code == 202  # fmt: skip
    assert (fip["ip"], "floating") not in _addresses(compute, first, h)
    assert (fip["ip"], "floating") in _addresses(compute, second, h)
    # Removing it from the server it left: not associated with that one.
    assert _action(compute, first, h, "removeFloatingIp",
                   {"address": fip["ip"]}).status_code == 409  # fmt: skip
    compute.call("DELETE", f"/v2.1/os-floating-ips/{fip['id']}", headers=h, version="2.35")
    assert (fip["ip"], "floating") not in _addresses(compute, second, h)


def test_add_refusals(compute: Compute) -> None:
    h = compute.alice_h
    server_id = compute.boot(h)
    fip = _fip(compute, h)
    wrong = _action(compute, server_id, h, "addFloatingIp",
                    {"address": fip["ip"], "fixed_address": "10.9.9.9"})  # fmt: skip
    assert fault(wrong) == ("badRequest", "Specified fixed address not assigned to instance")
    unknown = _action(compute, server_id, h, "addFloatingIp", {"address": "172.24.4.250"})
    assert unknown.status_code == 404
    # No router to the external network: Neutron's refusal, Nova's 400.
    unrouted = _action(compute, server_id, h, "addFloatingIp", {"address": fip["ip"]})
    assert unrouted.status_code == 400
    assert "Unable to associate floating IP" in fault(unrouted)[1]
    bad = _action(compute, server_id, h, "addFloatingIp", {"address": "nope"})
    assert bad.status_code == 400
    # Another project's floating IP is not found.
    bobs = _fip(compute, compute.bob_h)
    assert _action(compute, server_id, h, "addFloatingIp",
                   {"address": bobs["ip"]}).status_code == 404  # fmt: skip
    removed = _action(compute, server_id, h, "removeFloatingIp", {"address": "172.24.4.251"})
    assert fault(removed) == ("itemNotFound", "Floating IP not found for address 172.24.4.251.")


def test_a_server_without_addresses(compute: Compute) -> None:
    h = compute.alice_h
    server_id = compute.boot(h, networks="none")
    fip = _fip(compute, h)
    refused = _action(compute, server_id, h, "addFloatingIp", {"address": fip["ip"]})
    assert fault(refused) == ("badRequest", "Instance network is not ready yet")


def test_actions_gone_from_2_44(compute: Compute) -> None:
    h = compute.alice_h
    server_id = compute.boot(h)
    fip = _fip(compute, h)
    for name in ("addFloatingIp", "removeFloatingIp"):
        result = _action(compute, server_id, h, name, {"address": fip["ip"]}, version="2.44")
        assert result.status_code == 404, result.text


def test_association_on_every_database(cloud_deps_any_db: CloudDeps) -> None:
    """The locks and the one-floating-IP-per-fixed-address constraint, on each backend."""
    compute = build_compute(cloud_deps_any_db)
    _routed(compute)
    h = compute.alice_h
    server_id = compute.boot(h)
    first, second = _fip(compute, h), _fip(compute, h)
    assert _action(compute, server_id, h, "addFloatingIp",
                   {"address": first["ip"]}).status_code == 202  # fmt: skip
    # The same fixed address for a second one: Neutron's conflict, Nova's 400.
    taken = _action(compute, server_id, h, "addFloatingIp", {"address": second["ip"]})
    assert taken.status_code == 400
    assert [a for a, kind in _addresses(compute, server_id, h) if kind == "floating"] == [
        first["ip"]]  # fmt: skip
    released = compute.call("DELETE", f"/v2.1/os-floating-ips/{first['id']}", headers=h,
                            version="2.35")  # fmt: skip
    assert released.status_code == 202
    assert all(kind == "fixed" for _, kind in _addresses(compute, server_id, h))


def test_a_deleted_servers_floating_ip_is_left_unassociated(compute: Compute) -> None:
    _routed(compute)
    h = compute.alice_h
    server_id = compute.boot(h)
    fip = _fip(compute, h)
    assert _action(compute, server_id, h, "addFloatingIp", {"address": fip["ip"]}).status_code \
        == 202
    assert compute.call("DELETE", f"/v2.1/servers/{server_id}", headers=h).status_code == 204
    left = _net(compute).simulate_get(f"/v2.0/floatingips/{fip['id']}", headers=h)
    assert left.status_code == 200
    floating = left.json["floatingip"]
    assert (floating["port_id"], floating["fixed_ip_address"], floating["router_id"],
            floating["status"]) == (None, None, None, "DOWN")  # fmt: skip


def test_an_association_made_through_the_network_api_shows_in_the_server(
    compute: Compute,
) -> None:
    """As openstackclient's `server add floating ip` and the SDKs' auto_ip do it: the port's
    floating IP set through Neutron, not Nova."""
    _routed(compute)
    h = compute.alice_h
    server_id = compute.boot(h)
    net = _net(compute)
    (port,) = net.simulate_get("/v2.0/ports", headers=h,
                               query_string=f"device_id={server_id}").json["ports"]  # fmt: skip
    public = net.simulate_get("/v2.0/networks", headers=h, query_string="name=public")
    made = net.simulate_post("/v2.0/floatingips", headers=h, json={"floatingip": {
        "floating_network_id": public.json["networks"][0]["id"], "port_id": port["id"]}})
    assert made.status_code == 201, made.text
    fip = made.json["floatingip"]
    assert (fip["floating_ip_address"], "floating") in _addresses(compute, server_id, h)
    listed = compute.get("/v2.1/servers/detail", headers=h).json["servers"]
    (mine,) = [s for s in listed if s["id"] == server_id]
    floating = [a["addr"] for found in mine["addresses"].values() for a in found
                if a["OS-EXT-IPS:type"] == "floating"]  # fmt: skip
    assert floating == [fip["floating_ip_address"]]
    ips = compute.get(f"/v2.1/servers/{server_id}/ips", headers=h).json["addresses"]
    assert fip["floating_ip_address"] in [a["addr"] for found in ips.values() for a in found]
    # Disassociated through the network API: gone from the server too.
    off = net.simulate_put(f"/v2.0/floatingips/{fip['id']}", headers=h,
                           json={"floatingip": {"port_id": None}})  # fmt: skip
    assert off.status_code == 200, off.text
    assert all(kind == "fixed" for _, kind in _addresses(compute, server_id, h))
    # Associated by Nova, removed by Neutron's delete: gone as well.
    nova_fip = _fip(compute, h)
    assert _action(compute, server_id, h, "addFloatingIp",
                   {"address": nova_fip["ip"]}).status_code == 202  # fmt: skip
    assert net.simulate_delete(f"/v2.0/floatingips/{nova_fip['id']}",
                               headers=h).status_code == 204  # fmt: skip
    assert all(kind == "fixed" for _, kind in _addresses(compute, server_id, h))
