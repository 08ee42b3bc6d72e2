"""/v3/domains: admin CRUD; a domain must be disabled before it can be deleted (as Keystone)."""

from __future__ import annotations

import falcon
from sqlalchemy import select

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.errors import Conflict, Forbidden
from pocketstack.cloud.identity import domain_contents, entities
from pocketstack.cloud.identity.admin.common import conflicts, get_or_404, new_id
from pocketstack.cloud.identity.requests import DomainCreate, EntityUpdate
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links, query_bool
from pocketstack.cloud.store.models.identity import Domain, Project


class Domains:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = select(Domain).order_by(Domain.name)
        name = req.get_param("name")
        if name is not None:
            query = query.where(Domain.name == name)
        enabled = query_bool(req, "enabled")
        if enabled is not None:
            query = query.where(Domain.enabled.is_(enabled))
        with self.identity.deps.store.session() as session:
            rows = [entities.domain(req, row) for row in session.execute(query).scalars()]
        resp.media = {"domains": rows, "links": collection_links(req, "domains")}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        new = request_of(req, DomainCreate)
        row = create(self.identity, name=new.name, description=new.description,
                     enabled=new.enabled)  # fmt: skip
        resp.status = falcon.HTTP_201
        resp.media = {"domain": entities.domain(req, row)}


class DomainItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, domain_id: str) -> None:
        ctx = self.identity.caller(req)
        with self.identity.deps.store.session() as session:
            # Keystone's rule: admins, system readers, and tokens scoped to the domain or to one
            # of its projects.
            scope = (
                ctx.domain_id
                or session.execute(
                    select(Project.domain_id).where(Project.id == ctx.project_id)
                ).scalar_one_or_none()
            )
            if not (ctx.is_admin or (ctx.payload.system and ctx.can_read) or scope == domain_id):
                self.identity.admin(req, "get_domain")
            row = get_or_404(session, Domain, domain_id, "domain")
            resp.media = {"domain": entities.domain(req, row)}

    def on_patch(self, req: falcon.Request, resp: falcon.Response, domain_id: str) -> None:
        change = request_of(req, EntityUpdate)
        row = update(self.identity, domain_id, change)
        resp.media = {"domain": entities.domain(req, row)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, domain_id: str) -> None:
        remove(self.identity, domain_id)
        resp.status = falcon.HTTP_204


def create(ident: Identity, *, name: str, description: str, enabled: bool) -> Domain:
    with ident.deps.store.session(write=True) as session:
        if session.execute(select(Domain.id).where(Domain.name == name)).first():
            raise Conflict(
                "Conflict occurred attempting to store domain - Duplicate entry found with"
                f" name {name}."
            )
        row = Domain(id=new_id(), name=name, description=description, enabled=enabled)
        session.add(row)
        with conflicts("domain", f"Duplicate entry found with name {name}"):
            session.flush()
        session.expunge(row)
    return row


def update(ident: Identity, domain_id: str, change: EntityUpdate) -> Domain:
    """The domain changed (through /v3/domains or as a project acting as it), detached."""
    name, description, enabled = change.name, change.description, change.enabled
    disabled = False
    with ident.deps.store.session(write=True) as session:
        row = get_or_404(session, Domain, domain_id, "domain")
        if name is not None and name != row.name:
            if session.execute(select(Domain.id).where(Domain.name == name)).first():
                raise Conflict(
                    "Conflict occurred attempting to store domain - Duplicate entry found"
                    f" with name {name}."
                )
            row.name = name
        if description is not None:
            row.description = description
        if enabled is not None:
            disabled = row.enabled and not enabled
            row.enabled = enabled
        session.flush()
        session.expunge(row)
    if disabled:
        # After the commit, so a token issued from a read that still saw the domain enabled
        # is older than the events (see TokenProvider.revoke_domain).
        ident.deps.tokens.revoke_domain(domain_id)
    return row


def remove(ident: Identity, domain_id: str) -> None:
    with ident.deps.store.session(write=True) as session:
        row = get_or_404(session, Domain, domain_id, "domain")
        if row.enabled:
            raise Forbidden("Cannot delete a domain that is enabled, please disable it first.")
        removed = domain_contents.delete_contents(session, domain_id)
        session.delete(row)
        # Something made in the domain meanwhile: a 409, not a 500.
        with conflicts("domain", f"{domain_id} gained contents while being deleted"):
            session.flush()
    for project_id in removed.project_ids:
        ident.deps.tokens.revoke_project(project_id)
    for user_id in removed.user_ids:
        ident.deps.tokens.revoke_user(user_id)
