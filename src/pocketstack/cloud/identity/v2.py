"""The legacy v2.0 API the seed's `nova list` speaks: tokens and the caller's tenants."""

from __future__ import annotations

import falcon

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.identity import directory, entities, mfa, user_options
from pocketstack.cloud.identity.auth_requests import DEFAULT_DOMAIN_ID, V2AuthRequest
from pocketstack.cloud.identity.authn import TokenView
from pocketstack.cloud.identity.errors import AuthenticationFailed, TokenNotFound
from pocketstack.cloud.identity.render import v2_access
from pocketstack.cloud.identity.service import Identity


class Tokens:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        asked = request_of(req, V2AuthRequest)
        parent = None
        if asked.token_id is not None:
            parent = ident.auth.check_token(asked.token_id)
            with ident.deps.store.read() as conn:
                user = ident.auth.load_user(conn, parent.user_id)
        else:
            assert asked.password is not None
            user = ident.auth.check_password(asked.password, source=req.remote_addr)
            ident.password_rules.require_unexpired(ident.deps.store, user.id,
                                                 user.password_created_at,
                                                 ident.deps.clock.now())  # fmt: skip
            if user.domain.id != DEFAULT_DOMAIN_ID:
                # v2.0 knows only the default domain.
                raise AuthenticationFailed()
        with ident.deps.store.read() as session:
            options = user_options.of(session, user.id)
            if parent is None and not mfa.satisfied(options, ["password"]):
                # v2.0 has no auth receipts: a password alone is refused when the user's
                # multi-factor rules want more (a v3 token that met them may be exchanged).
                raise AuthenticationFailed()
            view = ident.auth.issue(
                session,
                user=user,
                methods=["password"],
                scope=asked.scope,
                parent=parent,
                include_catalog=True,
            )
        resp.media = v2_access(view)


class Token:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def _view(self, req: falcon.Request, token_id: str, action: str) -> TokenView:
        ident = self.identity
        with ident.deps.store.read() as conn:
            ctx = ident.caller(req, conn=conn)
            payload = ident.subject(token_id, ctx, conn=conn)
            ident.may_inspect(ctx, payload, action)
            view = ident.auth.view(conn, token_id=token_id, payload=payload, include_catalog=True)
        if view is None:
            raise TokenNotFound()
        belongs_to = req.get_param("belongsTo")
        if belongs_to and (view.project is None or view.project.id != belongs_to):
            raise AuthenticationFailed()
        return view

    def on_get(self, req: falcon.Request, resp: falcon.Response, token_id: str) -> None:
        resp.media = v2_access(self._view(req, token_id, "validate_token"))

    def on_head(self, req: falcon.Request, resp: falcon.Response, token_id: str) -> None:
        self._view(req, token_id, "check_token")
        resp.status = falcon.HTTP_200

    def on_delete(self, req: falcon.Request, resp: falcon.Response, token_id: str) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        payload = ident.subject(token_id, ctx)
        ident.may_inspect(ctx, payload, "revoke_token")
        ident.deps.tokens.revoke_token(payload)
        resp.status = falcon.HTTP_204


class Tenants:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = self.identity.caller(req)
        with self.identity.deps.store.session() as session:
            rows = directory.projects_for_user(session, ctx.user_id)
        resp.media = {"tenants": [entities.v2_tenant(r) for r in rows], "tenants_links": []}
