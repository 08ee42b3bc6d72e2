"""JSON shapes of the v3 entities, as Keystone renders them (with `links.self`)."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.identity.web import v3_url
from pocketstack.cloud.store.models.identity import (
    Domain,
    Endpoint,
    Project,
    Region,
    Role,
    Service,
    User,
)


def domain(req: falcon.Request, row: Domain) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description or "",
        "enabled": bool(row.enabled),
        "tags": [],
        "options": {},
        "links": {"self": v3_url(req, "domains", row.id)},
    }


def domain_as_project(req: falcon.Request, row: Domain) -> dict[str, Any]:
    """A domain as /v3/projects shows it (Keystone keeps domains as projects acting as such)."""
    return {
        "id": row.id,
        "name": row.name,
        "domain_id": None,
        "description": row.description or "",
        "enabled": bool(row.enabled),
        "parent_id": None,
        "is_domain": True,
        "tags": [],
        "options": {},
        "links": {"self": v3_url(req, "projects", row.id)},
    }


def project(req: falcon.Request, row: Project) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "domain_id": row.domain_id,
        "description": row.description or "",
        "enabled": bool(row.enabled),
        # Keystone reports a top-level project's parent as its domain.
        "parent_id": row.parent_id or row.domain_id,
        "is_domain": False,
        "tags": [],
        "options": {},
        "links": {"self": v3_url(req, "projects", row.id)},
    }


def v2_tenant(row: Project) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description or "",
        "enabled": bool(row.enabled),
    }


def user(req: falcon.Request, row: User) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "domain_id": row.domain_id,
        "enabled": bool(row.enabled),
        "password_expires_at": None,
        "options": {},
        "links": {"self": v3_url(req, "users", row.id)},
    }
    # Optional attributes appear only when set, as Keystone's "extra" attributes do.
    if row.default_project_id is not None:
        body["default_project_id"] = row.default_project_id
    if row.email is not None:
        body["email"] = row.email
    if row.description is not None:
        body["description"] = row.description
    return body


def role(req: falcon.Request, row: Role, domain_id: str | None = None) -> dict[str, Any]:
    """`domain_id`: the domain of a domain-specific role (None: a global one)."""
    return {
        "id": row.id,
        "name": row.name,
        "domain_id": domain_id,
        "description": row.description,
        "options": {},
        "links": {"self": v3_url(req, "roles", row.id)},
    }


def service(req: falcon.Request, row: Service) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": row.type,
        "name": row.name,
        "description": row.description or "",
        "enabled": bool(row.enabled),
        "links": {"self": v3_url(req, "services", row.id)},
    }


def endpoint(req: falcon.Request, row: Endpoint) -> dict[str, Any]:
    return {
        "id": row.id,
        "interface": row.interface,
        "region_id": row.region_id,
        "region": row.region_id,
        "service_id": row.service_id,
        "url": row.url,
        "enabled": bool(row.enabled),
        "links": {"self": v3_url(req, "endpoints", row.id)},
    }


def region(req: falcon.Request, row: Region) -> dict[str, Any]:
    return {
        "id": row.id,
        "description": row.description or "",
        "parent_region_id": row.parent_region_id,
        "links": {"self": v3_url(req, "regions", row.id)},
    }
