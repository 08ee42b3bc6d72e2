"""Sharing images with the genuine `openstack` client against a real `pocketstack serve`:
`image set --property/--tag/--name/--protected`, `image unset`, `image add project`,
`image set --accept` by the member, `image member list`, `image remove project`, and listings
with `--shared/--member-status`."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop


@pytest.fixture
def live(interop_venv: Path, live_cloud: Any, tmp_path: Path) -> Live:
    return Live(interop_venv, live_cloud.client_env(), tmp_path)


def _as_member(live: Live, project: str, user: str, password: str) -> Live:
    env = {**live.env, "OS_PROJECT_NAME": project, "OS_USERNAME": user, "OS_PASSWORD": password}
    return Live(live.venv, env, live.workdir)


def test_image_set_and_share_with_openstack_client(live: Live) -> None:
    suffix = uuid.uuid4().hex[:8]
    name = f"img-{suffix}"
    made = live.json("openstack", "image", "create", "--disk-format", "qcow2",
                     "--container-format", "bare", "--shared", name)  # fmt: skip
    image = made["id"]
    live.run("openstack", "image", "set", "--property", "os_distro=cirros", "--tag", "t1",
             "--name", f"{name}-2", "--protected", "--min-ram", "256", image)  # fmt: skip
    shown = live.json("openstack", "image", "show", image)
    props = shown["properties"]
    assert props["os_distro"] == "cirros"
    assert shown["name"] == f"{name}-2"
    assert shown["protected"] is True
    assert shown["min_ram"] == 256
    assert "t1" in shown["tags"]
    live.run("openstack", "image", "unset", "--property", "os_distro", "--tag", "t1", image)
    shown = live.json("openstack", "image", "show", image)
    assert "os_distro" not in shown.get("properties", {})
    assert "t1" not in shown["tags"]
    live.run("openstack", "image", "set", "--unprotected", image)

    # A second project, and a user in it, to share with.
    project = f"proj-{suffix}"
    password = f"pw-{suffix}"
    made_project = live.json("openstack", "project", "create", project)
    live.run("openstack", "user", "create", "--project", project, "--password", password,
             f"user-{suffix}")  # fmt: skip
    live.run("openstack", "role", "add", "--project", project, "--user", f"user-{suffix}",
             "member")  # fmt: skip
    added = live.json("openstack", "image", "add", "project", image, made_project["id"])
    assert added["status"] == "pending"
    members = live.json("openstack", "image", "member", "list", image)
    assert [m["Member ID"] for m in members] == [made_project["id"]]
    member = _as_member(live, project, f"user-{suffix}", password)
    listed = member.json("openstack", "image", "list", "--shared", "--member-status", "pending")
    assert [i["ID"] for i in listed] == [image]
    assert image not in [i["ID"] for i in member.json("openstack", "image", "list")]
    member.run("openstack", "image", "set", "--accept", image)
    assert image in [i["ID"] for i in member.json("openstack", "image", "list")]
    live.run("openstack", "image", "remove", "project", image, made_project["id"])
    assert image not in [i["ID"] for i in member.json("openstack", "image", "list")]
    live.run("openstack", "image", "delete", image)
