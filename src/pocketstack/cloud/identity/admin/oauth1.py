"""OS-OAUTH1 consumers, and a user's access tokens (the delegations they authorized).

Keystone refuses delegated tokens (a trust's, an application credential's, an OAuth one's)
here: a delegation may not manage delegations. A consumer's secret is shown once, when it is
made.
"""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import BadRequest, NotFound, Unauthorized
from pocketstack.cloud.identity import entities
from pocketstack.cloud.identity import oauth1_store as oauth
from pocketstack.cloud.identity.admin.credentials import keys_of
from pocketstack.cloud.identity.errors import PolicyDenied
from pocketstack.cloud.identity.oauth1_requests import ConsumerChange
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links, isotime, v3_url
from pocketstack.cloud.store.models.identity import Role

CONSUMERS = "OS-OAUTH1/consumers"
DELEGATED = "Cannot manage OAuth access tokens with a token issued via delegation."
NOT_YOURS = "User IDs do not match"


def render_consumer(req: falcon.Request, consumer: oauth.ConsumerRecord) -> dict[str, Any]:
    return {
        **consumer.extra,
        "id": consumer.id,
        "description": consumer.description,
        "links": {"self": v3_url(req, CONSUMERS, consumer.id)},
    }


def _consumer_not_found(consumer_id: str) -> NotFound:
    return NotFound(f"Could not find consumer: {consumer_id}.")


class Consumers:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        change = request_of(req, ConsumerChange)
        extra = {k: v for k, v in change.attributes.items() if k != "description"}
        with self.identity.deps.store.session(write=True) as session:
            consumer = oauth.create_consumer(
                session, keys_of(self.identity), description=change.attributes.get("description"),
                extra=extra, now=self.identity.deps.clock.now(),
            )  # fmt: skip
        resp.status = falcon.HTTP_201
        resp.media = {"consumer": {**render_consumer(req, consumer), "secret": consumer.secret}}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.identity.deps.store.session() as session:
            consumers = oauth.list_consumers(session)
        resp.media = {
            "consumers": [render_consumer(req, c) for c in consumers],
            "links": collection_links(req, CONSUMERS),
        }

    def on_head(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.on_get(req, resp)
        resp.media = None


class ConsumerItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, consumer_id: str) -> None:
        with self.identity.deps.store.session() as session:
            consumer = oauth.load_consumer(session, None, consumer_id)
        if consumer is None:
            raise _consumer_not_found(consumer_id)
        resp.media = {"consumer": render_consumer(req, consumer)}

    def on_head(self, req: falcon.Request, resp: falcon.Response, consumer_id: str) -> None:
        self.on_get(req, resp, consumer_id)
        resp.media = None

    def on_patch(self, req: falcon.Request, resp: falcon.Response, consumer_id: str) -> None:
        change = request_of(req, ConsumerChange)
        if change.given_id is not None and change.given_id != consumer_id:
            raise BadRequest("Cannot change consumer ID")
        with self.identity.deps.store.session(write=True) as session:
            consumer = oauth.update_consumer(session, consumer_id, change.attributes)
        if consumer is None:
            raise _consumer_not_found(consumer_id)
        resp.media = {"consumer": render_consumer(req, consumer)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, consumer_id: str) -> None:
        with self.identity.deps.store.session(write=True) as session:
            gone = oauth.delete_consumer(session, consumer_id, now=self.identity.deps.clock.now())
        if not gone:
            raise _consumer_not_found(consumer_id)
        resp.status = falcon.HTTP_204


# --- a user's access tokens ------------------------------------------------------------------


def _not_delegated(ctx: RequestContext) -> None:
    payload = ctx.payload
    if (payload.trust_id is not None or payload.access_token_id is not None
            or "application_credential" in payload.methods):  # fmt: skip
        raise PolicyDenied(DELEGATED)


def _tokens_url(req: falcon.Request, user_id: str, *parts: str) -> str:
    return v3_url(req, "users", user_id, "OS-OAUTH1", "access_tokens", *parts)


def render_access_token(req: falcon.Request, token: oauth.AccessTokenRecord) -> dict[str, Any]:
    user_id = token.authorizing_user_id
    return {
        "id": token.id,
        "consumer_id": token.consumer_id,
        "project_id": token.project_id,
        "authorizing_user_id": user_id,
        "expires_at": isotime(token.expires_at),
        "links": {"self": _tokens_url(req, user_id, token.id),
                  "roles": _tokens_url(req, user_id, token.id, "roles")},
    }  # fmt: skip


