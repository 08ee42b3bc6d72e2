"""The body of a trust's creation: Keystone's schema (keystone/trust/schema.py) and the typed
request it becomes. What the schema cannot say (an expiry it can read, the trustor being the
caller, roles that exist) is checked by the responder (admin/trusts.py), in Keystone's order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.identity.app_credential_requests import (
    TIMESTAMP_ERROR,
    RoleWanted,
    parse_expiry,
)
from pocketstack.cloud.identity.request_schemas import ID_STRING, NAME, envelope

_ROLE: JSON = {
    "type": "object",
    "properties": {"id": ID_STRING, "name": NAME},
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": False,
}
# Not in Keystone's schema: what our integer columns hold, on every backend.
_INT_MAX = 2**31 - 1
TRUST_CREATE = envelope("trust", {
    "type": "object",
    "properties": {
        "trustor_user_id": {"type": "string"},
        "trustee_user_id": {"type": "string"},
        "impersonation": {"type": "boolean"},
        "project_id": {"type": ["string", "null"]},
        "remaining_uses": {"type": ["integer", "null"], "minimum": 1, "maximum": _INT_MAX},
        "expires_at": {"type": ["null", "string"]},
        "allow_redelegation": {"type": ["boolean", "null"]},
        "redelegation_count": {"type": ["integer", "null"], "minimum": 0, "maximum": _INT_MAX},
        "redelegated_trust_id": {"type": ["string", "null"]},
        "roles": {"type": "array", "items": _ROLE},
    },
    "required": ["trustor_user_id", "trustee_user_id", "impersonation"],
    # Keystone keeps unknown attributes as "extra"; we accept and drop them.
    "additionalProperties": True,
})  # fmt: skip


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrustCreate:
    trustor_user_id: str
    trustee_user_id: str
    impersonation: bool
    project_id: str | None
    roles: tuple[RoleWanted, ...]
    expires_at: dt.datetime | None
    remaining_uses: int | None
    allow_redelegation: bool
    redelegation_count: int | None


def _expiry(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return parse_expiry(value)
    except OverflowError:
        # A time at the calendar's edge whose offset takes it past the edge in UTC.
        raise BadRequest(TIMESTAMP_ERROR) from None


def parse_trust_create(body: Any, version: Microversion | None) -> TrustCreate:
    trust: dict[str, Any] = body["trust"]
    return TrustCreate(
        trustor_user_id=trust["trustor_user_id"],
        trustee_user_id=trust["trustee_user_id"],
        impersonation=trust["impersonation"],
        # Keystone treats an empty project id as none.
        project_id=trust.get("project_id") or None,
        roles=tuple(
            RoleWanted(id=r.get("id"), name=r.get("name")) for r in trust.get("roles") or ()
        ),
        expires_at=_expiry(trust.get("expires_at")),
        remaining_uses=trust.get("remaining_uses"),
        allow_redelegation=bool(trust.get("allow_redelegation")),
        redelegation_count=trust.get("redelegation_count"),
    )
