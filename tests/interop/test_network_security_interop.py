"""The genuine clients' security group commands against our network service (a real
`pocketstack serve`): `openstack security group` and `security group rule`
create/list/show/set/delete, `port create --security-group`, the refusals the client reports,
and openstacksdk's `security_groups()` and `security_group_rules()`."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop


def _fails(live: Live, *argv: str) -> str:
    """Runs a command expected to fail; its error output."""
    result = subprocess.run(
        [str(live.venv / "bin" / argv[0]), *argv[1:]],
        env=live.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=live.workdir,
    )
    assert result.returncode != 0, f"{argv} succeeded: {result.stdout}"
    return result.stderr


def test_openstack_security_group_and_rule_commands(live: Live) -> None:
    made = live.json(
        "openstack", "security", "group", "create", "--description", "web tier", "interop-sg"
    )
    assert (made["name"], made["description"], made["stateful"]) == (
        "interop-sg",
        "web tier",
        True,
    )
    listed = live.json("openstack", "security", "group", "list")
    assert made["id"] in {g["ID"] for g in listed}
    # The project's default group exists beside it, made on first use.
    project = made["project_id"]
    mine = live.json("openstack", "security", "group", "list", "--project", project)
    assert {g["Name"] for g in mine} >= {"default", "interop-sg"}
    live.run(
        "openstack", "security", "group", "set", "--name", "interop-web", "--description", "d2",
        "interop-sg",
    )  # fmt: skip
    shown = live.json("openstack", "security", "group", "show", made["id"])
    assert (shown["name"], shown["description"]) == ("interop-web", "d2")

    ssh = live.json(
        "openstack", "security", "group", "rule", "create", "--protocol", "tcp", "--dst-port",
        "22", "--remote-ip", "10.0.0.0/8", "interop-web",
    )  # fmt: skip
    assert (ssh["protocol"], ssh["port_range_min"], ssh["port_range_max"]) == ("tcp", 22, 22)
    assert (ssh["direction"], ssh["ether_type"], ssh["remote_ip_prefix"]) == (
        "ingress",
        "IPv4",
        "10.0.0.0/8",
    )
    ping = live.json(
        "openstack", "security", "group", "rule", "create", "--protocol", "icmp", "--icmp-type",
        "8", "--icmp-code", "0", "interop-web",
    )  # fmt: skip
    assert (ping["port_range_min"], ping["port_range_max"]) == (8, 0)
    peers = live.json(
        "openstack", "security", "group", "rule", "create", "--ingress", "--ethertype", "IPv6",
        "--protocol", "udp", "--dst-port", "53:54", "--remote-group", made["id"], "interop-web",
    )  # fmt: skip
    assert peers["remote_group_id"] == made["id"]
    rules = live.json("openstack", "security", "group", "rule", "list", "interop-web")
    assert {ssh["id"], ping["id"], peers["id"]} <= {r["ID"] for r in rules}
    assert len(rules) == 5  # with the two egress rules a group starts with
    again = _fails(
        live, "openstack", "security", "group", "rule", "create", "--protocol", "tcp",
        "--dst-port", "22", "--remote-ip", "10.0.0.0/8", "interop-web",
    )  # fmt: skip
    assert "Security group rule already exists" in again
    conflicting = _fails(
        live, "openstack", "security", "group", "rule", "create", "--ethertype", "IPv6",
        "--remote-ip", "10.0.0.0/8", "interop-web",
    )  # fmt: skip
    assert "Conflicting value ethertype IPv6 for CIDR 10.0.0.0/8" in conflicting
    live.run("openstack", "security", "group", "rule", "delete", ping["id"])
    left = live.json("openstack", "security", "group", "rule", "list", "interop-web")
    assert ping["id"] not in {r["ID"] for r in left}

    network = live.json("openstack", "network", "create", "interop-sg-net")
    port = live.json(
        "openstack", "port", "create", "--network", network["id"], "--security-group",
        "interop-web", "interop-sg-port",
    )  # fmt: skip
    assert port["security_group_ids"] == [made["id"]]
    plain = live.json("openstack", "port", "create", "--network", network["id"], "interop-p")
    default = next(g for g in mine if g["Name"] == "default")
    assert plain["security_group_ids"] == [default["ID"]]
    in_use = _fails(live, "openstack", "security", "group", "delete", made["id"])
    assert "in use" in in_use
    live.run("openstack", "port", "delete", "interop-sg-port", "interop-p")
    live.run("openstack", "security", "group", "delete", made["id"])
    gone = live.json("openstack", "security", "group", "list")
    assert made["id"] not in {g["ID"] for g in gone}
    live.run("openstack", "network", "delete", network["id"])


def test_openstacksdk_security_groups(live: Live) -> None:
    script = """
import json, openstack
conn = openstack.connect()
made = conn.network.create_security_group(name="sdk-sg", description="sdk")
rule = conn.network.create_security_group_rule(
    security_group_id=made.id, direction="ingress", protocol="tcp", port_range_min=443,
    port_range_max=443, remote_ip_prefix="192.0.2.0/24", ether_type="IPv4")
names = sorted(g.name for g in conn.network.security_groups(project_id=made.project_id))
rules = sorted((r.direction, r.protocol, r.port_range_min)
               for r in conn.network.security_group_rules(security_group_id=made.id))
found = conn.network.find_security_group("sdk-sg").id == made.id
conn.network.update_security_group(made, description="changed")
described = conn.network.get_security_group(made.id).description
conn.network.delete_security_group_rule(rule)
conn.network.delete_security_group(made)
print(json.dumps({"names": names, "rules": rules, "found": found, "described": described,
                  "left": [g.id for g in conn.network.security_groups() if g.id == made.id]}))
"""
    result = json.loads(live.run("python", "-c", script))
    assert "default" in result["names"]
    assert "sdk-sg" in result["names"]
    assert result["rules"] == [
        ["egress", None, None],
        ["egress", None, None],
        ["ingress", "tcp", 443],
    ]
    assert (result["found"], result["described"], result["left"]) == (True, "changed", [])
