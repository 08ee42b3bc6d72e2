"""Reading and checking JSON request bodies, with Nova's validation wording."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import falcon

from pocketstack.cloud.errors import BadRequest, Forbidden
from pocketstack.cloud.inputs import MAX_INT, decimal, find_unstorable, shown, too_big_for_text
from pocketstack.cloud.requestbody import read_body


def read_json(req: falcon.Request, *, max_size: int) -> Any:
    raw = read_body(req, limit=max_size, too_large="Request is too large.")
    if not raw:
        raise BadRequest("The request body is empty or invalid JSON.")
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


def require_object(body: Any, key: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid("body", shown(body), "not an object")
    if key not in body:
        raise BadRequest(f"'{key}' is a required property")
    value = body[key]
    if not isinstance(value, dict):
        raise invalid(key, shown(value), f"{shown(value)} is not of type 'object'")
    return value


def no_extra(obj: dict[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        listed = ", ".join(repr(k) for k in extra)
        verb = "were" if len(extra) > 1 else "was"
        raise BadRequest(f"Additional properties are not allowed ({listed} {verb} unexpected)")


def _printable(value: str) -> bool:
    # As Nova: any printable character, and any space separator (Zs, e.g. U+00A0) inside.
    return all(ch.isprintable() or unicodedata.category(ch) == "Zs" for ch in value)


def name_value(field: str, value: Any, *, max_length: int = 255) -> str:
    if not isinstance(value, str):
        raise invalid(field, shown(value), f"{shown(value)} is not of type 'string'")
    if not value or len(value) > max_length:
        raise invalid(
            field, shown(value), f"{shown(value)} must be 1 to {max_length} characters long"
        )
    if value != value.strip():
        raise invalid(field, value, f"{value!r} has leading or trailing whitespace")
    if not _printable(value):
        raise invalid(field, shown(value), f"{shown(value)} contains a non-printable character")
    return value


def optional_text(field: str, value: Any, *, max_length: int = 255) -> str | None:
    """A string or null, at most `max_length` characters and what a TEXT column holds."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(field, shown(value), f"{shown(value)} is not of type 'string', 'null'")
    if len(value) > max_length or too_big_for_text(value):
        raise invalid(field, shown(value), f"{shown(value)} is too long")
    return value


def description_value(field: str, value: Any, *, max_length: int = 255) -> str | None:
    """Nova's descriptions: null, or printable characters (spaces included), maybe empty."""
    text = optional_text(field, value, max_length=max_length)
    if text is not None and not _printable(text):
        raise invalid(field, shown(text), f"{shown(text)} contains a non-printable character")
    return text


_TRUE = ("True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes")
_FALSE = ("False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no")
_BOOLEANS = ", ".join(["True", *map(repr, _TRUE), "False", *map(repr, _FALSE)])


def bool_value(field: str, value: Any) -> bool:
    """Nova's parameter_types.boolean: a JSON boolean or one of its spellings as a string."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in _TRUE:
        return True
    if isinstance(value, str) and value in _FALSE:
        return False
    raise invalid(field, shown(value), f"{shown(value)} is not one of [{_BOOLEANS}]")


def int_value(field: str, value: Any, *, minimum: int, maximum: int = MAX_INT) -> int:
    """Nova's integer parameters: a JSON integer or a string of ASCII digits ('^[0-9]*$')."""
    number: int | None
    if isinstance(value, str):
        number = decimal(value, cap=maximum + 1)
        if number is None:
            raise invalid(field, shown(value), f"{shown(value)} does not match '^[0-9]*$'")
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise invalid(field, shown(value), f"{shown(value)} is not of type 'integer', 'string'")
    if number < minimum:
        raise invalid(field, shown(value), f"{shown(value)} is less than the minimum of {minimum}")
    if number > maximum:
        raise invalid(
            field, shown(value), f"{shown(value)} is greater than the maximum of {maximum}"
        )
    return number


# Nova's hostname (2.90) and FQDN (2.94) patterns.
_HOSTNAME = re.compile(r"[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+")
_FQDN = re.compile(r"[a-zA-Z0-9-._]*")


def hostname_value(field: str, value: Any, *, fqdn: bool) -> str:
    if not isinstance(value, str):
        raise invalid(field, shown(value), f"{shown(value)} is not of type 'string'")
    pattern, low, high = (_FQDN, 1, 255) if fqdn else (_HOSTNAME, 2, 63)
    if not low <= len(value) <= high:
        raise invalid(
            field, shown(value), f"{shown(value)} must be {low} to {high} characters long"
        )
    if not pattern.fullmatch(value):
        raise invalid(field, shown(value), f"{shown(value)} does not match '^{pattern.pattern}$'")
    return value


# Nova's metadata schema (parameter_types.metadata) and its metadata_items quota.
_METADATA_KEY = "^[a-zA-Z0-9-_:. ]{1,255}$"
_METADATA_KEY_RE = re.compile(_METADATA_KEY[1:-1])
MAX_METADATA_ITEMS = 128


def metadata_value(field: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise invalid(field, shown(value), f"{shown(value)} is not of type 'object'")
    for key, item in value.items():
        if not _METADATA_KEY_RE.fullmatch(key):
            raise invalid(
                field,
                shown(value),
                f"{shown(key)} does not match any of the regexes: '{_METADATA_KEY}'",
            )
        if not isinstance(item, str):
            raise invalid(field, shown(value), f"{shown(item)} is not of type 'string'")
        if len(item) > 255:
            raise invalid(field, shown(value), f"{shown(item)} is too long")
    check_metadata_count(len(value))
    return dict(value)


def check_metadata_count(count: int) -> None:
    """Nova's answer (403) to a server's metadata beyond its metadata_items quota."""
    if count > MAX_METADATA_ITEMS:
        raise Forbidden(f"Maximum number of metadata items exceeds {MAX_METADATA_ITEMS}")


MAX_TAGS = 50


def tag_value(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise invalid(field, shown(value), f"{shown(value)} is not of type 'string'")
    if not value or len(value) > 60:
        raise invalid(field, shown(value), f"{shown(value)} must be 1 to 60 characters long")
    if "/" in value or "," in value:
        raise invalid(field, value, f"{value!r} must not contain '/' or ','")
    if not _printable(value):
        raise invalid(field, shown(value), f"{shown(value)} contains a non-printable character")
    return value


def tag_list(field: str, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise invalid(field, shown(value), f"{shown(value)} is not of type 'array'")
    if len(value) > MAX_TAGS:
        raise BadRequest(f"The number of tags exceeded the per-server limit {MAX_TAGS}")
    tags = [tag_value(field, item) for item in value]
    if len(set(tags)) != len(tags):
        raise invalid(field, shown(value), f"{shown(value)} has non-unique elements")
    return tags
