"""/v3/services, /v3/endpoints and /v3/regions: the catalog's admin API."""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.errors import Conflict, Forbidden
from pocketstack.cloud.identity import entities
from pocketstack.cloud.identity.admin.common import (
    entity_body,
    field,
    get_or_404,
    new_id,
    required_str,
)
from pocketstack.cloud.identity.errors import SchemaError, ValidationError
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links, query_bool
from pocketstack.cloud.store.models.identity import Endpoint, Region, Service

INTERFACES = ("public", "internal", "admin")


class Services:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.identity.admin(req, "list_services")
        query = select(Service).order_by(Service.type, Service.name, Service.id)
        for key, column in (("type", Service.type), ("name", Service.name)):
            value = req.get_param(key)
            if value is not None:
                query = query.where(column == value)
        with self.identity.deps.store.session() as session:
            rows = [entities.service(req, row) for row in session.execute(query).scalars()]
        resp.media = {"services": rows, "links": collection_links(req, "services")}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        ident.admin(req, "create_service")
        data = entity_body(ident.body(req), "service")
        row = Service(
            id=new_id(),
            type=required_str(data, "type"),
            name=field(data, "name", str) or "",
            description=field(data, "description", str) or "",
            enabled=field(data, "enabled", bool) is not False,
        )
        with ident.deps.store.session(write=True) as session:
            session.add(row)
            session.flush()
            body = entities.service(req, row)
        resp.status = falcon.HTTP_201
        resp.media = {"service": body}


class ServiceItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, service_id: str) -> None:
        self.identity.admin(req, "get_service")
        with self.identity.deps.store.session() as session:
            row = get_or_404(session, Service, service_id, "service")
            resp.media = {"service": entities.service(req, row)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, service_id: str) -> None:
        self.identity.admin(req, "delete_service")
        with self.identity.deps.store.session(write=True) as session:
            session.delete(get_or_404(session, Service, service_id, "service"))
        resp.status = falcon.HTTP_204


def _interface(data: dict[str, Any]) -> str:
    interface = required_str(data, "interface")
    if interface not in INTERFACES:
        raise SchemaError(
            path="interface", detail=f"'{interface}' does not match '^(?:admin|internal|public)$'"
        )
    return interface


def _region(session: Session, data: dict[str, Any]) -> str | None:
    # Keystone still accepts the legacy `region` beside `region_id`.
    region_id = field(data, "region_id", str) or field(data, "region", str)
    if region_id is not None:
        get_or_404(session, Region, region_id, "region")
    return region_id


class Endpoints:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.identity.admin(req, "list_endpoints")
        query = select(Endpoint).order_by(Endpoint.service_id, Endpoint.interface, Endpoint.id)
        for key, column in (
            ("service_id", Endpoint.service_id),
            ("interface", Endpoint.interface),
            ("region_id", Endpoint.region_id),
        ):
            value = req.get_param(key)
            if value is not None:
                query = query.where(column == value)
        enabled = query_bool(req, "enabled")
        if enabled is not None:
            query = query.where(Endpoint.enabled.is_(enabled))
        with self.identity.deps.store.session() as session:
            rows = [entities.endpoint(req, row) for row in session.execute(query).scalars()]
        resp.media = {"endpoints": rows, "links": collection_links(req, "endpoints")}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        ident.admin(req, "create_endpoint")
        data = entity_body(ident.body(req), "endpoint")
        service_id = required_str(data, "service_id")
        interface = _interface(data)
        url = required_str(data, "url")
        if not url.startswith(("http://", "https://")):
            raise ValidationError(attribute="a valid URL", target="endpoint")
        enabled = field(data, "enabled", bool)
        with ident.deps.store.session(write=True) as session:
            get_or_404(session, Service, service_id, "service")
            row = Endpoint(
                id=new_id(),
                service_id=service_id,
                interface=interface,
                region_id=_region(session, data),
                url=url,
                enabled=enabled is not False,
            )
            session.add(row)
            session.flush()
            body = entities.endpoint(req, row)
        resp.status = falcon.HTTP_201
        resp.media = {"endpoint": body}


class EndpointItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, endpoint_id: str) -> None:
        self.identity.admin(req, "get_endpoint")
        with self.identity.deps.store.session() as session:
            row = get_or_404(session, Endpoint, endpoint_id, "endpoint")
            resp.media = {"endpoint": entities.endpoint(req, row)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, endpoint_id: str) -> None:
        self.identity.admin(req, "delete_endpoint")
        with self.identity.deps.store.session(write=True) as session:
            session.delete(get_or_404(session, Endpoint, endpoint_id, "endpoint"))
        resp.status = falcon.HTTP_204


class Regions:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.identity.admin(req, "list_regions")
        query = select(Region).order_by(Region.id)
        parent = req.get_param("parent_region_id")
        if parent is not None:
            query = query.where(Region.parent_region_id == parent)
        with self.identity.deps.store.session() as session:
            rows = [entities.region(req, row) for row in session.execute(query).scalars()]
        resp.media = {"regions": rows, "links": collection_links(req, "regions")}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        ident.admin(req, "create_region")
        data = entity_body(ident.body(req), "region")
        region_id = field(data, "id", str) or new_id()
        parent = field(data, "parent_region_id", str)
        with ident.deps.store.session(write=True) as session:
            if session.get(Region, region_id) is not None:
                raise Conflict(
                    f"Conflict occurred attempting to store region - Duplicate ID, {region_id}."
                )
            if parent is not None:
                get_or_404(session, Region, parent, "region")
            row = Region(
                id=region_id,
                description=field(data, "description", str) or "",
                parent_region_id=parent,
            )
            session.add(row)
            session.flush()
            body = entities.region(req, row)
        resp.status = falcon.HTTP_201
        resp.media = {"region": body}


class RegionItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, region_id: str) -> None:
        self.identity.admin(req, "get_region")
        with self.identity.deps.store.session() as session:
            row = get_or_404(session, Region, region_id, "region")
            resp.media = {"region": entities.region(req, row)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, region_id: str) -> None:
        self.identity.admin(req, "delete_region")
        with self.identity.deps.store.session(write=True) as session:
            row = get_or_404(session, Region, region_id, "region")
            used = (
                session.execute(
                    select(Endpoint.id).where(Endpoint.region_id == region_id).limit(1)
                ).first()
                or session.execute(
                    select(Region.id).where(Region.parent_region_id == region_id).limit(1)
                ).first()
            )
            if used:
                raise Forbidden(
                    f"Unable to delete region {region_id} because it or its child regions have"
                    " associated endpoints."
                )
            session.delete(row)
        resp.status = falcon.HTTP_204
