"""Policy blobs (/v3/policies): an opaque `blob` of some `type` Keystone stores for other
services, with any further attributes the caller sends kept beside them (Keystone's `extra`).

The bodies follow keystone/policy/schema.py: create names both `blob` and `type`, an update at
least one attribute, and both stay open to other attributes.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import falcon

from pocketstack.cloud.api.operation import JSON, Microversion
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.identity.errors import SchemaError
from pocketstack.cloud.identity.request_schemas import envelope
from pocketstack.cloud.identity.web import v3_url
from pocketstack.cloud.inputs import TEXT_BYTES, too_big_for_text
from pocketstack.cloud.store.models.identity_catalog import Policy

_PROPERTIES: JSON = {"blob": {"type": "string"}, "type": {"type": "string", "maxLength": 255}}
POLICY_CREATE = envelope("policy", {"type": "object", "properties": _PROPERTIES,
                                    "required": ["blob", "type"],
                                    "additionalProperties": True})  # fmt: skip
POLICY_UPDATE = envelope("policy", {"type": "object", "properties": _PROPERTIES,
                                    "minProperties": 1,
                                    "additionalProperties": True})  # fmt: skip
# Ours, never the caller's: the id is made up (or must match), the links are the policy's own.
_RESERVED = ("id", "links", "blob", "type")


@dataclasses.dataclass(frozen=True, kw_only=True)
class PolicyWrite:
    """A create names blob and type; an update may leave either None (as it is)."""

    id: object
    blob: str | None
    type: str | None
    extra: dict[str, Any]


def _extra(policy: dict[str, Any]) -> dict[str, Any]:
    extra = {key: value for key, value in policy.items() if key not in _RESERVED}
    if len(json.dumps(extra).encode("utf-8")) > TEXT_BYTES:
        raise BadRequest(f"The policy's other attributes are too long (at most {TEXT_BYTES}"
                         " bytes)")  # fmt: skip
    return extra


def _parse(body: Any) -> PolicyWrite:
    policy: dict[str, Any] = body["policy"]
    blob: str | None = policy.get("blob")
    if blob is not None and too_big_for_text(blob):
        raise SchemaError(path="blob", detail=f"is too long (at most {TEXT_BYTES} bytes)")
    return PolicyWrite(id=policy.get("id"), blob=blob, type=policy.get("type"),
                       extra=_extra(policy))  # fmt: skip


def parse_create(body: Any, version: Microversion | None) -> PolicyWrite:
    return _parse(body)


def parse_update(body: Any, version: Microversion | None) -> PolicyWrite:
    return _parse(body)


def extra_of(row: Policy) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(row.extra or "{}")
    return loaded


def render(req: falcon.Request, row: Policy) -> dict[str, Any]:
    return {**extra_of(row), "id": row.id, "blob": row.blob, "type": row.type,
            "links": {"self": v3_url(req, "policies", row.id)}}  # fmt: skip
