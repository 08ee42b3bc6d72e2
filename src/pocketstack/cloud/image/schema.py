"""A POST /v2/images body, checked as Glance checks it (its image schema, then its domain rules).

Glance's schema (glance/api/v2/images.py) types every core attribute strictly: `protected` is a
JSON boolean (the string "false" is refused, not read as true), `min_disk` an integer, the
formats one of a list; other keys are free-form string properties. Beyond it, what the database
holds bounds what is stored: 32-bit integers, and TEXT columns for the tags and properties.
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from typing import Any

from pocketstack.cloud.errors import BadRequest, Forbidden, PayloadTooLarge
from pocketstack.cloud.inputs import MAX_INT, TEXT_BYTES, find_unstorable, shown

VISIBILITIES = ("public", "private", "shared", "community")
# Glance's defaults for [image_format] container_formats and disk_formats.
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
# Glance's image_tag_quota and image_property_quota defaults.
MAX_TAGS = 128
MAX_PROPERTIES = 128
CORE = frozenset({"name", "id", "visibility", "container_format", "disk_format", "min_disk",
                  "min_ram", "protected", "tags", "os_hidden"})  # fmt: skip
READ_ONLY = frozenset({"status", "owner", "size", "virtual_size", "checksum", "os_hash_algo",
                       "os_hash_value", "created_at", "updated_at", "self", "file", "schema",
                       "locations", "direct_url", "stores"})  # fmt: skip
_RESERVED = ("location", "deleted", "deleted_at")
_RESERVED_PREFIX = "os_glance"
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclasses.dataclass(frozen=True)
class NewImage:
    id: str
    name: str | None
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


def _mismatch(reason: str) -> BadRequest:
    return BadRequest(f"Provided object does not match schema 'image': {reason}")


def _boolean(body: dict[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise _mismatch(f"{shown(value)} is not of type 'boolean'")
    return value


def _integer(body: dict[str, Any], key: str) -> int:
    value = body.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _mismatch(f"{shown(value)} is not of type 'integer'")
    if value < 0:
        raise BadRequest(
            f"Invalid value '{value}' for parameter '{key}': Cannot be a negative value"
        )
    if value > MAX_INT:
        raise _mismatch(f"{value} is greater than the maximum of {MAX_INT}")
    return value


def _one_of(body: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str | None:
    value = body.get(key)
    if value is not None and (not isinstance(value, str) or value not in allowed):
        choices = ", ".join(repr(v) for v in (None, *allowed))
        raise _mismatch(f"{shown(value)} is not one of [{choices}]")
    return value


def _image_id(body: dict[str, Any]) -> str:
    if "id" not in body:
        return str(uuid.uuid4())
    value = body["id"]
    if not isinstance(value, str):
        raise _mismatch(f"{shown(value)} is not of type 'string'")
    if not _UUID.fullmatch(value):
        raise _mismatch(f"{shown(value)} does not match the pattern of a UUID")
    return str(uuid.UUID(value))


def _stored_json(value: Any, what: str) -> str:
    text = json.dumps(value, ensure_ascii=False)
    if len(text.encode("utf-8")) > TEXT_BYTES:
        raise _mismatch(f"the {what} are too long to store ({TEXT_BYTES} bytes at most)")
    return text


def _tags(body: dict[str, Any]) -> str:
    tags = body.get("tags", [])
    if not isinstance(tags, list):
        raise _mismatch(f"{shown(tags)} is not of type 'array'")
    for tag in tags:
        if not isinstance(tag, str):
            raise _mismatch(f"{shown(tag)} is not of type 'string'")
        if len(tag) > 255:
            raise _mismatch(f"{shown(tag)} is too long")
    if len(tags) > MAX_TAGS:
        raise PayloadTooLarge(
            "The limit has been exceeded on the number of allowed image tags. Attempted:"
            f" {len(tags)}, Maximum: {MAX_TAGS}"
        )
    return _stored_json(tags, "tags")


def _properties(body: dict[str, Any]) -> str:
    properties = {k: v for k, v in body.items() if k not in CORE}
    for key, value in properties.items():
        if not isinstance(value, str):
            raise _mismatch(f"{shown(value)} is not of type 'string'")
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


def parse_create(body: Any) -> NewImage:
    """The image to store; Glance's 400 (403 for read-only or reserved keys, 413 over a quota)."""
    if not isinstance(body, dict):
        raise BadRequest("Body expected in request.")
    for key in body:
        if key in READ_ONLY:
            raise Forbidden(f"Attribute '{key}' is read-only.")
    bad = find_unstorable(body)
    if bad is not None:
        raise _mismatch(f"{shown(bad.value)} {bad.reason}")
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise _mismatch(f"{shown(name)} is not of type 'null', 'string'")
    if name is not None and len(name) > 255:
        raise _mismatch(f"{shown(name)} is too long")
    visibility = body.get("visibility", "shared")
    if not isinstance(visibility, str) or visibility not in VISIBILITIES:
        quoted = visibility if isinstance(visibility, str) else shown(visibility)
        raise BadRequest(f"Invalid visibility value: {quoted[:80]}")
    return NewImage(
        id=_image_id(body),
        name=name,
        visibility=visibility,
        protected=_boolean(body, "protected"),
        os_hidden=_boolean(body, "os_hidden"),
        container_format=_one_of(body, "container_format", CONTAINER_FORMATS),
        disk_format=_one_of(body, "disk_format", DISK_FORMATS),
        min_disk=_integer(body, "min_disk"),
        min_ram=_integer(body, "min_ram"),
        tags=_tags(body),
        properties=_properties(body),
    )
