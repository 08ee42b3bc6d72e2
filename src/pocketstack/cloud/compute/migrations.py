"""The moves of servers: GET /os-migrations (every resize, migration, live migration and
evacuation), a server's in-progress live migrations (2.23+), forcing one to complete (2.22+)
and aborting it (2.24+).

Nova's defaults (2025.1+): a project manager lists the migrations of their own project without
the hosts; listing every project's, or seeing the hosts, is an admin's. A live migration is in
progress only under a driver delay (compute/migration_db.py settles it with its server).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from typing import Any

import falcon
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import action_log, driver, migration_db, policy, server_ports, states
from pocketstack.cloud.compute.actions_base import invalid_state
from pocketstack.cloud.compute.listing import MAX_LIMIT, bool_from_string, parse_time
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.migration_db import MigrationFilter
from pocketstack.cloud.compute.routing import (
    Links,
    auth_of,
    next_link,
    refuse_unknown_params,
    version_of,
)
from pocketstack.cloud.compute.servers import check_not_locked, get_server, settle_if_delayed
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.inputs import decimal, shown
from pocketstack.cloud.store.models.instance_action import Migration

COLLECTION = "os-migrations"
_TIME = "%Y-%m-%dT%H:%M:%S.%f"
# Nova's filters before 2.59 (any other parameter passes through to its database filters, of
# which these are the others it knows).
_FILTERS = ("hidden", "host", "instance_uuid", "source_compute", "status", "migration_type")
# Parameters that take one value from 2.59.
_SINGLE = ("limit", "marker", "changes-since", "changes-before", "user_id", "project_id")
_BYTES = ("disk_processed", "disk_remaining", "disk_total", "memory_processed",
          "memory_remaining", "memory_total")  # fmt: skip


def _time(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime(_TIME)


def settle_moves(deps: CloudDeps) -> None:
    """The servers' due transitions, then the moves that ended with them."""
    settle_if_delayed(deps)
    if deps.driver_delay <= 0:
        # Without a delay every move ends as it is made: nothing is ever in flight.
        return
    with deps.store.session() as session:
        pending = migration_db.in_flight(session)
    if pending:
        with deps.store.session(write=True) as session:
            migration_db.settle(session, deps.clock.now(), delay=deps.driver_delay)


def _flavor_number(flavor_id: str | None) -> int | None:
    """Nova shows the flavors' internal integer ids; a flavor here has only its public id,
    shown when it is such an integer (the m1.* flavors'), else null."""
    if flavor_id is None or not flavor_id.isascii() or not flavor_id.isdigit():
        return None
    # Nova's ids are 32-bit integers: a longer number is no such id.
    return int(flavor_id) if len(flavor_id) <= 9 else None


def _flavor_id(copy: str) -> str | None:
    value = json.loads(copy).get("id")
    return None if value is None else str(value)


# --- GET /os-migrations ------------------------------------------------------------------------


def _params(req: falcon.Request, api: ApiVersion) -> dict[str, str]:
    """The query by Nova's schema at this version: open before 2.59, closed from it (2.66 adds
    changes-before, 2.80 user_id and project_id), the last value of a repeated filter."""
    values: dict[str, list[str]] = {}
    for key, value in urllib.parse.parse_qsl(req.query_string, keep_blank_values=True):
        values.setdefault(key, []).append(value)
    if api.at_least("2.59"):
        allowed = {*_FILTERS, "limit", "marker", "changes-since"}
        if api.at_least("2.66"):
            allowed.add("changes-before")
        if api.at_least("2.80"):
            allowed |= {"user_id", "project_id"}
        refuse_unknown_params(values, allowed)
        for name in _SINGLE:
            if len(values.get(name, ())) > 1:
                listed = values[name]
                raise BadRequest(
                    f"Invalid input for query parameters {name}. Value: {shown(listed)}. "
                    f"{shown(listed)} is too long"
                )
    return {key: got[-1] for key, got in values.items()}


def _limit(value: str) -> int:
    number = decimal(value, cap=MAX_LIMIT)
    if number is None:
        reason = "is too short" if value == "" else "does not match '^[0-9]*$'"
        raise BadRequest(
            f"Invalid input for query parameters limit. Value: {shown(value)}. "
            f"{shown(value)} {reason}"
        )
    return number


