"""/v3/OS-INHERIT/{domains|projects}/{t}/{users|groups}/{a}/roles/{r}/inherited_to_projects and
the domain's listing (declared in inherit_api.py). The grant holds on the projects below its
target, never on the target itself (inherited_grants.py)."""

from __future__ import annotations

import falcon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.errors import NotFound
from pocketstack.cloud.identity import entities, implied_roles, inherited_grants
from pocketstack.cloud.identity.admin.common import get_or_404
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links
from pocketstack.cloud.store.models.identity import Domain, Group, Project, Role, User
from pocketstack.cloud.store.models.identity_roles import InheritedGroupGrant, InheritedUserGrant

Inherited = InheritedUserGrant | InheritedGroupGrant


class _Base:
    def __init__(self, identity: Identity, target_type: str) -> None:
        self.identity = identity
        self.target_type = target_type

    def _check(
        self, session: Session, target_id: str, user_id: str | None, group_id: str | None
    ) -> None:
        if self.target_type == "domain":
            get_or_404(session, Domain, target_id, "domain")
        else:
            get_or_404(session, Project, target_id, "project")
        if user_id is not None:
            get_or_404(session, User, user_id, "user")
        elif group_id is not None:
            get_or_404(session, Group, group_id, "group")

    def _key(
        self, target_id: str, user_id: str | None, group_id: str | None, role_id: str
    ) -> tuple[type[Inherited], tuple[str, str, str, str]]:
        actor = user_id if user_id is not None else group_id
        assert actor is not None  # every route names its actor
        model: type[Inherited] = InheritedUserGrant if user_id is not None else InheritedGroupGrant
        return model, (self.target_type, target_id, actor, role_id)


class InheritedGrant(_Base):
    """PUT/GET/HEAD/DELETE .../roles/{role_id}/inherited_to_projects."""

    def on_put(self, req: falcon.Request, resp: falcon.Response, role_id: str,
               user_id: str | None = None, group_id: str | None = None,
               domain_id: str | None = None, project_id: str | None = None) -> None:  # fmt: skip
        target_id = domain_id or project_id or ""
        model, key = self._key(target_id, user_id, group_id, role_id)
        with self.identity.deps.store.session(write=True) as session:
            self._check(session, target_id, user_id, group_id)
            get_or_404(session, Role, role_id, "role")
            if session.get(model, key) is None:
                try:
                    with session.begin_nested():
                        session.add(_new(model, key))
                except IntegrityError:
                    # The same grant committed meanwhile (PUT is idempotent), or its actor or
                    # role deleted since the check.
                    if session.get(model, key) is None:
                        raise NotFound(f"Could not find role: {role_id}.") from None
        resp.status = falcon.HTTP_204

    def on_head(self, req: falcon.Request, resp: falcon.Response, role_id: str,
                user_id: str | None = None, group_id: str | None = None,
                domain_id: str | None = None, project_id: str | None = None) -> None:  # fmt: skip
        target_id = domain_id or project_id or ""
        model, key = self._key(target_id, user_id, group_id, role_id)
        with self.identity.deps.store.session() as session:
            self._check(session, target_id, user_id, group_id)
            get_or_404(session, Role, role_id, "role")
            if session.get(model, key) is None:
                raise NotFound(f"Could not find role assignment: {role_id}.")
        resp.status = falcon.HTTP_204

    on_get = on_head

    def on_delete(self, req: falcon.Request, resp: falcon.Response, role_id: str,
                  user_id: str | None = None, group_id: str | None = None,
                  domain_id: str | None = None, project_id: str | None = None) -> None:  # fmt: skip
        target_id = domain_id or project_id or ""
        model, key = self._key(target_id, user_id, group_id, role_id)
        with self.identity.deps.store.session(write=True) as session:
            self._check(session, target_id, user_id, group_id)
            row = session.get(model, key, with_for_update=True)
            if row is None:
                raise NotFound(f"Could not find role assignment: {role_id}.")
            # The tokens on the projects below carry the role (and what it implies): every
            # token of each holder ends, as those projects may be many.
            if user_id is not None:
                users = [user_id]
            else:
                users = inherited_grants.members(session, [key[2]])
            session.delete(row)
        for holder in users:
            self.identity.deps.tokens.revoke_user(holder)
        resp.status = falcon.HTTP_204


def _new(model: type[Inherited], key: tuple[str, str, str, str]) -> Inherited:
    target_type, target_id, actor_id, role_id = key
    if model is InheritedUserGrant:
        return InheritedUserGrant(
            target_type=target_type, target_id=target_id, user_id=actor_id, role_id=role_id
        )
    return InheritedGroupGrant(
        target_type=target_type, target_id=target_id, group_id=actor_id, role_id=role_id
    )


class InheritedGrantList(_Base):
    """GET /v3/OS-INHERIT/domains/{d}/{users|groups}/{a}/roles/inherited_to_projects."""

    def on_get(self, req: falcon.Request, resp: falcon.Response, domain_id: str,
               user_id: str | None = None, group_id: str | None = None) -> None:  # fmt: skip
        with self.identity.deps.store.session() as session:
            self._check(session, domain_id, user_id, group_id)
            if user_id is not None:
                where = [
                    InheritedUserGrant.role_id == Role.id,
                    InheritedUserGrant.user_id == user_id,
                    InheritedUserGrant.target_type == "domain",
                    InheritedUserGrant.target_id == domain_id,
                ]
            else:
                where = [
                    InheritedGroupGrant.role_id == Role.id,
                    InheritedGroupGrant.group_id == group_id,
                    InheritedGroupGrant.target_type == "domain",
                    InheritedGroupGrant.target_id == domain_id,
                ]
            rows = list(session.execute(select(Role).where(*where).order_by(Role.name)).scalars())
            domains = implied_roles.domains_of(session, [r.id for r in rows])
            roles = [entities.role(req, row, domains.get(row.id)) for row in rows]
        actor = f"users/{user_id}" if user_id is not None else f"groups/{group_id}"
        path = f"OS-INHERIT/domains/{domain_id}/{actor}/roles/inherited_to_projects"
        resp.media = {"roles": roles, "links": collection_links(req, path)}
