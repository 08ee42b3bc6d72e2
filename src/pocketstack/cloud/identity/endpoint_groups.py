"""Endpoint groups (OS-EP-FILTER): a named filter over the endpoints' attributes, and the
endpoints a project is limited to, directly or through the groups associated with it.

The request bodies follow Keystone's schema (keystone/catalog/schema.py): a filter may name
only `interface`, `service_id` and `region_id`, and must name at least one on create. A
project's endpoints are the union of its direct associations and of every endpoint its groups
match (disabled endpoints too, as Keystone); a token scoped to a project with any of them sees
only those in its catalog (catalog.py), and the whole catalog otherwise.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import falcon
from sqlalchemy import bindparam, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from pocketstack.cloud.api.operation import JSON, Microversion
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.identity.request_schemas import INTERFACES, NAME, NULLABLE_STRING, envelope
from pocketstack.cloud.identity.web import v3_url
from pocketstack.cloud.store.models.identity import Endpoint
from pocketstack.cloud.store.models.identity_catalog import (
    EndpointGroup,
    ProjectEndpoint,
    ProjectEndpointGroup,
)

FILTER_KEYS = ("service_id", "region_id", "interface")
_FILTERS: JSON = {
    "type": "object",
    "properties": {
        "interface": {"type": "string", "enum": list(INTERFACES)},
        "service_id": {"type": "string", "maxLength": 64},
        "region_id": {"type": ["string", "null"], "maxLength": 255},
        "enabled": {"type": "boolean"},
    },
}
_PROPERTIES: JSON = {"name": NAME, "description": NULLABLE_STRING, "filters": _FILTERS}
ENDPOINT_GROUP_CREATE = envelope("endpoint_group", {
    "type": "object", "properties": _PROPERTIES, "required": ["name", "filters"],
    "additionalProperties": False})  # fmt: skip
ENDPOINT_GROUP_UPDATE = envelope("endpoint_group", {
    "type": "object", "properties": _PROPERTIES, "minProperties": 1,
    "additionalProperties": False})  # fmt: skip


def _valid_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """Keystone's _require_valid_filter: the schema admits `enabled`, the API does not."""
    if any(key not in FILTER_KEYS for key in filters):
        raise BadRequest(
            f"Expecting to find {' or '.join(FILTER_KEYS)} in endpoint_group. The server could"
            " not comply with the request since it is either malformed or otherwise incorrect."
            " The client is assumed to be in error."
        )
    return filters


@dataclasses.dataclass(frozen=True, kw_only=True)
class EndpointGroupCreate:
    name: str
    description: str | None
    filters: dict[str, Any]


@dataclasses.dataclass(frozen=True, kw_only=True)
class EndpointGroupUpdate:
    """None leaves an attribute as it is; `description_given` with None clears it."""

    name: str | None
    description_given: bool
    description: str | None
    filters: dict[str, Any] | None


def parse_create(body: Any, version: Microversion | None) -> EndpointGroupCreate:
    group: dict[str, Any] = body["endpoint_group"]
    if not group["filters"]:
        raise BadRequest("filters field is required and cannot be empty")
    return EndpointGroupCreate(name=group["name"], description=group.get("description"),
                               filters=_valid_filters(group["filters"]))  # fmt: skip


def parse_update(body: Any, version: Microversion | None) -> EndpointGroupUpdate:
    group: dict[str, Any] = body["endpoint_group"]
    filters = group.get("filters")
    return EndpointGroupUpdate(
        name=group.get("name"),
        description_given="description" in group,
        description=group.get("description"),
        filters=_valid_filters(filters) if filters is not None else None,
    )


def filters_of(row: EndpointGroup) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(row.filters)
    return loaded


def render(req: falcon.Request, row: EndpointGroup) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "filters": filters_of(row),
        "links": {"self": v3_url(req, "OS-EP-FILTER", "endpoint_groups", row.id)},
    }


def matches(endpoint: object, filters: dict[str, Any]) -> bool:
    """Whether every attribute the filter names has the filter's value on the endpoint."""
    return all(getattr(endpoint, key, None) == value for key, value in filters.items())


# Built once, one round trip: every project-scoped token asks (catalog.py). Each row is an
# endpoint the project is given ("e", its id) or a group it is given ("g", its filters).
_PROJECT_LIMITS = union_all(
    select(literal("e").label("kind"), ProjectEndpoint.endpoint_id.label("value")).where(
        ProjectEndpoint.project_id == bindparam("project_id")
    ),
    select(literal("g"), EndpointGroup.filters)
    .join(ProjectEndpointGroup, ProjectEndpointGroup.endpoint_group_id == EndpointGroup.id)
    .where(ProjectEndpointGroup.project_id == bindparam("project_id")),
)


def project_endpoint_ids(session: Session | Connection, project_id: str) -> set[str]:
    """The endpoints a project is limited to: none means no limit."""
    ids: set[str] = set()
    groups: list[str] = []
    for kind, value in session.execute(_PROJECT_LIMITS, {"project_id": project_id}):
        if kind == "e":
            ids.add(value)
        else:
            groups.append(value)
    if groups:
        endpoints = session.execute(
            select(Endpoint.id, Endpoint.service_id, Endpoint.region_id, Endpoint.interface)
        ).all()
        for raw in groups:
            filters: dict[str, Any] = json.loads(raw)
            ids.update(ep.id for ep in endpoints if matches(ep, filters))
    return ids
