"""Reading servers: a page of the list as plain named tuples, and the tags and metadata it shows.

What a page holds (filters, order, the marker's bound) is built in server_query.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    DateTime,
    String,
    null,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from pocketstack.cloud.compute.listing import ServerQuery
from pocketstack.cloud.compute.regex import statement_budget
from pocketstack.cloud.compute.server_query import page_statement
from pocketstack.cloud.store.base import UTCDateTime
from pocketstack.cloud.store.inlist import in_values
from pocketstack.cloud.store.models.compute import Flavor, Instance, InstanceMetadata, InstanceTag

# A time read raw by the list query: text on SQLite, a naive UTC datetime elsewhere.
RawTime = dt.datetime | str


class ServerFields(NamedTuple):
    """One server as the detailed list view reads it: the Instance columns it shows.

    A named tuple, because a SQLAlchemy Row resolves an attribute name in about a microsecond
    and the view reads some forty of them per server.
    """

    id: int
    uuid: str
    project_id: str
    user_id: str
    display_name: str
    display_description: str | None
    hostname: str
    reservation_id: str
    launch_index: int
    image_ref: str
    flavor_id: str
    flavor_name: str
    vcpus: int
    memory_mb: int
    root_gb: int
    ephemeral_gb: int
    swap: int
    flavor_extra_specs: str
    image_properties: str
    vm_state: str
    task_state: str | None
    power_state: int
    progress: int
    host: str | None
    node: str | None
    availability_zone: str | None
    pinned_availability_zone: str | None
    key_name: str | None
    config_drive: str
    access_ip_v4: str | None
    access_ip_v6: str | None
    auto_disk_config: bool
    kernel_id: str
    ramdisk_id: str
    root_device_name: str | None
    user_data: str | None
    locked: bool
    locked_reason: str | None
    addresses: str
    scheduler_hints: str
    fault_code: int | None
    fault_message: str | None
    fault_details: str | None
    fault_created_at: RawTime | None
    created_at: RawTime
    updated_at: RawTime
    launched_at: RawTime | None
    terminated_at: RawTime | None
    deleted: bool


class ServerSummary(NamedTuple):
    """One server as the index view reads it."""

    id: int
    uuid: str
    display_name: str


@functools.cache
def _columns(
    fields: tuple[str, ...], dialect: str, unread: frozenset[str] = frozenset()
) -> tuple[Any, ...]:
    # Times are read raw: views.isotime parses them faster than the column type's processing
    # (a regex per value on SQLite, then a time zone on every backend).
    raw_time: Any = String() if dialect == "sqlite" else DateTime()
    table = Instance.__table__
    columns: list[Any] = []
    for name in fields:
        column = table.c[name]
        if name in unread:
            # A NULL in its place: a value the driver need not decode (user data may be 64 KiB).
            columns.append(null().label(name))
        elif isinstance(column.type, UTCDateTime):
            columns.append(type_coerce(column, raw_time).label(name))
        else:
            columns.append(column)
    return tuple(columns)


def _page_rows(
    session: Session, query: ServerQuery, fields: tuple[str, ...],
    unread: frozenset[str] = frozenset(),
) -> Sequence[Any]:  # fmt: skip
    if query.empty or query.limit == 0:
        return []
    if query.flavor is not None and session.get(Flavor, query.flavor) is None:
        return []
    columns = _columns(fields, session.get_bind().dialect.name, unread)
    stmt = page_statement(session, query, columns)
    # Core execution: the ORM's result layer would only add per-row overhead to plain columns.
    if query.regex:
        with statement_budget(session):
            return session.connection().execute(stmt).all()
    return session.connection().execute(stmt).all()


def list_servers(
    session: Session, query: ServerQuery, *, unread: frozenset[str] = frozenset()
) -> list[ServerFields]:
    """The page's servers with what the detailed view shows; the fields in `unread` (those the
    view does not show at this microversion and role) are None, whatever their type says."""
    make = ServerFields._make
    return [make(row) for row in _page_rows(session, query, ServerFields._fields, unread)]


def list_server_summaries(session: Session, query: ServerQuery) -> list[ServerSummary]:
    """The page's servers with what the index view shows."""
    make = ServerSummary._make
    return [make(row) for row in _page_rows(session, query, ServerSummary._fields)]


def load_tags(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return result
    dialect = session.get_bind().dialect.name
    rows = session.connection().execute(
        select(InstanceTag.instance_id, InstanceTag.tag)
        .where(in_values(InstanceTag.instance_id, ids, dialect))
        .order_by(InstanceTag.instance_id, InstanceTag.tag)
    )
    for instance_id, tag in rows:
        result[instance_id].append(tag)
    return result


def load_metadata(session: Session, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    result: dict[int, dict[str, str]] = {i: {} for i in ids}
    if not ids:
        return result
    dialect = session.get_bind().dialect.name
    rows = session.connection().execute(
        select(InstanceMetadata.instance_id, InstanceMetadata.key, InstanceMetadata.value)
        .where(in_values(InstanceMetadata.instance_id, ids, dialect))
        .order_by(InstanceMetadata.instance_id, InstanceMetadata.key)
    )
    for instance_id, key, value in rows:
        result[instance_id][key] = value
    return result
