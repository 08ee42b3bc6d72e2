"""Neutron's error body, `{"NeutronError": {"type", "message", "detail"}}`, mapped in one place.

`type` is the name of the exception Neutron raised (NetworkNotFound, SubnetInUse,
IpAddressGenerationFailure, PolicyNotAuthorized...), which clients and tempest match on; the
errors raised here carry it. Errors the framework raises (an unknown route, a refused method, a
body too large) take webob's names, as Neutron's own do.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import falcon

from pocketstack.cloud.errors import DATABASE_REFUSALS, CloudError, from_database

LOG = logging.getLogger(__name__)

_WEBOB = {
    400: "HTTPBadRequest",
    401: "HTTPUnauthorized",
    403: "HTTPForbidden",
    404: "HTTPNotFound",
    405: "HTTPMethodNotAllowed",
    409: "HTTPConflict",
    413: "HTTPRequestEntityTooLarge",
    500: "HTTPInternalServerError",
}
NOT_FOUND = "The resource could not be found."


class NeutronError(CloudError):
    """An error Neutron names: its HTTP status, its exception's name and message."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind


def bad_request(message: str, kind: str = "HTTPBadRequest") -> NeutronError:
    return NeutronError(400, kind, message)


def invalid_input(reason: str) -> NeutronError:
    """Neutron's InvalidInput: most refusals of a value the attribute checks let through."""
    return NeutronError(400, "InvalidInput", f"Invalid input for operation: {reason}.")


def not_found(kind: str, message: str) -> NeutronError:
    return NeutronError(404, kind, message)


def hidden() -> NeutronError:
    """What Neutron answers for a resource the caller may not see: as if it did not exist."""
    return NeutronError(404, "HTTPNotFound", NOT_FOUND)


def conflict(kind: str, message: str) -> NeutronError:
    return NeutronError(409, kind, message)


def policy_refused(*rules: str) -> NeutronError:
    """oslo.policy's refusal, naming the rule (and the attribute rules) that failed."""
    checks = [f"rule:{rule}" for rule in rules]
    text = checks[0] if len(checks) == 1 else f"({' and '.join(checks)})"
    return NeutronError(403, "PolicyNotAuthorized", f"{text} is disallowed by policy")


def body(kind: str, message: str) -> str:
    return json.dumps({"NeutronError": {"type": kind, "message": message, "detail": ""}})


def render(resp: falcon.Response, status: int, kind: str, message: str) -> None:
    resp.status = status
    resp.content_type = "application/json"
    resp.text = body(kind, message)


def webob_name(status: int) -> str:
    """webob's exception name for a status, as Neutron's framework errors carry it."""
    return _WEBOB.get(status, "HTTPInternalServerError" if status >= 500 else "HTTPBadRequest")


def _cloud_error(req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any) -> None:
    assert isinstance(exc, CloudError)
    kind = exc.kind if isinstance(exc, NeutronError) else webob_name(exc.status)
    render(resp, exc.status, kind, exc.message)


def _http_error(req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any) -> None:
    assert isinstance(exc, falcon.HTTPError)
    status = int(exc.status_code)
    if status == 404:
        message = NOT_FOUND
    elif status == 405:
        message = "The server could not comply with the request since it is either malformed or"
        message += " otherwise incorrect."
        for name, value in dict(exc.headers or {}).items():
            if name.lower() == "allow":
                resp.set_header("Allow", value)
    else:
        message = exc.description or exc.title or "Error"
    render(resp, status, webob_name(status), message)


def _database_refusal(
    req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any
) -> None:
    LOG.warning("database refused %s %s: %s", req.method, req.path, exc.__class__.__name__)
    error = from_database(exc)
    render(resp, error.status, webob_name(error.status), error.message)


def _unexpected(req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any) -> None:
    LOG.exception("unexpected error on %s %s", req.method, req.path)
    render(resp, 500, "HTTPInternalServerError",
           "Request Failed: internal server error while processing your request.")  # fmt: skip


def install(app: falcon.App[falcon.Request, falcon.Response]) -> None:
    # Falcon picks the handler of the nearest class in the exception's MRO.
    app.add_error_handler(Exception, _unexpected)
    app.add_error_handler(falcon.HTTPError, _http_error)
    app.add_error_handler(CloudError, _cloud_error)
    for refusal in DATABASE_REFUSALS:
        app.add_error_handler(refusal, _database_refusal)
