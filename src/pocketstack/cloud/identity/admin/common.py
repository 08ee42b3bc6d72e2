"""Validation and lookups shared by the admin resources, worded as Keystone's errors."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.errors import Conflict, NotFound
from pocketstack.cloud.identity.errors import SchemaError, ValidationError
from pocketstack.cloud.inputs import TEXT_BYTES, shown, too_big_for_text

T = TypeVar("T")
_TYPE_NAMES = {str: "string", bool: "boolean", dict: "object", list: "array"}
MAX_NAME = 255


def new_id() -> str:
    return uuid.uuid4().hex


def entity_body(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if not isinstance(value, dict):
        raise ValidationError(attribute=key, target="request body")
    return value


def field(obj: dict[str, Any], key: str, kind: type[T], *, required: bool = False) -> T | None:
    if key not in obj or (obj[key] is None and not required):
        if required:
            raise SchemaError(path=key, detail=f"'{key}' is a required property")
        return None
    value = obj[key]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise SchemaError(path=key, detail=f"{shown(value)} is not of type '{_TYPE_NAMES[kind]}'")
    if isinstance(value, str):
        _check_length(key, value)
    return value


# What the columns behind the body's keys hold (Keystone's schema bounds most of them the
# same); any other string lands in a TEXT column, 65,535 bytes on MariaDB.
_MAX_CHARS = {"email": 255, "id": 255, "region_id": 255, "region": 255, "parent_region_id": 255}
MAX_ID = 64


def _check_length(key: str, value: str) -> None:
    if key in ("name", "type"):
        if not 1 <= len(value) <= MAX_NAME:
            raise SchemaError(path=key, detail=f"{key} must be 1 to {MAX_NAME} characters long")
        return
    limit = _MAX_CHARS.get(key, MAX_ID if key.endswith("_id") else None)
    if (limit is not None and len(value) > limit) or too_big_for_text(value):
        bound = f"{limit} characters" if limit is not None else f"{TEXT_BYTES} bytes"
        raise SchemaError(path=key, detail=f"{shown(value)} is too long (at most {bound})")


def required_str(obj: dict[str, Any], key: str) -> str:
    value = field(obj, key, str, required=True)
    assert value is not None
    return value


def get_or_404(session: Session, model: type[T], ident: str, kind: str) -> T:
    row = session.get(model, ident)
    if row is None:
        raise NotFound(f"Could not find {kind}: {ident}.")
    return row


@contextmanager
def conflicts(kind: str, detail: str) -> Iterator[None]:
    """Turn a unique-constraint failure at flush into Keystone's 409."""
    try:
        yield
    except IntegrityError:
        raise Conflict(f"Conflict occurred attempting to store {kind} - {detail}.") from None
