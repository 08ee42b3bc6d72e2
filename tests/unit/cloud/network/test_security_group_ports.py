"""Ports in security groups: the project's default group unless others (or none) are named,
none without port security or for a network:* port, whose groups a port may name, groups
changed on update, ports listed by group, and a group in use kept."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Headers, Net, build_net, error


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def _group(net: Net, headers: Headers, name: str = "g", **attrs: Any) -> dict[str, Any]:
    return net.made("/security-groups", headers, {"security_group": {"name": name, **attrs}})


def _default(net: Net, headers: Headers) -> str:
    groups = net.get("/security-groups", headers, query="name=default").json["security_groups"]
    assert len(groups) == 1
    return str(groups[0]["id"])


def _create(net: Net, headers: Headers, network_id: str, **attrs: Any) -> Any:
    return net.call("POST", "/ports", headers, {"port": {"network_id": network_id, **attrs}})


def test_a_port_is_in_its_projects_default_group_unless_it_names_others(net: Net) -> None:
    n = net.network(net.admin, shared=True)
    # Bob's first request is a port: it makes his default group, and the port is in it.
    plain = net.port(net.bob_h, n["id"])
    assert plain["security_groups"] == [_default(net, net.bob_h)]
    web, db = _group(net, net.bob_h, "web"), _group(net, net.bob_h, "db")
    named = net.port(net.bob_h, n["id"], security_groups=[web["id"], db["id"]])
    assert sorted(named["security_groups"]) == sorted([web["id"], db["id"]])
    assert net.port(net.bob_h, n["id"], security_groups=[])["security_groups"] == []
    assert net.port(net.bob_h, n["id"], security_groups=None)["security_groups"] == []
    shown = net.get(f"/ports/{named['id']}", net.bob_h).json["port"]
    assert shown["security_groups"] == named["security_groups"]
    # Without port security, or on a network:* port, a port is in none.
    own = net.network(net.bob_h)
    assert net.port(net.bob_h, own["id"], port_security_enabled=False)["security_groups"] == []
    insecure_net = net.network(net.bob_h, port_security_enabled=False)
    assert net.port(net.bob_h, insecure_net["id"])["security_groups"] == []
    dhcp = net.port(
        net.admin, n["id"], device_owner="network:dhcp", security_groups=[_default(net, net.bob_h)]
    )
    assert dhcp["security_groups"] == []
    insecure = _create(
        net, net.bob_h, own["id"], port_security_enabled=False, security_groups=[web["id"]]
    )
    assert error(insecure) == (
        400,
        "PortSecurityAndIPRequiredForSecurityGroups",
        "Port security must be enabled and port must have an IP address"
        " in order to use security groups.",
    )
    # Ports listed by group: in any of those asked for.
    by_group = net.get("/ports", net.bob_h, query=f"security_groups={web['id']}").json["ports"]
    assert [p["id"] for p in by_group] == [named["id"]]
    either = net.get(
        "/ports",
        net.bob_h,
        query=f"security_groups={web['id']}&security_groups={plain['security_groups'][0]}",
    )
    assert {p["id"] for p in either.json["ports"]} == {named["id"], plain["id"]}


def test_which_groups_a_port_may_name(net: Net) -> None:
    n = net.network(net.admin, shared=True)
    mine = _group(net, net.alice_h)
    theirs = _group(net, net.bob_h)
    missing = "6bf0b0c8-0cda-4d1e-9b31-0b1e8bd1d7c0"
    refused = _create(
        net, net.alice_h, n["id"], security_groups=[mine["id"], theirs["id"], missing]
    )
    assert error(refused) == (
        404,
        "SecurityGroupNotFound",
        f"Security group {theirs['id']}, {missing} does not exist",
    )
    twice = _create(net, net.alice_h, n["id"], security_groups=[mine["id"], mine["id"]])
    assert error(twice) == (
        400,
        "HTTPBadRequest",
        f"Invalid input for security_groups. Reason: Duplicate items in the list: '{mine['id']}'.",
    )
    not_uuid = _create(net, net.alice_h, n["id"], security_groups=["web"])
    assert error(not_uuid) == (
        400,
        "HTTPBadRequest",
        "Invalid input for security_groups. Reason: 'web' is not a valid UUID.",
    )
    stateless = _group(net, net.alice_h, "loose", stateful=False)
    mixed = _create(net, net.alice_h, n["id"], security_groups=[mine["id"], stateless["id"]])
    assert error(mixed) == (
        409,
        "SecurityGroupConflict",
        "Error Cannot apply both stateful and stateless security groups on"
        " the same port at the same time while attempting the operation.",
    )
    # An admin may put anyone's port in anyone's group.
    port = net.port(
        net.admin, n["id"], project_id=net.alice.project_id, security_groups=[theirs["id"]]
    )
    assert port["security_groups"] == [theirs["id"]]
    # An admin's port for a project is in that project's default group.
    for_bob = net.port(net.admin, n["id"], project_id=net.bob.project_id)
    assert for_bob["security_groups"] == [_default(net, net.bob_h)]


def test_groups_changed_on_update(net: Net) -> None:
    n = net.network(net.alice_h)
    one = net.subnet(net.alice_h, n["id"], "10.0.0.0/24")
    two = net.subnet(net.alice_h, n["id"], "10.0.1.0/24")
    first, second = _group(net, net.alice_h, "a"), _group(net, net.alice_h, "b")
    port = net.port(net.alice_h, n["id"], fixed_ips=[{"subnet_id": one["id"]}])
    path = f"/ports/{port['id']}"
    both = net.call(
        "PUT",
        path,
        net.alice_h,
        {
            "port": {
                "name": "moved",
                "admin_state_up": False,
                "fixed_ips": [{"subnet_id": two["id"]}],
                "security_groups": [first["id"], second["id"]],
            }
        },
    )
    assert both.status_code == 200, both.text
    updated = both.json["port"]
    assert sorted(updated["security_groups"]) == sorted([first["id"], second["id"]])
    assert updated["fixed_ips"][0]["subnet_id"] == two["id"]
    assert updated["revision_number"] == port["revision_number"] + 1
    foreign = net.call(
        "PUT", path, net.alice_h, {"port": {"security_groups": [_group(net, net.bob_h)["id"]]}}
    )
    assert error(foreign)[:2] == (404, "SecurityGroupNotFound")
    # Port security goes only with the groups.
    off = net.call("PUT", path, net.alice_h, {"port": {"port_security_enabled": False}})
    assert error(off) == (
        409,
        "PortSecurityPortHasSecurityGroup",
        "Port has security group associated. Cannot disable port security or"
        " IP address until security group is removed.",
    )
    off_and_in = net.call(
        "PUT",
        path,
        net.alice_h,
        {"port": {"port_security_enabled": False, "security_groups": [first["id"]]}},
    )
    assert error(off_and_in)[:2] == (400, "PortSecurityAndIPRequiredForSecurityGroups")
    cleared = net.call(
        "PUT", path, net.alice_h, {"port": {"port_security_enabled": False, "security_groups": []}}
    ).json["port"]
    assert (cleared["port_security_enabled"], cleared["security_groups"]) == (False, [])
    assert net.get(path, net.alice_h).json["port"]["security_groups"] == []


def test_a_group_in_use_is_kept(net: Net) -> None:
    n = net.network(net.alice_h)
    group = _group(net, net.alice_h)
    port = net.port(net.alice_h, n["id"], security_groups=[group["id"]])
    path = f"/security-groups/{group['id']}"
    for headers in (net.alice_h, net.admin):
        assert error(net.call("DELETE", path, headers)) == (
            409,
            "SecurityGroupInUse",
            f"Security Group {group['id']} in use.",
        )
    stateless = net.call("PUT", path, net.alice_h, {"security_group": {"stateful": False}})
    assert error(stateless)[:2] == (409, "SecurityGroupInUse")
    renamed = net.call("PUT", path, net.alice_h, {"security_group": {"name": "still"}})
    assert renamed.status_code == 200
    assert net.call("DELETE", f"/ports/{port['id']}", net.alice_h).status_code == 204
    assert net.call("DELETE", path, net.alice_h).status_code == 204
    # A network's delete takes its DHCP port with it, groups or not.
    assert net.call("DELETE", f"/networks/{n['id']}", net.alice_h).status_code == 204
