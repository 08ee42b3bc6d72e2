"""What users' role grants (roles.py) and groups' (group_grants.py) share: the resources
/v3/{projects|domains}/{t}/{users|groups}/{a}/roles[/{r}] and /v3/system/{users|groups}/{a}/roles
[/{r}], which differ only in the assignment table, how the actor is looked up and which tokens a
revocation ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import falcon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from pocketstack.cloud.errors import NotFound
from pocketstack.cloud.identity import entities
from pocketstack.cloud.identity.admin.common import get_or_404
from pocketstack.cloud.identity.directory import SYSTEM_TARGET
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links
from pocketstack.cloud.store.base import Base
from pocketstack.cloud.store.models.identity import (
    Domain,
    GroupRoleAssignment,
    Project,
    Role,
    RoleAssignment,
)

# The model of each kind of grant target and its name in a 404 (the system has no row).
TARGETS: dict[str, tuple[type[Project] | type[Domain] | None, str]] = {
    "project": (Project, "project"),
    "domain": (Domain, "domain"),
    "system": (None, "system"),
}

Assignment = RoleAssignment | GroupRoleAssignment
Key = tuple[str, str, str, str]


class GrantResource:
    """Holds the target type; a subclass says whose grants (`actors`, `model`, `actor_column`,
    `_check_actor`).

    Falcon passes route fields by name, and the routes name the actor by its kind as upstream's
    do, so each responder takes `user_id` or `group_id` and exactly one of them is given.
    """

    # The actors' path segment: "users" or "groups".
    actors: ClassVar[str]
    model: ClassVar[type[Assignment]]
    actor_column: ClassVar[InstrumentedAttribute[str]]

    def __init__(self, identity: Identity, target_type: str) -> None:
        self.identity = identity
        self.target_type = target_type

    def _check_actor(self, session: Session, actor_id: str, *, lock: bool) -> None:
        """404 unless the actor exists; `lock` (on revoking) where a change to the actor made
        meanwhile could escape the revocation."""
        raise NotImplementedError

    def _check_target(
        self, session: Session, target_id: str, actor_id: str, *, lock: bool = False
    ) -> None:
        model, kind = TARGETS[self.target_type]
        if model is not None:
            get_or_404(session, model, target_id, kind)
        self._check_actor(session, actor_id, lock=lock)

    @staticmethod
    def _ids(
        project_id: str | None,
        domain_id: str | None,
        user_id: str | None,
        group_id: str | None,
    ) -> tuple[str, str]:
        actor_id = user_id or group_id
        assert actor_id is not None  # every grant route names its actor
        return project_id or domain_id or SYSTEM_TARGET, actor_id


class Grant(GrantResource):
    """PUT/HEAD/GET/DELETE .../{users|groups}/{a}/roles/{r}."""

    def _new(self, target_id: str, actor_id: str, role_id: str) -> Assignment:
        raise NotImplementedError

    def _lost_race(self, session: Session, key: Key, actor_id: str, role_id: str) -> None:
        """After an insert lost to a concurrent one or to a deletion."""
        raise NotImplementedError

    def _revocation(
        self, session: Session, target_id: str, actor_id: str, role_id: str
    ) -> Callable[[], None]:
        """Read before the grant's row goes; what it returns ends the tokens after the commit."""
        raise NotImplementedError

    def _check(
        self, session: Session, target_id: str, actor_id: str, role_id: str, *, lock: bool = False
    ) -> None:
        self._check_target(session, target_id, actor_id, lock=lock)
        get_or_404(session, Role, role_id, "role")

    def _key(self, target_id: str, actor_id: str, role_id: str) -> Key:
        return (self.target_type, target_id, actor_id, role_id)

    def _existing(
        self, session: Session, target_id: str, actor_id: str, role_id: str, *, lock: bool = False
    ) -> Base:
        self._check(session, target_id, actor_id, role_id, lock=lock)
        row = session.get(self.model, self._key(target_id, actor_id, role_id))
        if row is None:
            raise NotFound(f"Could not find role assignment: {role_id}.")
        return row

    def on_put(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        role_id: str,
        user_id: str | None = None,
        group_id: str | None = None,
        project_id: str | None = None,
        domain_id: str | None = None,
    ) -> None:
        target_id, actor_id = self._ids(project_id, domain_id, user_id, group_id)
        with self.identity.deps.store.session(write=True) as session:
            self._check(session, target_id, actor_id, role_id)
            key = self._key(target_id, actor_id, role_id)
            if session.get(self.model, key) is None:
                try:
                    with session.begin_nested():
                        session.add(self._new(target_id, actor_id, role_id))
                except IntegrityError:
                    self._lost_race(session, key, actor_id, role_id)
        resp.status = falcon.HTTP_204

    def on_head(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        role_id: str,
        user_id: str | None = None,
        group_id: str | None = None,
        project_id: str | None = None,
        domain_id: str | None = None,
    ) -> None:
        target_id, actor_id = self._ids(project_id, domain_id, user_id, group_id)
        with self.identity.deps.store.session() as session:
            self._existing(session, target_id, actor_id, role_id)
        resp.status = falcon.HTTP_204

    on_get = on_head

    def on_delete(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        role_id: str,
        user_id: str | None = None,
        group_id: str | None = None,
        project_id: str | None = None,
        domain_id: str | None = None,
    ) -> None:
        target_id, actor_id = self._ids(project_id, domain_id, user_id, group_id)
        with self.identity.deps.store.session(write=True) as session:
            row = self._existing(session, target_id, actor_id, role_id, lock=True)
            revoke = self._revocation(session, target_id, actor_id, role_id)
            session.delete(row)
        revoke()
        resp.status = falcon.HTTP_204


class GrantList(GrantResource):
    """GET .../{users|groups}/{a}/roles."""

    def on_get(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        user_id: str | None = None,
        group_id: str | None = None,
        project_id: str | None = None,
        domain_id: str | None = None,
    ) -> None:
        target_id, actor_id = self._ids(project_id, domain_id, user_id, group_id)
        model = self.model
        with self.identity.deps.store.session() as session:
            self._check_target(session, target_id, actor_id)
            rows = session.execute(
                select(Role)
                .join(model, model.role_id == Role.id)
                .where(
                    model.target_type == self.target_type,
                    model.target_id == target_id,
                    type(self).actor_column == actor_id,
                )
                .order_by(Role.name)
            ).scalars()
            roles = [entities.role(req, row) for row in rows]
        if self.target_type == "system":
            path = f"system/{self.actors}/{actor_id}/roles"
        else:
            path = f"{self.target_type}s/{target_id}/{self.actors}/{actor_id}/roles"
        resp.media = {"roles": roles, "links": collection_links(req, path)}
