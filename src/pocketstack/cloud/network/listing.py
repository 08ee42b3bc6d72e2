"""A list request as Neutron reads one: filters (exact values, a key repeated for several),
`fields`, `sort_key`/`sort_dir` pairs, and `limit`, `marker`, `page_reverse`; its page read by
keyset on the sort keys (then the id), and the `<collection>_links` Neutron gives a page.

Neutron validates filters (filter-validation): a key no attribute filters on is a 400. An empty
value is matched as the empty string (empty-string-filtering). Without a `limit` Neutron answers
everything; here a list stops at MAX_LIMIT and links the next page, so that no request reads a
whole table.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import falcon
from sqlalchemy import Integer, Select, and_, false, func, or_
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.inputs import MAX_INT, decimal
from pocketstack.cloud.network import faults, tags, values
from pocketstack.cloud.network.attributes import Attr

MAX_LIMIT = 1000
_CONTROLS = ("fields", "sort_key", "sort_dir", "limit", "marker", "page_reverse")
CHANGED_SINCE = "changed_since"

Column = InstrumentedAttribute[Any]
FilterHook = Callable[[list[Any]], ColumnElement[bool]]


@dataclasses.dataclass(frozen=True)
class Listable:
    """What a resource's list needs: its attributes, their columns, filters that are not a plain
    column (a port's fixed_ips), and how its marker is found."""

    collection: str
    attributes: Mapping[str, Attr]
    id_column: Column
    updated_column: Column
    columns: Mapping[str, Column]
    hooks: Mapping[str, FilterHook] = dataclasses.field(default_factory=dict)
    # Columns that may be NULL sort as the empty string, or -1 for numbers (keyset comparisons
    # need a value).
    nullable: frozenset[str] = frozenset()
    # Whether the resource takes tags, and so the tag filters.
    tagged: bool = False


@dataclasses.dataclass(frozen=True)
class ListQuery:
    filters: dict[str, list[Any]]
    fields: list[str]
    sorts: list[tuple[str, bool]]
    # The client's limit (None: none asked for) and the page size read.
    limit: int | None
    size: int
    marker: str | None
    page_reverse: bool
    pairs: list[tuple[str, str]]


def _grouped(query_string: str) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    pairs = urllib.parse.parse_qsl(query_string, keep_blank_values=True)
    grouped: dict[str, list[str]] = collections.defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return pairs, grouped


def _limit(raw: str | None) -> int | None:
    if raw is None:
        return None
    number = decimal(raw, cap=MAX_INT)
    if number is None:
        shown = values.text(raw)
        raise faults.bad_request(
            f"Bad limit request: Limit must be an integer 0 or greater and not '{shown}'.",
            kind="BadRequest",
        )
    return number or None


def _sorts(grouped: Mapping[str, list[str]], listable: Listable) -> list[tuple[str, bool]]:
    keys = [k for k in grouped.get("sort_key", []) if k]
    dirs = [d for d in grouped.get("sort_dir", []) if d]
    if len(keys) != len(dirs):
        raise faults.bad_request("The number of sort_keys and sort_dirs must be same")
    bad_keys = [
        k for k in keys if not (k in listable.attributes and listable.attributes[k].sortable)
    ]
    if bad_keys:
        raise faults.bad_request(f"{bad_keys} is invalid attribute for sort_keys")
    bad_dirs = [d for d in dirs if d not in ("asc", "desc")]
    if bad_dirs:
        raise faults.bad_request(
            f"{bad_dirs} is invalid value for sort_dirs, valid value is 'asc' and 'desc'"
        )
    sorts: list[tuple[str, bool]] = []
    for key, direction in zip(keys, dirs, strict=True):
        key = "project_id" if key == "tenant_id" else key
        if key not in (k for k, _ in sorts):
            sorts.append((key, direction == "asc"))
    if "id" not in (k for k, _ in sorts):
        sorts.append(("id", True))
    return sorts


def parse(query_string: str, listable: Listable) -> ListQuery:
    pairs, grouped = _grouped(query_string)
    filters: dict[str, list[Any]] = {}
    invalid: list[str] = []
    for key, raw_values in grouped.items():
        if key in _CONTROLS:
            continue
        attr = listable.attributes.get(key)
        if key == CHANGED_SINCE:
            filters[key] = [_changed_since(raw_values[0])]
            continue
        if key in tags.FILTERS and listable.tagged:
            filters[key] = tags.query_values(raw_values)
            continue
        if attr is None or attr.query is None:
            invalid.append(key)
            continue
        name = "project_id" if key == "tenant_id" else key
        filters.setdefault(name, []).extend(attr.query(v) for v in raw_values)
    if invalid:
        raise faults.bad_request(f"{invalid} is invalid attribute for filtering")
    limit = _limit(grouped["limit"][0] if "limit" in grouped else None)
    return ListQuery(
        filters=filters,
        fields=[f for f in grouped.get("fields", []) if f],
        sorts=_sorts(grouped, listable),
        limit=limit,
        size=min(limit or MAX_LIMIT, MAX_LIMIT),
        marker=(grouped.get("marker") or [""])[0] or None,
        page_reverse=(grouped.get("page_reverse") or ["False"])[0].lower() == "true",
        pairs=pairs,
    )


def _changed_since(raw: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        # 0001-01-01T00:00:00+05:00 parses, but is before the first date-time in UTC.
        return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise faults.invalid_input(
            f"The input {CHANGED_SINCE} must be in the following format: YYYY-MM-DDTHH:MM:SSZ"
        ) from None


def where(listable: Listable, filters: Mapping[str, list[Any]]) -> list[ColumnElement[bool]]:
    """The filters as SQL: each attribute any of its values, all attributes at once."""
    clauses: list[ColumnElement[bool]] = []
    for name, wanted in filters.items():
        if name == CHANGED_SINCE:
            clauses.append(listable.updated_column >= wanted[0])
        elif name in tags.FILTERS:
            clauses.append(tags.matching(listable.id_column, name, wanted))
        elif name in listable.hooks:
            clauses.append(listable.hooks[name](wanted))
        elif name in listable.columns:
            column = listable.columns[name]
            clauses.append(column == wanted[0] if len(wanted) == 1 else column.in_(wanted))
        else:
            # A filter on an attribute nothing here stores (a port's bindings for the
            # non-admin): matches nothing, as an exact match on it would.
            clauses.append(false())
    return clauses


def marker_of(row: Any, listable: Listable) -> dict[str, Any]:
    """The marker row's values of every sortable column, for the keyset's comparisons."""
    return {name: getattr(row, column.key) for name, column in listable.columns.items()
            if column.key is not None}  # fmt: skip


def _fill(listable: Listable, name: str) -> Any:
    """What a NULL of a nullable column sorts as: before every value of its type."""
    return -1 if isinstance(listable.columns[name].type, Integer) else ""


def _sort_column(listable: Listable, name: str) -> ColumnElement[Any]:
    column: ColumnElement[Any] = listable.columns[name].expression
    return func.coalesce(column, _fill(listable, name)) if name in listable.nullable else column


def keyset_page(
    session: Session,
    stmt: Select[Any],
    listable: Listable,
    query: ListQuery,
    marker_values: Mapping[str, Any] | None,
) -> list[Any]:
    """One page of `stmt` (its visibility and filters applied) by the query's sort keys: after
    (or before, page_reverse) the marker's values, `query.size` rows, in the sort's order."""
    forward = not query.page_reverse
    ordered = [(_sort_column(listable, n), asc == forward, n) for n, asc in query.sorts]
    if marker_values is not None:
        ties: list[ColumnElement[bool]] = []
        after: list[ColumnElement[bool]] = []
        for column, ascending, name in ordered:
            value = marker_values[name]
            if name in listable.nullable and value is None:
                value = _fill(listable, name)
            step = column > value if ascending else column < value
            after.append(and_(*ties, step) if ties else step)
            ties.append(column == value)
        stmt = stmt.where(or_(*after))
    stmt = stmt.order_by(*[c.asc() if a else c.desc() for c, a, _ in ordered])
    rows = list(session.scalars(stmt.limit(query.size)))
    return rows if forward else rows[::-1]


def _link(base: str, pairs: Sequence[tuple[str, str]], **changes: str | None) -> str:
    kept = [(k, v) for k, v in pairs if k not in changes]
    kept += [(k, v) for k, v in changes.items() if v is not None]
    return f"{base}?{urllib.parse.urlencode(kept)}"


def links(req: falcon.Request, query: ListQuery, ids: Sequence[str]) -> list[dict[str, str]]:
    """Neutron's pagination links (api_common.get_pagination_links) for a page of `ids`."""
    base = req.prefix.rstrip("/") + req.path
    if query.limit is None:
        if len(ids) < query.size:
            return []
        # Capped without being asked to: the rest is one link away.
        return [{"rel": "next", "href": _link(base, query.pairs, limit=str(query.size),
                                             marker=ids[-1], page_reverse=None)}]  # fmt: skip
    found: list[dict[str, str]] = []
    short = len(ids) < query.size
    if not (short and not query.page_reverse):
        marker = ids[-1] if ids else None
        found.append({"rel": "next", "href": _link(base, query.pairs, marker=marker,
                                                   page_reverse=None)})  # fmt: skip
    if not (short and query.page_reverse):
        marker = ids[0] if ids else None
        found.append({"rel": "previous", "href": _link(base, query.pairs, marker=marker,
                                                       page_reverse="True")})  # fmt: skip
    return found


def page_body(
    req: falcon.Request,
    query: ListQuery,
    collection: str,
    shown: Sequence[dict[str, Any]],
    ids: Sequence[str],
) -> dict[str, Any]:
    """A list's response: the page's views cut to `fields=`, with its links when it has any
    (Neutron leaves `<collection>_links` out rather than empty)."""
    body: dict[str, Any] = {collection: [select_fields(v, query.fields) for v in shown]}
    found = links(req, query, ids)
    if found:
        body[f"{collection}_links"] = found
    return body


def select_fields(view: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """`fields=`: only the asked attributes (unknown ones are ignored, as Neutron does)."""
    if not fields:
        return view
    return {name: value for name, value in view.items() if name in fields}


def show_fields(req: falcon.Request) -> list[str]:
    return [v for k, v in urllib.parse.parse_qsl(req.query_string, keep_blank_values=True)
            if k == "fields" and v]  # fmt: skip
