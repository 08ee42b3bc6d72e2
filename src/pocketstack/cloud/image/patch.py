"""`PATCH /v2/images/{id}`: Glance's JSON-patch forms read, checked and applied to an image.

Two media types, as Glance takes them: `application/openstack-images-v2.1-json-patch`
(`{"op": "replace", "path": "/name", "value": ...}`, add sets a property whether or not it
exists) and the older `...-v2.0-json-patch` (`{"replace": "/name", "value": ...}`, add of a
property the image has is a conflict). Every change is checked before any is applied; an image
either takes the whole patch or none of it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import jsonschema

from pocketstack.cloud.api.requests import error_message
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import BadRequest, CloudError, Conflict, Forbidden, PayloadTooLarge
from pocketstack.cloud.image.requests import MAX_PROPERTIES, MAX_TAGS, is_free_property
from pocketstack.cloud.image.schema import IMAGE_CREATE
from pocketstack.cloud.inputs import TEXT_BYTES
from pocketstack.cloud.store.models.image import Image

V21 = "application/openstack-images-v2.1-json-patch"
V20 = "application/openstack-images-v2.0-json-patch"
MEDIA_TYPES = (V20, V21)
_OPS = ("add", "remove", "replace")
# Glance's read-only attributes in a patch; `owner` is writable, by an admin only.
READ_ONLY = frozenset({"created_at", "updated_at", "status", "checksum", "size", "virtual_size",
                       "direct_url", "self", "file", "schema", "id", "os_hash_algo",
                       "os_hash_value", "stores"})  # fmt: skip
_RESERVED = ("location", "deleted", "deleted_at")
# The image's own attributes (columns), as opposed to its free-form properties.
CORE = ("name", "visibility", "protected", "os_hidden", "container_format", "disk_format",
        "min_disk", "min_ram", "tags", "owner")  # fmt: skip
_VALIDATOR = jsonschema.Draft4Validator(IMAGE_CREATE)


class UnsupportedMediaType(CloudError):
    status = 415


@dataclasses.dataclass(frozen=True)
class Change:
    op: str
    name: str
    value: Any = None


def media_type(content_type: str | None) -> str:
    """The patch's media type; Glance's 415 for any other."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"Image PATCH expects Content-Type one of: {', '.join(sorted(MEDIA_TYPES))}"
        )
    return kind


def _pointer(pointer: Any) -> list[str]:
    if not isinstance(pointer, str) or not pointer.startswith("/"):
        raise BadRequest(f'Pointer `{pointer}` does not start with "/".')
    if re.search(r"/\s*?/", pointer[1:]):
        raise BadRequest(f'Pointer `{pointer}` contains adjacent "/".')
    if len(pointer) > 1 and pointer.endswith("/"):
        raise BadRequest(f'Pointer `{pointer}` end with "/".')
    if re.search("~[^01]", pointer) or pointer.endswith("~"):
        raise BadRequest(
            f'Pointer `{pointer}` contains "~" not part of a recognized escape sequence.'
        )
    return [p.replace("~1", "/").replace("~0", "~").strip() for p in pointer[1:].split("/")]


def _operation(raw: dict[str, Any], kind: str) -> tuple[str, Any]:
    if kind == V21:
        op = raw.get("op")
        if op is None:
            raise BadRequest("Unable to find `op` in JSON Schema change. It must be one of the"
                             f" following: {', '.join(_OPS)}.")  # fmt: skip
        if op not in _OPS:
            raise BadRequest(f"Invalid operation: `{op}`. It must be one of the following:"
                             f" {', '.join(_OPS)}.")  # fmt: skip
        if "path" not in raw:
            raise BadRequest("Unable to find 'path' in JSON Schema change")
        return op, raw["path"]
    named = [op for op in _OPS if op in raw]
    if len(named) != 1:
        which = "exactly" if not named else "only"
        raise BadRequest(f"Operation objects must contain {which} one member named \"add\","
                         ' "remove", or "replace".')  # fmt: skip
    return named[0], raw[named[0]]


