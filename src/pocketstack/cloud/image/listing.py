"""`GET /v2/images`: Glance's filters, sorting and keyset paging over the image table.

Which images a project lists (Glance's rules): without a visibility filter, the public ones,
its own, and the shared ones it is a member of with the requested membership status
(`member_status`, accepted by default); community images only when asked for. An admin lists
every image. Filters on tags and on custom properties look into JSON columns, so they are
applied to the rows as they are read, in batches, in the listing's order: a page still holds
`limit` images and its marker stays exact.
"""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.image.lookup import is_visible
from pocketstack.cloud.image.schema import STATUSES, VISIBILITIES
from pocketstack.cloud.inputs import decimal
from pocketstack.cloud.store.models.image import Image
from pocketstack.cloud.store.models.image_member import MEMBER_STATUSES, ImageMember

DEFAULT_LIMIT = 25
MAX_LIMIT = 1000
SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at",
             "updated_at")  # fmt: skip
_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "name": Image.name, "status": Image.status, "container_format": Image.container_format,
    "disk_format": Image.disk_format, "size": Image.size, "id": Image.id,
    "created_at": Image.created_at, "updated_at": Image.updated_at,
}  # fmt: skip
# Equality filters on a column, as Glance applies any base property named in the query.
_TEXT_FILTERS = ("name", "owner", "container_format", "disk_format", "checksum",
                 "os_hash_value", "os_hash_algo")  # fmt: skip
_INT_FILTERS = {"size": Image.size, "min_disk": Image.min_disk, "min_ram": Image.min_ram,
                "virtual_size": Image.virtual_size}  # fmt: skip
# Query parameters that are not filters on a custom property.
_NOT_PROPERTIES = frozenset(
    {"limit", "marker", "sort", "sort_key", "sort_dir", "member_status", "visibility", "tag",
     "status", "id", "os_hidden", "protected", "size_min", "size_max", "created_at",
     "updated_at", *_TEXT_FILTERS, *_INT_FILTERS}
)  # fmt: skip
_BATCH = 200


@dataclasses.dataclass(frozen=True)
class Page:
    images: list[Image]
    # The query of the next page, when this one is full.
    next: str | None


def _pairs(query_string: str) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(query_string, keep_blank_values=True)


def _one(pairs: list[tuple[str, str]], key: str) -> str | None:
    found = [v for k, v in pairs if k == key]
    return found[-1] if found else None


