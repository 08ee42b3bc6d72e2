"""Application credentials as records: reading them with their roles, and their API body.

A credential delegates some of its user's roles on one project. Its secret is stored as a
bcrypt hash only (made through the hashing gate, as a password's is) and shown once, in the
answer to its creation.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import secrets
from collections.abc import Sequence
from typing import Any

import falcon
from sqlalchemy import select

from pocketstack.cloud.identity import directory
from pocketstack.cloud.identity.directory import Reader
from pocketstack.cloud.identity.web import v3_url
from pocketstack.cloud.store.models.application_credential import (
    ApplicationCredential,
    ApplicationCredentialRole,
)

# Keystone's generated secrets: 64 random bytes, url-safe base64 without its padding.
SECRET_BYTES = 64


CredentialRole = directory.DelegatedRole


@dataclasses.dataclass(frozen=True, kw_only=True)
class AppCredentialRecord:
    id: str
    name: str
    user_id: str
    project_id: str
    secret_hash: str
    description: str | None
    expires_at: dt.datetime | None
    unrestricted: bool
    access_rules: list[dict[str, Any]] | None
    roles: tuple[CredentialRole, ...]

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


def generate_secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(SECRET_BYTES)).rstrip(b"=").decode()


_COLUMNS = (
    ApplicationCredential.id,
    ApplicationCredential.name,
    ApplicationCredential.user_id,
    ApplicationCredential.project_id,
    ApplicationCredential.secret_hash,
    ApplicationCredential.description,
    ApplicationCredential.expires_at,
    ApplicationCredential.unrestricted,
    ApplicationCredential.access_rules,
)


def _records(session: Reader, rows: Sequence[Any]) -> list[AppCredentialRecord]:
    if not rows:
        return []
    roles = directory.delegated_roles(
        session, ApplicationCredentialRole.credential_id, ApplicationCredentialRole.role_id,
        [row[0] for row in rows],
    )
    return [
        AppCredentialRecord(
            id=row[0],
            name=row[1],
            user_id=row[2],
            project_id=row[3],
            secret_hash=row[4],
            description=row[5],
            expires_at=row[6],
            unrestricted=bool(row[7]),
            access_rules=json.loads(row[8]) if row[8] is not None else None,
            roles=tuple(roles[row[0]]),
        )
        for row in rows
    ]


def load(session: Reader, credential_id: str) -> AppCredentialRecord | None:
    rows = session.execute(select(*_COLUMNS).where(ApplicationCredential.id == credential_id)).all()
    found = _records(session, rows)
    return found[0] if found else None


def list_for_user(
    session: Reader, user_id: str, *, name: str | None = None
) -> list[AppCredentialRecord]:
    query = select(*_COLUMNS).where(ApplicationCredential.user_id == user_id)
    if name is not None:
        query = query.where(ApplicationCredential.name == name)
    rows = session.execute(query.order_by(ApplicationCredential.name)).all()
    return _records(session, rows)


def isotime(when: dt.datetime | None) -> str | None:
    # Keystone answers its stored (naive, UTC) time with microseconds and no zone.
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") if when else None


def render(
    req: falcon.Request, cred: AppCredentialRecord, *, secret: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": cred.id,
        "name": cred.name,
        "description": cred.description,
        "expires_at": isotime(cred.expires_at),
        "project_id": cred.project_id,
        "roles": [
            {"id": r.id, "name": r.name, "domain_id": None, "description": r.description,
             "options": {}}
            for r in cred.roles
        ],
        "unrestricted": cred.unrestricted,
        "access_rules": cred.access_rules or [],
        "links": {
            "self": v3_url(req, "users", cred.user_id, "application_credentials", cred.id)
        },
    }  # fmt: skip
    if secret is not None:
        body["secret"] = secret
    return body


def token_section(cred: AppCredentialRecord) -> dict[str, Any]:
    """What a token issued by the credential says of it."""
    section: dict[str, Any] = {
        "id": cred.id,
        "name": cred.name,
        "restricted": not cred.unrestricted,
    }
    if cred.access_rules:
        section["access_rules"] = cred.access_rules
    return section
