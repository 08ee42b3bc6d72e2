"""Update bodies of regions, services, endpoints and roles: Keystone's schemas
(keystone/catalog/schema.py, keystone/assignment/schema.py) and the typed updates they become.

Each entity stays open, as Keystone keeps attributes it does not know (here they are ignored),
and an update must name at least one attribute (Keystone's minProperties). An attribute left out
is left as it is: the typed updates say which attributes the body named.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion
from pocketstack.cloud.identity.errors import SchemaError
from pocketstack.cloud.identity.request_schemas import (
    BOOLEAN,
    INTERFACES,
    NAME,
    NULLABLE_STRING,
    STRING,
    envelope,
)
from pocketstack.cloud.identity.requests import EndpointCreate
from pocketstack.cloud.identity.requests import parse_endpoint_create as _endpoint_create
from pocketstack.cloud.inputs import TEXT_BYTES, shown, too_big_for_text

# Bounded by the columns that hold them (Keystone's schema sets no bound).
_REGION_ID: JSON = {"type": ["string", "null"], "maxLength": 255}
_URL: JSON = {"type": "string", "minLength": 0, "maxLength": 225,
              "pattern": "^[a-zA-Z0-9+.-]+:.+"}  # fmt: skip
# The one role option Keystone registers (accepted, not kept, as on create).
_ROLE_OPTIONS: JSON = {
    "type": "object",
    "properties": {"immutable": {"type": ["boolean", "null"]}},
    "additionalProperties": False,
}


def _update(key: str, properties: JSON) -> JSON:
    return envelope(key, {"type": "object", "properties": properties, "minProperties": 1,
                          "additionalProperties": True})  # fmt: skip


REGION_UPDATE = _update("region", {"id": STRING, "description": NULLABLE_STRING,
                                   "parent_region_id": _REGION_ID})  # fmt: skip
SERVICE_UPDATE = _update("service", {
    "type": {"type": "string", "minLength": 1, "maxLength": 255},
    "name": {"type": "string", "minLength": 1, "maxLength": 255},
    "enabled": BOOLEAN, "description": NULLABLE_STRING})  # fmt: skip
ENDPOINT_UPDATE = _update("endpoint", {
    "enabled": BOOLEAN, "interface": {"type": "string", "enum": list(INTERFACES)},
    "region_id": _REGION_ID, "region": _REGION_ID, "service_id": STRING, "url": _URL,
    "description": NULLABLE_STRING})  # fmt: skip
ROLE_UPDATE = _update("role", {"name": NAME, "description": NULLABLE_STRING,
                               "options": _ROLE_OPTIONS})  # fmt: skip


def _text(entity: dict[str, Any], key: str) -> str | None:
    value: str | None = entity.get(key)
    if value is not None and too_big_for_text(value):
        detail = f"{shown(value)} is too long (at most {TEXT_BYTES} bytes)"
        raise SchemaError(path=key, detail=detail)
    return value


@dataclasses.dataclass(frozen=True, kw_only=True)
class RegionUpdate:
    """None leaves the description as it is."""

    # An id in the body must be the region's own (Keystone's "Cannot change ID").
    id: str | None
    description: str | None
    # parent_given with a None parent: the region becomes a root.
    parent_given: bool
    parent_region_id: str | None


def parse_region_update(body: Any, version: Microversion | None) -> RegionUpdate:
    region: dict[str, Any] = body["region"]
    description = _text(region, "description")
    return RegionUpdate(
        id=region.get("id"),
        # A null description clears it (Keystone's column holds no null).
        description="" if "description" in region and description is None else description,
        parent_given="parent_region_id" in region,
        parent_region_id=region.get("parent_region_id"),
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ServiceUpdate:
    """None leaves an attribute as it is."""

    # Any id but the service's own is Keystone's "Cannot change ID".
    id: object
    type: str | None
    name: str | None
    description: str | None
    enabled: bool | None


def parse_service_update(body: Any, version: Microversion | None) -> ServiceUpdate:
    service: dict[str, Any] = body["service"]
    description = _text(service, "description")
    return ServiceUpdate(
        id=service.get("id"),
        type=service.get("type"),
        name=service.get("name"),
        # A null description clears it.
        description="" if "description" in service and description is None else description,
        enabled=service.get("enabled"),
    )


def _legacy_region(endpoint: dict[str, Any]) -> bool:
    """Keystone's backward compatibility: a region named by the legacy `region` alone (no
    region_id) is made if it does not exist, where an unknown region_id is refused."""
    return endpoint.get("region_id") is None and endpoint.get("region") is not None


@dataclasses.dataclass(frozen=True, kw_only=True)
class EndpointCreateRequest(EndpointCreate):
    # The region is named by the legacy `region`: made if missing.
    legacy_region: bool


def parse_endpoint_create(body: Any, version: Microversion | None) -> EndpointCreateRequest:
    new = _endpoint_create(body, version)
    return EndpointCreateRequest(
        service_id=new.service_id,
        interface=new.interface,
        url=new.url,
        region_id=new.region_id,
        enabled=new.enabled,
        legacy_region=_legacy_region(body["endpoint"]),
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class EndpointUpdate:
    """None leaves an attribute as it is; region_given with a None region clears it."""

    id: object
    interface: str | None
    url: str | None
    service_id: str | None
    region_given: bool
    region_id: str | None
    legacy_region: bool
    enabled: bool | None


def parse_endpoint_update(body: Any, version: Microversion | None) -> EndpointUpdate:
    endpoint: dict[str, Any] = body["endpoint"]
    legacy = _legacy_region(endpoint)
    return EndpointUpdate(
        id=endpoint.get("id"),
        interface=endpoint.get("interface"),
        url=endpoint.get("url"),
        service_id=endpoint.get("service_id"),
        region_given=legacy or "region_id" in endpoint,
        region_id=endpoint["region"] if legacy else endpoint.get("region_id"),
        legacy_region=legacy,
        enabled=endpoint.get("enabled"),
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class RoleUpdate:
    id: object
    # None leaves the name as it is.
    name: str | None
    description_given: bool
    description: str | None
    # A domain_id in the body: roles here are global, so only a null one is the role's own.
    domain_given: bool
    domain_id: object


def parse_role_update(body: Any, version: Microversion | None) -> RoleUpdate:
    role: dict[str, Any] = body["role"]
    return RoleUpdate(
        id=role.get("id"),
        name=role.get("name"),
        description_given="description" in role,
        description=_text(role, "description"),
        domain_given="domain_id" in role,
        domain_id=role.get("domain_id"),
    )
