"""Building new servers from a checked create request: their rows, metadata, tags and host.

The request is validated and typed before it gets here (ServerCreate); this finds its flavor,
image, networks and host for the caller, writes one Instance per server asked for, and hands
each to the driver to place and boot.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import secrets
import string
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import (
    driver,
    fleet,
    keypair_db,
    placement_hints,
    quotas,
    server_group_db,
    server_ports,
    states,
)
from pocketstack.cloud.compute.requests import ServerCreate
from pocketstack.cloud.compute.server_create import DEFAULT_AZ
from pocketstack.cloud.errors import BadRequest, Forbidden
from pocketstack.cloud.image import lookup
from pocketstack.cloud.network import for_compute
from pocketstack.cloud.store.models.compute import (
    Flavor,
    FlavorProject,
    Instance,
    InstanceMetadata,
    InstanceTag,
)
from pocketstack.cloud.store.models.server_group import ServerGroup, ServerGroupMember

if TYPE_CHECKING:
    from pocketstack.cloud.controls.servers import Build

_HOSTNAME_BAD = re.compile(r"[^a-z0-9.-]+")


@dataclasses.dataclass(frozen=True)
class Created:
    first_id: str
    reservation_id: str
    # Every server the request made, in launch order.
    rows: tuple[Instance, ...]


def create_servers(
    session: Session,
    spec: ServerCreate,
    *,
    ctx: RequestContext,
    now: dt.datetime,
    delay: float,
    test_controls: bool = False,
) -> Created:
    """Writes the servers `spec` asks for: max_count of them when the project's quota has room,
    else as many as fit if that is at least min_count (Nova's rule), else 403.

    Call in a write transaction: the quota check holds the project's lock until it commits, so
    two creates can never together pass a limit. Every server of one request shares a
    reservation id; with more than one, names get a -1, -2, ... suffix, as Nova does.
    """
    # servers:create is declared project-scoped (compute/api): a token without a project
    # never gets here.
    assert ctx.project_id is not None
    flavor = _flavor_for(session, ctx, spec.flavor_id)
    image = _image_for(session, ctx, spec.image_id)
    _check_flavor_fits(flavor, image)
    nics = server_ports.requested_nics(
        session, ctx, spec.networks, project_id=ctx.project_id, count=spec.max_count
    )
    # Nova lowers max_count to what the port quota has room for, and refuses below min_count.
    max_count = for_compute.servers_with_ports(session, ctx.project_id, nics, spec.max_count)
    if max_count < spec.min_count:
        raise Forbidden("Maximum number of ports exceeded")
    groups = for_compute.group_ids(session, ctx.project_id, spec.security_groups, now)
    _check_key_name(session, ctx, spec.key_name)
    _check_availability_zone(session, spec.availability_zone)
    hosts = placement_hints.narrowed(session, spec.scheduler_hints, _requested_hosts(session, spec))
    quotas.check_metadata_items(
        session, project_id=ctx.project_id, user_id=ctx.user_id, count=len(spec.metadata)
    )
    quotas.check_injected_files(
        session, project_id=ctx.project_id, user_id=ctx.user_id, files=spec.personality
    )
    count = quotas.claim_instances(
        session, project_id=ctx.project_id, user_id=ctx.user_id, vcpus=flavor.vcpus,
        memory_mb=flavor.memory_mb, min_count=spec.min_count, max_count=max_count,
    )  # fmt: skip
    group = _group_for(session, ctx, spec, requested=count)
    reservation = "r-" + "".join(
        secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8)
    )
    made: list[Instance] = []
    for index in range(count):
        row = _new_instance(
            spec, ctx=ctx, flavor=flavor, image=image, now=now, index=index,
            reservation=reservation, multiple=count > 1,
        )  # fmt: skip
        session.add(row)
        # The row's id is the driver's sequence number: it picks the host and the addresses.
        session.flush()
        for key, value in spec.metadata.items():
            session.add(InstanceMetadata(instance_id=row.id, key=key, value=value))
        for tag in spec.tags:
            session.add(InstanceTag(instance_id=row.id, tag=tag))
        if group is not None:
            server_group_db.add_member(session, group, row.uuid)
        placement = _place(session, flavor, spec, hosts=hosts, group=group)
        build = _build_fault(session, row, ctx) if test_controls and placement else None
        if placement is None:
            driver.no_valid_host(row, now=now, message=fleet.NO_VALID_HOST)
        elif build is not None and build.fault is not None:
            # A build that fails ends as one no host took: ERROR, the fault, nowhere.
            driver.no_valid_host(row, now=now, message=build.fault)
        else:
            row.availability_zone = placement.availability_zone
            # Its addresses are its ports', not the driver's made-up ones.
            driver.schedule(row, host=placement.host, seq=row.id, networked=False)
            server_ports.attach(session, row, nics, group_ids=groups, now=now)
            held = build.seconds if build is not None and build.seconds is not None else delay
            driver.start_transition(row, states.SPAWNING, now=now, delay=held)
        # The next server of this request is placed knowing where this one went.
        session.flush()
        made.append(row)
    assert made  # the schema: max_count >= 1
    return Created(made[0].uuid, reservation, tuple(made))


def _build_fault(session: Session, row: Instance, ctx: RequestContext) -> Build | None:
    """A test-controls rule for this server's build (only asked when they are on)."""
    from pocketstack.cloud.controls.servers import on_build

    return on_build(session, row.uuid, ctx.project_id)


def _check_availability_zone(session: Session, zone: str | None) -> None:
    if zone is not None and zone not in fleet.compute_zones(session):
        raise BadRequest("The requested availability zone is not available")


def _check_key_name(session: Session, ctx: RequestContext, key_name: str | None) -> None:
    # Nova looks the key up among the caller's own.
    if key_name is not None and not keypair_db.has_keypair(
        session, user_id=ctx.user_id, name=key_name
    ):
        raise BadRequest("Invalid key_name provided.")


def _requested_hosts(session: Session, spec: ServerCreate) -> list[str] | None:
    """The host an admin asked for (2.74), which must be one of the fleet's compute hosts."""
    wanted = [h for h in (spec.host, spec.hypervisor_hostname) if h is not None]
    known = fleet.compute_hosts(session)
    for host in wanted:
        if host not in known:
            raise BadRequest(f"Compute host {host} could not be found.")
    return wanted or None


def _group_hint(spec: ServerCreate) -> str | None:
    hints = json.loads(spec.scheduler_hints or "{}")
    group = hints.get("group") if isinstance(hints, dict) else None
    # Nova's hint schema takes one uuid or a list of them, of which it uses the first.
    if isinstance(group, list):
        group = group[0] if group else None
    return group if isinstance(group, str) else None


def _group_for(
    session: Session, ctx: RequestContext, spec: ServerCreate, *, requested: int
) -> ServerGroup | None:
    """The server group the `group` hint names, locked (after the project's quota lock) with
    room checked for `requested` more members."""
    hint = _group_hint(spec)
    if hint is None:
        return None
    group = server_group_db.group_for_hint(session, ctx, hint)
    assert ctx.project_id is not None
    quotas.check_server_group_members(
        session, project_id=ctx.project_id, user_id=ctx.user_id, group_id=group.uuid,
        count=lambda: _members_of_user(session, group, ctx.user_id), requested=requested,
    )  # fmt: skip
    return group


def _members_of_user(session: Session, group: ServerGroup, user_id: str) -> int:
    """The group's live members that `user_id` owns: what Nova counts against that user's
    server_group_members."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(ServerGroupMember)
            .join(Instance, Instance.uuid == ServerGroupMember.instance_uuid)
            .where(
                ServerGroupMember.group_id == group.id,
                Instance.user_id == user_id,
                Instance.deleted.is_(False),
            )
        )
        or 0
    )


def _place(
    session: Session,
    flavor: Flavor,
    spec: ServerCreate,
    *,
    hosts: list[str] | None,
    group: ServerGroup | None,
) -> fleet.Placement | None:
    """A host for one server: the fleet's best with room, within what the group's policy
    allows (hard policies filter, soft ones only order the candidates)."""
    disk = flavor.root_gb + flavor.ephemeral_gb
    if group is None:
        return fleet.pick_host(
            session, vcpus=flavor.vcpus, memory_mb=flavor.memory_mb, disk_gb=disk,
            availability_zone=spec.availability_zone, hosts=hosts,
        )  # fmt: skip
    candidates = hosts if hosts is not None else sorted(fleet.compute_hosts(session))
    fleet.lock_hosts(session, candidates)
    for host in server_group_db.placement_for(session, group).hosts(candidates):
        placement = fleet.pick_host(
            session, vcpus=flavor.vcpus, memory_mb=flavor.memory_mb, disk_gb=disk,
            availability_zone=spec.availability_zone, hosts=[host],
        )  # fmt: skip
        if placement is not None:
            return placement
    return None


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


def _check_flavor_fits(flavor: Flavor, image: lookup.ImageInfo) -> None:
    """Nova's check of the image's minimums against the flavor (a flavor of no root disk
    boots from a volume: its disk is not checked)."""
    if image.min_ram > flavor.memory_mb:
        raise BadRequest("Flavor's memory is too small for requested image.")
    if flavor.root_gb and image.min_disk > flavor.root_gb:
        gib = 1 << 30
        raise BadRequest(
            "Flavor's disk is smaller than the minimum size specified in image metadata. Flavor"
            f" disk is {flavor.root_gb * gib} bytes, minimum size is {image.min_disk * gib} bytes."
        )


def hostname_for(name: str) -> str:
    hostname = _HOSTNAME_BAD.sub("-", name.lower()).strip("-.")[:63]
    return hostname or "server"


def _new_instance(
    spec: ServerCreate,
    *,
    ctx: RequestContext,
    flavor: Flavor,
    image: lookup.ImageInfo,
    now: dt.datetime,
    index: int,
    reservation: str,
    multiple: bool,
) -> Instance:
    name = spec.name
    if multiple:
        name = f"{name}-{index + 1}"
    hostname = spec.hostname if spec.hostname is not None else hostname_for(name)
    assert ctx.project_id is not None
    return Instance(
        uuid=str(uuid.uuid4()),
        project_id=ctx.project_id,
        user_id=ctx.user_id,
        display_name=name,
        display_description=spec.description,
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
        pinned_availability_zone=spec.availability_zone,
        key_name=spec.key_name,
        config_drive="True" if spec.config_drive else "",
        access_ip_v4=spec.access_ip_v4,
        access_ip_v6=spec.access_ip_v6,
        auto_disk_config=spec.auto_disk_config,
        kernel_id="",
        ramdisk_id="",
        root_device_name="/dev/vda",
        user_data=spec.user_data,
        locked=False,
        addresses="[]",
        ip4="",
        ip6="",
        scheduler_hints=spec.scheduler_hints,
        created_at=now,
        updated_at=now,
        deleted=False,
    )
