"""The OS-OAUTH1 dance: a consumer asks for a request token (signed with its secret), a user
authorizes it with some of their roles on the project it names and hands the consumer the
verifier, and the consumer trades token and verifier for an access token (signed with both
secrets). Keystone's order of checks and words; its default lifetimes (8 hours for a request
token, a day for an access token).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import falcon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import NotFound, Unauthorized
from pocketstack.cloud.identity import directory
from pocketstack.cloud.identity import oauth1_store as oauth
from pocketstack.cloud.identity.admin.credentials import keys_of
from pocketstack.cloud.identity.errors import PolicyDenied, ValidationError
from pocketstack.cloud.identity.oauth1_api import FORM
from pocketstack.cloud.identity.oauth1_requests import Authorization
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import isotime
from pocketstack.cloud.store.models.identity import Role

if TYPE_CHECKING:
    from pocketstack.cloud.identity.oauth1_signing import Signed

# Keystone's [oauth1] request_token_duration and access_token_duration.
REQUEST_TOKEN_DURATION = 28800
ACCESS_TOKEN_DURATION = 86400
DELEGATED = "Cannot authorize a request token with a token issued via delegation."
REPLAYED = "The request's nonce has been used before"


def signed(identity: Identity, req: falcon.Request) -> tuple[dict[str, str], Signed]:
    """The request's OAuth parameters and the request as signed. oauthlib is loaded here, by
    the first signed request, never at start-up."""
    from pocketstack.cloud.identity import oauth1_signing

    limit = identity.deps.config.max_request_body_size
    return oauth1_signing.oauth_parameters(req), oauth1_signing.signed_request(req, limit=limit)


def spend_nonce(identity: Identity, consumer_id: str, params: dict[str, str]) -> None:
    """After a good signature: the same signed request, sent again, is refused."""
    try:
        with identity.deps.store.session(write=True) as session:
            oauth.add_nonce(session, consumer_id=consumer_id,
                            nonce=params.get("oauth_nonce", ""),
                            timestamp=params.get("oauth_timestamp", ""),
                            now=identity.deps.clock.now())  # fmt: skip
    except IntegrityError:
        raise Unauthorized(REPLAYED) from None


def _form(
    resp: falcon.Response, token_id: str, secret: str | None, expires: dt.datetime | None
) -> None:
    # A token just made carries its secret.
    assert secret is not None
    fields = [("oauth_token", token_id), ("oauth_token_secret", secret)]
    if expires is not None:
        fields.append(("oauth_expires_at", isotime(expires) or ""))
    resp.status = falcon.HTTP_201
    resp.content_type = FORM
    resp.text = urlencode(fields)


def _request_token(
    identity: Identity, session: Session, token_id: str, *, with_secret: bool
) -> oauth.RequestTokenRecord:
    keys = keys_of(identity) if with_secret else None
    token = oauth.load_request_token(session, keys, token_id)
    if token is None:
        raise NotFound(f"Could not find request token: {token_id}.")
    if token.expired(identity.deps.clock.now()):
        raise Unauthorized("Request token is expired")
    return token


class RequestToken:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        from pocketstack.cloud.identity import oauth1_signing

        params, request = signed(self.identity, req)
        consumer_id = params.get("oauth_consumer_key")
        project_id = req.get_header("Requested-Project-Id")
        if not consumer_id:
            raise ValidationError(attribute="oauth_consumer_key", target="request")
        if not project_id:
            raise ValidationError(attribute="Requested-Project-Id", target="request")
        keys = keys_of(self.identity)
        with self.identity.deps.store.session() as session:
            if directory.find_project(session, project_id=project_id) is None:
                raise NotFound(f"Could not find project: {project_id}.")
            consumer = oauth.load_consumer(session, keys, consumer_id)
        if consumer is None:
            raise NotFound(f"Could not find consumer: {consumer_id}.")
        known = oauth1_signing.Known(consumer_id=consumer.id, consumer_secret=consumer.secret)
        oauth1_signing.check_request_token_request(request, known)
        spend_nonce(self.identity, consumer.id, params)
        expires = self.identity.deps.clock.now() + dt.timedelta(seconds=REQUEST_TOKEN_DURATION)
        with self.identity.deps.store.session(write=True) as session:
            token = oauth.create_request_token(
                session, keys, consumer_id=consumer.id, project_id=project_id, expires_at=expires
            )
        _form(resp, token.id, token.secret, token.expires_at)


def _delegated(ctx: RequestContext) -> bool:
    payload = ctx.payload
    return (payload.trust_id is not None or payload.access_token_id is not None
            or "application_credential" in payload.methods)  # fmt: skip


def _role_ids(session: Session, authorization: Authorization) -> set[str]:
    """Keystone's: a role named by id is taken as given, one named by name must exist."""
    ids = set()
    for wanted in authorization.roles:
        if wanted.id is not None:
            ids.add(wanted.id)
            continue
        found = session.execute(select(Role.id).where(Role.name == wanted.name)).scalar()
        if found is None:
            raise NotFound(f"Could not find role: {wanted.name}.")
        ids.add(found)
    return ids


