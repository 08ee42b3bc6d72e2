"""The `migration` table as the migrations APIs read it: pages of os-migrations (newest first by
(created_at, id), the marker a migration's uuid, as Nova from 2.59), a server's in-progress live
migrations, one migration of a server, and the moves the fake driver has finished.

A live migration or an evacuation started under a driver delay is in flight (`running`,
`accepted`) while its server's transition is; `settle` ends the ones whose transition is over
(its due time passed, or the server has left the move's task state), as driver.settle ends the
servers' transitions: lazily, on the next request that looks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.orm import Session

from pocketstack.cloud.compute import fleet, states
from pocketstack.cloud.compute.hypervisors import host_ip
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.store.models.compute import Instance
from pocketstack.cloud.store.models.fleet import ComputeService
from pocketstack.cloud.store.models.instance_action import Migration

LIVE = "live-migration"
# Nova's statuses of a live migration still in progress.
LIVE_IN_PROGRESS = ("queued", "preparing", "running", "post-migrating")
# (migration type, its status in flight, the server's task meanwhile, its status once over).
_IN_FLIGHT = (
    (LIVE, "running", states.MIGRATING, "completed"),
    ("evacuation", "accepted", states.REBUILDING, "done"),
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class MigrationFilter:
    """GET /os-migrations' filters, each an exact match (None: not asked)."""

    status: str | None = None
    # Either end of the move.
    host: str | None = None
    source_compute: str | None = None
    node: str | None = None
    migration_type: str | None = None
    instance_uuid: str | None = None
    uuid: str | None = None
    user_id: str | None = None
    project_id: str | None = None
    changes_since: dt.datetime | None = None
    changes_before: dt.datetime | None = None
    # `hidden` true: only hidden migrations, and none here is (Nova hides a cross-cell move's
    # source copy).
    hidden: bool = False


def _filtered(flt: MigrationFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    exact = (
        (Migration.status, flt.status),
        (Migration.migration_type, flt.migration_type),
        (Migration.instance_uuid, flt.instance_uuid),
        (Migration.uuid, flt.uuid),
        (Migration.user_id, flt.user_id),
        (Migration.project_id, flt.project_id),
    )
    clauses += [column == value for column, value in exact if value is not None]
    # Nova's host filter takes precedence over source_compute; a node is its host here.
    if flt.host is not None:
        clauses.append(
            or_(Migration.source_compute == flt.host, Migration.dest_compute == flt.host)
        )
    elif flt.source_compute is not None:
        clauses.append(Migration.source_compute == flt.source_compute)
    if flt.node is not None:
        clauses.append(
            or_(Migration.source_compute == flt.node, Migration.dest_compute == flt.node)
        )
    if flt.changes_since is not None:
        clauses.append(Migration.updated_at >= flt.changes_since)
    if flt.changes_before is not None:
        clauses.append(Migration.updated_at <= flt.changes_before)
    return clauses


def page(
    session: Session, flt: MigrationFilter, *, limit: int | None, marker: str | None
) -> Sequence[Migration]:
    """Newest first, at most `limit` after `marker` (a migration's uuid); `limit` None: every
    match in id order, as Nova lists before 2.59 (no order asked, the primary key's given)."""
    if flt.hidden or limit == 0:
        return []
    stmt = select(Migration).where(*_filtered(flt))
    if limit is None:
        return session.scalars(stmt.order_by(Migration.id)).all()
    if marker is not None:
        after = session.scalars(select(Migration).where(Migration.uuid == marker)).first()
        if after is None:
            raise BadRequest(f"Marker {marker} could not be found.")
        # The plain bound starts the (created_at, id) index range at the marker.
        stmt = stmt.where(
            Migration.created_at <= after.created_at,
            or_(
                Migration.created_at < after.created_at,
                and_(Migration.created_at == after.created_at, Migration.id < after.id),
            )
        )
    order = (Migration.created_at.desc(), Migration.id.desc())
    return session.scalars(stmt.order_by(*order).limit(limit)).all()


def in_progress_live(session: Session, instance_uuid: str) -> Sequence[Migration]:
    return session.scalars(
        select(Migration)
        .where(
            Migration.instance_uuid == instance_uuid,
            Migration.migration_type == LIVE,
            Migration.status.in_(LIVE_IN_PROGRESS),
        )
        .order_by(Migration.id)
    ).all()


def of_server(
    session: Session, migration_id: str, instance_uuid: str, *, lock: bool = False
) -> Migration | None:
    """The migration `migration_id` (an integer id, as the path gives it) of this server."""
    if not migration_id.isascii() or not migration_id.isdigit() or len(migration_id) > 18:
        return None
    stmt = select(Migration).where(
        Migration.id == int(migration_id), Migration.instance_uuid == instance_uuid
    )
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def is_live_in_progress(migration: Migration) -> bool:
    return migration.migration_type == LIVE and migration.status in LIVE_IN_PROGRESS


def host_addresses(session: Session, hosts: Collection[str]) -> dict[str, str]:
    """The address of each of these compute hosts still in the fleet (a migration's
    dest_host)."""
    if not hosts:
        return {}
    rows = session.scalars(
        select(ComputeService).where(
            ComputeService.binary == fleet.COMPUTE, ComputeService.host.in_(list(hosts))
        )
    )
    return {row.host: host_ip(row) for row in rows}


def in_flight(session: Session) -> bool:
    """Whether any move may be waiting for `settle` (one probe; most reads find none)."""
    statuses = [status for _, status, _, _ in _IN_FLIGHT]
    probe = select(Migration.id).where(Migration.status.in_(statuses)).limit(1)
    return session.scalars(probe).first() is not None


def settle(session: Session, now: dt.datetime, *, delay: float) -> None:
    """Ends the moves in flight whose server's transition is over: due (`delay` after the
    move began), or left behind (the server is gone or in another task, an admin's state
    reset)."""
    due = now - dt.timedelta(seconds=max(delay, 0.0))
    for kind, status, task, final in _IN_FLIGHT:
        busy = exists().where(
            Instance.uuid == Migration.instance_uuid,
            Instance.deleted.is_(False),
            Instance.task_state == task,
        )
        session.execute(
            update(Migration)
            .where(
                Migration.migration_type == kind,
                Migration.status == status,
                or_(Migration.created_at <= due, ~busy),
            )
            .values(status=final, updated_at=now)
            .execution_options(synchronize_session=False)
        )
