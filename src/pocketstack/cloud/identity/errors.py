"""Keystone's error vocabulary and its one mapping to HTTP.

Every error leaves as `{"error": {"code", "title", "message"}}`; every 401 carries
`WWW-Authenticate: Keystone uri="<identity base>/v3"` so clients know where to authenticate.
"""

from __future__ import annotations

import http
import logging
from typing import Any

import falcon

from pocketstack.cloud.errors import (
    DATABASE_REFUSALS,
    BadRequest,
    CloudError,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
    from_database,
)

LOG = logging.getLogger(__name__)

GENERIC_401 = "The request you have made requires authentication."
GENERIC_403 = "You are not authorized to perform the requested action."
_BAD_REQUEST_TAIL = (
    " The server could not comply with the request since it is either malformed or otherwise"
    " incorrect. The client is assumed to be in error."
)
TITLES = {413: "Request Entity Too Large"}


class ValidationError(BadRequest):
    """Keystone's ValidationError: names what was expected and where."""

    def __init__(self, *, attribute: str, target: str) -> None:
        super().__init__(f"Expecting to find {attribute} in {target}.{_BAD_REQUEST_TAIL}")


class SchemaError(BadRequest):
    """A body field of the wrong type: worded as Keystone's JSON-schema errors."""

    def __init__(self, *, path: str, detail: str) -> None:
        super().__init__(f"Invalid input for field '{path}': {detail}")


class AuthenticationFailed(Unauthorized):
    """The one 401 for unknown user, bad password, disabled user/project, or no role.

    The message never says which, so nobody can probe for user names.
    """

    def __init__(self) -> None:
        super().__init__(GENERIC_401)


class MethodNotSupported(Unauthorized):
    def __init__(self, *, supported: tuple[str, ...]) -> None:
        super().__init__("Attempted to authenticate with an unsupported method.")
        self.supported = supported


class TokenNotFound(NotFound):
    def __init__(self, message: str = "Failed to validate token") -> None:
        super().__init__(message)


class PolicyDenied(Forbidden):
    def __init__(self, action: str | None = None) -> None:
        if action:
            super().__init__(f"You are not authorized to perform the requested action: {action}.")
        else:
            super().__init__(GENERIC_403)


def identity_v3_url(req: falcon.Request) -> str:
    """Keystone builds this from the request's host and script name, not from configuration."""
    return f"{req.prefix}/v3"


def _title(status: int) -> str:
    return TITLES.get(status) or http.HTTPStatus(status).phrase


def render_error(req: falcon.Request, resp: falcon.Response, *, status: int, message: str) -> None:
    body: dict[str, Any] = {"code": status, "title": _title(status), "message": message}
    resp.status = status
    resp.media = {"error": body}
    if status == 401:
        resp.set_header("WWW-Authenticate", f'Keystone uri="{identity_v3_url(req)}"')


def _on_cloud_error(req: falcon.Request, resp: falcon.Response, ex: Exception, _p: Any) -> None:
    assert isinstance(ex, CloudError)
    status = ex.status if 400 <= ex.status < 600 else 500
    render_error(req, resp, status=status, message=ex.message)
    if isinstance(ex, MethodNotSupported):
        resp.media["error"]["identity"] = {"methods": list(ex.supported)}
    if isinstance(ex, TooManyRequests):
        resp.set_header("Retry-After", str(ex.retry_after))


def _on_http_error(req: falcon.Request, resp: falcon.Response, ex: Exception, _p: Any) -> None:
    assert isinstance(ex, falcon.HTTPError)
    status = int(ex.status_code)
    if status == 404:
        message = f"Could not find: {req.path}."
    elif status == 405:
        message = "The method is not allowed for the requested URL."
        allow = dict(ex.headers or {}).get("Allow")
        if allow:
            resp.set_header("Allow", allow)
    else:
        message = ex.description or ex.title or _title(status)
    render_error(req, resp, status=status, message=message)


def _on_unexpected(req: falcon.Request, resp: falcon.Response, ex: Exception, _p: Any) -> None:
    LOG.exception("unexpected error handling %s %s", req.method, req.path)
    render_error(
        req,
        resp,
        status=500,
        message="An unexpected error prevented the server from fulfilling your request.",
    )


def _on_database_refusal(
    req: falcon.Request, resp: falcon.Response, ex: Exception, _p: Any
) -> None:
    # Validation names what it refuses; reaching here means a check is missing: log it.
    LOG.warning("database refused %s %s: %s", req.method, req.path, ex.__class__.__name__)
    error = from_database(ex)
    render_error(req, resp, status=error.status, message=error.message)


def install(app: falcon.App[falcon.Request, falcon.Response]) -> None:
    # Falcon picks the most specific handler by the exception's MRO.
    app.add_error_handler(Exception, _on_unexpected)
    app.add_error_handler(falcon.HTTPError, _on_http_error)
    app.add_error_handler(CloudError, _on_cloud_error)
    for refusal in DATABASE_REFUSALS:
        app.add_error_handler(refusal, _on_database_refusal)
