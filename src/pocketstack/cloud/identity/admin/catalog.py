"""/v3/services, /v3/endpoints and /v3/regions: the catalog's admin API."""

from __future__ import annotations

import falcon
from sqlalchemy import select

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.errors import Conflict, Forbidden
from pocketstack.cloud.identity import entities
from pocketstack.cloud.identity.admin.common import get_or_404, new_id
from pocketstack.cloud.identity.requests import EndpointCreate, RegionCreate, ServiceCreate
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links, query_bool
from pocketstack.cloud.store.models.identity import Endpoint, Region, Service


class Services:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
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
        new = request_of(req, ServiceCreate)
        row = Service(
            id=new_id(),
            type=new.type,
            name=new.name,
            description=new.description,
            enabled=new.enabled,
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
        with self.identity.deps.store.session() as session:
            row = get_or_404(session, Service, service_id, "service")
            resp.media = {"service": entities.service(req, row)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, service_id: str) -> None:
        with self.identity.deps.store.session(write=True) as session:
            session.delete(get_or_404(session, Service, service_id, "service"))
        resp.status = falcon.HTTP_204


class Endpoints:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
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
        new = request_of(req, EndpointCreate)
        with ident.deps.store.session(write=True) as session:
            get_or_404(session, Service, new.service_id, "service")
            if new.region_id is not None:
                get_or_404(session, Region, new.region_id, "region")
            row = Endpoint(
                id=new_id(),
                service_id=new.service_id,
                interface=new.interface,
                region_id=new.region_id,
                url=new.url,
                enabled=new.enabled,
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
        with self.identity.deps.store.session() as session:
            row = get_or_404(session, Endpoint, endpoint_id, "endpoint")
            resp.media = {"endpoint": entities.endpoint(req, row)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, endpoint_id: str) -> None:
        with self.identity.deps.store.session(write=True) as session:
            session.delete(get_or_404(session, Endpoint, endpoint_id, "endpoint"))
        resp.status = falcon.HTTP_204


class Regions:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = select(Region).order_by(Region.id)
        parent = req.get_param("parent_region_id")
        if parent is not None:
            query = query.where(Region.parent_region_id == parent)
        with self.identity.deps.store.session() as session:
            rows = [entities.region(req, row) for row in session.execute(query).scalars()]
        resp.media = {"regions": rows, "links": collection_links(req, "regions")}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        new = request_of(req, RegionCreate)
        region_id = new.id or new_id()
        parent = new.parent_region_id
        with ident.deps.store.session(write=True) as session:
            if session.get(Region, region_id) is not None:
                raise Conflict(
                    f"Conflict occurred attempting to store region - Duplicate ID, {region_id}."
                )
            if parent is not None:
                get_or_404(session, Region, parent, "region")
            row = Region(id=region_id, description=new.description, parent_region_id=parent)
            session.add(row)
            session.flush()
            body = entities.region(req, row)
        resp.status = falcon.HTTP_201
        resp.media = {"region": body}


class RegionItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, region_id: str) -> None:
        with self.identity.deps.store.session() as session:
            row = get_or_404(session, Region, region_id, "region")
            resp.media = {"region": entities.region(req, row)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, region_id: str) -> None:
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
