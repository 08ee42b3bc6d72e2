"""The service catalog, read in one query (and narrowed to a project's endpoints where
OS-EP-FILTER limits it) and shaped for v3 `catalog` or v2.0 `serviceCatalog`."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from pocketstack.cloud.identity.endpoint_groups import project_endpoint_ids
from pocketstack.cloud.store.models.identity import Endpoint, Service

# Keystone substitutes these in endpoint URLs, e.g. a legacy `.../v2/$(project_id)s` compute URL.
_SUBSTITUTION = re.compile(r"[$%]\((tenant_id|project_id|user_id)\)s")


@dataclasses.dataclass(frozen=True, kw_only=True)
class CatalogEndpoint:
    id: str
    interface: str
    region_id: str | None
    url: str


@dataclasses.dataclass(kw_only=True)
class CatalogService:
    id: str
    type: str
    name: str
    endpoints: list[CatalogEndpoint]


def _format_url(url: str, values: dict[str, str | None]) -> str | None:
    """The URL with its placeholders filled, or None when it needs a project the token lacks."""
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        value = values.get(match.group(1))
        if value is None:
            missing = True
            return ""
        return value

    formatted = _SUBSTITUTION.sub(fill, url)
    return None if missing else formatted


_CATALOG = (
    select(
        Service.id,
        Service.type,
        Service.name,
        Endpoint.id,
        Endpoint.interface,
        Endpoint.region_id,
        Endpoint.url,
    )
    .join(Endpoint, Endpoint.service_id == Service.id)
    .where(Service.enabled.is_(True), Endpoint.enabled.is_(True))
    .order_by(Service.type, Service.id, Endpoint.interface, Endpoint.id)
)


def load_catalog(
    session: Session | Connection, *, user_id: str, project_id: str | None
) -> list[CatalogService]:
    rows = session.execute(_CATALOG).all()
    # A project limited to some endpoints (OS-EP-FILTER) sees only those; one with no
    # association sees the whole catalog (Keystone's return_all_endpoints_if_no_filter).
    allowed = project_endpoint_ids(session, project_id) if project_id else set()
    values = {"tenant_id": project_id, "project_id": project_id, "user_id": user_id}
    services: dict[str, CatalogService] = {}
    for sid, stype, sname, eid, interface, region_id, url in rows:
        if allowed and eid not in allowed:
            continue
        formatted = _format_url(url, values)
        if formatted is None:
            continue
        service = services.get(sid)
        if service is None:
            service = services[sid] = CatalogService(
                id=sid, type=stype, name=sname or "", endpoints=[]
            )
        service.endpoints.append(
            CatalogEndpoint(id=eid, interface=interface, region_id=region_id, url=formatted)
        )
    return list(services.values())


def render_v3(catalog: list[CatalogService]) -> list[dict[str, Any]]:
    return [
        {
            "endpoints": [
                {
                    "id": ep.id,
                    "interface": ep.interface,
                    "region": ep.region_id,
                    "region_id": ep.region_id,
                    "url": ep.url,
                }
                for ep in service.endpoints
            ],
            "id": service.id,
            "type": service.type,
            "name": service.name,
        }
        for service in catalog
    ]


def render_v2(catalog: list[CatalogService]) -> list[dict[str, Any]]:
    """One entry per service type, one endpoint per region with publicURL/internalURL/adminURL."""
    by_type: dict[str, dict[str, Any]] = {}
    for service in catalog:
        entry = by_type.setdefault(
            service.type,
            {"name": service.name, "type": service.type, "endpoints_links": [], "endpoints": []},
        )
        per_region: dict[str | None, dict[str, Any]] = {
            ep["region"]: ep for ep in entry["endpoints"]
        }
        for ep in service.endpoints:
            if ep.interface not in ("public", "internal", "admin"):
                continue
            item = per_region.get(ep.region_id)
            if item is None:
                item = {"id": ep.id, "region": ep.region_id, "publicURL": ""}
                per_region[ep.region_id] = item
                entry["endpoints"].append(item)
            item[f"{ep.interface}URL"] = ep.url
    return list(by_type.values())
