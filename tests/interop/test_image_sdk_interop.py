"""Image data with genuine openstacksdk against a real `pocketstack serve`: `conn.create_image`
from a file (the direct upload the SDK picks by default, and the `glance-direct` import it does
on request), `conn.download_image` giving the same bytes back (checked by the SDK against the
image's checksum as it downloads), and sharing the image with another project through
`conn.image.add_member` / `update_member`."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop

# Run in the interop venv; prints one JSON object. Every step is in this one process: an SDK
# start costs seconds on a loaded machine.
CLIENT = """
import hashlib, json, sys, warnings
warnings.simplefilter("ignore")
import openstack

mode, args = sys.argv[1], sys.argv[2:]
conn = openstack.connect()


def shown(image):
    image = conn.image.get_image(image)
    return {"id": image.id, "status": image.status, "size": image.size,
            "checksum": image.checksum, "os_hash_algo": image.hash_algo,
            "os_hash_value": image.hash_value,
            "md5_property": (image.properties or {}).get("owner_specified.openstack.md5")}


if mode == "round-trip":
    name, source, target, use_import = args
    made = conn.create_image(name, filename=source, disk_format="raw",
                             container_format="bare", wait=True, validate_checksum=True,
                             use_import=use_import == "import")
    with open(target, "wb") as out:
        conn.download_image(name, output_file=out)
    out = shown(made.id)
    conn.delete_image(made.id, wait=True)
    out["gone"] = conn.image.find_image(made.id) is None
elif mode == "share":
    name, source, suffix = args
    made = conn.create_image(name, filename=source, disk_format="raw",
                             container_format="bare", wait=True, visibility="shared")
    project = conn.identity.create_project(name=f"sdk-share-{suffix}", domain_id="default")
    user = conn.identity.create_user(name=f"sdk-user-{suffix}", password="sdk-secret",
                                     default_project_id=project.id, domain_id="default")
    role = conn.identity.find_role("member", ignore_missing=False)
    conn.identity.assign_project_role_to_user(project, user, role)
    try:
        other = openstack.connect(username=user.name, password="sdk-secret",
                                  project_name=project.name, user_domain_name="Default",
                                  project_domain_name="Default")
        before = other.image.find_image(made.id) is not None
        added = conn.image.add_member(made.id, member=project.id)
        updated = other.image.update_member(project.id, made.id, status="accepted")
        listed = [i.id for i in other.image.images(member_status="accepted")]
        members = [[m.member_id, m.status] for m in conn.image.members(made.id)]
        data = other.image.download_image(made.id)
        out = {"project": project.id, "seen_before": before,
               "added": [added.member_id, added.status],
               "updated": [updated.member_id, updated.status],
               "listed": made.id in listed, "members": members,
               "downloaded_md5": hashlib.md5(data.content).hexdigest()}
    finally:
        conn.delete_image(made.id)
        conn.identity.delete_user(user)
        conn.identity.delete_project(project)
print(json.dumps(out))
"""


@pytest.fixture
def sdk(live: Live, tmp_path: Path) -> Any:
    script = tmp_path / "image_sdk_client.py"
    script.write_text(CLIENT)

    def run(*argv: str) -> Any:
        return json.loads(live.run("python", str(script), *argv).strip().splitlines()[-1])

    return run


def _data_file(path: Path, size: int) -> bytes:
    # Larger than the API's request size limit, so that only the image data path takes it.
    data = os.urandom(size)
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("flow", ["upload", "import"])
def test_create_image_from_a_file_and_download_it(sdk: Any, tmp_path: Path, flow: str) -> None:
    data = _data_file(tmp_path / "disk.raw", 3 * 1024 * 1024 + 4099)
    target = tmp_path / "downloaded.raw"
    name = f"sdk-{flow}-{uuid.uuid4().hex[:8]}"
    image = sdk("round-trip", name, str(tmp_path / "disk.raw"), str(target), flow)
    assert (image["status"], image["size"]) == ("active", len(data))
    md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert image["checksum"] == md5
    # With validate_checksum the SDK records the file's own hash as a property, and checks the
    # cloud's checksum against it once the data is in.
    assert image["md5_property"] == md5
    assert image["os_hash_algo"] == "sha512"
    assert image["os_hash_value"] == hashlib.sha512(data).hexdigest()
    assert target.read_bytes() == data
    assert image["gone"] is True


def test_share_an_image_with_add_member_and_update_member(sdk: Any, tmp_path: Path) -> None:
    data = _data_file(tmp_path / "shared.raw", 1024 * 1024 + 1)
    suffix = uuid.uuid4().hex[:8]
    shared = sdk("share", f"sdk-shared-{suffix}", str(tmp_path / "shared.raw"), suffix)
    project = shared["project"]
    assert shared["seen_before"] is False
    assert shared["added"] == [project, "pending"]
    assert shared["updated"] == [project, "accepted"]
    assert shared["members"] == [[project, "accepted"]]
    assert shared["listed"] is True
    assert shared["downloaded_md5"] == hashlib.md5(data, usedforsecurity=False).hexdigest()
