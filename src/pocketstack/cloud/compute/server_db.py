"""Server queries: filters to SQL, keyset paging, and loading what a page shows.

Paging is keyset-based: the marker's sort values become a WHERE bound, so a page is an index range
scan of `limit` rows whatever the table size (never OFFSET). NULLs sort first ascending and last
descending on every backend: a nullable key sorts by (is-not-null, value).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from pocketstack.cloud.compute import states
from pocketstack.cloud.compute.listing import ServerQuery
from pocketstack.cloud.compute.regex import matches, statement_budget
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.store.base import UTCDateTime
from pocketstack.cloud.store.models.compute import Flavor, Instance, InstanceMetadata, InstanceTag

SORT_COLUMNS: dict[str, Any] = {
    "access_ip_v4": Instance.access_ip_v4,
    "access_ip_v6": Instance.access_ip_v6,
    "auto_disk_config": Instance.auto_disk_config,
    "availability_zone": Instance.availability_zone,
    "config_drive": Instance.config_drive,
    "created_at": Instance.created_at,
    "display_description": Instance.display_description,
    "display_name": Instance.display_name,
    "host": Instance.host,
    "hostname": Instance.hostname,
    "image_ref": Instance.image_ref,
    "instance_type_id": Instance.flavor_id,
    "kernel_id": Instance.kernel_id,
    "key_name": Instance.key_name,
    "launch_index": Instance.launch_index,
    "launched_at": Instance.launched_at,
    "locked_by": Instance.locked_by,
    "locked": Instance.locked,
    "node": Instance.node,
    "power_state": Instance.power_state,
    "progress": Instance.progress,
    "project_id": Instance.project_id,
    "ramdisk_id": Instance.ramdisk_id,
    "root_device_name": Instance.root_device_name,
    "task_state": Instance.task_state,
    "terminated_at": Instance.terminated_at,
    "updated_at": Instance.updated_at,
    "user_id": Instance.user_id,
    "uuid": Instance.uuid,
    "vm_state": Instance.vm_state,
    "id": Instance.id,
}

REGEX_COLUMNS: dict[str, Any] = {
    "display_name": Instance.display_name,
    "display_description": Instance.display_description,
    "reservation_id": Instance.reservation_id,
    "key_name": Instance.key_name,
    "availability_zone": Instance.availability_zone,
    "node": Instance.node,
    "hostname": Instance.hostname,
    "kernel_id": Instance.kernel_id,
    "ramdisk_id": Instance.ramdisk_id,
    "root_device_name": Instance.root_device_name,
    "config_drive": Instance.config_drive,
    "access_ip_v4": Instance.access_ip_v4,
    "access_ip_v6": Instance.access_ip_v6,
    "locked_by": Instance.locked_by,
    "power_state": Instance.power_state,
    "progress": Instance.progress,
    "launch_index": Instance.launch_index,
    "launched_at": Instance.launched_at,
    "terminated_at": Instance.terminated_at,
    "created_at": Instance.created_at,
}


def _text_of(column: Any) -> ColumnElement[Any]:
    """A column as text, rendered the same on every backend (booleans as 1/0)."""
    if isinstance(column.type, Boolean):
        return case((column == true(), literal("1")), else_=literal("0"))
    if isinstance(column.type, Integer):
        return cast(column, String(64))
    return column  # type: ignore[no-any-return]


def _tag_exists(tags: Sequence[str]) -> ColumnElement[bool]:
    return exists().where(InstanceTag.instance_id == Instance.id, InstanceTag.tag.in_(tags))


def _all_tags(tags: Sequence[str]) -> ColumnElement[bool]:
    return and_(
        *(
            exists().where(InstanceTag.instance_id == Instance.id, InstanceTag.tag == tag)
            for tag in tags
        )
    )


def build_filters(query: ServerQuery, *, dialect: str) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.visible_project is not None:
        where.append(Instance.project_id == query.visible_project)
    if query.deleted is True:
        where.append(or_(Instance.deleted == true(), Instance.vm_state == states.SOFT_DELETED))
    elif query.deleted is False:
        where.append(Instance.deleted == false())
        if not query.soft_deleted:
            where.append(Instance.vm_state != states.SOFT_DELETED)
    if query.changes_since is not None:
        where.append(Instance.updated_at >= query.changes_since)
    if query.changes_before is not None:
        where.append(Instance.updated_at <= query.changes_before)
    if query.tags:
        where.append(_all_tags(query.tags))
    if query.tags_any:
        where.append(_tag_exists(query.tags_any))
    if query.not_tags:
        where.append(not_(_all_tags(query.not_tags)))
    if query.not_tags_any:
        where.append(not_(_tag_exists(query.not_tags_any)))
    if query.locked is not None:
        where.append(Instance.locked == (true() if query.locked else false()))
    if query.flavor is not None:
        where.append(Instance.flavor_id == query.flavor)
    for name, values in query.exact.items():
        column = SORT_COLUMNS[name]
        if len(values) == 1:
            where.append(column == values[0])
        else:
            where.append(column.in_(values))
    for name, pattern in query.regex.items():
        if name == "ip":
            where.append(matches(dialect, Instance.ip4, f"^(?:{pattern})"))
        elif name == "ip6":
            where.append(matches(dialect, Instance.ip6, f"^(?:{pattern})"))
        else:
            where.append(matches(dialect, _text_of(REGEX_COLUMNS[name]), pattern))
    return where


def _nullable(column: Any) -> bool:
    return bool(column.nullable)


def _components(sort: Sequence[tuple[str, str]]) -> list[tuple[Any, str, Any]]:
    """(expression, direction, column) per ordering component; nullable keys get two."""
    parts: list[tuple[Any, str, Any]] = []
    for key, direction in sort:
        column = SORT_COLUMNS[key]
        if _nullable(column):
            flag = case((column.is_(None), literal(0)), else_=literal(1))
            parts.append((flag, direction, None))
        parts.append((column, direction, column))
    return parts


def _value_of(row: Instance, expr: Any, column: Any) -> Any:
    if column is None:  # the null flag of the next component
        return None
    return getattr(row, column.key)


def _bound(part: tuple[Any, str, Any], value: Any) -> Any:
    # A typed literal: booleans cannot be ordered against Python True/False directly, and the
    # column type's bind processing (UTC datetimes) must apply.
    expr, _direction, column = part
    return literal(value, type_=(column if column is not None else expr).type)


def _after_marker(parts: list[tuple[Any, str, Any]], marker: Instance) -> list[ColumnElement[bool]]:
    values: list[Any] = []
    for index, (_expr, _direction, column) in enumerate(parts):
        if column is None:
            following = parts[index + 1][2]
            values.append(0 if getattr(marker, following.key) is None else 1)
        else:
            values.append(getattr(marker, column.key))
    disjuncts: list[ColumnElement[bool]] = []
    for i, (expr, direction, _column) in enumerate(parts):
        value = values[i]
        if value is None:
            continue  # nothing sorts strictly beyond NULL inside the null group
        equal_prefix = [
            parts[j][0].is_(None)
            if values[j] is None
            else parts[j][0] == _bound(parts[j], values[j])
            for j in range(i)
        ]
        bound_value = _bound(parts[i], value)
        strict = expr > bound_value if direction == "asc" else expr < bound_value
        disjuncts.append(and_(*equal_prefix, strict))
    bound: list[ColumnElement[bool]] = [or_(*disjuncts)] if disjuncts else [false()]
    # A sargable leading bound lets every backend start the index range at the marker.
    first_expr, first_dir, first_col = parts[0]
    if first_col is not None and values[0] is not None:
        start = _bound(parts[0], values[0])
        bound.append(first_expr >= start if first_dir == "asc" else first_expr <= start)
    return bound


def find_marker(session: Session, query: ServerQuery, marker: str) -> Instance:
    stmt = select(Instance).where(Instance.uuid == marker)
    if query.visible_project is not None:
        stmt = stmt.where(Instance.project_id == query.visible_project)
    row = session.scalars(stmt).first()
    if row is None:
        raise BadRequest(f"marker [{marker}] not found")
    return row


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
def _columns(fields: tuple[str, ...], dialect: str) -> tuple[Any, ...]:
    # Times are read raw: views.isotime parses them faster than the column type's processing
    # (a regex per value on SQLite, then a time zone on every backend).
    raw_time: Any = String() if dialect == "sqlite" else DateTime()
    table = Instance.__table__
    columns: list[Any] = []
    for name in fields:
        column = table.c[name]
        if isinstance(column.type, UTCDateTime):
            columns.append(type_coerce(column, raw_time).label(name))
        else:
            columns.append(column)
    return tuple(columns)


def _page_statement(session: Session, query: ServerQuery, columns: Sequence[Any]) -> Any:
    dialect = session.get_bind().dialect.name
    where = build_filters(query, dialect=dialect)
    parts = _components(query.sort)
    if query.marker is not None:
        where.extend(_after_marker(parts, find_marker(session, query, query.marker)))
    order = [expr.asc() if direction == "asc" else expr.desc() for expr, direction, _ in parts]
    return select(*columns).where(*where).order_by(*order).limit(query.limit)


def _page_rows(session: Session, query: ServerQuery, fields: tuple[str, ...]) -> Sequence[Any]:
    if query.empty or query.limit == 0:
        return []
    if query.flavor is not None and session.get(Flavor, query.flavor) is None:
        return []
    columns = _columns(fields, session.get_bind().dialect.name)
    stmt = _page_statement(session, query, columns)
    # Core execution: the ORM's result layer would only add per-row overhead to plain columns.
    if query.regex:
        with statement_budget(session):
            return session.connection().execute(stmt).all()
    return session.connection().execute(stmt).all()


def list_servers(session: Session, query: ServerQuery) -> list[ServerFields]:
    """The page's servers with what the detailed view shows."""
    make = ServerFields._make
    return [make(row) for row in _page_rows(session, query, ServerFields._fields)]


