"""Stored credentials: written encrypted, read decrypted, rendered as Keystone renders them.

An `ec2` credential's id is the SHA-256 of its access key (Keystone's), so the same access key
cannot be stored twice (409) and the OS-EC2 API finds a credential by its access key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from typing import Any

import falcon
from sqlalchemy import delete as delete_rows
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.identity.admin.common import conflicts
from pocketstack.cloud.identity.credential_keys import CredentialKeys
from pocketstack.cloud.identity.web import v3_url
from pocketstack.cloud.store.models.credential import Credential


def ec2_id(access: str) -> str:
    return hashlib.sha256(access.encode("utf-8")).hexdigest()


def new_id(kind: str, blob: str) -> str:
    if kind == "ec2":
        return ec2_id(str(json.loads(blob)["access"]))
    return uuid.uuid4().hex


@dataclasses.dataclass(frozen=True, kw_only=True)
class CredentialRecord:
    id: str
    user_id: str
    project_id: str | None
    type: str
    blob: str

    def __repr__(self) -> str:
        return f"CredentialRecord(id={self.id!r}, type={self.type!r}, blob=***)"


def _record(keys: CredentialKeys, row: Credential) -> CredentialRecord:
    return CredentialRecord(
        id=row.id,
        user_id=row.user_id,
        project_id=row.project_id,
        type=row.type,
        blob=keys.decrypt(row.encrypted_blob),
    )


def store(session: Session, keys: CredentialKeys, record: CredentialRecord) -> None:
    """Insert or (same id) overwrite; a second credential with the id of another is a 409."""
    encrypted, key_hash = keys.encrypt(record.blob)
    row = session.get(Credential, record.id)
    if row is None:
        row = Credential(id=record.id)
        session.add(row)
    row.user_id = record.user_id
    row.project_id = record.project_id
    row.type = record.type
    row.encrypted_blob = encrypted
    row.key_hash = key_hash
    with conflicts("credential", f"Duplicate ID, {record.id}"):
        session.flush()


def load(session: Session, keys: CredentialKeys, credential_id: str) -> CredentialRecord | None:
    row = session.get(Credential, credential_id)
    return None if row is None else _record(keys, row)


def delete(session: Session, credential_id: str) -> bool:
    gone = session.execute(delete_rows(Credential).where(Credential.id == credential_id))
    return bool(gone.rowcount)  # type: ignore[attr-defined]


def listing(
    session: Session,
    keys: CredentialKeys,
    *,
    user_id: str | None = None,
    kind: str | None = None,
) -> list[CredentialRecord]:
    query = select(Credential).order_by(Credential.id)
    if user_id is not None:
        query = query.where(Credential.user_id == user_id)
    if kind is not None:
        query = query.where(Credential.type == kind)
    return [_record(keys, row) for row in session.execute(query).scalars()]


def render(req: falcon.Request, cred: CredentialRecord) -> dict[str, Any]:
    return {
        "id": cred.id,
        "user_id": cred.user_id,
        "project_id": cred.project_id,
        "type": cred.type,
        "blob": cred.blob,
        "links": {"self": v3_url(req, "credentials", cred.id)},
    }


def render_ec2(req: falcon.Request, cred: CredentialRecord) -> dict[str, Any]:
    """Keystone's OS-EC2 view of an ec2 credential, linked by its access key."""
    blob = json.loads(cred.blob)
    access = blob.get("access")
    return {
        "user_id": cred.user_id,
        "tenant_id": cred.project_id,
        "access": access,
        "secret": blob.get("secret"),
        "trust_id": blob.get("trust_id"),
        "links": {"self": v3_url(req, "users", cred.user_id, "credentials", "OS-EC2", str(access))},
    }
