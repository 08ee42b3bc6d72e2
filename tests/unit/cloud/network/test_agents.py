"""Network agents: the fleet's agents registered at each start (an Open vSwitch agent per
compute host, DHCP, L3 and metadata agents on the controller), shown, updated and deleted by
admins only, and registered race-free by workers starting at once."""

from __future__ import annotations

import threading
from typing import Any

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import agents, startup
from pocketstack.cloud.network.app import create_app
from tests.fixtures.cloud import OffsetClock
from tests.unit.cloud.network.helpers import Net, build_net, error


def _agents(net: Net, query: str | None = None) -> list[dict[str, Any]]:
    result = net.get("/agents", net.admin, query=query)
    assert result.status_code == 200, result.text
    found: list[dict[str, Any]] = result.json["agents"]
    return found


def test_the_fleet_runs_devstacks_agents(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    found = {(a["agent_type"], a["host"]): a for a in _agents(net)}
    assert set(found) == {
        (agents.OVS, "compute-1"), (agents.OVS, "compute-2"), (agents.DHCP, "controller"),
        (agents.L3, "controller"), (agents.METADATA, "controller"),
    }  # fmt: skip
    dhcp = found[(agents.DHCP, "controller")]
    assert dhcp["binary"] == "neutron-dhcp-agent"
    assert dhcp["topic"] == "dhcp_agent"
    assert dhcp["availability_zone"] == "nova"
    assert dhcp["alive"] is True
    assert dhcp["admin_state_up"] is True
    assert dhcp["description"] == ""
    assert found[(agents.OVS, "compute-1")]["availability_zone"] is None
    assert found[(agents.OVS, "compute-1")]["configurations"]["tunnel_types"] == ["vxlan"]
    # Times as Neutron shows an agent's: "YYYY-MM-DD HH:MM:SS".
    assert len(dhcp["heartbeat_timestamp"]) == 19
    assert dhcp["heartbeat_timestamp"][10] == " "


def test_heartbeat_is_the_moment_of_the_answer(cloud_deps: CloudDeps, clock: OffsetClock) -> None:
    net = build_net(cloud_deps)
    before = _agents(net)[0]
    clock.advance(600)
    after = net.get(f"/agents/{before['id']}", net.admin).json["agent"]
    assert after["heartbeat_timestamp"] > before["heartbeat_timestamp"]
    assert after["started_at"] == before["started_at"]
    assert after["alive"] is True


def test_others_see_no_agents(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    agent_id = _agents(net)[0]["id"]
    listed = net.get("/agents", net.alice_h)
    assert (listed.status_code, listed.json) == (200, {"agents": []})
    assert net.get("/agents", net.reader_h).json == {"agents": []}
    for method in ("GET", "PUT", "DELETE"):
        body = {"agent": {"description": "x"}} if method == "PUT" else None
        result = net.call(method, f"/agents/{agent_id}", net.alice_h, body)
        assert error(result) == (404, "AgentNotFound", f"Agent {agent_id} could not be found.")
    assert len(_agents(net)) == 5


def test_filters_match_regardless_of_case_as_devstacks_mysql(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    (dhcp,) = _agents(net, "agent_type=DHCP Agent")
    assert dhcp["agent_type"] == agents.DHCP
    assert {a["host"] for a in _agents(net, "agent_type=Open vSwitch agent")} == {
        "compute-1", "compute-2"}  # fmt: skip
    assert _agents(net, "alive=false") == []
    assert len(_agents(net, "host=controller&host=compute-1")) == 4
    assert net.get("/agents", net.admin, query="colour=red").status_code == 400


def test_paged_by_limit_and_marker(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    ids = [a["id"] for a in _agents(net)]
    first = net.get("/agents", net.admin, query="limit=2").json
    second = net.get("/agents", net.admin, query=f"limit=2&marker={ids[1]}").json
    assert [a["id"] for a in first["agents"] + second["agents"]] == sorted(ids)[:4]
    assert first["agents_links"][0]["rel"] == "next"


def test_admin_updates_state_and_description(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    agent_id = _agents(net, "agent_type=L3 agent")[0]["id"]
    body = {"agent": {"admin_state_up": False, "description": "draining"}}
    updated = net.call("PUT", f"/agents/{agent_id}", net.admin, body)
    assert updated.status_code == 200, updated.text
    assert (updated.json["agent"]["admin_state_up"], updated.json["agent"]["description"]) == (
        False, "draining")  # fmt: skip
    assert net.get(f"/agents/{agent_id}", net.admin).json["agent"]["description"] == "draining"
    refused = net.call("PUT", f"/agents/{agent_id}", net.admin, {"agent": {"host": "elsewhere"}})
    assert error(refused)[0] == 400
    nulled = net.call("PUT", f"/agents/{agent_id}", net.admin, {"agent": {"description": None}})
    assert nulled.json["agent"]["description"] is None


def test_a_deleted_agent_comes_back_on_the_next_start(cloud_deps: CloudDeps) -> None:
    net = build_net(cloud_deps)
    agent = _agents(net, "agent_type=Metadata agent")[0]
    assert net.call("DELETE", f"/agents/{agent['id']}", net.admin).status_code == 204
    assert error(net.get(f"/agents/{agent['id']}", net.admin))[:2] == (404, "AgentNotFound")
    assert _agents(net, "agent_type=Metadata agent") == []
    create_app(cloud_deps)
    (again,) = _agents(net, "agent_type=Metadata agent")
    assert again["id"] != agent["id"]
    assert again["host"] == "controller"


def test_a_restart_keeps_an_admins_changes(cloud_deps: CloudDeps, clock: OffsetClock) -> None:
    net = build_net(cloud_deps)
    agent = _agents(net, "agent_type=DHCP agent")[0]
    net.call("PUT", f"/agents/{agent['id']}", net.admin, {"agent": {"description": "kept"}})
    clock.advance(60)
    create_app(cloud_deps)
    (again,) = _agents(net, "agent_type=DHCP agent")
    assert (again["id"], again["description"]) == (agent["id"], "kept")
    assert again["started_at"] > agent["started_at"]
    assert len(_agents(net)) == 5


def test_workers_starting_at_once_register_each_agent_once(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    for agent in _agents(net):
        net.call("DELETE", f"/agents/{agent['id']}", net.admin)
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            startup.start(cloud_deps_any_db)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sorted((a["agent_type"], a["host"]) for a in _agents(net)) == sorted(
        [(agents.OVS, "compute-1"), (agents.OVS, "compute-2"), (agents.DHCP, "controller"),
         (agents.L3, "controller"), (agents.METADATA, "controller")])  # fmt: skip
