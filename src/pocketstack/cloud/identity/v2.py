"""The legacy v2.0 API the seed's `nova list` speaks: tokens and the caller's tenants."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.identity import directory, entities
from pocketstack.cloud.identity.authn import PasswordCredential, ScopeRequest, TokenView
from pocketstack.cloud.identity.errors import (
    AuthenticationFailed,
    SchemaError,
    TokenNotFound,
    ValidationError,
)
from pocketstack.cloud.identity.render import v2_access
from pocketstack.cloud.identity.service import Identity

DEFAULT_DOMAIN_ID = "default"


def _string(obj: dict[str, Any], key: str, target: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SchemaError(path=f"{target}/{key}", detail=f"{value!r} is not of type 'string'")
    return value


def _scope(auth: dict[str, Any]) -> ScopeRequest:
    # v2.0 has no default-project rule: without a tenant the token is unscoped.
    tenant_id = _string(auth, "tenantId", "auth")
    if tenant_id:
        return ScopeRequest(project_id=tenant_id)
    tenant_name = _string(auth, "tenantName", "auth")
    if tenant_name:
        return ScopeRequest(project_name=tenant_name, project_domain_id=DEFAULT_DOMAIN_ID)
    return ScopeRequest(unscoped=True)


class Tokens:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        auth = ident.body(req).get("auth")
        if not isinstance(auth, dict):
            raise ValidationError(attribute="auth", target="request body")
        scope = _scope(auth)
        parent = None
        if "token" in auth:
            token = auth["token"]
            if not isinstance(token, dict) or "id" not in token:
                raise ValidationError(attribute="id", target="token")
            token_id = _string(token, "id", "token")
            parent = ident.auth.check_token(token_id or "")
            with ident.deps.store.read() as conn:
                user = ident.auth.load_user(conn, parent.user_id)
        elif "passwordCredentials" in auth:
            creds = auth["passwordCredentials"]
            if not isinstance(creds, dict) or "password" not in creds:
                raise ValidationError(attribute="password", target="passwordCredentials")
            password = _string(creds, "password", "passwordCredentials") or ""
            user_id = _string(creds, "userId", "passwordCredentials")
            username = _string(creds, "username", "passwordCredentials")
            if not user_id and not username:
                raise ValidationError(attribute="username or userId", target="passwordCredentials")
            cred = (
                PasswordCredential(password=password, user_name=username, domain_id="default")
                if username
                else PasswordCredential(password=password, user_id=user_id)
            )
            user = ident.auth.check_password(cred, source=req.remote_addr)
            if user.domain.id != DEFAULT_DOMAIN_ID:
                # v2.0 knows only the default domain.
                raise AuthenticationFailed()
        else:
            raise ValidationError(attribute="auth", target="request body")
        with ident.deps.store.read() as session:
            view = ident.auth.issue(
                session,
                user=user,
                methods=["password"],
                scope=scope,
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
