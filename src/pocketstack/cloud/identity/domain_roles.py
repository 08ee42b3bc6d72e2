"""/v3/roles and /v3/roles/{role_id} with domain-specific roles: a role created with a
`domain_id` belongs to that domain (its `role_domain` row), shows it, and is listed only when
that domain is asked for, as Keystone lists only global roles without a `domain_id` filter.
Built on admin/roles.py, whose updating and deleting stay as they are."""

from __future__ import annotations

import falcon
from sqlalchemy import select

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.errors import Conflict
from pocketstack.cloud.identity import entities, implied_roles, role_holders
from pocketstack.cloud.identity.admin import roles
from pocketstack.cloud.identity.admin.common import conflicts, get_or_404, new_id
from pocketstack.cloud.identity.requests import RoleCreate
from pocketstack.cloud.identity.web import collection_links
from pocketstack.cloud.store.models.identity import Domain, Role
from pocketstack.cloud.store.models.identity_roles import RoleDomain


class Roles(roles.Roles):
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = select(Role, RoleDomain.domain_id).outerjoin(
            RoleDomain, RoleDomain.role_id == Role.id
        )
        name = req.get_param("name")
        if name is not None:
            query = query.where(Role.name == name)
        domain_id = req.get_param("domain_id")
        if domain_id:
            query = query.where(RoleDomain.domain_id == domain_id)
        else:
            query = query.where(RoleDomain.role_id.is_(None))
        with self.identity.deps.store.session() as session:
            rows = session.execute(query.order_by(Role.name, Role.id)).all()
            body = [entities.role(req, row, domain) for row, domain in rows]
        resp.media = {"roles": body, "links": collection_links(req, "roles")}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        new = request_of(req, RoleCreate)
        name = new.name
        duplicate = f"Duplicate entry found with name {name}"
        with self.identity.deps.store.session(write=True) as session:
            if new.domain_id is not None:
                get_or_404(session, Domain, new.domain_id, "domain")
            if session.execute(select(Role.id).where(Role.name == name)).first():
                raise Conflict(f"Conflict occurred attempting to store role - {duplicate}.")
            row = Role(id=new_id(), name=name, description=new.description)
            session.add(row)
            if new.domain_id is not None:
                session.add(RoleDomain(role_id=row.id, domain_id=new.domain_id))
            # A role of the same name committed meanwhile: the unique name refuses this one.
            with conflicts("role", duplicate):
                session.flush()
            body = entities.role(req, row, new.domain_id)
        resp.status = falcon.HTTP_201
        resp.media = {"role": body}


class RoleItem(roles.RoleItem):
    def on_get(self, req: falcon.Request, resp: falcon.Response, role_id: str) -> None:
        with self.identity.deps.store.session() as session:
            row = get_or_404(session, Role, role_id, "role")
            domain = implied_roles.domains_of(session, [role_id]).get(role_id)
            resp.media = {"role": entities.role(req, row, domain)}

    def on_patch(self, req: falcon.Request, resp: falcon.Response, role_id: str) -> None:
        super().on_patch(req, resp, role_id)
        with self.identity.deps.store.session() as session:
            domain = implied_roles.domains_of(session, [role_id]).get(role_id)
        if isinstance(resp.media, dict):
            resp.media["role"]["domain_id"] = domain

    def on_delete(self, req: falcon.Request, resp: falcon.Response, role_id: str) -> None:
        # admin/roles.py ends the tokens of the role's direct and group grantees; those holding
        # it through an inherited grant or a rule, or holding what its rules (going with it,
        # ON DELETE CASCADE) gave, lose theirs too: read before the deletion.
        with self.identity.deps.store.session() as session:
            holders = role_holders.of_roles(session, [role_id])
        super().on_delete(req, resp, role_id)
        holders.revoke(self.identity.deps.tokens)
