"""The `oauth1` auth method: a consumer's request signed with an access token becomes a token
for the access token's user on its project, with the delegated roles the user still holds there.

The token names the access token and its consumer (auth/payload.py), so deleting either kills
it (a revocation event per access token, oauth1_store.py), and a validation shows them in its
`OS-OAUTH1` section. It never outlives the access token. Such a token may not be exchanged for
another (v3_tokens.py), as in Keystone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import falcon

from pocketstack.cloud.auth.tokens import TokenPayload
from pocketstack.cloud.errors import Unauthorized
from pocketstack.cloud.identity import directory
from pocketstack.cloud.identity import oauth1_store as oauth
from pocketstack.cloud.identity.admin.credentials import keys_of
from pocketstack.cloud.identity.authn import TokenView
from pocketstack.cloud.identity.catalog import load_catalog
from pocketstack.cloud.identity.directory import RoleRef
from pocketstack.cloud.identity.errors import AuthenticationFailed, ValidationError
from pocketstack.cloud.identity.oauth1_flow import signed, spend_nonce
from pocketstack.cloud.identity.service import Identity

METHOD = "oauth1"
OAUTH_RESCOPE = (
    "Using OAuth-scoped token to create another token. Create a new OAuth-scoped token instead"
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class OAuthToken:
    view: TokenView
    access_token: oauth.AccessTokenRecord


def _checked_access_token(ident: Identity, req: falcon.Request) -> oauth.AccessTokenRecord:
    from pocketstack.cloud.identity import oauth1_signing

    params, request = signed(ident, req)
    token_id = params.get("oauth_token")
    if not token_id:
        raise ValidationError(attribute="oauth_token", target="request")
    keys = keys_of(ident)
    with ident.deps.store.session() as session:
        token = oauth.load_access_token(session, keys, token_id)
        consumer = None if token is None else oauth.load_consumer(session, keys, token.consumer_id)
    if token is None or consumer is None:
        raise AuthenticationFailed()
    if token.expired(ident.deps.clock.now()):
        raise Unauthorized("Access token is expired")
    known = oauth1_signing.Known(consumer_id=consumer.id, consumer_secret=consumer.secret,
                                 token_id=token.id, token_secret=token.secret)  # fmt: skip
    if not oauth1_signing.check_resource_request(request, known):
        raise Unauthorized("Could not validate the access token")
    spend_nonce(ident, consumer.id, params)
    return token


def issue(ident: Identity, req: falcon.Request, *, include_catalog: bool) -> OAuthToken:
    token = _checked_access_token(ident, req)
    with ident.deps.store.read() as conn:
        user = ident.auth.load_user(conn, token.authorizing_user_id)
        ident.auth.require_enabled(user)
        project = directory.find_project(conn, project_id=token.project_id)
        if project is None or not project.enabled or not project.domain.enabled:
            raise AuthenticationFailed()
        held = directory.roles_on(
            conn, user_id=user.id, target_type="project", target_id=project.id
        )
        delegated = set(token.role_ids)
        roles = [RoleRef(id=r.id, name=r.name) for r in held if r.id in delegated]
        if not roles:
            raise AuthenticationFailed()
        default_expiry = ident.deps.clock.now() + dt.timedelta(seconds=ident.deps.tokens.expiration)
        expires_at = None
        if token.expires_at is not None and token.expires_at < default_expiry:
            expires_at = token.expires_at
        issued = ident.deps.tokens.issue(
            user_id=user.id, methods=[METHOD], project_id=project.id,
            roles=[r.name for r in roles], expires_at=expires_at,
            oauth=(token.id, token.consumer_id),
        )  # fmt: skip
        catalog = (
            load_catalog(conn, user_id=user.id, project_id=project.id) if include_catalog else None
        )
    view = TokenView(token_id=issued.token_id, payload=issued.payload, user=user,
                     project=project, domain=None, roles=roles, catalog=catalog)  # fmt: skip
    return OAuthToken(view=view, access_token=token)


def decorate(body: dict[str, Any], payload: TokenPayload) -> dict[str, Any]:
    """Keystone's section of a token an access token issued."""
    if payload.access_token_id is not None:
        body["token"]["OS-OAUTH1"] = {
            "access_token_id": payload.access_token_id,
            "consumer_id": payload.consumer_id,
        }
    return body
