"""python-openstackclient's server lifecycle commands against a real `pocketstack serve`:
rebuild, resize (confirm, revert), migrate, shelve/unshelve, rescue/unrescue, set --state, the
event log and the console log."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.interop.test_compute_interop import Live

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def osc(interop_venv: Path, live_cloud: Any) -> Iterator[Live]:
    from pocketstack.cloud.config import load_config
    from pocketstack.cloud.deps import build_deps

    deps = build_deps(load_config(data_dir=live_cloud.data_dir))
    env = live_cloud.client_env()
    env["OS_COMPUTE_API_VERSION"] = "2.latest"
    yield Live(interop_venv, env, deps)
    deps.store.dispose()


def _show(osc: Live, server_id: str) -> dict[str, Any]:
    shown: dict[str, Any] = json.loads(
        osc.run("openstack", "server", "show", server_id, "-f", "json")
    )
    return shown


def _settled(osc: Live, server_id: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        shown = _show(osc, server_id)
        if shown["status"] == status or time.monotonic() > deadline:
            assert shown["status"] == status, shown
            return shown
        time.sleep(0.2)


def _boot(osc: Live, name: str) -> str:
    created = json.loads(osc.run(
        "openstack", "server", "create", "--image", CIRROS_ID, "--flavor", "m1.tiny",
        "--nic", "auto", name, "-f", "json"))  # fmt: skip
    server_id: str = created["id"]
    _settled(osc, server_id, "ACTIVE")
    return server_id


def test_rebuild_resize_confirm_and_revert(osc: Live) -> None:
    server_id = _boot(osc, "osc-resize")
    osc.run("openstack", "server", "rebuild", "--image", CIRROS_ID, "--name", "osc-reborn",
            server_id)  # fmt: skip
    assert _settled(osc, server_id, "ACTIVE")["name"] == "osc-reborn"
    osc.run("openstack", "server", "resize", "--flavor", "m1.small", server_id)
    assert _settled(osc, server_id, "VERIFY_RESIZE")["flavor"]["name"] == "m1.small"
    osc.run("openstack", "server", "resize", "confirm", server_id)
    _settled(osc, server_id, "ACTIVE")
    osc.run("openstack", "server", "resize", "--flavor", "m1.tiny", server_id)
    _settled(osc, server_id, "VERIFY_RESIZE")
    osc.run("openstack", "server", "resize", "revert", server_id)
    assert _settled(osc, server_id, "ACTIVE")["flavor"]["name"] == "m1.small"
    events = json.loads(osc.run("openstack", "server", "event", "list", server_id, "-f", "json"))
    actions = [e["Action"] for e in events]
    assert actions[:4] == ["revertResize", "resize", "confirmResize", "resize"]
    assert actions[-1] == "create"
    request_id = events[0]["Request ID"]
    shown = json.loads(osc.run("openstack", "server", "event", "show", server_id, request_id,
                               "-f", "json"))  # fmt: skip
    assert shown["action"] == "revertResize"
    assert shown["events"][0]["event"] == "compute_revert_resize"


def test_shelve_rescue_state_migrate_and_console(osc: Live) -> None:
    server_id = _boot(osc, "osc-shelve")
    osc.run("openstack", "server", "shelve", server_id)
    assert _settled(osc, server_id, "SHELVED_OFFLOADED")["OS-EXT-SRV-ATTR:host"] in (None, "")
    osc.run("openstack", "server", "unshelve", server_id)
    _settled(osc, server_id, "ACTIVE")
    osc.run("openstack", "server", "rescue", server_id)
    _settled(osc, server_id, "RESCUE")
    osc.run("openstack", "server", "unrescue", server_id)
    _settled(osc, server_id, "ACTIVE")
    osc.run("openstack", "server", "set", "--auto-approve", "--state", "error", server_id)
    _settled(osc, server_id, "ERROR")
    osc.run("openstack", "server", "set", "--auto-approve", "--state", "active", server_id)
    host = _settled(osc, server_id, "ACTIVE")["OS-EXT-SRV-ATTR:host"]
    osc.run("openstack", "server", "migrate", server_id)
    moved = _settled(osc, server_id, "VERIFY_RESIZE")
    assert moved["OS-EXT-SRV-ATTR:host"] != host
    osc.run("openstack", "server", "migrate", "confirm", server_id)
    _settled(osc, server_id, "ACTIVE")
    log = osc.run("openstack", "console", "log", "show", "--lines", "5", server_id)
    assert len(log.rstrip("\n").split("\n")) == 5
