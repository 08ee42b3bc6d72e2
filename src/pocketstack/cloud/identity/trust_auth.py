"""Trust-scoped tokens: the trustee, authenticated by password or token, asks for the scope
`{"OS-TRUST:trust": {"id": ...}}` and gets the trust's roles on the trust's project — as the
trustor when the trust allows impersonation.

The token carries the trust and both its users (auth/tokens.py), so that deleting the trust,
revoking either user, or the trustor losing a delegated role on the project (a revocation event
for the trust, auth/revocation.py) kills it wherever it is validated. Each token takes one of
the trust's `remaining_uses`, atomically, and never outlives the trust.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import update

from pocketstack.cloud.auth.tokens import TokenPayload
from pocketstack.cloud.errors import Forbidden, Unauthorized
from pocketstack.cloud.identity import directory, trusts
from pocketstack.cloud.identity.authn import TokenView
from pocketstack.cloud.identity.catalog import load_catalog
from pocketstack.cloud.identity.directory import ProjectRecord, Reader, RoleRef, UserRecord
from pocketstack.cloud.identity.errors import AuthenticationFailed
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.trusts import TrustRecord
from pocketstack.cloud.store.models.trust import Trust

NOT_TRUSTEE = "User is not a trustee."
TRUSTOR_DISABLED = "Trustor is disabled."
NO_DELEGATED_ROLES = "Trustee has no delegated roles."
TRUST_RESCOPE = (
    "Using trust-scoped token to create another token. Create a new trust-scoped token instead"
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrustToken:
    view: TokenView
    trust: TrustRecord


def _trust_not_found(trust_id: str) -> Unauthorized:
    # Keystone turns the trust's 404 into the login's 401, keeping its words.
    return Unauthorized(f"Could not find trust: {trust_id}.")


def _delegated_roles(session: Reader, trust: TrustRecord, trustor_id: str) -> list[RoleRef]:
    """The trust's roles, every one still held by the trustor on the project (else none)."""
    if trust.project_id is None:
        return []
    held = trusts.effective_role_ids(session, user_id=trustor_id, project_id=trust.project_id)
    if any(role.id not in held for role in trust.roles):
        raise Forbidden(NO_DELEGATED_ROLES)
    return [RoleRef(id=r.id, name=r.name) for r in trust.roles]


def _original_trustor(session: Reader, trust: TrustRecord) -> str:
    trustor = trust.trustor_user_id
    parent_id = trust.redelegated_trust_id
    while parent_id is not None:
        parent = trusts.load(session, parent_id)
        if parent is None:
            break
        trustor, parent_id = parent.trustor_user_id, parent.redelegated_trust_id
    return trustor


def _resolve(
    ident: Identity, session: Reader, user: UserRecord, trust_id: str, now: dt.datetime
) -> tuple[TrustRecord, UserRecord, ProjectRecord | None, list[RoleRef]]:
    """(trust, the token's user, project, roles), or the error Keystone answers."""
    trust = trusts.load(session, trust_id)
    if trust is None or not trust.usable(now):
        raise _trust_not_found(trust_id)
    if user.id != trust.trustee_user_id:
        raise Forbidden(NOT_TRUSTEE)
    trustor = directory.find_user(session, user_id=trust.trustor_user_id)
    if trustor is None or not trustor.enabled or not trustor.domain.enabled:
        raise Forbidden(TRUSTOR_DISABLED)
    project = None
    if trust.project_id is not None:
        project = directory.find_project(session, project_id=trust.project_id)
        if project is None or not project.enabled or not project.domain.enabled:
            raise AuthenticationFailed()
    roles = _delegated_roles(session, trust, _original_trustor(session, trust))
    return trust, trustor if trust.impersonation else user, project, roles


def _consume_use(ident: Identity, trust: TrustRecord) -> None:
    """Take one use; of two logins racing for the last one, the second finds none left."""
    if trust.remaining_uses is None:
        return
    with ident.deps.store.session(write=True) as session:
        taken = session.execute(
            update(Trust)
            .where(Trust.id == trust.id, Trust.remaining_uses > 0)
            .values(remaining_uses=Trust.remaining_uses - 1)
        )
        if not taken.rowcount:  # type: ignore[attr-defined]
            raise _trust_not_found(trust.id)


def issue(
    ident: Identity, *, user: UserRecord, trust_id: str, methods: list[str], include_catalog: bool
) -> TrustToken:
    """A token for the trustee `user` (already authenticated) through the trust."""
    ident.auth.require_enabled(user)
    now = ident.deps.clock.now()
    with ident.deps.store.read() as conn:
        trust, holder, project, roles = _resolve(ident, conn, user, trust_id, now)
    _consume_use(ident, trust)
    default_expiry = now + dt.timedelta(seconds=ident.deps.tokens.expiration)
    expires_at = None
    if trust.expires_at is not None and trust.expires_at < default_expiry:
        expires_at = trust.expires_at
    issued = ident.deps.tokens.issue(
        user_id=holder.id,
        methods=methods,
        project_id=project.id if project else None,
        roles=[r.name for r in roles],
        expires_at=expires_at,
        trust=(trust.id, trust.trustor_user_id, trust.trustee_user_id),
    )
    catalog = None
    if include_catalog and project is not None:
        with ident.deps.store.read() as conn:
            # Keystone's catalog for a trust: the trustor's.
            catalog = load_catalog(conn, user_id=trust.trustor_user_id, project_id=project.id)
    view = TokenView(
        token_id=issued.token_id,
        payload=issued.payload,
        user=holder,
        project=project,
        domain=None,
        roles=roles,
        catalog=catalog,
    )
    return TrustToken(view=view, trust=trust)


def validated(session: Reader, payload: TokenPayload, now: dt.datetime) -> TrustRecord | None:
    """The trust of a trust-scoped token being validated; None when the token no longer holds
    (the trust deleted or expired, a user disabled, a delegated role lost)."""
    assert payload.trust_id is not None
    trust = trusts.load(session, payload.trust_id)
    # A spent trust still backs the tokens it issued; an expired one backs none.
    if trust is None or (trust.expires_at is not None and trust.expires_at <= now):
        return None
    for user_id in (trust.trustor_user_id, trust.trustee_user_id):
        user = directory.find_user(session, user_id=user_id)
        if user is None or not user.enabled or not user.domain.enabled:
            return None
    try:
        _delegated_roles(session, trust, _original_trustor(session, trust))
    except Forbidden:
        return None
    return trust


def decorate(body: dict[str, Any], trust: TrustRecord) -> dict[str, Any]:
    """Keystone's trust-scoped token body: the trust's section, and no `is_domain`."""
    token = body["token"]
    token["OS-TRUST:trust"] = trusts.token_section(trust)
    token.pop("is_domain", None)
    return body
