"""How compute reads a request body and words a body its schema refuses, as Nova does.

The body is read whole under the configured limit (413 past it, 400 for malformed JSON); an
empty body is JSON null, as Nova takes it, so a schema that wants an object says so. A refusal
is worded as Nova's validator words it: "Invalid input for field/attribute {field}. Value:
{value}. {message}" when the error is about a field, the bare message when it is about the body
itself, and a format check's own message where the check gives one (a bad name, a malformed
action). Nova's validator also reads `minimum` and `maximum` of a number sent as a string
("10"): `VALIDATOR` does the same, over the linear `pattern` and `uniqueItems` every service's
validator has (cloud/api/keywords.py).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import falcon
import jsonschema

from pocketstack.cloud.api.keywords import REQUEST_VALIDATOR
from pocketstack.cloud.api.requests import field_path
from pocketstack.cloud.compute.bodies import read_json
from pocketstack.cloud.errors import BadRequest

# A refusal quotes what was sent; a body may hold 100,000 characters of it.
_MAX_DETAIL = 1024


class FormatRefusal(Exception):
    """A format check's own words, which the refusal shows bare (as Nova shows InvalidName)."""


NAME_REFUSED = (
    "An invalid 'name' value was provided. The name must be: printable characters. Can not"
    " start or end with whitespace."
)
SPACED_NAME_REFUSED = (
    "An invalid 'name' value was provided. The name must be: printable characters with at least"
    " one non space character"
)
# What Nova answers when an action's body is not an object of exactly one key.
MALFORMED_BODY = "Malformed request body"


def printable(char: str) -> bool:
    """Nova's printable characters: no control, format, private or unassigned code point, and of
    the separators only the spaces (Zs). Nova checks only the BMP; this checks every plane, so
    that a name may hold an emoji as it always could here."""
    category = unicodedata.category(char)
    return not category.startswith("C") and (not category.startswith("Z") or category == "Zs")


def _edge(char: str) -> bool:
    return printable(char) and unicodedata.category(char) != "Zs"


FORMATS = jsonschema.FormatChecker(formats=())


# Every check passes what is not a string: the schema's type says what the value must be, and
# one error about the value is enough.
@FORMATS.checks("name", raises=FormatRefusal)
def _name(instance: object) -> bool:
    if not isinstance(instance, str) or not instance:
        return True
    if _edge(instance[0]) and _edge(instance[-1]) and all(map(printable, instance)):
        return True
    raise FormatRefusal(NAME_REFUSED)


@FORMATS.checks("name_with_leading_trailing_spaces", raises=FormatRefusal)
def _spaced_name(instance: object) -> bool:
    if not isinstance(instance, str) or not instance:
        return True
    if all(map(printable, instance)) and any(map(_edge, instance)):
        return True
    raise FormatRefusal(SPACED_NAME_REFUSED)


@FORMATS.checks("printable")
def _printable(instance: object) -> bool:
    return not isinstance(instance, str) or all(map(printable, instance))


def canonical_uuid(text: str) -> str | None:
    """The hyphenated lower-case form of what Nova calls uuid-like (32 hex digits, hyphenated or
    not, in braces or after urn:uuid:), None for anything else."""
    bare = text.replace("urn:", "").replace("uuid:", "").strip("{}").replace("-", "").lower()
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        return None
    return str(parsed) if parsed.hex == bare else None


def uuid_like(text: str) -> bool:
    return canonical_uuid(text) is not None


@FORMATS.checks("uuid")
def _uuid(instance: object) -> bool:
    return not isinstance(instance, str) or uuid_like(instance)


@FORMATS.checks("base64")
def _base64(instance: object) -> bool:
    """What Python's lenient decoder takes (as Nova's): characters outside the alphabet are
    skipped, the padding must be right."""
    if not isinstance(instance, str):
        return True
    try:
        base64.b64decode(instance.encode("ascii"))
    except (UnicodeEncodeError, binascii.Error):
        return False
    return True


@FORMATS.checks("ipv4")
def _ipv4(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        ipaddress.IPv4Address(instance)
    except ValueError:
        return False
    return True


@FORMATS.checks("ipv6")
def _ipv6(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        address = ipaddress.IPv6Address(instance)
    except ValueError:
        return False
    return not address.scope_id


@FORMATS.checks("action", raises=FormatRefusal)
def _action(instance: object) -> bool:
    """A server action's body: one key, the action's name (Nova's action_peek)."""
    if isinstance(instance, dict) and len(instance) == 1:
        return True
    raise FormatRefusal(MALFORMED_BODY)


def _number(text: str) -> int | float | None:
    """A number sent as a string, as Nova reads one for its bounds; None when it is none."""
    text = text.strip()
    sign, digits = (text[0], text[1:]) if text[:1] in ("+", "-") else ("", text)
    if digits.isascii() and digits.isdigit():
        # Leading zeros first: "0...01" is 1, whatever its length, and bounded as 1.
        significant = digits.lstrip("0") or "0"
        if len(significant) <= 40:
            return int(sign + significant)
    try:
        # Past 40 digits an integer is past every bound; a float says so without int()'s cost.
        return float(text)
    except ValueError:
        return None


_Keyword = Callable[[Any, Any, Any, Any], Iterator[jsonschema.ValidationError] | None]


def _reading_strings(keyword: str) -> _Keyword:
    base: _Keyword = jsonschema.Draft202012Validator.VALIDATORS[keyword]

    def check(
        validator: Any, bound: Any, instance: Any, schema: Any
    ) -> Iterator[jsonschema.ValidationError]:
        if isinstance(instance, str):
            number = _number(instance)
            if number is None:
                return
            instance = number
        yield from base(validator, bound, instance, schema) or ()

    return check


# The stubs leave extend() untyped; what it returns is a validator class like the one extended.
VALIDATOR: type[jsonschema.protocols.Validator] = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    REQUEST_VALIDATOR,
    {"minimum": _reading_strings("minimum"), "maximum": _reading_strings("maximum")},
)


def body_reader(max_size: int) -> Callable[[falcon.Request], Any]:
    def read(req: falcon.Request) -> Any:
        return read_json(req, max_size=max_size)

    return read


def schema_refusal(error: jsonschema.ValidationError) -> BadRequest:
    """A schema's refusal worded as Nova words it."""
    if isinstance(error.cause, FormatRefusal):
        return BadRequest(str(error.cause))
    field = field_path(error)
    if field is None:
        detail = error.message
    else:
        detail = (
            f"Invalid input for field/attribute {field}. Value: {error.instance}. {error.message}"
        )
    if len(detail) > _MAX_DETAIL:
        detail = detail[: _MAX_DETAIL - 3] + "..."
    return BadRequest(detail)
