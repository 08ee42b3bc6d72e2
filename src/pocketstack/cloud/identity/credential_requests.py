"""Request bodies of /v3/credentials and of the OS-EC2 credentials: Keystone's schemas
(keystone/credential/schema.py) and the typed requests they become.

An `ec2` credential needs a project, and its blob must be a JSON object with an `access` key
(its id is derived from it): checked in code, worded as Keystone words it. A blob is kept
encrypted in a text column, so it may be at most BLOB_BYTES long.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.identity.errors import SchemaError, ValidationError
from pocketstack.cloud.identity.request_schemas import envelope

EC2 = "ec2"
# Encrypted (base64 and Fernet's framing: about 4/3 of it) it still fits a 64 KiB text column.
BLOB_BYTES = 32_768

_PROPERTIES: JSON = {
    "id": {"type": "string"},
    "blob": {"type": "string"},
    "project_id": {"type": ["string", "null"]},
    "type": {"type": "string"},
    "user_id": {"type": "string"},
}
CREDENTIAL_CREATE = envelope("credential", {
    "type": "object",
    "properties": _PROPERTIES,
    "required": ["blob", "type", "user_id"],
    "additionalProperties": True,
})  # fmt: skip
CREDENTIAL_UPDATE = envelope("credential", {
    "type": "object",
    "properties": _PROPERTIES,
    "minProperties": 1,
    "additionalProperties": True,
})  # fmt: skip
EC2_CREATE: JSON = {
    "type": "object",
    "properties": {"tenant_id": {"type": ["string", "null"]}},
    "additionalProperties": True,
}


def ec2_blob(blob: str) -> dict[str, Any]:
    """An ec2 blob read as Keystone reads it: a non-empty JSON object with an `access`."""
    try:
        value = json.loads(blob)
    except ValueError:
        raise BadRequest("Invalid blob in credential") from None
    if not value or not isinstance(value, dict):
        raise ValidationError(attribute="blob", target="credential")
    if value.get("access") is None:
        raise ValidationError(attribute="access", target="credential")
    return value


def _blob(value: str) -> str:
    if len(value.encode("utf-8")) > BLOB_BYTES:
        raise SchemaError(path="blob", detail=f"is too long (at most {BLOB_BYTES} bytes)")
    return value


@dataclasses.dataclass(frozen=True, kw_only=True)
class CredentialCreate:
    blob: str
    type: str
    user_id: str
    project_id: str | None

    def __repr__(self) -> str:
        return f"CredentialCreate(type={self.type!r}, user_id={self.user_id!r}, blob=***)"


def parse_credential_create(body: Any, version: Microversion | None) -> CredentialCreate:
    cred: dict[str, Any] = body["credential"]
    project_id = cred.get("project_id")
    if cred["type"] == EC2:
        if project_id is None:
            # Keystone's schema: an ec2 credential requires project_id.
            raise BadRequest("'project_id' is a required property")
        ec2_blob(cred["blob"])
    return CredentialCreate(
        blob=_blob(cred["blob"]), type=cred["type"], user_id=cred["user_id"], project_id=project_id
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class CredentialUpdate:
    """None leaves an attribute as it is; `project_given` tells a null project from none."""

    id: str | None
    blob: str | None
    type: str | None
    user_id: str | None
    project_id: str | None
    project_given: bool

    def __repr__(self) -> str:
        return f"CredentialUpdate(type={self.type!r}, user_id={self.user_id!r}, blob=***)"


def parse_credential_update(body: Any, version: Microversion | None) -> CredentialUpdate:
    cred: dict[str, Any] = body["credential"]
    blob = cred.get("blob")
    return CredentialUpdate(
        id=cred.get("id"),
        blob=None if blob is None else _blob(blob),
        type=cred.get("type"),
        user_id=cred.get("user_id"),
        project_id=cred.get("project_id"),
        project_given="project_id" in cred,
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Ec2Create:
    tenant_id: str | None


def parse_ec2_create(body: Any, version: Microversion | None) -> Ec2Create:
    return Ec2Create(tenant_id=body.get("tenant_id"))
