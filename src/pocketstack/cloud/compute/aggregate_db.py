"""Host aggregates in the store: reading them whole, locking one, and the host and metadata rows.

An aggregate with its hosts and metadata is read in one statement: the aggregate rows joined to
a UNION ALL of its host rows and its metadata rows, so a list costs one round trip whatever the
number of aggregates. Every change locks the aggregate's row first, then the compute service
rows of the hosts it touches (by host name): two changes that meet on a host wait for each other
instead of each checking the other's old state.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection

from sqlalchemy import String, cast, delete, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from pocketstack.cloud.compute import fleet
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.store.models.aggregate import Aggregate, AggregateHost, AggregateMetadata
from pocketstack.cloud.store.models.compute import Instance
from pocketstack.cloud.store.models.fleet import ComputeService

_HOST = "h"
_META = "m"


@dataclasses.dataclass(frozen=True)
class AggregateView:
    id: int
    uuid: str
    name: str
    created_at: dt.datetime
    updated_at: dt.datetime | None
    # In the order they joined.
    hosts: tuple[str, ...]
    metadata: dict[str, str]

    @property
    def availability_zone(self) -> str | None:
        return self.metadata.get(fleet.ZONE_KEY)


def not_found(aggregate_id: object) -> NotFound:
    return NotFound(f"Aggregate {aggregate_id} could not be found.")


def load(session: Session, aggregate_id: int | None = None) -> list[AggregateView]:
    """Every aggregate (or the one `aggregate_id`) in id order, with its hosts and metadata."""
    members = union_all(
        select(
            AggregateHost.aggregate_id.label("aggregate_id"),
            AggregateHost.id.label("seq"),
            literal(_HOST, String).label("kind"),
            AggregateHost.host.label("name"),
            cast(null(), String).label("value"),
        ),
        select(
            AggregateMetadata.aggregate_id,
            AggregateMetadata.id,
            literal(_META, String),
            AggregateMetadata.key,
            AggregateMetadata.value,
        ),
    ).subquery()
    stmt = (
        select(Aggregate, members.c.kind, members.c.name, members.c.value)
        .outerjoin(members, members.c.aggregate_id == Aggregate.id)
        .order_by(Aggregate.id, members.c.kind, members.c.seq)
    )
    if aggregate_id is not None:
        stmt = stmt.where(Aggregate.id == aggregate_id)
    found: dict[int, tuple[Aggregate, list[str], dict[str, str]]] = {}
    for row, kind, name, value in session.execute(stmt):
        _, hosts, metadata = found.setdefault(row.id, (row, [], {}))
        if kind == _HOST:
            hosts.append(name)
        elif kind == _META:
            metadata[name] = value
    return [
        AggregateView(
            id=row.id,
            uuid=row.uuid,
            name=row.name,
            created_at=row.created_at,
            updated_at=row.updated_at,
            hosts=tuple(hosts),
            metadata=metadata,
        )
        for row, hosts, metadata in found.values()
    ]


def load_one(session: Session, aggregate_id: int) -> AggregateView:
    views = load(session, aggregate_id)
    if not views:
        raise not_found(aggregate_id)
    return views[0]


def lock(session: Session, aggregate_id: int, *, missing: NotFound | None = None) -> Aggregate:
    """The aggregate's row, locked for the rest of the transaction."""
    row = session.scalars(
        select(Aggregate).where(Aggregate.id == aggregate_id).with_for_update()
    ).first()
    if row is None:
        raise missing or not_found(aggregate_id)
    return row


def hosts_of(session: Session, aggregate_id: int) -> list[str]:
    return list(
        session.scalars(
            select(AggregateHost.host)
            .where(AggregateHost.aggregate_id == aggregate_id)
            .order_by(AggregateHost.id)
        )
    )


def metadata_of(session: Session, aggregate_id: int) -> dict[str, str]:
    rows = session.execute(
        select(AggregateMetadata.key, AggregateMetadata.value).where(
            AggregateMetadata.aggregate_id == aggregate_id
        )
    )
    return {key: value for key, value in rows}


def lock_compute_hosts(session: Session, hosts: Collection[str]) -> list[ComputeService]:
    """The live compute services of `hosts`, locked in name order (the order every change takes
    them in). A case-insensitive backend (MariaDB) matches other spellings: only exact names
    count, as Nova checks."""
    if not hosts:
        return []
    rows = session.scalars(
        select(ComputeService)
        .where(
            ComputeService.host.in_(sorted(hosts)),
            ComputeService.binary == fleet.COMPUTE,
            ComputeService.deleted.is_(False),
        )
        .order_by(ComputeService.host)
        .with_for_update()
    )
    return [row for row in rows if row.host in hosts]


def servers_on(session: Session, hosts: Collection[str]) -> dict[str, int]:
    """How many servers that are not deleted each of `hosts` holds (absent: none)."""
    if not hosts:
        return {}
    rows = session.execute(
        select(Instance.host, func.count())
        .where(Instance.host.in_(list(hosts)), Instance.deleted.is_(False))
        .group_by(Instance.host)
    )
    return {str(host): int(count) for host, count in rows}


def set_metadata(session: Session, aggregate_id: int, changes: dict[str, str | None]) -> None:
    """Sets the keys given a value, removes those given None (absent ones: nothing to do).
    Under the aggregate's lock: no other change of its metadata runs meanwhile."""
    removed = [key for key, value in changes.items() if value is None]
    if removed:
        session.execute(
            delete(AggregateMetadata).where(
                AggregateMetadata.aggregate_id == aggregate_id,
                AggregateMetadata.key.in_(removed),
            )
        )
    wanted = {key: value for key, value in changes.items() if value is not None}
    if not wanted:
        return
    existing: dict[str, AggregateMetadata] = {}
    for row in session.scalars(
        select(AggregateMetadata).where(
            AggregateMetadata.aggregate_id == aggregate_id,
            AggregateMetadata.key.in_(list(wanted)),
        )
    ):
        if row.key not in wanted:
            # A case-insensitive backend (MariaDB) found another spelling of a key: Nova's
            # refusal, rather than a second row the unique key would refuse.
            raise BadRequest(f"Aggregate {aggregate_id} already contain metadata key {row.key}.")
        existing[row.key] = row
    for key, value in wanted.items():
        if key in existing:
            existing[key].value = value
        else:
            session.add(AggregateMetadata(aggregate_id=aggregate_id, key=key, value=value))
    session.flush()


def forget_host(session: Session, host: str) -> None:
    """Takes `host` out of every aggregate: its compute service is going away (Nova does the
    same on a service delete)."""
    session.execute(delete(AggregateHost).where(AggregateHost.host == host))
