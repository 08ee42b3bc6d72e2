"""The parameter types Nova's request schemas are built from (its
nova/api/validation/parameter_types.py), as JSON Schema fragments, for compute/api/requests.py
and for what checks a value outside a body (a tag in a path).

The formats they name (`name`, `uuid`, `base64`, ...) are checked by compute/validation.py, and
`minimum`/`maximum` there also bound a number sent as a string, as Nova's validator does.
"""

from __future__ import annotations

from typing import Any

from pocketstack.cloud.api.operation import JSON
from pocketstack.cloud.compute.requests import FALSE_WORDS, TRUE_WORDS
from pocketstack.cloud.inputs import MAX_INT

STR: JSON = {"type": "string"}

# A name: printable characters, none of them a space at either end (Nova's `name` format).
NAME: JSON = {"type": "string", "format": "name", "minLength": 1, "maxLength": 255}
# The legacy v2 API's names: spaces at either end allowed, at least one other character.
NAME_WITH_SPACES: JSON = {
    "type": "string",
    "format": "name_with_leading_trailing_spaces",
    "minLength": 1,
    "maxLength": 255,
}
# Nova says this with a pattern of every printable character of the BMP; a format says it in
# a few bytes of the document (and of an error message).
DESCRIPTION: JSON = {
    "type": ["string", "null"],
    "format": "printable",
    "minLength": 0,
    "maxLength": 255,
}
FLAVOR_DESCRIPTION: JSON = {**DESCRIPTION, "maxLength": 65535}

BOOLEAN: JSON = {
    "type": ["boolean", "string"],
    "enum": [True, *TRUE_WORDS, False, *FALSE_WORDS],
}

# The longest string of digits a number sent as a string may be: room for leading zeros, short
# of what int() refuses (4,300 digits) or takes long over.
MAX_DIGITS = 255

POSITIVE_INTEGER: JSON = {
    "type": ["integer", "string"],
    "pattern": "^[0-9]*$",
    "minimum": 1,
    "minLength": 1,
}
# A flavor's sizes: what an INTEGER column holds.
FLAVOR_POSITIVE: JSON = {
    "type": ["integer", "string"],
    "pattern": "^[0-9]+$",
    "minimum": 1,
    "maximum": MAX_INT,
}
FLAVOR_NON_NEGATIVE: JSON = {**FLAVOR_POSITIVE, "minimum": 0}

# Nova's hostname: letters, digits and hyphens, a letter or digit at each end. Nova's own pattern
# (alnum+ [alnum-]* alnum+) backtracks cubically on a long near-miss; this one says the same
# in linear time.
HOSTNAME: JSON = {
    "type": "string",
    "pattern": "^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$",
    "minLength": 2,
    "maxLength": 63,
}
FQDN: JSON = {"type": "string", "pattern": "^[a-zA-Z0-9-._]*$", "minLength": 1, "maxLength": 255}

UUID: JSON = {"type": "string", "format": "uuid"}
IMAGE_ID_OR_EMPTY: JSON = {
    "oneOf": [{"type": "string", "format": "uuid"}, {"type": "string", "maxLength": 0}]
}
FLAVOR_REF: JSON = {"type": ["string", "integer"], "minLength": 1}

METADATA_KEY = "^[a-zA-Z0-9-_:. ]{1,255}$"
METADATA: JSON = {
    "type": "object",
    "patternProperties": {METADATA_KEY: {"type": "string", "maxLength": 255}},
    "additionalProperties": False,
}

MAX_TAG_LENGTH = 60
MAX_TAGS = 50
TAG: JSON = {"type": "string", "pattern": "^[^,/]*$", "minLength": 1, "maxLength": MAX_TAG_LENGTH}
TAGS: JSON = {"type": "array", "items": TAG, "maxItems": MAX_TAGS}

DISK_CONFIG: JSON = {"type": "string", "enum": ["AUTO", "MANUAL"]}
IPV4: JSON = {"type": "string", "format": "ipv4"}
IPV6: JSON = {"type": "string", "format": "ipv6"}
IP_ADDRESS: JSON = {"type": "string", "oneOf": [{"format": "ipv4"}, {"format": "ipv6"}]}

PERSONALITY: JSON = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"path": STR, "contents": {"type": "string", "format": "base64"}},
        "additionalProperties": False,
    },
}
TRUSTED_CERTS: JSON = {
    "type": ["array", "null"],
    "minItems": 1,
    "maxItems": 50,
    "uniqueItems": True,
    "items": {"type": "string", "minLength": 1},
}


def closed(properties: JSON, *, required: tuple[str, ...] = ()) -> JSON:
    """An object of these properties and no other (Nova's `additionalProperties: False`)."""
    schema: JSON = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


def legacy(schema: Any) -> Any:
    """A 2.1 schema as the legacy v2 API applies it: names may have spaces at either end, and a
    property no schema names is ignored rather than refused (except among keys a pattern
    constrains, as metadata's), as Nova's relaxed validator does for v2 clients."""
    if isinstance(schema, list):
        return [legacy(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("format") == "name":
        return {**schema, "format": NAME_WITH_SPACES["format"]}
    relaxed = {key: legacy(value) for key, value in schema.items()}
    if relaxed.get("additionalProperties") is False and "patternProperties" not in relaxed:
        del relaxed["additionalProperties"]
    return relaxed
