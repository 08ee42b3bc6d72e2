"""Reading and checking JSON request bodies, with Nova's validation wording."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import falcon

from pocketstack.cloud.errors import BadRequest, PayloadTooLarge


def read_json(req: falcon.Request, *, max_size: int) -> Any:
    length = req.content_length or 0
    if length > max_size:
        raise PayloadTooLarge("Request is too large.")
    raw = req.bounded_stream.read(max_size + 1)
    if len(raw) > max_size:
        raise PayloadTooLarge("Request is too large.")
    if not raw:
        raise BadRequest("The request body is empty or invalid JSON.")
    try:
        return json.loads(raw)
    # RecursionError: a body nested thousands deep is malformed input, not a server fault.
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest("Malformed request body") from None


def invalid(field: str, value: Any, reason: str) -> BadRequest:
    return BadRequest(f"Invalid input for field/attribute {field}. Value: {value}. {reason}")


def require_object(body: Any, key: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest(f"Invalid input for field/attribute body. Value: {body}. not an object")
    if key not in body:
        raise BadRequest(f"'{key}' is a required property")
    value = body[key]
    if not isinstance(value, dict):
        raise invalid(key, value, f"{value!r} is not of type 'object'")
    return value


def no_extra(obj: dict[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        listed = ", ".join(repr(k) for k in extra)
        verb = "were" if len(extra) > 1 else "was"
        raise BadRequest(f"Additional properties are not allowed ({listed} {verb} unexpected)")


def name_value(field: str, value: Any, *, max_length: int = 255) -> str:
    if not isinstance(value, str):
        raise invalid(field, value, f"{value!r} is not of type 'string'")
    if not value or len(value) > max_length:
        raise invalid(field, value, f"{value!r} must be 1 to {max_length} characters long")
    if value != value.strip():
        raise invalid(field, value, f"{value!r} has leading or trailing whitespace")
    # As Nova: any printable character, and any space separator (Zs, e.g. U+00A0) inside.
    if not all(ch.isprintable() or unicodedata.category(ch) == "Zs" for ch in value):
        raise invalid(field, value, f"{value!r} contains a non-printable character")
    return value


def optional_text(field: str, value: Any, *, max_length: int = 255) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(field, value, f"{value!r} is not of type 'string', 'null'")
    if len(value) > max_length:
        raise invalid(field, value, f"{value!r} is too long")
    return value


def metadata_value(field: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise invalid(field, value, f"{value!r} is not of type 'object'")
    for key, item in value.items():
        if not key or len(key) > 255:
            raise invalid(field, value, f"metadata key {key!r} must be 1 to 255 characters long")
        if not isinstance(item, str):
            raise invalid(field, value, f"{item!r} is not of type 'string'")
        if len(item) > 255:
            raise invalid(field, value, f"{item!r} is too long")
    return dict(value)


MAX_TAGS = 50


def tag_value(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise invalid(field, value, f"{value!r} is not of type 'string'")
    if not value or len(value) > 60:
        raise invalid(field, value, f"{value!r} must be 1 to 60 characters long")
    if "/" in value or "," in value:
        raise invalid(field, value, f"{value!r} must not contain '/' or ','")
    # As Nova: any printable character, and any space separator (Zs, e.g. U+00A0) inside.
    if not all(ch.isprintable() or unicodedata.category(ch) == "Zs" for ch in value):
        raise invalid(field, value, f"{value!r} contains a non-printable character")
    return value


def tag_list(field: str, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise invalid(field, value, f"{value!r} is not of type 'array'")
    if len(value) > MAX_TAGS:
        raise BadRequest(f"The number of tags exceeded the per-server limit {MAX_TAGS}")
    tags = [tag_value(field, item) for item in value]
    if len(set(tags)) != len(tags):
        raise invalid(field, value, f"{value!r} has non-unique elements")
    return tags
