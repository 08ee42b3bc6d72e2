"""The DHCP agent scheduler: a network with a DHCP-enabled subnet is hosted by the DHCP agent,
admins list, add and remove what an agent hosts (their removal sticks), only admins may, and
two admins adding one network at once get one binding."""

from __future__ import annotations

from typing import Any

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Net, build_net, error, race


def _agent(net: Net, agent_type: str) -> dict[str, Any]:
    found: dict[str, Any] = net.get("/agents", net.admin,
                                    query=f"agent_type={agent_type}").json["agents"][0]  # fmt: skip
    return found


def _hosted(net: Net, agent_id: str) -> list[str]:
    result = net.get(f"/agents/{agent_id}/dhcp-networks", net.admin)
    assert result.status_code == 200, result.text
    return [n["id"] for n in result.json["networks"]]


def _hosting(net: Net, network_id: str) -> list[str]:
    result = net.get(f"/networks/{network_id}/dhcp-agents", net.admin)
    assert result.status_code == 200, result.text
    return [a["id"] for a in result.json["agents"]]


def test_a_network_with_a_dhcp_subnet_is_hosted(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    dhcp = _agent(net, "DHCP agent")
    served = net.network(net.alice_h)
    net.subnet(net.alice_h, served["id"], "10.1.0.0/24")
    bare = net.network(net.alice_h)
    static = net.network(net.alice_h)
    net.subnet(net.alice_h, static["id"], "10.2.0.0/24", enable_dhcp=False)
    assert _hosting(net, served["id"]) == [dhcp["id"]]
    assert _hosting(net, bare["id"]) == []
    assert _hosting(net, static["id"]) == []
    assert _hosted(net, dhcp["id"]) == [served["id"]]
    assert _hosted(net, _agent(net, "L3 agent")["id"]) == []
    # network_availability_zone: the zones of the agents hosting it.
    shown = net.get(f"/networks/{served['id']}", net.alice_h).json["network"]
    assert shown["availability_zones"] == ["nova"]
    assert net.get(f"/networks/{bare['id']}", net.alice_h).json["network"][
        "availability_zones"] == []  # fmt: skip


def test_admin_removes_and_adds_a_network(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    dhcp = _agent(net, "DHCP agent")["id"]
    served = net.network(net.alice_h)["id"]
    net.subnet(net.alice_h, served, "10.1.0.0/24")
    path = f"/agents/{dhcp}/dhcp-networks"
    assert net.call("DELETE", f"{path}/{served}", net.admin).status_code == 204
    assert _hosted(net, dhcp) == []
    assert _hosting(net, served) == []
    # Another subnet later does not undo the admin's removal.
    net.subnet(net.alice_h, served, "10.3.0.0/24")
    assert _hosting(net, served) == []
    assert error(net.call("DELETE", f"{path}/{served}", net.admin)) == (
        409, "NetworkNotHostedByDhcpAgent",
        f"The network {served} is not hosted by the DHCP agent {dhcp}.")  # fmt: skip
    added = net.call("POST", path, net.admin, {"network_id": served})
    assert (added.status_code, added.text) == (201, "")
    assert _hosted(net, dhcp) == [served]
    assert error(net.call("POST", path, net.admin, {"network_id": served}))[:2] == (
        409, "NetworkHostedByDHCPAgent")  # fmt: skip
    # A network without subnets is hosted too when an admin says so.
    bare = net.network(net.alice_h)["id"]
    assert net.call("POST", path, net.admin, {"network_id": bare}).status_code == 201
    assert sorted(_hosted(net, dhcp)) == sorted([served, bare])


def test_refusals(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    dhcp = _agent(net, "DHCP agent")["id"]
    l3 = _agent(net, "L3 agent")["id"]
    network = net.network(net.alice_h)["id"]
    missing = "0b8b3b46-2a37-4c59-8e3f-3f0a8f1d7c11"
    assert error(net.call("POST", f"/agents/{l3}/dhcp-networks", net.admin,
                          {"network_id": network}))[:2] == (404, "InvalidDHCPAgent")  # fmt: skip
    assert error(net.call("POST", f"/agents/{dhcp}/dhcp-networks", net.admin,
                          {"network_id": missing}))[:2] == (404, "NetworkNotFound")  # fmt: skip
    assert error(net.call("POST", f"/agents/{missing}/dhcp-networks", net.admin,
                          {"network_id": network}))[:2] == (404, "AgentNotFound")  # fmt: skip
    assert error(net.call("POST", f"/agents/{dhcp}/dhcp-networks", net.admin,
                          {"network_id": "nope"}))[0] == 400  # fmt: skip
    assert error(net.call("POST", f"/agents/{dhcp}/dhcp-networks", net.admin, {}))[0] == 400
    assert error(net.get(f"/agents/{missing}/dhcp-networks", net.admin))[:2] == (
        404, "AgentNotFound")  # fmt: skip
    assert error(net.get(f"/networks/{missing}/dhcp-agents", net.admin))[:2] == (
        404, "NetworkNotFound")  # fmt: skip
    # Only admins (get_dhcp-networks, create_dhcp-network, ...: admin only).
    assert error(net.get(f"/agents/{dhcp}/dhcp-networks", net.alice_h))[0] == 403
    assert error(net.get(f"/networks/{network}/dhcp-agents", net.alice_h))[0] == 403
    assert error(net.call("POST", f"/agents/{dhcp}/dhcp-networks", net.alice_h,
                          {"network_id": network}))[0] == 403  # fmt: skip
    assert error(net.call("DELETE", f"/agents/{dhcp}/dhcp-networks/{network}",
                          net.alice_h))[0] == 403  # fmt: skip
    # A disabled DHCP agent takes no network.
    net.call("PUT", f"/agents/{dhcp}", net.admin, {"agent": {"admin_state_up": False}})
    assert error(net.call("POST", f"/agents/{dhcp}/dhcp-networks", net.admin,
                          {"network_id": network}))[:2] == (404, "InvalidDHCPAgent")  # fmt: skip


def test_disabling_the_agent_keeps_what_it_hosts(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    dhcp = _agent(net, "DHCP agent")["id"]
    served = net.network(net.alice_h)["id"]
    net.subnet(net.alice_h, served, "10.1.0.0/24")
    net.call("PUT", f"/agents/{dhcp}", net.admin, {"agent": {"admin_state_up": False}})
    assert _hosting(net, served) == [dhcp]
    later = net.network(net.alice_h)["id"]
    net.subnet(net.alice_h, later, "10.2.0.0/24")
    # No agent up to schedule it on.
    assert _hosting(net, later) == []


def test_deleting_a_hosted_network_or_its_agent(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    dhcp = _agent(net, "DHCP agent")["id"]
    first = net.network(net.alice_h)["id"]
    second = net.network(net.alice_h)["id"]
    for network in (first, second):
        net.call("POST", f"/agents/{dhcp}/dhcp-networks", net.admin, {"network_id": network})
    assert net.call("DELETE", f"/networks/{first}", net.alice_h).status_code == 204
    assert _hosted(net, dhcp) == [second]
    assert net.call("DELETE", f"/agents/{dhcp}", net.admin).status_code == 204
    assert _hosting(net, second) == []


def test_one_network_added_at_once_twice_is_bound_once(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    dhcp = _agent(net, "DHCP agent")["id"]
    network = net.network(net.alice_h)["id"]
    results = race([
        lambda: net.call("POST", f"/agents/{dhcp}/dhcp-networks", net.admin,
                         {"network_id": network})
        for _ in range(3)
    ])  # fmt: skip
    assert sorted(r.status_code for r in results) == [201, 409, 409]
    assert _hosted(net, dhcp) == [network]
