"""/v3/roles and users' role grants on projects, domains and the system (groups' grants are in
group_grants.py, both built on grants_base.py; the listing of assignments is assignments.py)."""

from __future__ import annotations

from collections.abc import Callable

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.revocation import Grant as RevokedGrant
from pocketstack.cloud.errors import BadRequest, Conflict, NotFound
from pocketstack.cloud.identity import app_credential_reaping, entities, role_holders
from pocketstack.cloud.identity.admin import grants_base, group_tokens
from pocketstack.cloud.identity.admin.common import conflicts, get_or_404, new_id
from pocketstack.cloud.identity.catalog_requests import RoleUpdate
from pocketstack.cloud.identity.requests import RoleCreate
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links
from pocketstack.cloud.store.models.identity import Role, RoleAssignment, User


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

    def on_patch(self, req: falcon.Request, resp: falcon.Response, role_id: str) -> None:
        ident = self.identity
        change = request_of(req, RoleUpdate)
        if change.id is not None and change.id != role_id:
            raise BadRequest("Cannot change ID")
        if change.domain_given and change.domain_id is not None:
            raise BadRequest("Update of `domain_id` is not allowed.")
        name = change.name
        with ident.deps.store.session(write=True) as session:
            # Locked: a grant of the role made meanwhile waits, and is not missed below.
            row = session.get(Role, role_id, with_for_update=True)
            if row is None:
                raise NotFound(f"Could not find role: {role_id}.")
            renamed = name is not None and name != row.name
            duplicate = f"Duplicate entry found with name {name}"
            if renamed and session.execute(select(Role.id).where(Role.name == name)).first():
                raise Conflict(f"Conflict occurred attempting to store role - {duplicate}.")
            if name is not None:
                row.name = name
            if change.description_given:
                row.description = change.description
            holders: list[RevokedGrant] = []
            through_groups = None
            if renamed:
                # Tokens carry role names (cloud/auth/tokens.py), where Keystone's carry ids it
                # names anew at each validation: a renamed role ends its holders' tokens, as a
                # deleted one does, rather than let them go on naming a role no longer there.
                holders = _holders(session, role_id)
                through_groups = group_tokens.of_role(session, role_id)
            # A rename to the same name committed meanwhile: the unique name refuses this one.
            with conflicts("role", duplicate):
                session.flush()
            body = entities.role(req, row)
        if holders:
            ident.deps.tokens.revoke_grants(holders)
        if through_groups is not None:
            group_tokens.revoke(ident.deps.tokens, through_groups)
        resp.media = {"role": body}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, role_id: str) -> None:
        ident = self.identity
        with ident.deps.store.session(write=True) as session:
            # Locked: a grant of the role made meanwhile waits, and is not missed below.
            row = session.get(Role, role_id, with_for_update=True)
            if row is None:
                raise NotFound(f"Could not find role: {role_id}.")
            # Read before the delete cascades to them: where each holder's tokens carry the role.
            # Those holding a role implying it, and through inherited grants, too.
            holders = role_holders.of_roles(session, [role_id])
            app_credential_reaping.of_role(session, role_id)
            session.delete(row)
        holders.revoke(ident.deps.tokens)
        resp.status = falcon.HTTP_204


def _holders(session: Session, role_id: str) -> list[RevokedGrant]:
    """Where each user granted the role has tokens carrying it."""
    return [
        RevokedGrant(user_id=a.user_id, target_type=a.target_type, target_id=a.target_id)
        for a in session.execute(
            select(RoleAssignment).where(RoleAssignment.role_id == role_id)
        ).scalars()
    ]


class _UserGrants(grants_base.GrantResource):
    actors = "users"
    model = RoleAssignment
    actor_column = RoleAssignment.user_id

    def _check_actor(self, session: Session, actor_id: str, *, lock: bool) -> None:
        # No lock needed: a user's tokens are revoked by (user, target) after the commit, so
        # nothing done to the user meanwhile escapes the revocation.
        get_or_404(session, User, actor_id, "user")


class Grant(_UserGrants, grants_base.Grant):
    """PUT/HEAD/GET/DELETE /v3/{projects|domains}/{t}/users/{u}/roles/{r} (and /v3/system/...)."""

    def _new(self, target_id: str, actor_id: str, role_id: str) -> RoleAssignment:
        return RoleAssignment(
            target_type=self.target_type, target_id=target_id, user_id=actor_id, role_id=role_id
        )

    def _lost_race(
        self, session: Session, key: grants_base.Key, actor_id: str, role_id: str
    ) -> None:
        # An identical grant committed since the check: granted all the same, as Keystone's PUT
        # is idempotent.
        pass

    def _revocation(
        self, session: Session, target_id: str, actor_id: str, role_id: str
    ) -> Callable[[], None]:
        # Tokens carry role names: the user's tokens scoped to this target end, and only those
        # (Keystone revokes by user and project; a token elsewhere never had this grant's role).
        lost = RevokedGrant(user_id=actor_id, target_type=self.target_type, target_id=target_id)
        if self.target_type == "project":
            app_credential_reaping.on_project(session, actor_id, target_id)
        tokens = self.identity.deps.tokens
        return lambda: tokens.revoke_grants([lost])


class GrantList(_UserGrants, grants_base.GrantList):
    """GET /v3/{projects|domains}/{t}/users/{u}/roles (and /v3/system/users/{u}/roles)."""
