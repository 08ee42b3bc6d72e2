"""A `POST /v2/images` body: read and checked as Glance reads it (its deserializer, then its
image schema, schema.py), and handed to the responder as an `ImageCreate`.

What Glance checks in code after its schema is checked here in its words: read-only and
reserved attributes (403), a negative size, a property name over 255 characters, the tag and
property quotas (413). What our store bounds besides: tags and properties are kept as JSON in a
TEXT column (65,535 bytes on MariaDB).
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

import falcon
import jsonschema

from pocketstack.cloud.api.operation import Microversion
from pocketstack.cloud.api.requests import ReadBody, error_message
from pocketstack.cloud.errors import BadRequest, Forbidden, PayloadTooLarge
from pocketstack.cloud.inputs import TEXT_BYTES, find_unstorable, shown
from pocketstack.cloud.requestbody import read_body

# Glance's image_tag_quota and image_property_quota defaults.
MAX_TAGS = 128
MAX_PROPERTIES = 128
# The owner is one of them: the caller's project unless named (by an admin, see images.py).
CORE = frozenset({"name", "id", "visibility", "container_format", "disk_format", "min_disk",
                  "min_ram", "protected", "tags", "os_hidden", "owner"})  # fmt: skip
READ_ONLY = frozenset({"status", "size", "virtual_size", "checksum", "os_hash_algo",
                       "os_hash_value", "created_at", "updated_at", "self", "file", "schema",
                       "locations", "direct_url", "stores"})  # fmt: skip
_RESERVED = ("location", "deleted", "deleted_at")
_RESERVED_PREFIX = "os_glance"


def is_free_property(key: str) -> bool:
    """Whether `key` may be set as an image's custom property: not a core attribute, not one
    Glance keeps read-only, not reserved."""
    return not (
        key in CORE or key in READ_ONLY or key in _RESERVED or key.startswith(_RESERVED_PREFIX)
    )


def _mismatch(reason: str) -> BadRequest:
    return BadRequest(f"Provided object does not match schema 'image': {reason}")


def schema_error(error: jsonschema.ValidationError) -> BadRequest:
    """Glance's 400 for a body its image schema refuses."""
    return _mismatch(error_message(error))


def json_reader(limit: int) -> ReadBody:
    """Glance's deserializer: a body is expected, as JSON, an object or a list."""

    def read(req: falcon.Request) -> Any:
        raw = read_body(req, limit=limit, too_large="Request Entity Too Large")
        if not raw:
            raise BadRequest("Body expected in request.")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise BadRequest("Malformed JSON in request body.") from None
        if not isinstance(body, dict | list):
            raise BadRequest("Unexpected body type. Expected list/dict.")
        bad = find_unstorable(body)
        if bad is not None:
            # No database stores a NUL or a lone surrogate: refused as the schema would be.
            raise _mismatch(f"{shown(bad.value)} {bad.reason}")
        return body

    return read


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImageCreate:
    id: str
    name: str | None
    # Whether the body names an owner, and which (Glance: an admin may name any project).
    owner_named: bool
    owner: str | None
    visibility: str
    protected: bool
    os_hidden: bool
    container_format: str | None
    disk_format: str | None
    min_disk: int
    min_ram: int
    # JSON texts, as stored.
    tags: str
    properties: str


def _count(body: dict[str, Any], key: str) -> int:
    # JSON Schema takes 2.0 for an integer; the column takes 2.
    value = int(body.get(key, 0))
    if value < 0:
        raise BadRequest(
            f"Invalid value '{value}' for parameter '{key}': Cannot be a negative value"
        )
    return value


def _stored_json(value: Any, what: str) -> str:
    text = json.dumps(value, ensure_ascii=False)
    if len(text.encode("utf-8")) > TEXT_BYTES:
        raise _mismatch(f"the {what} are too long to store ({TEXT_BYTES} bytes at most)")
    return text


def _tags(body: dict[str, Any]) -> str:
    tags: list[str] = body.get("tags", [])
    if len(tags) > MAX_TAGS:
        raise PayloadTooLarge(
            "The limit has been exceeded on the number of allowed image tags. Attempted:"
            f" {len(tags)}, Maximum: {MAX_TAGS}"
        )
    return _stored_json(tags, "tags")


def _properties(body: dict[str, Any]) -> str:
    properties = {k: v for k, v in body.items() if k not in CORE}
    for key in properties:
        if len(key) > 255:
            raise BadRequest("Custom property should not be greater than 255 characters.")
        if key in _RESERVED or key.startswith(_RESERVED_PREFIX):
            raise Forbidden(f"Attribute '{key}' is reserved.")
    if len(properties) > MAX_PROPERTIES:
        raise PayloadTooLarge(
            "The limit has been exceeded on the number of allowed image properties. Attempted:"
            f" {len(properties)}, Maximum: {MAX_PROPERTIES}"
        )
    return _stored_json(properties, "properties")


def parse_image_create(body: Any, version: Microversion | None) -> ImageCreate:
    """The image to store from a body the schema has typed; Glance's 403 for a read-only or
    reserved key, its 413 over a quota."""
    for key in body:
        if key in READ_ONLY:
            raise Forbidden(f"Attribute '{key}' is read-only.")
    image_id = body.get("id")
    return ImageCreate(
        id=str(uuid.UUID(image_id)) if image_id is not None else str(uuid.uuid4()),
        name=body.get("name"),
        owner_named="owner" in body,
        owner=body.get("owner"),
        visibility=body.get("visibility", "shared"),
        protected=body.get("protected", False),
        os_hidden=body.get("os_hidden", False),
        container_format=body.get("container_format"),
        disk_format=body.get("disk_format"),
        min_disk=_count(body, "min_disk"),
        min_ram=_count(body, "min_ram"),
        tags=_tags(body),
        properties=_properties(body),
    )
