"""Moving a server: resize (and its confirm and revert), cold migration and live migration.

A resize or cold migration puts the server on its new host with its new flavor at once and
waits in VERIFY_RESIZE; the `migration` row keeps the old host and flavor for a revert. The
fake hosts share nothing, so a move only has to find room (fleet.pick_host).
"""

from __future__ import annotations

import dataclasses
import json
import uuid

import falcon
from sqlalchemy import select

from pocketstack.cloud.compute import (
    fleet,
    placement_hints,
    policy,
    quotas,
    server_group_db,
    server_ports,
    states,
)
from pocketstack.cloud.compute.action_requests import Migrate, Resize
from pocketstack.cloud.compute.actions_base import Call, Entry, Reply, check_state
from pocketstack.cloud.compute.requests import ServerAction
from pocketstack.cloud.compute.servers import check_not_locked
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.store.models.compute import Flavor, FlavorProject, Instance
from pocketstack.cloud.store.models.instance_action import Migration
from pocketstack.cloud.store.models.server_group import ServerGroup, ServerGroupMember

_MOVABLE = (states.ACTIVE, states.STOPPED)


class NoValidHost(BadRequest):
    """The scheduler found no host for a move: a 400 where Nova's API waits for the answer
    (resize, migrate), the server's fault where it does not (evacuate)."""

    def __init__(self) -> None:
        super().__init__(fleet.NO_VALID_HOST)
_FLAVOR_FIELDS = ("vcpus", "memory_mb", "root_gb", "ephemeral_gb", "swap")


def flavor_copy(row: Instance) -> str:
    copy = {f: getattr(row, f) for f in _FLAVOR_FIELDS}
    copy |= {"id": row.flavor_id, "name": row.flavor_name, "extra_specs": row.flavor_extra_specs}
    return json.dumps(copy)


def _apply_flavor(row: Instance, copy: str) -> None:
    values = json.loads(copy)
    for field in _FLAVOR_FIELDS:
        setattr(row, field, values[field])
    row.flavor_id, row.flavor_name = values["id"], values["name"]
    row.flavor_extra_specs = values["extra_specs"]


def _find_flavor(call: Call, flavor_id: str) -> Flavor:
    flavor = call.session.get(Flavor, flavor_id)
    if flavor is not None and not flavor.is_public and not call.ctx.is_admin:
        access = call.session.get(FlavorProject, (flavor.id, call.ctx.project_id or ""))
        flavor = flavor if access is not None else None
    if flavor is None or flavor.disabled:
        raise BadRequest("Unable to locate requested flavor.")
    return flavor


def place_move(call: Call, *, hosts: list[str] | None, exclude: str | None = None) -> str:
    """The host a move goes to, as Nova's scheduler picks it from the server's request spec:
    in the zone the server was booted into (if it asked for one), within its server group's
    policy (the server itself no longer counting where it is) and its same_host/different_host
    hints, with room. The server's zone becomes the new host's."""
    row = call.row
    if hosts is None:
        hosts = sorted(fleet.compute_hosts(call.session) - ({exclude} if exclude else set()))
    hosts = placement_hints.narrowed(call.session, row.scheduler_hints, hosts) or []
    group = call.session.scalar(
        select(ServerGroup)
        .join(ServerGroupMember, ServerGroupMember.group_id == ServerGroup.id)
        .where(ServerGroupMember.instance_uuid == row.uuid)
    )
    if group is not None:
        rule = server_group_db.placement_for(call.session, group)
        used = dict(rule.used)
        if row.host in used:
            used[row.host] -= 1
        hosts = dataclasses.replace(rule, used={h: n for h, n in used.items() if n}).hosts(hosts)
        fleet.lock_hosts(call.session, hosts)
    for candidates in [[host] for host in hosts] if group is not None else [hosts]:
        placement = fleet.pick_host(
            call.session, vcpus=row.vcpus, memory_mb=row.memory_mb,
            disk_gb=row.root_gb + row.ephemeral_gb, hosts=candidates,
            availability_zone=row.pinned_availability_zone,
        )  # fmt: skip
        if placement is not None:
            row.availability_zone = placement.availability_zone
            return placement.host
    raise NoValidHost()


def _authorize_move(call: Call, rule: str, host: str | None) -> None:
    """Nova's defaults (2025.1+): a project manager moves a server where the scheduler puts
    it, only an admin names the host (`<rule>:host`); admins may act on a locked server."""
    if host:
        call.admin(f"os-migrate-server:{rule}:host")
        return
    policy.project_manager_or_admin(call.ctx, f"os_compute_api:os-migrate-server:{rule}")
    check_not_locked(call.ctx, call.row)


def _requested_host(call: Call, host: str | None) -> list[str] | None:
    if host is None:
        return None
    if host not in fleet.compute_hosts(call.session):
        raise BadRequest(f"Compute host {host} could not be found.")
    return [host]