def list_server_summaries(session: Session, query: ServerQuery) -> list[ServerSummary]:
    """The page's servers with what the index view shows."""
    make = ServerSummary._make
    return [make(row) for row in _page_rows(session, query, ServerSummary._fields)]


def _in_ids(column: Any, ids: Sequence[int], dialect: str) -> ColumnElement[bool]:
    """`column IN ids` for a page's worth of ids, as one bound value where the backend can.

    A thousand separate parameters cost the driver an adaptation each and PostgreSQL a long plan;
    an array (PostgreSQL) or a JSON list (SQLite) is one value, and the lookup stays an index probe
    per id.
    """
    condition: ColumnElement[bool]
    if dialect == "postgresql":
        condition = column == any_(bindparam("ids", list(ids), type_=ARRAY(Integer)))
    elif dialect == "sqlite":
        values = func.json_each(bindparam("ids", json.dumps(list(ids)))).table_valued("value")
        condition = column.in_(select(values.c.value))
    else:
        condition = column.in_(ids)
    return condition


def load_tags(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return result
    dialect = session.get_bind().dialect.name
    rows = session.connection().execute(
        select(InstanceTag.instance_id, InstanceTag.tag)
        .where(_in_ids(InstanceTag.instance_id, ids, dialect))
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
        .where(_in_ids(InstanceMetadata.instance_id, ids, dialect))
        .order_by(InstanceMetadata.instance_id, InstanceMetadata.key)
    )
    for instance_id, key, value in rows:
        result[instance_id][key] = value
    return result
