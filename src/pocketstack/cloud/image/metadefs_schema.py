"""The metadata definitions catalog's JSON schemas, as Glance publishes them under
/v2/schemas/metadefs/ and checks request bodies with (draft 4, no other keys allowed), and the
reading of a body against them in Glance's words."""

from __future__ import annotations

import copy
from typing import Any

import falcon
import jsonschema

from pocketstack.cloud.api.operation import JSON
from pocketstack.cloud.api.requests import error_message
from pocketstack.cloud.errors import BadRequest, Forbidden
from pocketstack.cloud.image.requests import json_reader

NAME_MAX = 80
TYPES = ["array", "boolean", "integer", "number", "object", "string", None]
_STAMP: JSON = {"type": "string", "readOnly": True, "format": "date-time"}
_LINK: JSON = {"type": "string", "readOnly": True}


def _property_fields() -> JSON:
    """The fields of one property definition (a JSON-schema-like description of a key)."""
    natural = {"$ref": "#/definitions/positiveInteger"}
    natural0 = {"$ref": "#/definitions/positiveIntegerDefault0"}
    return {
        "name": {"type": "string", "maxLength": NAME_MAX},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "operators": {"type": "array", "items": {"type": "string"}},
        "type": {"type": "string", "enum": TYPES},
        "required": {"$ref": "#/definitions/stringArray"},
        "minimum": {"type": "number"},
        "maximum": {"type": "number"},
        "maxLength": natural,
        "minLength": natural0,
        "pattern": {"type": "string", "format": "regex"},
        "enum": {"type": "array"},
        "readonly": {"type": "boolean"},
        "default": {},
        "items": {
            "type": "object",
            "properties": {"type": {"type": "string", "enum": TYPES}, "enum": {"type": "array"}},
        },
        "maxItems": natural,
        "minItems": natural0,
        "uniqueItems": {"type": "boolean", "default": False},
        "additionalItems": {"type": "boolean"},
    }


def _definitions(*, strings_min: int | None = None) -> JSON:
    strings: JSON = {"type": "array", "items": {"type": "string"}, "uniqueItems": True}
    if strings_min is not None:
        strings["minItems"] = strings_min
    return {
        "positiveInteger": {"type": "integer", "minimum": 0},
        "positiveIntegerDefault0": {
            "allOf": [{"$ref": "#/definitions/positiveInteger"}, {"default": 0}]
        },
        "stringArray": strings,
        "property": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["title", "type"],
                "properties": _property_fields(),
            },
        },
    }


def _named(name: str, properties: JSON, required: list[str], definitions: JSON | None) -> JSON:
    raw: JSON = {"name": name, "properties": properties, "additionalProperties": False}
    if definitions:
        raw["definitions"] = definitions
    if required:
        raw["required"] = required
    return raw


def _association_fields() -> JSON:
    return {
        "name": {"type": "string", "maxLength": NAME_MAX},
        "prefix": {"type": "string", "maxLength": NAME_MAX},
        "properties_target": {"type": "string", "maxLength": NAME_MAX},
        "created_at": _STAMP,
        "updated_at": _STAMP,
    }


def _list_of(fields: JSON) -> JSON:
    """A list of objects with `fields`, none required: how the namespace's schema describes
    what a namespace holds, looser than each item's own schema."""
    return {"type": "array", "items": {"type": "object", "properties": fields}}


def _namespace_fields() -> JSON:
    return {
        "namespace": {"type": "string", "maxLength": NAME_MAX},
        "display_name": {"type": "string", "maxLength": NAME_MAX},
        "description": {"type": "string", "maxLength": 500},
        "visibility": {"type": "string", "enum": ["public", "private"]},
        "protected": {"type": "boolean"},
        "owner": {"type": "string", "maxLength": 255},
        "created_at": _STAMP,
        "updated_at": _STAMP,
        "schema": _LINK,
        "self": _LINK,
        "resource_type_associations": _list_of(
            {
                "name": {"type": "string"},
                "prefix": {"type": "string"},
                "properties_target": {"type": "string"},
            }
        ),
        "properties": {"$ref": "#/definitions/property"},
        "objects": _list_of(
            {
                "name": {"type": "string"},
                "description": {"type": "string"},
                "required": {"$ref": "#/definitions/stringArray"},
                "properties": {"$ref": "#/definitions/property"},
            }
        ),
        "tags": _list_of({"name": {"type": "string"}}),
    }


