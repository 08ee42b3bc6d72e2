"""/v3/OS-EP-FILTER: endpoint groups, and the endpoints and groups a project is limited to.

Lookups come in Keystone's order, so a request naming several missing things gets the same 404
as from Keystone. An association is one row under a primary key on both sides: a repeated PUT
is Keystone's 409, and two racing PUTs cannot both store it.
"""

from __future__ import annotations

import json
import typing

import falcon
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.errors import NotFound
from pocketstack.cloud.identity import endpoint_groups, entities
from pocketstack.cloud.identity.admin.common import conflicts, get_or_404, new_id
from pocketstack.cloud.identity.endpoint_groups import EndpointGroupCreate, EndpointGroupUpdate
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links
from pocketstack.cloud.store.models.identity import Endpoint, Project
from pocketstack.cloud.store.models.identity_catalog import (
    EndpointGroup,
    ProjectEndpoint,
    ProjectEndpointGroup,
)

_GROUPS = "OS-EP-FILTER/endpoint_groups"


def _group(session: Session, group_id: str) -> EndpointGroup:
    row = session.get(EndpointGroup, group_id)
    if row is None:
        raise NotFound(f"Could not find Endpoint Group: {group_id}.")
    return row


class _Resource:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity


class EndpointGroups(_Resource):
    def on_head(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.on_get(req, resp)
        resp.media = None

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = select(EndpointGroup).order_by(EndpointGroup.name, EndpointGroup.id)
        name = req.get_param("name")
        if name is not None:
            query = query.where(EndpointGroup.name == name)
        with self.identity.deps.store.session() as session:
            rows = [endpoint_groups.render(req, row) for row in session.execute(query).scalars()]
        resp.media = {"endpoint_groups": rows, "links": collection_links(req, _GROUPS)}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        new = request_of(req, EndpointGroupCreate)
        row = EndpointGroup(id=new_id(), name=new.name, description=new.description,
                            filters=json.dumps(new.filters))  # fmt: skip
        with self.identity.deps.store.session(write=True) as session:
            session.add(row)
            session.flush()
            body = endpoint_groups.render(req, row)
        resp.status = falcon.HTTP_201
        resp.media = {"endpoint_group": body}


class EndpointGroupItem(_Resource):
    def on_head(self, req: falcon.Request, resp: falcon.Response, endpoint_group_id: str) -> None:
        self.on_get(req, resp, endpoint_group_id)
        resp.media = None

    def on_get(self, req: falcon.Request, resp: falcon.Response, endpoint_group_id: str) -> None:
        with self.identity.deps.store.session() as session:
            body = endpoint_groups.render(req, _group(session, endpoint_group_id))
        resp.media = {"endpoint_group": body}

    def on_patch(self, req: falcon.Request, resp: falcon.Response, endpoint_group_id: str) -> None:
        change = request_of(req, EndpointGroupUpdate)
        with self.identity.deps.store.session(write=True) as session:
            row = _group(session, endpoint_group_id)
            if change.name is not None:
                row.name = change.name
            if change.description_given:
                row.description = change.description
            if change.filters is not None:
                row.filters = json.dumps(change.filters)
            session.flush()
            body = endpoint_groups.render(req, row)
        resp.media = {"endpoint_group": body}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, endpoint_group_id: str) -> None:
        with self.identity.deps.store.session(write=True) as session:
            session.delete(_group(session, endpoint_group_id))
        resp.status = falcon.HTTP_204


class EndpointGroupProjects(_Resource):
    def on_head(self, req: falcon.Request, resp: falcon.Response, endpoint_group_id: str) -> None:
        self.on_get(req, resp, endpoint_group_id)
        resp.media = None

    def on_get(self, req: falcon.Request, resp: falcon.Response, endpoint_group_id: str) -> None:
        # Keystone lists the associations without looking the group up: none for a missing one.
        query = (
            select(Project)
            .join(ProjectEndpointGroup, ProjectEndpointGroup.project_id == Project.id)
            .where(ProjectEndpointGroup.endpoint_group_id == endpoint_group_id)
            .order_by(Project.name, Project.id)
        )
        with self.identity.deps.store.session() as session:
            rows = [entities.project(req, row) for row in session.execute(query).scalars()]
        resp.media = {
            "projects": rows,
            "links": collection_links(req, f"{_GROUPS}/{endpoint_group_id}/projects"),
        }


