"""Request bodies of application credentials: Keystone's schema for creating one
(keystone/application_credential/schema.py), and the credential part of a token request.

What the schema cannot say is checked in code as Keystone does: an expiry it can read and that
is not already past (the responder, which knows the time), a description our column can hold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.identity.errors import SchemaError, ValidationError
from pocketstack.cloud.identity.request_schemas import ID_STRING, NAME, NULLABLE_STRING, envelope
from pocketstack.cloud.inputs import TEXT_BYTES, shown, too_big_for_text

_BAD_REQUEST_TAIL = (
    " The server could not comply with the request since it is either malformed or otherwise"
    " incorrect. The client is assumed to be in error."
)
TIMESTAMP_ERROR = f"Timestamp not in expected format.{_BAD_REQUEST_TAIL}"
PAST_EXPIRY_ERROR = f"The 'expires_at' must not be before now.{_BAD_REQUEST_TAIL}"

METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")
_ACCESS_RULE: JSON = {
    "type": "object",
    "properties": {
        "id": ID_STRING,
        "path": {"type": "string", "minLength": 0, "maxLength": 225, "pattern": r"^/\.*"},
        "service": ID_STRING,
        "method": {"type": "string", "enum": list(METHODS)},
    },
}
_ROLE: JSON = {
    "type": "object",
    "properties": {"id": ID_STRING, "name": NAME},
    "minProperties": 1,
    "maxProperties": 1,
    "additionalProperties": False,
}
APP_CREDENTIAL_CREATE = envelope("application_credential", {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "secret": NULLABLE_STRING,
        "name": NAME,
        "description": NULLABLE_STRING,
        "expires_at": NULLABLE_STRING,
        "project_id": {"type": "string"},
        "access_rules": {"type": "array", "items": _ACCESS_RULE},
        "unrestricted": {"type": ["boolean", "null"]},
        "system": NULLABLE_STRING,
        "roles": {"type": "array", "items": _ROLE},
    },
    "required": ["name"],
    "additionalProperties": False,
})  # fmt: skip


@dataclasses.dataclass(frozen=True, kw_only=True)
class RoleWanted:
    """A role named by id or by name (exactly one is set)."""

    id: str | None
    name: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class AppCredentialCreate:
    name: str
    description: str | None
    # None: one is generated.
    secret: str | None
    expires_at: dt.datetime | None
    # Empty: every role of the caller's token.
    roles: tuple[RoleWanted, ...]
    unrestricted: bool
    # None: none given; each rule has its id (given or made up).
    access_rules: list[dict[str, Any]] | None

    def __repr__(self) -> str:
        return f"AppCredentialCreate(name={self.name!r}, secret=***)"


def parse_expiry(value: str) -> dt.datetime:
    """Keystone's parse_expiration_date: ISO 8601, UTC unless it says otherwise."""
    text = value[:-1] if value.endswith(("Z", "z")) else value
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(TIMESTAMP_ERROR) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    try:
        return when.astimezone(dt.UTC)
    except OverflowError:
        # 9999-12-31T23:59:59-05:00 is past the last moment a datetime holds in UTC.
        raise BadRequest(TIMESTAMP_ERROR) from None


def parse_app_credential_create(body: Any, version: Microversion | None) -> AppCredentialCreate:
    cred: dict[str, Any] = body["application_credential"]
    description = cred.get("description")
    if description is not None and too_big_for_text(description):
        detail = f"{shown(description)} is too long (at most {TEXT_BYTES} bytes)"
        raise SchemaError(path="description", detail=detail)
    expires = cred.get("expires_at")
    rules = cred.get("access_rules")
    return AppCredentialCreate(
        name=cred["name"],
        description=description,
        secret=cred.get("secret") or None,
        expires_at=parse_expiry(expires) if expires else None,
        roles=tuple(
            RoleWanted(id=r.get("id"), name=r.get("name")) for r in cred.get("roles") or ()
        ),
        unrestricted=bool(cred.get("unrestricted")),
        access_rules=(
            [{**rule, "id": rule.get("id") or uuid.uuid4().hex} for rule in rules]
            if rules
            else None
        ),
    )


# --- the application_credential auth method ------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class AppCredentialLogin:
    """The credential by id, or by name and its user (by id, or by name and domain)."""

    secret: str
    id: str | None = None
    name: str | None = None
    user_id: str | None = None
    user_name: str | None = None
    domain_id: str | None = None
    domain_name: str | None = None

    def __repr__(self) -> str:
        return f"AppCredentialLogin(id={self.id!r}, name={self.name!r}, secret=***)"


def parse_app_credential_login(payload: dict[str, Any]) -> AppCredentialLogin:
    """Keystone's lookup order and words (AuthInfo._lookup_app_cred)."""
    secret = payload.get("secret") or ""
    if payload.get("id"):
        return AppCredentialLogin(secret=secret, id=payload["id"])
    name = payload.get("name")
    if not name:
        raise ValidationError(attribute="name or ID", target="application credential")
    user = payload.get("user")
    if not user:
        raise ValidationError(attribute="user", target="application credential")
    if user.get("id"):
        return AppCredentialLogin(secret=secret, name=name, user_id=user["id"])
    domain = user.get("domain")
    if domain is None:
        raise ValidationError(attribute="domain", target="user")
    return AppCredentialLogin(
        secret=secret,
        name=name,
        user_name=user.get("name") or "",
        domain_id=domain.get("id"),
        domain_name=None if domain.get("id") else domain.get("name") or "",
    )
