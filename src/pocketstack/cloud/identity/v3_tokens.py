"""/v3/auth/*: issue, validate, check and revoke tokens; the caller's catalog, projects, domains."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth import receipts
from pocketstack.cloud.auth.tokens import TokenPayload
from pocketstack.cloud.identity import (
    app_credential_auth,
    app_credentials,
    directory,
    entities,
    mfa,
    oauth1_auth,
    project_tags,
    totp_auth,
    trust_auth,
)
from pocketstack.cloud.identity.auth_requests import AuthRequest
from pocketstack.cloud.identity.authn import merge_methods
from pocketstack.cloud.identity.catalog import load_catalog, render_v3
from pocketstack.cloud.identity.directory import UserRecord
from pocketstack.cloud.identity.errors import AuthenticationFailed, PolicyDenied, TokenNotFound
from pocketstack.cloud.identity.render import v3_token
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import SUBJECT_HEADER, v3_url

DELEGATED_RESCOPE = "Using a delegated token to create another token is not allowed"


def wants_catalog(req: falcon.Request) -> bool:
    return "nocatalog" not in req.params


class AuthTokens:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        try:
            self._issue(req, resp)
        except mfa.MoreMethodsRequired as more:
            # Keystone's answer is the receipt alone: no error object, no WWW-Authenticate.
            resp.status = falcon.HTTP_401
            resp.set_header(receipts.HEADER, more.receipt.receipt_id)
            resp.media = more.body

    def _issue(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        parsed = request_of(req, AuthRequest)
        if parsed.application_credential is not None:
            self._by_app_credential(req, resp, parsed)
            return
        if oauth1_auth.METHOD in parsed.methods:
            self._by_oauth1(req, resp, parsed)
            return
        parent = None
        if parsed.token_id:
            try:
                parent = ident.auth.check_token(parsed.token_id)
            except AuthenticationFailed:
                # Keystone's token method: a token that does not validate is not found (404).
                raise TokenNotFound() from None
        if parent is not None and parent.application_credential_id is not None:
            # Keystone: a token from a narrow credential is never exchanged for another.
            raise PolicyDenied(DELEGATED_RESCOPE)
        if parent is not None and parent.trust_id is not None:
            raise PolicyDenied(trust_auth.TRUST_RESCOPE)
        if parent is not None and parent.access_token_id is not None:
            raise PolicyDenied(oauth1_auth.OAUTH_RESCOPE)
        user = None
        if parsed.password is not None:
            user = ident.auth.check_password(parsed.password, source=req.remote_addr)
            ident.password_rules.require_unexpired(ident.deps.store, user.id,
                                                 user.password_created_at,
                                                 ident.deps.clock.now())  # fmt: skip
            if parent is not None and parent.user_id != user.id:
                raise AuthenticationFailed()
        if parsed.totp is not None:
            user = self._same_user(
                totp_auth.check_passcode(ident, parsed.totp, source=req.remote_addr), user, parent
            )
        with ident.deps.store.read() as session:
            if user is None:
                assert parent is not None
                user = ident.auth.load_user(session, parent.user_id)
            # Before the rules: a disabled user gets the generic 401, never a receipt.
            ident.auth.require_enabled(user)
            methods = mfa.token_methods(
                ident,
                session,
                req.get_header(receipts.HEADER),
                user=user,
                methods=merge_methods(parsed.methods, parent),
            )
            if parsed.scope.trust_id is not None:
                view = None
            else:
                view = ident.auth.issue(
                    session,
                    user=user,
                    methods=methods,
                    scope=parsed.scope,
                    parent=parent,
                    include_catalog=wants_catalog(req),
                )
        if view is None:
            assert parsed.scope.trust_id is not None
            issued = trust_auth.issue(
                ident,
                user=user,
                trust_id=parsed.scope.trust_id,
                methods=methods,
                include_catalog=wants_catalog(req),
            )
            resp.status = falcon.HTTP_201
            resp.set_header(SUBJECT_HEADER, issued.view.token_id)
            resp.media = trust_auth.decorate(v3_token(issued.view), issued.trust)
            return
        resp.status = falcon.HTTP_201
        resp.set_header(SUBJECT_HEADER, view.token_id)
        resp.media = v3_token(view)

    @staticmethod
    def _same_user(
        found: UserRecord, earlier: UserRecord | None, parent: TokenPayload | None
    ) -> UserRecord:
        """Every method of one request must authenticate the same user (Keystone's rule)."""
        if (earlier is not None and earlier.id != found.id) or (
            parent is not None and parent.user_id != found.id
        ):
            raise AuthenticationFailed()
        return found

    def _by_app_credential(
        self, req: falcon.Request, resp: falcon.Response, parsed: AuthRequest
    ) -> None:
        login = parsed.application_credential
        assert login is not None
        if parsed.methods != (app_credential_auth.METHOD,):
            # Combined with another method: not supported here.
            raise AuthenticationFailed()
        ident = self.identity
        cred = app_credential_auth.check_secret(ident, login, source=req.remote_addr)
        with ident.deps.store.read() as session:
            user = ident.auth.load_user(session, cred.user_id)
            ident.auth.require_enabled(user)
            methods = mfa.token_methods(
                ident,
                session,
                req.get_header(receipts.HEADER),
                user=user,
                methods=[app_credential_auth.METHOD],
            )
        issued = app_credential_auth.issue(
            ident, cred, include_catalog=wants_catalog(req), methods=methods
        )
        resp.status = falcon.HTTP_201
        resp.set_header(SUBJECT_HEADER, issued.view.token_id)
        body = v3_token(issued.view)
        body["token"]["application_credential"] = app_credentials.token_section(cred)
        resp.media = body

    def _by_oauth1(self, req: falcon.Request, resp: falcon.Response, parsed: AuthRequest) -> None:
        if parsed.methods != (oauth1_auth.METHOD,):
            # Combined with another method: not supported here.
            raise AuthenticationFailed()
        issued = oauth1_auth.issue(self.identity, req, include_catalog=wants_catalog(req))
        resp.status = falcon.HTTP_201
        resp.set_header(SUBJECT_HEADER, issued.view.token_id)
        resp.media = oauth1_auth.decorate(v3_token(issued.view), issued.view.payload)

    def _validated(self, req: falcon.Request, action: str) -> dict[str, Any]:
        ident = self.identity
        # One connection for both revocation checks and the token's view: one pool checkout.
        with ident.deps.store.read() as conn:
            ctx = ident.caller(req, conn=conn)
            token_id = req.get_header(SUBJECT_HEADER)
            payload = ident.subject(token_id, ctx, conn=conn)
            ident.may_inspect(ctx, payload, action)
            assert token_id is not None
            view = ident.auth.view(
                conn, token_id=token_id, payload=payload, include_catalog=wants_catalog(req)
            )
            cred = None
            if payload.application_credential_id is not None:
                cred = app_credentials.load(conn, payload.application_credential_id)
                if cred is None:
                    raise TokenNotFound()
            trust = None
            if payload.trust_id is not None:
                trust = trust_auth.validated(conn, payload, ident.deps.clock.now())
                if trust is None:
                    raise TokenNotFound()
        if view is None:
            raise TokenNotFound()
        body = v3_token(view)
        if cred is not None:
            body["token"]["application_credential"] = app_credentials.token_section(cred)
        if trust is not None:
            trust_auth.decorate(body, trust)
        return oauth1_auth.decorate(body, payload)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = self._validated(req, "validate_token")
        resp.set_header(SUBJECT_HEADER, req.get_header(SUBJECT_HEADER) or "")
        resp.media = body

    def on_head(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        with ident.deps.store.read() as conn:
            ctx = ident.caller(req, conn=conn)
            token_id = req.get_header(SUBJECT_HEADER)
            payload = ident.subject(token_id, ctx, conn=conn)
        ident.may_inspect(ctx, payload, "check_token")
        assert token_id is not None
        resp.set_header(SUBJECT_HEADER, token_id)
        resp.status = falcon.HTTP_200

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        payload = ident.subject(req.get_header(SUBJECT_HEADER), ctx)
        ident.may_inspect(ctx, payload, "revoke_token")
        ident.deps.tokens.revoke_token(payload)
        resp.status = falcon.HTTP_204


class AuthCatalog:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = self.identity.caller(req)
        if ctx.project_id is None:
            raise PolicyDenied("A project-scoped token is required to produce a service catalog")
        with self.identity.deps.store.session() as session:
            catalog = load_catalog(session, user_id=ctx.user_id, project_id=ctx.project_id)
        resp.media = {"catalog": render_v3(catalog), "links": {"self": v3_url(req, "auth/catalog")}}

    on_head = on_get


class AuthProjects:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = self.identity.caller(req)
        with self.identity.deps.store.session() as session:
            rows = directory.projects_for_user(session, ctx.user_id)
            tags = project_tags.tags_by_project(session, [row.id for row in rows])
        resp.media = {
            "projects": [{**entities.project(req, row), "tags": tags[row.id]} for row in rows],
            "links": {"self": v3_url(req, "auth/projects"), "previous": None, "next": None},
        }

    on_head = on_get


class AuthDomains:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = self.identity.caller(req)
        with self.identity.deps.store.session() as session:
            rows = directory.domains_for_user(session, ctx.user_id)
            domains = [entities.domain(req, row) for row in rows]
        resp.media = {
            "domains": domains,
            "links": {"self": v3_url(req, "auth/domains"), "previous": None, "next": None},
        }

    on_head = on_get


class AuthSystem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = self.identity.caller(req)
        with self.identity.deps.store.session() as session:
            roles = directory.roles_on(
                session,
                user_id=ctx.user_id,
                target_type="system",
                target_id=directory.SYSTEM_TARGET,
            )
        resp.media = {
            "system": [{"all": True}] if roles else [],
            "links": {"self": v3_url(req, "auth/system")},
        }

    on_head = on_get
