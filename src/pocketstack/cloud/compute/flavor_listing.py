"""`GET /flavors` and `/flavors/detail`: the query read as Nova reads it, and one keyset page.

Nova's steps, in its order: the query schema (unknown parameters ignored below 2.75, refused
from 2.75; sort_key, sort_dir and limit checked), `is_public` for admins (strutils' booleans, or
"none" for every flavor), minRam and minDisk as Python's int() reads them, then the marker, which
must be a flavor the caller can see. The page is one query: the filters and the keyset condition
(after the marker's sort value, then its id) in SQL, in the order of an index.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, cast, false, func, or_, select, true
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute.listing import MAX_LIMIT
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.inputs import MAX_INT, decimal
from pocketstack.cloud.store.models.compute import Flavor, FlavorProject

# Nova's accepted sort keys (its flavors query schema), in its order, as its error lists them.
SORT_KEYS = (
    "created_at", "description", "disabled", "ephemeral_gb", "flavorid", "id", "is_public",
    "memory_mb", "name", "root_gb", "rxtx_factor", "swap", "updated_at", "vcpu_weight", "vcpus",
)  # fmt: skip
SORT_DIRS = ("asc", "desc")
PARAMS = ("limit", "marker", "is_public", "minRam", "minDisk", "sort_key", "sort_dir")

# strutils.bool_from_string's spellings (after strip and lower).
_TRUE = frozenset({"1", "t", "true", "on", "y", "yes"})
_FALSE = frozenset({"0", "f", "false", "off", "n", "no"})
# Past any size a flavor can have: int() reads it, and no flavor matches (or every one does).
_BEYOND = MAX_INT + 1


@dataclasses.dataclass(frozen=True)
class FlavorQuery:
    sort_key: str
    descending: bool
    limit: int
    marker: str | None
    # True: public or shared with the caller's project; False: private only; None: all.
    is_public: bool | None
    # Disabled flavors are listed to admins only.
    enabled_only: bool
    min_ram: int | None
    min_disk: int | None


def _pairs(query_string: str) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(query_string, keep_blank_values=True)


def _schema_error(name: str, value: str, reason: str) -> BadRequest:
    return BadRequest(f"Invalid input for query parameters {name}. Value: {value}. {reason}")


def _check_schema(pairs: list[tuple[str, str]], api: ApiVersion) -> None:
    for key, value in pairs:
        if key not in PARAMS:
            if api.at_least("2.75"):
                raise BadRequest(f"Additional properties are not allowed ('{key}' was unexpected)")
        elif key == "sort_key" and value not in SORT_KEYS:
            raise _schema_error(key, value, f"'{value}' is not one of {list(SORT_KEYS)!r}")
        elif key == "sort_dir" and value not in SORT_DIRS:
            raise _schema_error(key, value, f"'{value}' is not one of {list(SORT_DIRS)!r}")
        elif key == "limit" and value == "":
            raise _schema_error(key, value, "'' is too short")
        elif key == "limit" and decimal(value, cap=MAX_LIMIT) is None:
            raise _schema_error(key, value, f"'{value}' does not match '^[0-9]*$'")


def _is_public(raw: str | None) -> bool | None:
    if raw is None:
        return True
    if raw.lower() == "none":
        return None
    word = raw.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise BadRequest(f"Invalid is_public filter [{raw}]")


def _python_int(name: str, raw: str) -> int:
    """The value as Python's int() reads it (signs, spaces, underscores, any script's digits),
    held within what a size column can be compared with."""
    try:
        # int() refuses more than 4,300 digits with the same ValueError.
        number = int(raw)
    except ValueError:
        raise BadRequest(f"Invalid {name} filter [{raw}]") from None
    return max(-_BEYOND, min(number, _BEYOND))


def _at_least(column: Any, bound: int) -> ColumnElement[bool]:
    # A bound past what an integer column holds is decided here: PostgreSQL binds it as the
    # column's type and refuses it as out of range.
    if bound > MAX_INT:
        return false()
    if bound < -MAX_INT:
        return true()
    result: ColumnElement[bool] = column >= bound
    return result


def parse_query(query_string: str, ctx: RequestContext, api: ApiVersion) -> FlavorQuery:
    pairs = _pairs(query_string)
    _check_schema(pairs, api)
    # webob's params.get: the last of a repeated parameter.
    params = dict(pairs)
    is_public: bool | None = True
    if ctx.is_admin:
        is_public = _is_public(params.get("is_public"))
    min_ram = _python_int("minRam", params["minRam"]) if "minRam" in params else None
    min_disk = _python_int("minDisk", params["minDisk"]) if "minDisk" in params else None
    limit = MAX_LIMIT
    if "limit" in params:
        limit = decimal(params["limit"], cap=MAX_LIMIT) or 0
    return FlavorQuery(
        sort_key=params.get("sort_key") or "flavorid",
        descending=(params.get("sort_dir") or "asc") == "desc",
        limit=limit,
        marker=params.get("marker"),
        is_public=is_public,
        enabled_only=not ctx.is_admin,
        min_ram=min_ram,
        min_disk=min_disk,
    )


def _sort_expression(session: Session, key: str) -> ColumnElement[Any]:
    if key in ("id", "updated_at", "vcpu_weight"):
        # Nova's internal id (creation order); its updated_at and vcpu_weight, never set here,
        # leave that order too.
        return Flavor.created_at.expression
    if key == "description":
        # A null sorts as the empty text on every backend, so the keyset can compare it.
        return func.coalesce(Flavor.description, "")
    if key == "rxtx_factor":
        # Stored as its text: compared as a number. MariaDB casts to no FLOAT; `+ 0` is its way.
        if session.get_bind().dialect.name in ("mysql", "mariadb"):
            return Flavor.rxtx_factor + 0
        return cast(Flavor.rxtx_factor, Float)
    column = {
        "flavorid": Flavor.id, "name": Flavor.name, "memory_mb": Flavor.memory_mb,
        "root_gb": Flavor.root_gb, "ephemeral_gb": Flavor.ephemeral_gb, "swap": Flavor.swap,
        "vcpus": Flavor.vcpus, "is_public": Flavor.is_public, "disabled": Flavor.disabled,
        "created_at": Flavor.created_at,
    }[key]  # fmt: skip
    return column.expression


def _marker_value(flavor: Flavor, key: str) -> Any:
    if key in ("id", "updated_at", "vcpu_weight"):
        return flavor.created_at
    if key == "description":
        return flavor.description or ""
    if key == "rxtx_factor":
        return float(flavor.rxtx_factor)
    return getattr(flavor, "id" if key == "flavorid" else key)


def shared_with(project_id: str | None) -> ColumnElement[bool]:
    """The flavors a project may use without being public (an index range of flavor_project)."""
    shared = select(FlavorProject.flavor_id).where(FlavorProject.project_id == (project_id or ""))
    return Flavor.id.in_(shared)


def visible_to(ctx: RequestContext) -> ColumnElement[bool]:
    """Which flavors a caller may see or name: an admin every one; anyone else the public ones
    and those shared with their project."""
    if ctx.is_admin:
        return true()
    return or_(Flavor.is_public.is_(True), shared_with(ctx.project_id))


def _after(sort: ColumnElement[Any], query: FlavorQuery, marker: Flavor) -> ColumnElement[bool]:
    """The rows past the marker in the page's order (its sort value, then its id)."""
    past_id = Flavor.id < marker.id if query.descending else Flavor.id > marker.id
    if query.sort_key == "flavorid":
        return past_id
    value = _marker_value(marker, query.sort_key)
    past_value = sort < value if query.descending else sort > value
    return or_(past_value, and_(sort == value, past_id))


