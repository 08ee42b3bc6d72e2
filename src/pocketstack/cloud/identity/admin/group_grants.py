"""Role grants to groups: /v3/{projects|domains}/{t}/groups/{g}/roles[/{r}] and
/v3/system/groups/{g}/roles[/{r}]. Each member of the group holds the role there (directory.py
reads both kinds of grant when a token is issued); revoking one ends the members' tokens
scoped there (group_tokens.py)."""

from __future__ import annotations

import falcon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.errors import NotFound
from pocketstack.cloud.identity import entities
from pocketstack.cloud.identity.admin import group_tokens
from pocketstack.cloud.identity.admin.common import get_or_404
from pocketstack.cloud.identity.admin.roles import TARGETS
from pocketstack.cloud.identity.directory import SYSTEM_TARGET
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links
from pocketstack.cloud.store.models.identity import Group, GroupRoleAssignment, Role


def _listing_path(target_type: str, target_id: str, group_id: str) -> str:
    if target_type == "system":
        return f"system/groups/{group_id}/roles"
    return f"{target_type}s/{target_id}/groups/{group_id}/roles"


class _GroupGrantBase:
    def __init__(self, identity: Identity, target_type: str) -> None:
        self.identity = identity
        self.target_type = target_type

    def _check_target(
        self, session: Session, target_id: str, group_id: str, *, lock: bool = False
    ) -> None:
        """`lock` holds the group's row: a member joining meanwhile waits (see groups.py)."""
        model, kind = TARGETS[self.target_type]
        if model is not None:
            get_or_404(session, model, target_id, kind)
        if session.get(Group, group_id, with_for_update=lock) is None:
            raise NotFound(f"Could not find group: {group_id}.")


class GroupGrant(_GroupGrantBase):
    """PUT/HEAD/GET/DELETE .../groups/{g}/roles/{r}."""

    def _check(
        self, session: Session, target_id: str, group_id: str, role_id: str, *, lock: bool = False
    ) -> None:
        self._check_target(session, target_id, group_id, lock=lock)
        get_or_404(session, Role, role_id, "role")

    def _key(self, target_id: str, group_id: str, role_id: str) -> tuple[str, str, str, str]:
        return (self.target_type, target_id, group_id, role_id)

    def on_put(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        group_id: str,
        role_id: str,
        project_id: str | None = None,
        domain_id: str | None = None,
    ) -> None:
        target_id = project_id or domain_id or SYSTEM_TARGET
        with self.identity.deps.store.session(write=True) as session:
            self._check(session, target_id, group_id, role_id)
            key = self._key(target_id, group_id, role_id)
            if session.get(GroupRoleAssignment, key) is None:
                try:
                    with session.begin_nested():
                        session.add(
                            GroupRoleAssignment(
                                target_type=self.target_type,
                                target_id=target_id,
                                group_id=group_id,
                                role_id=role_id,
                            )
                        )
                except IntegrityError:
                    # The same grant committed since the check is granted all the same; a
                    # group, role or target deleted since is not.
                    if session.get(GroupRoleAssignment, key, populate_existing=True) is None:
                        if session.get(Role, role_id, populate_existing=True) is None:
                            raise NotFound(f"Could not find role: {role_id}.") from None
                        raise NotFound(f"Could not find group: {group_id}.") from None
        resp.status = falcon.HTTP_204

    def on_head(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        group_id: str,
        role_id: str,
        project_id: str | None = None,
        domain_id: str | None = None,
    ) -> None:
        target_id = project_id or domain_id or SYSTEM_TARGET
        with self.identity.deps.store.session() as session:
            self._check(session, target_id, group_id, role_id)
            if session.get(GroupRoleAssignment, self._key(target_id, group_id, role_id)) is None:
                raise NotFound(f"Could not find role assignment: {role_id}.")
        resp.status = falcon.HTTP_204

    on_get = on_head

    def on_delete(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        group_id: str,
        role_id: str,
        project_id: str | None = None,
        domain_id: str | None = None,
    ) -> None:
        target_id = project_id or domain_id or SYSTEM_TARGET
        ident = self.identity
        with ident.deps.store.session(write=True) as session:
            self._check(session, target_id, group_id, role_id, lock=True)
            row = session.get(GroupRoleAssignment, self._key(target_id, group_id, role_id))
            if row is None:
                raise NotFound(f"Could not find role assignment: {role_id}.")
            lost = group_tokens.of_grant(
                session,
                group_id=group_id,
                target_type=self.target_type,
                target_id=target_id,
                role_id=role_id,
            )
            session.delete(row)
        group_tokens.revoke(ident.deps.tokens, lost)
        resp.status = falcon.HTTP_204


class GroupGrantList(_GroupGrantBase):
    """GET .../groups/{g}/roles."""

    def on_get(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        group_id: str,
        project_id: str | None = None,
        domain_id: str | None = None,
    ) -> None:
        target_id = project_id or domain_id or SYSTEM_TARGET
        with self.identity.deps.store.session() as session:
            self._check_target(session, target_id, group_id)
            rows = session.execute(
                select(Role)
                .join(GroupRoleAssignment, GroupRoleAssignment.role_id == Role.id)
                .where(
                    GroupRoleAssignment.target_type == self.target_type,
                    GroupRoleAssignment.target_id == target_id,
                    GroupRoleAssignment.group_id == group_id,
                )
                .order_by(Role.name)
            ).scalars()
            roles = [entities.role(req, row) for row in rows]
        path = _listing_path(self.target_type, target_id, group_id)
        resp.media = {"roles": roles, "links": collection_links(req, path)}
