"""/v3/services, /v3/endpoints and /v3/regions: the catalog's admin API."""

from __future__ import annotations

import falcon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.errors import BadRequest, Conflict, Forbidden, NotFound
from pocketstack.cloud.identity import entities
from pocketstack.cloud.identity.admin.common import conflicts, get_or_404, new_id
from pocketstack.cloud.identity.catalog_requests import (
    EndpointCreateRequest,
    EndpointUpdate,
    RegionUpdate,
    ServiceUpdate,
)
from pocketstack.cloud.identity.requests import RegionCreate, ServiceCreate
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links, query_bool
from pocketstack.cloud.store.models.identity import Endpoint, Region, Service

# Keystone's ValidationError for a reference to nothing (its _assert_*_exists): a 400, not a 404.
_MISSING = (
    "Expecting to find endpoint {} in {} table. The server could not comply with the request"
    " since it is either malformed or otherwise incorrect. The client is assumed to be in error."
)


# The column's bound (a path id is not checked by a schema).
_REGION_ID_MAX = 255


def _same_id(given: object, own: str) -> None:
    """An id in an update body must be the entity's own (Keystone's _require_matching_id)."""
    if given is not None and given != own:
        raise BadRequest("Cannot change ID")


def _ensure_region(session: Session, region_id: str) -> None:
    """Make a region the legacy `region` names, if missing (Keystone's backward compatibility)."""
    if session.get(Region, region_id) is not None:
        return
    try:
        with session.begin_nested():
            session.add(Region(id=region_id, description=""))
    except IntegrityError:
        # Made meanwhile by another request naming it: it exists, which is all that is needed.
        pass


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

    def on_patch(self, req: falcon.Request, resp: falcon.Response, service_id: str) -> None:
        change = request_of(req, ServiceUpdate)
        _same_id(change.id, service_id)
        with self.identity.deps.store.session(write=True) as session:
            row = get_or_404(session, Service, service_id, "service")
            for name in ("type", "name", "description", "enabled"):
                value = getattr(change, name)
                if value is not None:
                    setattr(row, name, value)
            session.flush()
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
        new = request_of(req, EndpointCreateRequest)
        with ident.deps.store.session(write=True) as session:
            get_or_404(session, Service, new.service_id, "service")
            if new.legacy_region and new.region_id is not None:
                _ensure_region(session, new.region_id)
            elif new.region_id is not None:
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

    def on_patch(self, req: falcon.Request, resp: falcon.Response, endpoint_id: str) -> None:
        change = request_of(req, EndpointUpdate)
        _same_id(change.id, endpoint_id)
        with self.identity.deps.store.session(write=True) as session:
            # Keystone checks the references before the endpoint itself.
            region = change.region_id if change.region_given else None
            if region is not None and change.legacy_region:
                _ensure_region(session, region)
            elif region is not None and session.get(Region, region) is None:
                raise BadRequest(_MISSING.format("region_id", "region"))
            if change.service_id is not None and session.get(Service, change.service_id) is None:
                raise BadRequest(_MISSING.format("service_id", "service"))
            row = get_or_404(session, Endpoint, endpoint_id, "endpoint")
            for name in ("interface", "url", "service_id", "enabled"):
                value = getattr(change, name)
                if value is not None:
                    setattr(row, name, value)
            if change.region_given:
                row.region_id = change.region_id
            session.flush()
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
        new = request_of(req, RegionCreate)
        _create_region(self.identity, req, resp, new.id or new_id(), new)


def _create_region(
    ident: Identity, req: falcon.Request, resp: falcon.Response, region_id: str, new: RegionCreate
) -> None:
    parent = new.parent_region_id
    with ident.deps.store.session(write=True) as session:
        duplicate = f"Duplicate ID, {region_id}"
        if session.get(Region, region_id) is not None:
            raise Conflict(f"Conflict occurred attempting to store region - {duplicate}.")
        if parent is not None:
            get_or_404(session, Region, parent, "region")
        row = Region(id=region_id, description=new.description, parent_region_id=parent)
        session.add(row)
        # The same id stored meanwhile (two PUTs racing): the loser's 409, as above.
        with conflicts("region", duplicate):
            session.flush()
        body = entities.region(req, row)
    resp.status = falcon.HTTP_201
    resp.media = {"region": body}


def _check_parent(session: Session, region_id: str, parent: str) -> None:
    """Keystone's checks of a new parent: it exists (404), and is neither the region nor one of
    its descendants (400). Every region is read locked, in one order: two updates that would
    close a cycle between them are taken one after the other, and the second sees the first."""
    query = select(Region.id, Region.parent_region_id).order_by(Region.id).with_for_update()
    parents = {row.id: row.parent_region_id for row in session.execute(query)}
    if parent not in parents:
        raise NotFound(f"Could not find region: {parent}.")
    seen: set[str] = set()
    ancestor: str | None = parent
    while ancestor is not None and ancestor not in seen:
        if ancestor == region_id:
            raise BadRequest(
                f"The specified parent region {parent} would create a circular region hierarchy."
            )
        seen.add(ancestor)
        ancestor = parents.get(ancestor)


class RegionItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, region_id: str) -> None:
        with self.identity.deps.store.session() as session:
            row = get_or_404(session, Region, region_id, "region")
            resp.media = {"region": entities.region(req, row)}

    def on_put(self, req: falcon.Request, resp: falcon.Response, region_id: str) -> None:
        new = request_of(req, RegionCreate)
        if new.id is not None and new.id != region_id:
            raise BadRequest(f'Conflicting region IDs specified: "{region_id}" != "{new.id}"')
        if len(region_id) > _REGION_ID_MAX:
            raise BadRequest(
                f"Invalid input for field 'id': region id is longer than"
                f" {_REGION_ID_MAX} characters"
            )
        _create_region(self.identity, req, resp, region_id, new)

    def on_patch(self, req: falcon.Request, resp: falcon.Response, region_id: str) -> None:
        change = request_of(req, RegionUpdate)
        _same_id(change.id, region_id)
        with self.identity.deps.store.session(write=True) as session:
            if change.parent_given and change.parent_region_id is not None:
                _check_parent(session, region_id, change.parent_region_id)
            row = get_or_404(session, Region, region_id, "region")
            if change.description is not None:
                row.description = change.description
            if change.parent_given:
                row.parent_region_id = change.parent_region_id
            session.flush()
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
