"""Request plumbing shared by every identity resource: bodies, callers, links, timestamps."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import falcon
import jsonschema
from sqlalchemy.engine import Connection

from pocketstack.cloud.api.requests import error_message
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.auth.tokens import TokenError, TokenProvider
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.identity.errors import AuthenticationFailed, SchemaError, ValidationError
from pocketstack.cloud.inputs import find_unstorable
from pocketstack.cloud.requestbody import read_body

AUTH_HEADER = "X-Auth-Token"
SUBJECT_HEADER = "X-Subject-Token"
REQUEST_ID_HEADER = "x-openstack-request-id"


def isotime(when: dt.datetime | None) -> str | None:
    """Keystone's `2015-11-07T02:58:43.578887Z`: UTC, microseconds, a literal Z."""
    if when is None:
        return None
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class RequestIdMiddleware:
    """Gives every response (errors included) an `x-openstack-request-id`."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.request_id = f"req-{uuid.uuid4()}"

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, ok: bool
    ) -> None:
        request_id = getattr(req.context, "request_id", None) or f"req-{uuid.uuid4()}"
        resp.set_header(REQUEST_ID_HEADER, request_id)


def json_reader(limit: int) -> Callable[[falcon.Request], dict[str, Any]]:
    """How every identity body is read, before its schema is checked (api/requests.py)."""

    def read(req: falcon.Request) -> dict[str, Any]:
        return read_json(req, limit=limit)

    return read


def read_json(req: falcon.Request, *, limit: int) -> dict[str, Any]:
    """The request body as a JSON object; 413 past `limit` bytes, 400 for anything but an object."""
    raw = read_body(req, limit=limit, too_large="Request is too large.")
    if not raw.strip():
        # Keystone treats an empty body as `{}`; its schema then names what is missing.
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValidationError(attribute="valid JSON", target="request body") from None
    if not isinstance(body, dict):
        raise ValidationError(attribute="valid JSON", target="request body")
    if b"\\u" in raw and find_unstorable(body) is not None:
        # Lone surrogates and NUL pass JSON but no database stores them: refuse, never a 500.
        raise ValidationError(attribute="valid JSON", target="request body")
    return body


def schema_error(error: jsonschema.ValidationError) -> BadRequest:
    """Keystone's SchemaValidationError. Keystone validates the entity inside the envelope (the
    user of `{"user": ...}`, the auth of `{"auth": ...}`), so the field is named from there."""
    path = "/".join(str(step) for step in list(error.absolute_path)[1:])
    message = error_message(error)
    return SchemaError(path=path, detail=message) if path else BadRequest(message)


def caller(
    req: falcon.Request, tokens: TokenProvider, *, conn: Connection | None = None
) -> RequestContext:
    """Who is calling, from X-Auth-Token; the generic 401 for a missing or dead token."""
    cached = getattr(req.context, "caller", None)
    if isinstance(cached, RequestContext):
        return cached
    token_id = req.get_header(AUTH_HEADER)
    if not token_id:
        raise AuthenticationFailed()
    try:
        payload = tokens.validate(token_id, conn=conn)
    except TokenError:
        raise AuthenticationFailed() from None
    if not tokens.access_rules.allows(payload.application_credential_id, service="identity",
                                      method=req.method, path=req.path):  # fmt: skip
        raise AuthenticationFailed()
    ctx = RequestContext(
        token_id=token_id, payload=payload, request_id=getattr(req.context, "request_id", "")
    )
    req.context.caller = ctx
    return ctx


def v3_url(req: falcon.Request, *parts: str) -> str:
    return "/".join((f"{req.prefix}/v3", *parts))


def collection_links(req: falcon.Request, name: str) -> dict[str, str | None]:
    return {"self": v3_url(req, name), "previous": None, "next": None}


def query_bool(req: falcon.Request, name: str) -> bool | None:
    """Keystone's lenient boolean query filter: absent -> None."""
    raw = req.get_param(name)
    if raw is None:
        return None
    lowered = raw.strip().lower()
    if lowered in ("", "0", "false", "f", "no", "n", "off"):
        return False
    if lowered in ("1", "true", "t", "yes", "y", "on"):
        return True
    raise BadRequest(f"Invalid value for '{name}': {raw!r} is not a boolean.")


def query_flag(req: falcon.Request, name: str) -> bool:
    """Keystone's flag parameters: present (even blank) means true, except an explicit `0`."""
    raw = req.get_param(name)
    return raw is not None and raw.strip() != "0"