def roles_of(session: Session, token: oauth.AccessTokenRecord) -> list[Role]:
    """The delegated roles that still exist."""
    if not token.role_ids:
        return []
    rows = session.execute(select(Role).where(Role.id.in_(token.role_ids)).order_by(Role.name))
    return list(rows.scalars())


def _users_token(
    identity: Identity, session: Session, user_id: str, token_id: str, *, others: str = ""
) -> oauth.AccessTokenRecord:
    """The user's access token. Another user's is not found, unless `others` words Keystone's
    401 for it (a deletion, a role of it)."""
    token = oauth.load_access_token(session, None, token_id)
    if token is None or (token.authorizing_user_id != user_id and not others):
        raise NotFound(f"Could not find access token: {token_id}.")
    if token.authorizing_user_id != user_id:
        raise Unauthorized(others)
    return token


class AccessTokens:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        _not_delegated(self.identity.caller(req))
        with self.identity.deps.store.session() as session:
            tokens = oauth.list_access_tokens(session, user_id)
        resp.media = {
            "access_tokens": [render_access_token(req, t) for t in tokens],
            "links": collection_links(req, f"users/{user_id}/OS-OAUTH1/access_tokens"),
        }

    def on_head(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        self.on_get(req, resp, user_id)
        resp.media = None


class AccessTokenItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, user_id: str, access_token_id: str
    ) -> None:
        _not_delegated(self.identity.caller(req))
        with self.identity.deps.store.session() as session:
            token = _users_token(self.identity, session, user_id, access_token_id)
        resp.media = {"access_token": render_access_token(req, token)}

    def on_head(
        self, req: falcon.Request, resp: falcon.Response, user_id: str, access_token_id: str
    ) -> None:
        self.on_get(req, resp, user_id, access_token_id)
        resp.media = None

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, user_id: str, access_token_id: str
    ) -> None:
        ctx = self.identity.admin_or_self(req, user_id, "ec2_delete_credential")
        _not_delegated(ctx)
        with self.identity.deps.store.session(write=True) as session:
            _users_token(self.identity, session, user_id, access_token_id, others=NOT_YOURS)
            oauth.delete_access_token(session, access_token_id, now=self.identity.deps.clock.now())
        resp.status = falcon.HTTP_204


class AccessTokenRoles:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, user_id: str, access_token_id: str
    ) -> None:
        with self.identity.deps.store.session() as session:
            token = _users_token(self.identity, session, user_id, access_token_id)
            roles = [entities.role(req, row) for row in roles_of(session, token)]
        resp.media = {
            "roles": roles,
            "links": collection_links(
                req, f"users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}/roles"
            ),
        }

    def on_head(
        self, req: falcon.Request, resp: falcon.Response, user_id: str, access_token_id: str
    ) -> None:
        self.on_get(req, resp, user_id, access_token_id)
        resp.media = None


class AccessTokenRole:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, user_id: str, access_token_id: str,
        role_id: str,
    ) -> None:  # fmt: skip
        with self.identity.deps.store.session() as session:
            token = _users_token(self.identity, session, user_id, access_token_id, others=NOT_YOURS)
            for row in roles_of(session, token):
                if row.id == role_id:
                    resp.media = {"role": entities.role(req, row)}
                    return
        raise NotFound(f"Could not find role: {role_id}.")

    def on_head(
        self, req: falcon.Request, resp: falcon.Response, user_id: str, access_token_id: str,
        role_id: str,
    ) -> None:  # fmt: skip
        self.on_get(req, resp, user_id, access_token_id, role_id)
        resp.media = None


def resources(identity: Identity) -> dict[str, object]:
    tokens = "/v3/users/{user_id}/OS-OAUTH1/access_tokens"
    item = f"{tokens}/{{access_token_id}}"
    return {
        "/v3/OS-OAUTH1/consumers": Consumers(identity),
        "/v3/OS-OAUTH1/consumers/{consumer_id}": ConsumerItem(identity),
        tokens: AccessTokens(identity),
        item: AccessTokenItem(identity),
        f"{item}/roles": AccessTokenRoles(identity),
        f"{item}/roles/{{role_id}}": AccessTokenRole(identity),
    }
