"""Request bodies of OS-OAUTH1: Keystone's schemas (keystone/oauth1/schema.py) and the typed
requests they become.

As in Keystone, a consumer's body need not be wrapped at all (`{}` makes a consumer with no
description), attributes beyond the description are kept, and an update may not name a secret.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion
from pocketstack.cloud.identity.app_credential_requests import RoleWanted
from pocketstack.cloud.identity.errors import SchemaError
from pocketstack.cloud.identity.request_schemas import ID_STRING, NAME, NULLABLE_STRING
from pocketstack.cloud.inputs import TEXT_BYTES, shown, too_big_for_text

_CONSUMER: JSON = {
    "type": "object",
    "properties": {"description": NULLABLE_STRING},
    "additionalProperties": True,
}
CONSUMER_CREATE: JSON = {"type": "object", "properties": {"consumer": _CONSUMER}}
CONSUMER_UPDATE: JSON = {
    "type": "object",
    "properties": {
        "consumer": {**_CONSUMER, "not": {"required": ["secret"]}, "minProperties": 1},
    },
    # Keystone validates what it finds under "consumer", `{}` when nothing: never enough.
    "required": ["consumer"],
}
AUTHORIZE: JSON = {
    "type": "object",
    "properties": {
        "roles": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"id": ID_STRING, "name": NAME},
                "minProperties": 1,
                "maxProperties": 1,
                "additionalProperties": False,
            },
        },
    },
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConsumerChange:
    """A consumer's attributes as given: the description (when given) and the rest."""

    attributes: dict[str, Any]
    # The id the body names, if any: an update may not change it.
    given_id: Any = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Authorization:
    roles: tuple[RoleWanted, ...]


def _attributes(body: Any) -> dict[str, Any]:
    consumer = body.get("consumer") or {}
    # Keystone's: who makes a consumer does not pick its id or its secret.
    attributes = {k: v for k, v in consumer.items() if k not in ("id", "secret", "links")}
    description = attributes.get("description")
    if description is not None and too_big_for_text(description):
        detail = f"{shown(description)} is too long (at most {TEXT_BYTES} bytes)"
        raise SchemaError(path="description", detail=detail)
    if too_big_for_text(json.dumps(attributes)):
        raise SchemaError(path="consumer", detail=f"is too long (at most {TEXT_BYTES} bytes)")
    return attributes


def parse_consumer_create(body: Any, version: Microversion | None) -> ConsumerChange:
    return ConsumerChange(attributes=_attributes(body))


def parse_consumer_update(body: Any, version: Microversion | None) -> ConsumerChange:
    return ConsumerChange(attributes=_attributes(body),
                          given_id=(body.get("consumer") or {}).get("id"))  # fmt: skip


def parse_authorize(body: Any, version: Microversion | None) -> Authorization:
    return Authorization(
        roles=tuple(RoleWanted(id=r.get("id"), name=r.get("name")) for r in body.get("roles", ()))
    )
