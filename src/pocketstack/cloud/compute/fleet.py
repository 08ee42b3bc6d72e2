"""The fake fleet: the configured compute hosts (CloudConfig.hosts), their services' state in the
`compute_service` table, what the servers on them use, and the choice of a host for a new server.

Besides a nova-compute service per host, Nova lists its control services (nova-conductor,
nova-scheduler) on a controller host in the internal zone; they are here too, so that service,
host and zone listings look like a small real cloud's.

A compute host's zone is, as in Nova, the `availability_zone` of the host aggregates it is in
(they all agree: compute/aggregates.py refuses otherwise), else its configured zone, which
plays Nova's default_availability_zone for that host. The `compute_service` row holds this
effective zone, so that listings and placement read one column: the aggregate operations set it
under the host row's lock, and a start-up recomputes it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.config import FleetHost
from pocketstack.cloud.store.models.aggregate import AggregateHost, AggregateMetadata
from pocketstack.cloud.store.models.compute import Instance
from pocketstack.cloud.store.models.fleet import ComputeService

COMPUTE = "nova-compute"
CONTROLLER = "controller"
# Nova's internal_service_availability_zone: the zone of every service but the computes.
INTERNAL_ZONE = "internal"
# (binary, topic) of the services on the controller.
CONTROL_SERVICES = (("nova-conductor", "conductor"), ("nova-scheduler", "scheduler"))
# Nova's initial allocation ratios (placement's overcommit): vCPUs 4x, RAM and disk 1x.
CPU_ALLOCATION_RATIO = 4
NO_VALID_HOST = "No valid host was found. There are not enough hosts available."
UNCONFIGURED = "not in the configuration"
HYPERVISOR_TYPE = "fake"
HYPERVISOR_VERSION = 1000
# The aggregate metadata key that makes an aggregate an availability zone.
ZONE_KEY = "availability_zone"
# The zone of a host no longer configured (Nova's default_availability_zone).
DEFAULT_ZONE = FleetHost("").availability_zone


def ensure_services(session: Session, hosts: Sequence[FleetHost], now: dt.datetime) -> None:
    """Idempotent: a service for each configured host and the controller's, with the sizes and
    zone the configuration gives now; state an operator set (disabled, forced down, deleted) is
    kept."""
    wanted: list[tuple[str, str, str, FleetHost | None]] = [
        (CONTROLLER, binary, topic, None) for binary, topic in CONTROL_SERVICES
    ]
    wanted += [(h.name, COMPUTE, "compute", h) for h in hosts]
    existing = {
        (row.host, row.binary): row
        for row in session.scalars(select(ComputeService).with_for_update())
    }
    zones = aggregate_zones(session, [h.name for h in hosts])
    for host, binary, topic, spec in wanted:
        row = existing.get((host, binary))
        if row is None:
            row = ComputeService(
                uuid=str(uuid.uuid4()),
                node_uuid=str(uuid.uuid4()) if spec is not None else None,
                host=host,
                binary=binary,
                topic=topic,
                availability_zone=INTERNAL_ZONE,
                disabled=False,
                disabled_reason=None,
                forced_down=False,
                deleted=False,
                created_at=now,
                updated_at=now,
            )
            _size(row, spec, zones)
            try:
                # A second process starting at the same moment may have added it first.
                with session.begin_nested():
                    session.add(row)
            except IntegrityError:
                continue
        else:
            _size(row, spec, zones)
    configured = {h.name for h in hosts}
    for (host, binary), row in existing.items():
        if binary == COMPUTE and host not in configured and not row.disabled:
            # A host taken out of the configuration takes no new servers; its servers (and its
            # row, which an admin may delete once it is empty) stay.
            row.disabled = True
            row.disabled_reason = UNCONFIGURED
            row.updated_at = now


def _size(row: ComputeService, spec: FleetHost | None, zones: dict[str, set[str]]) -> None:
    row.vcpus = spec.vcpus if spec is not None else 0
    row.memory_mb = spec.memory_mb if spec is not None else 0
    row.local_gb = spec.disk_gb if spec is not None else 0
    row.availability_zone = (
        INTERNAL_ZONE
        if spec is None
        else effective_zone(zones.get(row.host), spec.availability_zone)
    )


def aggregate_zones(
    session: Session, hosts: Collection[str], *, excluding: int | None = None
) -> dict[str, set[str]]:
    """The zones the aggregates of each of `hosts` give it (but aggregate `excluding`'s): one
    query. More than one zone for a host only ever shows what a change is about to refuse."""
    if not hosts:
        return {}
    stmt = (
        select(AggregateHost.host, AggregateMetadata.value)
        .join(AggregateMetadata, AggregateMetadata.aggregate_id == AggregateHost.aggregate_id)
        .where(AggregateMetadata.key == ZONE_KEY, AggregateHost.host.in_(list(hosts)))
    )
    if excluding is not None:
        stmt = stmt.where(AggregateHost.aggregate_id != excluding)
    zones: dict[str, set[str]] = {}
    for host, zone in session.execute(stmt):
        zones.setdefault(host, set()).add(zone)
    return zones


def effective_zone(aggregate_zones: Collection[str] | None, configured: str) -> str:
    """A compute host's zone: its aggregates' (one, when consistent), else its configured one."""
    return min(aggregate_zones) if aggregate_zones else configured


def configured_zone(hosts: Sequence[FleetHost], name: str) -> str:
    """The zone the configuration gives host `name`; Nova's default for one it no longer lists."""
    return next((h.availability_zone for h in hosts if h.name == name), DEFAULT_ZONE)


def sync_zones(
    session: Session, rows: Iterable[ComputeService], hosts: Sequence[FleetHost]
) -> None:
    """Sets the effective zone of these compute services, locked by the caller, from the
    aggregates as they stand in this transaction."""
    listed = list(rows)
    zones = aggregate_zones(session, [r.host for r in listed])
    for row in listed:
        row.availability_zone = effective_zone(
            zones.get(row.host), configured_zone(hosts, row.host)
        )


def is_up(row: ComputeService) -> bool:
    """Every fake service reports in; only one forced down is down."""
    return not row.forced_down


def reported_at(row: ComputeService, now: dt.datetime) -> str:
    """When the service last reported, as Nova shows it: now for one that is up."""
    when = now if is_up(row) else row.updated_at
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def uptime(row: ComputeService, now: dt.datetime) -> str:
    """The host's `uptime` line: up since its service was first seen."""
    up = max(now - row.created_at, dt.timedelta())
    hours, rest = divmod(up.seconds, 3600)
    return (
        f" {now:%H:%M:%S} up {up.days} days, {hours:2d}:{rest // 60:02d},  1 user,"
        "  load average: 0.00, 0.00, 0.00"
    )


@dataclasses.dataclass(frozen=True)
class Usage:
    vcpus: int = 0
    memory_mb: int = 0
    local_gb: int = 0
    running_vms: int = 0
    # Servers in the middle of a task (Nova's current_workload).
    workload: int = 0


def _usage_query(
    hosts: Iterable[str] | None = None,
) -> Select[str | None, int, int, int, int, int]:
    stmt = (
        select(
            Instance.host,
            func.coalesce(func.sum(Instance.vcpus), 0).label("vcpus"),
            func.coalesce(func.sum(Instance.memory_mb), 0).label("memory_mb"),
            func.coalesce(func.sum(Instance.root_gb + Instance.ephemeral_gb), 0).label("local_gb"),
            func.count().label("running_vms"),
            func.count(Instance.task_state).label("workload"),
        )
        .where(Instance.deleted.is_(False), Instance.host.is_not(None))
        .group_by(Instance.host)
    )
    if hosts is not None:
        stmt = stmt.where(Instance.host.in_(list(hosts)))
    return stmt


def usage_by_host(session: Session, hosts: Collection[str]) -> dict[str, Usage]:
    """What the live servers of `hosts` use, per host: one grouped query."""
    if not hosts:
        return {}
    return {
        row.host: Usage(
            int(row.vcpus),
            int(row.memory_mb),
            int(row.local_gb),
            int(row.running_vms),
            int(row.workload),
        )
        for row in session.execute(_usage_query(hosts))
    }


@dataclasses.dataclass(frozen=True)
class Placement:
    host: str
    availability_zone: str


def pick_host(
    session: Session,
    *,
    vcpus: int,
    memory_mb: int,
    disk_gb: int,
    availability_zone: str | None = None,
    hosts: Collection[str] | None = None,
) -> Placement | None:
    """An enabled compute host, not forced down, in `availability_zone` and among `hosts` when
    given, with room for a server of these sizes; the one with the most free RAM (Nova's default
    weigher), by name on a tie. None when there is none: the caller answers NO_VALID_HOST.

    The candidates first (the fleet's few rows), then their servers' usage in one grouped query
    over the instance table's (host, deleted) index, for those hosts only. Two creates at the
    same moment may both take the last room on a host, as two Nova schedulers may before
    placement claims; the fake fleet overcommits then rather than refusing.
    """
    stmt = select(ComputeService).where(
        ComputeService.binary == COMPUTE,
        ComputeService.deleted.is_(False),
        ComputeService.disabled.is_(False),
        ComputeService.forced_down.is_(False),
    )
    if availability_zone is not None:
        stmt = stmt.where(ComputeService.availability_zone == availability_zone)
    if hosts is not None:
        stmt = stmt.where(ComputeService.host.in_(list(hosts)))
    # Shared locks: a host's zone cannot change (compute/aggregates.py takes the row's exclusive
    # lock, then counts its servers) between this choice and the new server's commit. Taken in
    # host name order, the order aggregates.py takes its exclusive ones: never a deadlock.
    candidates = list(
        session.scalars(stmt.order_by(ComputeService.host).with_for_update(read=True))
    )
    used = usage_by_host(session, [c.host for c in candidates])
    best: tuple[int, str, ComputeService] | None = None
    for row in candidates:
        u = used.get(row.host, Usage())
        free_ram = row.memory_mb - u.memory_mb
        if (
            row.vcpus * CPU_ALLOCATION_RATIO - u.vcpus >= vcpus
            and free_ram >= memory_mb
            and row.local_gb - u.local_gb >= disk_gb
        ):
            rank = (-free_ram, row.host, row)
            if best is None or rank[:2] < best[:2]:
                best = rank
    return None if best is None else Placement(best[2].host, best[2].availability_zone)


def lock_hosts(session: Session, hosts: Collection[str]) -> None:
    """Shared locks on these hosts' rows at once, in name order (see pick_host): for a caller
    that then tries them one by one in an order of its own."""
    if hosts:
        session.execute(
            select(ComputeService.id)
            .where(ComputeService.binary == COMPUTE, ComputeService.host.in_(list(hosts)))
            .order_by(ComputeService.host)
            .with_for_update(read=True)
        )


def compute_hosts(session: Session) -> set[str]:
    """The fleet's compute hosts (not deleted), whatever their state: what an admin may name."""
    return set(
        session.scalars(
            select(ComputeService.host).where(
                ComputeService.binary == COMPUTE, ComputeService.deleted.is_(False)
            )
        )
    )


def compute_zones(session: Session) -> set[str]:
    """The zones a create may ask for: those with an enabled compute service."""
    return set(
        session.scalars(
            select(ComputeService.availability_zone).where(
                ComputeService.binary == COMPUTE,
                ComputeService.deleted.is_(False),
                ComputeService.disabled.is_(False),
            )
        )
    )