def _object_fields() -> JSON:
    return {
        "name": {"type": "string", "maxLength": NAME_MAX},
        "description": {"type": "string"},
        "required": {"$ref": "#/definitions/stringArray"},
        "properties": {"$ref": "#/definitions/property"},
        "schema": _LINK,
        "self": _LINK,
        "created_at": _STAMP,
        "updated_at": _STAMP,
    }


NAMESPACE = _named("namespace", _namespace_fields(), ["namespace"], _definitions())
OBJECT = _named("object", _object_fields(), ["name"], _definitions())
_PROPERTY_DEFS = {k: v for k, v in _definitions(strings_min=1).items() if k != "property"}
PROPERTY = _named("property", _property_fields(), ["type", "title", "name"], _PROPERTY_DEFS)
# A property inside a namespace's or object's `properties`, where its name is the key.
PROPERTY_UNNAMED = _named("property", _property_fields(), ["type", "title"], _PROPERTY_DEFS)
TAG = _named(
    "tag",
    {"name": {"type": "string", "maxLength": NAME_MAX}, "created_at": _STAMP,
     "updated_at": _STAMP},
    ["name"],
    None,
)  # fmt: skip
TAGS = _named(
    "tags",
    {"tags": {"type": "array", "items": {"type": "object",
              "properties": {"name": {"type": "string"}}, "required": ["name"],
              "additionalProperties": False}}},
    [],
    None,
)  # fmt: skip
ASSOCIATION = _named("resource_type_association", _association_fields(), ["name"], None)


def _collection(name: str, item: JSON, *, keyed: bool = False) -> JSON:
    item = copy.deepcopy(item)
    definitions = item.pop("definitions", None)
    if keyed:
        item["required"] = [r for r in item.get("required", []) if r != "name"]
        listing: JSON = {"type": "object", "additionalProperties": item}
    else:
        listing = {"type": "array", "items": item}
    raw: JSON = {
        "name": name,
        "properties": {
            name: listing,
            "first": {"type": "string"},
            "next": {"type": "string"},
            "schema": {"type": "string"},
        },
        "links": [
            {"rel": "first", "href": "{first}"},
            {"rel": "next", "href": "{next}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }
    if definitions:
        raw["definitions"] = definitions
    return raw


# GET /v2/schemas/metadefs/<name>: what Glance answers there.
PUBLISHED: dict[str, JSON] = {
    "namespace": NAMESPACE,
    "namespaces": _collection("namespaces", NAMESPACE),
    "object": OBJECT,
    "objects": _collection("objects", OBJECT),
    "property": PROPERTY,
    "properties": _collection("properties", PROPERTY, keyed=True),
    "tag": TAG,
    "tags": _collection("tags", TAG),
    "resource_type": ASSOCIATION,
    "resource_types": _collection("resource_type_associations", ASSOCIATION),
}

_VALIDATORS: dict[int, jsonschema.Draft4Validator] = {}


def check(schema: JSON, body: Any) -> None:
    """Refuses `body` as Glance's schema check does (400, naming the schema)."""
    validator = _VALIDATORS.get(id(schema))
    if validator is None:
        validator = jsonschema.Draft4Validator(schema)
        _VALIDATORS[id(schema)] = validator
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is not None:
        raise BadRequest(
            f"Provided object does not match schema '{schema['name']}': {error_message(error)}"
        )


def read(
    req: falcon.Request, limit: int, schema: JSON, read_only: tuple[str, ...]
) -> dict[str, Any]:
    """The request's body: present (400), without the attributes Glance keeps read-only
    (403), valid against `schema` (400)."""
    body = json_reader(limit)(req)
    if isinstance(body, dict):
        for key in read_only:
            if key in body:
                raise Forbidden(f"Attribute '{key}' is read-only.")
    if not isinstance(body, dict):
        # Glance's schemas say nothing of a list, which its models then cannot read.
        raise BadRequest(
            f"Provided object does not match schema '{schema['name']}': the body is not an object"
        )
    check(schema, body)
    return body
