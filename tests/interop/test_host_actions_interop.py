"""Nova's deprecated os-hosts (up to 2.42) as the genuine clients still drive it.

python-openstackclient's `host list`, `host show` and `host set` are its only users left
(novaclient dropped its host commands and its hosts manager; openstacksdk never had them); each
asks at microversion 2.1 whatever the user's compute version is, so they work even with
`OS_COMPUTE_API_VERSION=2.latest`, where os-hosts itself is gone. Against a real `pocketstack
serve`: what the commands print, and how it follows what other commands change.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop


def _fails(live: Live, *argv: str) -> str:
    """The error output of a command that must fail."""
    result = subprocess.run(
        [str(live.venv / "bin" / argv[0]), *argv[1:]], env=live.env, capture_output=True,
        text=True, timeout=120, check=False, cwd=live.workdir,
    )  # fmt: skip
    assert result.returncode != 0, f"{argv} succeeded: {result.stdout}"
    return result.stderr


def _hosts(live: Live, *argv: str) -> set[tuple[str, str, str]]:
    return {
        (h["Host Name"], h["Service"], h["Zone"])
        for h in live.json("openstack", "host", "list", *argv)
    }


def _resources(live: Live, host: str) -> dict[str, dict[str, Any]]:
    """`openstack host show`'s rows by their project column ((total), (used_now)... or an id)."""
    rows = live.json("openstack", "host", "show", host)
    assert {r["Host"] for r in rows} == {host}
    return {r["Project"]: r for r in rows}


def test_host_list_shows_the_fleet_and_follows_the_services(live: Live) -> None:
    # At 2.latest the client still gets os-hosts: it asks at 2.1 on its own.
    assert live.env["OS_COMPUTE_API_VERSION"] == "2.latest"
    listed = _hosts(live)
    assert {
        ("compute-1", "compute", "nova"),
        ("compute-2", "compute", "nova"),
        ("controller", "conductor", "internal"),
        ("controller", "scheduler", "internal"),
    } <= listed
    # The same hosts and zones the services list shows (its enabled ones).
    services = live.json("openstack", "compute", "service", "list")
    assert {(s["Host"], s["Zone"]) for s in services if s["Status"] == "enabled"} == {
        (host, zone) for host, _, zone in listed
    }
    assert _hosts(live, "--zone", "internal") == {
        ("controller", "conductor", "internal"),
        ("controller", "scheduler", "internal"),
    }
    assert {h for h, _, _ in _hosts(live, "--zone", "nova")} >= {"compute-1", "compute-2"}
    assert _hosts(live, "--zone", "no-such-zone") == set()
    # A host whose compute service an admin disables drops out of the list (os-hosts lists
    # enabled services only), and comes back with it.
    try:
        live.run("openstack", "compute", "service", "set", "--disable", "compute-2",
                 "nova-compute")  # fmt: skip
        assert "compute-2" not in {h for h, _, _ in _hosts(live)}
    finally:
        live.run("openstack", "compute", "service", "set", "--enable", "compute-2",
                 "nova-compute")  # fmt: skip
    assert ("compute-2", "compute", "nova") in _hosts(live)


def test_host_show_counts_a_new_servers_resources(live: Live) -> None:
    before = _resources(live, "compute-1")
    total = before["(total)"]
    # The default fleet's hosts (cloud/config.py's FleetHost).
    assert (total["CPU"], total["Memory MB"], total["Disk GB"]) == (
        1_000_000, 2_000_000_000, 2_000_000_000,
    )  # fmt: skip
    project = live.json("openstack", "project", "show", "admin")["id"]
    server = live.json(
        "openstack", "server", "create", "--image", CIRROS_ID, "--flavor", "m1.tiny",
        "--nic", "none", "--host", "compute-1", "--wait", "host-show-vm",
    )  # fmt: skip
    try:
        assert server["status"] == "ACTIVE"
        after = _resources(live, "compute-1")
        mine_before = before.get(project, {"CPU": 0, "Memory MB": 0, "Disk GB": 0})
        mine = after[project]
        # m1.tiny: 1 vCPU, 512 MB of RAM, a 1 GB disk.
        assert mine["CPU"] - mine_before["CPU"] == 1
        assert mine["Memory MB"] - mine_before["Memory MB"] == 512
        assert mine["Disk GB"] - mine_before["Disk GB"] == 1
        used = after["(used_now)"]
        projects = [r for key, r in after.items() if not key.startswith("(")]
        assert used["CPU"] == sum(r["CPU"] for r in projects)
        assert used["Memory MB"] == sum(r["Memory MB"] for r in projects)
        assert after["(used_max)"]["CPU"] == used["CPU"]
        assert after["(total)"] == total
    finally:
        live.run("openstack", "server", "delete", "--wait", server["id"])
    gone = _resources(live, "compute-1")
    assert gone.get(project, {"CPU": 0})["CPU"] == mine_before["CPU"]


def test_host_show_of_what_is_not_a_compute_host(live: Live) -> None:
    # Only compute hosts are mapped to a cell: the controller is not found, as in Nova.
    for host in ("controller", "no-such-host"):
        assert f"Host '{host}' is not mapped to any cell" in _fails(
            live, "openstack", "host", "show", host
        )


def test_host_set_answers_as_novas_fake_driver(live: Live) -> None:
    """Nova relays `host set` to the host's virt driver; the fake driver answers each switch
    and changes nothing, so the service keeps its state (`compute service set` is how an
    admin disables a host)."""
    for switches in (
        ("--disable",),
        ("--enable",),
        ("--enable-maintenance",),
        ("--disable-maintenance",),
        ("--disable", "--enable-maintenance"),
    ):
        assert live.run("openstack", "host", "set", *switches, "compute-1") == ""
        (service,) = live.json(
            "openstack", "compute", "service", "list", "--host", "compute-1", "--long"
        )
        assert (service["Status"], service["State"]) == ("enabled", "up")
        assert "compute-1" in {h for h, _, _ in _hosts(live)}
    # Nothing to change: the client sends nothing, and says nothing.
    assert live.run("openstack", "host", "set", "no-such-host") == ""
    error = _fails(live, "openstack", "host", "set", "--disable", "no-such-host")
    assert "Host 'no-such-host' is not mapped to any cell" in error
    error = _fails(live, "openstack", "host", "set", "--enable-maintenance", "controller")
    assert "Host 'controller' is not mapped to any cell" in error


def test_the_client_pins_21_where_os_hosts_is_gone(live: Live) -> None:
    """os-hosts answers 404 from 2.43; the client's own raw request at 2.43 shows it."""
    script = (
        "import json, openstack\n"
        "conn = openstack.connect()\n"
        "old = conn.compute.get('/os-hosts', microversion='2.42')\n"
        "new = conn.compute.get('/os-hosts', microversion='2.43')\n"
        "print(json.dumps([old.status_code, new.status_code,"
        " len(old.json()['hosts'])]))\n"
    )
    old, new, count = json.loads(live.run("python", "-c", script))
    assert (old, new) == (200, 404)
    assert count == len(live.json("openstack", "host", "list"))