class EndpointGroupEndpoints(_Resource):
    def on_head(self, req: falcon.Request, resp: falcon.Response, endpoint_group_id: str) -> None:
        self.on_get(req, resp, endpoint_group_id)
        resp.media = None

    def on_get(self, req: falcon.Request, resp: falcon.Response, endpoint_group_id: str) -> None:
        with self.identity.deps.store.session() as session:
            filters = endpoint_groups.filters_of(_group(session, endpoint_group_id))
            everything = session.execute(select(Endpoint).order_by(Endpoint.id)).scalars()
            rows = [entities.endpoint(req, ep)
                    for ep in everything if endpoint_groups.matches(ep, filters)]  # fmt: skip
        resp.media = {
            "endpoints": rows,
            "links": collection_links(req, f"{_GROUPS}/{endpoint_group_id}/endpoints"),
        }


class EndpointGroupProject(_Resource):
    def on_head(
        self, req: falcon.Request, resp: falcon.Response, endpoint_group_id: str, project_id: str
    ) -> None:
        self.on_get(req, resp, endpoint_group_id, project_id)
        resp.media = None

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, endpoint_group_id: str, project_id: str
    ) -> None:
        with self.identity.deps.store.session() as session:
            get_or_404(session, Project, project_id, "project")
            _group(session, endpoint_group_id)
            if session.get(ProjectEndpointGroup, (endpoint_group_id, project_id)) is None:
                raise NotFound("Endpoint Group Project Association not found")
        link = f"{_GROUPS}/{endpoint_group_id}/projects/{project_id}"
        resp.media = {"project_endpoint_group": {
            "endpoint_group_id": endpoint_group_id, "project_id": project_id,
            "links": {"self": f"{req.prefix}/v3/{link}"}}}  # fmt: skip

    def on_put(
        self, req: falcon.Request, resp: falcon.Response, endpoint_group_id: str, project_id: str
    ) -> None:
        with self.identity.deps.store.session(write=True) as session:
            get_or_404(session, Project, project_id, "project")
            _group(session, endpoint_group_id)
            session.add(ProjectEndpointGroup(endpoint_group_id=endpoint_group_id,
                                             project_id=project_id))  # fmt: skip
            with conflicts("project_endpoint_group", "Duplicate entry"):
                session.flush()
        resp.status = falcon.HTTP_204

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, endpoint_group_id: str, project_id: str
    ) -> None:
        with self.identity.deps.store.session(write=True) as session:
            get_or_404(session, Project, project_id, "project")
            _group(session, endpoint_group_id)
            gone = session.execute(
                delete(ProjectEndpointGroup).where(
                    ProjectEndpointGroup.endpoint_group_id == endpoint_group_id,
                    ProjectEndpointGroup.project_id == project_id,
                )
            )
            if not typing.cast(int, getattr(gone, "rowcount", 0)):
                raise NotFound("Endpoint Group Project Association not found")
        resp.status = falcon.HTTP_204


