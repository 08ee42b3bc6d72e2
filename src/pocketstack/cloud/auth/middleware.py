"""Token authentication in front of the compute, image and network apps, as keystonemiddleware
does it.

The Fernet token from `X-Auth-Token` is validated in-process (crypto, expiry, one indexed revocation
query): no HTTP hop to the identity service. A request without a valid token gets the same 401 that
keystonemiddleware's auth_token sends: a JSON `error` body and `WWW-Authenticate: Keystone uri=...`
pointing at the identity endpoint. A token of an application credential with access rules
passes only for the requests they allow (auth/access_rules.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import falcon

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.auth.tokens import TokenError, TokenProvider

LOG = logging.getLogger(__name__)

# The service an app serves, by where the cloud mounts it (cloud/app.py): access rules name
# services by type. An app reached otherwise names none, and no restricted token passes it.
SERVICE_TYPES = {"compute": "compute", "image": "image", "networking": "network"}

UNAUTHORIZED_BODY = json.dumps(
    {
        "error": {
            "code": 401,
            "title": "Unauthorized",
            "message": "The request you have made requires authentication.",
        }
    }
)


def www_authenticate(public_url: str) -> str:
    """The header that points a client without a token at the identity service."""
    return f'Keystone uri="{public_url.rstrip("/")}/identity"'


def reject(resp: falcon.Response, *, challenge: str) -> None:
    """Answer 401 the keystonemiddleware way and stop processing the request."""
    resp.status = falcon.HTTP_401
    resp.content_type = "application/json; charset=UTF-8"
    resp.text = UNAUTHORIZED_BODY
    resp.set_header("WWW-Authenticate", challenge)
    resp.complete = True


class TokenAuthMiddleware:
    """Puts a RequestContext on `req.context.auth`, or answers 401.

    `is_public(req)` names requests that need no token (version documents); `public_url` is the
    cloud's, under which the identity service answers at /identity.
    """

    def __init__(
        self,
        *,
        tokens: TokenProvider,
        public_url: str,
        is_public: Callable[[falcon.Request], bool],
    ) -> None:
        self._tokens = tokens
        self._challenge = www_authenticate(public_url)
        self._is_public = is_public

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.auth = None
        if resp.complete or self._is_public(req):
            return
        token = (req.get_header("X-Auth-Token") or "").strip()
        if not token:
            reject(resp, challenge=self._challenge)
            return
        try:
            payload = self._tokens.validate(token)
        except TokenError as exc:
            LOG.info("rejected a token: %s", exc.__class__.__name__)
            reject(resp, challenge=self._challenge)
            return
        service = SERVICE_TYPES.get(req.root_path.rsplit("/", 1)[-1], "")
        # The path as the client sent it below the service's root: an app may rewrite req.path
        # to route (compute drops its version), rules name what the client sees.
        path = req.env.get("PATH_INFO") or req.path
        allowed = self._tokens.access_rules.allows(
            payload.application_credential_id, service=service, method=req.method, path=path
        )
        if not allowed:
            LOG.info("refused a request its application credential's access rules do not allow")
            reject(resp, challenge=self._challenge)
            return
        req.context.auth = RequestContext(
            token_id=token, payload=payload, request_id=getattr(req.context, "request_id", "")
        )

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, req_succeeded: bool
    ) -> None:
        # keystonemiddleware adds the header to any 401, including ones from the service itself.
        if resp.status in (falcon.HTTP_401, 401) and not resp.get_header("WWW-Authenticate"):
            resp.set_header("WWW-Authenticate", self._challenge)