def _checked(change: Change) -> None:
    name = change.name
    if name in READ_ONLY:
        raise Forbidden(f"Attribute '{name}' is read-only.")
    if name in _RESERVED or name.startswith("os_glance"):
        raise Forbidden(f"Attribute '{name}' is reserved.")
    if name == "locations":
        raise Forbidden(f"It's not allowed to {change.op} locations if locations are invisible.")
    if change.op == "remove":
        return
    if len(name) > 255:
        raise BadRequest("Custom property should not be greater than 255 characters.")
    error = jsonschema.exceptions.best_match(_VALIDATOR.iter_errors({name: change.value}))
    if error is not None:
        raise BadRequest(f"Provided object does not match schema 'image': {error_message(error)}")


def parse(body: Any, kind: str) -> list[Change]:
    """The changes of a patch document, each checked as Glance's deserializer checks it."""
    if not isinstance(body, list):
        raise BadRequest("Request body must be a JSON array of operation objects.")
    changes = []
    for raw in body:
        if not isinstance(raw, dict):
            raise BadRequest("Operations must be JSON objects.")
        op, pointer = _operation(raw, kind)
        path = _pointer(pointer)
        if len(path) != 1:
            raise BadRequest(f"Invalid JSON pointer for this resource: '/{'/'.join(path)}'")
        if op != "remove" and "value" not in raw:
            raise BadRequest(f'Operation "{op}" requires a member named "value".')
        change = Change(op=op, name=path[0], value=raw.get("value"))
        _checked(change)
        changes.append(change)
    return changes


def _set_core(image: Image, ctx: RequestContext, name: str, value: Any) -> None:
    if name == "owner" and not ctx.is_admin:
        raise Forbidden("Owner can't be updated by non admin.")
    if name == "visibility" and value == "public" and not ctx.is_admin:
        raise Forbidden("You are not authorized to complete publicize_image action.")
    if name in ("min_disk", "min_ram") and value < 0:
        raise BadRequest(
            f"Invalid value '{value}' for parameter '{name}': Cannot be a negative value"
        )
    queued = image.status == "queued"
    if name in ("container_format", "disk_format") and not queued and getattr(image, name) != value:
        raise Forbidden(f"Attribute {name} can be only replaced for a queued image.")
    if name == "tags":
        tags = list(dict.fromkeys(value))
        if len(tags) > MAX_TAGS:
            raise PayloadTooLarge(
                "The limit has been exceeded on the number of allowed image tags. Attempted:"
                f" {len(tags)}, Maximum: {MAX_TAGS}"
            )
        image.tags = _stored(tags, "tags")
        return
    setattr(image, name, int(value) if name in ("min_disk", "min_ram") else value)


def _stored(value: Any, what: str) -> str:
    text = json.dumps(value, ensure_ascii=False)
    if len(text.encode("utf-8")) > TEXT_BYTES:
        raise BadRequest(f"Provided object does not match schema 'image': the {what} are too"
                         f" long to store ({TEXT_BYTES} bytes at most)")  # fmt: skip
    return text


def apply(image: Image, changes: list[Change], ctx: RequestContext, kind: str) -> None:
    """Applies `changes` to `image` in order, with Glance's refusals; raises before the row is
    written if any is refused (the caller's transaction is rolled back)."""
    properties: dict[str, Any] = json.loads(image.properties)
    for change in changes:
        name = change.name
        core = name in CORE
        if change.op == "remove":
            if core:
                raise Forbidden(f"Property {name} may not be removed.")
            if name not in properties:
                raise Conflict(f"Property {name} does not exist.")
            del properties[name]
            continue
        exists = core or name in properties
        if change.op == "add" and kind == V20 and exists:
            raise Conflict(f"Property {name} already present.")
        if change.op == "replace" and not exists:
            raise Conflict(f"Property {name} does not exist.")
        if core:
            _set_core(image, ctx, name, change.value)
        elif is_free_property(name):
            properties[name] = change.value
    if len(properties) > MAX_PROPERTIES:
        raise PayloadTooLarge(
            "The limit has been exceeded on the number of allowed image properties. Attempted:"
            f" {len(properties)}, Maximum: {MAX_PROPERTIES}"
        )
    image.properties = _stored(properties, "properties")