class Authorize:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_put(self, req: falcon.Request, resp: falcon.Response, request_token_id: str) -> None:
        authorization = request_of(req, Authorization)
        ctx = self.identity.caller(req)
        if _delegated(ctx):
            raise PolicyDenied(DELEGATED)
        with self.identity.deps.store.session(write=True) as session:
            token = _request_token(self.identity, session, request_token_id, with_secret=False)
            wanted = _role_ids(session, authorization)
            held = directory.roles_on(
                session, user_id=ctx.user_id, target_type="project", target_id=token.project_id
            )
            if not wanted <= {role.id for role in held}:
                raise Unauthorized("authorizing user does not have role required")
            verifier = oauth.authorize_request_token(
                session, token.id, user_id=ctx.user_id, role_ids=sorted(wanted)
            )
        if verifier is None:
            raise NotFound(f"Could not find request token: {request_token_id}.")
        resp.media = {"token": {"oauth_verifier": verifier}}


class AccessToken:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        from pocketstack.cloud.identity import oauth1_signing

        params, request = signed(self.identity, req)
        consumer_id = params.get("oauth_consumer_key")
        token_id = params.get("oauth_token")
        verifier = params.get("oauth_verifier")
        if not consumer_id:
            raise ValidationError(attribute="oauth_consumer_key", target="request")
        if not token_id:
            raise ValidationError(attribute="oauth_token", target="request")
        if not verifier:
            raise ValidationError(attribute="oauth_verifier", target="request")
        keys = keys_of(self.identity)
        with self.identity.deps.store.session() as session:
            token = _request_token(self.identity, session, token_id, with_secret=True)
            consumer = oauth.load_consumer(session, keys, consumer_id)
        if consumer is None:
            raise Unauthorized("Provided consumer does not exist.")
        if token.consumer_id != consumer.id:
            raise Unauthorized("Provided consumer key does not match stored consumer key.")
        verifier_ok = token.verifier_matches(verifier)
        known = oauth1_signing.Known(consumer_id=consumer.id, consumer_secret=consumer.secret,
                                     token_id=token.id, token_secret=token.secret,
                                     verifier_ok=verifier_ok)  # fmt: skip
        try:
            oauth1_signing.check_access_token_request(request, known)
        except Unauthorized:
            if not verifier_ok:
                raise Unauthorized("Provided verifier does not match stored verifier") from None
            raise
        if token.authorizing_user_id is None:
            raise Unauthorized("Request Token does not have an authorizing user id.")
        spend_nonce(self.identity, consumer.id, params)
        expires = self.identity.deps.clock.now() + dt.timedelta(seconds=ACCESS_TOKEN_DURATION)
        with self.identity.deps.store.session(write=True) as session:
            access = oauth.exchange(session, keys, token, verifier=verifier, expires_at=expires)
        if access is None:
            # Spent by a concurrent exchange a moment ago.
            raise NotFound(f"Could not find request token: {token_id}.")
        _form(resp, access.id, access.secret, access.expires_at)


def resources(identity: Identity) -> dict[str, object]:
    return {
        "/v3/OS-OAUTH1/request_token": RequestToken(identity),
        "/v3/OS-OAUTH1/authorize/{request_token_id}": Authorize(identity),
        "/v3/OS-OAUTH1/access_token": AccessToken(identity),
    }
