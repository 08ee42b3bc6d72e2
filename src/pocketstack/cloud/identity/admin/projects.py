"""/v3/projects: admin CRUD; disabling or deleting a project ends the tokens scoped to it.
Their tags are kept and filtered on by identity/project_tags.py."""

from __future__ import annotations

import falcon
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.errors import BadRequest, Conflict, Forbidden, NotFound
from pocketstack.cloud.identity import entities, project_tags
from pocketstack.cloud.identity.admin import domains
from pocketstack.cloud.identity.admin.common import conflicts, get_or_404, new_id
from pocketstack.cloud.identity.admin.users import default_domain_id
from pocketstack.cloud.identity.project_tags import TaggedProjectCreate, TaggedProjectUpdate
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links, query_bool
from pocketstack.cloud.store.models.identity import (
    Domain,
    GroupRoleAssignment,
    Project,
    RoleAssignment,
)
from pocketstack.cloud.store.models.identity_roles import InheritedGroupGrant, InheritedUserGrant


def _duplicate(session: Session, *, name: str, domain_id: str, exclude: str | None = None) -> None:
    found = session.execute(
        select(Project.id).where(Project.name == name, Project.domain_id == domain_id)
    ).scalar_one_or_none()
    if found is not None and found != exclude:
        raise Conflict(
            "Conflict occurred attempting to store project - it is not permitted to have two"
            f" projects with the same name in the same domain : {name}."
        )


class Projects:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = select(Project).order_by(Project.name, Project.id)
        for key, column in (
            ("name", Project.name),
            ("domain_id", Project.domain_id),
            ("parent_id", Project.parent_id),
        ):
            value = req.get_param(key)
            if value is not None:
                query = query.where(column == value)
        enabled = query_bool(req, "enabled")
        if enabled is not None:
            query = query.where(Project.enabled.is_(enabled))
        if query_bool(req, "is_domain"):
            resp.media = {"projects": _domains_as_projects(self.identity, req),
                          "links": collection_links(req, "projects")}  # fmt: skip
            return
        query = project_tags.filtered(
            query, {name: req.get_param(name) for name in project_tags.FILTERS}
        )
        with self.identity.deps.store.session() as session:
            rows = list(session.execute(query).scalars())
            tags = project_tags.tags_by_project(session, [row.id for row in rows])
            projects = [{**entities.project(req, row), "tags": tags[row.id]} for row in rows]
        resp.media = {"projects": projects, "links": collection_links(req, "projects")}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        tagged = request_of(req, TaggedProjectCreate)
        new = tagged.project
        if new.is_domain:
            if tagged.tags:
                raise BadRequest("A project acting as a domain keeps no tags.")
            made = domains.create(ident, name=new.name, description=new.description,
                                  enabled=new.enabled)  # fmt: skip
            resp.status = falcon.HTTP_201
            resp.media = {"project": entities.domain_as_project(req, made)}
            return
        name, domain_id, parent_id = new.name, new.domain_id, new.parent_id
        with ident.deps.store.session(write=True) as session:
            if parent_id is not None:
                parent = session.get(Project, parent_id)
                if parent is None:
                    # A top-level project names its domain as parent (Keystone's own rendering).
                    if session.get(Domain, parent_id) is None:
                        raise NotFound(f"Could not find project: {parent_id}.")
                    domain_id = domain_id or parent_id
                    parent_id = None
                else:
                    domain_id = domain_id or parent.domain_id
            domain_id = domain_id or default_domain_id(session, ctx)
            if session.get(Domain, domain_id) is None:
                raise NotFound(f"Could not find domain: {domain_id}.")
            _duplicate(session, name=name, domain_id=domain_id)
            row = Project(
                id=new_id(),
                name=name,
                domain_id=domain_id,
                description=new.description,
                enabled=new.enabled,
                parent_id=parent_id,
            )
            session.add(row)
            with conflicts("project", f"Duplicate entry found with name {name}"):
                session.flush()
            body = entities.project(req, row)
            body["tags"] = project_tags.replace(session, row.id, tagged.tags)
        resp.status = falcon.HTTP_201
        resp.media = {"project": body}


class ProjectItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        ctx = self.identity.caller(req)
        if not ctx.is_admin and ctx.project_id != project_id:
            self.identity.admin(req, "get_project")
        with self.identity.deps.store.session() as session:
            row = session.get(Project, project_id)
            if row is None:
                domain = get_or_404(session, Domain, project_id, "project")
                self.identity.admin(req, "get_project")
                resp.media = {"project": entities.domain_as_project(req, domain)}
                return
            tags = project_tags.tags_of(session, project_id)
            resp.media = {"project": {**entities.project(req, row), "tags": tags}}

    def on_patch(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        ident = self.identity
        tagged = request_of(req, TaggedProjectUpdate)
        change = tagged.project
        if _acting_domain(ident, project_id):
            if tagged.tags:
                raise BadRequest("A project acting as a domain keeps no tags.")
            row_domain = domains.update(ident, project_id, change)
            resp.media = {"project": entities.domain_as_project(req, row_domain)}
            return
        name, description, enabled = change.name, change.description, change.enabled
        revoke = False
        with ident.deps.store.session(write=True) as session:
            row = project_tags.lock_project(session, project_id)
            if name is not None and name != row.name:
                _duplicate(session, name=name, domain_id=row.domain_id, exclude=row.id)
                row.name = name
            if description is not None:
                row.description = description
            if enabled is not None:
                revoke = row.enabled and not enabled
                row.enabled = enabled
            with conflicts("project", "Duplicate entry"):
                session.flush()
            body = entities.project(req, row)
            body["tags"] = (
                project_tags.tags_of(session, project_id)
                if tagged.tags is None
                else project_tags.replace(session, project_id, tagged.tags)
            )
        if revoke:
            ident.deps.tokens.revoke_project(project_id)
        resp.media = {"project": body}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        ident = self.identity
        if _acting_domain(ident, project_id):
            domains.remove(ident, project_id)
            resp.status = falcon.HTTP_204
            return
        with ident.deps.store.session(write=True) as session:
            row = get_or_404(session, Project, project_id, "project")
            child = session.execute(
                select(Project.id).where(Project.parent_id == project_id).limit(1)
            ).first()
            if child is not None:
                raise Forbidden(f"Cannot delete project {project_id}: it has child projects.")
            for grants in (RoleAssignment, GroupRoleAssignment, InheritedUserGrant,
                           InheritedGroupGrant):  # fmt: skip
                session.execute(
                    delete(grants).where(
                        grants.target_type == "project", grants.target_id == project_id
                    )
                )
            session.delete(row)
        ident.deps.tokens.revoke_project(project_id)
        resp.status = falcon.HTTP_204


def _acting_domain(ident: Identity, project_id: str) -> bool:
    """No project has the id, a domain does: the project acting as that domain is meant."""
    with ident.deps.store.session() as session:
        if session.get(Project, project_id) is not None:
            return False
        return session.get(Domain, project_id) is not None


def _domains_as_projects(ident: Identity, req: falcon.Request) -> list[dict[str, object]]:
    """?is_domain=true: the domains, in the project's shape (none has a parent or a domain)."""
    if req.get_param("domain_id") is not None or req.get_param("parent_id") is not None:
        return []
    query = select(Domain).order_by(Domain.name, Domain.id)
    name = req.get_param("name")
    if name is not None:
        query = query.where(Domain.name == name)
    enabled = query_bool(req, "enabled")
    if enabled is not None:
        query = query.where(Domain.enabled.is_(enabled))
    with ident.deps.store.session() as session:
        return [entities.domain_as_project(req, row) for row in session.execute(query).scalars()]