def record_migration(
    call: Call, *, kind: str, status: str, new_flavor: str, host: str | None
) -> None:
    """The move's `migration` row: where from and to, and both flavors (a revert's way back)."""
    row = call.row
    call.session.add(
        Migration(
            uuid=str(uuid.uuid4()),
            instance_uuid=row.uuid,
            project_id=row.project_id,
            user_id=row.user_id,
            migration_type=kind,
            status=status,
            source_compute=row.host,
            dest_compute=host,
            old_flavor=flavor_copy(row),
            new_flavor=new_flavor,
            created_at=call.now,
            updated_at=call.now,
        )
    )


def _move(call: Call, *, kind: str, new_flavor: str, host: str) -> None:
    row = call.row
    record_migration(call, kind=kind, status="finished", new_flavor=new_flavor, host=host)
    _apply_flavor(row, new_flavor)
    row.host = row.node = host
    server_ports.rebind(call.session, row, call.now)
    call.start(states.RESIZE_PREP)


def _resize(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, Resize)
    call.member("servers:resize")
    row = call.row
    check_state("resize", row, _MOVABLE)
    flavor = _find_flavor(call, action.flavor_id)
    if flavor.id == row.flavor_id:
        raise BadRequest("When resizing, instances must change flavor!")
    quotas.check_upsize(
        call.session, project_id=row.project_id, user_id=row.user_id,
        cores=flavor.vcpus - row.vcpus, ram=flavor.memory_mb - row.memory_mb,
    )  # fmt: skip
    old = flavor_copy(row)
    new = {f: getattr(flavor, f) for f in _FLAVOR_FIELDS}
    new |= {"id": flavor.id, "name": flavor.name, "extra_specs": flavor.extra_specs}
    # Placement sees the server at its new size (Nova's allow_resize_to_same_host, as devstack
    # sets it: the same host may take it).
    _apply_flavor(row, json.dumps(new))
    try:
        host = place_move(call, hosts=None)
    finally:
        _apply_flavor(row, old)
    _move(call, kind="resize", new_flavor=json.dumps(new), host=host)
    if action.auto_disk_config is not None:
        row.auto_disk_config = action.auto_disk_config
    return None


def _migrate(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, Migrate)
    _authorize_move(call, "migrate", action.host)
    row = call.row
    check_state("migrate", row, _MOVABLE)
    host = place_move(call, hosts=_requested_host(call, action.host), exclude=row.host)
    if host == row.host:
        raise NoValidHost()
    _move(call, kind="migration", new_flavor=flavor_copy(row), host=host)
    return None


def _migrate_live(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, Migrate)
    _authorize_move(call, "migrate_live", action.host)
    row = call.row
    check_state("os-migrateLive", row, (states.ACTIVE, states.PAUSED))
    if action.host is not None and action.host == row.host:
        raise BadRequest(f"Unable to migrate instance ({row.uuid}) to current host ({row.host}).")
    host = place_move(call, hosts=_requested_host(call, action.host), exclude=row.host)
    # With a driver delay the migration runs until the transition settles (or is forced to
    # complete, or aborted: compute/migrations.py).
    status = "running" if call.deps.driver_delay > 0 else "completed"
    record_migration(call, kind="live-migration", status=status, new_flavor=flavor_copy(row),
            host=host)  # fmt: skip
    row.host = row.node = host
    server_ports.rebind(call.session, row, call.now)
    call.start(states.MIGRATING)
    return None


def _pending(call: Call) -> Migration:
    migration = call.session.scalars(
        select(Migration)
        .where(Migration.instance_uuid == call.row.uuid, Migration.status == "finished")
        .order_by(Migration.id.desc())
        .limit(1)
    ).first()
    if migration is None:
        raise BadRequest("Instance has not been resized.")
    return migration


def _confirm(call: Call, action: ServerAction) -> Reply | None:
    call.member("servers:confirm_resize")
    row = call.row
    check_state("confirmResize", row, (states.RESIZED,))
    migration = _pending(call)
    migration.status, migration.updated_at = "confirmed", call.now
    row.vm_state = states.ACTIVE if row.power_state == states.RUNNING else states.STOPPED
    row.updated_at = call.now
    # Nova answers a confirmation 204 (the only action without a 202 or a body).
    return Reply(falcon.HTTP_204)


def _revert(call: Call, action: ServerAction) -> Reply | None:
    call.member("servers:revert_resize")
    row = call.row
    check_state("revertResize", row, (states.RESIZED,))
    migration = _pending(call)
    # A revert may grow the server back past a quota that its smaller size made room under.
    old = json.loads(migration.old_flavor)
    quotas.check_upsize(
        call.session, project_id=row.project_id, user_id=row.user_id,
        cores=old["vcpus"] - row.vcpus, ram=old["memory_mb"] - row.memory_mb,
    )  # fmt: skip
    migration.status, migration.updated_at = "reverted", call.now
    _apply_flavor(row, migration.old_flavor)
    row.host = row.node = migration.source_compute
    server_ports.rebind(call.session, row, call.now)
    call.start(states.RESIZE_REVERTING)
    return None


HANDLERS: dict[str, Entry] = {
    "resize": Entry(_resize, "resize"),
    "confirmResize": Entry(_confirm, "confirmResize"),
    "revertResize": Entry(_revert, "revertResize"),
    "migrate": Entry(_migrate, "migrate"),
    "os-migrateLive": Entry(_migrate_live, "live-migration"),
}
