"""Token bodies: v3 `{"token": ...}` and v2.0 `{"access": ...}`, from one resolved TokenView."""

from __future__ import annotations

from typing import Any

from pocketstack.cloud.identity import catalog as catalog_mod
from pocketstack.cloud.identity.authn import TokenView
from pocketstack.cloud.identity.web import isotime


def v3_token(view: TokenView) -> dict[str, Any]:
    payload = view.payload
    token: dict[str, Any] = {
        "methods": list(payload.methods),
        "user": {
            "domain": {"id": view.user.domain.id, "name": view.user.domain.name},
            "id": view.user.id,
            "name": view.user.name,
            "password_expires_at": None,
        },
        "audit_ids": list(payload.audit_ids),
        "expires_at": isotime(payload.expires_at),
        "issued_at": isotime(payload.issued_at),
    }
    roles = [{"id": r.id, "name": r.name} for r in view.roles]
    if payload.system:
        token["roles"] = roles
        token["system"] = {"all": True}
    elif view.domain is not None:
        token["domain"] = {"id": view.domain.id, "name": view.domain.name}
        token["roles"] = roles
    elif view.project is not None:
        token["project"] = {
            "domain": {"id": view.project.domain.id, "name": view.project.domain.name},
            "id": view.project.id,
            "name": view.project.name,
        }
        token["is_domain"] = False
        token["roles"] = roles
    if view.catalog is not None:
        token["catalog"] = catalog_mod.render_v3(view.catalog)
    return {"token": token}


def v2_access(view: TokenView) -> dict[str, Any]:
    payload = view.payload
    token: dict[str, Any] = {
        "issued_at": isotime(payload.issued_at),
        "expires": isotime(payload.expires_at),
        "id": view.token_id,
        "audit_ids": list(payload.audit_ids),
    }
    if view.project is not None:
        token["tenant"] = {
            "description": view.project.description,
            "enabled": view.project.enabled,
            "id": view.project.id,
            "name": view.project.name,
        }
    return {
        "access": {
            "token": token,
            "serviceCatalog": catalog_mod.render_v2(view.catalog or []),
            "user": {
                "username": view.user.name,
                "roles_links": [],
                "id": view.user.id,
                "roles": [{"name": r.name} for r in view.roles],
                "name": view.user.name,
            },
            "metadata": {"is_admin": 0, "roles": [r.id for r in view.roles]},
        }
    }