def _sorting(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Glance's two syntaxes: `sort=name:asc,size` or repeated `sort_key`/`sort_dir`."""
    keys: list[str] = []
    dirs: list[str] = []
    sort = _one(pairs, "sort")
    classic = [k for k, _ in pairs if k in ("sort_key", "sort_dir")]
    if sort is not None:
        if classic:
            raise BadRequest("Old and new sorting syntax cannot be combined")
        for item in sort.strip().split(","):
            key, _sep, direction = item.partition(":")
            keys.append(key.strip())
            dirs.append(direction.strip() or "desc")
    else:
        keys = [v.strip() for k, v in pairs if k == "sort_key"]
        dirs = [v.strip() for k, v in pairs if k == "sort_dir"]
    for key in keys:
        if key not in SORT_KEYS:
            raise BadRequest(
                f"Invalid sort key: {key}. It must be one of the following: {', '.join(SORT_KEYS)}."
            )
    for direction in dirs:
        if direction not in ("asc", "desc"):
            raise BadRequest(f"Invalid sort direction: {direction}")
    if len(dirs) > 1 and len(dirs) != len(keys):
        raise BadRequest("Number of sort dirs does not match the number of sort keys")
    if not keys:
        keys = ["created_at"]
    if len(dirs) <= 1:
        dirs = [dirs[0] if dirs else "desc"] * len(keys)
    order = list(zip(keys, dirs, strict=True))
    # Ties are broken as Glance's pagination breaks them: creation time, then id.
    for tie in ("created_at", "id"):
        if tie not in keys:
            order.append((tie, "desc"))
    return order


def _order_by(order: list[tuple[str, str]]) -> list[ColumnElement[Any]]:
    # NULLs sort first ascending and last descending on every backend (PostgreSQL's own order
    # is the opposite): the IS NULL term says so, as the keyset below assumes.
    terms: list[ColumnElement[Any]] = []
    for key, direction in order:
        column = _COLUMNS[key]
        if direction == "asc":
            terms += [column.is_(None).desc(), column.asc()]
        else:
            terms += [column.is_(None).asc(), column.desc()]
    return terms


def _after(column: InstrumentedAttribute[Any], value: Any, direction: str) -> ColumnElement[bool]:
    if direction == "asc":
        return column.is_not(None) if value is None else column > value
    if value is None:
        return false()
    return or_(column < value, column.is_(None))


def _same(column: InstrumentedAttribute[Any], value: Any) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def _beyond(marker: Image, order: list[tuple[str, str]]) -> ColumnElement[bool]:
    """The rows after `marker` in the listing's order (a lexicographic keyset)."""
    branches: list[ColumnElement[bool]] = []
    for i, (key, direction) in enumerate(order):
        equal = [_same(_COLUMNS[k], getattr(marker, k)) for k, _ in order[:i]]
        branches.append(and_(*equal, _after(_COLUMNS[key], getattr(marker, key), direction)))
    return or_(*branches)


def _visible(
    ctx: RequestContext, visibility: str | None, member_status: str
) -> ColumnElement[bool]:
    # `owner == None` would be SQL's IS NULL: a token of no project owns nothing.
    own = Image.owner == ctx.project_id if ctx.project_id is not None else false()
    if ctx.is_admin:
        # Glance's admin sees every image, but the community ones of other projects only when
        # it asks for them (visibility=community or all).
        if visibility is None:
            return or_(Image.visibility != "community", own)
        return true()
    membership = select(ImageMember.image_id).where(ImageMember.member == ctx.project_id)
    if member_status != "all":
        membership = membership.where(ImageMember.status == member_status)
    shared = and_(Image.visibility == "shared", Image.id.in_(membership))
    if visibility == "community":
        return true()
    if visibility == "all":
        return or_(Image.visibility.in_(("public", "community")), own, shared)
    return or_(Image.visibility == "public", own, shared)


def _int(raw: str, what: str) -> int:
    number = decimal(raw.strip(), cap=2**63 - 1)
    if number is None:
        raise BadRequest(f"Invalid value '{raw}' for {what}: must be a non-negative integer.")
    return number


def _boolean(pairs: list[tuple[str, str]], key: str, default: str | None) -> bool | None:
    raw = _one(pairs, key)
    value = (raw if raw is not None else default or "").lower() or None
    if value is None:
        return None
    if value not in ("true", "false"):
        raise BadRequest(
            f"Invalid value '{raw}' for '{key}' filter. Valid values are 'true' or 'false'."
        )
    return value == "true"


def _filtered(stmt: Select[Image], pairs: list[tuple[str, str]]) -> Select[Image]:
    status = _one(pairs, "status")
    if status is not None:
        if status not in STATUSES:
            raise BadRequest(f"Invalid status value: {status}")
        stmt = stmt.where(Image.status == status)
    raw_id = _one(pairs, "id")
    if raw_id is not None:
        if raw_id.startswith("in:"):
            ids = [i.strip().strip('"') for i in raw_id[3:].split(",") if i.strip()]
            stmt = stmt.where(Image.id.in_(ids))
        else:
            stmt = stmt.where(Image.id == raw_id.removeprefix("eq:"))
    for key in _TEXT_FILTERS:
        value = _one(pairs, key)
        if value is not None:
            stmt = stmt.where(getattr(Image, key) == value)
    for key, column in _INT_FILTERS.items():
        value = _one(pairs, key)
        if value is not None:
            stmt = stmt.where(column == _int(value, key))
    for key, compare in (("size_min", Image.size.__ge__), ("size_max", Image.size.__le__)):
        value = _one(pairs, key)
        if value is not None:
            bound = decimal(value.strip(), cap=2**63 - 1)
            if bound is None:
                raise BadRequest("Unable to filter on a range with a non-numeric value.")
            stmt = stmt.where(compare(bound))
    hidden = _boolean(pairs, "os_hidden", "false")
    stmt = stmt.where(Image.os_hidden == bool(hidden))
    protected = _boolean(pairs, "protected", None)
    if protected is not None:
        stmt = stmt.where(Image.protected == protected)
    return stmt


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    text = raw.strip()
    if text.startswith("-") and decimal(text[1:], cap=MAX_LIMIT) is not None:
        raise BadRequest("limit param must be positive")
    number = decimal(text, cap=MAX_LIMIT)
    if number is None:
        raise BadRequest("limit param must be an integer")
    return number


def _matches(image: Image, tags: list[str], properties: dict[str, str]) -> bool:
    if tags and not set(tags) <= set(json.loads(image.tags)):
        return False
    if properties:
        own = json.loads(image.properties)
        return all(own.get(k) == v for k, v in properties.items())
    return True


# What a JSON text holds verbatim, whether written with or without ensure_ascii.
_PLAIN = re.compile(r"^[ -!#-\[\]-~]*$")


def _prefilters(tags: list[str], properties: dict[str, str]) -> list[ColumnElement[bool]]:
    """SQL conditions every match meets (the JSON text holds the tag, the key and the value,
    each quoted), so that the database, not a scan in Python, drops most rows that cannot
    match; _matches still decides. Only plain ASCII strings, which every JSON writer leaves
    as they are."""
    wanted = [(Image.tags, t) for t in tags]
    wanted += [(Image.properties, text) for pair in properties.items() for text in pair]
    return [column.contains(f'"{text}"', autoescape=True)
            for column, text in wanted if _PLAIN.match(text)]  # fmt: skip


def _scan(
    session: Session, stmt: Select[Image], order: list[tuple[str, str]],
    tags: list[str], properties: dict[str, str],
) -> Iterator[Image]:  # fmt: skip
    marker: Image | None = None
    while True:
        batch_stmt = stmt if marker is None else stmt.where(_beyond(marker, order))
        batch = list(session.scalars(batch_stmt.limit(_BATCH)))
        for image in batch:
            if _matches(image, tags, properties):
                yield image
        if len(batch) < _BATCH:
            return
        marker = batch[-1]


def list_images(session: Session, ctx: RequestContext, query_string: str) -> Page:
    pairs = _pairs(query_string)
    if _one(pairs, "changes-since") is not None:
        raise BadRequest('The "changes-since" filter is no longer available on v2.')
    visibility = _one(pairs, "visibility")
    if visibility is not None and visibility not in (*VISIBILITIES, "all"):
        raise BadRequest(f"Invalid visibility value: {visibility}")
    member_status = _one(pairs, "member_status") or "accepted"
    if member_status not in (*MEMBER_STATUSES, "all"):
        raise BadRequest(f"Invalid status: {member_status}")
    limit = _limit(_one(pairs, "limit"))
    order = _sorting(pairs)
    stmt = select(Image).where(_visible(ctx, visibility, member_status))
    if visibility not in (None, "all"):
        stmt = stmt.where(Image.visibility == visibility)
    stmt = _filtered(stmt, pairs).order_by(*_order_by(order))
    tags = [v.strip() for k, v in pairs if k == "tag"]
    properties = {k: v for k, v in pairs if k not in _NOT_PROPERTIES}
    stmt = stmt.where(*_prefilters(tags, properties))
    marker_id = _one(pairs, "marker")
    if marker_id is not None:
        marker = session.get(Image, marker_id)
        if marker is None or not _may_mark(session, ctx, marker):
            raise BadRequest(f"Invalid marker. Image {marker_id} could not be found.")
        stmt = stmt.where(_beyond(marker, order))
    images: list[Image] = []
    if limit:
        for image in _scan(session, stmt, order, tags, properties):
            images.append(image)
            if len(images) == limit:
                break
    following = None
    if images and len(images) == limit:
        rest = [(k, v) for k, v in pairs if k != "marker"]
        following = urllib.parse.urlencode([*rest, ("marker", images[-1].id)])
    return Page(images=images, next=following)


def _may_mark(session: Session, ctx: RequestContext, marker: Image) -> bool:
    # A marker is an image the caller may read: an unknown one and another's are alike.
    return is_visible(marker, project_id=ctx.project_id, is_admin=ctx.is_admin)
