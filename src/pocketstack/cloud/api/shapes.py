"""Small builders for JSON Schema and OpenAPI 3.1 fragments, so that each service's declarations
read like a table."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

STR: JSON = {"type": "string"}
NSTR: JSON = {"type": ["string", "null"]}
INT: JSON = {"type": "integer"}
BOOL: JSON = {"type": "boolean"}
ANY: JSON = {}


def ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(
    props: dict[str, JSON], *, required: tuple[str, ...] | None = None, closed: bool = False
) -> JSON:
    """An object; every listed property is required unless `required` names a subset.

    `closed` forbids other properties: used where upstream's validators (tempest) do too.
    """
    schema: JSON = {
        "type": "object",
        "properties": props,
        "required": list(props if required is None else required),
    }
    if closed:
        schema["additionalProperties"] = False
    return schema


def arr(items: JSON) -> JSON:
    return {"type": "array", "items": items}


def nullable(schema: JSON) -> JSON:
    return {"anyOf": [schema, {"type": "null"}]}


def json_body(schema: JSON, description: str = "") -> JSON:
    return {
        "description": description or "JSON",
        "content": {"application/json": {"schema": schema}},
    }


def no_body(description: str) -> JSON:
    return {"description": description}


def path_param(name: str, schema: JSON | None = None) -> JSON:
    return {"name": name, "in": "path", "required": True, "schema": schema or STR}


def query(name: str, schema: JSON | None = None, description: str = "") -> JSON:
    param: JSON = {"name": name, "in": "query", "required": False, "schema": schema or STR}
    if description:
        param["description"] = description
    return param


def header(name: str, *, required: bool = False, description: str = "") -> JSON:
    param: JSON = {"name": name, "in": "header", "required": required, "schema": STR}
    if description:
        param["description"] = description
    return param


# Bodies more than one service answers with: the token middleware's 401.
COMMON_SCHEMAS: dict[str, JSON] = {
    "AuthError": obj({"error": obj({"code": {"const": 401}, "title": STR, "message": STR})}),
}
