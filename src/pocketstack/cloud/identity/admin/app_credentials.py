"""/v3/users/{user_id}/application_credentials: a user's application credentials.

Keystone's default rules: only the user creates their own, from a project-scoped token, with
roles that token carries; the user or an admin reads and deletes them. A token issued by a
restricted credential may not create or delete credentials. The secret is hashed (through the
hashing gate) before the write transaction opens, and shown once, in the creation's answer.
Deleting a credential kills the tokens it issued.
"""

from __future__ import annotations

import json

import falcon
from sqlalchemy import delete, update

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import BadRequest, Forbidden, NotFound
from pocketstack.cloud.identity import access_rules, directory
from pocketstack.cloud.identity.admin.common import conflicts, new_id
from pocketstack.cloud.identity.app_credential_requests import (
    PAST_EXPIRY_ERROR,
    AppCredentialCreate,
)
from pocketstack.cloud.identity.app_credentials import (
    AppCredentialRecord,
    generate_secret,
    list_for_user,
    load,
    render,
)
from pocketstack.cloud.identity.directory import Reader, RoleRef
from pocketstack.cloud.identity.errors import PolicyDenied
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links
from pocketstack.cloud.store.models.application_credential import (
    ApplicationCredential,
    ApplicationCredentialRole,
)

OAUTH_DELEGATED = "Cannot manage application credentials with a token issued via delegation."
RESTRICTED = (
    "Using method 'application_credential' is not allowed for managing additional application"
    " credentials"
)


def _invalid(detail: str) -> BadRequest:
    return BadRequest(f"Invalid application credential: {detail}")


def _require_unrestricted(session: Reader, ctx: RequestContext) -> None:
    if "application_credential" not in ctx.payload.methods:
        return
    credential_id = ctx.payload.application_credential_id
    cred = load(session, credential_id) if credential_id else None
    if cred is None or not cred.unrestricted:
        raise PolicyDenied(RESTRICTED)


def _owned(
    session: Reader, ctx: RequestContext, user_id: str, credential_id: str, action: str
) -> AppCredentialRecord:
    """The credential, judged by its own user (never the path's), as Keystone does."""
    cred = load(session, credential_id)
    if cred is None or cred.user_id != user_id:
        raise NotFound(f"Could not find Application Credential: {credential_id}.")
    if not ctx.is_admin and ctx.user_id != cred.user_id:
        raise PolicyDenied(f"identity:{action}")
    return cred


def _roles(session: Reader, ctx: RequestContext, new: AppCredentialCreate) -> list[RoleRef]:
    """The roles asked for, or all the token's. Each one asked for must be the user's on the
    project now (Keystone reads the assignments, not the token: a role granted since the
    token was issued counts)."""
    token_roles = directory.roles_by_name(session, ctx.payload.roles)
    if not new.roles:
        return token_roles
    held = directory.roles_on(session, user_id=ctx.user_id, target_type="project",
                              target_id=ctx.project_id or "")  # fmt: skip
    by_id = {r.id: r for r in held}
    wanted: list[RoleRef] = []
    for role in new.roles:
        if role.id is not None:
            ref = by_id.get(role.id)
        else:
            named = directory.roles_by_name(session, [role.name or ""])
            if not named:
                raise NotFound(f"Could not find role: {role.name}.")
            ref = by_id.get(named[0].id)
        if ref is None:
            raise _invalid("Cannot create an application credential with unassigned role")
        if ref not in wanted:
            wanted.append(ref)
    return wanted


class AppCredentials:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        if not ctx.is_admin and ctx.user_id != user_id:
            raise PolicyDenied("identity:list_application_credentials")
        name = req.get_param("name")
        with ident.deps.store.read() as conn:
            creds = list_for_user(conn, user_id, name=name)
        resp.media = {
            "application_credentials": [render(req, c) for c in creds],
            "links": collection_links(req, f"users/{user_id}/application_credentials"),
        }

    def on_post(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        if ctx.user_id != user_id:
            raise PolicyDenied("identity:create_application_credential")
        if ctx.payload.access_token_id is not None:
            # Keystone's: a credential would outlive the OAuth delegation it came from.
            raise Forbidden(OAUTH_DELEGATED)
        new = request_of(req, AppCredentialCreate)
        project_id = ctx.project_id
        with ident.deps.store.read() as conn:
            _require_unrestricted(conn, ctx)
            if project_id is None:
                raise _invalid(
                    "Application credentials must be created with a project-scoped token."
                )
            roles = _roles(conn, ctx, new)
            if new.expires_at is not None and new.expires_at <= ident.deps.clock.now():
                raise BadRequest(PAST_EXPIRY_ERROR)
            held = {
                r.id
                for r in directory.roles_on(
                    conn, user_id=user_id, target_type="project", target_id=project_id
                )
            }
            for role in roles:
                if role.id not in held:
                    raise _invalid(
                        f"Could not find role assignment with role: {role.id}, user or group:"
                        f" {user_id}, project, domain, or system: {project_id}."
                    )
        secret = new.secret or generate_secret()
        # bcrypt outside any transaction, through the gate, as for passwords.
        secret_hash = ident.hasher.hash(secret)
        credential_id = new_id()
        with ident.deps.store.session(write=True) as session:
            session.add(
                ApplicationCredential(
                    id=credential_id,
                    name=new.name,
                    user_id=user_id,
                    project_id=project_id,
                    secret_hash=secret_hash,
                    description=new.description,
                    expires_at=new.expires_at,
                    unrestricted=new.unrestricted,
                    access_rules=None,
                    created_at=ident.deps.clock.now(),
                )
            )
            with conflicts("application_credential", "Duplicate entry"):
                session.flush()
            if new.access_rules:
                rules = access_rules.attach(session, credential_id, user_id, new.access_rules)
                # Kept beside the links too: the token and the views read them in one row.
                session.execute(update(ApplicationCredential)
                                .where(ApplicationCredential.id == credential_id)
                                .values(access_rules=json.dumps(rules)))  # fmt: skip
            session.add_all(
                ApplicationCredentialRole(credential_id=credential_id, role_id=r.id) for r in roles
            )
            session.flush()
            cred = load(session, credential_id)
        assert cred is not None
        resp.status = falcon.HTTP_201
        resp.media = {"application_credential": render(req, cred, secret=secret)}


class AppCredentialItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, user_id: str, credential_id: str
    ) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        with ident.deps.store.read() as conn:
            cred = _owned(conn, ctx, user_id, credential_id, "get_application_credential")
        resp.media = {"application_credential": render(req, cred)}

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, user_id: str, credential_id: str
    ) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        with ident.deps.store.read() as conn:
            _owned(conn, ctx, user_id, credential_id, "delete_application_credential")
            _require_unrestricted(conn, ctx)
        with ident.deps.store.session(write=True) as session:
            gone = session.execute(
                delete(ApplicationCredential).where(ApplicationCredential.id == credential_id)
            )
            if not gone.rowcount:  # type: ignore[attr-defined]
                raise NotFound(f"Could not find Application Credential: {credential_id}.")
        ident.deps.tokens.revoke_application_credential(credential_id)
        resp.status = falcon.HTTP_204
