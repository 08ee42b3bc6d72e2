"""Glance's error responses, mapped in one place.

Glance's errors are webob's, which answer in the format the client accepts: a JSON object
`{"message", "code": "400 Bad Request", "title"}` to a client that takes JSON (every OpenStack
client says so), a plain-text page to one that asks for text. Webob also answers a bare
`Accept: */*` with an HTML page; here that client gets the JSON, as one without an Accept
header does (webob's plain text), so that every error a program reads is JSON.
"""

from __future__ import annotations

import http
import json
import logging
from typing import Any

import falcon

from pocketstack.cloud.errors import DATABASE_REFUSALS, CloudError, from_database

LOG = logging.getLogger(__name__)

_TITLES = {413: "Request Entity Too Large"}
_OFFERS = ["application/json", "text/plain", "text/html"]


def _title(status: int) -> str:
    return _TITLES.get(status) or http.HTTPStatus(status).phrase


def render(req: falcon.Request, resp: falcon.Response, status: int, message: str) -> None:
    title = _title(status)
    code = f"{status} {title}"
    resp.status = status
    if req.client_prefers(_OFFERS) in ("text/plain", "text/html"):
        resp.content_type = "text/plain; charset=UTF-8"
        resp.text = f"{code}\n\n{message}\n\n   "
        return
    resp.content_type = "application/json"
    # webob's JSON body quotes its HTML template's explanation, tags and all.
    resp.text = json.dumps(
        {"message": f"{message}<br /><br />\n\n\n", "code": code, "title": title}
    )


def _cloud_error(req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any) -> None:
    assert isinstance(exc, CloudError)
    render(req, resp, exc.status, exc.message)


def _http_error(req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any) -> None:
    assert isinstance(exc, falcon.HTTPError)
    status = int(exc.status_code)
    message = "The resource could not be found." if status == 404 else (exc.title or "")
    render(req, resp, status, message)
    if status == 405:
        for name, value in dict(exc.headers or {}).items():
            if name.lower() == "allow":
                resp.set_header("Allow", value)


def _database_refusal(
    req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any
) -> None:
    LOG.warning("database refused %s %s: %s", req.method, req.path, exc.__class__.__name__)
    error = from_database(exc)
    render(req, resp, error.status, error.message)


def _unexpected(req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any) -> None:
    LOG.exception("unexpected error on %s %s", req.method, req.path)
    render(req, resp, 500, "The server has either erred or is incapable of performing the"
           " requested operation.")  # fmt: skip


def install(app: falcon.App[falcon.Request, falcon.Response]) -> None:
    # Falcon picks the handler of the nearest class in the exception's MRO.
    app.add_error_handler(Exception, _unexpected)
    app.add_error_handler(falcon.HTTPError, _http_error)
    app.add_error_handler(CloudError, _cloud_error)
    for refusal in DATABASE_REFUSALS:
        app.add_error_handler(refusal, _database_refusal)
