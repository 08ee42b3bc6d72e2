"""The image service's functions for other services: which image a project may boot from."""

from __future__ import annotations

import json

import pytest

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image.bootstrap import CIRROS_ID, CIRROS_NAME, bootstrap_image
from pocketstack.cloud.image.lookup import find_visible
from pocketstack.cloud.store.models.image import Image
from pocketstack.cloud.store.models.image_member import ImageMember


def _add(deps: CloudDeps, image_id: str, *, visibility: str, owner: str | None) -> None:
    now = deps.clock.now()
    with deps.store.session(write=True) as session:
        session.add(
            Image(
                id=image_id, name=image_id, status="queued", visibility=visibility,
                owner=owner, min_disk=2, min_ram=512, tags="[]",
                properties=json.dumps({"os_distro": "x", "empty": None}),
                created_at=now, updated_at=now,
            )
        )  # fmt: skip


def test_public_image_as_a_plain_value(cloud_deps: CloudDeps) -> None:
    bootstrap_image(cloud_deps)
    with cloud_deps.store.session() as session:
        image = find_visible(session, CIRROS_ID, project_id="p1", is_admin=False)
    assert image is not None
    assert (image.id, image.name, image.status, image.active) == (
        CIRROS_ID, CIRROS_NAME, "active", True
    )  # fmt: skip
    assert (image.min_disk, image.min_ram) == (0, 0)
    assert image.properties["os_distro"] == "cirros"


@pytest.mark.parametrize(
    ("visibility", "project_id", "is_admin", "seen"),
    [
        ("private", "owner", False, True),
        ("private", "other", False, False),
        ("private", None, False, False),
        ("private", "other", True, True),
        ("shared", "other", False, False),
        ("community", "other", False, True),
    ],
)
def test_visibility(
    cloud_deps: CloudDeps, visibility: str, project_id: str | None, is_admin: bool, seen: bool
) -> None:
    _add(cloud_deps, "img", visibility=visibility, owner="owner")
    with cloud_deps.store.session() as session:
        image = find_visible(session, "img", project_id=project_id, is_admin=is_admin)
    assert (image is not None) == seen
    if image is not None:
        assert not image.active
        assert (image.min_disk, image.min_ram) == (2, 512)
        assert image.properties == {"os_distro": "x", "empty": None}


def test_unknown_image_is_none(cloud_deps: CloudDeps) -> None:
    with cloud_deps.store.session() as session:
        assert find_visible(session, "nope", project_id="p", is_admin=True) is None


@pytest.mark.parametrize("status", ["pending", "accepted", "rejected"])
def test_shared_image_seen_by_its_members_only(cloud_deps: CloudDeps, status: str) -> None:
    # A member boots from a shared image whatever its membership's status, as Glance shows it.
    _add(cloud_deps, "img", visibility="shared", owner="owner")
    now = cloud_deps.clock.now()
    with cloud_deps.store.session(write=True) as session:
        session.add(ImageMember(image_id="img", member="member", status=status,
                                created_at=now, updated_at=now))  # fmt: skip
    with cloud_deps.store.session() as session:
        assert find_visible(session, "img", project_id="member", is_admin=False) is not None
        assert find_visible(session, "img", project_id="other", is_admin=False) is None
