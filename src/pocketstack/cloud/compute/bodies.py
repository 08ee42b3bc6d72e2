"""Reading a JSON request body, and the limits on what it asks for that no schema states.

What a body may hold is each operation's declared schema (compute/api/requests.py), checked
before the responder runs (compute/validation.py words the refusals).
"""

from __future__ import annotations

import json
from typing import Any

import falcon

from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.inputs import find_unstorable, shown
from pocketstack.cloud.requestbody import read_body


def read_json(req: falcon.Request, *, max_size: int) -> Any:
    """The body as JSON; an empty body is null, as Nova reads it (the schema then refuses it
    where a body is needed)."""
    raw = read_body(req, limit=max_size, too_large="Request is too large.")
    if not raw:
        return None
    try:
        body = json.loads(raw)
    # RecursionError: a body nested thousands deep is malformed input, not a server fault.
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest("Malformed request body") from None
    # One check for every field of every operation: what no database stores never gets further.
    bad = find_unstorable(body)
    if bad is not None:
        raise invalid(bad.field, shown(bad.value), f"{shown(bad.value)} {bad.reason}")
    return body


def invalid(field: str, value: Any, reason: str) -> BadRequest:
    return BadRequest(f"Invalid input for field/attribute {field}. Value: {value}. {reason}")


