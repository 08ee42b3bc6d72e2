"""First-run image contents: a public, active cirros image (metadata only)."""

from __future__ import annotations

import json

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.image import Image

CIRROS_ID = "6f3b4f1e-0b8e-4b43-9c3c-3f5a1c2b9d01"
CIRROS_NAME = "cirros-0.6.2-x86_64-disk"


def bootstrap_image(deps: CloudDeps) -> None:
    """Idempotent: the image is created once, with a fixed id."""
    with deps.store.session(write=True) as session:
        if session.get(Image, CIRROS_ID) is not None:
            return
        now = deps.clock.now()
        session.add(
            Image(
                id=CIRROS_ID, name=CIRROS_NAME, status="active", visibility="public",
                protected=False, os_hidden=False, owner=None, container_format="bare",
                disk_format="qcow2", size=21430272, virtual_size=117440512,
                checksum="c8fc807773e5354afe61636071771906", os_hash_algo="sha512",
                os_hash_value=None, min_disk=0, min_ram=0, tags="[]",
                properties=json.dumps({"hw_rng_model": "virtio", "os_distro": "cirros"}),
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
