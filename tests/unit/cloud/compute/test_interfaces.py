"""os-interface: a server's ports listed in Nova's view, a port attached (a new one on a
network, with a fixed IP or not, or one given) and detached, and the server's addresses with
them."""

from __future__ import annotations

from typing import Any

from tests.unit.cloud.compute.helpers import fault
from tests.unit.cloud.compute.test_server_ports import Both
from tests.unit.cloud.compute.test_server_ports import both as both


def _iface(b: Both, server_id: str, headers: dict[str, str], body: Any = None,
           version: str = "2.70") -> Any:  # fmt: skip
    return b.compute.call("POST", f"/v2.1/servers/{server_id}/os-interface", headers=headers,
                          version=version, body=body)  # fmt: skip


def _listed(b: Both, server_id: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    got = b.compute.get(f"/v2.1/servers/{server_id}/os-interface", headers=headers,
                        version="2.70")  # fmt: skip
    assert got.status_code == 200, got.text
    found: list[dict[str, Any]] = got.json["interfaceAttachments"]
    return found


def _addresses(b: Both, server_id: str, headers: dict[str, str]) -> list[str]:
    shown = b.show(server_id, headers)
    return [a["addr"] for found in shown["addresses"].values() for a in found]


def test_attach_on_a_network_with_a_fixed_ip_then_detach(both: Both) -> None:
    h = both.compute.alice_h
    server_id = both.boot(h, networks="auto")
    (first,) = _listed(both, server_id, h)
    assert first["port_state"] == "ACTIVE"
    assert first["tag"] is None
    net_id = both.network(h, cidr="192.168.40.0/24")
    body = {"interfaceAttachment": {"net_id": net_id,
                                    "fixed_ips": [{"ip_address": "192.168.40.10"}],
                                    "tag": "data"}}  # fmt: skip
    made = _iface(both, server_id, h, body)
    assert made.status_code == 200, made.text
    attached = made.json["interfaceAttachment"]
    assert (attached["net_id"], attached["tag"]) == (net_id, "data")
    assert attached["fixed_ips"][0]["ip_address"] == "192.168.40.10"
    assert "192.168.40.10" in _addresses(both, server_id, h)
    assert [i["port_id"] for i in _listed(both, server_id, h)] == [
        first["port_id"], attached["port_id"]
    ]  # fmt: skip
    shown = both.compute.get(f"/v2.1/servers/{server_id}/os-interface/{attached['port_id']}",
                             headers=h, version="2.70")  # fmt: skip
    assert shown.json["interfaceAttachment"]["tag"] == "data"
    before = both.compute.get(f"/v2.1/servers/{server_id}/os-interface/{first['port_id']}",
                              headers=h, version="2.69")  # fmt: skip
    assert "tag" not in before.json["interfaceAttachment"]
    gone = both.compute.call("DELETE", f"/v2.1/servers/{server_id}/os-interface/"
                             f"{attached['port_id']}", headers=h)  # fmt: skip
    assert gone.status_code == 202, gone.text
    assert "192.168.40.10" not in _addresses(both, server_id, h)
    # Made for the server: deleted with the detach.
    ports = both.net.simulate_get(f"/v2.0/ports/{attached['port_id']}", headers=h)
    assert ports.status_code == 404
    again = both.compute.call("DELETE", f"/v2.1/servers/{server_id}/os-interface/"
                              f"{attached['port_id']}", headers=h)  # fmt: skip
    assert fault(again) == ("itemNotFound", f"Port {attached['port_id']} is not attached")


def test_a_port_given_is_kept_when_detached_and_can_move(both: Both) -> None:
    h = both.compute.alice_h
    first, second = both.boot(h, networks="none"), both.boot(h, networks="none")
    net_id = both.network(h, cidr="192.168.41.0/24")
    port = both.neutron("POST", "/ports", h, {"port": {"network_id": net_id}})["port"]
    made = _iface(both, first, h, {"interfaceAttachment": {"port_id": port["id"]}})
    assert made.status_code == 200, made.text
    busy = _iface(both, second, h, {"interfaceAttachment": {"port_id": port["id"]}})
    assert fault(busy) == ("conflictingRequest", f"Port {port['id']} is still in use.")
    detached = both.compute.call("DELETE", f"/v2.1/servers/{first}/os-interface/{port['id']}",
                                 headers=h)  # fmt: skip
    assert detached.status_code == 202
    kept = both.neutron("GET", f"/ports/{port['id']}", h)["port"]
    assert (kept["device_id"], kept["status"]) == ("", "DOWN")
    moved = _iface(both, second, h, {"interfaceAttachment": {"port_id": port["id"]}})
    assert moved.status_code == 200, moved.text
    assert kept["fixed_ips"][0]["ip_address"] in _addresses(both, second, h)


def test_attach_refusals(both: Both) -> None:
    h = both.compute.alice_h
    server_id = both.boot(h, networks="none")
    net_id = both.network(h, cidr="192.168.42.0/24")
    port = both.neutron("POST", "/ports", h, {"port": {"network_id": net_id}})["port"]
    two = {"interfaceAttachment": {"net_id": net_id, "port_id": port["id"]}}
    assert fault(_iface(both, server_id, h, two)) == (
        "badRequest", "Must not input both network_id and port_id")  # fmt: skip
    ip_only = {"interfaceAttachment": {"fixed_ips": [{"ip_address": "192.168.42.5"}]}}
    assert fault(_iface(both, server_id, h, ip_only)) == (
        "badRequest", "Must input network_id when request IP address")  # fmt: skip
    tagged = {"interfaceAttachment": {"net_id": net_id, "tag": "x"}}
    assert _iface(both, server_id, h, tagged, version="2.48").status_code == 400
    assert _iface(both, server_id, both.compute.bob_h, {}).status_code == 404
    # The other project's port is not usable here, even by its network.
    other = both.network(both.compute.bob_h, cidr="192.168.43.0/24")
    assert _iface(both, server_id, h, {"interfaceAttachment": {"net_id": other}}
                  ).status_code == 400  # fmt: skip
    assert both.compute.call("POST", f"/v2.1/servers/{server_id}/action", headers=h,
                             body={"os-stop": None}).status_code == 202  # fmt: skip
    # Stopped is fine; suspended (or any task) is not.
    assert _iface(both, server_id, h, {"interfaceAttachment": {"net_id": net_id}}
                  ).status_code == 200  # fmt: skip
    assert both.compute.call("POST", f"/v2.1/servers/{server_id}/action", headers=h,
                             body={"os-start": None}).status_code == 202  # fmt: skip
    assert both.compute.call("POST", f"/v2.1/servers/{server_id}/action", headers=h,
                             body={"suspend": None}).status_code == 202  # fmt: skip
    refused = _iface(both, server_id, h, {"interfaceAttachment": {"net_id": net_id}})
    assert refused.status_code == 409
    # Deleting the server frees what was attached.
    both.delete(server_id, h)
    assert both.ports_of(server_id, h) == []


def test_add_and_remove_fixed_ip_up_to_243(both: Both) -> None:
    h = both.compute.alice_h
    net_id = both.network(h, cidr="192.168.44.0/24")
    server_id = both.boot(h, networks=[{"uuid": net_id}])
    (first,) = _addresses(both, server_id, h)

    def act(body: dict[str, Any], version: str = "2.43") -> Any:
        return both.compute.call("POST", f"/v2.1/servers/{server_id}/action", headers=h,
                                 version=version, body=body)  # fmt: skip

    assert act({"addFixedIp": {"networkId": net_id}}).status_code == 202
    added = [a for a in _addresses(both, server_id, h) if a != first]
    assert len(added) == 1
    assert added[0].startswith("192.168.44.")
    (port,) = both.ports_of(server_id, h)
    assert sorted(f["ip_address"] for f in port["fixed_ips"]) == sorted([first, added[0]])
    # A network the server is not on: accepted, and nothing changes (Nova casts it).
    other = both.network(h, cidr="192.168.45.0/24")
    assert act({"addFixedIp": {"networkId": other}}).status_code == 202
    assert len(_addresses(both, server_id, h)) == 2
    assert act({"removeFixedIp": {"address": first}}).status_code == 202
    assert _addresses(both, server_id, h) == added
    assert fault(act({"removeFixedIp": {"address": first}})) == (
        "badRequest", f"Instance {server_id} does not have fixed IP '{first}'.")  # fmt: skip
    assert act({"addFixedIp": {"networkId": net_id}}, version="2.44").status_code == 404
