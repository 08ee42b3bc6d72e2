"""Nova's deferred delete with the genuine clients, against a real `pocketstack serve` started
with `reclaim_instance_interval`: python-openstackclient's `server delete`, `server restore` and
`server delete --force` (openstacksdk underneath), and python-novaclient's `delete`, `restore`
and `force-delete`."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.fixtures.server import running_cloud
from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def deferred(interop_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The clients against a cloud whose deletes wait an hour before they are final."""
    root = tmp_path_factory.mktemp("soft-delete-cloud")
    with running_cloud(root, extra="reclaim_instance_interval = 3600\n") as cloud:
        env = cloud.client_env()
        env["OS_COMPUTE_API_VERSION"] = "2.latest"
        yield Live(interop_venv, env, root)


def _show(live: Live, server_id: str) -> dict[str, Any]:
    shown: dict[str, Any] = live.json("openstack", "server", "show", server_id)
    return shown


def _fails(live: Live, *argv: str) -> str:
    """Runs a client command that must fail; its error output."""
    result = subprocess.run(
        [str(live.venv / "bin" / argv[0]), *argv[1:]], env=live.env, capture_output=True,
        text=True, timeout=120, check=False, cwd=live.workdir,
    )  # fmt: skip
    assert result.returncode != 0, result.stdout
    return result.stderr


def _boot(live: Live, name: str) -> str:
    created = live.json("openstack", "server", "create", "--image", CIRROS_ID, "--flavor",
                        "m1.tiny", "--nic", "auto", "--wait", name)  # fmt: skip
    server_id: str = created["id"]
    assert _show(live, server_id)["status"] == "ACTIVE"
    return server_id


def _listed(live: Live) -> list[str]:
    return [s["ID"] for s in live.json("openstack", "server", "list")]


def test_openstackclient_deletes_softly_restores_and_forces(deferred: Live) -> None:
    server_id = _boot(deferred, "osc-soft")
    deferred.run("openstack", "server", "delete", server_id)
    shown = _show(deferred, server_id)
    assert (shown["status"], shown["OS-EXT-STS:vm_state"]) == ("SOFT_DELETED", "soft-delete")
    assert shown["OS-EXT-STS:power_state"] in ("Shutdown", 4)
    assert server_id not in _listed(deferred)
    deferred.run("openstack", "server", "restore", server_id)
    assert _show(deferred, server_id)["status"] == "ACTIVE"
    assert server_id in _listed(deferred)
    events = deferred.json("openstack", "server", "event", "list", server_id)
    assert [e["Action"] for e in events] == ["restore", "delete", "create"]
    deferred.run("openstack", "server", "delete", server_id)
    deferred.run("openstack", "server", "delete", "--force", server_id)
    assert "No Server found" in _fails(deferred, "openstack", "server", "show", server_id)


def test_novaclient_restore_and_force_delete(deferred: Live) -> None:
    server_id = _boot(deferred, "nova-soft")
    created = _show(deferred, server_id)["created"]
    refused = _fails(deferred, "nova", "restore", server_id)
    assert f"Cannot 'restore' instance {server_id} while it is in vm_state active" in refused
    assert "HTTP 409" in refused
    deferred.run("nova", "delete", server_id)
    assert _show(deferred, server_id)["status"] == "SOFT_DELETED"
    deferred.run("nova", "restore", server_id)
    assert _show(deferred, server_id)["status"] == "ACTIVE"
    deferred.run("nova", "delete", server_id)
    deferred.run("nova", "force-delete", server_id)
    assert "No server with a name or ID" in _fails(deferred, "nova", "show", server_id)
    # A changes-since listing shows it, DELETED (novaclient sends changes-since alone; OSC
    # would add deleted=False, which hides deleted servers on Nova too).
    table = deferred.run("nova", "list", "--changes-since", created, "--fields", "id,status")
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in table.splitlines()]
    assert [server_id, "DELETED"] in [row[-2:] for row in rows]
