"""Request bodies of groups and of the self-service password change: Keystone's schemas
(keystone/identity/schema.py) and the typed values they become.

A group keeps Keystone's open entity (attributes it does not know are accepted and, as for
users, not kept). Its name is bounded by Keystone's column (64), not by its schema (255): the
longer names Keystone's schema lets through are refused by its database.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion
from pocketstack.cloud.identity.errors import SchemaError
from pocketstack.cloud.identity.request_schemas import (
    ID_STRING,
    NULLABLE_STRING,
    SHORT_NAME,
    STRING,
    envelope,
)
from pocketstack.cloud.inputs import TEXT_BYTES, shown, too_big_for_text

_GROUP: JSON = {"description": NULLABLE_STRING, "name": SHORT_NAME}
GROUP_CREATE = envelope(
    "group",
    {
        "type": "object",
        "properties": {**_GROUP, "domain_id": ID_STRING},
        "required": ["name"],
        "additionalProperties": True,
    },
)
GROUP_UPDATE = envelope(
    "group",
    {
        "type": "object",
        "properties": _GROUP,
        "minProperties": 1,
        "additionalProperties": True,
    },
)
PASSWORD_CHANGE = envelope(
    "user",
    {
        "type": "object",
        "properties": {"original_password": STRING, "password": STRING},
        "required": ["original_password", "password"],
        "additionalProperties": False,
    },
)


def _description(entity: dict[str, Any]) -> str | None:
    value: str | None = entity.get("description")
    if value is not None and too_big_for_text(value):
        detail = f"{shown(value)} is too long (at most {TEXT_BYTES} bytes)"
        raise SchemaError(path="description", detail=detail)
    return value


@dataclasses.dataclass(frozen=True, kw_only=True)
class GroupCreate:
    name: str
    # None: the caller's domain.
    domain_id: str | None
    description: str


def parse_group_create(body: Any, version: Microversion | None) -> GroupCreate:
    group: dict[str, Any] = body["group"]
    return GroupCreate(
        # Keystone strips the name it stores.
        name=group["name"].strip(),
        domain_id=group.get("domain_id"),
        description=_description(group) or "",
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class GroupUpdate:
    """None leaves an attribute as it is."""

    name: str | None
    description: str | None
    # A domain_id in the body: Keystone refuses to move a group (unless it names its own).
    domain_id: str | None


def parse_group_update(body: Any, version: Microversion | None) -> GroupUpdate:
    group: dict[str, Any] = body["group"]
    name = group.get("name")
    domain_id = group.get("domain_id")
    if "domain_id" in group and not isinstance(domain_id, str):
        # Any domain_id but the group's own is Keystone's "Cannot change Domain ID", a null
        # or a number included: "" matches no domain.
        domain_id = ""
    return GroupUpdate(
        name=name.strip() if isinstance(name, str) else None,
        description=_description(group),
        domain_id=domain_id,
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class PasswordChange:
    original_password: str
    password: str

    def __repr__(self) -> str:
        # Never the secrets, whatever logs this.
        return "PasswordChange(original_password=***, password=***)"


def parse_password_change(body: Any, version: Microversion | None) -> PasswordChange:
    user: dict[str, Any] = body["user"]
    return PasswordChange(original_password=user["original_password"], password=user["password"])