def _filter(params: dict[str, str], api: ApiVersion) -> MigrationFilter:
    since = before = None
    if api.at_least("2.59") and "changes-since" in params:
        since = parse_time("changes-since", params["changes-since"])
    if api.at_least("2.66") and "changes-before" in params:
        before = parse_time("changes-before", params["changes-before"])
        if since is not None and before < since:
            raise BadRequest(
                "The value of changes-since must be less than or equal to changes-before."
            )
    # Before 2.59 Nova's database filters take what the open schema let through.
    through = not api.at_least("2.59")
    return MigrationFilter(
        status=params.get("status"),
        host=params.get("host"),
        source_compute=params.get("source_compute"),
        migration_type=params.get("migration_type"),
        instance_uuid=params.get("instance_uuid"),
        user_id=params.get("user_id"),
        project_id=params.get("project_id"),
        changes_since=since,
        changes_before=before,
        hidden=bool_from_string(params.get("hidden", ""), name="hidden", strict=False),
        node=params.get("node") if through else None,
        uuid=params.get("uuid") if through else None,
    )


class _View:
    """Migrations rendered at one request's microversion, with or without their hosts."""

    def __init__(self, req: falcon.Request, *, hosts: bool, addresses: dict[str, str]) -> None:
        self.api = version_of(req)
        self.links = Links(req)
        self.hosts = hosts
        self.addresses = addresses

    def _ends(self, row: Migration) -> dict[str, Any]:
        if not self.hosts:
            return dict.fromkeys(
                ("dest_compute", "dest_host", "dest_node", "source_compute", "source_node")
            )
        dest = row.dest_compute
        return {
            "dest_compute": dest,
            "dest_host": self.addresses.get(dest) if dest else None,
            "dest_node": dest,
            "source_compute": row.source_compute,
            "source_node": row.source_compute,
        }

    def _common(self, row: Migration) -> dict[str, Any]:
        view: dict[str, Any] = {
            "created_at": _time(row.created_at),
            **self._ends(row),
            "id": row.id,
            "status": row.status,
            "updated_at": _time(row.updated_at),
        }
        if self.api.at_least("2.59"):
            view["uuid"] = row.uuid
        if self.api.at_least("2.80"):
            view["user_id"], view["project_id"] = row.user_id, row.project_id
        return view

    def listed(self, row: Migration) -> dict[str, Any]:
        view = self._common(row)
        view["instance_uuid"] = row.instance_uuid
        view["old_instance_type_id"] = _flavor_number(_flavor_id(row.old_flavor))
        view["new_instance_type_id"] = _flavor_number(_flavor_id(row.new_flavor))
        if self.api.at_least("2.23"):
            view["migration_type"] = row.migration_type
            if migration_db.is_live_in_progress(row):
                view["links"] = self.links.pair(f"servers/{row.instance_uuid}/migrations",
                                                str(row.id))  # fmt: skip
        return view

    def of_server(self, row: Migration) -> dict[str, Any]:
        view = self._common(row)
        view["server_uuid"] = row.instance_uuid
        # What the hypervisor reports of a live migration's progress: a fake one, nothing.
        view.update((f"{name}_bytes", None) for name in _BYTES)
        return view


def _addresses(deps: CloudDeps, rows: list[Migration]) -> dict[str, str]:
    with deps.store.session() as session:
        return migration_db.host_addresses(
            session, {r.dest_compute for r in rows if r.dest_compute}
        )


class MigrationList:
    """GET /os-migrations."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx, api = auth_of(req), version_of(req)
        params = _params(req, api)
        flt = _filter(params, api)
        project_id = params.get("project_id")
        if not project_id or project_id != ctx.project_id:
            policy.admin_api(ctx, "os_compute_api:os-migrations:index:all_projects")
        paged = api.at_least("2.59")
        limit = (_limit(params["limit"]) if "limit" in params else MAX_LIMIT) if paged else None
        # Nova takes an empty marker for none.
        marker = (params.get("marker") or None) if paged else None
        settle_moves(self._deps)
        with self._deps.store.session() as session:
            rows = list(migration_db.page(session, flt, limit=limit, marker=marker))
        view = _View(req, hosts=ctx.is_admin, addresses=_addresses(self._deps, rows))
        body: dict[str, Any] = {"migrations": [view.listed(r) for r in rows]}
        if limit and len(rows) == limit:
            body["migrations_links"] = next_link(req, COLLECTION, rows[-1].uuid)
        resp.media = body


# --- a server's live migrations ----------------------------------------------------------------


class ServerMigrations:
    """GET /servers/{server_id}/migrations: its live migrations in progress."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        settle_moves(self._deps)
        with self._deps.store.session() as session:
            row = get_server(session, ctx, server_id)
            rows = list(migration_db.in_progress_live(session, row.uuid))
        view = _View(req, hosts=ctx.is_admin, addresses=_addresses(self._deps, rows))
        resp.media = {"migrations": [view.of_server(r) for r in rows]}


