"""Nova's deprecated image proxy (`/images`, up to 2.35) as the genuine clients read it, against
a real `pocketstack serve`: the images a user sees through compute are the image service's.

openstacksdk is the one client left that reads it (`conn.compute.images()`, `get_image`, the
image metadata calls); novaclient's own image listing (its GlanceManager, what `nova boot` uses
to find images) asks the image service directly, so here it is one of the image service's views
the proxy is compared with; OSC reads images from the image service only.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop

# Run in the interop venv: one JSON line per call. The proxy's last microversion is 2.35.
CLIENT = """
import json, os, sys, warnings
warnings.simplefilter("ignore")
import openstack
from openstack import exceptions
from novaclient import client as nova

conn = openstack.connect()
mode, args = sys.argv[1], sys.argv[2:]


def proxy(image):
    return {"id": image.id, "name": image.name, "status": image.status,
            "min_ram": image.min_ram, "min_disk": image.min_disk, "size": image.size,
            "progress": image.progress, "metadata": image.metadata}


def glance(image):
    return {"id": image.id, "name": image.name, "status": image.status,
            "min_ram": image.min_ram, "min_disk": image.min_disk, "size": image.size,
            "properties": image.properties or {}, "os_distro": image.os_distro}


if mode == "create":
    name, visibility = args
    body = {"name": name, "visibility": visibility, "min_ram": 128, "min_disk": 2,
            "disk_format": "qcow2", "container_format": "bare", "os_distro": "cirros"}
    out = conn.image.post("/images", json=body).json()["id"]
elif mode == "views":
    novaclient = nova.Client("2.1", session=conn.session,
                             region_name=os.environ["OS_REGION_NAME"])
    out = {
        "proxy": [proxy(i) for i in conn.compute.images()],
        "proxy_brief": [[i.id, i.name] for i in conn.compute.images(details=False)],
        "glance": [glance(i) for i in conn.image.images()],
        "novaclient": [[i.id, i.name] for i in novaclient.glance.list()],
    }
elif mode == "get":
    found = {}
    for name, read in (("proxy", lambda: proxy(conn.compute.get_image(args[0]))),
                       ("glance", lambda: glance(conn.image.get_image(args[0])))):
        try:
            found[name] = read()
        except exceptions.NotFoundException:
            found[name] = None
    out = found
elif mode == "metadata":
    image, key, value = args
    conn.compute.set_image_metadata(image, **{key: value})
    out = {"set": {"proxy": conn.compute.fetch_image_metadata(image).metadata,
                   "glance": glance(conn.image.get_image(image))}}
    conn.compute.delete_image_metadata(image, [key])
    out["deleted"] = {"proxy": conn.compute.fetch_image_metadata(image).metadata,
                      "glance": glance(conn.image.get_image(image))}
elif mode == "delete":
    conn.compute.delete_image(args[0], ignore_missing=False)
    out = conn.image.find_image(args[0]) is None
elif mode == "gone":
    try:
        list(conn.compute.images())
        out = "listed"
    except exceptions.NotFoundException as exc:
        out = exc.status_code
