"""Server list queries as SQL: filters, ordering, and keyset paging.

Paging is keyset-based: the marker's sort values become a WHERE bound, so a page is an index range
scan of `limit` rows whatever the table size (never OFFSET). NULLs sort first ascending and last
descending on every backend: a nullable key sorts by (is-not-null, value).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from pocketstack.cloud.compute import states
from pocketstack.cloud.compute.listing import ServerQuery
from pocketstack.cloud.compute.regex import matches
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.store.models.compute import Instance, InstanceTag

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


def page_statement(session: Session, query: ServerQuery, columns: Sequence[Any]) -> Any:
    """The SELECT of `columns` for the page `query` asks for."""
    dialect = session.get_bind().dialect.name
    where = build_filters(query, dialect=dialect)
    parts = _components(query.sort)
    if query.marker is not None:
        where.extend(_after_marker(parts, find_marker(session, query, query.marker)))
    order = [expr.asc() if direction == "asc" else expr.desc() for expr, direction, _ in parts]
    return select(*columns).where(*where).order_by(*order).limit(query.limit)
