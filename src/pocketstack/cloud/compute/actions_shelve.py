"""Shelve, offload and unshelve a server; rescue and unrescue it."""

from __future__ import annotations

import falcon

from pocketstack.cloud.compute import actions_images, fleet, policy, server_ports, states
from pocketstack.cloud.compute.action_requests import Rescue, Unshelve
from pocketstack.cloud.compute.actions_base import (
    Call,
    Entry,
    Reply,
    check_state,
    generated_password,
)
from pocketstack.cloud.compute.requests import Keep, ServerAction
from pocketstack.cloud.errors import BadRequest, Conflict
from pocketstack.cloud.image import lookup, snapshots

_SHELVABLE = (states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED)
_RESCUABLE = (states.ACTIVE, states.STOPPED, states.ERROR)


def _shelve(call: Call, action: ServerAction) -> Reply | None:
    call.member("os-shelve:shelve")
    row = call.row
    check_state("shelve", row, _SHELVABLE)
    # Nova snapshots a server booted from an image as "<name>-shelved": it comes back from it.
    props = actions_images.snapshot_properties(call, row, "snapshot")
    row.shelved_image_id = actions_images.take_snapshot(
        call, name=f"{row.display_name}-shelved", properties=props
    )
    call.start(states.SHELVING)
    return None


def drop_shelved_image(call: Call) -> None:
    """The shelve's image, once the server no longer needs it (unshelved or deleted)."""
    row = call.row
    if row.shelved_image_id is not None:
        snapshots.delete(call.deps, call.session, row.shelved_image_id)
        row.shelved_image_id = None


def _shelve_offload(call: Call, action: ServerAction) -> Reply | None:
    call.admin("os-shelve:shelve_offload")
    check_state("shelveOffload", call.row, (states.SHELVED,))
    call.start(states.SHELVING_OFFLOADING)
    return None


def _unshelve(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, Unshelve)
    call.member("os-shelve:unshelve")
    row = call.row
    check_state("unshelve", row, (states.SHELVED, states.SHELVED_OFFLOADED))
    asked = action.availability_zone is not Keep.KEEP or action.host is not None
    if action.host is not None:
        policy.admin_api(call.ctx, "os_compute_api:os-shelve:unshelve_to_host")
    if asked and row.vm_state != states.SHELVED_OFFLOADED:
        raise Conflict(
            f"The availability_zone or host of instance {row.uuid} can only be chosen when it"
            " is shelved offloaded."
        )
    zone = row.pinned_availability_zone
    if isinstance(action.availability_zone, str) or action.availability_zone is None:
        zone = action.availability_zone
        if zone is not None and zone not in fleet.compute_zones(call.session):
            raise BadRequest("The requested availability zone is not available")
    hosts = None
    if action.host is not None:
        if action.host not in fleet.compute_hosts(call.session):
            raise BadRequest(f"Compute host {action.host} could not be found.")
        hosts = [action.host]
    if row.vm_state == states.SHELVED_OFFLOADED:
        placement = fleet.pick_host(
            call.session, vcpus=row.vcpus, memory_mb=row.memory_mb,
            disk_gb=row.root_gb + row.ephemeral_gb, availability_zone=zone, hosts=hosts,
        )  # fmt: skip
        if placement is None:
            # As Nova's conductor: the server stays offloaded, the request was accepted.
            return None
        row.host = row.node = placement.host
        server_ports.rebind(call.session, row, call.now)
        row.availability_zone = placement.availability_zone
        if action.availability_zone is not Keep.KEEP:
            row.pinned_availability_zone = zone
    drop_shelved_image(call)
    call.start(states.UNSHELVING)
    return None


def _rescue(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, Rescue)
    call.member("os-rescue")
    check_state("rescue", call.row, _RESCUABLE)
    if action.rescue_image is not None:
        image = lookup.find_visible(
            call.session, action.rescue_image, project_id=call.ctx.project_id,
            is_admin=call.ctx.is_admin,
        )  # fmt: skip
        if image is None:
            raise BadRequest(f"Image {action.rescue_image} could not be found.")
    call.start(states.RESCUING)
    return Reply(falcon.HTTP_200, {"adminPass": action.admin_pass or generated_password()})


def _unrescue(call: Call, action: ServerAction) -> Reply | None:
    call.member("os-unrescue")
    check_state("unrescue", call.row, (states.RESCUED,))
    call.start(states.UNRESCUING)
    return None


HANDLERS: dict[str, Entry] = {
    "shelve": Entry(_shelve, "shelve"),
    "shelveOffload": Entry(_shelve_offload, "shelveOffload"),
    "unshelve": Entry(_unshelve, "unshelve"),
    "rescue": Entry(_rescue, "rescue"),
    "unrescue": Entry(_unrescue, "unrescue"),
}
