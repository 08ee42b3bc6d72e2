"""Building new servers from a checked create request: their rows, metadata, tags and host.

The request body is checked by server_create; this resolves its flavor and image for the caller,
writes one Instance per server asked for, and hands each to the driver to place and boot.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import string
import uuid
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import driver, states
from pocketstack.cloud.compute.server_create import DEFAULT_AZ
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.image import lookup
from pocketstack.cloud.store.models.compute import (
    Flavor,
    FlavorProject,
    Instance,
    InstanceMetadata,
    InstanceTag,
)

_HOSTNAME_BAD = re.compile(r"[^a-z0-9.-]+")


def create_servers(
    session: Session, spec: dict[str, Any], *, ctx: RequestContext, now: dt.datetime, delay: float
) -> str:
    """Writes the servers `spec` (parse_create's result) asks for; the first one's id.

    Every server of one request shares a reservation id; with more than one, names get a
    -1, -2, ... suffix, as Nova does.
    """
    flavor = _flavor_for(session, ctx, spec["flavorRef"])
    image = _image_for(session, ctx, spec["imageRef"])
    count = spec["max_count"]
    reservation = "r-" + "".join(
        secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8)
    )
    first: Instance | None = None
    for index in range(count):
        row = _new_instance(
            spec, ctx=ctx, flavor=flavor, image=image, now=now, index=index,
            reservation=reservation, multiple=count > 1,
        )  # fmt: skip
        session.add(row)
        # The row's id is the driver's sequence number: it picks the host and the addresses.
        session.flush()
        for key, value in spec["metadata"].items():
            session.add(InstanceMetadata(instance_id=row.id, key=key, value=value))
        for tag in spec["tags"]:
            session.add(InstanceTag(instance_id=row.id, tag=tag))
        driver.schedule(row, seq=row.id, networked=spec["networks"] != "none")
        driver.start_transition(row, states.SPAWNING, now=now, delay=delay)
        first = first or row
    assert first is not None  # parse_create: max_count >= 1
    return first.uuid


def _flavor_for(session: Session, ctx: RequestContext, flavor_ref: str) -> Flavor:
    flavor = session.get(Flavor, flavor_ref)
    if flavor is not None and not flavor.is_public and not ctx.is_admin:
        access = session.get(FlavorProject, (flavor.id, ctx.project_id or ""))
        flavor = flavor if access is not None else None
    if flavor is None or flavor.disabled:
        raise BadRequest(f"Flavor {flavor_ref} could not be found.")
    return flavor


def _image_for(session: Session, ctx: RequestContext, image_ref: str) -> lookup.ImageInfo:
    image = lookup.find_visible(
        session, image_ref, project_id=ctx.project_id, is_admin=ctx.is_admin
    )
    if image is None:
        raise BadRequest(f"Image {image_ref} could not be found.")
    if not image.active:
        raise BadRequest(f"Image {image_ref} is not active.")
    return image


def hostname_for(name: str) -> str:
    hostname = _HOSTNAME_BAD.sub("-", name.lower()).strip("-.")[:63]
    return hostname or "server"


def _new_instance(
    spec: dict[str, Any],
    *,
    ctx: RequestContext,
    flavor: Flavor,
    image: lookup.ImageInfo,
    now: dt.datetime,
    index: int,
    reservation: str,
    multiple: bool,
) -> Instance:
    name = spec["name"]
    if multiple:
        name = f"{name}-{index + 1}"
    hostname = spec["hostname"] if isinstance(spec["hostname"], str) else hostname_for(name)
    # servers:create is declared project-scoped (compute/api.py): a token without a project
    # never gets here.
    assert ctx.project_id is not None
    return Instance(
        uuid=str(uuid.uuid4()),
        project_id=ctx.project_id,
        user_id=ctx.user_id,
        display_name=name,
        display_description=spec["description"],
        hostname=hostname,
        reservation_id=reservation,
        launch_index=index,
        image_ref=image.id,
        flavor_id=flavor.id,
        flavor_name=flavor.name,
        vcpus=flavor.vcpus,
        memory_mb=flavor.memory_mb,
        root_gb=flavor.root_gb,
        ephemeral_gb=flavor.ephemeral_gb,
        swap=flavor.swap,
        flavor_extra_specs=flavor.extra_specs,
        image_properties=json.dumps(
            {k: v for k, v in image.properties.items() if v is not None}, ensure_ascii=False
        ),
        vm_state=states.BUILDING,
        task_state=None,
        power_state=states.NOSTATE,
        progress=0,
        availability_zone=DEFAULT_AZ,
        pinned_availability_zone=spec["availability_zone"],
        key_name=spec["key_name"],
        config_drive=spec["config_drive"],
        access_ip_v4=spec["access_ip_v4"],
        access_ip_v6=spec["access_ip_v6"],
        auto_disk_config=spec["auto_disk_config"],
        kernel_id="",
        ramdisk_id="",
        root_device_name="/dev/vda",
        user_data=spec["user_data"],
        locked=False,
        addresses="[]",
        ip4="",
        ip6="",
        scheduler_hints=spec["scheduler_hints"],
        created_at=now,
        updated_at=now,
        deleted=False,
    )