def _not_found_for(migration_id: str, server_uuid: str) -> str:
    return f"Migration {migration_id} not found for instance {server_uuid}"


def _invalid(migration: Migration, migration_id: str, method: str) -> BadRequest:
    return BadRequest(
        f"Migration {migration_id} state of instance {migration.instance_uuid} is "
        f"{migration.status}. Cannot {method} while the migration is in this state."
    )


def _record(req: falcon.Request, session: Session, ctx: RequestContext, uuid: str, action: str,
            now: dt.datetime, host: str | None) -> None:  # fmt: skip
    action_log.record(
        session, instance_uuid=uuid, action=action, ctx=ctx,
        request_id=getattr(req.context, "request_id", ""), now=now, host=host, done=True,
    )  # fmt: skip


class ServerMigrationItem:
    """GET (show, admin) and DELETE (abort) /servers/{server_id}/migrations/{migration_id}."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, server_id: str, migration_id: str
    ) -> None:
        ctx = auth_of(req)
        settle_moves(self._deps)
        with self._deps.store.session() as session:
            row = get_server(session, ctx, server_id)
            migration = migration_db.of_server(session, migration_id, row.uuid)
        if migration is None:
            raise NotFound(
                f"In-progress live migration {migration_id} is not found for server {server_id}."
            )
        if migration.migration_type != migration_db.LIVE:
            raise NotFound(
                f"Migration {migration_id} for server {server_id} is not live-migration."
            )
        if not migration_db.is_live_in_progress(migration):
            raise NotFound(
                f"Live migration {migration_id} for server {server_id} is not in progress."
            )
        view = _View(req, hosts=True, addresses=_addresses(self._deps, [migration]))
        resp.media = {"migration": view.of_server(migration)}

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, server_id: str, migration_id: str
    ) -> None:
        """Abort: the server stays on (goes back to) its source host, the migration is
        cancelled. From 2.65 a queued or preparing one may be aborted too."""
        ctx, api = auth_of(req), version_of(req)
        settle_moves(self._deps)
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id, lock=True)
            check_not_locked(ctx, row)
            if row.task_state != states.MIGRATING:
                raise invalid_state("abort live migration", row, "task_state", row.task_state)
            migration = migration_db.of_server(session, migration_id, row.uuid, lock=True)
            if migration is None:
                raise NotFound(_not_found_for(migration_id, row.uuid))
            allowed = ("running", "queued", "preparing") if api.at_least("2.65") else ("running",)
            if migration.status not in allowed:
                raise _invalid(migration, migration_id, "abort live migration")
            _record(req, session, ctx, row.uuid, "live_migration_cancel", now, row.host)
            row.host = row.node = migration.source_compute
            server_ports.rebind(session, row, now)
            row.task_state = None
            row.transition_due_at = None
            row.updated_at = now
            migration.status, migration.updated_at = "cancelled", now
            # The live-migration action ends here (its own event and this one).
            action_log.finish(session, [row.uuid], now)
        resp.status = falcon.HTTP_202


class ServerMigrationAction:
    """POST /servers/{server_id}/migrations/{migration_id}/action: force_complete."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_post(
        self, req: falcon.Request, resp: falcon.Response, server_id: str, migration_id: str
    ) -> None:
        ctx = auth_of(req)
        settle_moves(self._deps)
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id, lock=True)
            check_not_locked(ctx, row)
            if row.vm_state != states.ACTIVE:
                raise invalid_state("force_complete", row, "vm_state", row.vm_state)
            if row.task_state != states.MIGRATING:
                raise invalid_state("force_complete", row, "task_state", row.task_state)
            migration = migration_db.of_server(session, migration_id, row.uuid, lock=True)
            if migration is None:
                raise BadRequest(_not_found_for(migration_id, row.uuid))
            if migration.status != "running":
                raise _invalid(migration, migration_id, "force complete")
            _record(req, session, ctx, row.uuid, "live_migration_force_complete", now, row.host)
            # The move completes now rather than when its delay runs out.
            driver.start_transition(row, states.MIGRATING, now=now, delay=0)
            migration.status, migration.updated_at = "completed", now
            action_log.finish(session, [row.uuid], now)
        resp.status = falcon.HTTP_202
