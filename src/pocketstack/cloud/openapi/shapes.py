"""Small builders for OpenAPI 3.1 fragments, so each service's description reads like a table."""

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


def operation(
    summary: str,
    *,
    tag: str,
    responses: dict[int, JSON],
    parameters: list[JSON] | None = None,
    body: JSON | None = None,
    public: bool = False,
) -> JSON:
    op: JSON = {
        "summary": summary,
        "tags": [tag],
        "responses": {str(code): response for code, response in sorted(responses.items())},
    }
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    op["security"] = [] if public else [{"token": []}]
    return op
