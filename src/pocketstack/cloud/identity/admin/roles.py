"""/v3/roles and users' role grants on projects, domains and the system (groups' grants are in
group_grants.py, the listing of assignments in assignments.py)."""

from __future__ import annotations

import falcon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.revocation import Grant as RevokedGrant
from pocketstack.cloud.errors import Conflict, NotFound
from pocketstack.cloud.identity import entities
from pocketstack.cloud.identity.admin import group_tokens
from pocketstack.cloud.identity.admin.common import conflicts, get_or_404, new_id
from pocketstack.cloud.identity.directory import SYSTEM_TARGET
from pocketstack.cloud.identity.requests import RoleCreate
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links
from pocketstack.cloud.store.models.identity import (
    Domain,
    Project,
    Role,
    RoleAssignment,
    User,
)


class Roles:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = select(Role).order_by(Role.name)
        name = req.get_param("name")
        if name is not None:
            query = query.where(Role.name == name)
        if req.get_param("domain_id"):
            # Domain-specific roles do not exist here.
            query = query.where(Role.id.is_(None))
        with self.identity.deps.store.session() as session:
            roles = [entities.role(req, row) for row in session.execute(query).scalars()]
        resp.media = {"roles": roles, "links": collection_links(req, "roles")}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        new = request_of(req, RoleCreate)
        name, description = new.name, new.description
        with ident.deps.store.session(write=True) as session:
            if session.execute(select(Role.id).where(Role.name == name)).first():
                raise Conflict(
                    "Conflict occurred attempting to store role - Duplicate entry found with"
                    f" name {name}."
                )
            row = Role(id=new_id(), name=name, description=description)
            session.add(row)
            with conflicts("role", f"Duplicate entry found with name {name}"):
                session.flush()
            body = entities.role(req, row)
        resp.status = falcon.HTTP_201
        resp.media = {"role": body}


class RoleItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, role_id: str) -> None:
        with self.identity.deps.store.session() as session:
            resp.media = {"role": entities.role(req, get_or_404(session, Role, role_id, "role"))}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, role_id: str) -> None:
        ident = self.identity
        with ident.deps.store.session(write=True) as session:
            # Locked: a grant of the role made meanwhile waits, and is not missed below.
            row = session.get(Role, role_id, with_for_update=True)
            if row is None:
                raise NotFound(f"Could not find role: {role_id}.")
            # Read before the delete cascades to them: where each holder's tokens carry the role.
            holders = [
                RevokedGrant(user_id=a.user_id, target_type=a.target_type, target_id=a.target_id)
                for a in session.execute(
                    select(RoleAssignment).where(RoleAssignment.role_id == role_id)
                ).scalars()
            ]
            through_groups = group_tokens.of_role(session, role_id)
            session.delete(row)
        ident.deps.tokens.revoke_grants(holders)
        group_tokens.revoke(ident.deps.tokens, through_groups)
        resp.status = falcon.HTTP_204


# The model of each kind of grant target and its name in a 404 (the system has no row).
TARGETS: dict[str, tuple[type[Project] | type[Domain] | None, str]] = {
    "project": (Project, "project"),
    "domain": (Domain, "domain"),
    "system": (None, "system"),
}


def _grant_path(target_type: str, target_id: str, user_id: str, role_id: str) -> str:
    if target_type == "system":
        return f"system/users/{user_id}/roles/{role_id}"
    return f"{target_type}s/{target_id}/users/{user_id}/roles/{role_id}"


class Grant:
    """PUT/HEAD/GET/DELETE /v3/{projects|domains}/{t}/users/{u}/roles/{r} (and /v3/system/...)."""

    def __init__(self, identity: Identity, target_type: str) -> None:
        self.identity = identity
        self.target_type = target_type

    def _check(self, session: Session, target_id: str, user_id: str, role_id: str) -> None:
        model, kind = TARGETS[self.target_type]
        if model is not None:
            get_or_404(session, model, target_id, kind)
        get_or_404(session, User, user_id, "user")
        get_or_404(session, Role, role_id, "role")

    def _key(self, target_id: str, user_id: str, role_id: str) -> tuple[str, str, str, str]:
        return (self.target_type, target_id, user_id, role_id)

    def on_put(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        user_id: str,
        role_id: str,
        project_id: str | None = None,
        domain_id: str | None = None,
    ) -> None:
        target_id = project_id or domain_id or SYSTEM_TARGET
        ident = self.identity
        with ident.deps.store.session(write=True) as session:
            self._check(session, target_id, user_id, role_id)
            if session.get(RoleAssignment, self._key(target_id, user_id, role_id)) is None:
                try:
                    with session.begin_nested():
                        session.add(
                            RoleAssignment(
                                target_type=self.target_type,
                                target_id=target_id,
                                user_id=user_id,
                                role_id=role_id,
                            )
                        )
                except IntegrityError:
                    # An identical grant committed since the check: granted all the same, as
                    # Keystone's PUT is idempotent.
                    pass
        resp.status = falcon.HTTP_204

    def on_head(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        user_id: str,
        role_id: str,
        project_id: str | None = None,
        domain_id: str | None = None,
    ) -> None:
        target_id = project_id or domain_id or SYSTEM_TARGET
        ident = self.identity
        with ident.deps.store.session() as session:
            self._check(session, target_id, user_id, role_id)
            if session.get(RoleAssignment, self._key(target_id, user_id, role_id)) is None:
                raise NotFound(f"Could not find role assignment: {role_id}.")
        resp.status = falcon.HTTP_204

    on_get = on_head

    def on_delete(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        user_id: str,
        role_id: str,
        project_id: str | None = None,
        domain_id: str | None = None,
    ) -> None:
        target_id = project_id or domain_id or SYSTEM_TARGET
        ident = self.identity
        with ident.deps.store.session(write=True) as session:
            self._check(session, target_id, user_id, role_id)
            row = session.get(RoleAssignment, self._key(target_id, user_id, role_id))
            if row is None:
                raise NotFound(f"Could not find role assignment: {role_id}.")
            session.delete(row)
        # Tokens carry role names: the user's tokens scoped to this target end, and only those
        # (Keystone revokes by user and project; a token elsewhere never had this grant's role).
        ident.deps.tokens.revoke_grants(
            [RevokedGrant(user_id=user_id, target_type=self.target_type, target_id=target_id)]
        )
        resp.status = falcon.HTTP_204


class GrantList:
    """GET /v3/{projects|domains}/{t}/users/{u}/roles (and /v3/system/users/{u}/roles)."""

    def __init__(self, identity: Identity, target_type: str) -> None:
        self.identity = identity
        self.target_type = target_type

    def on_get(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        user_id: str,
        project_id: str | None = None,
        domain_id: str | None = None,
    ) -> None:
        target_id = project_id or domain_id or SYSTEM_TARGET
        ident = self.identity
        with ident.deps.store.session() as session:
            model, kind = TARGETS[self.target_type]
            if model is not None:
                get_or_404(session, model, target_id, kind)
            get_or_404(session, User, user_id, "user")
            rows = session.execute(
                select(Role)
                .join(RoleAssignment, RoleAssignment.role_id == Role.id)
                .where(
                    RoleAssignment.target_type == self.target_type,
                    RoleAssignment.target_id == target_id,
                    RoleAssignment.user_id == user_id,
                )
                .order_by(Role.name)
            ).scalars()
            roles = [entities.role(req, row) for row in rows]
        path = _grant_path(self.target_type, target_id, user_id, "x").rsplit("/", 1)[0]
        resp.media = {"roles": roles, "links": collection_links(req, path)}
