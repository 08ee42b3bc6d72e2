"""The `application_credential` auth method: a token for the credential's project, carrying
only those of the credential's roles its user still has there.

A login by credential costs what a password login costs — the login throttle, one bcrypt check
through the hashing gate, an unknown credential included — and every failure (no such
credential, a wrong secret, an expired credential, a disabled user or project, no role left) is
the same 401. The token records the credential's id, so deleting the credential kills it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from pocketstack.cloud.identity import directory
from pocketstack.cloud.identity.app_credential_requests import AppCredentialLogin
from pocketstack.cloud.identity.app_credentials import AppCredentialRecord, list_for_user, load
from pocketstack.cloud.identity.authn import TokenView
from pocketstack.cloud.identity.catalog import load_catalog
from pocketstack.cloud.identity.directory import Reader, RoleRef
from pocketstack.cloud.identity.errors import AuthenticationFailed
from pocketstack.cloud.identity.service import Identity

METHOD = "application_credential"


@dataclasses.dataclass(frozen=True, kw_only=True)
class AppCredentialToken:
    view: TokenView
    credential: AppCredentialRecord


def _find(session: Reader, login: AppCredentialLogin) -> AppCredentialRecord | None:
    if login.id is not None:
        return load(session, login.id)
    if login.user_id is not None:
        user = directory.find_user(session, user_id=login.user_id)
    else:
        user = directory.find_user(
            session, name=login.user_name, domain_id=login.domain_id, domain_name=login.domain_name
        )
    if user is None or login.name is None:
        return None
    found = list_for_user(session, user.id, name=login.name)
    return found[0] if len(found) == 1 else None


def _claimed_key(login: AppCredentialLogin) -> str:
    """What a login naming no credential is throttled under."""
    if login.id is not None:
        return f"app-credential:{login.id}"
    user = login.user_id or f"{login.domain_id or login.domain_name}/{login.user_name}"
    return f"app-credential:{user}/{login.name}"


def check_secret(
    ident: Identity, login: AppCredentialLogin, *, source: str | None
) -> AppCredentialRecord:
    """The credential whose secret this is, unexpired, or AuthenticationFailed."""
    throttle = ident.throttle
    standing = throttle.admit_source(source)
    priority = standing.attempts
    # The lookup's connection is given back before bcrypt runs: the check is slow on purpose.
    with ident.deps.store.read() as conn:
        cred = _find(conn, login)
    key = cred.user_id if cred is not None else _claimed_key(login)
    throttle.admit_user(key, source=standing)
    if cred is None:
        ident.hasher.burn(login.secret, priority=priority)
        throttle.failed(source, key)
        raise AuthenticationFailed()
    if not ident.hasher.verify(login.secret, cred.secret_hash, priority=priority):
        throttle.failed(source, key)
        raise AuthenticationFailed()
    if cred.expired(ident.deps.clock.now()):
        raise AuthenticationFailed()
    return cred


def issue(
    ident: Identity,
    cred: AppCredentialRecord,
    *,
    include_catalog: bool,
    methods: Sequence[str] = (METHOD,),
) -> AppCredentialToken:
    """`methods`: the credential's, and those of an auth receipt presented with it (mfa.py)."""
    with ident.deps.store.read() as conn:
        user = ident.auth.load_user(conn, cred.user_id)
        ident.auth.require_enabled(user)
        project = directory.find_project(conn, project_id=cred.project_id)
        if project is None or not project.enabled or not project.domain.enabled:
            raise AuthenticationFailed()
        held = {
            r.id
            for r in directory.roles_on(
                conn, user_id=user.id, target_type="project", target_id=project.id
            )
        }
        # Keystone's token roles for a credential: those it was given that the user still has.
        roles = [RoleRef(id=r.id, name=r.name) for r in cred.roles if r.id in held]
        if not roles:
            raise AuthenticationFailed()
        # A token never outlives its credential.
        default_expiry = ident.deps.clock.now() + dt.timedelta(seconds=ident.deps.tokens.expiration)
        expires_at = None
        if cred.expires_at is not None and cred.expires_at < default_expiry:
            expires_at = cred.expires_at
        issued = ident.deps.tokens.issue(
            user_id=user.id,
            methods=methods,
            project_id=project.id,
            roles=[r.name for r in roles],
            expires_at=expires_at,
            application_credential_id=cred.id,
        )
        catalog = (
            load_catalog(conn, user_id=user.id, project_id=project.id) if include_catalog else None
        )
    view = TokenView(
        token_id=issued.token_id,
        payload=issued.payload,
        user=user,
        project=project,
        domain=None,
        roles=roles,
        catalog=catalog,
    )
    return AppCredentialToken(view=view, credential=cred)
