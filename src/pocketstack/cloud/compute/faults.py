"""Nova's error shapes, `{"<faultName>": {"code": N, "message": "..."}}`, mapped in one place."""

from __future__ import annotations

import json
import logging
from typing import Any

import falcon

from pocketstack.cloud.errors import DATABASE_REFUSALS, CloudError, from_database

LOG = logging.getLogger(__name__)

FAULT_NAMES = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}


def fault_body(status: int, message: str) -> str:
    name = FAULT_NAMES.get(status, "computeFault")
    return json.dumps({name: {"code": status, "message": message}})


def render(resp: falcon.Response, status: int, message: str) -> None:
    resp.status = status
    resp.content_type = "application/json; charset=UTF-8"
    resp.text = fault_body(status, message)


def handle_cloud_error(
    req: falcon.Request, resp: falcon.Response, exc: CloudError, params: dict[str, Any]
) -> None:
    render(resp, exc.status, exc.message)


def handle_http_error(
    req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError, params: dict[str, Any]
) -> None:
    status = exc.status_code
    if status == 404:
        message = "The resource could not be found."
    elif status == 405:
        message = "The method specified is not allowed for this resource."
        for name, value in dict(exc.headers or {}).items():
            if name.lower() == "allow":
                resp.set_header("Allow", value)
    else:
        message = exc.description or exc.title or "Error"
    render(resp, status, message)


def handle_database_refusal(
    req: falcon.Request, resp: falcon.Response, exc: Exception, params: dict[str, Any]
) -> None:
    # Validation names what it refuses; reaching here means a check is missing: log it.
    LOG.warning("database refused %s %s: %s", req.method, req.path, exc.__class__.__name__)
    error = from_database(exc)
    render(resp, error.status, error.message)


def handle_unexpected(
    req: falcon.Request, resp: falcon.Response, exc: Exception, params: dict[str, Any]
) -> None:
    LOG.exception("unexpected error on %s %s", req.method, req.path)
    render(
        resp,
        500,
        "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach"
        " the Nova API log if possible.",
    )


def install(app: falcon.App[falcon.Request, falcon.Response]) -> None:
    # Most specific last: falcon picks the handler of the nearest class in the MRO.
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(falcon.HTTPError, handle_http_error)
    app.add_error_handler(CloudError, handle_cloud_error)
    for refusal in DATABASE_REFUSALS:
        app.add_error_handler(refusal, handle_database_refusal)
