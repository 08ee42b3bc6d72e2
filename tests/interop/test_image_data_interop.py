"""Images that hold data, with the genuine `openstack` client against a real `pocketstack
serve`: `image create --file` of more than the API's request size limit streamed in, `image
save` giving the same bytes back, and a server's snapshot (`server image create`) and shelve
image with data of their own."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop


@pytest.fixture
def live(interop_venv: Path, live_cloud: Any, tmp_path: Path) -> Live:
    return Live(interop_venv, live_cloud.client_env(), tmp_path)


def test_image_create_with_a_file_and_save(live: Live, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    source = tmp_path / "disk.img"
    source.write_bytes(data)
    name = f"data-{uuid.uuid4().hex[:8]}"
    made = live.json("openstack", "image", "create", "--disk-format", "raw",
                     "--container-format", "bare", "--file", str(source), name)  # fmt: skip
    shown = live.json("openstack", "image", "show", made["id"])
    assert (shown["status"], shown["size"]) == ("active", len(data))
    assert shown["checksum"] == hashlib.md5(data, usedforsecurity=False).hexdigest()
    saved = tmp_path / "saved.img"
    live.run("openstack", "image", "save", "--file", str(saved), made["id"])
    assert saved.read_bytes() == data
    live.run("openstack", "image", "delete", made["id"])


def test_server_snapshot_and_shelve_images(live: Live) -> None:
    name = f"snap-vm-{uuid.uuid4().hex[:8]}"
    server = live.json("openstack", "server", "create", "--image", CIRROS_ID, "--flavor",
                       "m1.tiny", "--nic", "none", "--wait", name)  # fmt: skip
    snap = live.json("openstack", "server", "image", "create", "--name", f"{name}-snap",
                     "--wait", server["id"])  # fmt: skip
    shown = live.json("openstack", "image", "show", snap["id"])
    assert shown["status"] == "active"
    assert shown["size"] > 0
    assert shown["properties"]["instance_uuid"] == server["id"]
    live.run("openstack", "server", "shelve", "--wait", server["id"])
    shelved = live.json("openstack", "image", "list", "--name", f"{name}-shelved")
    assert len(shelved) == 1
    live.run("openstack", "server", "unshelve", "--wait", server["id"])
    assert live.json("openstack", "image", "list", "--name", f"{name}-shelved") == []
    live.run("openstack", "server", "delete", "--wait", server["id"])
    live.run("openstack", "image", "delete", snap["id"])
