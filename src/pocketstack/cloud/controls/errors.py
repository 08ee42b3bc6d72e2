"""The control API's one error type and its JSON shape, `{"error": {"code", "title",
"message"}}` (the cloud's own neutral shape, as Keystone's)."""

from __future__ import annotations

import http
import json
import logging
from typing import Any

import falcon

from pocketstack.cloud.errors import CloudError

LOG = logging.getLogger("pocketstack.controls")


class ControlError(CloudError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def body(status: int, message: str) -> str:
    try:
        title = http.HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    return json.dumps({"error": {"code": status, "title": title, "message": message}})


def _render(resp: falcon.Response, status: int, message: str) -> None:
    resp.status = status
    resp.content_type = "application/json"
    resp.text = body(status, message)


def _cloud_error(req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any) -> None:
    assert isinstance(exc, CloudError)
    _render(resp, exc.status, exc.message)


def _http_error(req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any) -> None:
    assert isinstance(exc, falcon.HTTPError)
    status = int(exc.status_code)
    messages = {404: "No such control.", 405: "Method not allowed here.",
                401: "The request you have made requires authentication."}  # fmt: skip
    _render(resp, status, messages.get(status) or exc.description or exc.title or "Error")
    for name, value in dict(exc.headers or {}).items():
        resp.set_header(name, value)


def _unexpected(req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any) -> None:
    LOG.exception("unexpected error on %s %s", req.method, req.path)
    _render(resp, 500, "The control failed; the cloud's log says why.")


def install(app: falcon.App[falcon.Request, falcon.Response]) -> None:
    # Falcon picks the handler of the nearest class in the exception's MRO.
    app.add_error_handler(Exception, _unexpected)
    app.add_error_handler(falcon.HTTPError, _http_error)
    app.add_error_handler(CloudError, _cloud_error)
