"""Image's part of `manage seed`: a few public images besides bootstrap's cirros."""

from __future__ import annotations

import json

from sqlalchemy import select

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from pocketstack.cloud.store.models.image import Image

# Besides bootstrap's cirros, so that image filters and image-name columns have a choice.
SEED_IMAGES = (
    ("8c3a2d0e-5b1f-4f0e-9a57-1d2c3b4a5e01", "ubuntu-24.04-server-cloudimg-amd64", "ubuntu"),
    ("8c3a2d0e-5b1f-4f0e-9a57-1d2c3b4a5e02", "fedora-cloud-41-x86_64", "fedora"),
    ("8c3a2d0e-5b1f-4f0e-9a57-1d2c3b4a5e03", "debian-12-genericcloud-amd64", "debian"),
)


def ensure_seed_images(deps: CloudDeps) -> None:
    now = deps.clock.now()
    with deps.store.session(write=True) as session:
        for image_id, name, distro in SEED_IMAGES:
            if session.get(Image, image_id) is not None:
                continue
            session.add(
                Image(
                    id=image_id, name=name, status="active", visibility="public",
                    protected=False, os_hidden=False, owner=None, container_format="bare",
                    disk_format="qcow2", size=None, virtual_size=None, checksum=None,
                    os_hash_algo=None, os_hash_value=None, min_disk=0, min_ram=0, tags="[]",
                    properties=json.dumps({"os_distro": distro}),
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip


def active_image_ids(deps: CloudDeps) -> list[str]:
    """The ids of the active images, cirros when there are none."""
    with deps.store.session() as session:
        ids = list(session.scalars(select(Image.id).where(Image.status == "active")))
    return ids or [CIRROS_ID]