class ProjectEndpointGroups(_Resource):
    def on_head(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        self.on_get(req, resp, project_id)
        resp.media = None

    def on_get(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        query = (
            select(EndpointGroup)
            .join(ProjectEndpointGroup, ProjectEndpointGroup.endpoint_group_id == EndpointGroup.id)
            .where(ProjectEndpointGroup.project_id == project_id)
            .order_by(EndpointGroup.name, EndpointGroup.id)
        )
        with self.identity.deps.store.session() as session:
            get_or_404(session, Project, project_id, "project")
            rows = [endpoint_groups.render(req, row) for row in session.execute(query).scalars()]
        resp.media = {"endpoint_groups": rows,
                      "links": collection_links(req, f"OS-EP-FILTER/projects/{project_id}"
                                                     "/endpoint_groups")}  # fmt: skip


class ProjectEndpoints(_Resource):
    def on_head(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        self.on_get(req, resp, project_id)
        resp.media = None

    def on_get(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        with self.identity.deps.store.session() as session:
            get_or_404(session, Project, project_id, "project")
            ids = endpoint_groups.project_endpoint_ids(session, project_id)
            query = select(Endpoint).where(Endpoint.id.in_(ids)).order_by(Endpoint.id)
            rows = [entities.endpoint(req, ep) for ep in session.execute(query).scalars()]
        resp.media = {"endpoints": rows,
                      "links": collection_links(req, f"OS-EP-FILTER/projects/{project_id}"
                                                     "/endpoints")}  # fmt: skip


class ProjectEndpointItem(_Resource):
    def _missing(self, endpoint_id: str, project_id: str) -> NotFound:
        return NotFound(f"Endpoint {endpoint_id} not found in project {project_id}")

    def on_head(
        self, req: falcon.Request, resp: falcon.Response, project_id: str, endpoint_id: str
    ) -> None:
        self.on_get(req, resp, project_id, endpoint_id)
        resp.media = None

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, project_id: str, endpoint_id: str
    ) -> None:
        with self.identity.deps.store.session() as session:
            get_or_404(session, Endpoint, endpoint_id, "endpoint")
            get_or_404(session, Project, project_id, "project")
            if session.get(ProjectEndpoint, (endpoint_id, project_id)) is None:
                raise self._missing(endpoint_id, project_id)
        resp.status = falcon.HTTP_204

    def on_put(
        self, req: falcon.Request, resp: falcon.Response, project_id: str, endpoint_id: str
    ) -> None:
        with self.identity.deps.store.session(write=True) as session:
            get_or_404(session, Endpoint, endpoint_id, "endpoint")
            get_or_404(session, Project, project_id, "project")
            session.add(ProjectEndpoint(endpoint_id=endpoint_id, project_id=project_id))
            with conflicts("project_endpoint", "Duplicate entry"):
                session.flush()
        resp.status = falcon.HTTP_204

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, project_id: str, endpoint_id: str
    ) -> None:
        with self.identity.deps.store.session(write=True) as session:
            gone = session.execute(
                delete(ProjectEndpoint).where(
                    ProjectEndpoint.endpoint_id == endpoint_id,
                    ProjectEndpoint.project_id == project_id,
                )
            )
            if not typing.cast(int, getattr(gone, "rowcount", 0)):
                raise self._missing(endpoint_id, project_id)
        resp.status = falcon.HTTP_204


class EndpointProjects(_Resource):
    def on_head(self, req: falcon.Request, resp: falcon.Response, endpoint_id: str) -> None:
        self.on_get(req, resp, endpoint_id)
        resp.media = None

    def on_get(self, req: falcon.Request, resp: falcon.Response, endpoint_id: str) -> None:
        query = (
            select(Project)
            .join(ProjectEndpoint, ProjectEndpoint.project_id == Project.id)
            .where(ProjectEndpoint.endpoint_id == endpoint_id)
            .order_by(Project.name, Project.id)
        )
        with self.identity.deps.store.session() as session:
            get_or_404(session, Endpoint, endpoint_id, "endpoint")
            rows = [entities.project(req, row) for row in session.execute(query).scalars()]
        resp.media = {"projects": rows,
                      "links": collection_links(req, f"OS-EP-FILTER/endpoints/{endpoint_id}"
                                                     "/projects")}  # fmt: skip


def resources(identity: Identity) -> dict[str, object]:
    """The routes of OS-EP-FILTER, for the app (app.py)."""
    base = "/v3/OS-EP-FILTER"
    group = f"{base}/endpoint_groups/{{endpoint_group_id}}"
    return {
        f"{base}/endpoint_groups": EndpointGroups(identity),
        group: EndpointGroupItem(identity),
        f"{group}/projects": EndpointGroupProjects(identity),
        f"{group}/endpoints": EndpointGroupEndpoints(identity),
        f"{group}/projects/{{project_id}}": EndpointGroupProject(identity),
        f"{base}/projects/{{project_id}}/endpoint_groups": ProjectEndpointGroups(identity),
        f"{base}/projects/{{project_id}}/endpoints": ProjectEndpoints(identity),
        f"{base}/projects/{{project_id}}/endpoints/{{endpoint_id}}": ProjectEndpointItem(identity),
        f"{base}/endpoints/{{endpoint_id}}/projects": EndpointProjects(identity),
    }
