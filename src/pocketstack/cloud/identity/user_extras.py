"""A user's attributes Keystone does not know (a `project_id`, say): kept as sent and answered
with the user, as Keystone's `extra`. An update merges into them, and one of them set to null
stays, null (as Keystone's dict update does). Attributes with a column of their own, and the
ones the API makes up, are never extras.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.inputs import TEXT_BYTES
from pocketstack.cloud.store.models.identity import User
from pocketstack.cloud.store.models.identity_catalog import UserExtra

_KNOWN = frozenset({
    "id", "name", "domain_id", "password", "enabled", "default_project_id", "email",
    "description", "options", "federated", "links", "password_expires_at",
})  # fmt: skip


def of(user: dict[str, Any]) -> dict[str, Any]:
    """The body's other attributes."""
    extra = {key: value for key, value in user.items() if key not in _KNOWN}
    _bounded(extra)
    return extra


def _bounded(extra: dict[str, Any]) -> str:
    text = json.dumps(extra)
    if len(text.encode("utf-8")) > TEXT_BYTES:
        raise BadRequest(f"The user's other attributes are too long (at most {TEXT_BYTES} bytes)")
    return text


def load(session: Session, user_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    ids = list(user_ids)
    if not ids:
        return {}
    rows = session.execute(select(UserExtra).where(UserExtra.user_id.in_(ids))).scalars()
    return {row.user_id: json.loads(row.extra) for row in rows}


def merge(session: Session, user_id: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Store `extra` over what the user has; answer the whole. The user's row is locked first,
    so two merges at once take turns and neither loses the other's attributes."""
    if extra:
        session.execute(select(User.id).where(User.id == user_id).with_for_update())
    row = session.get(UserExtra, user_id, populate_existing=True)
    if not extra:
        return json.loads(row.extra) if row is not None else {}
    if row is None:
        session.add(UserExtra(user_id=user_id, extra=_bounded(extra)))
        return extra
    merged = {**json.loads(row.extra), **extra}
    row.extra = _bounded(merged)
    return merged


def shown(body: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The user's body with its other attributes, which never hide one the API answers."""
    return {**{key: value for key, value in extra.items() if key not in body}, **body}
