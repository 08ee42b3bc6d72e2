"""createImage and createBackup: a snapshot of the server made into an image of its project.

As Nova's compute API: the image is created at once (private, with the server's and its base
image's properties), the server passes through image_snapshot (or image_backup) while the fake
hypervisor "uploads" its disk, and the answer names the image: a Location header before 2.45,
`{"image_id": ...}` from 2.45. A backup keeps the newest `rotation` backups of its type.
"""

from __future__ import annotations

import json
import uuid

import falcon

from pocketstack.cloud.compute import quotas, states
from pocketstack.cloud.compute.action_requests import CreateImage
from pocketstack.cloud.compute.actions_base import Call, Entry, Reply, check_state
from pocketstack.cloud.compute.requests import ServerAction
from pocketstack.cloud.compute.routing import version_of
from pocketstack.cloud.image import snapshots
from pocketstack.cloud.store.models.compute import Instance

_SNAPSHOTTABLE = (states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED)
# Nova's non_inheritable_image_properties: a snapshot does not carry them over from its base.
_NOT_INHERITED = frozenset({
    "cache_in_nova", "bittorrent", "img_signature_hash_method", "img_signature",
    "img_signature_key_type", "img_signature_certificate_uuid",
})  # fmt: skip


def snapshot_properties(call: Call, row: Instance, image_type: str) -> dict[str, str]:
    """What Nova and its hypervisor driver write on a server's snapshot, over the properties
    of the image the server was booted from."""
    base = json.loads(row.image_properties or "{}")
    props = {k: str(v) for k, v in base.items() if k not in _NOT_INHERITED}
    props.update({
        "instance_uuid": row.uuid, "user_id": call.ctx.user_id, "image_type": image_type,
        "base_image_ref": row.image_ref, "owner_id": row.project_id,
        "boot_roles": ",".join(sorted(call.ctx.roles)), "image_location": "snapshot",
        "image_state": "available",
    })  # fmt: skip
    return props


def take_snapshot(call: Call, *, name: str, properties: dict[str, str]) -> str:
    """The server's snapshot as a new image of its project; its id."""
    row = call.row
    image_id = str(uuid.uuid4())
    snapshots.create(
        call.deps, call.session,
        snapshots.Snapshot(
            image_id=image_id, name=name, owner=row.project_id, server_uuid=row.uuid,
            base_image_id=row.image_ref, properties=properties,
            # Nova's image_min_disk: the larger of the base image's and the flavor's root disk.
            min_disk=row.root_gb, min_ram=0,
        ),
        now=call.now,
    )  # fmt: skip
    return image_id


def _answer(call: Call, image_id: str) -> Reply:
    if version_of(call.req).at_least("2.45"):
        return Reply(falcon.HTTP_202, {"image_id": image_id})
    # Nova's generate_image_url: the image service's endpoint and /images/<id>.
    base = call.deps.config.public_url.rstrip("/")
    return Reply(falcon.HTTP_202, headers={"Location": f"{base}/image/images/{image_id}"})


def _check_metadata(call: Call, action: CreateImage) -> None:
    # Up to 2.38 Nova counts the metadata against the metadata_items quota.
    if not version_of(call.req).at_least("2.39"):
        row = call.row
        quotas.check_metadata_items(
            call.session, project_id=row.project_id, user_id=row.user_id,
            count=len(action.metadata),
        )  # fmt: skip


def _create_image(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, CreateImage)
    call.member("servers:create_image")
    check_state("createImage", call.row, _SNAPSHOTTABLE)
    _check_metadata(call, action)
    props = snapshot_properties(call, call.row, "snapshot") | dict(action.metadata)
    image_id = take_snapshot(call, name=action.image_name, properties=props)
    call.start(states.IMAGE_SNAPSHOT)
    return _answer(call, image_id)


def _create_backup(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, CreateImage)
    assert action.backup_type is not None
    call.member("os-create-backup")
    row = call.row
    check_state("createBackup", row, _SNAPSHOTTABLE)
    _check_metadata(call, action)
    props = snapshot_properties(call, row, "backup") | dict(action.metadata)
    props["backup_type"] = action.backup_type
    image_id = take_snapshot(call, name=action.image_name, properties=props)
    # Nova's rotation: the newest `rotation` backups of this type stay (0: none, not even
    # the one just made).
    for old in snapshots.backups_to_rotate(
        call.session, owner=row.project_id, server_uuid=row.uuid,
        backup_type=action.backup_type, keep=action.rotation,
    ):  # fmt: skip
        snapshots.delete(call.deps, call.session, old)
    call.start(states.IMAGE_BACKUP)
    return _answer(call, image_id)


HANDLERS: dict[str, Entry] = {
    "createImage": Entry(_create_image, "createImage"),
    "createBackup": Entry(_create_backup, "createBackup"),
}
