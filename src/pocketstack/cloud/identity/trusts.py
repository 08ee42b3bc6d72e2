"""Trusts as records: reading them with their roles, and their API body (OS-TRUST).

A trust whose expiry has passed, or whose uses are spent, no longer exists as far as the API
and the token method are concerned (Keystone's get_trust): `usable` says which.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

import falcon
from sqlalchemy import ColumnElement, select

from pocketstack.cloud.errors import NotFound
from pocketstack.cloud.identity import directory
from pocketstack.cloud.identity.directory import Reader
from pocketstack.cloud.identity.web import v3_url
from pocketstack.cloud.store.models.trust import Trust, TrustRole

TRUSTS = "OS-TRUST/trusts"

# Keystone's bootstrap chain (admin -> manager -> member -> reader): a trustor holding a role
# may delegate the roles it implies.
IMPLIED = {
    "admin": ("manager", "member", "reader"),
    "manager": ("member", "reader"),
    "member": ("reader",),
}


TrustRoleRef = directory.DelegatedRole


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrustRecord:
    id: str
    trustor_user_id: str
    trustee_user_id: str
    project_id: str | None
    impersonation: bool
    expires_at: dt.datetime | None
    remaining_uses: int | None
    redelegated_trust_id: str | None
    redelegation_count: int
    roles: tuple[TrustRoleRef, ...]

    def usable(self, now: dt.datetime) -> bool:
        if self.expires_at is not None and self.expires_at <= now:
            return False
        return self.remaining_uses is None or self.remaining_uses > 0


def not_found(trust_id: str) -> NotFound:
    return NotFound(f"Could not find trust: {trust_id}.")


_COLUMNS = (
    Trust.id,
    Trust.trustor_user_id,
    Trust.trustee_user_id,
    Trust.project_id,
    Trust.impersonation,
    Trust.expires_at,
    Trust.remaining_uses,
    Trust.redelegated_trust_id,
    Trust.redelegation_count,
)


def _records(session: Reader, rows: Sequence[Any]) -> list[TrustRecord]:
    if not rows:
        return []
    roles = directory.delegated_roles(
        session, TrustRole.trust_id, TrustRole.role_id, [row[0] for row in rows]
    )
    return [
        TrustRecord(
            id=row[0],
            trustor_user_id=row[1],
            trustee_user_id=row[2],
            project_id=row[3],
            impersonation=bool(row[4]),
            expires_at=row[5],
            remaining_uses=row[6],
            redelegated_trust_id=row[7],
            redelegation_count=int(row[8] or 0),
            roles=tuple(roles[row[0]]),
        )
        for row in rows
    ]


def load(session: Reader, trust_id: str) -> TrustRecord | None:
    rows = session.execute(select(*_COLUMNS).where(Trust.id == trust_id)).all()
    found = _records(session, rows)
    return found[0] if found else None


def load_usable(session: Reader, trust_id: str, now: dt.datetime) -> TrustRecord:
    """The trust, or Keystone's 404 when it is missing, expired or spent."""
    trust = load(session, trust_id)
    if trust is None or not trust.usable(now):
        raise not_found(trust_id)
    return trust


def list_trusts(
    session: Reader,
    *,
    trustor_user_id: str | None = None,
    trustee_user_id: str | None = None,
) -> list[TrustRecord]:
    conditions: list[ColumnElement[bool]] = []
    if trustor_user_id is not None:
        conditions.append(Trust.trustor_user_id == trustor_user_id)
    if trustee_user_id is not None:
        conditions.append(Trust.trustee_user_id == trustee_user_id)
    query = select(*_COLUMNS).where(*conditions).order_by(Trust.created_at, Trust.id)
    # Keystone lists expired and spent trusts too (only showing one refuses them).
    return _records(session, session.execute(query).all())


def effective_role_ids(session: Reader, *, user_id: str, project_id: str) -> set[str]:
    """The roles the user holds on the project, with those they imply."""
    held = directory.roles_on(session, user_id=user_id, target_type="project", target_id=project_id)
    names = {r.name for r in held}
    for role in held:
        names.update(IMPLIED.get(role.name, ()))
    return {r.id for r in held} | {r.id for r in directory.roles_by_name(session, sorted(names))}


def isotime(when: dt.datetime | None) -> str | None:
    """Keystone's `subsecond` time: to the second, then six zeros and a Z."""
    if when is None:
        return None
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def render_role(req: falcon.Request, role: TrustRoleRef) -> dict[str, Any]:
    return {
        "id": role.id,
        "name": role.name,
        "domain_id": None,
        "description": role.description,
        "options": {},
        "links": {"self": v3_url(req, "roles", role.id)},
    }


def roles_links(req: falcon.Request, trust_id: str) -> dict[str, str | None]:
    return {"self": v3_url(req, TRUSTS, trust_id, "roles"), "previous": None, "next": None}


def render(req: falcon.Request, trust: TrustRecord, *, with_roles: bool = True) -> dict[str, Any]:
    """A listing leaves the roles out, as Keystone's does."""
    body: dict[str, Any] = {
        "id": trust.id,
        "trustor_user_id": trust.trustor_user_id,
        "trustee_user_id": trust.trustee_user_id,
        "project_id": trust.project_id,
        "impersonation": trust.impersonation,
        "expires_at": isotime(trust.expires_at),
        "remaining_uses": trust.remaining_uses,
        "redelegated_trust_id": trust.redelegated_trust_id,
        "redelegation_count": trust.redelegation_count,
        "deleted_at": None,
        "links": {"self": v3_url(req, TRUSTS, trust.id)},
    }
    if with_roles:
        body["roles"] = [render_role(req, r) for r in trust.roles]
        body["roles_links"] = roles_links(req, trust.id)
    return body


def token_section(trust: TrustRecord) -> dict[str, Any]:
    """What a trust-scoped token says of its trust."""
    return {
        "id": trust.id,
        "impersonation": trust.impersonation,
        "trustor_user": {"id": trust.trustor_user_id},
        "trustee_user": {"id": trust.trustee_user_id},
    }