def page_of_flavors(session: Session, ctx: RequestContext, query: FlavorQuery) -> Sequence[Flavor]:
    stmt = select(Flavor)
    if query.enabled_only:
        stmt = stmt.where(Flavor.disabled.is_(False))
    if query.is_public is True:
        stmt = stmt.where(or_(Flavor.is_public.is_(True), shared_with(ctx.project_id)))
    elif query.is_public is False:
        stmt = stmt.where(Flavor.is_public.is_(False))
    if query.min_ram is not None:
        stmt = stmt.where(_at_least(Flavor.memory_mb, query.min_ram))
    if query.min_disk is not None:
        stmt = stmt.where(_at_least(Flavor.root_gb, query.min_disk))
    sort = _sort_expression(session, query.sort_key)
    if query.marker is not None:
        marker = session.scalars(
            select(Flavor).where(Flavor.id == query.marker, visible_to(ctx))
        ).first()
        if marker is None:
            raise BadRequest(f"marker [{query.marker}] not found")
        stmt = stmt.where(_after(sort, query, marker))
    by_id = Flavor.id.desc() if query.descending else Flavor.id.asc()
    if query.sort_key == "flavorid":
        stmt = stmt.order_by(by_id)
    else:
        stmt = stmt.order_by(sort.desc() if query.descending else sort.asc(), by_id)
    return session.scalars(stmt.limit(query.limit)).all()
