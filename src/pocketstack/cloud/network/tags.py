"""Resource tags (Neutron's standard-attr-tag) kept: read with the views, matched by the list
filters, replaced or added to by the tag API (tags_api.py).

Every writer of a resource's tags holds the resource's row FOR UPDATE first, so two writers of
one resource's tags run one after the other and never insert the same (resource, tag) row twice.

A resource's delete drops its tags (`forget`). Any left behind (a port compute deletes) are
never seen: ids are UUIDs never reused, and every read starts from the resource.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import Select, and_, delete, exists, not_, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.network import faults, values
from pocketstack.cloud.store.models.network_quota import TAG_LENGTH, NetworkTag

# The list filters (all of them, any of them, not all of them, none of them).
FILTERS = ("tags", "tags-any", "not-tags", "not-tags-any")


def tags_of(session: Session, resource_ids: Iterable[str]) -> dict[str, list[str]]:
    wanted = list(set(resource_ids))
    found: dict[str, list[str]] = {r: [] for r in wanted}
    if wanted:
        stmt = (select(NetworkTag.resource_id, NetworkTag.tag)
                .where(NetworkTag.resource_id.in_(wanted)).order_by(NetworkTag.tag))  # fmt: skip
        for resource_id, tag in session.execute(stmt):
            found[resource_id].append(tag)
    return found


def fill(session: Session, views: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The views with their resources' tags (one query for them all)."""
    found = tags_of(session, (v["id"] for v in views))
    for view in views:
        view["tags"] = found.get(view["id"], [])
    return list(views)


def query_values(raw: Iterable[str]) -> list[str]:
    """A filter's tags: comma-separated, the key repeated for more (Neutron merges both)."""
    return list(dict.fromkeys(t for value in raw for t in value.split(",") if t))


def _has(id_column: Any, tag: str) -> ColumnElement[bool]:
    return exists().where(NetworkTag.resource_id == id_column, NetworkTag.tag == tag)


def matching(id_column: Any, name: str, wanted: Collection[str]) -> ColumnElement[bool]:
    """The SQL of one tag filter on the resources whose id is `id_column`."""
    each = [_has(id_column, tag) for tag in wanted]
    if not each:
        # An empty value filters nothing out, as Neutron ignores it.
        return true()
    if name == "tags":
        return and_(*each)
    if name == "tags-any":
        return or_(*each)
    if name == "not-tags":
        return not_(and_(*each))
    return not_(or_(*each))


def check_tag(tag: Any) -> str:
    """Neutron's validate_tag: a string of at most TAG_LENGTH characters."""
    if not isinstance(tag, str):
        raise faults.invalid_input(f"'{values.text(tag)}' is not a valid string")
    if len(tag) > TAG_LENGTH:
        raise faults.invalid_input(f"'{tag}' exceeds maximum length of {TAG_LENGTH}")
    return tag


def check_tags(body: Any) -> list[str]:
    """Neutron's validate_tags: `{"tags": [unique strings]}`."""
    if not isinstance(body, dict) or "tags" not in body:
        raise faults.invalid_input("Invalid tags body")
    tags = body["tags"]
    if not isinstance(tags, list):
        raise faults.invalid_input(f"'{values.text(tags)}' is not a list")
    checked = [check_tag(t) for t in tags]
    repeated = sorted({t for t in checked if checked.count(t) > 1})
    if repeated:
        raise faults.invalid_input(f"Duplicate items in the list: '{', '.join(repeated)}'")
    return checked


def forget(session: Session, resource_ids: Iterable[str] | Select[Any]) -> None:
    """The tags of resources being deleted dropped (their ids, or a select of them)."""
    ids = resource_ids if isinstance(resource_ids, Select) else list(resource_ids)
    session.execute(delete(NetworkTag).where(NetworkTag.resource_id.in_(ids)))


def has(session: Session, resource_id: str, tag: str) -> bool:
    return session.get(NetworkTag, (resource_id, tag)) is not None


def add(session: Session, resource_id: str, tag: str) -> bool:
    """The tag added (the resource locked by the caller); False if it was there already."""
    if has(session, resource_id, tag):
        return False
    session.add(NetworkTag(resource_id=resource_id, tag=tag))
    session.flush()
    return True


def replace(session: Session, resource_id: str, wanted: Sequence[str]) -> bool:
    """The resource's tags made `wanted`; whether anything changed."""
    held = set(tags_of(session, [resource_id])[resource_id])
    gone, new = held - set(wanted), [t for t in wanted if t not in held]
    if gone:
        session.execute(delete(NetworkTag).where(NetworkTag.resource_id == resource_id,
                                                 NetworkTag.tag.in_(gone)))  # fmt: skip
    session.add_all([NetworkTag(resource_id=resource_id, tag=t) for t in new])
    session.flush()
    return bool(gone or new)


def remove(session: Session, resource_id: str, tag: str | None = None) -> bool:
    """One tag (None: all of them) removed; whether any was there."""
    stmt = delete(NetworkTag).where(NetworkTag.resource_id == resource_id)
    if tag is not None:
        stmt = stmt.where(NetworkTag.tag == tag)
    return bool(getattr(session.execute(stmt), "rowcount", 0))
