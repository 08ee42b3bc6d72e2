"""The admin API's request bodies as typed values, built from bodies their declared schema
(request_schemas.py) has already validated.

What a schema cannot say is checked here, worded as Keystone words it: a description must fit
a text column (65,535 bytes of UTF-8 on MariaDB), and projects acting as domains are refused.
Lookups (does the domain exist?) and uniqueness stay with the responders and the database.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pocketstack.cloud.api.operation import Microversion
from pocketstack.cloud.identity import user_extras
from pocketstack.cloud.identity.errors import SchemaError
from pocketstack.cloud.inputs import TEXT_BYTES, shown, too_big_for_text


def _text(entity: dict[str, Any], key: str) -> str | None:
    value: str | None = entity.get(key)
    if value is not None and too_big_for_text(value):
        detail = f"{shown(value)} is too long (at most {TEXT_BYTES} bytes)"
        raise SchemaError(path=key, detail=detail)
    return value


@dataclasses.dataclass(frozen=True, kw_only=True)
class UserCreate:
    name: str
    # None: the caller's domain.
    domain_id: str | None
    password: str | None
    enabled: bool
    default_project_id: str | None
    email: str | None
    description: str | None
    # Attributes Keystone keeps as its "extra" (user_extras.py).
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    # The resource options named, a null one to be removed (user_options.py).
    options: dict[str, Any] = dataclasses.field(default_factory=dict)


def parse_user_create(body: Any, version: Microversion | None) -> UserCreate:
    user: dict[str, Any] = body["user"]
    return UserCreate(
        name=user["name"],
        domain_id=user.get("domain_id"),
        password=user.get("password"),
        enabled=user.get("enabled", True),
        default_project_id=user.get("default_project_id"),
        email=user.get("email"),
        description=_text(user, "description"),
        extra=user_extras.of(user),
        options=user.get("options") or {},
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class UserUpdate:
    name: str | None
    enabled: bool | None
    # None: unchanged (a null password changes nothing either).
    password: str | None
    default_project_id: str | None
    email: str | None
    description: str | None
    # The attributes the body names, null or not: null clears the three that may be cleared.
    named: frozenset[str]
    # Attributes Keystone keeps as its "extra" (user_extras.py).
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    options: dict[str, Any] = dataclasses.field(default_factory=dict)

    def sets(self, attribute: str) -> bool:
        return attribute in self.named


def parse_user_update(body: Any, version: Microversion | None) -> UserUpdate:
    user: dict[str, Any] = body["user"]
    return UserUpdate(
        name=user.get("name"),
        enabled=user.get("enabled"),
        password=user.get("password"),
        default_project_id=user.get("default_project_id"),
        email=user.get("email"),
        description=_text(user, "description"),
        named=frozenset(user),
        extra=user_extras.of(user),
        options=user.get("options") or {},
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProjectCreate:
    name: str
    description: str
    enabled: bool
    # None: the parent's domain, else the caller's.
    domain_id: str | None
    # A project or, for a top-level project, its domain (Keystone's own rendering).
    parent_id: str | None
    # A project acting as a domain: a domain, made and shown through /v3/projects.
    is_domain: bool = False


def parse_project_create(body: Any, version: Microversion | None) -> ProjectCreate:
    project: dict[str, Any] = body["project"]
    is_domain = bool(project.get("is_domain"))
    if is_domain and (project.get("parent_id") or project.get("domain_id")):
        # Keystone's domains sit at the root, in no domain.
        raise SchemaError(path="is_domain",
                          detail="a project acting as a domain has no parent and no domain")
    return ProjectCreate(
        is_domain=is_domain,
        name=project["name"],
        description=_text(project, "description") or "",
        enabled=project.get("enabled", True),
        domain_id=project.get("domain_id"),
        parent_id=project.get("parent_id"),
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class EntityUpdate:
    """A project's or a domain's update: None leaves an attribute as it is."""

    name: str | None
    description: str | None
    enabled: bool | None


def _entity_update(entity: dict[str, Any]) -> EntityUpdate:
    return EntityUpdate(
        name=entity.get("name"),
        description=_text(entity, "description"),
        enabled=entity.get("enabled"),
    )


def parse_project_update(body: Any, version: Microversion | None) -> EntityUpdate:
    return _entity_update(body["project"])


def parse_domain_update(body: Any, version: Microversion | None) -> EntityUpdate:
    return _entity_update(body["domain"])


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainCreate:
    name: str
    description: str
    enabled: bool


def parse_domain_create(body: Any, version: Microversion | None) -> DomainCreate:
    domain: dict[str, Any] = body["domain"]
    return DomainCreate(
        name=domain["name"],
        description=_text(domain, "description") or "",
        enabled=domain.get("enabled", True),
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class RoleCreate:
    name: str
    description: str | None
    # A domain-specific role's domain (None: a global role).
    domain_id: str | None = None


def parse_role_create(body: Any, version: Microversion | None) -> RoleCreate:
    role: dict[str, Any] = body["role"]
    return RoleCreate(
        name=role["name"], description=_text(role, "description"), domain_id=role.get("domain_id")
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ServiceCreate:
    type: str
    name: str
    description: str
    enabled: bool


def parse_service_create(body: Any, version: Microversion | None) -> ServiceCreate:
    service: dict[str, Any] = body["service"]
    return ServiceCreate(
        type=service["type"],
        name=service.get("name", ""),
        description=_text(service, "description") or "",
        enabled=service.get("enabled", True),
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class EndpointCreate:
    service_id: str
    interface: str
    url: str
    region_id: str | None
    enabled: bool


def parse_endpoint_create(body: Any, version: Microversion | None) -> EndpointCreate:
    endpoint: dict[str, Any] = body["endpoint"]
    return EndpointCreate(
        service_id=endpoint["service_id"],
        interface=endpoint["interface"],
        url=endpoint["url"],
        # Keystone still takes the legacy `region` where `region_id` is not given.
        region_id=endpoint.get("region_id") or endpoint.get("region"),
        enabled=endpoint.get("enabled", True),
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class RegionCreate:
    # None: the service makes one up.
    id: str | None
    description: str
    parent_region_id: str | None


def parse_region_create(body: Any, version: Microversion | None) -> RegionCreate:
    region: dict[str, Any] = body["region"]
    return RegionCreate(
        id=region.get("id") or None,
        description=_text(region, "description") or "",
        parent_region_id=region.get("parent_region_id"),
    )