print(json.dumps(out))
"""

# Nova's image status for each of the image service's (its proxy's _STATUS map).
STATUS = {"active": "ACTIVE", "queued": "SAVING", "saving": "SAVING", "killed": "ERROR",
          "deleted": "DELETED", "pending_delete": "DELETED"}  # fmt: skip


class Client:
    def __init__(self, live: Live, script: Path, **env: str) -> None:
        self.live = Live(live.venv, {**live.env, **env}, live.workdir)
        self.script = script

    def __call__(self, *argv: str) -> Any:
        return json.loads(self.live.run("python", str(self.script), *argv))


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "images_client.py"
    path.write_text(CLIENT)
    return path


@pytest.fixture
def admin(live: Live, script: Path) -> Client:
    return Client(live, script, OS_COMPUTE_API_VERSION="2.35")


def _check_views(views: dict[str, Any]) -> list[str]:
    """The proxy's listings against the image service's; the ids listed."""
    glance = {i["id"]: i for i in views["glance"]}
    proxy = {i["id"]: i for i in views["proxy"]}
    assert sorted(proxy) == sorted(glance)
    assert sorted(map(tuple, views["proxy_brief"])) == sorted(
        (i["id"], i["name"]) for i in views["glance"]
    )
    assert sorted(map(tuple, views["novaclient"])) == sorted(
        (i["id"], i["name"]) for i in views["glance"]
    )
    for image_id, shown in proxy.items():
        source = glance[image_id]
        assert shown["name"] == source["name"]
        assert shown["status"] == STATUS[source["status"]]
        assert shown["progress"] == {"active": 100, "queued": 25}.get(source["status"], 0)
        assert (shown["min_ram"], shown["min_disk"]) == (source["min_ram"], source["min_disk"])
        assert shown["size"] == source["size"]
    return sorted(proxy)


def test_the_proxy_lists_and_shows_what_the_image_service_does(
    live: Live, admin: Client, script: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    private = admin("create", f"proxy-private-{suffix}", "private")
    project, user, password = f"proxy-project-{suffix}", f"proxy-user-{suffix}", "proxy-secret"
    live.run("openstack", "project", "create", project)
    live.run("openstack", "user", "create", "--project", project, "--password", password, user)
    live.run("openstack", "role", "add", "--project", project, "--user", user, "member")
    other = Client(live, script, OS_COMPUTE_API_VERSION="2.35", OS_USERNAME=user,
                   OS_PASSWORD=password, OS_PROJECT_NAME=project)  # fmt: skip
    try:
        seen = _check_views(admin("views"))
        assert {CIRROS_ID, private} <= set(seen)
        shown = admin("get", private)
        assert shown["proxy"]["name"] == f"proxy-private-{suffix}"
        # No data was uploaded: queued in the image service, SAVING through compute.
        assert (shown["glance"]["status"], shown["proxy"]["status"]) == ("queued", "SAVING")
        assert (shown["proxy"]["min_ram"], shown["proxy"]["min_disk"]) == (128, 2)
        assert shown["proxy"]["metadata"] == {"os_distro": "cirros"}
        # openstacksdk knows os_distro as an image attribute, not an extra property.
        assert shown["glance"]["os_distro"] == "cirros"
        cirros = admin("get", CIRROS_ID)
        assert (cirros["proxy"]["status"], cirros["proxy"]["progress"]) == ("ACTIVE", 100)
        assert cirros["proxy"]["size"] == cirros["glance"]["size"]

        # Another project's member sees the public images, not the admin project's private one,
        # through either service.
        theirs = _check_views(other("views"))
        assert CIRROS_ID in theirs
        assert private not in theirs
        assert other("get", private) == {"proxy": None, "glance": None}
    finally:
        live.run("openstack", "user", "delete", user)
        live.run("openstack", "project", "delete", project)
        live.run("openstack", "image", "delete", private)


def test_metadata_and_delete_through_the_proxy_change_the_image(admin: Client) -> None:
    image = admin("create", f"proxy-meta-{uuid.uuid4().hex[:8]}", "private")
    changed = admin("metadata", image, "purpose", "interop")
    assert changed["set"]["proxy"] == {"os_distro": "cirros", "purpose": "interop"}
    assert changed["set"]["glance"]["properties"]["purpose"] == "interop"
    assert changed["set"]["glance"]["os_distro"] == "cirros"
    assert changed["deleted"]["proxy"] == {"os_distro": "cirros"}
    assert "purpose" not in changed["deleted"]["glance"]["properties"]
    assert changed["deleted"]["glance"]["os_distro"] == "cirros"
    assert admin("delete", image) is True
    assert image not in {i["id"] for i in admin("views")["proxy"]}


def test_the_proxy_is_gone_from_2_36(live: Live, script: Path) -> None:
    assert Client(live, script, OS_COMPUTE_API_VERSION="2.36")("gone") == 404
